/**
 * /api/v1/maintenance through `vigil serve` (in process, on SQLite, over HTTP), with a local target and an alert
 * receiver: a window scheduled to start now puts its monitor in maintenance before the answer, its failures open no
 * incident and send no alert (another monitor failing alongside does alert); deleting it ends it; the refusals name
 * the field; the list has both sources; a window survives a restart; the status page shows it, ongoing or coming.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import type { RunningMonitor } from '../../src/commands/serve.js';
import { DAY_MS, HOUR_MS } from '../../src/store/time.js';
import { LocalServers, serveAlerting } from '../notify/servers.js';
import { eventually } from '../service/harness.js';
import { tempDir } from '../support.js';

const PATH = '/api/v1/maintenance';

let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor | undefined;
const servers = new LocalServers();
/** Paths of the target that answer 500. */
let failing: Set<string>;
let received: Array<{ monitor: string; kind: string }>;
let tokens: { admin: string; write: string; read: string };

beforeEach(async () => {
  dir = await tempDir('maintenance-api');
  failing = new Set();
  received = [];
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await servers.closeAll();
  await dir.remove();
});

async function yaml(extra = ''): Promise<string> {
  const target = await servers.listen((req, res) => res.writeHead(failing.has(req.url ?? '') ? 500 : 200).end());
  const hook = await servers.receiver((_path, body: { kind: string; monitor: { id: string } }) => received.push({ monitor: body.monitor.id, kind: body.kind }));
  return `
defaults: { interval: 1s, timeout: 500ms }
alerts:
  channels: { hook: { type: webhook, url: "${hook}/hook" } }
  routes: { critical: [hook] }
  defaults: { failure_threshold: 2, success_threshold: 1 }
monitors:
  - { id: shop-api, name: Shop API, type: http, url: "${target}/api", public: true, group: Shop }
  - { id: search, name: Search, type: http, url: "${target}/search", public: true, group: Shop }
  - { id: billing, name: Billing, type: http, url: "${target}/billing", group: Back office }
${extra}`;
}

/** `vigil serve` with `config` in this test's folder (the same store each time), and its tokens. */
async function start(config: string): Promise<RunningMonitor> {
  running = await serveAlerting(dir.dir, config);
  const store = running.store;
  if ((await store.listTokens()).length === 0) {
    tokens = {
      admin: (await createApiToken(store, 'admin', { scope: 'admin' })).token,
      write: (await createApiToken(store, 'ops', { scope: 'write' })).token,
      read: (await createApiToken(store, 'viewer', { scope: 'read' })).token,
    };
  }
  return running;
}

