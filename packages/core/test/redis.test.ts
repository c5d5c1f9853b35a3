import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { redisCheck } from '../src/probes/redis.js';
import { hangingTcpServer, unusedPort } from './support/net.js';
import { type PrivateRedis, startPrivateRedis } from './support/private-redis.js';
import { REDIS_URL } from '../../../test/services.js';

const SHARED_URL = REDIS_URL;

/** What a user of the check sees: the probe under its deadline, errors sanitized. */
const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

describe('redisCheck against the shared server', () => {
  // A prefix of this run's own, so the key check below sees only keys this file wrote.
  const prefix = `vigil-test:${process.pid}:${Date.now()}:`;
  let ioredis: Redis;
  let nodeRedis: ReturnType<typeof createClient>;

  beforeAll(async () => {
    ioredis = new Redis(SHARED_URL, { keyPrefix: prefix });
    nodeRedis = createClient({ url: SHARED_URL });
    nodeRedis.on('error', () => {});
    await nodeRedis.connect();
  });
  afterAll(async () => {
    ioredis?.disconnect();
    await nodeRedis?.close();
  });

  it('is healthy through an ioredis client, after PING and a SET/GET round trip that leaves no key', async () => {
    const check = redisCheck({ client: ioredis });
    expect(check).toMatchObject({ name: 'redis', kind: 'redis', componentType: 'datastore', critical: true });
    const result = await observe(check);
    expect(result.status).toBe('healthy');
    expect(result.error).toBeUndefined();
    expect(result.details).toMatchObject({ type: 'redis', latency_ms: expect.any(Number) });
    expect(result.measurements).toEqual([
      { measurement: 'responseTime', value: result.details?.latency_ms, unit: 'ms' },
    ]);
    // The round trip went through this client (its keyPrefix) and deleted its key.
    const [, keys] = await nodeRedis.scan('0', { MATCH: `${prefix}*`, COUNT: 1000 }).then((r) => [r.cursor, r.keys]);
    expect(keys).toEqual([]);
  });

  it('is healthy through a node-redis client', async () => {
    const result = await observe(redisCheck({ client: nodeRedis, name: 'sessions' }));
    expect(result.status).toBe('healthy');
    expect(result.details?.type).toBe('redis');
  });

  it('is healthy through a URL with ioredis (the default) and with node-redis', async () => {
    for (const driver of [undefined, 'node-redis'] as const) {
      const result = await observe(redisCheck({ url: SHARED_URL, driver }));
      expect(result.status, `driver ${driver}`).toBe('healthy');
      expect(result.details).toMatchObject({ latency_ms: expect.any(Number), connect_ms: expect.any(Number) });
    }
  });

  it('is degraded when the commands are slower than degradedAboveMs, and says so', async () => {
    const result = await observe(redisCheck({ client: ioredis, degradedAboveMs: 0 }));
    expect(result.status).toBe('degraded');
    expect(result.error).toMatch(/^responded in [\d.]+ ms \(degraded above 0 ms\)$/);
  });
});

describe('redisCheck when the server is unreachable', () => {
  it('is unhealthy at once with ECONNREFUSED when nothing listens (URL, both drivers)', async () => {
    const port = await unusedPort();
    for (const driver of ['ioredis', 'node-redis'] as const) {
      const result = await observe(redisCheck({ url: `redis://127.0.0.1:${port}`, driver }));
      expect(result, driver).toMatchObject({ status: 'unhealthy', timedOut: false });
      expect(result.error, driver).toContain('ECONNREFUSED');
      expect(result.durationMs).toBeLessThan(1000);
    }
  });

  it('is unhealthy at its timeout when the server accepts but never answers (both drivers)', async () => {
    const server = await hangingTcpServer();
    try {
      for (const driver of ['ioredis', 'node-redis'] as const) {
        const check = redisCheck({ url: `redis://127.0.0.1:${server.port}`, driver, timeoutMs: 300 });
        const result = await observe(check);
        expect(result, driver).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 300 ms' });
        expect(result.durationMs).toBeGreaterThanOrEqual(290);
        expect(result.durationMs).toBeLessThan(1500);
      }
    } finally {
      await server.close();
    }
  });

  it('closes its socket for good when the deadline passes (both drivers)', async () => {
    const server = await hangingTcpServer();
    try {
      // Sockets of earlier tests may still be closing; this test owns the only ones afterwards.
      await until(() => server.clientSockets() === 0, 2000);
      for (const driver of ['ioredis', 'node-redis'] as const) {
        const check = redisCheck({ url: `redis://127.0.0.1:${server.port}`, driver, timeoutMs: 200 });
        expect((await observe(check)).timedOut).toBe(true);
        await until(() => server.clientSockets() === 0, 500);
      }
      expect(server.accepted()).toBe(2);
    } finally {
      await server.close();
    }
  });
});

