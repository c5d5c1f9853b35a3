import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHealth } from '../src/health.js';
import { installGracefulShutdown } from '../src/shutdown.js';

const fixture = fileURLToPath(new URL('./fixtures/shutdown-server.mjs', import.meta.url));
const dist = ['index.js', 'shutdown.js'].map((f) => fileURLToPath(new URL(`../dist/${f}`, import.meta.url)));

beforeAll(() => {
  // The fixture is plain JavaScript running the build (Node 20 cannot run TypeScript sources).
  const missing = dist.filter((f) => !existsSync(f));
  if (missing.length > 0) throw new Error(`missing ${missing.join(', ')}: run \`npm run build\` first`);
});

interface Fixture {
  child: ChildProcess;
  port: number;
  stdout: string[];
  stderr: () => string;
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0))
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

async function start(env: Record<string, string>): Promise<Fixture> {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  const stdout: string[] = [];
  let stderr = '';
  const waiters = new Set<() => void>();
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    stdout.push(...parts);
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, timeoutMs = 8000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = stdout.find((l) => pattern.test(l));
        if (line === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(line);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no stdout line matching ${pattern}\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  const port = Number((await waitFor(/^LISTENING \d+$/)).split(' ')[1]);
  return { child, port, stdout, stderr: () => stderr, waitFor, exited };
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function get(port: number, path: string, agent: http.Agent | false = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => {
          body += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const since = (t: number) => performance.now() - t;

describe('graceful shutdown (child process, real HTTP)', () => {
  it('fails readiness, keeps serving during the delay, then stops accepting, drains, cleans up and exits 0', async () => {
    const app = await start({ DELAY_MS: '1500', SLOW_MS: '3000' });
    const keepAlive = new http.Agent({ keepAlive: true });
    try {
      let slowDone = false;
      const slow = get(app.port, '/slow', keepAlive).finally(() => {
        slowDone = true;
      });
      slow.catch(() => {}); // awaited below; this only keeps an early failure from also reporting a stray rejection
      await app.waitFor(/^SLOW START$/);

      const signalled = performance.now();
      app.child.kill('SIGTERM');
      await app.waitFor(/^info: shutting down \(SIGTERM\)/);
      const [readyz, livez, route] = await Promise.all([
        get(app.port, '/readyz'),
        get(app.port, '/livez'),
        get(app.port, '/app'),
      ]);
      expect(since(signalled)).toBeLessThan(1500); // still inside the delay, so none of these could be refused
      expect(readyz.status).toBe(503);
      expect(livez.status).toBe(200);
      expect(route).toMatchObject({ status: 200, body: 'app ok' });
      // Keep-alive clients are told to reconnect, which takes them through the load balancer again.
      expect(route.headers.connection).toBe('close');

      await app.waitFor(/^info: stopped accepting/); // logged after close(), so connecting now must be refused
      expect(since(signalled)).toBeGreaterThanOrEqual(1400);
      expect(slowDone).toBe(false);
      await expect(get(app.port, '/app')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      const reply = await slow;
      expect(reply.status).toBe(200);
      expect(reply.body).toHaveLength(64 * 1024 + 3);
      expect(reply.body.endsWith('end')).toBe(true);
      expect(reply.headers.connection).toBe('close');
      await expect(get(app.port, '/app')).rejects.toMatchObject({ code: 'ECONNREFUSED' });

      expect(await app.exited).toBe(0);
      const order = ['SLOW END', 'CLEANUP pool', 'CLEANUP cache'].map((m) => app.stdout.indexOf(m));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      expect(app.stderr()).toBe('');
    } finally {
      keepAlive.destroy();
    }
  });

  it('cuts off a request that never finishes at drainTimeoutMs, still cleans up, and exits 1', async () => {
    const app = await start({ DELAY_MS: '200', DRAIN_TIMEOUT_MS: '1000' });
    const hung = get(app.port, '/hang');
    const hungOutcome = hung.then(
      () => 'answered',
      (error: NodeJS.ErrnoException) => error.code,
    );
    await app.waitFor(/^HANG START$/);

    const signalled = performance.now();
    app.child.kill('SIGTERM');
    expect(await app.exited).toBe(1);
    const elapsed = since(signalled);
    expect(elapsed).toBeGreaterThanOrEqual(1100); // delay + drain timeout
    expect(elapsed).toBeLessThan(8000);
    expect(await hungOutcome).toBe('ECONNRESET');
    expect(app.stderr()).toMatch(/drain timed out after 1000 ms; cutting 1 request\(s\) off/);
    expect(app.stdout).toContain('CLEANUP pool');
    expect(app.stdout).toContain('CLEANUP cache');
  });

  it('runs every hook when one throws and one hangs, logs without secrets, ignores a second SIGTERM, exits 1', async () => {
    const app = await start({ DELAY_MS: '300', CLEANUP_TIMEOUT_MS: '500', FAILING_HOOKS: '1' });
    const signalled = performance.now();
    app.child.kill('SIGTERM');
    await app.waitFor(/^info: shutting down/);
    app.child.kill('SIGTERM');

    expect(await app.exited).toBe(1);
    expect(since(signalled)).toBeLessThan(8000);
    expect(app.stdout.filter((l) => l.startsWith('info: shutting down'))).toHaveLength(1);
    expect(app.stdout.filter((l) => l === 'CLEANUP pool')).toHaveLength(1);
    expect(app.stdout.filter((l) => l === 'CLEANUP cache')).toHaveLength(1);
    const stderr = app.stderr();
    expect(stderr).toContain('SIGTERM received while shutting down; ignored');
    expect(stderr).toContain('cleanup hook "brokenQueue" failed: Error: connect ECONNREFUSED postgres://app:***@db');
    expect(stderr).toContain('cleanup hook "stuckCache" timed out after 500 ms');
    expect(stderr).not.toContain('hunter2');
  });

  it('exits at once with 130 on a second SIGINT', async () => {
    const app = await start({ DELAY_MS: '10000' });
    app.child.kill('SIGINT');
    await app.waitFor(/^info: shutting down \(SIGINT\)/);
    const signalled = performance.now();
    app.child.kill('SIGINT');
    expect(await app.exited).toBe(130);
    expect(since(signalled)).toBeLessThan(5000);
    expect(app.stdout).not.toContain('CLEANUP pool');
  });
});

describe('installGracefulShutdown in process (exit: false)', () => {
  it('returns the result, runs once, and removes its listeners afterwards', async () => {
    const health = createHealth();
    let hookRuns = 0;
    const seen: unknown[] = [];
    const handle = installGracefulShutdown({
      health,
      signals: ['SIGUSR2'],
      delayMs: 0,
      exit: false,
      cleanup: () => {
        hookRuns++;
      },
      logger: { info: () => {}, warn: () => {}, error: () => {} },
      onShutdown: (result) => {
        seen.push(result);
      },
    });
    expect(process.listenerCount('SIGUSR2')).toBe(1);
    const first = handle.shutdown('test');
    expect(handle.shuttingDown).toBe(true);
    expect(health.shuttingDown).toBe(true);
    expect(handle.shutdown('again')).toBe(first);
    const result = await first;
    expect(result).toMatchObject({ reason: 'test', exitCode: 0, drainTimedOut: false, failedHooks: [] });
    expect(seen).toHaveLength(1);
    expect(hookRuns).toBe(1);
    expect(process.listenerCount('SIGUSR2')).toBe(0);
  });

  it('rejects durations a timer cannot honour', () => {
    const base = { health: createHealth(), signals: [], exit: false };
    expect(() => installGracefulShutdown({ ...base, delayMs: -1 })).toThrow(RangeError);
    expect(() => installGracefulShutdown({ ...base, drainTimeoutMs: Number.NaN })).toThrow(RangeError);
    expect(() => installGracefulShutdown({ ...base, cleanupTimeoutMs: 2 ** 31 })).toThrow(RangeError);
  });
});
