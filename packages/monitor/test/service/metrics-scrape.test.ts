/**
 * /metrics of a monitor with thousands of monitors, read by a slow client: the text arrives whole and in order,
 * and waiting for the socket hundreds of times leaves no listeners behind (Node would warn about a leak).
 */
import net from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { MONITOR_STATES } from '../../src/model.js';
import { tempDir } from '../support.js';
import { writeConfig } from './harness.js';

const MONITORS = 3000;

let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor | undefined;
const warnings: Error[] = [];
const onWarning = (warning: Error) => warnings.push(warning);

beforeEach(async () => {
  dir = await tempDir('scrape');
  warnings.length = 0;
  process.on('warning', onWarning);
});

afterEach(async () => {
  process.off('warning', onWarning);
  await running?.stop();
  running = undefined;
  await dir.remove();
});

/** GET over a raw socket that reads a little, then pauses, so the server's writes fill up and wait. */
function slowGet(url: string, path: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    socket.on('connect', () => socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      socket.pause();
      setTimeout(() => socket.resume(), 2);
    });
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    socket.on('error', reject);
  });
}

it('a slow scrape of 3,000 monitors: every series, in order, and no listener leak', async () => {
  const monitors = Array.from(
    { length: MONITORS },
    (_, i) => `  - { name: Site ${i}, type: http, url: "http://127.0.0.1:9/${i}", paused: true }\n`,
  ).join('');
  // Private monitors: the scrape is anonymous, so the configuration shows every monitor to it.
  const file = await writeConfig(dir.dir, `metrics: { public: all }\nmonitors:\n${monitors}`);
  running = await startMonitor({ config: [file], port: '0', data: dir.dir }, { env: {}, logDestination: { write: () => undefined } });

  const response = await slowGet(running.url, '/metrics');
  expect(response.startsWith('HTTP/1.1 200')).toBe(true);
  const statusLines = response.split('\n').filter((line) => line.startsWith('vigil_monitor_status{'));
  expect(statusLines).toHaveLength(MONITORS * MONITOR_STATES.length);
  expect(statusLines.filter((line) => line.endsWith(' 1') && line.includes('status="paused"'))).toHaveLength(MONITORS);
  expect(statusLines[0]).toContain('monitor="site-0"');
  expect(statusLines.at(-1)).toContain(`monitor="site-${MONITORS - 1}"`);
  expect(warnings.map((w) => `${w.name}: ${w.message}`)).toEqual([]);
}, 30_000);
