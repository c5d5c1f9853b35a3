import { afterEach, describe, expect, it } from 'vitest';
import { type CheckOptions, createHealth, customCheck, type Health, type HealthOptions } from '../src/index.js';
import { json, serve, sleep } from './support.js';

const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: HealthOptions): Promise<{ url: string; health: Health }> {
  const health = createHealth(options);
  const server = await serve(health);
  servers.push(server);
  return { url: server.url, health };
}

const ok = (name: string, options: CheckOptions = {}) =>
  customCheck(
    name,
    () => ({
      status: 'healthy',
      details: { latency_ms: 1.5 },
      measurements: [{ measurement: 'responseTime', value: 1.5, unit: 'ms' }],
    }),
    options,
  );
const failing = (name: string, options: CheckOptions = {}) =>
  customCheck(
    name,
    () => {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (postgres://app:hunter22@db/app)');
    },
    options,
  );
const degraded = (name: string) => customCheck(name, () => ({ status: 'degraded', details: { free_percent: 9 } }));

describe('GET /health', () => {
  it('answers the seed shape with every check, 200 when healthy', async () => {
    const { url } = await start({
      checks: [ok('database'), ok('redis_cache')],
      service: { name: 'shop', version: '1.2.3' },
    });
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json(res);
    expect(body.status).toBe('healthy');
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    expect(body.version).toEqual({ shop: '1.2.3' });
    expect(typeof body.response_time_ms).toBe('number');
    expect(Object.keys(body.checks)).toEqual(['database', 'redis_cache']);
    expect(body.checks.database).toEqual({ status: 'healthy', response_time_ms: expect.any(Number) });
  });

  it('answers 503 when a critical check is unhealthy, and 200 degraded when only a non-critical one is', async () => {
    const { url } = await start({ checks: [ok('database'), failing('search', { critical: false })] });
    let res = await fetch(`${url}/health`);
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe('degraded');

    const second = await start({ checks: [ok('database'), failing('redis')] });
    res = await fetch(`${second.url}/health`);
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.status).toBe('unhealthy');
    expect(body.checks.redis.status).toBe('unhealthy');
  });

  it('maps degraded to a configurable HTTP status', async () => {
    const { url } = await start({ checks: [degraded('disk')], httpStatus: { degraded: 429 } });
    const res = await fetch(`${url}/health`);
    expect(res.status).toBe(429);
    expect((await json(res)).status).toBe('degraded');
  });

  it('hides error texts and details from anonymous callers by default, shows them with the bearer token', async () => {
    const { url } = await start({ checks: [ok('database'), failing('redis')], token: 'let-me-in-token' });
    const anonymous = await json(await fetch(`${url}/health`));
    expect(anonymous.checks.redis).toEqual({ status: 'unhealthy', response_time_ms: expect.any(Number) });
    expect(anonymous.checks.database.details).toBeUndefined();

    const wrong = await json(await fetch(`${url}/health`, { headers: { authorization: 'Bearer nope' } }));
    expect(wrong.checks.redis.error).toBeUndefined();

    const res = await fetch(`${url}/health`, { headers: { authorization: 'Bearer let-me-in-token' } });
    const authorized = await json(res);
    expect(authorized.checks.database.details).toEqual({ latency_ms: 1.5 });
    expect(authorized.checks.redis.error).toContain('ECONNREFUSED');
    // The credentials inside the driver's message never leave the process.
    expect(JSON.stringify(authorized)).not.toContain('hunter22');
  });

  it('follows the show-details policy: never, always, and an authorize callback', async () => {
    const never = await start({ checks: [failing('redis')], showDetails: 'never', token: 't0ken-value' });
    const n = await json(await fetch(`${never.url}/health`, { headers: { authorization: 'Bearer t0ken-value' } }));
    expect(n.checks.redis.error).toBeUndefined();

    const always = await start({ checks: [failing('redis')], showDetails: 'always' });
    expect((await json(await fetch(`${always.url}/health`))).checks.redis.error).toContain('ECONNREFUSED');

    const callback = await start({
      checks: [failing('redis')],
      authorize: (req) => req.headers['x-ops'] === 'yes',
    });
    const denied = await json(await fetch(`${callback.url}/health`));
    expect(denied.checks.redis.error).toBeUndefined();
    const allowed = await json(await fetch(`${callback.url}/health`, { headers: { 'x-ops': 'yes' } }));
    expect(allowed.checks.redis.error).toContain('ECONNREFUSED');
  });

  it('can hide the component list from anonymous callers', async () => {
    const { url } = await start({ checks: [ok('database')], showComponents: 'when-authorized', token: 'abc-token' });
    const anonymous = await json(await fetch(`${url}/health`));
    expect(anonymous.status).toBe('healthy');
    expect(anonymous.checks).toBeUndefined();
    const authorized = await json(await fetch(`${url}/health`, { headers: { authorization: 'Bearer abc-token' } }));
    expect(Object.keys(authorized.checks)).toEqual(['database']);
  });

  it('serves a configurable path and leaves other paths alone', async () => {
    const { url } = await start({ checks: [ok('database')], paths: { health: '/api/health' } });
    expect((await fetch(`${url}/api/health`)).status).toBe(200);
    expect((await fetch(`${url}/health`)).status).toBe(404);
  });

  it('answers HEAD with the status and no body, and refuses other methods', async () => {
    const { url } = await start({ checks: [failing('redis')] });
    const head = await fetch(`${url}/health`, { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(await head.text()).toBe('');
    const post = await fetch(`${url}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('application/health+json', () => {
  it('answers draft-inadarei-api-health-check-06 when asked', async () => {
    const { url } = await start({
      checks: [ok('postgres', { componentType: 'datastore', componentId: 'db-1' }), degraded('disk')],
      service: { name: 'shop-api', version: '1', releaseId: '1.2.3', description: 'the shop' },
      showDetails: 'always',
    });
    const res = await fetch(`${url}/health`, { headers: { accept: 'application/health+json' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/health+json');
    const body = await json(res);
    expect(body).toMatchObject({
      status: 'warn',
      version: '1',
      releaseId: '1.2.3',
      serviceId: 'shop-api',
      description: 'the shop',
    });
    expect(body.checks['postgres:responseTime']).toEqual([
      {
        componentId: 'db-1',
        componentType: 'datastore',
        observedValue: 1.5,
        observedUnit: 'ms',
        status: 'pass',
        time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      },
    ]);
    // A check with no measurements reports its response time.
    expect(body.checks['disk:responseTime'][0]).toMatchObject({ status: 'warn', observedUnit: 'ms' });
  });

  it('answers fail with 503, and plain JSON when application/json is preferred', async () => {
    const { url } = await start({ checks: [failing('redis')] });
    const res = await fetch(`${url}/health`, { headers: { accept: 'application/health+json' } });
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.status).toBe('fail');
    expect(body.checks['redis:responseTime'][0].output).toBeUndefined();
    const plain = await fetch(`${url}/health`, {
      headers: { accept: 'application/json, application/health+json;q=0.5' },
    });
    expect(plain.headers.get('content-type')).toMatch(/^application\/json/);
    expect((await json(plain)).status).toBe('unhealthy');
  });
});

describe('/livez and /readyz', () => {
  it('livez answers ok without running any check', async () => {
    let runs = 0;
    const counting = customCheck('db', () => {
      runs++;
      return false;
    });
    const { url } = await start({ checks: [counting] });
    const res = await fetch(`${url}/livez`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('ok\n');
    expect(await (await fetch(`${url}/livez?verbose`)).text()).toBe('[+]ping ok\nlivez check passed\n');
    expect(runs).toBe(0);
  });

  it('readyz runs critical checks only and lists them with ?verbose', async () => {
    const { url } = await start({ checks: [ok('database'), degraded('disk'), failing('search', { critical: false })] });
    const res = await fetch(`${url}/readyz?verbose`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('[+]database ok\n[+]disk ok\nreadyz check passed\n');
    expect(await (await fetch(`${url}/readyz`)).text()).toBe('ok\n');
  });

  it('readyz fails with the failing check named and the reason withheld from anonymous callers', async () => {
    const { url } = await start({ checks: [ok('database'), failing('redis')], token: 'tok-123' });
    const res = await fetch(`${url}/readyz?verbose`);
    expect(res.status).toBe(503);
    expect(await res.text()).toBe('[+]database ok\n[-]redis failed: reason withheld\nreadyz check failed\n');
    const authorized = await fetch(`${url}/readyz?verbose`, { headers: { authorization: 'Bearer tok-123' } });
    const text = await authorized.text();
    expect(text).toContain('[-]redis failed: connect ECONNREFUSED');
    expect(text).not.toContain('hunter22');
  });

  it('readyz?exclude= skips named checks (repeatable)', async () => {
    const { url } = await start({ checks: [ok('database'), failing('redis'), failing('queue')] });
    const res = await fetch(`${url}/readyz?verbose&exclude=redis&exclude=queue`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(
      '[+]database ok\n[+]redis excluded: ok\n[+]queue excluded: ok\nreadyz check passed\n',
    );
  });

  it('/readyz/<name> runs one check, 404 for an unknown name', async () => {
    const { url } = await start({ checks: [ok('database'), failing('redis')] });
    expect((await fetch(`${url}/readyz/database`)).status).toBe(200);
    const redis = await fetch(`${url}/readyz/redis`);
    expect(redis.status).toBe(503);
    expect(await redis.text()).toBe('[-]redis failed\nredis check failed\n');
    const missing = await fetch(`${url}/readyz/nope`);
    expect(missing.status).toBe(404);
    const head = await fetch(`${url}/readyz/redis`, { method: 'HEAD' });
    expect(head.status).toBe(503);
    expect(await head.text()).toBe('');
  });

  it('after beginShutdown, readiness and /health fail while liveness stays up', async () => {
    const { url, health } = await start({ checks: [ok('database')] });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    health.beginShutdown();
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect(await (await fetch(`${url}/readyz?verbose`)).text()).toContain('[-]shutdown failed');
    const body = await json(await fetch(`${url}/health`));
    expect(body.status).toBe('unhealthy');
    expect(body.checks.shutdown.status).toBe('unhealthy');
    expect((await fetch(`${url}/livez`)).status).toBe(200);
  });
});

describe('check cache and timeouts', () => {
  it('1,000 simultaneous requests run a slow check once', async () => {
    let runs = 0;
    const slow = customCheck('slow', async () => {
      runs++;
      await sleep(300);
      return true;
      // A long TTL: on a loaded machine 1,000 fetches can outlast the 1 s default, and a second run
      // after expiry is correct behaviour, not a stampede.
    }, { cacheTtlMs: 60_000 });
    const { url } = await start({ checks: [slow] });
    const responses = await Promise.all(
      Array.from({ length: 1000 }, () => fetch(`${url}/health`).then((r) => r.status)),
    );
    expect(responses.filter((s) => s === 200)).toHaveLength(1000);
    expect(runs).toBe(1);
  });

  it('reuses results, failures included, for the TTL and runs again after it', async () => {
    let now = 1_000_000;
    let runs = 0;
    const flaky = customCheck(
      'flaky',
      () => {
        runs++;
        return false;
      },
      { cacheTtlMs: 5000 },
    );
    const { url } = await start({ checks: [flaky], now: () => now });
    expect((await fetch(`${url}/health`)).status).toBe(503);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    expect(runs).toBe(1);
    now += 4999;
    await fetch(`${url}/health`);
    expect(runs).toBe(1);
    now += 2;
    await fetch(`${url}/health`);
    expect(runs).toBe(2);
  });

  it('a check that never returns is cut off at its timeout and the endpoint still answers in time', async () => {
    const hung = customCheck('hung', () => new Promise<never>(() => {}), { timeoutMs: 200 });
    const { url } = await start({ checks: [hung, ok('database')], showDetails: 'always' });
    const started = performance.now();
    const res = await fetch(`${url}/health`);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(503);
    const body = await json(res);
    expect(body.checks.hung).toMatchObject({ status: 'unhealthy', error: 'timed out after 200 ms' });
    expect(body.checks.database.status).toBe('healthy');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(2000);
  });

  it('answers 404, not 500, for a malformed check name in /readyz/<name>', async () => {
    const { url } = await start({ checks: [ok('database')] });
    expect((await fetch(`${url}/readyz/%E0`)).status).toBe(404);
  });

  it('rejects a path that could never match', () => {
    expect(() => createHealth({ paths: { health: 'health' } })).toThrow(/paths.health must start with "\/"/);
    expect(createHealth({ paths: { livez: false, readyz: '/ready/' } }).paths).toEqual({
      health: '/health',
      livez: false,
      readyz: '/ready',
      metrics: '/metrics',
    });
  });

  it('rejects duplicate check names', () => {
    expect(() => createHealth({ checks: [ok('db'), ok('db')] })).toThrow(/already exists/);
  });
});
