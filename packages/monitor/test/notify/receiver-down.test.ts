/**
 * A receiver that is down for two minutes, with the dispatcher's real backoff (5 s, 10 s, 20 s, 40 s, 80 s…): the
 * notification reaches it once it is back, every attempt recorded, one delivery. Real time: about two and a half
 * minutes (it runs in parallel with the other test files).
 */
import http from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { unusedPort } from '../../../core/test/support/net.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { eventually, writeConfig } from '../service/harness.js';
import { tempDir } from '../support.js';
import { LocalServers } from './servers.js';

const DOWN_MS = 120_000;

let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor | undefined;
let receiver: http.Server | undefined;
const servers = new LocalServers();
const keys: string[] = [];

beforeAll(async () => {
  dir = await tempDir('receiver-down');
});

afterAll(async () => {
  await running?.stop();
  receiver?.closeAllConnections();
  await new Promise((resolve) => (receiver ? receiver.close(resolve) : resolve(undefined)));
  await servers.closeAll();
  await dir.remove();
});

it('gets the notification when it is back, two minutes later', async () => {
  const target = await servers.listen((_req, res) => res.writeHead(500).end());
  const port = await unusedPort();
  const yaml = `
defaults: { interval: 1s, timeout: 500ms }
alerts:
  channels: { hook: { type: webhook, url: "http://127.0.0.1:${port}/hook" } }
  routes: { critical: [hook] }
monitors:
  - { name: Shop API, type: http, url: "${target}/api" }
`;
  const started = Date.now();
  running = await startMonitor(
    { config: [await writeConfig(dir.dir, yaml)], port: '0', data: dir.dir, logFormat: 'json' },
    { env: {}, logDestination: { write: () => undefined } },
  );
  // Nobody listens on the receiver's port for two minutes.
  await new Promise((resolve) => setTimeout(resolve, DOWN_MS));
  const [pending] = await running.store.notifications({ limit: 1 });
  expect(pending?.status).toBe('pending');
  expect(pending?.attempts.length).toBeGreaterThanOrEqual(4);
  expect(pending?.attempts.every((a) => a.outcome === 'transient' && a.error === 'could not reach the receiver (ECONNREFUSED)')).toBe(true);
  receiver = http.createServer((req, res) => {
    keys.push(String(req.headers['idempotency-key']));
    req.resume();
    req.on('end', () => res.writeHead(200).end('ok'));
  });
  await new Promise<void>((resolve) => receiver!.listen(port, '127.0.0.1', resolve));
  const back = Date.now();
  await eventually('the delivery', () => (keys.length >= 1 ? true : undefined), 100_000);
  // The receiver answers before the dispatcher records the attempt: wait for the record.
  const delivered = await eventually('the delivery recorded', async () => {
    const [latest] = await running!.store.notifications({ limit: 1 });
    return latest?.status === 'delivered' ? latest : undefined;
  });
  expect(delivered.status).toBe('delivered');
  expect(keys).toEqual(['shop-api/local/1/hook']);
  // The backoff doubles, at most 10 minutes: the attempt after the receiver came back is within about 80 s of it.
  expect(Date.now() - back).toBeLessThan(100_000);
  expect(back - started).toBeGreaterThanOrEqual(DOWN_MS);
}, 260_000);
