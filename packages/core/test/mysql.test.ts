import { setTimeout as sleep } from 'node:timers/promises';
import mysql from 'mysql2';
import mysqlPromise from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { mysqlCheck } from '../src/probes/mysql.js';
import { hangingTcpServer, unusedPort } from './support/net.js';
import { MYSQL_URL, withPassword } from '../../../test/services.js';

// The shared MariaDB: root with an empty password (VIGIL_TEST_MYSQL_URL).
const SHARED_URI = MYSQL_URL;

/** What a user of the check sees: the probe under its deadline, errors sanitized. */
const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

describe('mysqlCheck against the shared server', () => {
  let callbackPool: mysql.Pool;
  let promisePool: mysqlPromise.Pool;
  let promiseConnection: mysqlPromise.Connection;

  beforeAll(async () => {
    callbackPool = mysql.createPool({ uri: SHARED_URI, connectionLimit: 2 });
    promisePool = mysqlPromise.createPool({ uri: SHARED_URI, connectionLimit: 2 });
    promiseConnection = await mysqlPromise.createConnection({ uri: SHARED_URI });
  });
  afterAll(async () => {
    await Promise.all([
      new Promise<void>((resolve) => (callbackPool ? callbackPool.end(() => resolve()) : resolve())),
      promisePool?.end(),
      promiseConnection?.end(),
    ]);
  });

  it('is healthy through a callback-API pool, reporting the SELECT 1 latency', async () => {
    const check = mysqlCheck({ client: callbackPool });
    expect(check).toMatchObject({ name: 'mysql', kind: 'mysql', componentType: 'datastore', critical: true });
    const result = await observe(check);
    expect(result.status).toBe('healthy');
    expect(result.error).toBeUndefined();
    expect(result.details).toMatchObject({ type: 'mysql', latency_ms: expect.any(Number) });
    expect(result.measurements).toEqual([
      { measurement: 'responseTime', value: result.details?.latency_ms, unit: 'ms' },
    ]);
  });

  it('is healthy through a mysql2/promise pool', async () => {
    expect((await observe(mysqlCheck({ client: promisePool }))).status).toBe('healthy');
  });

  it('is healthy through a mysql2/promise connection', async () => {
    expect((await observe(mysqlCheck({ client: promiseConnection }))).status).toBe('healthy');
  });

  it('is healthy through a URI', async () => {
    const result = await observe(mysqlCheck({ uri: SHARED_URI, name: 'orders-db' }));
    expect(result.status).toBe('healthy');
    expect(result.details).toMatchObject({
      type: 'mysql',
      latency_ms: expect.any(Number),
      connect_ms: expect.any(Number),
    });
  });

  it('is degraded when SELECT 1 is slower than degradedAboveMs, and says so', async () => {
    const result = await observe(mysqlCheck({ client: promisePool, degradedAboveMs: 0 }));
    expect(result.status).toBe('degraded');
    expect(result.error).toMatch(/^responded in [\d.]+ ms \(degraded above 0 ms\)$/);
  });

  it('is unhealthy with a wrong password, and the error never shows it', async () => {
    const wrong = 'S3cretPassw0rd';
    const result = await observe(mysqlCheck({ uri: withPassword(SHARED_URI, wrong) }));
    expect(result.status).toBe('unhealthy');
    expect(result.error).toContain("Access denied for user 'root'");
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('is unhealthy with a wrong separate password, which never shows either', async () => {
    const wrong = 'An0ther-Wrong-One';
    const result = await observe(mysqlCheck({ uri: SHARED_URI, password: wrong }));
    expect(result.status).toBe('unhealthy');
    expect(result.error).toContain("Access denied for user 'root'");
    expect(JSON.stringify(result)).not.toContain(wrong);
  });
});

describe('mysqlCheck when the server is unreachable', () => {
  it('is unhealthy at once with ECONNREFUSED when nothing listens (URI)', async () => {
    const port = await unusedPort();
    const result = await observe(mysqlCheck({ uri: `mysql://root@127.0.0.1:${port}/test` }));
    expect(result).toMatchObject({ status: 'unhealthy', timedOut: false });
    expect(result.error).toContain('ECONNREFUSED');
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('is unhealthy with ECONNREFUSED through callback and promise pools whose server is down', async () => {
    const port = await unusedPort();
    const uri = `mysql://root@127.0.0.1:${port}/test`;
    const callbackPool = mysql.createPool({ uri });
    const promisePool = mysqlPromise.createPool({ uri });
    try {
      for (const client of [callbackPool, promisePool]) {
        const result = await observe(mysqlCheck({ client }));
        expect(result.status).toBe('unhealthy');
        expect(result.error).toContain('ECONNREFUSED');
      }
    } finally {
      await Promise.all([new Promise<void>((resolve) => callbackPool.end(() => resolve())), promisePool.end()]);
    }
  });

  it('is unhealthy at its timeout when the server accepts but never answers', async () => {
    const server = await hangingTcpServer();
    try {
      const check = mysqlCheck({ uri: `mysql://root@127.0.0.1:${server.port}/test`, timeoutMs: 300 });
      const result = await observe(check);
      expect(result).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 300 ms' });
      expect(result.durationMs).toBeGreaterThanOrEqual(290);
      expect(result.durationMs).toBeLessThan(1500);
    } finally {
      await server.close();
    }
  });

  it('closes its socket for good when the deadline passes', async () => {
    const server = await hangingTcpServer();
    try {
      const check = mysqlCheck({ uri: `mysql://root@127.0.0.1:${server.port}/test`, timeoutMs: 200 });
      // Sockets of earlier tests may still be closing; this test owns the only one afterwards.
      await until(() => server.clientSockets() === 0, 2000);
      expect((await observe(check)).timedOut).toBe(true);
      expect(server.accepted()).toBe(1);
      await until(() => server.clientSockets() === 0, 500);
    } finally {
      await server.close();
    }
  });
});

describe('mysqlCheck configuration', () => {
  it('needs exactly one of client and uri', () => {
    expect(() => mysqlCheck({})).toThrow(/either `client` or `uri`/);
    expect(() => mysqlCheck({ client: { query: async () => [] }, uri: SHARED_URI })).toThrow(
      /either `client` or `uri`/,
    );
  });

  it('refuses a password both in the URI and in `password`', () => {
    expect(() => mysqlCheck({ uri: 'mysql://u:one@db/app', password: 'two' })).toThrow(/keep one/);
  });

  it('redacts the separate password from any message it reports', () => {
    const check = mysqlCheck({ uri: 'mysql://app@db.internal/app', password: 'Hunter2Hunter2' });
    expect(check.sanitize('login failed with Hunter2Hunter2')).toBe('login failed with ***');
  });
});

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUp) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
