/**
 * `vigil serve` in process: real HTTP targets, real probes, a real SQLite store in a temporary directory, the
 * real HTTP server. What a user of the monitor sees: results on schedule, states and incidents, the API, the
 * server's own /health and /metrics, the front page, reloads.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { checkMetrics, PROMETHEUS_ACCEPT, parseOpenMetrics } from '../../../health/test/metrics-support.js';
import { tempDir } from '../support.js';
import { eventually, getJson, startTarget, type Target, writeConfig } from './harness.js';

interface ResultsBody {
  results: Array<{ status: string; status_code: number | null; error: string | null }>;
}
interface MonitorsBody {
  monitors: Array<{ id: string; state: string; name: string }>;
}
interface IncidentsBody {
  incidents: Array<{ monitor: string; status: string; started_at: string; ended_at: string | null; cause: string | null }>;
}

let dir: { dir: string; remove: () => Promise<void> };
let target: Target;
let running: RunningMonitor | undefined;
let logs: string[];

beforeEach(async () => {
  dir = await tempDir('serve');
  target = await startTarget();
  logs = [];
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await target.close();
  await dir.remove();
});

function config(monitors: string): string {
  return `
defaults:
  interval: 1s
  timeout: 800ms
monitors:
${monitors}`;
}

async function start(yaml: string): Promise<RunningMonitor> {
  const file = await writeConfig(dir.dir, yaml);
  running = await startMonitor(
    { config: [file], port: '0', data: dir.dir, logFormat: 'pretty' },
    { env: {}, logDestination: { write: (line: string) => logs.push(line) } },
  );
  return running;
}

const shopApi = (url: string, extra = '') => `
  - name: Shop API
    type: http
    url: ${url}/api
    public: true
    retries: 1
${extra}`;

describe('vigil serve', () => {
  it('checks on schedule, stores results and serves them through the API, /health and /metrics', async () => {
    const monitor = await start(
      config(`${shopApi(target.url)}
  - name: Internal admin
    type: http
    url: ${target.url}/admin
`),
    );
    expect(logs.some((line) => line.includes(`listening on ${monitor.url}`))).toBe(true);

    const results = await eventually('two stored results', async () => {
      const { body } = await getJson(`${monitor.url}/api/v1/monitors/shop-api/results?limit=5`);
      const rows = (body as ResultsBody).results;
      return rows.length >= 2 ? rows : undefined;
    });
    expect(results[0]).toMatchObject({ status: 'healthy', status_code: 200, error: null });

    // Anonymous callers see the public monitor only.
    const anonymous = (await getJson(`${monitor.url}/api/v1/monitors`)).body as MonitorsBody;
    expect(anonymous.monitors.map((m) => m.id)).toEqual(['shop-api']);
    expect((await getJson(`${monitor.url}/api/v1/monitors/internal-admin/results`)).status).toBe(404);

    const health = await getJson(`${monitor.url}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({
      status: 'healthy',
      checks: { store: { status: 'healthy' }, scheduler: { status: 'healthy' }, results: { status: 'healthy' } },
    });

    const metrics = await (await fetch(`${monitor.url}/metrics`)).text();
    expect(metrics).toContain('vigil_probe_success{monitor="shop-api",type="http"} 1');
    expect(metrics).toContain('vigil_probe_http_status_code{monitor="shop-api"} 200');
    expect(metrics).toContain('vigil_monitor_status{monitor="shop-api",type="http",status="healthy"} 1');
    expect(metrics).toContain('vigil_monitor_status{monitor="shop-api",type="http",status="unhealthy"} 0');
    expect(metrics).toMatch(/vigil_probe_phase_duration_seconds\{monitor="shop-api",phase="first_byte"\} [0-9.e-]+/);
    expect(metrics).toMatch(/vigil_monitor_checks_total [1-9]/);
    // What Prometheus scrapes is clean by its own linter.
    expect(await checkMetrics(metrics)).toEqual({ code: 0, findings: [] });

    // Prometheus asks for OpenMetrics first: one `# EOF`, at the end, and Prometheus' own parser accepts it.
    const om = await fetch(`${monitor.url}/metrics`, { headers: { accept: PROMETHEUS_ACCEPT } });
    expect(om.headers.get('content-type')).toContain('application/openmetrics-text');
    const omBody = await om.text();
    expect(omBody.endsWith('# EOF\n')).toBe(true);
    expect(omBody.match(/# EOF/g)).toHaveLength(1);
    expect(omBody).toContain('# UNIT vigil_probe_duration_seconds seconds');
    const parsed = await parseOpenMetrics(omBody);
    expect(parsed.output).not.toMatch(/error/i);
    expect(parsed.code).toBe(0);
  });

  it('retries before going down, opens an incident, and closes it on recovery', async () => {
    const monitor = await start(config(shopApi(target.url)));
    const state = async () =>
      ((await getJson(`${monitor.url}/api/v1/monitors`)).body as MonitorsBody).monitors.find((m) => m.id === 'shop-api')
        ?.state;
    await eventually('healthy', async () => ((await state()) === 'healthy' ? true : undefined));

    target.status = 500;
    // retries: 1 → the first failure leaves it pending, the second makes it unhealthy.
    const seen = new Set<string>();
    await eventually('unhealthy', async () => {
      const now = await state();
      if (now) seen.add(now);
      return now === 'unhealthy' ? true : undefined;
    });
    expect(seen.has('pending') || logs.some((line) => line.includes('healthy → pending'))).toBe(true);
    const opened = await eventually('an open incident', async () => {
      const body = (await getJson(`${monitor.url}/api/v1/incidents?monitor=shop-api`)).body as IncidentsBody;
      return body.incidents.find((incident) => incident.ended_at === null);
    });
    expect(opened).toMatchObject({ status: 'unhealthy' });
    expect(opened.cause).toContain('500');

    target.status = 200;
    await eventually('healthy again', async () => ((await state()) === 'healthy' ? true : undefined));
    const closed = await eventually('the incident closed', async () => {
      const body = (await getJson(`${monitor.url}/api/v1/incidents?monitor=shop-api`)).body as IncidentsBody;
      return body.incidents.find((incident) => incident.ended_at !== null);
    });
    expect(Date.parse(closed.ended_at as string)).toBeGreaterThan(Date.parse(closed.started_at));
    expect(logs.some((line) => line.includes('"Shop API" (shop-api): unhealthy → healthy'))).toBe(true);
    // The first healthy result of a new monitor is expected, and not logged (10,000 monitors: 10,000 lines).
    expect(logs.filter((line) => line.includes('new →'))).toEqual([]);
  });

  it('logs a new monitor whose first result is not healthy', async () => {
    target.status = 503;
    await start(config(shopApi(target.url)));
    const line = await eventually('the log line', () => logs.find((l) => l.includes('"Shop API" (shop-api): new →')));
    expect(line).toMatch(/new → pending: .*503/);
  });

  it('pauses and resumes through the API with a token; a paused monitor is not checked', async () => {
    const monitor = await start(config(shopApi(target.url)));
    const { token } = await createApiToken(monitor.store, 'test');
    const post = (path: string, auth = true) =>
      fetch(`${monitor.url}${path}`, { method: 'POST', headers: auth ? { authorization: `Bearer ${token}` } : {} });
    expect((await post('/api/v1/monitors/shop-api/pause', false)).status).toBe(401);
    await eventually('a first check', () => (target.requests > 0 ? true : undefined));

    const paused = await post('/api/v1/monitors/shop-api/pause');
    expect(paused.status).toBe(200);
    expect(((await paused.json()) as { state: string }).state).toBe('paused');
    await new Promise((resolve) => setTimeout(resolve, 300)); // a check in flight at the pause is cut off
    const before = target.requests;
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(target.requests).toBe(before);

    expect((await post('/api/v1/monitors/shop-api/resume')).status).toBe(200);
    await eventually('checked again', () => (target.requests > before ? true : undefined), 5000);
  });

  it('creates a monitor through the API and checks it', async () => {
    const monitor = await start(config(shopApi(target.url)));
    const { token } = await createApiToken(monitor.store, 'ci');
    const created = await fetch(`${monitor.url}/api/v1/monitors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'http', name: 'Checkout', url: `${target.url}/checkout`, interval: '1s', timeout: '500ms' }),
    });
    expect(created.status).toBe(201);
    const rows = await eventually('a result of the new monitor', async () => {
      const { body } = await getJson(`${monitor.url}/api/v1/monitors/checkout/results`, token);
      const list = (body as ResultsBody).results;
      return list.length > 0 ? list : undefined;
    });
    expect(rows[0]?.status).toBe('healthy');
    expect(await monitor.store.listMonitors()).toHaveLength(1);
  });

  it('shows public monitors on the status page, escaped, and nothing of private ones', async () => {
    const monitor = await start(
      config(`
  - name: "<script>alert(1)</script> & Co"
    id: tricky
    type: http
    url: ${target.url}/x
    public: true
    description: "<img src=x onerror=alert(2)>"
  - name: Hidden billing backend
    type: http
    url: ${target.url}/billing
`),
    );
    await eventually('a check', () => (target.requests >= 2 ? true : undefined));
    const res = await fetch(`${monitor.url}/`);
    expect(res.headers.get('content-type')).toContain('text/html');
    const html = await res.text();
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
    expect(html).toContain('&lt;img src=x onerror=alert(2)&gt;');
    expect(html).not.toContain('<script>');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('Hidden billing');
    expect(html).not.toContain('/billing');
  });

  it('reloads a valid configuration and keeps the running one when the new one is invalid', async () => {
    const monitor = await start(config(shopApi(target.url)));
    const file = monitor.files[0] as string;
    await writeFile(file, config(`${shopApi(target.url)}\n  - name: Broken\n    type: http\n    url: not a url\n`));
    expect(await monitor.reload()).toBe(false);
    const rejected = logs.find((line) => line.includes('was not reloaded'));
    expect(rejected).toBeDefined();
    expect(rejected).toMatch(/vigil\.yaml:\d+:\d+/);
    expect(rejected).toContain('monitors[1].url');
    expect(monitor.service.allMonitors().map((m) => m.config.id)).toEqual(['shop-api']);

    await writeFile(
      file,
      config(`${shopApi(target.url)}
  - name: Search
    type: http
    url: ${target.url}/search
    public: true
`),
    );
    // The file watcher picks the change up by itself (it polls every second).
    await eventually(
      'the reload',
      () => (monitor.service.allMonitors().some((m) => m.config.id === 'search') ? true : undefined),
      8000,
    );
    await eventually('a result of the added monitor', async () => {
      const { body } = await getJson(`${monitor.url}/api/v1/monitors/search/results`);
      return (body as ResultsBody).results.length > 0 ? true : undefined;
    });
    expect(logs.some((line) => line.includes('configuration reloaded: 2 monitors'))).toBe(true);
  });

  it('takes heartbeat pings at /ping/<id>, stores them, and a ping resumes a heartbeat paused through the API', async () => {
    const monitor = await start(
      config(`${shopApi(target.url)}
  - name: Nightly backup
    id: nightly-backup
    type: heartbeat
    public: true
    ping_key: k3y-of-the-backup
    schedule:
      period: 1h
      grace: 10m
`),
    );
    const ping = (suffix = '', body?: string) =>
      fetch(`${monitor.url}/ping/k3y-of-the-backup${suffix}`, body === undefined ? {} : { method: 'POST', body });
    const started = await ping('/start');
    expect(started.status).toBe(200);
    expect(await started.text()).toBe('OK');
    expect((await ping('/0')).status).toBe(200);
    const stored = await eventually('a stored heartbeat result', async () => {
      const { body } = await getJson(`${monitor.url}/api/v1/monitors/nightly-backup/results`);
      const rows = (body as ResultsBody).results;
      return rows.length > 0 ? rows : undefined;
    });
    expect(stored[0]?.status).toBe('healthy');
    expect(monitor.service.heartbeatViews().get('nightly-backup')).toMatchObject({ state: 'up', running: false });

    expect((await ping('/fail', 'disk full')).status).toBe(200);
    await eventually('the failure recorded', async () => {
      const { body } = await getJson(`${monitor.url}/api/v1/monitors/nightly-backup/results`);
      const latest = (body as ResultsBody).results[0];
      return latest?.status === 'unhealthy' && latest.error?.includes('disk full') ? true : undefined;
    });
    expect((await fetch(`${monitor.url}/ping/no-such-key`)).status).toBe(404);

    const { token } = await createApiToken(monitor.store, 'ops');
    const pause = await fetch(`${monitor.url}/api/v1/monitors/nightly-backup/pause`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(((await pause.json()) as { state: string }).state).toBe('paused');
    expect((await ping()).status).toBe(200);
    await eventually('resumed by the ping', () =>
      monitor.service.status('nightly-backup')?.state === 'healthy' ? true : undefined,
    );
  });

  it('refuses to start with an invalid configuration, naming the file, line and field', async () => {
    const file = await writeConfig(dir.dir, config('  - name: X\n    type: http\n    url: ftp://nope\n    interval: 2x\n'));
    const error = await startMonitor({ config: [file], port: '0', data: dir.dir, logFormat: 'pretty' }, { env: {}, logDestination: { write: () => undefined } }).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/vigil\.yaml:8:\d+.*monitors\[0\]\.url/s);
    expect(error?.message).toContain('monitors[0].interval');
  });
});
