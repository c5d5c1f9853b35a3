#!/usr/bin/env node
// The `vigil` command. It is a file of its own, not dist/cli.js itself, so that npm can link it when it installs
// (before `prepare` has built dist/): `npm ci` and then `npx vigil` work in a fresh clone.
try {
  await import('../dist/cli.js');
} catch (error) {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    console.error('vigil: not built yet: run `npm run build` in the repository first');
    process.exit(1);
  }
  throw error;
}
