/**
 * Dependencies in `vigil serve`: a database and three services that depend on it go down together — the receiver
 * gets one notification, the database's, naming the three; each service's trigger is recorded as held back by the
 * database. When the database is back and one service is still down, that service alerts.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import type { RunningMonitor } from '../../src/commands/serve.js';
import { eventually } from '../service/harness.js';
import { tempDir } from '../support.js';
import { LocalServers, serveAlerting } from './servers.js';

let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor | undefined;
const servers = new LocalServers();
const down = new Set<string>();
const received: Array<Record<string, any>> = [];

beforeEach(async () => {
  dir = await tempDir('dependencies');
  down.clear();
  received.length = 0;
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await servers.closeAll();
  await dir.remove();
});

it('a parent and three children down: one notification naming the children; a child still down after the parent alerts', async () => {
  const target = await servers.listen((req, res) => res.writeHead(down.has((req.url ?? '').slice(1)) ? 500 : 200).end());
  const hook = await servers.receiver((_path, body: Record<string, any>) => received.push(body));
  const child = (name: string) => `  - { name: ${name}, type: http, url: "${target}/${name.toLowerCase()}", depends_on: [db] }\n`;
  const yaml = `
defaults: { interval: 1s, timeout: 500ms }
alerts:
  channels: { hook: { type: webhook, url: "${hook}/hook" } }
  routes: { critical: [hook] }
  defaults: { failure_threshold: 2, success_threshold: 2 }
monitors:
  - { name: DB, type: http, url: "${target}/db" }
${child('Shop')}${child('Search')}${child('Billing')}`;
  running = await serveAlerting(dir.dir, yaml);
  for (const name of ['db', 'shop', 'search', 'billing']) down.add(name);
  await eventually('the database alert', () => (received.length >= 1 ? true : undefined), 10_000);
  await eventually('every service held back', async () => {
    const held = await running!.store.notifications({ limit: 20, status: 'suppressed' });
    return held.length === 3 ? held : undefined;
  }, 10_000);
  // A few more checks: still one message.
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect(received.map((n) => [n.kind, n.monitor.id])).toEqual([['trigger', 'db']]);
  expect([...received[0]!.children].sort()).toEqual(['Billing', 'Search', 'Shop']);
  const held = await running.store.notifications({ limit: 20, status: 'suppressed' });
  expect(held.map((n) => [n.monitorId, n.kind, n.lastError]).sort()).toEqual([
    ['billing', 'trigger', 'suppressed: db (a monitor it depends on) was down'],
    ['search', 'trigger', 'suppressed: db (a monitor it depends on) was down'],
    ['shop', 'trigger', 'suppressed: db (a monitor it depends on) was down'],
  ]);

  // The database is back; Billing is still down: its alert goes out now. The others recovered with it: nothing.
  for (const name of ['db', 'shop', 'search']) down.delete(name);
  await eventually('the database resolve and the billing trigger', () =>
    received.some((n) => n.kind === 'resolve' && n.monitor.id === 'db') && received.some((n) => n.kind === 'trigger' && n.monitor.id === 'billing')
      ? true
      : undefined,
  15_000);
  await new Promise((resolve) => setTimeout(resolve, 2500));
  expect(received.map((n) => `${n.kind} ${n.monitor.id}`).sort()).toEqual(['resolve db', 'trigger billing', 'trigger db']);
}, 45_000);
