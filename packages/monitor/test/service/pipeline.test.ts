/**
 * `vigil serve` in process, around the check pipeline: pauses and removals in the configuration recorded exactly
 * like the API's, the events feed over HTTP (pages and a stream that resumes), the location of what is stored, the
 * logs, and one instance per store.
 */
import { writeFile } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { parseConfigSources } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import { createMonitorServer } from '../../src/service/server.js';
import { MonitorService } from '../../src/service/service.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { tempDir } from '../support.js';
import { eventually, getJson, startTarget, type Target, writeConfig } from './harness.js';

interface EventsBody {
  events: Array<{ id: number; monitor: string; location: string; seq: number; from: string; to: string; reason: string | null; incident: number | null }>;
  next: number;
}

let dir: { dir: string; remove: () => Promise<void> };
let target: Target;
const running: RunningMonitor[] = [];
let logs: string[];

beforeEach(async () => {
  dir = await tempDir('serve-pipeline');
  target = await startTarget();
  logs = [];
});

afterEach(async () => {
  for (const monitor of running.splice(0)) await monitor.stop();
  await target.close();
  await dir.remove();
});

function yaml(monitors: string, extra = ''): string {
  return `${extra}defaults:\n  interval: 1s\n  timeout: 500ms\nmonitors:\n${monitors}`;
}

const api = (url: string, name = 'API') => `  - name: ${name}\n    type: http\n    url: ${url}/api\n    public: true\n`;

async function start(text: string, flags: { logFormat?: string; logLevel?: string } = {}): Promise<RunningMonitor> {
  const file = await writeConfig(dir.dir, text);
  const monitor = await startMonitor(
    { config: [file], port: '0', data: dir.dir, logFormat: flags.logFormat ?? 'pretty', ...(flags.logLevel ? { logLevel: flags.logLevel } : {}) },
    { env: {}, logDestination: { write: (line: string) => logs.push(line) } },
  );
  running.push(monitor);
  return monitor;
}

async function events(monitor: RunningMonitor, token: string, query = ''): Promise<EventsBody> {
  return (await getJson(`${monitor.url}/api/v1/events${query}`, token)).body as EventsBody;
}

