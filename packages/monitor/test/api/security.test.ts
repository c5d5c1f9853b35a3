/**
 * Security of the API: what anonymous callers see and may do, tokens (valid, invalid, revoked), CORS per
 * origin, request bodies (size, media type, encoding), secrets never in responses, errors always JSON.
 */
import { request as httpRequest } from 'node:http';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApiRouter } from '../../src/api/index.js';
import { createApiToken, scopeIncludes } from '../../src/api/tokens.js';
import { TOKEN_SCOPES } from '../../src/store/store.js';
import { httpDefinition, NOW, startApi, type TestApi } from './harness.js';
import { seedIncident } from '../store/seed.js';

let api: TestApi;

afterEach(() => api.close());

const ids = (body: any) => body.monitors.map((m: any) => m.id);

/** A raw request, for bodies fetch cannot send (chunked without a length, exact headers). */
function raw(
  url: string,
  options: { method: string; path: string; headers: Record<string, string>; chunks: Buffer[] },
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${url}${options.path}`, { method: options.method, headers: options.headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
    });
    req.on('error', reject);
    const write = (index: number) => {
      if (index >= options.chunks.length) return req.end();
      if (req.destroyed) return;
      req.write(options.chunks[index], () => setImmediate(() => write(index + 1)));
    };
    write(0);
  });
}

describe('anonymous callers', () => {
  beforeEach(async () => {
    api = await startApi();
  });

  it('see public monitors only, without source, target or definition', async () => {
    const response = await api.request('/api/v1/monitors');
    expect(response.status).toBe(200);
    expect(ids(response.body)).toEqual(['shop-api', 'nightly-backup']);
    for (const monitor of response.body.monitors) {
      expect(Object.keys(monitor)).not.toContain('target');
      expect(Object.keys(monitor)).not.toContain('source');
    }
    const one = await api.request('/api/v1/monitors/shop-api');
    expect(one.status).toBe(200);
    expect(one.body).not.toHaveProperty('definition');
    expect(one.text).not.toContain('shop.example.com');
  });

  it('get the same 404 for a private monitor as for one that does not exist, on every route', async () => {
    for (const suffix of ['', '/results', '/uptime']) {
      const hidden = await api.request(`/api/v1/monitors/orders-db${suffix}`);
      const missing = await api.request(`/api/v1/monitors/no-such${suffix}`);
      expect(hidden.status, suffix).toBe(404);
      expect(hidden.body.error.message).toBe('no monitor with id "orders-db"');
      expect(missing.body.error.message).toBe('no monitor with id "no-such"');
    }
    expect((await api.request('/api/v1/signals?monitor=orders-db')).status).toBe(404);
    expect((await api.request('/api/v1/incidents?monitor=orders-db')).status).toBe(404);
    // With a token the same monitor is there.
    expect((await api.request('/api/v1/monitors/orders-db', { token: api.token })).status).toBe(200);
  });

  it.each([
    ['POST', '/api/v1/monitors', httpDefinition()],
    ['PUT', '/api/v1/monitors/shop-api', httpDefinition()],
    ['PUT', '/api/v1/monitors/orders-db', httpDefinition()],
    ['DELETE', '/api/v1/monitors/orders-db', undefined],
    ['DELETE', '/api/v1/monitors/no-such', undefined],
    ['POST', '/api/v1/monitors/shop-api/pause', undefined],
    ['POST', '/api/v1/monitors/orders-db/resume', undefined],
  ])('cannot write: %s %s is 401 (whether the monitor exists or not)', async (method, path, json) => {
    const response = await api.request(path, { method, ...(json ? { json } : {}) });
    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="vigil"');
    expect(response.body.error).toEqual({
      code: 'unauthorized',
      message:
        'this request needs an API token: send Authorization: Bearer <token> (create one with `vigil token create --name NAME --scope read|write|admin`)',
    });
    expect(api.service.calls).toEqual([]);
  });

  it('are anonymous when Authorization uses another scheme (a reverse proxy login)', async () => {
    const basic = { Authorization: `Basic ${Buffer.from('admin:pw').toString('base64')}` };
    expect(ids((await api.request('/api/v1/monitors', { headers: basic })).body)).toEqual(['shop-api', 'nightly-backup']);
    expect((await api.request('/api/v1/monitors/shop-api/pause', { method: 'POST', headers: basic })).status).toBe(401);
  });
});

describe('tokens', () => {
  beforeEach(async () => {
    api = await startApi();
  });

  it('a valid token sees everything and may write', async () => {
    expect(ids((await api.request('/api/v1/monitors', { token: api.token })).body)).toHaveLength(3);
    const paused = await api.request('/api/v1/monitors/orders-db/pause', { method: 'POST', token: api.token });
    expect(paused.status).toBe(200);
  });

  it('records use at most once a minute per token', async () => {
    const touch = vi.spyOn(api.store, 'touchToken');
    const lastUsed = async () => (await api.store.listTokens()).filter((t) => t.name === 'test').map((t) => t.lastUsedAt);
    await api.request('/api/v1/monitors', { token: api.token });
    await api.request('/api/v1/monitors', { token: api.token });
    api.clock.now = NOW + 30_000;
    await api.request('/api/v1/monitors', { token: api.token });
    expect(touch.mock.calls.map(([, at]) => at)).toEqual([NOW]);
    expect(await lastUsed()).toEqual([NOW]);
    api.clock.now = NOW + 61_000;
    await api.request('/api/v1/monitors', { token: api.token });
    expect(touch.mock.calls.map(([, at]) => at)).toEqual([NOW, NOW + 61_000]);
    expect(await lastUsed()).toEqual([NOW + 61_000]);
  });

  it('invalid, malformed and revoked tokens are all refused with the same 401, reads included', async () => {
    const { token: second, stored } = await createApiToken(api.store, 'second');
    expect((await api.request('/api/v1/monitors', { token: second })).status).toBe(200);
    await api.store.deleteToken(stored.id);

    const answers = [];
    for (const headers of [
      { Authorization: `Bearer ${second}` },
      { Authorization: `Bearer vgl_${'A'.repeat(43)}` },
      { Authorization: 'Bearer not-a-token' },
      { Authorization: 'Bearer' },
      { Authorization: `Bearer ${'x'.repeat(600)}` },
      { Authorization: `Bearer ${api.token} extra` },
    ]) {
      const response = await api.request('/api/v1/monitors', { headers });
      expect(response.status, headers.Authorization.slice(0, 30)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="vigil", error="invalid_token"');
      answers.push(response.text);
    }
    expect(new Set(answers)).toEqual(
      new Set(['{"error":{"code":"unauthorized","message":"invalid or revoked API token"}}']),
    );
    const write = await api.request('/api/v1/monitors/shop-api/pause', { method: 'POST', token: second });
    expect(write.status).toBe(401);
    expect(api.service.calls).toEqual([]);
  });

  it('the scheme is case-insensitive', async () => {
    const response = await api.request('/api/v1/monitors', { headers: { Authorization: `bearer ${api.token}` } });
    expect(ids(response.body)).toHaveLength(3);
  });
});

describe('token scopes', () => {
  let agentToken: string;
  beforeEach(async () => {
    api = await startApi();
    ({ token: agentToken } = await createApiToken(api.store, 'agent-eu', { scope: 'agent', now: () => NOW }));
  });

  const tokenOf = (scope: string) =>
    scope === 'read' ? api.readToken : scope === 'write' ? api.writeToken : scope === 'agent' ? agentToken : api.token;

  // Every route of the router, with a token of every scope: one its scope does not cover (an agent token: every
  // route but the agent endpoints, public ones included) is 403 before anything runs; one it covers answers
  // (whatever it answers, never 401 or 403).
  const routes = createApiRouter().routes;
  it.each(routes.flatMap((route) => TOKEN_SCOPES.map((scope) => [route.method, route.pattern, scope] as const)))(
    '%s %s with a %s token',
    async (method, pattern, scope) => {
      const access = routes.find((route) => route.method === method && route.pattern === pattern)!.handler.access;
      const path = pattern.replace(':id', 'orders-db') + (pattern.endsWith('/signals') ? '?monitor=orders-db' : '');
      const response = await api.request(path, {
        method,
        token: tokenOf(scope),
        ...(method === 'POST' || method === 'PUT' ? { json: httpDefinition() } : {}),
        // The stream answers until closed: only its status line is needed.
        ...(pattern.endsWith('/stream') ? { headersOnly: true } : {}),
      });
      const covered = access === 'public' ? scope !== 'agent' : scopeIncludes(scope, access);
      if (!covered) {
        expect(response.status).toBe(403);
        expect(response.body.error.code).toBe('forbidden');
        expect(response.body.error.message).toContain(`needs a token with scope ${access === 'public' ? 'read' : access}`);
        expect(response.body.error.message).toContain(`has scope ${scope}`);
        expect(api.service.calls).toEqual([]);
      } else {
        expect([401, 403]).not.toContain(response.status);
      }
    },
  );

  it('the routes need what the scopes promise: reads public or read, changes write, the audit log admin', () => {
    const access = Object.fromEntries(routes.map((route) => [`${route.method} ${route.pattern}`, route.handler.access]));
    expect(access).toEqual({
      'GET /api/v1/monitors': 'public',
      'POST /api/v1/monitors': 'write',
      'GET /api/v1/monitors/:id': 'public',
      'PUT /api/v1/monitors/:id': 'write',
      'DELETE /api/v1/monitors/:id': 'write',
      'POST /api/v1/monitors/:id/pause': 'write',
      'POST /api/v1/monitors/:id/resume': 'write',
      'POST /api/v1/monitors/:id/check': 'write',
      'GET /api/v1/monitors/:id/results': 'public',
      'GET /api/v1/monitors/:id/pings': 'read',
      'GET /api/v1/signals': 'public',
      'GET /api/v1/monitors/:id/uptime': 'public',
      'GET /api/v1/incidents': 'public',
      'POST /api/v1/incidents/:id/acknowledge': 'write',
      'GET /api/v1/status-incidents': 'public',
      'POST /api/v1/status-incidents': 'write',
      'GET /api/v1/status-incidents/:id': 'public',
      'PATCH /api/v1/status-incidents/:id': 'write',
      'DELETE /api/v1/status-incidents/:id': 'write',
      'POST /api/v1/status-incidents/:id/updates': 'write',
      'GET /api/v1/maintenance': 'read',
      'POST /api/v1/maintenance': 'write',
      'DELETE /api/v1/maintenance/:id': 'write',
      'GET /api/v1/events': 'read',
      'GET /api/v1/events/stream': 'read',
      'GET /api/v1/notifications': 'read',
      'GET /api/v1/audit': 'admin',
      'GET /api/v1/tokens': 'admin',
      'POST /api/v1/tokens': 'admin',
      'DELETE /api/v1/tokens/:id': 'admin',
      'GET /api/v1/channels': 'read',
      'POST /api/v1/channels/:name/test': 'write',
      'GET /api/v1/jobs': 'read',
      'GET /api/v1/jobs/:connection/queues': 'read',
      'GET /api/v1/jobs/:connection/workers': 'read',
      'GET /api/v1/jobs/:connection/jobs': 'read',
      'GET /api/v1/jobs/:connection/schedules': 'read',
      'GET /api/v1/jobs/:connection/progress': 'read',
      'POST /api/v1/jobs/:connection/queues/:queue/jobs/:job/retry': 'write',
      'DELETE /api/v1/jobs/:connection/queues/:queue/jobs/:job': 'write',
      'GET /api/v1/agent/monitors': 'agent',
      'POST /api/v1/results': 'agent',
      'GET /api/v1/openapi.json': 'public',
    });
  });

  it('an agent token may call the agent endpoints and nothing else; admin tokens may call them too', async () => {
    const refused = await api.request('/api/v1/monitors/shop-api', { token: agentToken });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toBe(
      'GET /api/v1/monitors/:id needs a token with scope read or higher; this token ("agent-eu") has scope agent, which may only fetch the monitors of its location and send their results (`vigil agent`)',
    );
    for (const token of [agentToken, api.token]) {
      const monitors = await api.request('/api/v1/agent/monitors?location=eu-west', { token });
      expect(monitors.status).toBe(200);
      expect(monitors.body).toEqual({ location: 'eu-west', monitors: [] });
    }
    const reader = await api.request('/api/v1/results', { token: api.readToken, json: { location: 'eu-west', results: [] } });
    expect(reader.status).toBe(403);
    expect(reader.body.error.message).toBe(
      'POST /api/v1/results needs a token with scope agent (or admin); this token ("reader") has scope read: create one with `vigil token create --name NAME --scope agent`',
    );
  });

  it('a read token sees private monitors but cannot change them', async () => {
    expect(ids((await api.request('/api/v1/monitors', { token: api.readToken })).body)).toHaveLength(3);
    const paused = await api.request('/api/v1/monitors/orders-db/pause', { method: 'POST', token: api.readToken });
    expect(paused.status).toBe(403);
    expect(paused.body.error.message).toBe(
      'POST /api/v1/monitors/:id/pause needs a token with scope write or higher; this token ("reader") has scope read: create one with `vigil token create --name NAME --scope write`',
    );
    expect(api.service.registry.isPaused('orders-db')).toBe(false);
  });

  it('a 403 says nothing about whether a private monitor exists', async () => {
    const hidden = await api.request('/api/v1/monitors/orders-db', { method: 'DELETE', token: api.readToken });
    const missing = await api.request('/api/v1/monitors/no-such', { method: 'DELETE', token: api.readToken });
    expect(hidden.status).toBe(403);
    expect(hidden.text).toBe(missing.text);
  });
});

describe('the audit log', () => {
  beforeEach(async () => {
    api = await startApi();
  });

  it('records every change through the API: token name, action, monitor, time, before and after without secrets', async () => {
    const definition = httpDefinition({ url: 'https://ops:hunter2@checkout.example.com/health?api_key=k-123' });
    const create = await api.request('/api/v1/monitors', { token: api.writeToken, json: definition });
    expect(create.status).toBe(201);
    expect((await api.request('/api/v1/monitors/checkout/pause', { method: 'POST', token: api.writeToken })).status).toBe(200);
    expect((await api.request('/api/v1/monitors/checkout/resume', { method: 'POST', token: api.token })).status).toBe(200);
    const changed = { ...definition, interval: '2m' };
    expect((await api.request('/api/v1/monitors/checkout', { method: 'PUT', token: api.writeToken, json: changed })).status).toBe(200);
    expect((await api.request('/api/v1/monitors/checkout', { method: 'DELETE', token: api.writeToken })).status).toBe(204);
    // Refused changes are not changes.
    expect((await api.request('/api/v1/monitors/orders-db', { method: 'DELETE', token: api.writeToken })).status).toBe(409);

    const response = await api.request('/api/v1/audit', { token: api.token });
    expect(response.status).toBe(200);
    const entries = response.body.entries;
    expect(entries.map((e: any) => [e.action, e.subject, e.actor.name])).toEqual([
      ['monitor.delete', 'checkout', 'writer'],
      ['monitor.update', 'checkout', 'writer'],
      ['monitor.resume', 'checkout', 'test'],
      ['monitor.pause', 'checkout', 'writer'],
      ['monitor.create', 'checkout', 'writer'],
      ['token.create', expect.stringMatching(/^tok_/), 'cli'],
      ['token.create', expect.stringMatching(/^tok_/), 'cli'],
      ['token.create', expect.stringMatching(/^tok_/), 'cli'],
    ]);
    const [deleted, updated, , paused, created] = entries;
    // The registry's clock (the harness's, fixed) says when.
    expect(created.at).toBe(new Date(NOW).toISOString());
    expect(paused.at).toBe(new Date(NOW).toISOString());
    expect(created.actor.token).toMatch(/^tok_/);
    expect(created.before).toBeNull();
    expect(created.after).toMatchObject({ id: 'checkout', name: 'Checkout', url: 'https://ops:***@checkout.example.com/health?api_key=***' });
    expect(updated.before).toEqual(created.after);
    expect(updated.after).toMatchObject({ interval: '2m' });
    expect(deleted.before).toEqual(updated.after);
    expect(deleted.after).toBeNull();
    expect(paused.before).toBeNull();
    expect(response.text).not.toContain('hunter2');
    expect(response.text).not.toContain('k-123');
  });

  it('is for admin tokens only, pages newest first and filters by monitor', async () => {
    for (const token of [api.readToken, api.writeToken]) {
      const refused = await api.request('/api/v1/audit', { token });
      expect(refused.status).toBe(403);
      expect(refused.body.error.code).toBe('forbidden');
    }
    expect((await api.request('/api/v1/audit')).status).toBe(401);
    for (const id of ['orders-db', 'shop-api']) {
      await api.request(`/api/v1/monitors/${id}/pause`, { method: 'POST', token: api.token });
    }
    const first = await api.request('/api/v1/audit?limit=2', { token: api.token });
    expect(first.body.entries.map((e: any) => e.subject.replace(/^tok_.*/, 'token'))).toEqual(['shop-api', 'orders-db']);
    const second = await api.request(`/api/v1/audit?limit=2&before=${first.body.next}`, { token: api.token });
    expect(second.body.entries.map((e: any) => e.action)).toEqual(['token.create', 'token.create']);
    const last = await api.request(`/api/v1/audit?limit=2&before=${second.body.next}`, { token: api.token });
    expect(last.body).toEqual({ entries: [expect.objectContaining({ action: 'token.create' })], next: null });
    const one = await api.request('/api/v1/audit?subject=orders-db', { token: api.token });
    expect(one.body.entries.map((e: any) => e.action)).toEqual(['monitor.pause']);
  });
});

describe('CORS', () => {
  const allowed = 'https://status.example.com';

  it('gives a listed origin Access-Control-Allow-Origin and Vary, another origin nothing', async () => {
    api = await startApi({ corsOrigins: [`${allowed}/`, 'http://localhost:3000'] });
    const ok = await api.request('/api/v1/monitors', { origin: allowed });
    expect(ok.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(ok.headers.get('vary')).toBe('Origin');
    expect(ok.headers.get('access-control-allow-credentials')).toBeNull();
    const other = await api.request('/api/v1/monitors', { origin: 'https://evil.example' });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toBe('Origin');
    // Errors carry the CORS headers too, so a page can read them.
    const missing = await api.request('/api/v1/monitors/nope', { origin: allowed });
    expect(missing.status).toBe(404);
    expect(missing.headers.get('access-control-allow-origin')).toBe(allowed);
  });

  it('answers a preflight from a listed origin: methods of the path, Authorization and Content-Type, max-age', async () => {
    api = await startApi({ corsOrigins: [allowed] });
    const touch = vi.spyOn(api.store, 'touchToken');
    const response = await api.request('/api/v1/monitors/shop-api', {
      method: 'OPTIONS',
      origin: allowed,
      headers: { 'Access-Control-Request-Method': 'PUT', 'Access-Control-Request-Headers': 'authorization,content-type' },
    });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, HEAD, PUT, DELETE, OPTIONS');
    expect(response.headers.get('access-control-allow-headers')).toBe('Authorization, Content-Type');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(touch).not.toHaveBeenCalled();
    expect((await api.store.listTokens()).filter((t) => t.name === 'test').map((t) => t.lastUsedAt)).toEqual([undefined]);
  });

  it('refuses a preflight from an origin that is not listed (403, no CORS headers)', async () => {
    api = await startApi({ corsOrigins: [allowed] });
    const response = await api.request('/api/v1/monitors', {
      method: 'OPTIONS',
      origin: 'https://evil.example',
      headers: { 'Access-Control-Request-Method': 'POST' },
    });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.body.error.code).toBe('cors_refused');
  });

  it('refuses a preflight for a method the path does not take, and for other headers', async () => {
    api = await startApi({ corsOrigins: [allowed] });
    const method = await api.request('/api/v1/monitors', {
      method: 'OPTIONS',
      origin: allowed,
      headers: { 'Access-Control-Request-Method': 'DELETE' },
    });
    expect(method.status).toBe(403);
    const header = await api.request('/api/v1/monitors', {
      method: 'OPTIONS',
      origin: allowed,
      headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'x-custom' },
    });
    expect(header.status).toBe(403);
    expect(header.body.error.message).toBe('request headers not allowed: x-custom (allowed: Authorization, Content-Type)');
  });

  it('sends no CORS headers at all when no origin is configured', async () => {
    api = await startApi();
    const response = await api.request('/api/v1/monitors', { origin: allowed });
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(response.headers.get('vary')).toBeNull();
    const preflight = await api.request('/api/v1/monitors', {
      method: 'OPTIONS',
      origin: allowed,
      headers: { 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(403);
  });

  it('"*" lets any origin read, never with credentials, Authorization or writes; listed origins keep full access', async () => {
    api = await startApi({ corsOrigins: ['*', allowed] });
    const read = await api.request('/api/v1/monitors', { origin: 'https://anyone.example' });
    expect(read.headers.get('access-control-allow-origin')).toBe('*');
    expect(read.headers.get('access-control-allow-credentials')).toBeNull();
    const preflightRead = await api.request('/api/v1/monitors', {
      method: 'OPTIONS',
      origin: 'https://anyone.example',
      headers: { 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflightRead.status).toBe(204);
    expect(preflightRead.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflightRead.headers.get('access-control-allow-methods')).toBe('GET, HEAD, OPTIONS');
    expect(preflightRead.headers.get('access-control-allow-credentials')).toBeNull();
    const preflightWrite = await api.request('/api/v1/monitors', {
      method: 'OPTIONS',
      origin: 'https://anyone.example',
      headers: { 'Access-Control-Request-Method': 'POST' },
    });
    expect(preflightWrite.status).toBe(403);
    const preflightToken = await api.request('/api/v1/monitors', {
      method: 'OPTIONS',
      origin: 'https://anyone.example',
      headers: { 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(preflightToken.status).toBe(403);
    const listed = await api.request('/api/v1/monitors', {
      method: 'OPTIONS',
      origin: allowed,
      headers: { 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'authorization' },
    });
    expect(listed.status).toBe(204);
    expect(listed.headers.get('access-control-allow-origin')).toBe(allowed);
  });
});

describe('request bodies', () => {
  it('refuses a body over the limit declared by Content-Length with 413 before reading it', async () => {
    api = await startApi();
    const body = JSON.stringify(httpDefinition({ description: 'x'.repeat(2 * 1024 * 1024) }));
    const response = await api.request('/api/v1/monitors', {
      token: api.token,
      rawBody: body,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(413);
    expect(response.body.error).toEqual({
      code: 'payload_too_large',
      message: 'request body is larger than the limit of 1048576 bytes',
    });
    expect(api.service.calls).toEqual([]);
  });

  it('refuses a chunked body with 413 as soon as it passes the limit', async () => {
    api = await startApi({ maxBodyBytes: 4096 });
    const chunks = Array.from({ length: 64 }, () => Buffer.alloc(1024, 0x20));
    const response = await raw(api.url, {
      method: 'POST',
      path: '/api/v1/monitors',
      headers: { Authorization: `Bearer ${api.token}`, 'Content-Type': 'application/json' },
      chunks,
    });
    expect(response.status).toBe(413);
    expect(response.headers.connection).toBe('close');
    expect(JSON.parse(response.text).error.code).toBe('payload_too_large');
  });

  it('accepts a body just under the limit', async () => {
    api = await startApi({ maxBodyBytes: 4096 });
    const json = httpDefinition();
    const body = JSON.stringify(json).padEnd(4096, ' ');
    const response = await api.request('/api/v1/monitors', {
      token: api.token,
      rawBody: body,
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(201);
  });

  it.each([
    ['text/plain', 'request body must be JSON: send Content-Type: application/json, not "text/plain"'],
    [
      'application/x-www-form-urlencoded',
      'request body must be JSON: send Content-Type: application/json, not "application/x-www-form-urlencoded"',
    ],
    ['application/json; charset=iso-8859-1', 'request body must be UTF-8 (charset=utf-8)'],
  ])('refuses Content-Type %s with 415', async (type, message) => {
    api = await startApi();
    const response = await api.request('/api/v1/monitors', {
      token: api.token,
      rawBody: JSON.stringify(httpDefinition()),
      headers: { 'Content-Type': type },
    });
    expect(response.status).toBe(415);
    expect(response.body.error).toEqual({ code: 'unsupported_media_type', message });
  });

  it('refuses a body without Content-Type and a compressed body with 415; accepts charset=utf-8', async () => {
    api = await startApi();
    const none = await raw(api.url, {
      method: 'POST',
      path: '/api/v1/monitors',
      headers: { Authorization: `Bearer ${api.token}` },
      chunks: [Buffer.from(JSON.stringify(httpDefinition()))],
    });
    expect(none.status).toBe(415);
    expect(JSON.parse(none.text).error.message).toBe('request body must be JSON: send Content-Type: application/json');
    const gzip = await api.request('/api/v1/monitors', {
      token: api.token,
      rawBody: JSON.stringify(httpDefinition()),
      headers: { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' },
    });
    expect(gzip.status).toBe(415);
    const utf8 = await api.request('/api/v1/monitors', {
      token: api.token,
      rawBody: JSON.stringify(httpDefinition()),
      headers: { 'Content-Type': 'Application/JSON; charset="UTF-8"' },
    });
    expect(utf8.status).toBe(201);
  });

  it('refuses JSON nested too deeply with 400 (never a stack overflow)', async () => {
    api = await startApi();
    for (const body of ['['.repeat(200_000) + ']'.repeat(200_000), '{"a":'.repeat(100) + '1' + '}'.repeat(100)]) {
      const response = await api.request('/api/v1/monitors', {
        token: api.token,
        rawBody: body,
        headers: { 'Content-Type': 'application/json' },
      });
      expect(response.status).toBe(400);
      expect(response.body.error.message).toBe('request body is nested too deeply (more than 64 levels)');
    }
    expect(api.logs).toEqual([]);
  });

  it('a "__proto__" key is refused as an unknown field and pollutes nothing', async () => {
    api = await startApi();
    const response = await api.request('/api/v1/monitors', {
      token: api.token,
      rawBody: '{"type":"http","name":"x","url":"https://x.example","__proto__":{"polluted":true}}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(response.status).toBe(422);
    expect(response.body.error.issues).toEqual([{ path: '__proto__', message: 'unknown key "__proto__"' }]);
    expect(({} as any).polluted).toBeUndefined();
    // Any key every object inherits, at any depth, is refused the same way (never a 500).
    const nested = await api.request('/api/v1/monitors', {
      token: api.token,
      json: httpDefinition({ constructor: 1, auth: { toString: 'x' } }),
    });
    expect(nested.status).toBe(422);
    expect(nested.body.error.issues.map((i: any) => i.path)).toEqual(['constructor', 'auth.toString']);
    expect(api.service.calls).toEqual([]);
  });

  it('refuses invalid JSON, invalid UTF-8 and an empty body with 400, never echoing the body', async () => {
    api = await startApi();
    const send = (body: string | Buffer) =>
      api.request('/api/v1/monitors', { token: api.token, rawBody: body, headers: { 'Content-Type': 'application/json' } });
    const invalid = await send('{"url": "https://u:hunter2@x", password=hunter2');
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('bad_request');
    expect(invalid.body.error.message).toMatch(/^request body is not valid JSON/);
    expect(invalid.text).not.toContain('hunter2');
    const latin1 = await send(Buffer.from([0x7b, 0x22, 0xe9, 0x22, 0x3a, 0x31, 0x7d]));
    expect(latin1.status).toBe(400);
    expect(latin1.body.error.message).toBe('request body is not valid UTF-8');
    const empty = await send('');
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toBe('request body is empty: send a JSON object');
  });
});

describe('secrets never leave', () => {
  const secretDefinition = httpDefinition({
    name: 'Admin',
    url: 'https://admin:hunter2@admin.example.com/health?token=tok-123&region=eu',
    headers: { 'X-Api-Key': 'key-999' },
    auth: { bearer: 'bearer-abc' },
    method: 'POST',
    body: '{"password":"body-pw"}',
  });
  const SECRETS = ['hunter2', 'tok-123', 'key-999', 'bearer-abc', 'body-pw'];

  beforeEach(async () => {
    api = await startApi();
  });

  it('GET of an API-created monitor with a password in its URL shows none of its secrets', async () => {
    const created = await api.request('/api/v1/monitors', { token: api.token, json: secretDefinition });
    expect(created.status).toBe(201);
    const got = await api.request('/api/v1/monitors/admin', { token: api.token });
    const list = await api.request('/api/v1/monitors', { token: api.token });
    for (const response of [created, got, list]) {
      for (const secret of SECRETS) expect(response.text).not.toContain(secret);
    }
    expect(got.body.target).toBe('POST https://admin:***@admin.example.com/health?token=***&region=eu');
    expect(got.body.definition).toEqual({
      type: 'http',
      name: 'Admin',
      id: 'admin',
      url: 'https://admin:***@admin.example.com/health?token=***&region=eu',
      headers: { 'X-Api-Key': '***' },
      auth: { bearer: '***' },
      method: 'POST',
      body: '***',
    });
  });

  it('a definition sent back with "***" keeps the stored secrets', async () => {
    await api.request('/api/v1/monitors', { token: api.token, json: secretDefinition });
    const got = await api.request('/api/v1/monitors/admin', { token: api.token });
    const edited = { ...got.body.definition, name: 'Admin panel', description: 'edited' };
    const put = await api.request('/api/v1/monitors/admin', { method: 'PUT', token: api.token, json: edited });
    expect(put.status).toBe(200);
    for (const secret of SECRETS) expect(put.text).not.toContain(secret);
    const stored = (await api.store.listMonitors())[0]?.definition;
    expect(stored).toEqual({ ...secretDefinition, id: 'admin', name: 'Admin panel', description: 'edited' });
  });

  it('"***" with nothing stored to keep is refused', async () => {
    await api.request('/api/v1/monitors', { token: api.token, json: httpDefinition() });
    const response = await api.request('/api/v1/monitors/checkout', {
      method: 'PUT',
      token: api.token,
      json: httpDefinition({ auth: { bearer: '***' } }),
    });
    expect(response.status).toBe(422);
    expect(response.body.error.message).toBe(
      'auth.bearer: is "***" (a redacted secret) but there is no stored value to keep; send the value',
    );
  });

  it('validation errors never quote a secret', async () => {
    const response = await api.request('/api/v1/monitors', {
      token: api.token,
      json: httpDefinition({
        url: 'ftp://admin:hunter2@example.com',
        headers: { 'X-Key': 42 },
        auth: { basic: { username: 'u', password: 'hunter2' }, bearer: 'hunter2' },
      }),
    });
    expect(response.status).toBe(422);
    expect(response.body.error.issues.map((i: any) => i.path).sort()).toEqual(['auth', 'headers["X-Key"]', 'url']);
    expect(response.text).not.toContain('hunter2');
  });

  it('anonymous callers never see the hidden target in errors, condition outputs or causes', async () => {
    const error = 'GET https://shop.example.com/health?api_key=*** failed: connect ECONNREFUSED 10.1.2.3:443 (shop.example.com)';
    await api.store.appendResults([
      {
        monitorId: 'shop-api',
        at: NOW - 1000,
        status: 'unhealthy',
        latencyMs: 12,
        error,
        conditions: [{ condition: '[IP] == 10.0.0.1', success: false, output: '[IP] (10.1.2.3) == 10.0.0.1' }],
        location: 'local',
      },
    ]);
    await seedIncident(api.store, { monitorId: 'shop-api', status: 'unhealthy', startedAt: NOW - 1000, cause: error });
    const anonymous = [
      await api.request('/api/v1/monitors/shop-api/results'),
      await api.request('/api/v1/signals?monitor=shop-api'),
      await api.request('/api/v1/incidents'),
      await api.request('/api/v1/incidents?monitor=shop-api'),
    ];
    for (const response of anonymous) {
      expect(response.status).toBe(200);
      expect(response.text).not.toContain('shop.example.com');
      expect(response.text).not.toContain('10.1.2.3');
    }
    expect(anonymous[0]?.body.results[0].error).toBe('GET the target failed: connect ECONNREFUSED the target (the target)');
    expect(anonymous[0]?.body.results[0].conditions[0].output).toBe('[IP] (the target) == the target');
    expect(anonymous[2]?.body.incidents[0].cause).toBe('GET the target failed: connect ECONNREFUSED the target (the target)');
    // A token holder sees what failed, where.
    const withToken = await api.request('/api/v1/monitors/shop-api/results', { token: api.readToken });
    expect(withToken.body.results[0].error).toBe(error);
  });

  it('results and incidents are sanitized again on the way out', async () => {
    await api.store.appendResults([
      {
        monitorId: 'shop-api',
        at: NOW - 1000,
        status: 'unhealthy',
        latencyMs: 12,
        error: 'connect failed: postgres://app:leaked-pw@db/app',
        location: 'local',
      },
    ]);
    await seedIncident(api.store, {
      monitorId: 'shop-api',
      status: 'unhealthy',
      startedAt: NOW - 1000,
      cause: 'token=leaked-tok',
    });
    const results = await api.request('/api/v1/monitors/shop-api/results');
    expect(results.body.results[0].error).toBe('connect failed: postgres://app:***@db/app');
    const incidents = await api.request('/api/v1/incidents');
    expect(incidents.body.incidents[0].cause).toBe('token=***');
  });
});

describe('errors are JSON, inert in a browser', () => {
  beforeEach(async () => {
    api = await startApi();
  });

  it('escapes markup in messages; the JSON still parses to the original text', async () => {
    const response = await api.request('/api/v1/monitors/%3Cscript%3Ealert(1)%3C%2Fscript%3E');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    expect(response.text).not.toContain('<');
    expect(response.text).toContain('\\u003cscript\\u003e');
    expect(response.body.error.message).toBe('no monitor with id "<script>alert(1)</script>"');
  });

  it('bounds echoed input', async () => {
    const long = 'a'.repeat(5000);
    const response = await api.request(`/api/v1/monitors/${long}`);
    expect(response.status).toBe(404);
    expect(response.text.length).toBeLessThan(300);
  });

  it('answers 400 for a bad limit', async () => {
    for (const limit of ['0', '1001', 'abc', '1e3', '-1', '2.5']) {
      const response = await api.request(`/api/v1/monitors/shop-api/results?limit=${limit}`);
      expect(response.status, limit).toBe(400);
      expect(response.body.error.message).toMatch(/^limit must be a whole number from 1 to 1000/);
    }
  });
});