async function request(path: string, options: { method?: string; token?: string; json?: unknown } = {}): Promise<{ status: number; body: any; text: string }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${running!.url}${path}`, {
    method: options.method ?? (options.json === undefined ? 'GET' : 'POST'),
    headers,
    ...(options.json === undefined ? {} : { body: JSON.stringify(options.json) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: text === '' ? undefined : JSON.parse(text) };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Schedules a window (201 expected); its JSON. */
async function schedule(body: Record<string, unknown>): Promise<any> {
  const response = await request(PATH, { token: tokens.write, json: { title: 'Database upgrade', ...body } });
  expect(response.status, response.text).toBe(201);
  return response.body;
}

const stateOf = (id: string) => running!.service.status(id)?.state;
const openIncidents = async (id: string) => (await running!.store.incidents({ monitorId: id, limit: 20 })).filter((i) => i.endedAt === undefined);

describe('a window scheduled through the API', () => {
  it('starting now: its monitor is in maintenance at once, its failures open no incident and send no alert; deleted, it is checked as usual', async () => {
    await start(await yaml());
    await eventually('the first checks', () => (stateOf('shop-api') === 'healthy' && stateOf('search') === 'healthy' ? true : undefined));
    const now = Date.now();
    const created = await schedule({ message: 'Orders wait meanwhile.', starts_at: iso(now), ends_at: iso(now + HOUR_MS), monitors: ['shop-api'] });
    expect(created).toEqual({
      id: expect.any(Number),
      source: 'api',
      title: 'Database upgrade',
      message: 'Orders wait meanwhile.',
      starts_at: iso(now),
      ends_at: iso(now + HOUR_MS),
      ongoing: true,
      monitors: ['shop-api'],
      groups: [],
      all_monitors: false,
      schedule: 'once',
      created_at: expect.any(String),
      author: 'ops',
    });
    // Applied before the answer: the monitor is in maintenance already, the others are not.
    expect(stateOf('shop-api')).toBe('maintenance');
    expect((await request('/api/v1/monitors/shop-api', { token: tokens.read })).body.state).toBe('maintenance');
    expect(stateOf('search')).toBe('healthy');
    const [event] = (await running!.store.events({ after: 0, limit: 100, monitorId: 'shop-api' })).filter((e) => e.to === 'maintenance');
    expect(event?.reason).toBe(`maintenance window "Database upgrade" until ${iso(now + HOUR_MS)}`);

    // Both fail: search alerts, shop-api (in maintenance) neither alerts nor opens an incident.
    const failedFrom = Date.now();
    failing = new Set(['/api', '/search']);
    await eventually('the alert of search', () => (received.some((r) => r.monitor === 'search' && r.kind === 'trigger') ? true : undefined), 8000);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(stateOf('shop-api')).toBe('maintenance');
    expect(await openIncidents('shop-api')).toEqual([]);
    expect(await openIncidents('search')).toHaveLength(1);
    expect(received.filter((r) => r.monitor === 'shop-api')).toEqual([]);
    await running!.service.flush();
    const failures = (await running!.store.latestResults('shop-api', 50)).filter((r) => r.at >= failedFrom + 500);
    expect(failures.length).toBeGreaterThanOrEqual(2);
    expect(failures.every((r) => r.excused === 'maintenance')).toBe(true);

    // Deleted: out of maintenance before the answer, then checked as usual (down: incident and alert).
    expect((await request(`${PATH}/${created.id}`, { method: 'DELETE', token: tokens.write })).status).toBe(204);
    expect(stateOf('shop-api')).not.toBe('maintenance');
    expect((await request(PATH, { token: tokens.read })).body).toEqual({ maintenance: [] });
    await eventually('shop-api down', () => (stateOf('shop-api') === 'unhealthy' ? true : undefined), 8000);
    await eventually('the alert of shop-api', () => (received.some((r) => r.monitor === 'shop-api' && r.kind === 'trigger') ? true : undefined), 8000);
    expect(await openIncidents('shop-api')).toHaveLength(1);
    expect((await request(`${PATH}/${created.id}`, { method: 'DELETE', token: tokens.write })).status).toBe(404);

    const audit = (await request('/api/v1/audit', { token: tokens.admin })).body.entries.filter((e: any) => e.action.startsWith('maintenance.'));
    expect(audit.map((e: any) => [e.action, e.subject, e.actor.name])).toEqual([
      ['maintenance.delete', `maintenance/${created.id}`, 'ops'],
      ['maintenance.create', 'maintenance', 'ops'],
    ]);
  }, 40_000);

  it('covering a group: its monitors, not the others; a future one changes nothing until it starts', async () => {
    await start(await yaml());
    const now = Date.now();
    await schedule({ title: 'Shop release', starts_at: iso(now - 60_000), ends_at: iso(now + HOUR_MS), groups: ['Shop'] });
    await schedule({ title: 'Billing migration', starts_at: iso(now + DAY_MS), ends_at: iso(now + DAY_MS + HOUR_MS), monitors: ['billing'] });
    expect([stateOf('shop-api'), stateOf('search')]).toEqual(['maintenance', 'maintenance']);
    expect(stateOf('billing')).not.toBe('maintenance');
    const list = (await request(PATH, { token: tokens.read })).body.maintenance;
    expect(list.map((w: any) => [w.title, w.ongoing, w.groups, w.monitors])).toEqual([
      ['Shop release', true, ['Shop'], []],
      ['Billing migration', false, [], ['billing']],
    ]);
  }, 20_000);

  it('survives a restart: still in maintenance after it, and still listed', async () => {
    const config = await yaml();
    await start(config);
    const now = Date.now();
    const ongoing = await schedule({ starts_at: iso(now), ends_at: iso(now + HOUR_MS), monitors: ['shop-api'] });
    const coming = await schedule({ title: 'Later', starts_at: iso(now + 2 * DAY_MS), ends_at: iso(now + 2 * DAY_MS + HOUR_MS), monitors: ['search'] });
    expect(stateOf('shop-api')).toBe('maintenance');
    await running!.stop();
    running = undefined;

    await start(config);
    // The committed state says maintenance, and the window (read back from the store) keeps it so.
    expect(stateOf('shop-api')).toBe('maintenance');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(stateOf('shop-api')).toBe('maintenance');
    expect(running!.service.windows.isIn('shop-api')).toBe(true);
    expect((await request(PATH, { token: tokens.read })).body.maintenance).toEqual([ongoing, coming]);
    // Deleted after the restart: it ends.
    expect((await request(`${PATH}/${ongoing.id}`, { method: 'DELETE', token: tokens.write })).status).toBe(204);
    expect(stateOf('shop-api')).not.toBe('maintenance');
  }, 30_000);
});

describe('refusals', () => {
  it('answer 400 naming the field, and schedule nothing', async () => {
    await start(await yaml());
    const now = Date.now();
    const valid = { title: 'Upgrade', starts_at: iso(now + HOUR_MS), ends_at: iso(now + 2 * HOUR_MS), monitors: ['shop-api'] };
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ ends_at: iso(now + HOUR_MS - 1) }, 'ends_at', /must be after starts_at/],
      [{ ends_at: iso(now + HOUR_MS) }, 'ends_at', /must be after starts_at/],
      [{ starts_at: iso(now - 2 * HOUR_MS), ends_at: iso(now - HOUR_MS) }, 'ends_at', /in the past/],
      [{ monitors: ['shop-api', 'nope'] }, 'monitors[1]', /no monitor with id "nope"/],
      [{ monitors: [] }, 'monitors', /name the monitors it covers/],
      [{ monitors: undefined }, 'monitors', /name the monitors it covers/],
      [{ groups: ['Nowhere'] }, 'groups[0]', /no monitor is in the group "Nowhere"/],
      [{ ends_at: iso(now + HOUR_MS + 30 * DAY_MS + 1) }, 'ends_at', /at most 30 days/],
      [{ title: '   ' }, 'title', /must not be empty/],
      [{ title: 'x'.repeat(201) }, 'title', /at most 200 characters/],
      [{ title: undefined }, 'title', /required/],
      [{ starts_at: 'tomorrow' }, 'starts_at', /expected a date and time with its offset/],
      [{ starts_at: '2026-12-24T22:00:00' }, 'starts_at', /expected a date and time with its offset/],
      [{ ends_at: 1_800_000_000_000 }, 'ends_at', /expected a date and time/],
      [{ monitors: 'shop-api' }, 'monitors', /expected an array of monitor ids/],
      [{ surprise: true }, 'surprise', /unknown key/],
    ];
    for (const [change, field, message] of cases) {
      const response = await request(PATH, { token: tokens.write, json: { ...valid, ...change } });
      const label = `${JSON.stringify(change)}: ${response.text}`;
      expect(response.status, label).toBe(400);
      expect(response.body.error.code, label).toBe('bad_request');
      expect(response.body.error.issues.map((issue: { path: string }) => issue.path), label).toContain(field);
      expect(response.body.error.message, label).toMatch(message);
    }
    // Exactly 30 days is allowed.
    await schedule({ ...valid, ends_at: iso(now + HOUR_MS + 30 * DAY_MS) });

    expect((await request(PATH, { json: valid })).status).toBe(401);
    expect((await request(PATH, { token: tokens.read, json: valid })).status).toBe(403);
    expect((await request(PATH)).status).toBe(401);
    expect((await request(`${PATH}/1`, { method: 'DELETE', token: tokens.read })).status).toBe(403);
    expect((await request(`${PATH}/999`, { method: 'DELETE', token: tokens.write })).status).toBe(404);
    const byName = await request(`${PATH}/Nightly%20backups`, { method: 'DELETE', token: tokens.write });
    expect(byName.status).toBe(404);
    expect(byName.body.error.message).toMatch(/windows of the configuration are changed in its maintenance section/);
    expect((await request(PATH, { token: tokens.read })).body.maintenance).toHaveLength(1);
  }, 20_000);
});

describe('the list', () => {
  it("has the configuration's windows (read-only, their current or next span) and the API's, by start", async () => {
    await start(
      await yaml(`maintenance:
  - name: Nightly backups
    groups: [Back office]
    cron: "0 3 * * *"
    duration: 30m
  - name: Everything, once
    once: { start: "2099-01-01T00:00:00Z", duration: 1h }
  - name: Long gone
    once: { start: "2001-01-01T00:00:00Z", duration: 1h }
