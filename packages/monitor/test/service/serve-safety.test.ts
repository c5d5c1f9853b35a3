/**
 * `vigil serve` with bad input and on a shared machine, in process with a real SQLite store in a temporary
 * directory: reloads that never drop monitors by accident, the port bound before anything is created, a database
 * only its owner can read, log lines nothing can forge, and what anonymous callers of /metrics, /health and the
 * status page may see.
 */
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { tempDir } from '../support.js';
import { eventually, getJson, startTarget, type Target, writeConfig } from './harness.js';

let dir: { dir: string; remove: () => Promise<void> };
let target: Target;
let running: RunningMonitor | undefined;
let logs: string[];

beforeEach(async () => {
  dir = await tempDir('serve-safety');
  target = await startTarget();
  logs = [];
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await target.close();
  await dir.remove();
});

const monitors = (url: string) => `
defaults:
  interval: 1s
  timeout: 800ms
monitors:
  - name: Shop API
    type: http
    url: ${url}/api
    public: true
  - name: Internal admin
    type: http
    url: ${url}/admin
`;

async function start(
  yaml: string,
  options: { data?: string; logFormat?: 'pretty' | 'json'; port?: string } = {},
): Promise<RunningMonitor> {
  const file = await writeConfig(dir.dir, yaml);
  running = await startMonitor(
    { config: [file], port: options.port ?? '0', data: options.data ?? dir.dir, logFormat: options.logFormat ?? 'pretty' },
    {
      env: {},
      logDestination: { write: (line: string) => logs.push(line) },
      configWatch: { pollMs: 100, quietMs: 500 },
    },
  );
  return running;
}

const mode = async (file: string) => (await stat(file)).mode & 0o777;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('reloads never drop monitors by accident', () => {
  it('an emptied file keeps the running configuration and says why; states and open incidents stay', async () => {
    target.status = 500;
    const monitor = await start(monitors(target.url));
    await eventually('the shop API down', () => (monitor.service.status('shop-api')?.state === 'unhealthy' ? true : undefined));
    const file = path.join(dir.dir, 'vigil.yaml');

    await writeFile(file, '');
    await eventually('the reload refused', () => (logs.some((line) => line.includes('reload_refused')) ? true : undefined));
    const refused = logs.find((line) => line.includes('reload_refused')) ?? '';
    expect(refused).toContain('the configuration was not reloaded; the running one stays in use (2 monitors)');
    expect(refused).toContain(`${file}: empty (no monitors, no settings)`);
    expect(refused).toContain('write `monitors: []`');
    expect(monitor.service.allMonitors().map((m) => m.config.id)).toEqual(['shop-api', 'internal-admin']);
    expect(monitor.service.status('shop-api')?.state).toBe('unhealthy');
    const incidents = (await getJson(`${monitor.url}/api/v1/incidents?monitor=shop-api`)).body as { incidents: Array<{ ended_at: string | null }> };
    expect(incidents.incidents[0]?.ended_at).toBeNull();

    // Removing every monitor on purpose works.
    await writeFile(file, 'monitors: []\n');
    await eventually('the reload', () => (logs.some((line) => line.includes('configuration reloaded: 0 monitors')) ? true : undefined));
  });

  it('a file being written is read once it stopped changing, not half-written', async () => {
    const monitor = await start(monitors(target.url));
    const file = path.join(dir.dir, 'vigil.yaml');
    const next = `${monitors(target.url)}  - name: Search
    type: http
    url: ${target.url}/search
`;
    // Written in three parts, each within the quiet time of the one before: only the whole file is loaded.
    const cut = [Math.floor(next.length / 3), Math.floor((2 * next.length) / 3)];
    await writeFile(file, next.slice(0, cut[0]));
    await sleep(250);
    await writeFile(file, next.slice(0, cut[1]));
    await sleep(250);
    await writeFile(file, next);
    await eventually('the reload', () => (logs.some((line) => line.includes('configuration reloaded: 3 monitors')) ? true : undefined));
    expect(logs.filter((line) => line.includes('reload_refused'))).toEqual([]);
    expect(logs.filter((line) => line.includes('configuration reloaded'))).toHaveLength(1);
    expect(monitor.service.allMonitors()).toHaveLength(3);
  });
});