describe('redisCheck with a password (private server)', () => {
  const PASSWORD = 'C0rrect-Horse_Battery';
  let server: PrivateRedis;

  beforeAll(async () => {
    server = await startPrivateRedis({ requirepass: PASSWORD });
  });
  afterAll(async () => {
    await server?.kill();
  });

  it('is healthy with the password in the URL or given separately', async () => {
    const inUrl = await observe(redisCheck({ url: `redis://:${PASSWORD}@127.0.0.1:${server.port}` }));
    expect(inUrl.status).toBe('healthy');
    for (const driver of ['ioredis', 'node-redis'] as const) {
      const separate = await observe(redisCheck({ url: server.url, password: PASSWORD, driver }));
      expect(separate.status, driver).toBe('healthy');
    }
  });

  it('is unhealthy with a wrong password, and the error never shows it (both drivers)', async () => {
    const wrong = 'S3cretPassw0rd';
    for (const driver of ['ioredis', 'node-redis'] as const) {
      for (const options of [
        { url: `redis://:${wrong}@127.0.0.1:${server.port}` },
        { url: server.url, password: wrong },
      ]) {
        const result = await observe(redisCheck({ ...options, driver }));
        expect(result.status, driver).toBe('unhealthy');
        expect(result.error, driver).toContain('WRONGPASS');
        expect(JSON.stringify(result)).not.toContain(wrong);
      }
    }
  });

  it('is unhealthy without a password, saying authentication is required', async () => {
    const result = await observe(redisCheck({ url: server.url, driver: 'node-redis' }));
    expect(result.status).toBe('unhealthy');
    expect(result.error).toContain('NOAUTH');
  });

  it('with roundTrip: false only needs PING, e.g. for a user that may not write', async () => {
    const admin = new Redis(server.port, '127.0.0.1', { password: PASSWORD });
    try {
      await admin.call('ACL', 'SETUSER', 'pinger', 'on', '>Ping-Only-Pw', '-@all', '+ping');
      const url = `redis://pinger:Ping-Only-Pw@127.0.0.1:${server.port}`;
      expect((await observe(redisCheck({ url, roundTrip: false }))).status).toBe('healthy');
      const full = await observe(redisCheck({ url }));
      expect(full.status).toBe('unhealthy');
      expect(full.error).toContain('NOPERM');
    } finally {
      admin.disconnect();
    }
  });
});

describe('redisCheck when the server crashes and comes back (private server)', () => {
  let server: PrivateRedis;
  let ioredis: Redis;
  let nodeRedis: ReturnType<typeof createClient>;

  beforeAll(async () => {
    server = await startPrivateRedis();
    // The app's clients, with their default reconnect behaviour: they queue commands while disconnected.
    ioredis = new Redis(server.url);
    ioredis.on('error', () => {});
    nodeRedis = createClient({ url: server.url });
    nodeRedis.on('error', () => {});
    await nodeRedis.connect();
  });
  afterAll(async () => {
    ioredis?.disconnect();
    nodeRedis?.destroy();
    await server?.kill();
  });

  it('goes unhealthy when the server dies and healthy again when it is back', async () => {
    const byUrl = redisCheck({ url: server.url, timeoutMs: 500 });
    const byIoRedis = redisCheck({ client: ioredis, timeoutMs: 500 });
    const byNodeRedis = redisCheck({ client: nodeRedis, timeoutMs: 500 });
    for (const check of [byUrl, byIoRedis, byNodeRedis]) expect((await observe(check)).status).toBe('healthy');

    await server.kill();
    const down = await observe(byUrl);
    expect(down.status).toBe('unhealthy');
    expect(down.error).toContain('ECONNREFUSED');
    // The app's clients wait for a reconnect; Vigil's deadline still answers.
    const [ioDown, nodeDown] = await Promise.all([observe(byIoRedis), observe(byNodeRedis)]);
    for (const result of [ioDown, nodeDown]) {
      expect(result).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 500 ms' });
    }

    await server.start();
    expect((await observe(byUrl)).status).toBe('healthy');
    // ioredis retries with a backoff of up to 2 s, node-redis up to 500 ms by default.
    await until(async () => (await observe(byIoRedis)).status === 'healthy', 5000);
    await until(async () => (await observe(byNodeRedis)).status === 'healthy', 5000);
  });
});

describe('redisCheck configuration', () => {
  it('needs exactly one of client and url', () => {
    expect(() => redisCheck({})).toThrow(/either `client` or `url`/);
  });

  it('refuses a password both in the URL and in `password`', () => {
    expect(() => redisCheck({ url: 'redis://:one@cache', password: 'two' })).toThrow(/keep one/);
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUp) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
