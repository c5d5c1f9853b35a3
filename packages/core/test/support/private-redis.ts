import { type ChildProcess, spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { unusedPort } from './net.js';

/**
 * A redis-server of the test's own, so it can be killed, restarted or given a password without touching the
 * shared instance. Nothing is persisted.
 */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** SIGKILL, as a crash would; resolves once the process has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port (after kill). */
  start(): Promise<void>;
}

export async function startPrivateRedis(options: { requirepass?: string } = {}): Promise<PrivateRedis> {
  const port = await unusedPort();
  let child: ChildProcess | undefined;

  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'];
    if (options.requirepass) args.push('--requirepass', options.requirepass);
    const proc = spawn('redis-server', args, { stdio: 'ignore' });
    child = proc;
    const exited = new Promise<never>((_, reject) => {
      proc.once('exit', (code) => reject(new Error(`redis-server exited early (code ${code})`)));
      proc.once('error', (error) =>
        reject(new Error(`cannot start redis-server (${error.message}): install it with apt-get install redis-server`)),
      );
    });
    exited.catch(() => {});
    await Promise.race([waitForReply(port), exited]);
  };

  const kill = async () => {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill('SIGKILL');
    await exited;
  };

  await start();
  return { port, url: `redis://127.0.0.1:${port}`, kill, start };
}

/** Polls with a raw PING until the server answers anything (`+PONG`, or `-NOAUTH` with a password). */
async function waitForReply(port: number, timeoutMs = 5000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    if (await answersPing(port)) return;
    if (Date.now() > giveUp) throw new Error(`redis-server on port ${port} did not start within ${timeoutMs} ms`);
    await sleep(20);
  }
}

function answersPing(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(/^[+-]/.test(data.toString())));
  });
}