`),
    );
    const now = Date.now();
    const api = await schedule({ starts_at: iso(now + 10 * DAY_MS), ends_at: iso(now + 10 * DAY_MS + HOUR_MS), monitors: ['billing'] });
    const list = (await request(PATH, { token: tokens.read })).body.maintenance;
    expect(list).toHaveLength(3);
    const [nightly, fromApi, once] = list;
    expect(nightly).toEqual({
      id: null,
      source: 'config',
      title: 'Nightly backups',
      message: null,
      starts_at: expect.stringMatching(/T03:00:00\.000Z$/),
      ends_at: expect.stringMatching(/T03:30:00\.000Z$/),
      ongoing: expect.any(Boolean),
      monitors: [],
      groups: ['Back office'],
      all_monitors: false,
      schedule: 'cron',
      created_at: null,
      author: null,
    });
    expect(Date.parse(nightly.ends_at)).toBeGreaterThan(now);
    expect(fromApi).toEqual(api);
    expect(once).toMatchObject({ source: 'config', title: 'Everything, once', all_monitors: true, starts_at: '2099-01-01T00:00:00.000Z', ends_at: '2099-01-01T01:00:00.000Z', ongoing: false });
  }, 20_000);
});

describe('the status page', () => {
  it('shows a window ongoing or coming as soon as it is scheduled, and no longer once deleted', async () => {
    await start(await yaml());
    const page = async () => (await fetch(`${running!.url}/`)).text();
    const summary = async () => (await (await fetch(`${running!.url}/status/all/summary.json`)).json()) as any;
    const before = await page();
    expect(before).not.toContain('Scheduled maintenance');
    const now = Date.now();
    const ongoing = await schedule({ title: 'Search reindex', starts_at: iso(now), ends_at: iso(now + HOUR_MS), monitors: ['search'] });
    await schedule({ title: 'Shop release', starts_at: iso(now + 2 * DAY_MS), ends_at: iso(now + 2 * DAY_MS + HOUR_MS), groups: ['Shop'] });
    // A window of a private monitor only is not on the public page.
    await schedule({ title: 'Billing migration', starts_at: iso(now), ends_at: iso(now + HOUR_MS), monitors: ['billing'] });

    const html = await page();
    expect(html).toContain('Maintenance in progress');
    expect(html).toContain('Search reindex');
    expect(html).toContain('Scheduled maintenance');
    expect(html).toContain('Shop release');
    expect(html).not.toContain('Billing migration');
    const scheduled = (await summary()).scheduled_maintenances.map((m: any) => [m.name, m.status, m.scheduled_for]);
    expect(scheduled).toEqual([
      ['Search reindex', 'in_progress', iso(now)],
      ['Shop release', 'scheduled', iso(now + 2 * DAY_MS)],
    ]);

    expect((await request(`${PATH}/${ongoing.id}`, { method: 'DELETE', token: tokens.write })).status).toBe(204);
    const after = await page();
    expect(after).not.toContain('Search reindex');
    expect(after).toContain('Shop release');
    expect((await summary()).scheduled_maintenances.map((m: any) => m.name)).toEqual(['Shop release']);
  }, 20_000);
});
