/**
 * /api/v1/tokens on the API harness (the real SQLite store and authenticator): an admin token creates a token whose
 * secret is shown once and works at once with its scope, lists tokens without secrets, revokes one (its own too)
 * so that it is refused from the next request on; narrower tokens cannot manage tokens; bad bodies are refused.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken, TOKEN_PATTERN } from '../../src/api/tokens.js';
import { NOW, startApi, type TestApi } from './harness.js';

let api: TestApi;

beforeEach(async () => {
  api = await startApi();
});

afterEach(() => api.close());

const create = (json: unknown, token = api.token) => api.request('/api/v1/tokens', { method: 'POST', token, json });
const list = (token = api.token) => api.request('/api/v1/tokens', { token });
const revoke = (id: string, token = api.token) => api.request(`/api/v1/tokens/${id}`, { method: 'DELETE', token });

describe('POST /api/v1/tokens', () => {
  it('creates a token, shown once, that works at once with its scope', async () => {
    const created = await create({ name: 'grafana', scope: 'read' });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({
      token: expect.stringMatching(TOKEN_PATTERN),
      id: expect.stringMatching(/^tok_[0-9a-f]{12}$/),
      name: 'grafana',
      scope: 'read',
      created_at: new Date(NOW).toISOString(),
    });
    const secret: string = created.body.token;

    // It reads private monitors, and may not change them.
    const monitors = await api.request('/api/v1/monitors', { token: secret });
    expect(monitors.status).toBe(200);
    expect(monitors.body.monitors.map((m: any) => m.id)).toContain('orders-db');
    expect((await api.request('/api/v1/monitors/orders-db/pause', { method: 'POST', token: secret })).status).toBe(403);

    // Listed without its secret nor its hash; its use is recorded.
    const listed = await list();
    expect(listed.status).toBe(200);
    expect(listed.body.tokens.find((t: any) => t.name === 'grafana')).toEqual({
      id: created.body.id,
      name: 'grafana',
      scope: 'read',
      created_at: new Date(NOW).toISOString(),
      last_used_at: new Date(NOW).toISOString(),
    });
    expect(listed.text).not.toContain(secret);
    expect(listed.text).not.toContain(secret.slice(4));
    expect(listed.text).not.toContain(hashToken(secret));
  });

  it('is recorded in the audit log with the caller as the actor', async () => {
    const created = await create({ name: ' deploy ', scope: 'write' });
    expect(created.body.name).toBe('deploy');
    const [entry] = await api.store.auditLog({ limit: 1 });
    const caller = (await api.store.listTokens()).find((t) => t.name === 'test');
    expect(entry).toMatchObject({
      action: 'token.create',
      subject: created.body.id,
      actor: { tokenId: caller?.id, name: 'test' },
      after: { id: created.body.id, name: 'deploy', scope: 'write' },
    });
    expect(JSON.stringify(entry)).not.toContain(created.body.token);
  });

  it('refuses a name already used with 409', async () => {
    expect((await create({ name: 'ci', scope: 'read' })).status).toBe(201);
    for (const name of ['ci', '  ci ', 'reader']) {
      const again = await create({ name, scope: 'admin' });
      expect(again.status, name).toBe(409);
      expect(again.body.error.code).toBe('conflict');
      expect(again.body.error.message).toMatch(/^a token named "(ci|reader)" already exists \(tok_[0-9a-f]+\): revoke it first or choose another name$/);
    }
    expect((await list()).body.tokens.filter((t: any) => t.name === 'ci')).toHaveLength(1);
  });

  it.each([
    [{ name: '', scope: 'read' }, [{ path: 'name', message: 'must not be empty' }]],
    [{ name: '   ', scope: 'read' }, [{ path: 'name', message: 'must not be empty' }]],
    [{ name: 'x'.repeat(101), scope: 'read' }, [{ path: 'name', message: 'must be at most 100 characters' }]],
    [{ name: 'a\nb', scope: 'read' }, [{ path: 'name', message: 'must not contain control characters' }]],
    [{ name: 'ok', scope: 'root' }, [{ path: 'scope', message: 'expected one of read, write, admin, agent, got "root"' }]],
    [{ name: 'ok' }, [{ path: 'scope', message: 'expected one of read, write, admin, agent' }]],
    [{ scope: 'read' }, [{ path: 'name', message: 'required' }]],
    [{ name: 7, scope: 'read' }, [{ path: 'name', message: 'expected a name' }]],
    [{ name: 'ok', scope: 'read', expires: '1d' }, [{ path: 'expires', message: 'unknown key' }]],
    [['ok'], [{ path: '', message: 'the body must be a JSON object' }]],
  ])('refuses %j with 400 naming the field', async (body, issues) => {
    const response = await create(body);
    expect(response.status).toBe(400);
    expect(response.body.error).toMatchObject({ code: 'bad_request', issues });
    expect(response.body.error.message).toMatch(/^invalid token: /);
    expect((await api.store.listTokens()).map((t) => t.name).sort()).toEqual(['reader', 'test', 'writer']);
  });

  it('refuses a body that is not JSON', async () => {
    const response = await api.request('/api/v1/tokens', { method: 'POST', token: api.token, rawBody: 'name=x', headers: { 'Content-Type': 'text/plain' } });
    expect(response.status).toBe(415);
  });
});

describe('DELETE /api/v1/tokens/{id}', () => {
  it('revokes a token: from its next request on it is 401', async () => {
    const created = await create({ name: 'old-script', scope: 'write' });
    const secret: string = created.body.token;
    expect((await api.request('/api/v1/monitors', { token: secret })).status).toBe(200);
    const revoked = await revoke(created.body.id);
    expect(revoked.status).toBe(204);
    expect(revoked.text).toBe('');
    const refused = await api.request('/api/v1/monitors', { token: secret });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toEqual({ code: 'unauthorized', message: 'invalid or revoked API token' });
    expect((await list()).body.tokens.map((t: any) => t.name)).not.toContain('old-script');
    const [entry] = await api.store.auditLog({ limit: 1 });
    expect(entry).toMatchObject({ action: 'token.revoke', subject: created.body.id, actor: { name: 'test' } });
    // Gone: a second revoke is 404.
    expect((await revoke(created.body.id)).status).toBe(404);
  });

  it('a caller may revoke its own token', async () => {
    const created = await create({ name: 'temporary-admin', scope: 'admin' });
    const secret: string = created.body.token;
    expect((await revoke(created.body.id, secret)).status).toBe(204);
    expect((await list(secret)).status).toBe(401);
    const [entry] = await api.store.auditLog({ limit: 1 });
    expect(entry).toMatchObject({ action: 'token.revoke', subject: created.body.id, actor: { tokenId: created.body.id, name: 'temporary-admin' } });
  });

  it('an unknown id is 404', async () => {
    const response = await revoke('tok_000000000000');
    expect(response.status).toBe(404);
    expect(response.body.error).toEqual({
      code: 'not_found',
      message: 'no token with id "tok_000000000000": the ids are listed by GET /api/v1/tokens',
    });
  });
});

describe('who may manage tokens', () => {
  it('read and write tokens get 403, anonymous callers 401, and nothing changes', async () => {
    const victim = (await api.store.listTokens()).find((t) => t.name === 'test')!;
    for (const token of [api.readToken, api.writeToken]) {
      for (const response of [await list(token), await create({ name: 'sneaky', scope: 'admin' }, token), await revoke(victim.id, token)]) {
        expect(response.status).toBe(403);
        expect(response.body.error.code).toBe('forbidden');
        expect(response.body.error.message).toContain('needs a token with scope admin');
      }
    }
    expect((await api.request('/api/v1/tokens')).status).toBe(401);
    expect((await api.request('/api/v1/tokens', { method: 'POST', json: { name: 'sneaky', scope: 'admin' } })).status).toBe(401);
    expect((await api.store.listTokens()).map((t) => t.name).sort()).toEqual(['reader', 'test', 'writer']);
    expect((await api.store.auditLog({ limit: 10 })).filter((e) => e.actor.name !== 'cli')).toEqual([]);
  });
});
