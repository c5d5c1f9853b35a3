import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHealth, customCheck, type Health, type Status } from '../../src/index.js';

export interface StartedApp {
  /** Origin plus mount prefix, no trailing slash: health paths live at `${url}/health` etc. */
  url: string;
  close(): Promise<void>;
}

export interface AdapterTestOptions {
  /**
   * Status for `POST /health`. Adapters that hand every method to `health.handle` get its 405; routers that only
   * register GET/HEAD routes (Fastify) answer 404 themselves.
   */
  otherMethodStatus?: 404 | 405;
}

/** The body every app under test serves at `GET ${url}/app`, to prove the adapter leaves other routes alone. */
export const APP_BODY = 'app route';
export const TOKEN = 'secret-token';
const DB_ERROR = 'connection refused by db-host';

/** Mutable check results, so one server per framework covers healthy, degraded and unhealthy. */
export interface CheckState {
  dbUp: boolean;
  cache: Status;
}

/** Critical `db` (switchable) and `queue` (always up), non-critical `cache`; nothing cached between requests. */
export function createTestHealth(state: CheckState): Health {
  return createHealth({
    service: { name: 'api', version: '1.2.3' },
    token: TOKEN,
    checks: [
      customCheck(
        'db',
        () => {
          if (!state.dbUp) throw new Error(DB_ERROR);
        },
        { cacheTtlMs: 0 },
      ),
      customCheck('queue', () => true, { cacheTtlMs: 0 }),
      customCheck('cache', () => ({ status: state.cache }), { cacheTtlMs: 0, critical: false }),
    ],
  });
}

/** Listens on 127.0.0.1 with an ephemeral port and returns the origin plus a close that ends keep-alive sockets. */
export async function listen(server: Server, prefix = ''): Promise<StartedApp> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return { url: `${origin(server)}${prefix}`, close: () => closeServer(server) };
}

export function origin(server: Server): string {
  const { port } = server.address() as AddressInfo;
  return `http://127.0.0.1:${port}`;
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeAllConnections();
  });
}

const auth = { authorization: `Bearer ${TOKEN}` };

