/**
 * Dashboard sign-in over real HTTP (`vigil serve` in process, SQLite): a session cookie stands for its token until
 * it expires, is signed out or the token is revoked; a forged one is nobody; writes with it need the CSRF token;
 * failed sign-ins are slowed down; the sign-in form cannot be posted from another site or send anyone elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sessions } from '../../src/admin/session.js';
import { SignInThrottle } from '../../src/admin/throttle.js';
import { createApiToken, revokeApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { startTarget, type Target, writeConfig } from '../service/harness.js';
import { tempDir } from '../support.js';

let dir: { dir: string; remove: () => Promise<void> };
let target: Target;
let monitor: RunningMonitor;
let token: string;

beforeAll(async () => {
  dir = await tempDir('admin-session');
  target = await startTarget(200);
  const file = await writeConfig(dir.dir, `monitors:\n  - { id: web, name: Web, type: http, url: "${target.url}/", interval: 1h }\n`);
  monitor = await startMonitor({ config: [file], port: '0', data: dir.dir, logFormat: 'json' }, { env: {}, logDestination: { write: () => undefined } });
  token = (await createApiToken(monitor.store, 'on-call', { scope: 'write' })).token;
});

afterAll(async () => {
  await monitor?.stop();
  await target?.close();
  await dir?.remove();
});

const cookieValue = (res: Response, name: string) =>
  res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0] ?? '')
    .find((pair) => pair.startsWith(`${name}=`))
    ?.slice(name.length + 1);

/** Opens the sign-in form (its own cookie and hidden field), then posts it. */
async function postSignIn(secret: string, options: { next?: string; headers?: Record<string, string>; skipFormCookie?: boolean } = {}): Promise<Response> {
  const form = await fetch(`${monitor.url}/admin/login`);
  const html = await form.text();
  const formToken = /name="_login" value="([^"]+)"/.exec(html)?.[1] ?? '';
  const loginCookie = cookieValue(form, 'vigil_login');
  return fetch(`${monitor.url}/admin/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      ...(options.skipFormCookie ? {} : { cookie: `vigil_login=${loginCookie}` }),
      ...options.headers,
    },
    body: new URLSearchParams({ _login: formToken, next: options.next ?? '/admin', token: secret }).toString(),
  });
}

async function session(): Promise<{ cookie: string; csrf: string }> {
  const res = await postSignIn(token);
  expect(res.status).toBe(303);
  const cookie = `vigil_session=${cookieValue(res, 'vigil_session')}`;
  const page = await (await fetch(`${monitor.url}/admin`, { headers: { cookie } })).text();
  const csrf = /name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
  if (!csrf) throw new Error('no CSRF token on the page');
  return { cookie, csrf };
}

describe('dashboard sessions over HTTP', () => {
  it('sends visitors without a session to the sign-in page, and back where they were after it', async () => {
    const res = await fetch(`${monitor.url}/admin/monitors/web?range=7d`, { redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/admin/login?next=${encodeURIComponent('/admin/monitors/web?range=7d')}`);
    const signedIn = await postSignIn(token, { next: '/admin/monitors/web?range=7d' });
    expect(signedIn.headers.get('location')).toBe('/admin/monitors/web?range=7d');
    const set = signedIn.headers.getSetCookie().find((line) => line.startsWith('vigil_session='));
    expect(set).toMatch(/HttpOnly/);
    expect(set).toMatch(/SameSite=Strict/);
    expect(set).not.toMatch(/Secure/);
    expect(set).not.toContain(token);
  });

  it('never sends anyone to another site after signing in', async () => {
    for (const next of ['https://evil.example/', '//evil.example/admin', '/admin//evil.example', 'javascript:alert(1)']) {
      const res = await postSignIn(token, { next });
      expect(res.headers.get('location'), next).toBe('/admin');
    }
  });

  it('marks the cookie Secure behind a TLS proxy', async () => {
    const res = await postSignIn(token, { headers: { 'x-forwarded-proto': 'https' } });
    expect(res.headers.getSetCookie().find((line) => line.startsWith('vigil_session='))).toMatch(/; Secure/);
  });

  it('refuses a sign-in form posted without its own cookie (from another site)', async () => {
    const res = await postSignIn(token, { skipFormCookie: true });
    expect(res.status).toBe(403);
    expect(cookieValue(res, 'vigil_session')).toBeUndefined();
  });

  it('lets the session call the API: reads freely, writes only with the CSRF token from the same site', async () => {
    const { cookie, csrf } = await session();
    expect((await fetch(`${monitor.url}/api/v1/monitors/web`, { headers: { cookie } })).status).toBe(200);
    const pause = (headers: Record<string, string>) => fetch(`${monitor.url}/api/v1/monitors/web/pause`, { method: 'POST', headers: { cookie, ...headers } });
    const without = await pause({});
    expect(without.status).toBe(403);
    expect(((await without.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    expect((await pause({ 'x-csrf-token': csrf, origin: 'https://evil.example' })).status).toBe(403);
    expect(monitor.service.status('web')?.paused).toBe(false);
    expect((await pause({ 'x-csrf-token': csrf, origin: monitor.url })).status).toBe(200);
    expect(monitor.service.status('web')?.paused).toBe(true);
    // A bearer token needs no CSRF token: no browser sends it by itself.
    const resume = await fetch(`${monitor.url}/api/v1/monitors/web/resume`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(resume.status).toBe(200);
  });

  it('ends the session on sign-out (the same cookie is refused after it)', async () => {
    const { cookie, csrf } = await session();
    const out = await fetch(`${monitor.url}/admin/logout`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(csrf)}`,
    });
    expect(out.status).toBe(303);
    expect((await fetch(`${monitor.url}/admin`, { headers: { cookie }, redirect: 'manual' })).status).toBe(303);
    // The API sees an anonymous caller: the private monitor is not there.
    expect((await fetch(`${monitor.url}/api/v1/monitors/web`, { headers: { cookie } })).status).toBe(404);
    expect((await fetch(`${monitor.url}/api/v1/monitors`, { headers: { cookie } }).then((r) => r.json()) as { monitors: unknown[] }).monitors).toEqual([]);
  });

  it('slows down repeated failures from one address, with Retry-After', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await postSignIn(`vgl_wrong${i}`)).status);
    expect(statuses.slice(0, 4)).toEqual([401, 401, 401, 401]);
    const limited = await postSignIn(token);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await limited.text()).toContain('Too many failed sign-ins');
    expect(cookieValue(limited, 'vigil_session')).toBeUndefined();
  });
});

describe('Sessions', () => {
  let store: Store;
  let storeDir: { dir: string; remove: () => Promise<void> };
  beforeAll(async () => {
    storeDir = await tempDir('admin-sessions-store');
    store = await openStore({ type: 'sqlite', path: `${storeDir.dir}/vigil.db` }, { dataDir: storeDir.dir });
  });
  afterAll(async () => {
    await store?.close();
    await storeDir?.remove();
  });

  it('accepts its own cookie until it expires, and nothing forged', async () => {
    let now = 1_000_000;
    const sessions = new Sessions({ store, now: () => now, ttlMs: 60_000 });
    const { token: secret, stored } = await createApiToken(store, 'a', { scope: 'read' });
    const signed = await sessions.signIn(secret);
    if (!signed) throw new Error('sign-in failed');
    expect((await sessions.verify(signed.cookie))?.token.id).toBe(stored.id);
    expect((await sessions.verify(signed.cookie))?.csrf).toBe(signed.session.csrf);
    const [id, expiry, nonce, mac] = signed.cookie.split('.') as [string, string, string, string];
    // A longer life, another nonce or another token's id, all with the old signature: refused.
    expect(await sessions.verify([id, (now + 10 ** 9).toString(36), nonce, mac].join('.'))).toBeUndefined();
    expect(await sessions.verify([id, expiry, `${nonce}x`, mac].join('.'))).toBeUndefined();
    expect(await sessions.verify([id, expiry, nonce, `${mac.slice(0, -1)}${mac.endsWith('A') ? 'B' : 'A'}`].join('.'))).toBeUndefined();
    expect(await sessions.verify('garbage')).toBeUndefined();
    expect(await sessions.signIn(`${secret}x`)).toBeUndefined();
    now += 60_001;
    expect(await sessions.verify(signed.cookie)).toBeUndefined();
  });

  it('ends every session of a token when it is revoked', async () => {
    const sessions = new Sessions({ store });
    const { token: secret, stored } = await createApiToken(store, 'b', { scope: 'admin' });
    const signed = await sessions.signIn(secret);
    expect(await sessions.verify(signed?.cookie)).toBeDefined();
    await revokeApiToken(store, stored);
    expect(await sessions.verify(signed?.cookie)).toBeUndefined();
  });
});

describe('SignInThrottle', () => {
  it('lets a few failures through, then doubles the wait up to its limit, and forgets after a success', () => {
    let now = 0;
    const throttle = new SignInThrottle({ now: () => now, freeFailures: 2, baseDelayMs: 1000, maxDelayMs: 4000 });
    throttle.failed('a');
    throttle.failed('a');
    expect(throttle.waitFor('a')).toBe(0);
    throttle.failed('a');
    expect(throttle.waitFor('a')).toBe(1000);
    throttle.failed('a');
    expect(throttle.waitFor('a')).toBe(2000);
    throttle.failed('a');
    throttle.failed('a');
    expect(throttle.waitFor('a')).toBe(4000);
    expect(throttle.waitFor('b')).toBe(0);
    now += 4000;
    expect(throttle.waitFor('a')).toBe(0);
    throttle.succeeded('a');
    throttle.failed('a');
    expect(throttle.waitFor('a')).toBe(0);
  });
});
