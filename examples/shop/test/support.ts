/** Running the built shop (dist/) as real processes against the machine's PostgreSQL and Redis. */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { POSTGRES_URL, REDIS_URL as SHARED_REDIS_URL } from '../../../test/services.js';

/** The shared PostgreSQL and Redis (VIGIL_TEST_POSTGRES_URL, VIGIL_TEST_REDIS_URL), given to the processes too. */
export const DATABASE_URL = POSTGRES_URL;
export const REDIS_URL = SHARED_REDIS_URL;
const DIST = fileURLToPath(new URL('../dist/', import.meta.url));

export type Script = 'api' | 'worker' | 'start';

/** The processes are the build (Node 20 cannot run the TypeScript sources): fail with the fix when it is missing. */
export function requireBuild(): void {
  const missing = ['api.js', 'worker.js', 'start.js'].filter((file) => !existsSync(`${DIST}${file}`));
  if (missing.length > 0) {
    throw new Error(`examples/shop/dist/${missing.join(', ')} missing: run \`npm run build\` first`);
  }
}

export interface Running {
  child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  stderr(): string;
  /** The URL from the process's "ready" IPC message (api and worker only). */
  ready: Promise<string>;
  /** Exit code, or the signal's name when killed. */
  exited: Promise<number | string>;
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
}

const running = new Set<ChildProcess>();

export function launch(script: Script, env: Record<string, string>): Running {
  const child = spawn(process.execPath, [`${DIST}${script}.js`], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  running.add(child);
  let output = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    output += chunk;
    stderr += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal ?? -1);
    }),
  );
  const ready = new Promise<string>((resolve, reject) => {
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message.type === 'ready' && message.url) resolve(message.url);
    });
    void exited.then((code) => reject(new Error(`${script} exited (${code}) before it was ready:\n${output}`)));
  });
  ready.catch(() => {});
  const waitFor = async (pattern: RegExp, timeoutMs = 15_000) => {
    const giveUp = Date.now() + timeoutMs;
    for (;;) {
      const match = output.match(pattern);
      if (match) return match;
      if (Date.now() > giveUp) throw new Error(`${script} never printed ${pattern}; output:\n${output}`);
      await sleep(25);
    }
  };
  return { child, output: () => output, stderr: () => stderr, ready, exited, waitFor };
}

/** Kills whatever a failed test left running. */
export function killAll(): void {
  for (const child of running) child.kill('SIGKILL');
}

/** A port nothing listens on right now. */
export async function unusedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Holds a port until released. */
export async function occupyPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return { port, release: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export async function until<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 15_000): Promise<T> {
  const giveUp = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > giveUp) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

export async function query<R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<R>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

/** Removes what a run created: its schema, its BullMQ keys and its cache keys (never anything else). */
export async function cleanUp(schema: string, prefix: string, queues: readonly string[]): Promise<void> {
  if (!/^shop_test_[a-z0-9]+$/.test(schema) || !/^shop-test-[a-z0-9]+$/.test(prefix)) {
    throw new Error(`refusing to clean up ${schema} / ${prefix}: not a test run's names`);
  }
  await query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  try {
    for (const name of queues) {
      const queue = new Queue(name, { connection: redis, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    for (const pattern of [`${prefix}:*`, `shop:${schema}:*`]) {
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
    }
  } finally {
    redis.disconnect();
  }
}
