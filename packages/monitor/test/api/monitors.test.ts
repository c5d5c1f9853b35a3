/** /api/v1/monitors: listing and filters, get, create, replace, delete, pause, resume, read-only config monitors. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { httpDefinition, NOW, startApi, type TestApi } from './harness.js';

let api: TestApi;

beforeEach(async () => {
  api = await startApi();
});

afterEach(() => api.close());

const ids = (body: any) => body.monitors.map((m: any) => m.id);

describe('GET /api/v1/monitors', () => {
  it('lists every monitor for a token holder, with source and target', async () => {
    api.service.states.set('shop-api', { state: 'healthy', lastCheckAt: NOW - 5000, since: NOW - 60_000 });
    const response = await api.request('/api/v1/monitors', { token: api.token });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(ids(response.body)).toEqual(['shop-api', 'orders-db', 'nightly-backup']);
    expect(response.body.monitors[0]).toEqual({
      id: 'shop-api',
      name: 'Shop API',
      type: 'http',
      group: 'Shop',
      tags: ['web', 'prod'],
      description: 'The public shop',
      public: true,
      paused: false,
      state: 'healthy',
      state_since: new Date(NOW - 60_000).toISOString(),
      interval_ms: 60_000,
      last_check_at: new Date(NOW - 5000).toISOString(),
      heartbeat: null,
      locations: null,
      source: 'config',
      target: 'https://shop.example.com/health?api_key=***',
    });
    expect(response.body.monitors[1].target).toBe('postgres://db.internal:5432/orders');
    expect(response.body.monitors[2]).toMatchObject({
      interval_ms: null,
      target: 'heartbeat cron "0 3 * * *" (UTC), grace 1h',
    });
    // The list never carries definitions.
    expect(response.body.monitors[0]).not.toHaveProperty('definition');
  });

  it('filters by group, tag (all must match) and state (comma-separated or repeated)', async () => {
    api.service.states.set('shop-api', { state: 'unhealthy' });
    api.service.states.set('orders-db', { state: 'degraded' });
    const get = async (query: string) => ids((await api.request(`/api/v1/monitors?${query}`, { token: api.token })).body);
    expect(await get('group=Shop')).toEqual(['shop-api']);
    expect(await get('group=Shop&group=Jobs')).toEqual(['shop-api', 'nightly-backup']);
    expect(await get('tag=prod')).toEqual(['shop-api', 'orders-db']);
    expect(await get('tag=prod&tag=db')).toEqual(['orders-db']);
    expect(await get('state=unhealthy,degraded')).toEqual(['shop-api', 'orders-db']);
    // Never checked: new (not pending, which means failing with retries left).
    expect(await get('state=new')).toEqual(['nightly-backup']);
    expect(await get('state=pending')).toEqual([]);
    expect(await get('state=degraded&state=new')).toEqual(['orders-db', 'nightly-backup']);
    expect(await get('group=Nope')).toEqual([]);
  });

  it('refuses an unknown state with 400 naming the accepted ones', async () => {
    const response = await api.request('/api/v1/monitors?state=down', { token: api.token });
    expect(response.status).toBe(400);
    expect(response.body.error).toEqual({
      code: 'bad_request',
      message: 'unknown state "down": expected one of new, healthy, degraded, unhealthy, pending, maintenance, paused',
    });
  });

  it('forgives one trailing slash', async () => {
    const response = await api.request('/api/v1/monitors/', { token: api.token });
    expect(response.status).toBe(200);
    expect(ids(response.body)).toHaveLength(3);
  });
});

describe('GET /api/v1/monitors/:id', () => {
  it('returns the monitor with its definition, secrets redacted', async () => {
    const response = await api.request('/api/v1/monitors/orders-db', { token: api.token });
    expect(response.status).toBe(200);
    expect(response.body.definition).toMatchObject({
      type: 'postgres',
      id: 'orders-db',
      url: '***',
      name: 'Orders DB',
    });
    expect(response.text).not.toContain('s3cret-pg');
    const heartbeat = await api.request('/api/v1/monitors/nightly-backup', { token: api.token });
    expect(heartbeat.body.definition.ping_key).toBe('***');
    expect(heartbeat.text).not.toContain('abcdef1234567890');
    const shop = await api.request('/api/v1/monitors/shop-api', { token: api.token });
    expect(shop.body.definition.url).toBe('https://shop.example.com/health?api_key=***');
    expect(shop.text).not.toContain('shop-key-123');
  });

  it('answers 404 in JSON for an unknown id', async () => {
    const response = await api.request('/api/v1/monitors/nope', { token: api.token });
    expect(response.status).toBe(404);
    expect(response.body).toEqual({ error: { code: 'not_found', message: 'no monitor with id "nope"' } });
  });

  it('decodes percent-encoded ids and refuses malformed encoding with 400', async () => {
    expect((await api.request('/api/v1/monitors/shop%2Dapi', { token: api.token })).status).toBe(200);
    const malformed = await api.request('/api/v1/monitors/%E0%A4%A', { token: api.token });
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.message).toBe('malformed percent-encoding in the URL path');
  });
});

describe('POST /api/v1/monitors', () => {
  it('creates a monitor: 201, Location, the view; the service gets the definition with its id', async () => {
    const response = await api.request('/api/v1/monitors', {
      token: api.token,
      json: httpDefinition({ interval: '30s', tags: ['checkout'], public: true }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('location')).toBe('/api/v1/monitors/checkout');
    expect(response.body).toMatchObject({
      id: 'checkout',
      name: 'Checkout',
      source: 'api',
      interval_ms: 30_000,
      state: 'new',
      target: 'https://checkout.example.com/health',
      definition: { type: 'http', name: 'Checkout', id: 'checkout', interval: '30s' },
    });
    expect(api.service.calls).toEqual(['create checkout']);
    const stored = await api.store.listMonitors();
    expect(stored.map((m) => m.definition)).toEqual([
      { ...httpDefinition({ interval: '30s', tags: ['checkout'], public: true }), id: 'checkout' },
    ]);
    const listed = await api.request('/api/v1/monitors?tag=checkout');
    expect(ids(listed.body)).toEqual(['checkout']);
  });

  it('keeps an explicit id', async () => {
    const response = await api.request('/api/v1/monitors', {
      token: api.token,
      json: httpDefinition({ id: 'co-1' }),
    });
    expect(response.status).toBe(201);
    expect(response.body.id).toBe('co-1');
  });

  it('answers 422 with every problem, by field', async () => {
    const response = await api.request('/api/v1/monitors', {
      token: api.token,
      json: { type: 'http', name: '', url: 'ftp://x', interval: 'fast', colour: 'red' },
    });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe('invalid_monitor');
    const issues = response.body.error.issues as Array<{ path: string; message: string }>;
    expect(issues.map((issue) => issue.path).sort()).toEqual(['colour', 'interval', 'name', 'url']);
    expect(issues.find((i) => i.path === 'interval')?.message).toBe('expected a duration like "30s" or "5m", got "fast"');
    expect(response.body.error.message).toMatch(/^invalid monitor definition: /);
  });

  it('answers 422 for an unknown type, and for a body that is not an object', async () => {
    const unknown = await api.request('/api/v1/monitors', { token: api.token, json: { type: 'ping', name: 'x' } });
    expect(unknown.status).toBe(422);
    expect(unknown.body.error.issues[0]).toEqual({
      path: 'type',
      message: expect.stringMatching(/^unknown type "ping".*expected one of: http, health,/),
    });
    const list = await api.request('/api/v1/monitors', { token: api.token, json: [1, 2] });
    expect(list.status).toBe(422);
    expect(list.body.error).toMatchObject({ code: 'invalid_monitor', message: expect.stringMatching(/expected a JSON object/) });
  });

  it('refuses a timeout that is not below the interval (defaults included)', async () => {
    const explicit = await api.request('/api/v1/monitors', {
      token: api.token,
      json: httpDefinition({ interval: '5s', timeout: '5s' }),
    });
    expect(explicit.status).toBe(422);
    expect(explicit.body.error.issues).toEqual([{ path: 'timeout', message: 'must be shorter than the interval, 5s' }]);
    const fromDefaults = await api.request('/api/v1/monitors', {
      token: api.token,
      json: httpDefinition({ interval: '2s' }),
    });
    expect(fromDefaults.status).toBe(422);
    expect(fromDefaults.body.error.issues[0].path).toBe('interval');
  });

  it('answers 409 when the id or the name is taken', async () => {
    const id = await api.request('/api/v1/monitors', {
      token: api.token,
      json: httpDefinition({ name: 'Another', id: 'shop-api' }),
    });
    expect(id.status).toBe(409);
    expect(id.body.error.message).toBe(
      'a monitor with id "shop-api" already exists in a configuration file: choose another id',
    );
    const name = await api.request('/api/v1/monitors', {
      token: api.token,
      json: httpDefinition({ name: 'Shop API', id: 'shop-2' }),
    });
    expect(name.status).toBe(409);
    expect(name.body.error.message).toMatch(/^a monitor named "Shop API" already exists \(id "shop-api"\)/);
    expect(api.service.calls).toEqual([]);
  });

  it('passes on an HttpError from the service, and hides any other error behind a 500', async () => {
    const { HttpError } = await import('../../src/api/index.js');
    api.service.failNext = new HttpError(409, 'conflict', 'ping_key is already used by monitor "x"');
    const refused = await api.request('/api/v1/monitors', { token: api.token, json: httpDefinition() });
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toBe('ping_key is already used by monitor "x"');

    api.service.failNext = new Error('disk I/O error at postgres://vigil:hunter2@db/vigil');
    const failed = await api.request('/api/v1/monitors', { token: api.token, json: httpDefinition() });
    expect(failed.status).toBe(500);
    expect(failed.body).toEqual({
      error: { code: 'internal_error', message: 'internal error: the server logged the details' },
    });
    expect(failed.text).not.toContain('hunter2');
    const logged = api.logs.find((line) => line.includes('POST /api/v1/monitors failed'));
    expect(logged).toContain('error="disk I/O error at postgres://vigil:***@db/vigil"');
    expect(api.logs.join('\n')).not.toContain('hunter2');
  });
});

describe('PUT /api/v1/monitors/:id', () => {
  it('replaces the definition of an API monitor', async () => {
    await api.request('/api/v1/monitors', { token: api.token, json: httpDefinition() });
    const response = await api.request('/api/v1/monitors/checkout', {
      method: 'PUT',
      token: api.token,
      json: httpDefinition({ name: 'Checkout v2', url: 'https://checkout.example.com/v2/health', interval: '2m' }),
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ id: 'checkout', name: 'Checkout v2', interval_ms: 120_000 });
    expect(api.service.calls).toEqual(['create checkout', 'update checkout']);
    const stored = await api.store.listMonitors();
    expect(stored[0]?.definition).toMatchObject({ id: 'checkout', name: 'Checkout v2', interval: '2m' });
  });

  it('refuses to change the id, and 404s an unknown monitor', async () => {
    await api.request('/api/v1/monitors', { token: api.token, json: httpDefinition() });
    const renamed = await api.request('/api/v1/monitors/checkout', {
      method: 'PUT',
      token: api.token,
      json: httpDefinition({ id: 'other' }),
    });
    expect(renamed.status).toBe(422);
    expect(renamed.body.error.issues[0].path).toBe('id');
    const missing = await api.request('/api/v1/monitors/nope', { method: 'PUT', token: api.token, json: httpDefinition() });
    expect(missing.status).toBe(404);
  });
});

describe('monitors from configuration files are read-only', () => {
  it.each([
    ['PUT', httpDefinition({ name: 'Shop API' })],
    ['DELETE', undefined],
  ])('%s answers 409 saying to edit the file', async (method, json) => {
    const response = await api.request('/api/v1/monitors/shop-api', {
      method,
      token: api.token,
      ...(json ? { json } : {}),
    });
    expect(response.status).toBe(409);
    expect(response.body.error).toEqual({
      code: 'read_only',
      message:
        'monitor "shop-api" is defined in a configuration file and is read-only through the API: edit the file and reload (SIGHUP) to change or remove it',
    });
    expect(api.service.calls).toEqual([]);
  });
});

describe('DELETE /api/v1/monitors/:id', () => {
  it('deletes an API monitor: 204 without a body, then 404', async () => {
    await api.request('/api/v1/monitors', { token: api.token, json: httpDefinition() });
    const response = await api.request('/api/v1/monitors/checkout', { method: 'DELETE', token: api.token });
    expect(response.status).toBe(204);
    expect(response.text).toBe('');
    expect(api.service.calls).toEqual(['create checkout', 'remove checkout']);
    expect(await api.store.listMonitors()).toEqual([]);
    expect((await api.request('/api/v1/monitors/checkout', { token: api.token })).status).toBe(404);
  });
});

describe('pause and resume', () => {
  it('pause and resume any monitor, config ones included (a runtime state)', async () => {
    const paused = await api.request('/api/v1/monitors/orders-db/pause', { method: 'POST', token: api.token });
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ id: 'orders-db', paused: true, state: 'paused' });
    const listed = await api.request('/api/v1/monitors?state=paused', { token: api.token });
    expect(ids(listed.body)).toEqual(['orders-db']);
    const resumed = await api.request('/api/v1/monitors/orders-db/resume', { method: 'POST', token: api.token });
    expect(resumed.status).toBe(200);
    // Resumed and not checked since: no verdict yet.
    expect(resumed.body).toMatchObject({ paused: false, state: 'new' });
    expect(api.service.calls).toEqual(['pause orders-db', 'resume orders-db']);
  });

  it('404s an unknown monitor without calling the service', async () => {
    const response = await api.request('/api/v1/monitors/nope/pause', { method: 'POST', token: api.token });
    expect(response.status).toBe(404);
    expect(api.service.calls).toEqual([]);
  });
});

describe('routing', () => {
  it('answers 405 with Allow for a method the path does not take', async () => {
    const response = await api.request('/api/v1/monitors/shop-api/pause', { token: api.token });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('POST, OPTIONS');
    expect(response.body.error.code).toBe('method_not_allowed');
    const patch = await api.request('/api/v1/monitors', { method: 'PATCH', token: api.token, json: {} });
    expect(patch.status).toBe(405);
    expect(patch.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('answers 404 in JSON for an unknown path under /api/v1, pointing at the OpenAPI document', async () => {
    const response = await api.request('/api/v1/nothing');
    expect(response.status).toBe(404);
    expect(response.body.error).toEqual({
      code: 'not_found',
      message: 'no route for GET /api/v1/nothing: the routes are listed in /api/v1/openapi.json',
    });
  });

  it('calls next() for paths outside /api/v1', async () => {
    for (const path of ['/health', '/api/v10/monitors', '/api', '/']) {
      const response = await api.request(path);
      expect(response.status, path).toBe(200);
      expect(response.text, path).toBe('not the api');
    }
  });

  it('without next(), answers other paths with a JSON 404', async () => {
    const { createServer } = await import('node:http');
    const { createApiHandler } = await import('../../src/api/index.js');
    const handler = createApiHandler({
      store: api.store,
      monitors: api.service.monitors,
      control: api.service.control,
      statusIncidents: api.service.statusIncidents,
      feed: api.feed,
      corsOrigins: [],
    });
    const server = createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const response = await fetch(`http://127.0.0.1:${port}/elsewhere`);
      expect(response.status).toBe(404);
      expect(((await response.json()) as any).error.code).toBe('not_found');
      expect((await fetch(`http://127.0.0.1:${port}/api/v1/monitors`)).status).toBe(200);
    } finally {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('answers HEAD like GET without a body, and plain OPTIONS with Allow', async () => {
    const head = await api.request('/api/v1/monitors', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect(Number(head.headers.get('content-length'))).toBeGreaterThan(10);
    const options = await api.request('/api/v1/monitors/shop-api', { method: 'OPTIONS' });
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
  });
});
