import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { loadDriver, MissingDriverError } from '../src/drivers.js';
import { runProbe } from '../src/probe.js';
import { postgresCheck } from '../src/probes/postgres.js';
import { hangingTcpServer, unusedPort } from './support/net.js';
import { type PrivatePostgres, startPrivatePostgres } from './support/private-postgres.js';
import { POSTGRES_URL } from '../../../test/services.js';

const SHARED_URL = POSTGRES_URL;

/** What a user of the check sees: the probe under its deadline, errors sanitized. */
const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

describe('postgresCheck against the shared server', () => {
  let pool: pg.Pool;
  let client: pg.Client;

  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: SHARED_URL, max: 2 });
    client = new pg.Client({ connectionString: SHARED_URL });
    await client.connect();
  });
  afterAll(async () => {
    await Promise.all([pool?.end(), client?.end()]);
  });

  it('is healthy through a pool, reporting the SELECT 1 latency', async () => {
    const check = postgresCheck({ client: pool });
    expect(check).toMatchObject({ name: 'postgres', kind: 'postgres', componentType: 'datastore', critical: true });
    const result = await observe(check);
    expect(result.status).toBe('healthy');
    expect(result.error).toBeUndefined();
    expect(result.details).toMatchObject({ type: 'postgresql', latency_ms: expect.any(Number) });
    expect(result.measurements).toEqual([
      { measurement: 'responseTime', value: result.details?.latency_ms, unit: 'ms' },
    ]);
  });

  it('is healthy through a connected client', async () => {
    const result = await observe(postgresCheck({ client, name: 'primary-db' }));
    expect(result.status).toBe('healthy');
    expect(result.details?.type).toBe('postgresql');
  });

  it('is healthy through a connection string, and closes the connection it opened', async () => {
    const app = `vigil-test-${process.pid}-${Date.now()}`;
    const result = await observe(postgresCheck({ connectionString: `${SHARED_URL}?application_name=${app}` }));
    expect(result.status).toBe('healthy');
    expect(result.details).toMatchObject({ latency_ms: expect.any(Number), connect_ms: expect.any(Number) });
    // The backend goes away once the server has processed the Terminate message.
    await until(async () => (await backendsNamed(pool, app)) === 0, 2000);
  });

  it('is degraded when SELECT 1 is slower than degradedAboveMs, and says so', async () => {
    const result = await observe(postgresCheck({ client: pool, degradedAboveMs: 0 }));
    expect(result.status).toBe('degraded');
    expect(result.error).toMatch(/^responded in [\d.]+ ms \(degraded above 0 ms\)$/);
  });

  it('stays healthy under a generous threshold', async () => {
    const result = await observe(postgresCheck({ client: pool, degradedAboveMs: 10_000 }));
    expect(result.status).toBe('healthy');
  });
});

describe('postgresCheck when the server is unreachable', () => {
  it('is unhealthy at once with ECONNREFUSED when nothing listens (connection string)', async () => {
    const port = await unusedPort();
    const result = await observe(postgresCheck({ connectionString: `postgres://postgres@127.0.0.1:${port}/test` }));
    expect(result).toMatchObject({ status: 'unhealthy', timedOut: false });
    expect(result.error).toContain('ECONNREFUSED');
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('is unhealthy with ECONNREFUSED through a pool whose server is down', async () => {
    const port = await unusedPort();
    const pool = new pg.Pool({ host: '127.0.0.1', port, user: 'postgres', database: 'test' });
    try {
      const result = await observe(postgresCheck({ client: pool }));
      expect(result.status).toBe('unhealthy');
      expect(result.error).toContain('ECONNREFUSED');
    } finally {
      await pool.end();
    }
  });

  it('is unhealthy at its timeout when the server accepts but never answers', async () => {
    const server = await hangingTcpServer();
    try {
      const check = postgresCheck({
        connectionString: `postgres://postgres@127.0.0.1:${server.port}/test`,
        timeoutMs: 300,
      });
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
      const check = postgresCheck({
        connectionString: `postgres://postgres@127.0.0.1:${server.port}/test`,
        timeoutMs: 200,
      });
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

describe('postgresCheck with password authentication (private server)', () => {
  const PASSWORD = 'C0rrect-Horse_Battery';
  let server: PrivatePostgres;

  beforeAll(async () => {
    server = await startPrivatePostgres(PASSWORD);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('is healthy with the right password in the URL', async () => {
    expect((await observe(postgresCheck({ connectionString: server.url(PASSWORD) }))).status).toBe('healthy');
  });

  it('is healthy with the password given separately from the URL', async () => {
    const check = postgresCheck({
      connectionString: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
      password: PASSWORD,
    });
    expect((await observe(check)).status).toBe('healthy');
  });

  it('is unhealthy with a wrong password, and the error never shows it', async () => {
    const wrong = 'S3cretPassw0rd';
    const result = await observe(postgresCheck({ connectionString: server.url(wrong) }));
    expect(result.status).toBe('unhealthy');
    expect(result.error).toContain('password authentication failed');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });

  it('is unhealthy with a wrong separate password, which never shows either', async () => {
    const wrong = 'An0ther-Wrong-One';
    const check = postgresCheck({
      connectionString: `postgres://postgres@127.0.0.1:${server.port}/postgres`,
      password: wrong,
    });
    const result = await observe(check);
    expect(result.status).toBe('unhealthy');
    expect(result.error).toContain('password authentication failed');
    expect(JSON.stringify(result)).not.toContain(wrong);
  });
});

describe('postgresCheck configuration', () => {
  it('needs exactly one of client and connectionString', () => {
    expect(() => postgresCheck({})).toThrow(/either `client` or `connectionString`/);
    expect(() => postgresCheck({ client: { query: async () => ({}) }, connectionString: SHARED_URL })).toThrow(
      /either `client` or `connectionString`/,
    );
  });

  it('refuses a password both in the URL and in `password`', () => {
    expect(() => postgresCheck({ connectionString: 'postgres://u:one@db/app', password: 'two' })).toThrow(/keep one/);
  });

  it('redacts the URL password from any message it reports', () => {
    const check = postgresCheck({ connectionString: 'postgres://app:Hunter2Hunter2@db.internal/app' });
    expect(check.sanitize('could not reach Hunter2Hunter2')).toBe('could not reach ***');
  });
});

describe('loadDriver', () => {
  it('names the package to install when a driver is missing', async () => {
    const specifier = 'vigil-no-such-driver';
    const load = loadDriver(() => import(/* @vite-ignore */ specifier), specifier, 'postgres');
    await expect(load).rejects.toBeInstanceOf(MissingDriverError);
    await expect(load).rejects.toThrow('install vigil-no-such-driver to use the postgres check');
  });
});

/** Sessions on the shared server with this application_name. */
async function backendsNamed(pool: pg.Pool, app: string): Promise<number> {
  const { rows } = await pool.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
    [app],
  );
  return rows[0]!.n;
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUp) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}