/** The common contract every framework adapter must meet, run against a real server started by `start`. */
export function describeHealthAdapter(
  name: string,
  start: (health: Health) => Promise<StartedApp>,
  options: AdapterTestOptions = {},
): void {
  describe(name, () => {
    const state: CheckState = { dbUp: true, cache: 'healthy' };
    let app: StartedApp;
    const get = (path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, init);

    beforeAll(async () => {
      app = await start(createTestHealth(state));
    });
    afterAll(async () => {
      await app?.close();
    });
    beforeEach(() => {
      state.dbUp = true;
      state.cache = 'healthy';
    });

    it('serves /health as JSON in the seed shape', async () => {
      const res = await get('/health');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as Record<string, unknown>;
      expect(body).toEqual({
        status: 'healthy',
        timestamp: expect.any(String),
        version: { api: '1.2.3' },
        response_time_ms: expect.any(Number),
        checks: {
          db: { status: 'healthy', response_time_ms: expect.any(Number) },
          queue: { status: 'healthy', response_time_ms: expect.any(Number) },
          cache: { status: 'healthy', response_time_ms: expect.any(Number) },
        },
      });
      expect(new Date(body.timestamp as string).toISOString()).toBe(body.timestamp);
    });

    it('answers 503 when a critical check fails, withholding the error from anonymous callers', async () => {
      state.dbUp = false;
      const res = await get('/health');
      expect(res.status).toBe(503);
      const text = await res.text();
      const body = JSON.parse(text) as { status: string; checks: Record<string, { status: string }> };
      expect(body.status).toBe('unhealthy');
      expect(body.checks.db).toEqual({ status: 'unhealthy', response_time_ms: expect.any(Number) });
      expect(text).not.toContain(DB_ERROR);
    });

    it('shows error details only with the bearer token', async () => {
      state.dbUp = false;
      const authorized = (await (await get('/health', { headers: auth })).json()) as {
        checks: Record<string, { error?: string }>;
      };
      expect(authorized.checks.db?.error).toBe(DB_ERROR);
      const wrongToken = await (await get('/health', { headers: { authorization: 'Bearer nope-nope-no' } })).text();
      expect(wrongToken).not.toContain(DB_ERROR);

      const readyz = await (await get('/readyz?verbose', { headers: auth })).text();
      expect(readyz).toContain(`[-]db failed: ${DB_ERROR}\n`);
    });

    it('negotiates application/health+json with pass, warn and fail', async () => {
      const accept = { accept: 'application/health+json' };
      const statusOf = async (expected: number) => {
        const res = await get('/health', { headers: accept });
        expect(res.status).toBe(expected);
        expect(res.headers.get('content-type')).toBe('application/health+json');
        return ((await res.json()) as { status: string }).status;
      };
      expect(await statusOf(200)).toBe('pass');
      state.cache = 'degraded';
      expect(await statusOf(200)).toBe('warn');
      state.dbUp = false;
      expect(await statusOf(503)).toBe('fail');
    });

    it('serves /livez as plain text even while a dependency is down', async () => {
      state.dbUp = false;
      const res = await get('/livez');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.text()).toBe('ok\n');
    });

    it('serves /readyz with verbose lines and one check per /readyz/<name>', async () => {
      const ok = await get('/readyz');
      expect([ok.status, await ok.text()]).toEqual([200, 'ok\n']);
      expect(ok.headers.get('cache-control')).toBe('no-store');

      state.dbUp = false;
      const res = await get('/readyz?verbose');
      expect(res.status).toBe(503);
      const text = await res.text();
      expect(text).toContain('[+]queue ok\n');
      expect(text).toContain('[-]db failed: reason withheld\n');
      expect(text).toContain('readyz check failed\n');
      expect(text).not.toContain('cache');

      const one = await get('/readyz/db');
      expect([one.status, await one.text()]).toEqual([503, '[-]db failed\ndb check failed\n']);
      const queue = await get('/readyz/queue');
      expect([queue.status, await queue.text()]).toEqual([200, 'ok\n']);
      expect((await get('/readyz/nope')).status).toBe(404);
    });

    it('serves /metrics as Prometheus text, or OpenMetrics when asked, from the checks last run', async () => {
      state.dbUp = false;
      await (await get('/health')).arrayBuffer(); // runs the checks; the scrape reads what this run found
      const res = await get('/metrics');
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const text = await res.text();
      expect(text).toContain('vigil_check_up{check="db"} 0\n');
      expect(text).toContain('vigil_check_status{check="db",status="unhealthy"} 1\n');
      expect(text).toContain('vigil_check_up{check="queue"} 1\n');
      expect(text).toMatch(/^vigil_info\{version="[^"]+",service="api",service_version="1\.2\.3"\} 1$/m);
      expect(text).toContain('# TYPE process_cpu_seconds_total counter\n');
      expect(text).not.toContain(DB_ERROR);

      const om = await get('/metrics', { headers: { accept: 'application/openmetrics-text; version=1.0.0' } });
      expect(om.status).toBe(200);
      expect(om.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      const body = await om.text();
      expect(body).toContain('# TYPE process_cpu_seconds counter\n');
      expect(body.endsWith('\n# EOF\n')).toBe(true);
    });

    it('answers HEAD with the GET status and headers and no body', async () => {
      state.dbUp = false;
      for (const [path, status] of [
        ['/health', 503],
        ['/livez', 200],
        ['/readyz', 503],
        ['/readyz/queue', 200],
        ['/metrics', 200],
      ] as const) {
        const res = await get(path, { method: 'HEAD' });
        expect(res.status, path).toBe(status);
        expect(res.headers.get('cache-control'), path).toBe('no-store');
        expect(res.headers.get('content-type'), path).toBeTruthy();
        expect(await res.text(), path).toBe('');
      }
    });

    it('leaves the app routes alone', async () => {
      const res = await get('/app');
      expect([res.status, await res.text()]).toEqual([200, APP_BODY]);
      expect(res.headers.get('cache-control')).not.toBe('no-store');
      expect((await get('/not-a-health-path')).status).toBe(404);
      expect((await get('/healthz')).status).toBe(404);
    });

    it(`answers other methods on a health path with ${options.otherMethodStatus ?? 405}`, async () => {
      const res = await get('/health', { method: 'POST' });
      const expected = options.otherMethodStatus ?? 405;
      expect(res.status).toBe(expected);
      if (expected === 405) expect(res.headers.get('allow')).toBe('GET, HEAD');
    });
  });
}
