// The Node.js flags the `vigil` command starts node with: the words starting with `--` on the `exec node` line of
// packages/monitor/bin/vigil.js. For scripts that start dist/cli.js themselves (npm start, bench/monitor), so that
// they run it as users do.
import { readFileSync } from 'node:fs';

export function vigilNodeFlags() {
  const bin = readFileSync(new URL('../packages/monitor/bin/vigil.js', import.meta.url), 'utf8');
  const line = bin.split('\n').find((text) => text.includes('exec node'));
  if (line === undefined) throw new Error('packages/monitor/bin/vigil.js has no `exec node` line');
  return line.split(' ').filter((word) => word.startsWith('--'));
}
