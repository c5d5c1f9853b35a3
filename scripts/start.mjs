#!/usr/bin/env node
// `npm start`: the monitor (`vigil serve` on embedded SQLite with examples/vigil.yaml) and the demo app it
// watches, side by side; their output is prefixed. Ctrl-C stops both (the monitor stores what it buffered).
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { vigilNodeEnv, vigilNodeFlags } from './vigil-node-flags.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const children = [];
let stopping = false;

function run(name, args, env = {}) {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = (stream, out) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) out.write(`[${name}] ${line}\n`);
    });
  };
  prefix(child.stdout, process.stdout);
  prefix(child.stderr, process.stderr);
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`[start] ${name} exited (${signal ?? code}); stopping the rest`);
      stop(code ?? 1);
    }
  });
  children.push(child);
  return child;
}

function stop(code = 0) {
  if (stopping) return;
  stopping = true;
  let left = children.filter((child) => child.exitCode === null && child.signalCode === null).length;
  if (left === 0) process.exit(code);
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.once('exit', () => {
      left--;
      if (left === 0) process.exit(code);
    });
    child.kill('SIGTERM');
  }
  setTimeout(() => process.exit(code), 15_000).unref();
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

run('demo', ['examples/demo/dist/main.js']);
const vigilFlags = vigilNodeFlags();
run('vigil', [...vigilFlags, 'packages/monitor/bin/vigil.js', 'serve', '--config', 'examples/vigil.yaml'], vigilNodeEnv());
const url = `http://${process.env.VIGIL_HOST ?? '127.0.0.1'}:${process.env.VIGIL_PORT ?? 3939}`;
setTimeout(() => {
  if (!stopping) {
    console.log(
      `\n  Vigil is running: open ${url} in a browser (Ctrl-C stops it)\n` +
        `  The dashboard is ${url}/admin: sign in with a token from\n` +
        `  npx vigil token create --name me --scope admin --config examples/vigil.yaml\n`,
    );
  }
}, 1500).unref();
