/**
 * Alerting through `vigil serve`, end to end: a real target, checks every second, the real SQLite store, the check
 * pipeline writing notifications to the outbox in the state's transaction, the dispatcher sending them to a local
 * webhook receiver that records what it got. What a user relies on: one message when a monitor goes down, one when
 * it recovers, none for a flapping target, a receiver that was down gets it when it is back — every attempt with the
 * same idempotency key — and all of it visible in the API and /metrics.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { eventually, getJson, writeConfig } from '../service/harness.js';
import { tempDir } from '../support.js';

interface Received {
  key: string | undefined;
  body: Record<string, any>;
}

/** A webhook receiver: answers `statuses` in turn (then 200), records every request. */
async function startReceiver() {
  const received: Received[] = [];
  const receiver = { received, statuses: [] as number[], url: '', close: async () => undefined as void };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ key: req.headers['idempotency-key'] as string | undefined, body: JSON.parse(body) as Record<string, any> });
      res.writeHead(receiver.statuses.shift() ?? 200, { 'content-type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  receiver.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return receiver;
}

/** A target whose answers the test scripts: `up` true → 200, false → 500; or a function of the request number. */
async function startScriptedTarget() {
  const target = { up: true as boolean | ((n: number) => boolean), requests: 0, url: '', close: async () => undefined as void };
  const server = http.createServer((_req, res) => {
    const n = target.requests++;
    const up = typeof target.up === 'function' ? target.up(n) : target.up;
    res.writeHead(up ? 200 : 500);
    res.end(up ? 'up' : 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  target.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  target.close = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return target;
}

let dir: { dir: string; remove: () => Promise<void> };
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let target: Awaited<ReturnType<typeof startScriptedTarget>>;
let running: RunningMonitor | undefined;
const logs: string[] = [];

beforeEach(async () => {
  dir = await tempDir('alerting');
  receiver = await startReceiver();
  target = await startScriptedTarget();
  logs.length = 0;
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await receiver.close();
  await target.close();
  await dir.remove();
});

function config(extra = ''): string {
  return `
defaults:
  interval: 1s
  timeout: 500ms
alerts:
  channels:
    hook: { type: webhook, url: "${receiver.url}" }
  routes:
    critical: [hook]
monitors:
  - name: Shop API
    type: http
    url: ${target.url}/api
${extra}`;
}

async function start(yaml: string): Promise<RunningMonitor> {
  running = await startMonitor(
    { config: [await writeConfig(dir.dir, yaml)], port: '0', data: dir.dir, logFormat: 'json' },
    {
      env: {},
      logDestination: { write: (line: string) => logs.push(line) },
      dispatcher: { pollMs: 100, baseBackoffMs: 200, maxBackoffMs: 1000 },
    },
  );
  return running;
}

const kinds = () => receiver.received.map((r) => r.body.kind);

describe('alerting in vigil serve', () => {
  it('one trigger after three failures, one resolve after two passes; both in the API and /metrics', async () => {
    const monitor = await start(config());
    await eventually('the first checks', () => (target.requests >= 2 ? true : undefined));
    target.up = false;
    await eventually('the trigger', () => (receiver.received.length >= 1 ? true : undefined), 15_000);
    const trigger = receiver.received[0]!;
    expect(trigger.body).toMatchObject({
      kind: 'trigger',
      severity: 'critical',
      monitor: { id: 'shop-api', name: 'Shop API', type: 'http' },
      location: 'local',
      state: 'unhealthy',
      alert_key: 'shop-api/local/1',
      idempotency_key: 'shop-api/local/1/hook',
    });
    expect(trigger.body.cause).toContain('500');
    expect(trigger.key).toBe('shop-api/local/1/hook');
    // Down for a while: still one message (no reminders configured).
    const downChecks = target.requests;
    await eventually('more failed checks', () => (target.requests >= downChecks + 3 ? true : undefined));
    expect(kinds()).toEqual(['trigger']);

    target.up = true;
    await eventually('the resolve', () => (receiver.received.length >= 2 ? true : undefined), 15_000);
    expect(receiver.received[1]!.body).toMatchObject({ kind: 'resolve', alert_key: 'shop-api/local/1', idempotency_key: 'shop-api/local/2/hook' });
    expect(receiver.received[1]!.body.since).toBe(trigger.body.at);

    const { token } = await createApiToken(monitor.store, 'ops', { scope: 'read' });
    const page = (await getJson(`${monitor.url}/api/v1/notifications`, token)).body as { notifications: any[] };
    expect(page.notifications.map((n) => [n.kind, n.status, n.channel, n.attempts.length])).toEqual([
      ['resolve', 'delivered', 'hook', 1],
      ['trigger', 'delivered', 'hook', 1],
    ]);
    expect(page.notifications[1].attempts[0]).toMatchObject({ outcome: 'delivered', status: 200, response: 'ok' });
    expect((await fetch(`${monitor.url}/api/v1/notifications`)).status).toBe(401);
    const metrics = await (await fetch(`${monitor.url}/metrics`, { headers: { authorization: `Bearer ${token}` } })).text();
    expect(metrics).toContain('vigil_notifications_total{channel="hook",outcome="delivered"} 2');
    expect(metrics).toContain('vigil_notifications_pending 0');
  }, 40_000);

  it('a flapping target never reaches the threshold: no message at all', async () => {
    target.up = (n) => n % 2 === 0;
    await start(config());
    await eventually('eight checks', () => (target.requests >= 8 ? true : undefined), 15_000);
    expect(receiver.received).toEqual([]);
  }, 30_000);

  it('a receiver that fails gets the message when it is back: every attempt with the same key, attempts recorded', async () => {
    receiver.statuses.push(503, 503, 429);
    const monitor = await start(config());
    target.up = false;
    await eventually('the delivery', () => (receiver.received.length >= 4 ? true : undefined), 20_000);
    expect(new Set(receiver.received.map((r) => r.key))).toEqual(new Set(['shop-api/local/1/hook']));
    // The receiver answers before the dispatcher records the attempt: wait for the record.
    const row = await eventually('the delivery recorded', async () => {
      const [latest] = await monitor.store.notifications({ limit: 1 });
      return latest?.status === 'delivered' ? latest : undefined;
    });
    expect(row?.attempts.map((a) => [a.outcome, a.status])).toEqual([
      ['transient', 503],
      ['transient', 503],
      ['transient', 429],
      ['delivered', 200],
    ]);
    expect(row?.attempts[0]?.error).toBe('the receiver answered HTTP 503: ok');
  }, 40_000);

  it('a permanent failure is not retried; the channel of a monitor can be its own, and alerts: false silences one', async () => {
    receiver.statuses.push(400);
    const monitor = await start(
      config(`    alerts: { failure_threshold: 2 }
  - name: Quiet
    type: http
    url: ${target.url}/quiet
    alerts: false
`),
    );
    target.up = false;
    await eventually('the attempt', () => (receiver.received.length >= 1 ? true : undefined), 15_000);
    await eventually('given up', async () => ((await monitor.store.notifications({ limit: 5 }))[0]?.status === 'dead' ? true : undefined));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.received.map((r) => r.body.monitor.id)).toEqual(['shop-api']);
    expect(logs.some((line) => line.includes('"event":"notification"') && line.includes('given up'))).toBe(true);
  }, 30_000);
});
