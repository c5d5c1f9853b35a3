#!/bin/sh
// 2>/dev/null; export MALLOC_ARENA_MAX="${MALLOC_ARENA_MAX:-1}"; exec node --max-semi-space-size=4 --heap-growing-percent=25 --no-allocation-site-pretenuring "$0" "$@"
// The line above is read twice. /bin/sh runs it: `//` fails quietly, then node starts this file with V8's memory
// policy for a long-running monitor (`#!/usr/bin/env -S node …` would say the same, but BusyBox's env, in Alpine
// images, has no -S). Node reads it as a comment. The young generation stays at 2 × 4 MB (not 2 × 16 MB), and the
// old generation grows by 25 % over what is live before a full collection (not 2–4×): at 10,000 monitors about
// 165 MB instead of 270 MB for the same CPU per check; 2 × 2 MB doubled the CPU (docs/benchmarks.md, bench/monitor).
// No allocation-site pretenuring: V8 otherwise starts allocating some sites' objects straight in the old generation
// when a burst of checks happens to be alive at a scavenge, and full collections then come every 3 s instead of
// every 10 s — a third of a kept-alive check's CPU at 10,000 monitors, and 10 MB of RSS (docs/benchmarks.md).
// MALLOC_ARENA_MAX=1 (unless set already; glibc only, musl ignores it): every thread allocates from one malloc
// arena, so what the configuration's loader thread freed is reused by the main thread instead of staying in an
// arena of its own — 10–13 MB less RSS at 10,000 monitors for the same CPU per check (docs/benchmarks.md).
// Scripts that start dist/cli.js themselves read the flags and the variable from the `exec node` line
// (scripts/vigil-node-flags.mjs).
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
