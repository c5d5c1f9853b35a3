import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangingTcpServer } from '../../../core/test/support/net.js';
import { type RunningServer, startHttpServer } from '../../../core/test/support/tls.js';
import { check, monitor } from './support.js';

let server: RunningServer & { url: string };

const ANSWERS: Record<string, { status: number; type: string; body: string }> = {
  '/healthy': {
    status: 200,
    type: 'application/json',
    body: JSON.stringify({ status: 'healthy', checks: { database: { status: 'healthy' }, cache: { status: 'healthy' } } }),
  },
  '/degraded': {
    status: 200,
    type: 'application/json',
    body: JSON.stringify({
      status: 'degraded',
      checks: { database: { status: 'healthy' }, disk: { status: 'degraded' } },
    }),
  },
  '/down': {
    status: 503,
    type: 'application/json',
    body: JSON.stringify({
      status: 'unhealthy',
      checks: { database: { status: 'unhealthy' }, cache: { status: 'healthy' } },
    }),
  },
  '/spring': {
    status: 200,
    type: 'application/vnd.spring-boot.actuator.v3+json',
    body: JSON.stringify({ status: 'UP', components: { db: { status: 'UP' }, ping: { status: 'UP' } } }),
  },
  '/readyz': { status: 200, type: 'text/plain', body: '[+]ping ok\n[+]etcd ok\nreadyz check passed\n' },
  '/invalid': { status: 200, type: 'application/json', body: '{"status": "healthy", "checks": {' },
};

beforeAll(async () => {
  server = await startHttpServer((req: http.IncomingMessage, res: http.ServerResponse) => {
    const answer = ANSWERS[new URL(req.url ?? '/', 'http://x').pathname];
    if (!answer) {
      res.writeHead(404);
      res.end();
      return;
    }
    res.writeHead(answer.status, { 'content-type': answer.type });
    res.end(answer.body);
  });
});

afterAll(async () => {
  await server.close();
});

describe('health monitor', () => {
  it('records each component of a healthy @vigil/health answer', async () => {
    const outcome = await check(monitor('health', { url: `${server.url}/healthy` }));
    expect(outcome).toMatchObject({
      status: 'healthy',
      statusCode: 200,
      components: { database: 'healthy', cache: 'healthy' },
    });
    expect(outcome.error).toBeUndefined();
  });

  it('is degraded when a component is, and names it', async () => {
    const outcome = await check(monitor('health', { url: `${server.url}/degraded` }));
    expect(outcome).toMatchObject({ status: 'degraded', components: { database: 'healthy', disk: 'degraded' } });
    expect(outcome.error).toBe('degraded: disk');
  });

  it('reads a 503 answer: unhealthy, the failing component named, every component recorded', async () => {
    const outcome = await check(monitor('health', { url: `${server.url}/down` }));
    expect(outcome).toMatchObject({
      status: 'unhealthy',
      statusCode: 503,
      components: { database: 'unhealthy', cache: 'healthy' },
    });
    expect(outcome.error).toBe('unhealthy: database (status 503)');
  });

  it('understands Spring Boot and Kubernetes answers (format auto), and a format set explicitly', async () => {
    const spring = await check(monitor('health', { url: `${server.url}/spring` }));
    expect(spring).toMatchObject({ status: 'healthy', components: { db: 'healthy', ping: 'healthy' } });
    const kube = await check(monitor('health', { url: `${server.url}/readyz`, format: 'kubernetes' }));
    expect(kube).toMatchObject({ status: 'healthy', components: { ping: 'healthy', etcd: 'healthy' } });
  });

  it('is unhealthy when the answer is invalid JSON, and says so', async () => {
    const outcome = await check(monitor('health', { url: `${server.url}/invalid` }));
    expect(outcome).toMatchObject({ status: 'unhealthy', statusCode: 200, error: 'health endpoint answered invalid JSON' });
  });

  it('applies conditions to the answer', async () => {
    const outcome = await check(
      monitor('health', {
        url: `${server.url}/degraded`,
        conditions: ['[BODY].checks.database.status == healthy', '[BODY].checks.disk.status == healthy'],
      }),
    );
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.conditions?.map((c) => c.success)).toEqual([true, false]);
    expect(outcome.error).toBe('condition failed: [BODY].checks.disk.status (degraded) == healthy; degraded: disk');
  });

  it('times out on an endpoint that never answers', async () => {
    const hung = await hangingTcpServer();
    try {
      const outcome = await check(monitor('health', { url: `http://127.0.0.1:${hung.port}/health`, timeout: '300ms' }));
      expect(outcome).toMatchObject({
        status: 'unhealthy',
        error: `GET http://127.0.0.1:${hung.port}/health failed: timed out after 300 ms`,
      });
      expect(outcome.wallMs).toBeLessThan(1000);
    } finally {
      await hung.close();
    }
  });
});
