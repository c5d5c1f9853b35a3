/**
 * POST /api/v1/monitors/{id}/check: `vigil serve` in process, its monitors checking local HTTP targets every hour.
 * A check asked for runs at once and its result goes through the normal pipeline (stored, state step, incident,
 * alert), without a second check at once and without moving the schedule; heartbeats and paused monitors are
 * refused. The scheduler's part (`runNow`) is also checked alone, on a manual clock.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { delay, ManualClock } from '../../src/scheduler/clock.js';
import { type RunInfo, type SchedulableMonitor, Scheduler } from '../../src/scheduler/scheduler.js';
import { eventually, writeConfig } from '../service/harness.js';
import { tempDir } from '../support.js';

/** A target whose status and answer time the test sets; it counts the requests it got. */
interface Target {
  url: string;
  status: number;
  delayMs: number;
  requests: number;
  close(): Promise<void>;
}

async function startTarget(): Promise<Target> {
  const target = { status: 200, delayMs: 0, requests: 0 } as Target;
  const server = http.createServer((_req, res) => {
    target.requests++;
    setTimeout(() => {
      res.writeHead(target.status, { 'content-type': 'text/plain' });
      res.end(target.status < 400 ? 'ok' : 'down');
    }, target.delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return target;
}

let dir: { dir: string; remove: () => Promise<void> };
let target: Target;
let receiver: http.Server;
let received: Array<{ kind: string; monitor: { id: string } }>;
let running: RunningMonitor | undefined;
let token: string;
let readToken: string;

function config(receiverUrl: string): string {
  return `alerts:
  channels:
    hook: { type: webhook, url: "${receiverUrl}/hook" }
  routes:
    critical: [hook]
monitors:
  - name: API
    type: http
    url: ${target.url}/api
    interval: 1h
    timeout: 5s
    alerts: { failure_threshold: 1, success_threshold: 1 }
  - name: Web
    type: http
    url: ${target.url}/web
    interval: 1h
  - name: Frozen
    type: http
    url: ${target.url}/frozen
    interval: 1h
    paused: true
  - name: Backup
    type: heartbeat
    schedule: { period: 1h, grace: 5m }
`;
}

beforeEach(async () => {
  dir = await tempDir('check-now');
  target = await startTarget();
  received = [];
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push(JSON.parse(body));
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
  running = await startMonitor(
    { config: [await writeConfig(dir.dir, config(receiverUrl))], port: '0', data: dir.dir, logFormat: 'json' },
    { env: {}, logDestination: { write: () => undefined }, dispatcher: { pollMs: 100, baseBackoffMs: 200 } },
  );
  token = (await createApiToken(running.store, 'ops', { scope: 'write' })).token;
  readToken = (await createApiToken(running.store, 'viewer', { scope: 'read' })).token;
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
  await target.close();
  await dir.remove();
});

async function call(path: string, options: { method?: string; token?: string } = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${running!.url}${path}`, {
    method: options.method ?? 'POST',
    headers: options.token === undefined ? {} : { authorization: `Bearer ${options.token}` },
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

const checkNow = (id: string, as = token) => call(`/api/v1/monitors/${id}/check`, { token: as });
const results = async (id: string) => (await call(`/api/v1/monitors/${id}/results`, { method: 'GET', token })).body.results as any[];

describe('POST /api/v1/monitors/{id}/check', () => {
  it('runs the check at once, stores its result and commits its state, an hour before the schedule would', async () => {
    expect(await results('api')).toEqual([]);
    const started = Date.now();
    expect(await checkNow('api')).toEqual({ status: 202, body: { queued: true } });
    const stored = await eventually('the result stored', async () => {
      const list = await results('api');
      return list.length > 0 ? list : undefined;
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ status: 'healthy' });
    expect(target.requests).toBe(1);
    const monitor = (await call('/api/v1/monitors/api', { method: 'GET', token })).body;
    expect(monitor).toMatchObject({ state: 'healthy', interval_ms: 3_600_000, last_check_at: expect.any(String) });
    // The other monitors were not checked.
    expect(await results('web')).toEqual([]);
    // In the audit log, by the caller.
    const audit = (await running!.store.auditLog({ limit: 10, subject: 'api' })).map((e) => [e.action, e.actor.name]);
    expect(audit).toEqual([['monitor.check', 'ops']]);
  });

  it('a failing target: the state step, the incident and the alert follow as for a scheduled check', async () => {
    target.status = 500;
    expect((await checkNow('api')).status).toBe(202);
    const incident = await eventually('an open incident', async () =>
      (await running!.store.incidents({ limit: 5 })).find((i) => i.monitorId === 'api' && i.endedAt === undefined),
    );
    expect(incident.status).toBe('unhealthy');
    const events = (await call('/api/v1/events?monitor=api', { method: 'GET', token })).body.events;
    expect(events.map((e: any) => `${e.from}→${e.to}`)).toEqual(['new→unhealthy']);
    expect(events[0].incident).toBe(incident.id);
    await eventually('the alert sent', () => (received.some((r) => r.kind === 'trigger') ? true : undefined));
    expect(received.map((r) => [r.kind, r.monitor.id])).toEqual([['trigger', 'api']]);

    // Recovered: checked again at once, the incident closes and the alert resolves.
    target.status = 200;
    expect((await checkNow('api')).status).toBe(202);
    await eventually('the incident closed', async () =>
      (await running!.store.incident(incident.id))?.endedAt !== undefined ? true : undefined,
    );
    await eventually('the resolve sent', () => (received.some((r) => r.kind === 'resolve') ? true : undefined));
    expect(target.requests).toBe(2);
  });

  it('not twice at once: a check asked for while one runs answers 202 and does nothing more', async () => {
    target.delayMs = 800;
    const answers = await Promise.all([checkNow('api'), checkNow('api'), checkNow('api')]);
    expect(answers.map((a) => a.status)).toEqual([202, 202, 202]);
    await eventually('the result stored', async () => ((await results('api')).length > 0 ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.requests).toBe(1);
    expect(await results('api')).toHaveLength(1);
    // One check, one audit entry.
    expect((await running!.store.auditLog({ limit: 10, subject: 'api' })).map((e) => e.action)).toEqual(['monitor.check']);
  });

  it('refuses a heartbeat and a paused monitor with 409, and checks nothing', async () => {
    const heartbeat = await checkNow('backup');
    expect(heartbeat.status).toBe(409);
    expect(heartbeat.body.error).toEqual({
      code: 'conflict',
      message: 'monitor "backup" is a heartbeat: it is told its state by pings, there is no check to run',
    });

    expect((await call('/api/v1/monitors/web/pause', { token })).status).toBe(200);
    const paused = await checkNow('web');
    expect(paused.status).toBe(409);
    expect(paused.body.error).toEqual({ code: 'conflict', message: 'monitor "web" is paused: resume it first' });

    const frozen = await checkNow('frozen');
    expect(frozen.status).toBe(409);
    expect(frozen.body.error.code).toBe('paused_in_config');

    // Resumed, it can be checked.
    expect((await call('/api/v1/monitors/web/resume', { token })).status).toBe(200);
    expect((await checkNow('web')).status).toBe(202);
    await eventually('the result stored', async () => ((await results('web')).length > 0 ? true : undefined));
    expect(target.requests).toBe(1);
    const actions = (await running!.store.auditLog({ limit: 10 })).map((e) => `${e.action} ${e.subject}`);
    expect(actions.filter((a) => a.startsWith('monitor.check'))).toEqual(['monitor.check web']);
  });

  it('needs a write token; an unknown monitor is 404', async () => {
    expect((await checkNow('api', readToken)).status).toBe(403);
    expect((await call('/api/v1/monitors/api/check')).status).toBe(401);
    const unknown = await checkNow('nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('not_found');
    expect(target.requests).toBe(0);
  });
});

describe('Scheduler.runNow', () => {
  const T0 = 1_700_000_000_000;
  const HOUR = 3_600_000;

  function setup(durationMs = 0) {
    const clock = new ManualClock(T0);
    const runs: RunInfo[] = [];
    const scheduler = new Scheduler<SchedulableMonitor>({
      clock,
      run: async (_monitor, signal, info) => {
        runs.push(info);
        if (durationMs > 0) await delay(clock, durationMs, signal).catch(() => undefined);
      },
    });
    // Its first slot half an hour from now (resumed from a check half an hour ago).
    scheduler.setMonitors([{ id: 'api', intervalMs: HOUR, timeoutMs: 10_000, paused: false, lastCheckAt: T0 - HOUR / 2 }]);
    return { clock, scheduler, runs };
  }

  it('runs at once without moving the next slot; the slots after it come as before', async () => {
    const { clock, scheduler, runs } = setup();
    scheduler.start();
    const slot = scheduler.nextDueAt('api');
    expect(slot).toBe(T0 + HOUR / 2);
    await clock.advance(60_000);
    expect(scheduler.runNow('api')).toBe('queued');
    await clock.advance(0);
    expect(runs).toEqual([{ dueAt: T0 + 60_000, startedAt: T0 + 60_000, deadline: T0 + 70_000, manual: true }]);
    expect(scheduler.nextDueAt('api')).toBe(slot);
    await clock.advanceTo(T0 + HOUR / 2 + HOUR);
    expect(runs.slice(1).map((r) => [r.dueAt, r.manual])).toEqual([
      [T0 + HOUR / 2, undefined],
      [T0 + HOUR / 2 + HOUR, undefined],
    ]);
    // A run asked for is not a slot: it counts as a run, but not in the lateness.
    expect(scheduler.stats()).toMatchObject({ runs: 3, skipped: 0, lateness: { count: 2 } });
  });

  it('busy while a run is in flight; refuses a paused, unknown or stopped monitor', async () => {
    const { clock, scheduler, runs } = setup(5000);
    expect(scheduler.runNow('api')).toBe('stopped');
    scheduler.start();
    expect(scheduler.runNow('nope')).toBe('unknown');
    expect(scheduler.runNow('api')).toBe('queued');
    expect(scheduler.isBusy('api')).toBe(true);
    expect(scheduler.runNow('api')).toBe('busy');
    await clock.advance(5000);
    expect(scheduler.isBusy('api')).toBe(false);
    expect(runs).toHaveLength(1);
    scheduler.setMonitors([{ id: 'api', intervalMs: HOUR, timeoutMs: 10_000, paused: true }]);
    expect(scheduler.runNow('api')).toBe('paused');
    await scheduler.stop();
  });
});
