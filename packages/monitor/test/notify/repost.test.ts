/**
 * Alertmanager ends an alert at its `endsAt`: `vigil serve` posts an alert that lasts again, with the same labels and
 * a later `endsAt`, so a long outage stays firing there — and once resolved it is not posted again.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningMonitor } from '../../src/commands/serve.js';
import { eventually } from '../service/harness.js';
import { tempDir } from '../support.js';
import { LocalServers, serveAlerting } from './servers.js';

let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor | undefined;
const servers = new LocalServers();
const posts: Array<Array<{ labels: Record<string, string>; endsAt: string; startsAt: string }>> = [];
let up = true;

beforeAll(async () => {
  dir = await tempDir('repost');
});

afterAll(async () => {
  await running?.stop();
  await servers.closeAll();
  await dir.remove();
});

it('an open alert is posted again with the same labels and a later endsAt; a resolved one is not', async () => {
  const target = await servers.listen((_req, res) => res.writeHead(up ? 200 : 500).end());
  const alertmanager = await servers.receiver((_path, body) => posts.push(body));
  const yaml = `
defaults: { interval: 1s, timeout: 500ms }
alerts:
  channels: { am: { type: alertmanager, url: "${alertmanager}" } }
  routes: { critical: [am] }
  defaults: { failure_threshold: 2, success_threshold: 1 }
monitors:
  - { name: Shop API, type: http, url: "${target}/api" }
`;
  running = await serveAlerting(dir.dir, yaml, { pollMs: 100 });
  up = false;
  await eventually('the trigger', () => (posts.length === 1 ? true : undefined), 10_000);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  expect(await running.service.alerting.repostOpenAlerts()).toBe(1);
  expect(posts).toHaveLength(2);
  const [first, again] = [posts[0]![0]!, posts[1]![0]!];
  expect(again.labels).toEqual(first.labels);
  expect(again.startsAt).toBe(first.startsAt);
  expect(Date.parse(again.endsAt)).toBeGreaterThan(Date.parse(first.endsAt));

  up = true;
  await eventually('the resolve', () => (posts.length === 3 ? true : undefined), 10_000);
  expect(Date.parse(posts[2]![0]!.endsAt)).toBeLessThanOrEqual(Date.now());
  expect(await running.service.alerting.repostOpenAlerts()).toBe(0);
  expect(posts).toHaveLength(3);
}, 30_000);
