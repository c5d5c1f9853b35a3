/**
 * `npm run shop`: starts the API and the worker side by side, prefixes their output, prints the URLs once both
 * are up, and stops both on Ctrl-C or SIGTERM (exit 0 when both stopped cleanly). If one fails, the other is
 * stopped and the launcher exits 1.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isReadyMessage, type ReadyMessage } from './lifecycle.js';

type Service = ReadyMessage['service'];

interface Child {
  service: Service;
  process: ChildProcess;
  exited: Promise<number>;
}

/** Children still running after this long past SIGTERM are killed. */
const STOP_TIMEOUT_MS = 60_000;
const LABEL: Record<Service, string> = { api: '[api]    ', worker: '[worker] ' };

const ready = new Map<Service, string | null>();
let stopping = false;

function prefixLines(stream: NodeJS.ReadableStream | null, out: NodeJS.WriteStream, label: string): void {
  if (!stream) return;
  let rest = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop() ?? '';
    for (const line of lines) out.write(`${label}${line}\n`);
  });
  stream.on('end', () => {
    if (rest) out.write(`${label}${rest}\n`);
  });
}

function run(service: Service): Child {
  const script = fileURLToPath(new URL(`./${service}.js`, import.meta.url));
  // The IPC channel carries the "ready" message, and tells the child when the launcher is gone. Detached (a
  // process group of its own), so Ctrl-C reaches the launcher alone and each child gets exactly one SIGTERM.
  const child = spawn(process.execPath, [script], {
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    env: process.env,
    detached: true,
  });
  prefixLines(child.stdout, process.stdout, LABEL[service]);
  prefixLines(child.stderr, process.stderr, LABEL[service]);
  child.on('message', (message) => {
    if (!isReadyMessage(message)) return;
    ready.set(message.service, message.url);
    if (ready.size === 2 && !stopping) printUrls();
  });
  const exited = new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => {
      // A child killed by a signal did not stop cleanly.
      const status = code ?? 1;
      if (!stopping) {
        const how = signal ? `was killed by ${signal}` : `exited with code ${status}`;
        console.error(`[start]  ${service} ${how}; stopping the shop`);
        void stop(1);
      }
      resolve(signal ? 1 : status);
    });
  });
  return { service, process: child, exited };
}

function printUrls(): void {
  const api = ready.get('api');
  const worker = ready.get('worker');
  const row = (label: string, first: string, second = '') => `  ${label.padEnd(10)}${first.padEnd(40)}${second}`.trimEnd();
  console.log(
    [
      '',
      'The shop is running:',
      row('API', `${api}/`, 'endpoints: docs/shop.md'),
      row('health', `${api}/api/health`, `${api}/api/readyz?verbose`),
      row('metrics', `${api}/api/metrics`),
      worker ? row('worker', `${worker}/health`, `${worker}/metrics`) : row('worker', 'running (health sidecar off)'),
      'Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
}

const children: Child[] = [run('api'), run('worker')];

/** SIGTERM to both, then exit 0 if both stopped cleanly (or `failure` when a child already failed). */
async function stop(failure = 0): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const child of children) {
    if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
  }
  const force = setTimeout(() => {
    console.error(`[start]  still running after ${STOP_TIMEOUT_MS / 1000} s; killing`);
    for (const child of children) child.process.kill('SIGKILL');
  }, STOP_TIMEOUT_MS);
  force.unref();
  const codes = await Promise.all(children.map((child) => child.exited));
  clearTimeout(force);
  process.exit(failure || (codes.every((code) => code === 0) ? 0 : 1));
}

process.on('SIGTERM', () => void stop());
process.on('SIGINT', () => {
  // A second Ctrl-C: passed on as SIGINT, which makes a child that is shutting down exit at once (130).
  if (stopping) {
    for (const child of children) child.process.kill('SIGINT');
    return;
  }
  void stop();
});