describe('nothing is created before the port is bound', () => {
  it('a port in use stops the server with the address, and leaves no data directory or database', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    const data = path.join(dir.dir, 'not-yet');
    try {
      await expect(start(monitors(target.url), { data, port: String(port) })).rejects.toThrow(
        `cannot listen on 127.0.0.1:${port}: the address is already in use`,
      );
      expect(existsSync(data)).toBe(false);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('the port answers 503 until the monitor is ready, then the monitor answers', async () => {
    const monitor = await start(monitors(target.url));
    expect((await fetch(`${monitor.url}/livez`)).status).toBe(200);
  });
});

describe('the SQLite database is for its owner only', () => {
  it('a new data directory is 0700; the database, its WAL, SHM and lock file 0600', async () => {
    const data = path.join(dir.dir, 'data');
    const monitor = await start(monitors(target.url), { data });
    await eventually('a stored result', async () => {
      const { body } = await getJson(`${monitor.url}/api/v1/monitors/shop-api/results`);
      return (body as { results: unknown[] }).results.length > 0 ? true : undefined;
    });
    expect(await mode(data)).toBe(0o700);
    for (const name of ['vigil.db', 'vigil.db-wal', 'vigil.db-shm', 'vigil.db.lock']) {
      expect(await mode(path.join(data, name)), name).toBe(0o600);
    }
    expect(logs.filter((line) => line.includes('storage_permissions'))).toEqual([]);
  });

  it('an existing directory others can read is reported, and left as it is', async () => {
    const data = path.join(dir.dir, 'shared');
    await mkdir(data);
    await chmod(data, 0o755);
    await start(monitors(target.url), { data });
    const warning = logs.find((line) => line.includes('storage_permissions')) ?? '';
    expect(warning).toContain(`${data} can be read by other users (mode 0755)`);
    expect(warning).toContain(`chmod 700 ${data}`);
    expect(await mode(data)).toBe(0o755);
    expect(await mode(path.join(data, 'vigil.db'))).toBe(0o600);
  });
});

describe('log lines cannot be forged', () => {
  const heartbeat = `
monitors:
  - name: "Nightly\\u001b[31m backup"
    id: nightly
    type: heartbeat
    schedule: { period: 1h }
`;
  const forged = 'disk full\n12:00:00.000 INFO  all good, nothing to see\u001b[32m\r\u0007';

  it.each(['pretty', 'json'] as const)('a ping body with a newline and ESC stays inside its %s line', async (format) => {
    const monitor = await start(heartbeat, { logFormat: format });
    const response = await fetch(`${monitor.url}/ping/nightly/fail`, { method: 'POST', body: forged });
    expect(response.status).toBe(200);
    await eventually('the state change logged', () => (logs.some((line) => line.includes('disk full')) ? true : undefined));
    for (const line of logs) {
      // One record per write, ending with its only newline; no raw control character anywhere.
      expect(line.endsWith('\n')).toBe(true);
      // eslint-disable-next-line no-control-regex
      expect(line.slice(0, -1)).not.toMatch(/[\u0000-\u001f\u007f]/);
    }
    expect(logs.some((line) => line.startsWith('12:00:00.000 INFO  all good'))).toBe(false);
    const logged = logs.find((line) => line.includes('disk full')) ?? '';
    if (format === 'pretty') {
      expect(logged).toContain('disk full\\n12:00:00.000 INFO  all good, nothing to see\\x1b[32m\\r\\x07');
      expect(logs.join('')).toMatch(/Nightly\\(x1b|u001b)\[31m backup/);
    } else {
      expect(JSON.parse(logged).reason).toContain(forged);
    }
  });
});

describe('private stays private', () => {
  const ids = (text: string) => [...new Set([...text.matchAll(/monitor="([^"]+)"/g)].map((m) => m[1]))].sort();

  it('/metrics: public monitors for anonymous callers, every monitor with a token, 401 for a bad token', async () => {
    const monitor = await start(monitors(target.url));
    await eventually('both checked', () =>
      monitor.service.latestResult('shop-api') && monitor.service.latestResult('internal-admin') ? true : undefined,
    );
    const anonymous = await (await fetch(`${monitor.url}/metrics`)).text();
    expect(ids(anonymous)).toEqual(['shop-api']);
    expect(anonymous).toContain('vigil_monitor_checks_total');

    const { token } = await createApiToken(monitor.store, 'prometheus', { scope: 'read' });
    const withToken = await (await fetch(`${monitor.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(ids(withToken)).toEqual(['internal-admin', 'shop-api']);

    const bad = await fetch(`${monitor.url}/metrics`, { headers: { authorization: 'Bearer vgl_nope' } });
    expect(bad.status).toBe(401);
    expect(await bad.text()).not.toContain('internal-admin');
  });

  it('/metrics with metrics.public: all shows every monitor to anyone', async () => {
    const monitor = await start(`metrics:\n  public: all\n${monitors(target.url)}`);
    await eventually('both checked', () =>
      monitor.service.latestResult('shop-api') && monitor.service.latestResult('internal-admin') ? true : undefined,
    );
    expect(ids(await (await fetch(`${monitor.url}/metrics`)).text())).toEqual(['internal-admin', 'shop-api']);
  });

  it('/health: statuses for anyone, the counts only with a token', async () => {
    const monitor = await start(monitors(target.url));
    const anonymous = (await getJson(`${monitor.url}/health`)).body as Record<string, any>;
    expect(anonymous.status).toBe('healthy');
    expect(Object.keys(anonymous.checks ?? {})).toEqual(expect.arrayContaining(['store', 'scheduler']));
    expect(JSON.stringify(anonymous)).not.toMatch(/monitors|"runs"/);
    const { token } = await createApiToken(monitor.store, 'ops', { scope: 'read' });
    const detailed = (await getJson(`${monitor.url}/health`, token)).body as Record<string, any>;
    expect(detailed.checks.scheduler.details).toMatchObject({ monitors: 2 });
  });

  it('/metrics durations are rounded to the microsecond', async () => {
    const monitor = await start(monitors(target.url));
    await eventually('checked', () => (monitor.service.latestResult('shop-api') ? true : undefined));
    const text = await (await fetch(`${monitor.url}/metrics`)).text();
    const durations = [...text.matchAll(/^vigil_probe(?:_phase)?_duration_seconds\{[^}]*\} (\S+)$/gm)].map((m) => m[1] ?? '');
    expect(durations.length).toBeGreaterThan(0);
    for (const value of durations) expect(value, value).toMatch(/^\d+(\.\d{1,6})?(e-\d+)?$/);
    for (const value of durations) expect(Number(value)).toBe(Math.round(Number(value) * 1e6) / 1e6);
  });
});

describe('heartbeats show what the docs describe', () => {
  it('their own state, last ping, run and last /log message, in the API and on the status page', async () => {
    const monitor = await start(`
monitors:
  - name: Nightly backup
    id: nightly
    type: heartbeat
    public: true
    ping_key: nightly-k3y-0001
    schedule: { period: 1h }
`);
    const before = (await getJson(`${monitor.url}/api/v1/monitors/nightly`)).body as Record<string, any>;
    expect(before.state).toBe('new');
    expect(before.heartbeat).toMatchObject({ state: 'new', last_ping_at: null, running: false });
    expect(await (await fetch(monitor.url)).text()).toContain('No ping yet');

    await fetch(`${monitor.url}/ping/nightly-k3y-0001/start`);
    await fetch(`${monitor.url}/ping/nightly-k3y-0001/log`, { method: 'POST', body: 'copied 12 GB' });
    const running = (await getJson(`${monitor.url}/api/v1/monitors/nightly`)).body as Record<string, any>;
    expect(running.heartbeat.running).toBe(true);
    // Anonymous callers see the state and the pings, not the job's output.
    expect(running.heartbeat).not.toHaveProperty('last_message');
    const { token } = await createApiToken(monitor.store, 'ops', { scope: 'read' });
    const detailed = (await getJson(`${monitor.url}/api/v1/monitors/nightly`, token)).body as Record<string, any>;
    expect(detailed.heartbeat).toMatchObject({ running: true, last_message: 'copied 12 GB' });
    expect(detailed.heartbeat.run_started_at).not.toBeNull();

    await fetch(`${monitor.url}/ping/nightly-k3y-0001/0`);
    const done = await eventually('the run stored', async () => {
      const { body } = await getJson(`${monitor.url}/api/v1/monitors/nightly`, token);
      const view = body as Record<string, any>;
      return view.state === 'healthy' ? view : undefined;
    });
    expect(done.heartbeat).toMatchObject({ state: 'up', running: false, last_exit_status: 0 });
    expect(done.heartbeat.last_duration_ms).toBeGreaterThanOrEqual(0);
    const page = await (await fetch(monitor.url)).text();
    expect(page).toMatch(/<span class="st-label">Operational<\/span>/);
    expect(page).toMatch(/Last ping [A-Z][a-z]{2} \d+, \d{4}, \d+:\d\d [AP]M UTC/);
  });
});
