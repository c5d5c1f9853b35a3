// Bundles the status page's and the dashboard's scripts and style sheets (web/) into dist/assets/, minified, for `vigil serve` to serve
// with a content hash. Run by the build; the page works without them (no script), not without the styles.
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const out = join(root, 'dist', 'assets');
mkdirSync(out, { recursive: true });
await build({
  entryPoints: ['status.ts', 'status.css', 'admin.ts', 'admin.css'].map((file) => join(root, 'web', file)),
  outdir: out,
  bundle: true,
  minify: true,
  format: 'iife',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
});