describe('the check pipeline in vigil serve', () => {
  it('a monitor paused or removed in the configuration: its incident closed and paused recorded, like the API', async () => {
    target.status = 500;
    const monitor = await start(yaml(`${api(target.url)}${api(target.url, 'Web')}`));
    const { token } = await createApiToken(monitor.store, 'ops');
    await eventually('both down with an incident', async () => {
      const incidents = await monitor.store.incidents({ limit: 10 });
      return incidents.filter((i) => i.endedAt === undefined).length === 2 ? true : undefined;
    });
    // API is paused by the file, Web removed from it.
    await writeFile(monitor.files[0]!, yaml(`${api(target.url)}    paused: true\n`));
    expect(await monitor.reload()).toBe(true);
    expect((await monitor.store.incidents({ limit: 10 })).filter((i) => i.endedAt === undefined)).toEqual([]);
    const { events: changes } = await events(monitor, token);
    const paused = changes.filter((e) => e.to === 'paused').map((e) => [e.monitor, e.from, e.reason]);
    expect(paused.sort()).toEqual([
      ['api', 'unhealthy', 'paused in the configuration'],
      ['web', 'unhealthy', 'removed from the configuration'],
    ]);
    expect((await getJson(`${monitor.url}/api/v1/monitors/api`, token)).body).toMatchObject({ state: 'paused', paused: true });

    // Unpaused in the file: new until checked, then its own state again.
    target.status = 200;
    await writeFile(monitor.files[0]!, yaml(api(target.url)));
    expect(await monitor.reload()).toBe(true);
    await eventually('checked again', async () => ((await getJson(`${monitor.url}/api/v1/monitors/api`)).body as { state: string }).state === 'healthy' ? true : undefined);
    const later = (await events(monitor, token, '?monitor=api')).events.map((e) => `${e.from}→${e.to}`);
    expect(later.slice(-2)).toEqual(['paused→new', 'new→healthy']);
  });

  it('serves the feed to token holders: pages after a cursor, and a stream that resumes from Last-Event-ID', async () => {
    const monitor = await start(yaml(api(target.url)));
    const { token } = await createApiToken(monitor.store, 'ops');
    expect((await getJson(`${monitor.url}/api/v1/events`)).status).toBe(401);
    expect((await fetch(`${monitor.url}/api/v1/events/stream`)).status).toBe(401);
    const first = await eventually('the first change', async () => {
      const page = await events(monitor, token);
      return page.events.length > 0 ? page : undefined;
    });
    expect(first.events[0]).toMatchObject({ monitor: 'api', location: 'local', seq: 1, from: 'new', to: 'healthy' });
    expect(first.next).toBe(first.events[0]!.id);
    expect((await events(monitor, token, `?after=${first.next}`)).events).toEqual([]);
    expect((await getJson(`${monitor.url}/api/v1/events?after=abc`, token)).status).toBe(400);

    // A stream opened after the first change, resuming from it: it gets the next change as it is committed.
    const controller = new AbortController();
    const stream = await fetch(`${monitor.url}/api/v1/events/stream`, {
      headers: { authorization: `Bearer ${token}`, 'last-event-id': String(first.next) },
      signal: controller.signal,
    });
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const reader = stream.body!.getReader();
    let text = '';
    target.status = 500;
    try {
      await eventually('a state-change event on the stream', async () => {
        const { value } = await reader.read();
        text += new TextDecoder().decode(value);
        return /event: state-change\ndata: .*"to":"unhealthy"/.test(text) ? true : undefined;
      }, 10_000);
    } finally {
      controller.abort();
    }
    const id = Number(/id: (\d+)\nevent: state-change\ndata: .*"to":"unhealthy"/.exec(text)?.[1]);
    expect(id).toBeGreaterThan(first.next);
    // Nothing from before the cursor was sent again.
    expect(text).not.toMatch(/"from":"new"/);
  });

  it('stores results, states and changes with the location of the configuration', async () => {
    const monitor = await start(yaml(api(target.url), 'location: eu-west\n'));
    const { token } = await createApiToken(monitor.store, 'ops');
    await eventually('a change', async () => ((await events(monitor, token)).events.length > 0 ? true : undefined));
    expect((await events(monitor, token)).events[0]?.location).toBe('eu-west');
    expect((await monitor.store.runtimeStates('eu-west')).get('api')?.state).toBe('healthy');
    await monitor.service.flush();
    expect((await monitor.store.latestResults('api', 1))[0]?.location).toBe('eu-west');
  });

  it('logs JSON lines with fields: state changes as events; control characters cannot forge a line', async () => {
    target.status = 500;
    await start(yaml(`  - name: "Evil\\nname"\n    id: evil\n    type: http\n    url: ${target.url}/x\n`), { logFormat: 'json' });
    const line = await eventually('a state change logged', () => logs.find((l) => l.includes('"event":"state_change"')));
    expect(line.endsWith('\n')).toBe(true);
    expect(line.slice(0, -1)).not.toContain('\n');
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({ level: 'info', event: 'state_change', monitor: 'evil', from: 'new', to: 'unhealthy' });
    expect(record.msg).toBe('monitor "Evil\\nname" (evil): new → unhealthy: GET ' + `${target.url}/x returned status 500 (expected 200-299)`);
    expect(typeof record.time).toBe('string');
    // Every line of the run is one JSON object.
    for (const each of logs) expect(() => JSON.parse(each)).not.toThrow();
  });

  it('logs readable lines on a terminal, and only what the level lets through', async () => {
    await start(yaml(api(target.url)), { logFormat: 'pretty', logLevel: 'warn' });
    expect(logs.some((l) => l.includes('listening on'))).toBe(false);
    logs.length = 0;
    const second = await startMonitor(
      { config: [await writeConfig(dir.dir, yaml(api(target.url)), 'other.yaml')], port: '0', data: `${dir.dir}/other`, logFormat: 'pretty' },
      { env: {}, logDestination: { write: (line: string) => logs.push(line) } },
    );
    running.push(second);
    const listening = logs.find((l) => l.includes('listening on'));
    expect(listening).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}listening on http:\/\/127\.0\.0\.1:\d+ .* event=listening url=http:\/\/127\.0\.0\.1:\d+\n$/);
    await expect(
      startMonitor({ config: [], port: '0', data: dir.dir, logLevel: 'loud' }, { env: {}, logDestination: { write: () => undefined } }),
    ).rejects.toThrow(/--log-level: expected one of debug, info, warn, error, silent/);
  });

  it('a second vigil serve on the same store is refused, saying so; after a stop the store is free', async () => {
    const first = await start(yaml(api(target.url)));
    await expect(
      startMonitor({ config: first.files as string[], port: '0', data: dir.dir }, { env: {}, logDestination: { write: () => undefined } }),
    ).rejects.toThrow(/another vigil serve is already using .*vigil\.db/);
    await first.stop();
    running.splice(running.indexOf(first), 1);
    await start(yaml(api(target.url)));
  });
});

