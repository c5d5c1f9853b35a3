/**
 * Maintenance windows in `vigil serve`, with alerting to a local receiver: no alert during a window, its failures
 * excused, and when it ends the state before and after decide — still down: nothing new; down since the window
 * started: the trigger; recovered with a trigger delivered before: the resolve.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningMonitor } from '../../src/commands/serve.js';
import { eventually } from '../service/harness.js';
import { tempDir } from '../support.js';
import { LocalServers, serveAlerting } from './servers.js';

let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor | undefined;
let received: Array<{ kind: string; at: string }>;
let up: boolean;
const servers = new LocalServers();

beforeEach(async () => {
  dir = await tempDir('maintenance');
  received = [];
  up = true;
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await servers.closeAll();
  await dir.remove();
});

/** A monitor checked every second, alerting after 2 failures and resolving after 2 passes, and a window [from, to). */
async function start(from: number, to: number): Promise<RunningMonitor> {
  const target = await servers.listen((_req, res) => res.writeHead(up ? 200 : 500).end());
  const hook = await servers.receiver((_path, body: { kind: string; at: string }) => received.push({ kind: body.kind, at: body.at }));
  const yaml = `
defaults: { interval: 1s, timeout: 500ms }
alerts:
  channels: { hook: { type: webhook, url: "${hook}/hook" } }
  routes: { critical: [hook] }
  defaults: { failure_threshold: 2, success_threshold: 2 }
maintenance:
  - name: Upgrade
    monitors: [shop-api]
    once: { start: "${new Date(from).toISOString()}", end: "${new Date(to).toISOString()}" }
monitors:
  - { name: Shop API, type: http, url: "${target}/api" }
`;
  running = await serveAlerting(dir.dir, yaml);
  return running;
}

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));
const state = () => running!.service.status('shop-api')?.state;

describe('maintenance windows', () => {
  it('down before the window and still down after it: the trigger before it, nothing new after', async () => {
    const from = Date.now() + 5000;
    const to = from + 5000;
    up = false;
    const monitor = await start(from, to);
    await eventually('the trigger', () => (received.length === 1 ? true : undefined), 8000);
    await sleepUntil(from + 1500);
    expect(state()).toBe('maintenance');
    // No open incident while in maintenance, and the failures of the window are excused.
    expect((await monitor.store.incidents({ monitorId: 'shop-api', limit: 5 })).filter((i) => i.endedAt === undefined)).toEqual([]);
    await sleepUntil(to + 5000);
    expect(state()).toBe('unhealthy');
    expect(received.map((r) => r.kind)).toEqual(['trigger']);
    const results = await monitor.store.latestResults('shop-api', 100);
    const inWindow = results.filter((r) => r.at >= from + 1000 && r.at < to - 500);
    expect(inWindow.length).toBeGreaterThan(2);
    expect(inWindow.every((r) => r.excused === 'maintenance')).toBe(true);
    const events = await monitor.store.events({ after: 0, limit: 100, monitorId: 'shop-api' });
    expect(events.map((e) => e.to)).toContain('maintenance');
    expect(events.find((e) => e.to === 'maintenance')?.reason).toMatch(/^maintenance window "Upgrade" until /);
  }, 30_000);

  it('down since the window started and still down after it: the trigger once it has ended', async () => {
    const from = Date.now() + 3000;
    const to = from + 5000;
    await start(from, to);
    await sleepUntil(from + 1000);
    up = false;
    await sleepUntil(to);
    expect(received).toEqual([]);
    await eventually('the trigger after the window', () => (received.length === 1 ? true : undefined), 8000);
    expect(received[0]?.kind).toBe('trigger');
    expect(Date.parse(received[0]!.at)).toBeGreaterThanOrEqual(to);
  }, 30_000);

  it('a trigger delivered before the window, recovered during it: the resolve once it has ended', async () => {
    const from = Date.now() + 5000;
    const to = from + 5000;
    up = false;
    await start(from, to);
    await eventually('the trigger', () => (received.length === 1 ? true : undefined), 8000);
    await sleepUntil(from + 1500);
    up = true;
    await sleepUntil(to);
    expect(received.map((r) => r.kind)).toEqual(['trigger']);
    await eventually('the resolve after the window', () => (received.length === 2 ? true : undefined), 8000);
    expect(received[1]?.kind).toBe('resolve');
    expect(Date.parse(received[1]!.at)).toBeGreaterThanOrEqual(to);
  }, 30_000);
});
