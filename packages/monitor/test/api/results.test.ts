/** Results (and the seeds' /signals), uptime windows and incidents, with visibility rules and limits. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/model.js';
import { NOW, startApi, type TestApi } from './harness.js';
import { seedIncident } from '../store/seed.js';

let api: TestApi;

beforeEach(async () => {
  api = await startApi();
});

afterEach(() => api.close());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

function result(monitorId: string, at: number, overrides: Partial<CheckResult> = {}): CheckResult {
  return { monitorId, at, status: 'healthy', latencyMs: 100, location: 'local', ...overrides };
}

describe('GET /api/v1/monitors/:id/results', () => {
  it('returns the latest results, newest first, 60 by default', async () => {
    await api.store.appendResults(Array.from({ length: 100 }, (_, i) => result('shop-api', NOW - (100 - i) * MINUTE)));
    const response = await api.request('/api/v1/monitors/shop-api/results');
    expect(response.status).toBe(200);
    expect(response.body.monitor).toBe('shop-api');
    expect(response.body.results).toHaveLength(60);
    expect(response.body.results[0].at).toBe(new Date(NOW - MINUTE).toISOString());
    const limited = await api.request('/api/v1/monitors/shop-api/results?limit=3');
    expect(limited.body.results.map((r: any) => r.at)).toEqual(
      [1, 2, 3].map((n) => new Date(NOW - n * MINUTE).toISOString()),
    );
    expect((await api.request('/api/v1/monitors/shop-api/results?limit=1000')).body.results).toHaveLength(100);
  });

  it('maps every field of a result', async () => {
    await api.store.appendResults([
      result('shop-api', NOW - MINUTE, {
        status: 'degraded',
        latencyMs: 812,
        statusCode: 200,
        timings: { dns: 1, connect: 2, tls: 3, firstByte: 800, transfer: 6 },
        components: { database: 'healthy', cache: 'degraded' },
        conditions: [{ condition: '[STATUS] == 200', success: true, output: '[STATUS] (200) == 200' }],
        certificateExpiresAt: NOW + 30 * DAY,
      }),
      result('shop-api', NOW - 2 * MINUTE, { status: 'unhealthy', latencyMs: 10_000, error: 'timed out after 10s', excused: 'pending' }),
      result('nightly-backup', NOW - 3 * MINUTE, { status: 'unhealthy', latencyMs: 0, error: 'no ping since …', kind: 'missed' }),
    ]);
    const response = await api.request('/api/v1/monitors/shop-api/results');
    expect(response.body.results).toEqual([
      {
        at: new Date(NOW - MINUTE).toISOString(),
        status: 'degraded',
        latency_ms: 812,
        status_code: 200,
        timings: { dns_ms: 1, connect_ms: 2, tls_ms: 3, first_byte_ms: 800, transfer_ms: 6 },
        error: null,
        components: { database: 'healthy', cache: 'degraded' },
        conditions: [{ condition: '[STATUS] == 200', success: true, output: '[STATUS] (200) == 200' }],
        certificate_expires_at: new Date(NOW + 30 * DAY).toISOString(),
        location: 'local',
        kind: null,
        excused: null,
      },
      {
        at: new Date(NOW - 2 * MINUTE).toISOString(),
        status: 'unhealthy',
        latency_ms: 10_000,
        status_code: null,
        timings: null,
        error: 'timed out after 10s',
        components: null,
        conditions: null,
        certificate_expires_at: null,
        location: 'local',
        kind: null,
        excused: 'pending',
      },
    ]);
    const heartbeat = await api.request('/api/v1/monitors/nightly-backup/results');
    expect(heartbeat.body.results[0]).toMatchObject({ kind: 'missed', excused: null, status: 'unhealthy' });
  });

  it('is also /api/v1/signals?monitor=ID (the seeds’ name), which needs the monitor', async () => {
    await api.store.appendResults([result('shop-api', NOW - MINUTE), result('shop-api', NOW - 2 * MINUTE)]);
    const signals = await api.request('/api/v1/signals?monitor=shop-api&limit=1');
    expect(signals.status).toBe(200);
    expect(signals.body).toEqual((await api.request('/api/v1/monitors/shop-api/results?limit=1')).body);
    const missing = await api.request('/api/v1/signals');
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toBe('query parameter monitor is required: /api/v1/signals?monitor=ID');
    const twice = await api.request('/api/v1/signals?monitor=a&monitor=b');
    expect(twice.status).toBe(400);
  });

  it('shows results of a private monitor to token holders only', async () => {
    await api.store.appendResults([result('orders-db', NOW - MINUTE)]);
    expect((await api.request('/api/v1/monitors/orders-db/results')).status).toBe(404);
    const authed = await api.request('/api/v1/monitors/orders-db/results', { token: api.token });
    expect(authed.body.results).toHaveLength(1);
  });
});

describe('GET /api/v1/monitors/:id/uptime', () => {
  it('summarises 1h, 24h, 7d, 30d and 90d from the store', async () => {
    await api.store.appendResults([
      result('shop-api', NOW - 10 * MINUTE, { latencyMs: 100 }),
      result('shop-api', NOW - 20 * MINUTE, { latencyMs: 300, status: 'degraded' }),
      // Failed while retries were left (pending): a check, not downtime, and no latency.
      result('shop-api', NOW - 30 * MINUTE, { status: 'unhealthy', latencyMs: 9000, excused: 'pending' }),
      result('shop-api', NOW - 2 * HOUR, { status: 'unhealthy', latencyMs: 10_000 }),
      result('shop-api', NOW - 3 * DAY, { latencyMs: 200 }),
      result('shop-api', NOW - 60 * DAY, { status: 'unhealthy', latencyMs: 5000 }),
      result('shop-api', NOW - 100 * DAY, { latencyMs: 1 }),
      result('shop-api', NOW + MINUTE, { latencyMs: 1 }),
    ]);
    const response = await api.request('/api/v1/monitors/shop-api/uptime');
    expect(response.status).toBe(200);
    expect(Object.keys(response.body)).toEqual(['1h', '24h', '7d', '30d', '90d']);
    expect(response.body['1h']).toEqual({ uptime: 1, checks: 3, failures: 0, excused: 1, latency_avg_ms: 200, latency_p95_ms: 300 });
    expect(response.body['24h']).toMatchObject({ checks: 4, failures: 1, excused: 1 });
    expect(response.body['24h'].uptime).toBeCloseTo(3 / 4);
    expect(response.body['7d']).toMatchObject({ checks: 5, failures: 1, uptime: 0.8 });
    expect(response.body['30d']).toMatchObject({ checks: 5 });
    expect(response.body['90d']).toMatchObject({ checks: 6, failures: 2 });
    expect(response.body['90d'].uptime).toBeCloseTo(4 / 6);
  });

  it('gives null uptime and latency without checks', async () => {
    const response = await api.request('/api/v1/monitors/nightly-backup/uptime');
    expect(response.body['1h']).toEqual({ uptime: null, checks: 0, failures: 0, excused: 0, latency_avg_ms: null, latency_p95_ms: null });
  });

  it('uses the injected clock', async () => {
    await api.store.appendResults([result('shop-api', NOW - 10 * MINUTE)]);
    api.clock.now = NOW + 2 * HOUR;
    const response = await api.request('/api/v1/monitors/shop-api/uptime');
    expect(response.body['1h'].checks).toBe(0);
    expect(response.body['24h'].checks).toBe(1);
  });
});

describe('GET /api/v1/incidents', () => {
  beforeEach(async () => {
    await seedIncident(api.store, {
      monitorId: 'shop-api',
      status: 'unhealthy',
      startedAt: NOW - 3 * HOUR,
      endedAt: NOW - 2 * HOUR,
      cause: 'HTTP 503',
    });
    // Many incidents of a private monitor, newer than the public ones (each closed by the next).
    for (let i = 0; i < 30; i++) {
      const at = NOW - HOUR + i * MINUTE;
      await seedIncident(api.store, { monitorId: 'orders-db', status: i % 2 === 0 ? 'unhealthy' : 'degraded', startedAt: at, cause: 'connection refused' });
    }
    await seedIncident(api.store, { monitorId: 'nightly-backup', status: 'degraded', startedAt: NOW - 4 * HOUR });
  });

  it('anonymous callers get the incidents of public monitors only, even past a page of private ones', async () => {
    const response = await api.request('/api/v1/incidents?limit=5');
    expect(response.status).toBe(200);
    expect(response.body.incidents).toEqual([
      {
        id: 1,
        monitor: 'shop-api',
        status: 'unhealthy',
        started_at: new Date(NOW - 3 * HOUR).toISOString(),
        ended_at: new Date(NOW - 2 * HOUR).toISOString(),
        cause: 'HTTP 503',
        acknowledged_at: null,
        acknowledged_by: null,
      },
      {
        id: 32,
        monitor: 'nightly-backup',
        status: 'degraded',
        started_at: new Date(NOW - 4 * HOUR).toISOString(),
        ended_at: null,
        cause: null,
        acknowledged_at: null,
        acknowledged_by: null,
      },
    ]);
  });

  it('token holders get every incident, newest first, limited', async () => {
    const response = await api.request('/api/v1/incidents?limit=5', { token: api.token });
    expect(response.body.incidents).toHaveLength(5);
    expect(response.body.incidents.every((i: any) => i.monitor === 'orders-db')).toBe(true);
    const all = await api.request('/api/v1/incidents', { token: api.token });
    expect(all.body.incidents).toHaveLength(32);
  });

  it('filters by monitor (404 for one the caller may not see)', async () => {
    const shop = await api.request('/api/v1/incidents?monitor=shop-api');
    expect(shop.body.incidents.map((i: any) => i.id)).toEqual([1]);
    expect((await api.request('/api/v1/incidents?monitor=orders-db')).status).toBe(404);
    const authed = await api.request('/api/v1/incidents?monitor=orders-db&limit=2', { token: api.token });
    expect(authed.body.incidents).toHaveLength(2);
  });
});