describe('when the store fails', () => {
  async function serviceOn(store: Store, text: string) {
    const { config } = parseConfigSources([{ file: 'vigil.yaml', text }], { env: {} });
    const lines: string[] = [];
    const logger = createLogger({ format: 'json', destination: { write: (line) => lines.push(line) } });
    const service = new MonitorService({ config, store, logger });
    return { service, lines };
  }

  it('at start: each failure logged, retried until the store answers', async () => {
    const real = await openStore({ type: 'sqlite', path: ':memory:' }, { dataDir: dir.dir });
    let failures = 2;
    const store = Object.create(real) as Store;
    store.listMonitors = async () => {
      if (failures-- > 0) throw new Error('connect ECONNREFUSED 127.0.0.1:5432 (password=hunter2)');
      return real.listMonitors();
    };
    const { service, lines } = await serviceOn(store, yaml(api(target.url)));
    try {
      await service.start();
      const failed = lines.filter((line) => line.includes('"event":"store_read_failed"'));
      expect(failed).toHaveLength(2);
      expect(failed[0]).toContain('reading the stored monitors and states failed (attempt 1); retrying in 500 ms');
      expect(lines.join('')).not.toContain('hunter2');
      await eventually('a check', () => (service.status('api')?.state === 'healthy' ? true : undefined));
    } finally {
      await service.stop();
      await real.close();
    }
  });

  it('while running: a state change that cannot be stored holds its monitor, /health says so, and it lands later', async () => {
    const real = await openStore({ type: 'sqlite', path: ':memory:' }, { dataDir: dir.dir });
    let failing = false;
    const store = Object.create(real) as Store;
    store.commit = async (commits) => {
      if (failing) throw new Error('SQLITE_FULL: database or disk is full');
      return real.commit(commits);
    };
    const { service, lines } = await serviceOn(store, yaml(api(target.url)));
    const server = createMonitorServer(service);
    try {
      await service.start();
      const address = await server.listen(0, '127.0.0.1');
      const url = `http://127.0.0.1:${address.port}`;
      await eventually('healthy', () => (service.status('api')?.state === 'healthy' ? true : undefined));
      // The details of /health are for token holders.
      const { token } = await createApiToken(real, 'ops', { scope: 'read' });
      failing = true;
      target.status = 500;
      const health = await eventually('/health to report it', async () => {
        const { status, body } = await getJson(`${url}/health`, token);
        const results = (body as { checks: Record<string, { status: string; error?: string; details?: Record<string, number> }> }).checks.results;
        return status === 503 && results?.status === 'unhealthy' ? results : undefined;
      }, 15_000);
      expect(health.error).toMatch(/storing results failed \d+ times in a row; .* 1 monitors wait for their state change to be stored/);
      expect(health.details?.state_changes_waiting).toBe(1);
      // Nothing moved on: still healthy, no incident.
      expect(service.status('api')?.state).toBe('healthy');
      expect(await real.incidents({ limit: 5 })).toEqual([]);
      expect(lines.some((line) => line.includes('"event":"store_write_failed"') && line.includes('SQLITE_FULL'))).toBe(true);
      failing = false;
      await eventually('the change stored', () => (service.status('api')?.state === 'unhealthy' ? true : undefined), 35_000);
      expect((await real.incidents({ limit: 5 })).filter((i) => i.endedAt === undefined)).toHaveLength(1);
    } finally {
      await server.close();
      await service.stop();
      await real.close();
    }
  }, 60_000);
});
