/**
 * The status pages over HTTP, in front of the real SQLite store and the real feed of state changes: what a
 * visitor, a widget and a README badge get; that only public monitors appear; that a page is built once and
 * rebuilt when something changed; that the data of a whole page comes from three store calls.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { monitorViewOf } from '../../src/api/monitors.js';
import type { MonitorView } from '../../src/api/types.js';
import { ConfigError, formatIssue, parseConfigSources } from '../../src/config/index.js';
import type { VigilConfig } from '../../src/config/schema.js';
import { silentLogger } from '../../src/log/logger.js';
import type { CheckResult, MonitorState } from '../../src/model.js';
import { EventFeed } from '../../src/pipeline/feed.js';
import { StatusIncidentService } from '../../src/service/status-incidents.js';
import { gatherPage, MONITORS_PER_PAGE } from '../../src/status-page/data.js';
import { createStatusPages, type StatusPages } from '../../src/status-page/handler.js';
import { liveUpdate } from '../../src/status-page/live.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { DAY_MS, HOUR_MS } from '../../src/store/time.js';
import { seedChange } from '../store/seed.js';

const NOW = Date.UTC(2026, 11, 6, 12, 30);
const TODAY = Date.UTC(2026, 11, 6);

const YAML = `
status_pages:
  - slug: acme
    title: "Acme <b>status</b>"
    description: "Everything at Acme <script>alert(1)</script>"
    default: true
    links: [{ label: Support, url: "https://example.com/help" }]
    footer: "© Acme"
    sections:
      - group: API
      - title: Storage
        monitors: [db]
  - slug: intern
    title: Intern
    language: de
monitors:
  - { id: api, name: "Public API <img src=x onerror=alert(1)>", type: http, url: "http://127.0.0.1:9/", public: true, group: API, description: "<script>alert(2)</script>" }
  - { id: web, name: Website, type: http, url: "http://127.0.0.1:9/", public: true, group: API }
  - { id: db, name: Database, type: tcp, host: 127.0.0.1, port: 9, public: true, group: Data }
  - { id: billing, name: Billing backend, type: http, url: "http://billing.internal/", group: API }
`;

function parse(yaml: string): VigilConfig {
  return parseConfigSources([{ file: 'vigil.yaml', text: yaml }], { env: {} }).config;
}

function problems(yaml: string): string[] {
  try {
    parse(yaml);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

const result = (monitorId: string, at: number, status: CheckResult['status'] = 'healthy', latencyMs = 50): CheckResult => ({
  monitorId,
  at,
  status,
  latencyMs,
  location: 'local',
});

let store: Store;
let feed: EventFeed;
let config: VigilConfig;
let states: Map<string, MonitorState>;
let pages: StatusPages;
let server: http.Server;
let base: string;
let monitorsVersion: object;
let incidents: StatusIncidentService;
const ops = { name: 'ops' };

function views(): MonitorView[] {
  return config.monitors.map((monitor) =>
    monitorViewOf(monitor, { source: 'config', paused: false, state: states.get(monitor.id) ?? 'new' }),
  );
}

/** The status pages of this file's monitors and configuration, on `on` (the store, or a proxy of it). */
function statusPagesOn(on: Store): StatusPages {
  return createStatusPages({
    store: on,
    feed,
    views,
    config: () => config,
    monitorsVersion: () => monitorsVersion,
    incidentsVersion: () => incidents.version,
    logger: silentLogger,
    now: () => NOW,
  });
}

beforeEach(async () => {
  store = await openStore({ type: 'sqlite', path: ':memory:' }, { dataDir: 'unused-in-memory' });
  feed = new EventFeed({ store, logger: silentLogger, pollMs: 60_000 });
  await feed.start();
  config = parse(YAML);
  states = new Map([
    ['api', 'healthy'],
    ['web', 'healthy'],
    ['db', 'healthy'],
    ['billing', 'unhealthy'],
  ]);
  monitorsVersion = {};
  incidents = new StatusIncidentService({ store, monitorExists: (id) => config.monitors.some((monitor) => monitor.id === id), now: () => NOW });
  pages = statusPagesOn(store);
  server = http.createServer((req, res) => pages.handle(req, res, () => res.writeHead(404).end('next')));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterEach(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  feed.stop();
  await store.close();
});

async function text(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { headers });
  return { status: res.status, body: await res.text(), headers: res.headers };
}

