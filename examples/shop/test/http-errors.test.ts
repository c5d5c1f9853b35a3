import { randomUUID } from 'node:crypto';
import { createHealth, postgresCheck } from '@vigil/health';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { valueOf } from '../../../packages/health/test/metrics-support.js';
import { ItemCache } from '../src/cache/item-cache.js';
import { buildApp } from '../src/http/app.js';
import { closeQueues, createQueues, type ShopQueues } from '../src/jobs/queues.js';
import { API_HEALTH_PATHS, ERROR_KINDS } from '../src/monitoring/api-health.js';
import { cleanUp, REDIS_URL, unusedPort } from './support.js';

const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const SCHEMA = `shop_test_${RUN}`;
const PREFIX = `shop-test-${RUN}`;

// The API in-process (Fastify's inject) with a database that refuses connections: every query fails.
describe('5xx answers', () => {
  let pool: pg.Pool;
  let redis: Redis;
  let queues: ShopQueues;
  const health = createHealth({ paths: API_HEALTH_PATHS, metrics: { errorKinds: [...ERROR_KINDS] } });
  let app: Awaited<ReturnType<typeof buildApp>>;

  beforeAll(async () => {
    const port = await unusedPort();
    pool = new pg.Pool({ connectionString: `postgres://postgres:pw-${RUN}@127.0.0.1:${port}/test` });
    health.addCheck(postgresCheck({ name: 'database', client: pool }));
    redis = new Redis(REDIS_URL, { maxRetriesPerRequest: 1 });
    queues = createQueues(redis, PREFIX);
    app = await buildApp({ pool, itemCache: new ItemCache(redis, `shop:${SCHEMA}`), queues, health });
  });

  afterAll(async () => {
    await app.close();
    await closeQueues(queues);
    redis.disconnect();
    await pool.end();
    await cleanUp(SCHEMA, PREFIX, ['default', 'short', 'long']);
  });

  it('answers 500 without internals, logs the reason sanitized, and counts it; health 503s are not counted', async () => {
    const logged = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const res = await app.inject({ method: 'GET', url: '/api/customers' });
      expect(res.statusCode).toBe(500);
      expect(res.json()).toEqual({
        statusCode: 500,
        error: 'Internal Server Error',
        message: 'internal error; the server log has the details',
      });
      expect(logged).toHaveBeenCalledWith(expect.stringMatching(/^GET \/api\/customers failed: .*ECONNREFUSED/));
      expect(logged.mock.calls.flat().join('\n')).not.toContain(`pw-${RUN}`);
    } finally {
      logged.mockRestore();
    }

    const report = await app.inject({ method: 'GET', url: '/api/health' });
    expect(report.statusCode).toBe(503);
    const scrape = await app.inject({ method: 'GET', url: '/api/metrics' });
    expect(valueOf(scrape.body, 'vigil_errors_total', { kind: 'http_5xx' })).toBe(1);
    expect(valueOf(scrape.body, 'vigil_errors_total', { kind: 'job_enqueue_failed' })).toBe(0);
  });
});
