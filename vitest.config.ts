import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    // Tests run against the sources; the build is checked separately by `npm run build`.
    alias: {
      '@vigil/core': src('core'),
      '@vigil/health': src('health'),
      '@vigil/jobs': src('jobs'),
      '@vigil/monitor': src('monitor'),
    },
  },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: fault tests start private servers, so keep file parallelism modest.
    maxWorkers: 2,
  },
});