/** The `<li>` of one monitor. */
function item(html: string, id: string): string {
  const start = html.indexOf(`<li class="mon" id="m-${id}"`);
  expect(start, `monitor ${id} on the page`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</li>', start));
}

/** The cells of a monitor's bar (`d` or `h`) as their class (`''` for a good one). */
function cells(html: string, id: string, unit: 'd' | 'h'): string[] {
  const bar = new RegExp(`<div class="bar" data-unit="${unit}"[^>]*>(.*?)</div>`).exec(item(html, id))?.[1] ?? '';
  return [...bar.matchAll(/<i(?: class="(\w)")?(?: data-v="[^"]*")?><\/i>/g)].map((match) => match[1] ?? '');
}

describe('a status page', () => {
  it('shows the public monitors of its sections, in order, with what users typed escaped and nothing private', async () => {
    const { status, body, headers } = await text('/');
    expect(status).toBe(200);
    expect(headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(body).toContain('<title>Acme &lt;b&gt;status&lt;/b&gt;</title>');
    expect(body).toContain('Public API &lt;img src=x onerror=alert(1)&gt;');
    expect(body).toContain('&lt;script&gt;alert(2)&lt;/script&gt;');
    expect(body).toContain('Everything at Acme &lt;script&gt;alert(1)&lt;/script&gt;');
    // No element from user text: the only scripts are the page's own file and its texts (a data block).
    expect(body.match(/<script/g)).toHaveLength(2);
    expect(body).not.toContain('<img src=x');
    expect(body).not.toContain('Billing');
    expect(body).not.toContain('billing');
    const order = ['api', 'web', 'db'].map((id) => body.indexOf(`id="m-${id}"`));
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(body).toContain('<h2>API</h2>');
    expect(body).toContain('<h2>Storage</h2>');
    expect(body).toContain('href="https://example.com/help"');
    expect(body).toContain('All systems operational');
    expect((await text('/status/acme')).body).toBe(body);
  });

  it('has 90 day bars and 24 hour bars from the store: no data, good days, and days with downtime told apart', async () => {
    const results: CheckResult[] = [];
    // The api monitor: checked every 10 minutes for the last 10 days; 3 days ago, 6 of 144 checks failed.
    for (let at = TODAY - 10 * DAY_MS; at < NOW; at += 10 * 60_000) {
      const day = Math.floor((at - TODAY) / DAY_MS);
      const failed = day === -3 && at - (TODAY - 3 * DAY_MS) < 6 * 10 * 60_000;
      results.push(result('api', at, failed ? 'unhealthy' : 'healthy'));
    }
    await store.appendResults(results);
    await seedChange(store, 'api', 'unhealthy', TODAY - 3 * DAY_MS);
    await seedChange(store, 'api', 'healthy', TODAY - 3 * DAY_MS + 60 * 60_000);
    await feed.wake();
    const { body } = await text('/');
    const days = cells(body, 'api', 'd');
    expect(days).toHaveLength(90);
    expect(days.slice(0, 79).every((cell) => cell === 'n')).toBe(true);
    expect(days[90 - 4]).toBe('m');
    expect(days.filter((cell) => cell === '')).toHaveLength(10);
    // The day with downtime says so in its data: 95.83 % (138 of 144), 60 minutes down, one incident.
    expect(item(body, 'api')).toContain('<i class="m" data-v="9583,60,1"></i>');
    const hours = cells(body, 'api', 'h');
    expect(hours).toHaveLength(24);
    expect(hours.every((cell) => cell === '')).toBe(true);
    // Uptime over 24 h, 7 d, 30 d and 90 d; the screen-reader table lists the day with downtime.
    expect(item(body, 'api')).toMatch(/<dt>24 hours<\/dt><dd>100%<\/dd>.*<dt>7 days<\/dt><dd>99\.\d\d%<\/dd>/);
    expect(item(body, 'api')).toContain('<th scope="row">Dec 3, 2026</th><td>95.83%</td><td>60</td><td>1</td>');
    // A monitor without any result: every cell is "no data", and so are its uptimes.
    expect(cells(body, 'web', 'd').every((cell) => cell === 'n')).toBe(true);
    expect(item(body, 'web')).toContain('<dt>90 days</dt><dd>No data</dd>');
  });

  it('sums up monitors, sections and the page: some down is a partial outage, all down a major one', async () => {
    states.set('web', 'unhealthy');
    monitorsVersion = {};
    let { body } = await text('/');
    expect(item(body, 'web')).toContain('data-state="major"');
    expect(body).toMatch(/<section class="group" data-group="0" data-state="partial">/);
    expect(body).toMatch(/<section class="banner" data-state="partial"[^>]*>.*Partial outage/);
    states.set('api', 'unhealthy');
    states.set('db', 'unhealthy');
    monitorsVersion = {};
    ({ body } = await text('/'));
    expect(body).toMatch(/<section class="banner" data-state="major"[^>]*>.*Major outage/);
    states.set('api', 'degraded');
    states.set('web', 'maintenance');
    states.set('db', 'healthy');
    monitorsVersion = {};
    ({ body } = await text('/'));
    expect(item(body, 'api')).toContain('Degraded performance');
    expect(item(body, 'web')).toContain('Under maintenance');
    expect(body).toMatch(/data-state="degraded"[^>]*>.*Some systems have degraded performance/);
  });

  it('speaks the language of its configuration', async () => {
    const { body } = await text('/status/intern');
    expect(body).toContain('<html lang="de">');
    expect(body).toContain('Alle Systeme betriebsbereit');
    expect(body).toContain('Betriebsbereit');
    expect(body).toContain('vor 90 Tagen');
    // Without sections: every public monitor, by group.
    expect(body).toContain('<h2>Data</h2>');
    expect(body).not.toContain('Billing');
  });

  it('is built once, answered with an ETag and compressed, and built again when a monitor changes state', async () => {
    const first = await text('/');
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await fetch(`${base}/`, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    expect(pages.builds).toBe(1);
    for (const [encoding, decode] of [
      ['gzip', gunzipSync],
      ['br', brotliDecompressSync],
    ] as const) {
      const raw = await new Promise<{ headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
        http
          .get(`${base}/`, { headers: { 'accept-encoding': encoding } }, (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('end', () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
          })
          .on('error', reject);
      });
      expect(raw.headers['content-encoding']).toBe(encoding);
      expect(raw.headers.vary).toBe('Accept-Encoding');
      expect(decode(raw.body).toString()).toBe(first.body);
    }
    expect(pages.builds).toBe(1);
    // A state change (through the store and the feed, as the pipeline makes it) makes the next request build anew.
    states.set('web', 'unhealthy');
    await seedChange(store, 'web', 'unhealthy', NOW - 1000);
    await feed.wake();
    const after = await text('/');
    expect(pages.builds).toBe(2);
    expect(after.headers.get('etag')).not.toBe(etag);
    expect(item(after.body, 'web')).toContain('Major outage');
    expect(after.body).toContain('Current incidents');
    // Concurrent readers of a stale page share one build.
    states.set('web', 'healthy');
    monitorsVersion = {};
    await Promise.all(Array.from({ length: 20 }, () => text('/')));
    expect(pages.builds).toBe(3);
  });

  it('rebuilds after a state change by reading only the monitors that changed, the others as they were', async () => {
    await store.appendResults([result('api', NOW - HOUR_MS), result('web', NOW - HOUR_MS), result('db', NOW - HOUR_MS)]);
    const reads: Array<[string, unknown]> = [];
    const counting = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (String(key).endsWith('Summaries')) reads.push([String(key), args[0]]);
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const partial = statusPagesOn(counting);
    const page = async () => {
      const server2 = http.createServer((req, res) => partial.handle(req, res, () => res.writeHead(404).end()));
      await new Promise<void>((resolve) => server2.listen(0, '127.0.0.1', resolve));
      const body = await (await fetch(`http://127.0.0.1:${(server2.address() as AddressInfo).port}/`)).text();
      server2.closeAllConnections();
      await new Promise((resolve) => server2.close(resolve));
      return body;
    };
    const first = await page();
    expect(reads.map(([method, ids]) => `${method} ${(ids as string[]).join(',')}`)).toEqual(['dailySummaries api,web,db', 'hourlySummaries api,web,db']);
    reads.length = 0;
    states.set('web', 'unhealthy');
    await seedChange(store, 'web', 'unhealthy', NOW - 1000);
    await feed.wake();
    const second = await page();
    expect(reads.map(([method, ids]) => `${method} ${(ids as string[]).join(',')}`)).toEqual(['dailySummaries web', 'hourlySummaries web']);
    expect(item(second, 'web')).toContain('data-state="major"');
    expect(second).toMatch(/<section class="banner" data-state="partial"/);
    // The others are the same markup as before.
    expect(item(second, 'api')).toBe(item(first, 'api'));
    expect(item(second, 'db')).toBe(item(first, 'db'));
  });

  it('answers a page that does not exist, and a monitor not on the page, with 404', async () => {
    expect((await text('/status/nope')).status).toBe(404);
    expect((await text('/status/acme/monitors/billing/latency.json')).status).toBe(404);
    expect((await text('/status/acme/monitors/billing/badge/status.svg')).status).toBe(404);
    // A public monitor that this page does not list is not reachable through it either.
    config = parse(YAML.replace('      - title: Storage\n        monitors: [db]\n', ''));
    expect((await text('/status/acme/monitors/db/badge/status.svg')).status).toBe(404);
    expect((await text('/status/acme/monitors/api/badge/status.svg')).status).toBe(200);
  });
});

describe('data for a whole page', () => {
  it('comes from four store calls whatever the number of monitors, and pages past 1,000 monitors', async () => {
    const many = Array.from({ length: 2500 }, (_, index) => `  - { id: m${index}, name: Monitor ${index}, type: tcp, host: 127.0.0.1, port: 9, public: true, group: G${index % 7} }`);
    config = parse(`monitors:\n${many.join('\n')}\n`);
    await store.appendResults(config.monitors.slice(0, 300).map((monitor) => result(monitor.id, NOW - HOUR_MS)));
    const calls: string[] = [];
    const counting = new Proxy(store, {
      get(target, key, receiver) {
        const value = Reflect.get(target, key, receiver) as unknown;
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          calls.push(String(key));
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });
    const data = await gatherPage({ store: counting, config: { slug: 'all', title: 'All', links: [], language: 'en', default: true }, views: views(), windows: [], now: NOW });
    expect(calls.sort()).toEqual(['dailySummaries', 'hourlySummaries', 'incidentsOverlapping', 'statusIncidents']);
    expect(data.total).toBe(2500);
    expect(data.pageCount).toBe(3);
    expect(data.sections.reduce((sum, section) => sum + section.monitors.length, 0)).toBe(MONITORS_PER_PAGE);
    const third = await gatherPage({ store, config: data.config, views: views(), windows: [], now: NOW, pageNumber: 3 });
    expect(third.sections.reduce((sum, section) => sum + section.monitors.length, 0)).toBe(500);
    const checked = data.sections.flatMap((section) => section.monitors).filter((monitor) => monitor.hours.some((cell) => cell.checks > 0));
    expect(checked.length).toBeGreaterThan(0);
    const { body } = await text('/?page=3');
    expect(body).toContain('Page 3 of 3');
    // A page number past the last is the last page, built once: any number cannot fill the cache.
    const builds = pages.builds;
    for (const n of [4, 99, 123456789]) expect((await text(`/?page=${n}`)).body).toContain('Page 3 of 3');
    expect(pages.builds).toBe(builds);
    expect(body).toContain('href="/status/all?page=2"');
  });
});

describe('incidents written by people', () => {
  it('show on the pages of the monitors they name, with their updates; drafts do not; a resolved one moves to the history', async () => {
    const incident = await incidents.create(
      {
        title: 'Checkout errors <script>alert(1)</script>',
        status: 'investigating',
        impact: 'major',
        monitors: [{ id: 'web', impact: 'partial' }],
        published: true,
        message: 'Some payments fail.\nWe are on it.',
      },
      ops,
    );
    await incidents.create({ title: 'Secret draft', status: 'investigating', impact: 'minor', monitors: [{ id: 'api', impact: 'degraded' }], published: false, message: 'not yet' }, ops);
    await incidents.create({ title: 'About the intern page only', status: 'identified', impact: 'minor', monitors: [{ id: 'db', impact: 'degraded' }], published: true, message: 'db' }, ops);
    let { body } = await text('/');
    expect(body).toContain('Checkout errors &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(body).toContain('Some payments fail.\nWe are on it.');
    expect(body).toContain('Affected: Website (Partial outage)');
    expect(body).not.toContain('Secret draft');
    // The incident's impact is worse than what the checks see: the monitor, its section and the banner show it.
    expect(item(body, 'web')).toContain('data-state="partial"');
    expect(body).toMatch(/<section class="banner" data-state="partial"/);
    await incidents.update(incident.id, { status: 'identified', message: 'A bad deploy.' }, ops);
    ({ body } = await text('/'));
    const article = body.slice(body.indexOf(`id="incident-${incident.id}"`), body.indexOf('</article>', body.indexOf(`id="incident-${incident.id}"`)));
    expect(article).toMatch(/<span class="pill">Identified<\/span>/);
    // Updates newest first.
    expect(article.indexOf('A bad deploy.')).toBeLessThan(article.indexOf('Some payments fail.'));
    await incidents.update(incident.id, { status: 'resolved', message: 'Rolled back.' }, ops);
    ({ body } = await text('/'));
    expect(item(body, 'web')).toContain('data-state="operational"');
    expect(body).toContain('Past incidents');
    expect(body).toContain(`href="/status/acme/history#incident-${incident.id}"`);
    const history = await text('/status/acme/history');
    expect(history.status).toBe(200);
    expect(history.body).toContain('Rolled back.');
    expect(history.body).toContain('<h3>Dec 6, 2026</h3>');
    expect(history.body).not.toContain('Secret draft');
    // The intern page has every public monitor: the incident about db is on its history too.
    expect((await text('/status/intern/history')).body).toContain('About the intern page only');
  });

  it('keep their impact in live updates: a monitor an open incident calls partially down stays so when it checks healthy', () => {
    const event = { id: 7, monitorId: 'web', location: 'local', seq: 2, from: 'unhealthy' as const, to: 'healthy' as const, at: NOW };
    const plain = liveUpdate(config.status_pages[0]!, views(), [event]);
    expect(plain?.monitors).toEqual([{ id: 'web', state: 'operational' }]);
    const withIncident = liveUpdate(config.status_pages[0]!, views(), [event], new Map([['web', 'partial' as const]]));
    expect(withIncident).toEqual({
      banner: 'partial',
      groups: [
        { index: 0, state: 'partial' },
        { index: 1, state: 'operational' },
      ],
      monitors: [{ id: 'web', state: 'partial' }],
    });
    // An event about a monitor that is not on the page changes nothing.
    expect(liveUpdate(config.status_pages[0]!, views(), [{ ...event, monitorId: 'billing' }])).toBeUndefined();
  });

  it('are in the RSS and Atom feeds, escaped, with maintenance', async () => {
    config = parse(`${YAML}
maintenance:
  - name: "Database <upgrade>"
    monitors: [db]
    once: { start: "2026-12-08T22:00:00Z", duration: 2h }
`);
    const incident = await incidents.create(
      { title: 'Slow API & <friends>', status: 'monitoring', impact: 'minor', monitors: [{ id: 'api', impact: 'degraded' }], published: true, message: 'Fix deployed; watching.' },
      ops,
    );
    const rss = await text('/status/acme/feed.rss');
    expect(rss.headers.get('content-type')).toBe('application/rss+xml; charset=utf-8');
    expect(rss.body).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<rss version="2.0"/);
    expect(rss.body).toContain('<title>[Monitoring] Slow API &amp; &lt;friends&gt;</title>');
    expect(rss.body).toContain(`/status/acme/history#incident-${incident.id}</link>`);
    expect(rss.body).toContain('<title>[Scheduled maintenance] Database &lt;upgrade&gt;</title>');
    expect(rss.body).toContain(`<link>${base}/status/acme</link>`);
    const atom = await text('/status/acme/feed.atom');
    expect(atom.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(atom.body).toContain('<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en">');
    expect(atom.body).toContain('<title>[Monitoring] Slow API &amp; &lt;friends&gt;</title>');
    expect(atom.body).toContain('<content type="text">Monitoring (2026-12-06T12:30:00.000Z): Fix deployed; watching.</content>');
    // Nothing of user text is left unescaped in either feed.
    for (const xml of [rss.body, atom.body]) expect(xml).not.toMatch(/<friends>|<upgrade>/);
    // Built once (same ETag for the next reader), and again when an incident is written.
    expect((await text('/status/acme/feed.atom')).headers.get('etag')).toBe(atom.headers.get('etag'));
    await incidents.update(incident.id, { status: 'resolved', message: 'All good.' }, ops);
    const after = await text('/status/acme/feed.atom');
    expect(after.headers.get('etag')).not.toBe(atom.headers.get('etag'));
    expect(after.body).toContain('<title>[Resolved] Slow API &amp; &lt;friends&gt;</title>');
  });

  it('are in summary.json with their updates, in the hosted status-page API shape', async () => {
    const incident = await incidents.create(
      { title: 'Payments delayed', status: 'identified', impact: 'major', monitors: [{ id: 'web', impact: 'major' }], published: true, message: 'Bank link down.' },
      ops,
    );
    const summary = (await (await fetch(`${base}/status/acme/summary.json`)).json()) as any;
    expect(summary.status.indicator).toBe('major');
    expect(summary.incidents).toHaveLength(1);
    expect(summary.incidents[0]).toMatchObject({
      id: `s${incident.id}`,
      name: 'Payments delayed',
      status: 'identified',
      impact: 'major',
      resolved_at: null,
      components: [{ id: 'web', name: 'Website', status: 'major_outage' }],
    });
    expect(summary.incidents[0].incident_updates).toEqual([
      expect.objectContaining({ status: 'identified', body: 'Bank link down.', created_at: '2026-12-06T12:30:00.000Z' }),
    ]);
  });
});

describe('machine-readable status', () => {
  it('summary.json has the shape of the hosted status-page API', async () => {
    states.set('web', 'unhealthy');
    await seedChange(store, 'web', 'unhealthy', NOW - 5 * 60_000);
    const res = await fetch(`${base}/status/acme/summary.json`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const summary = (await res.json()) as any;
    expect(summary.page).toMatchObject({ id: 'acme', name: 'Acme <b>status</b>', time_zone: 'Etc/UTC' });
    expect(summary.status).toEqual({ indicator: 'major', description: 'Partial System Outage' });
    const byId = Object.fromEntries(summary.components.map((component: any) => [component.id, component]));
    expect(byId['group-0']).toMatchObject({ name: 'API', group: true, status: 'partial_outage', components: ['api', 'web'] });
    expect(byId.web).toMatchObject({ name: 'Website', status: 'major_outage', group_id: 'group-0', group: false });
    expect(byId.db).toMatchObject({ status: 'operational', group_id: 'group-1' });
    expect(byId.billing).toBeUndefined();
    expect(summary.incidents).toHaveLength(1);
    expect(summary.incidents[0]).toMatchObject({ name: 'Website: outage', status: 'investigating', impact: 'major', resolved_at: null });
    expect(summary.incidents[0].components).toEqual([{ id: 'web', name: 'Website', status: 'major_outage' }]);
    expect(summary.scheduled_maintenances).toEqual([]);
  });

  it('summary.json and the page list maintenance that is on now or coming', async () => {
    config = parse(`${YAML}
maintenance:
  - name: Database upgrade
    monitors: [db]
    once: { start: "2026-12-08T22:00:00Z", duration: 2h }
  - name: Weekly restart
    groups: [API]
    weekly: { days: [sun], at: "12:00", duration: 1h }
`);
    const summary = (await (await fetch(`${base}/status/acme/summary.json`)).json()) as any;
    const names = summary.scheduled_maintenances.map((entry: any) => `${entry.name} ${entry.status} ${entry.scheduled_for}`);
    // NOW is a Sunday, 12:30 UTC: this week's window is open, and next Sunday's is within the 14 days announced.
    expect(names).toEqual([
      'Weekly restart in_progress 2026-12-06T12:00:00.000Z',
      'Database upgrade scheduled 2026-12-08T22:00:00.000Z',
      'Weekly restart scheduled 2026-12-13T12:00:00.000Z',
    ]);
    const { body } = await text('/');
    expect(body).toContain('Maintenance in progress');
    expect(body).toContain('Scheduled maintenance');
    expect(body).toContain('Database upgrade');
    expect(body).toContain('Affects: Database');
  });

  it('badges: SVG and shields.io endpoint JSON for a page and a monitor, cacheable', async () => {
    for (let at = NOW - 2 * HOUR_MS; at < NOW; at += 60_000) {
      await store.appendResults([result('api', at, at < NOW - 2 * HOUR_MS + 10 * 60_000 ? 'unhealthy' : 'healthy', 120)]);
    }
    const page = await text('/status/acme/badge.svg');
    expect(page.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(page.headers.get('cache-control')).toBe('public, max-age=60');
    expect(page.body).toMatch(/^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(page.body).toContain('Acme &lt;b&gt;status&lt;/b&gt;');
    expect(page.body).toContain('>up<');
    const status = (await (await fetch(`${base}/status/acme/monitors/web/badge/status.json`)).json()) as any;
    expect(status).toEqual({ schemaVersion: 1, label: 'Website', message: 'up', color: 'brightgreen' });
    const uptime = (await (await fetch(`${base}/status/acme/monitors/api/badge/uptime.json?window=24h`)).json()) as any;
    // 110 of 120 checks up.
    expect(uptime).toEqual({ schemaVersion: 1, label: 'uptime 24h', message: '91.66%', color: 'orange' });
    const response = (await (await fetch(`${base}/status/acme/monitors/api/badge/response.json`)).json()) as any;
    expect(response).toMatchObject({ label: 'response 24h', message: '120 ms' });
    expect((await text('/status/acme/monitors/api/badge/uptime.svg?window=1y')).status).toBe(400);
    expect((await text('/status/acme/monitors/api/badge/uptime.svg?window=30d')).body).toContain('91.66%');
  });

  it('latency.json: average and 95th percentile per hour or day, for the chart', async () => {
    await store.appendResults([result('api', NOW - 2 * HOUR_MS + 1000, 'healthy', 100), result('api', NOW - 2 * HOUR_MS + 2000, 'healthy', 300)]);
    const body = (await (await fetch(`${base}/status/acme/monitors/api/latency.json?range=h24`)).json()) as any;
    expect(body.unit).toBe('hour');
    expect(body.points).toHaveLength(1);
    expect(body.points[0][0]).toBe(Math.floor((NOW - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS);
    expect(body.points[0][1]).toBe(200);
    expect(body.points[0][2]).toBeGreaterThanOrEqual(290);
    expect(((await (await fetch(`${base}/status/acme/monitors/api/latency.json?range=d30`)).json()) as any).unit).toBe('day');
    expect((await text('/status/acme/monitors/api/latency.json?range=1y')).status).toBe(400);
  });
});

describe('status_pages in the configuration', () => {
  it('names the file, line and field of a mistake', () => {
    expect(
      problems(`${YAML}  - { id: other, name: Other, type: tcp, host: 127.0.0.1, port: 9, public: true }
`.replace('monitors: [db]', 'monitors: [db, nope, billing]')),
    ).toEqual([
      'vigil.yaml:12:24: status_pages[0].sections[1].monitors[1]: no monitor with id "nope" in the configuration',
      'vigil.yaml:12:30: status_pages[0].sections[1].monitors[2]: monitor "billing" is not public: set public: true on it to show it on a status page',
    ]);
    expect(
      problems(`status_pages:
  - { slug: a, title: A, default: true }
  - { slug: a, title: B, default: true }
  - { slug: "Not a slug", title: C, sections: [{ monitors: [x] }] }
`),
    ).toEqual([
      'vigil.yaml:3:13: status_pages[1].slug: slug "a" is already used by status_pages[0]',
      'vigil.yaml:3:35: status_pages[1].default: status_pages[0] is already the default page',
      'vigil.yaml:4:13: status_pages[2].slug: expected lower-case letters, digits and dashes, like "api" or "internal-tools", got "Not a slug"',
      'vigil.yaml:4:48: status_pages[2].sections[0].title: a section of named monitors needs a title',
      'vigil.yaml:4:61: status_pages[2].sections[0].monitors[0]: no monitor with id "x" in the configuration',
    ]);
  });
});
