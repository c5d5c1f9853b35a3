import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangingTcpServer, unusedPort } from '../../core/test/support/net.js';
import { type PrivateRedis, startPrivateRedis } from '../../core/test/support/private-redis.js';
import { createHealth, mysqlCheck, postgresCheck, redisCheck } from '../src/index.js';
import { json, serve, sleep } from './support.js';
import { MYSQL_URL, REDIS_URL, withPassword } from '../../../test/services.js';

// The endpoint as a load balancer sees it, with real probes against broken dependencies.
describe('/health against broken dependencies', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startPrivateRedis();
  });
  afterAll(async () => {
    await redis.kill();
  });

  it('answers in time when a dependency accepts connections and never replies', async () => {
    const hung = await hangingTcpServer();
    const health = createHealth({
      showDetails: 'always',
      checks: [
        postgresCheck({
          name: 'database',
          connectionString: `postgres://postgres@127.0.0.1:${hung.port}/test`,
          timeoutMs: 500,
        }),
        redisCheck({ name: 'redis_cache', url: REDIS_URL }),
      ],
    });
    const server = await serve(health);
    try {
      const started = performance.now();
      const res = await fetch(`${server.url}/health`);
      const elapsed = performance.now() - started;
      expect(res.status).toBe(503);
      const body = await json(res);
      expect(body.checks.database).toMatchObject({ status: 'unhealthy', error: 'timed out after 500 ms' });
      expect(body.checks.redis_cache.status).toBe('healthy');
      expect(elapsed).toBeLessThan(3000);
      const ready = await fetch(`${server.url}/readyz?verbose`);
      expect(ready.status).toBe(503);
      expect(await ready.text()).toContain('[-]database failed: timed out after 500 ms');
    } finally {
      await server.close();
      await hung.close();
    }
  });

  it('reports a port nobody listens on as unhealthy, quickly', async () => {
    const port = await unusedPort();
    const health = createHealth({
      showDetails: 'always',
      checks: [mysqlCheck({ name: 'orders_db', uri: `mysql://root@127.0.0.1:${port}/test` })],
    });
    const server = await serve(health);
    try {
      const started = performance.now();
      const body = await json(await fetch(`${server.url}/health`));
      expect(performance.now() - started).toBeLessThan(1500);
      expect(body.status).toBe('unhealthy');
      expect(body.checks.orders_db.error).toContain('ECONNREFUSED');
    } finally {
      await server.close();
    }
  });

  it('a wrong password makes the endpoint unhealthy without revealing the password', async () => {
    const health = createHealth({
      showDetails: 'always',
      checks: [mysqlCheck({ name: 'db', uri: withPassword(MYSQL_URL, 'Wr0ngHunter2Pass') })],
    });
    const server = await serve(health);
    try {
      const res = await fetch(`${server.url}/health`, { headers: { accept: 'application/health+json' } });
      const text = await res.text();
      expect(res.status).toBe(503);
      expect(text).toContain('Access denied');
      expect(text).not.toContain('Wr0ngHunter2Pass');
    } finally {
      await server.close();
    }
  });

  it('turns unhealthy when its Redis is killed and healthy again once it is back', async () => {
    const health = createHealth({
      checks: [redisCheck({ name: 'redis_queue', url: redis.url, cacheTtlMs: 0, timeoutMs: 1000 })],
    });
    const server = await serve(health);
    try {
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
      await redis.kill();
      expect((await fetch(`${server.url}/readyz`)).status).toBe(503);
      expect((await json(await fetch(`${server.url}/health`))).checks.redis_queue.status).toBe('unhealthy');
      await redis.start();
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await fetch(`${server.url}/readyz`)).status;
        if (status !== 200) await sleep(100);
      }
      expect(status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
