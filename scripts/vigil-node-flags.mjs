// The Node.js flags the `vigil` command starts node with — the words starting with `--` on the `exec node` line of
// packages/monitor/bin/vigil.js — and the environment variables that line sets. For scripts that start dist/cli.js
// themselves (npm start, bench/monitor), so that they run it as users do.
import { readFileSync } from 'node:fs';

function execLine() {
  const bin = readFileSync(new URL('../packages/monitor/bin/vigil.js', import.meta.url), 'utf8');
  const line = bin.split('\n').find((text) => text.includes('exec node'));
  if (line === undefined) throw new Error('packages/monitor/bin/vigil.js has no `exec node` line');
  return line;
}

export function vigilNodeFlags() {
  return execLine()
    .split(' ')
    .filter((word) => word.startsWith('--'));
}

/** The variables the same line exports (`NAME="${NAME:-value}"`), each kept as `env` has it when set and not empty. */
export function vigilNodeEnv(env = process.env) {
  const variables = {};
  for (const [, name, value] of execLine().matchAll(/(\w+)="\$\{\1:-([^}]*)\}"/g)) variables[name] = env[name] || value;
  return variables;
}
