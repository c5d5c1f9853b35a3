/**
 * The ping endpoint over real HTTP, and docs/heartbeats.md as its users will run it: the page's configuration is
 * loaded through the real schema, and every line of its `sh` and `crontab` blocks runs with the real `curl` (in
 * `sh`, as cron runs it) against a server on a random port.
 */
import { execFile } from 'node:child_process';
import { chmod, readFile, writeFile } from 'node:fs/promises';
import http, { type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { configSchema, type MonitorOfType } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import {
  createPingHandler,
  HeartbeatTracker,
  type HeartbeatView,
  type PingHandlerOptions,
  type PingReceiver,
  trackerReceiver,
} from '../../src/heartbeat/index.js';
import type { CheckResult } from '../../src/model.js';
import { ManualClock } from '../../src/scheduler/clock.js';
import { REPO, tempDir } from '../support.js';

const T0 = Date.parse('2026-11-22T02:00:00Z');
const DOC = path.join(REPO, 'docs/heartbeats.md');
const DOC_BASE = 'https://vigil.example.com';
const DOC_LOG = '/var/log/backup.log';
const RID = '0b7e3f5c-2a4d-4e6f-8a1b-3c5d7e9f1a2b';

interface Harness {
  clock: ManualClock;
  tracker: HeartbeatTracker;
  results: CheckResult[];
  base: string;
  server: Server;
  nextCalls: string[];
}

async function startServer(monitors: MonitorOfType<'heartbeat'>[], options?: PingHandlerOptions): Promise<Harness> {
  const clock = new ManualClock(T0);
  const results: CheckResult[] = [];
  const tracker = new HeartbeatTracker({
    clock,
    onResult: (result) => {
      results.push(result);
    },
  });
  tracker.setMonitors(monitors);
  const handler = createPingHandler(trackerReceiver(tracker), options);
  const nextCalls: string[] = [];
  const server = http.createServer((req, res) =>
    handler(req, res, () => {
      nextCalls.push(req.url ?? '');
      res.writeHead(418).end('next');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { clock, tracker, results, base: `http://127.0.0.1:${port}`, server, nextCalls };
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

function fencedBlocks(markdown: string, language: string): string[] {
  const blocks: string[] = [];
  for (const match of markdown.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)) {
    if (match[1] === language) blocks.push(match[2] ?? '');
  }
  return blocks;
}

function heartbeatsOf(yamlText: string): MonitorOfType<'heartbeat'>[] {
  const config = configSchema.parse(parseYaml(yamlText));
  return config.monitors.filter((m): m is MonitorOfType<'heartbeat'> => m.type === 'heartbeat');
}

function run(line: string, env: Record<string, string>, cwd: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', line], { cwd, env: { ...process.env, ...env }, timeout: 60_000 }, (error, _stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stderr });
    });
  });
}

describe('the ping endpoint', () => {
  let h: Harness;
  const KEY = 'backup-key-0001';
  const monitors = heartbeatsOf(`
monitors:
  - name: Backup
    type: heartbeat
    schedule: { period: 1h, grace: 10m }
    ping_key: ${KEY}
  - name: Sweeper
    type: heartbeat
    schedule: { period: 5m, grace: 1m }
`);
  const view = (id: string): HeartbeatView => {
    const found = h.tracker.view(id);
    if (!found) throw new Error(`no heartbeat ${id}`);
    return found;
  };

  beforeAll(async () => {
    h = await startServer(monitors, { maxBodyBytes: 1000 });
  });
  afterAll(() => closeServer(h.server));

  it('answers OK in plain text, to any origin, for GET, HEAD and POST', async () => {
    const get = await fetch(`${h.base}/ping/${KEY}`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(get.headers.get('access-control-allow-origin')).toBe('*');
    expect(await get.text()).toBe('OK');
    // How much of a body is kept, as Healthchecks.io says it: on every answer, readable from a browser too.
    expect(get.headers.get('ping-body-limit')).toBe('1000');
    expect(get.headers.get('access-control-expose-headers')).toBe('Ping-Body-Limit');
    const unknown = await fetch(`${h.base}/ping/no-such-key`);
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('ping-body-limit')).toBe('1000');

    const head = await fetch(`${h.base}/ping/${KEY}/start`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    expect(view('backup').running).toBe(true);

    const post = await fetch(`${h.base}/ping/${KEY}/fail`, { method: 'POST', body: 'rsync: connection refused' });
    expect(await post.text()).toBe('OK');
    expect(view('backup')).toMatchObject({ state: 'down', running: false, lastMessage: 'rsync: connection refused' });
    expect(h.results.at(-1)?.error).toBe('failure reported by ping: rsync: connection refused');
  });

  it('takes the monitor id as the key when no ping_key is set, with or without a trailing slash', async () => {
    expect((await fetch(`${h.base}/ping/sweeper/`)).status).toBe(200);
    expect(view('sweeper').state).toBe('up');
  });

  it('takes exit statuses 0 to 255 and refuses others with 400', async () => {
    expect((await fetch(`${h.base}/ping/${KEY}/0`)).status).toBe(200);
    expect(view('backup')).toMatchObject({ state: 'up', lastExitStatus: 0 });
    expect((await fetch(`${h.base}/ping/${KEY}/255`)).status).toBe(200);
    expect(view('backup')).toMatchObject({ state: 'down', lastExitStatus: 255 });
    expect(h.results.at(-1)?.error).toBe('exit status 255');
    for (const bad of ['256', '-1', '99999999999999999999']) {
      const response = await fetch(`${h.base}/ping/${KEY}/${bad}`);
      expect(response.status, bad).toBe(400);
      expect(await response.text()).toBe('invalid exit status: expected 0 to 255');
    }
  });

  it('refuses a rid that is not a UUID with 400', async () => {
    for (const rid of ['', 'abc', `${RID}x`]) {
      const response = await fetch(`${h.base}/ping/${KEY}/start?rid=${rid}`);
      expect(response.status, rid).toBe(400);
      expect(await response.text()).toBe('invalid rid: expected a UUID');
    }
  });

  it('pairs /start and the end ping by rid', async () => {
    await fetch(`${h.base}/ping/${KEY}/start?rid=${RID}`);
    await h.clock.advance(90_000);
    await fetch(`${h.base}/ping/${KEY}?rid=${RID.toUpperCase()}`);
    expect(view('backup')).toMatchObject({ state: 'up', lastDurationMs: 90_000 });
    expect(h.results.at(-1)).toMatchObject({ status: 'healthy', latencyMs: 90_000 });
  });

  it('answers 404 for unknown keys and paths, and the same for every unknown key', async () => {
    const count = h.results.length;
    for (const url of ['/ping/nosuchkey1', '/ping/nosuchkey1/fail', '/ping', '/ping/', `/ping/${KEY}/nope`, `/ping/${KEY}/0/1`]) {
      const response = await fetch(`${h.base}${url}`, { method: 'POST', body: 'x' });
      expect(response.status, url).toBe(404);
      expect(await response.text()).toBe('not found');
      expect(response.headers.get('access-control-allow-origin')).toBe('*');
    }
    expect(h.results).toHaveLength(count);
  });

  it('passes other paths to the next handler', async () => {
    expect((await fetch(`${h.base}/api/v1/monitors`)).status).toBe(418);
    expect((await fetch(`${h.base}/pingx/${KEY}`)).status).toBe(418);
    expect(h.nextCalls).toEqual(['/api/v1/monitors', `/pingx/${KEY}`]);
  });

  it('answers a CORS preflight and refuses other methods with 405', async () => {
    const preflight = await fetch(`${h.base}/ping/${KEY}`, { method: 'OPTIONS' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    const put = await fetch(`${h.base}/ping/${KEY}`, { method: 'PUT', body: 'x' });
    expect(put.status).toBe(405);
    expect(put.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
  });

  it('keeps the first maxBodyBytes of a body and still answers OK', async () => {
    const body = `${'a'.repeat(999)}bcdef`;
    const response = await fetch(`${h.base}/ping/${KEY}/log`, { method: 'POST', body });
    expect(response.status).toBe(200);
    expect(view('backup').lastMessage).toBe(`${'a'.repeat(999)}b`);
    // /log leaves the state alone.
    expect(view('backup').state).toBe('up');
  });
});

describe('a ping is answered once it is stored', () => {
  /** A receiver whose store answers as `ping` does. */
  const receiving = (ping: () => Promise<void>): PingReceiver => ({
    isScopeKey: () => false,
    receive: () => ping().then(() => ({ status: 200 as const })),
  });

  async function serveWith(receiver: PingReceiver, storeWaitMs: number) {
    const lines: string[] = [];
    const handler = createPingHandler(receiver, {
      storeWaitMs,
      logger: createLogger({ format: 'json', destination: { write: (line) => lines.push(line) } }),
    });
    const server = http.createServer((req, res) => handler(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return { server, lines, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
  }

  it('waits for the store: OK after it commits, 503 (retry) when it does not answer in time', async () => {
    let release: () => void = () => undefined;
    const stored = new Promise<void>((resolve) => (release = resolve));
    const slow = await serveWith(receiving(() => stored), 5000);
    try {
      let answered = false;
      const response = fetch(`${slow.base}/ping/key`).then((r) => ((answered = true), r));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(answered).toBe(false);
      release();
      expect(await (await response).text()).toBe('OK');
    } finally {
      await closeServer(slow.server);
    }
    const stuck = await serveWith(receiving(() => new Promise<void>(() => undefined)), 150);
    try {
      const response = await fetch(`${stuck.base}/ping/key`);
      expect(response.status).toBe(503);
      expect(await response.text()).toBe('not stored yet: retry');
      expect(stuck.lines.some((line) => line.includes('"event":"ping_not_stored_yet"'))).toBe(true);
    } finally {
      await closeServer(stuck.server);
    }
  });

  it('answers 500 for a ping it cannot take, and logs why (secrets removed)', async () => {
    const broken = await serveWith(
      {
        isScopeKey: () => false,
        receive: () => {
          throw new Error('store closed: postgres://vigil:hunter2@db/vigil');
        },
      },
      1000,
    );
    try {
      const response = await fetch(`${broken.base}/ping/key`);
      expect(response.status).toBe(500);
      const line = broken.lines.find((l) => l.includes('"event":"ping_failed"'));
      expect(line).toContain('postgres://vigil:***@db/vigil');
      expect(broken.lines.join('')).not.toContain('hunter2');
    } finally {
      await closeServer(broken.server);
    }
  });
});

describe('docs/heartbeats.md, run as written', () => {
  let h: Harness;
  let dir: { dir: string; remove: () => Promise<void> };
  let doc: string;

  beforeAll(async () => {
    doc = await readFile(DOC, 'utf8');
    const yamlBlocks = fencedBlocks(doc, 'yaml');
    expect(yamlBlocks.length).toBeGreaterThanOrEqual(2);
    // Every configuration on the page is valid; the first one is the one the commands ping.
    for (const block of yamlBlocks) heartbeatsOf(block);
    h = await startServer(heartbeatsOf(yamlBlocks[0] ?? ''));
    dir = await tempDir('heartbeat-doc');
  });
  afterAll(async () => {
    await closeServer(h.server);
    await dir.remove();
  });

  /** The page's commands, pointed at this server, this folder and stub jobs that exit with $STUB_EXIT. */
  async function localize(line: string): Promise<string> {
    let local = line.replaceAll(DOC_BASE, h.base).replaceAll(DOC_LOG, path.join(dir.dir, 'backup.log'));
    for (const [job, name] of line.matchAll(/\/usr\/local\/bin\/([\w-]+\.sh)/g)) {
      const stub = path.join(dir.dir, name ?? 'job.sh');
      await writeFile(stub, `#!/bin/sh\necho "${name}: copied 42 files"\nexit "\${STUB_EXIT:-0}"\n`);
      await chmod(stub, 0o755);
      local = local.replaceAll(job, stub);
    }
    return local;
  }

  /** What the line's last ping says: `success`, `start`, `fail`, `log` or `exit` (the job's exit status). */
  function lastPing(line: string): { key: string; action: string } {
    const pings = [...line.matchAll(/\/ping\/([A-Za-z0-9_-]+)(?:\/(\$\?|[^\s"?]+))?/g)];
    const last = pings.at(-1);
    if (!last) throw new Error(`a command on the page sends no ping: ${line}`);
    const segment = last[2];
    const action = segment === undefined ? 'success' : /^\$(\?|rc)$/.test(segment) ? 'exit' : segment;
    if (!['start', 'fail', 'log', 'success', 'exit'].includes(action)) throw new Error(`unexpected ping in: ${line}`);
    return { key: last[1] ?? '', action };
  }

  function viewByKey(key: string): HeartbeatView {
    const found = h.tracker.views().find((v) => v.pingPath === `/ping/${key}`);
    if (!found) throw new Error(`the page pings /ping/${key}, which its configuration does not define`);
    return found;
  }

  /** The body a `--data-raw` argument sends: a literal, or the end of the log file. */
  async function sentBody(line: string): Promise<string | null> {
    const literal = /--data-raw "([^"$]*)"/.exec(line);
    if (literal) return literal[1] ?? '';
    if (/--data-raw "\$\(tail -c 1000 [^)]+\)"/.test(line)) {
      return (await readFile(path.join(dir.dir, 'backup.log'), 'utf8')).replace(/\n+$/, '');
    }
    return null;
  }

  it('pings the configured heartbeats with every command of the sh and crontab blocks', async () => {
    await writeFile(path.join(dir.dir, 'backup.log'), 'backup.sh: no space left on device\n');
    const lines: string[] = [];
    for (const block of fencedBlocks(doc, 'sh')) {
      lines.push(...block.split('\n').filter((l) => l.trim() !== '' && !l.trim().startsWith('#')));
    }
    const crontab: string[] = [];
    for (const block of fencedBlocks(doc, 'crontab')) {
      for (const entry of block.split('\n')) {
        if (entry.trim() === '' || entry.trim().startsWith('#')) continue;
        // The command is what follows the five time fields (or a macro such as @daily).
        const command = entry.startsWith('@') ? entry.replace(/^\S+\s+/, '') : entry.replace(/^(\S+\s+){5}/, '');
        crontab.push(command);
      }
    }
    expect(lines.length).toBeGreaterThanOrEqual(5);
    expect(crontab.length).toBeGreaterThanOrEqual(2);

    const exercised = new Set<string>();
    const openStart = new Map<string, number>();
    for (const line of [...lines, ...crontab]) {
      const { key, action } = lastPing(line);
      const startsInLine = /\/start(\?|"|\s|$)/.test(line) && action !== 'start';
      const hasJob = /\/usr\/local\/bin\/[\w-]+\.sh/.test(line);
      const local = await localize(line);
      for (const exit of hasJob ? [0, 3] : [0]) {
        await h.clock.advance(60_000);
        const before = viewByKey(key);
        const resultsBefore = h.results.length;
        const { code, stderr } = await run(local, { STUB_EXIT: String(exit) }, dir.dir);
        const label = `${line} (job exit ${exit})`;
        const after = viewByKey(key);
        const conditional = /&&\s*curl/.test(line);
        if (conditional && exit !== 0) {
          // `job && curl …`: a failed job sends nothing, and the missing ping shows after the grace period.
          expect(code, label).toBe(exit);
          expect(after.lastPingAt, label).toBe(before.lastPingAt);
          expect(h.results, label).toHaveLength(resultsBefore);
          continue;
        }
        expect({ code, stderr }, label).toEqual({ code: 0, stderr: '' });
        exercised.add(action === 'exit' ? `exit ${exit}` : action);
        const body = await sentBody(local);
        if (body !== null) expect(after.lastMessage, label).toBe(body);
        const result = h.results.at(-1);
        switch (action) {
          case 'start':
            expect(after.running, label).toBe(true);
            expect(h.results, label).toHaveLength(resultsBefore);
            openStart.set(key, h.clock.now());
            continue;
          case 'log':
            expect(after.state, label).toBe(before.state);
            expect(after.lastPingAt, label).toBe(before.lastPingAt);
            expect(h.results, label).toHaveLength(resultsBefore);
            continue;
          case 'fail':
            expect(after.state, label).toBe('down');
            expect(result?.error, label).toBe(`failure reported by ping${body ? `: ${body}` : ''}`);
            break;
          case 'success':
            expect(after.state, label).toBe('up');
            expect(result?.status, label).toBe('healthy');
            break;
          case 'exit':
            expect(after.lastExitStatus, label).toBe(exit);
            expect(after.state, label).toBe(exit === 0 ? 'up' : 'down');
            expect(result?.status, label).toBe(exit === 0 ? 'healthy' : 'unhealthy');
            if (exit !== 0) expect(result?.error, label).toBe(`exit status ${exit}${body ? `: ${body}` : ''}`);
            break;
        }
        expect(result?.monitorId, label).toBe(after.monitorId);
        expect(after.lastPingAt, label).toBe(h.clock.now());
        expect(after.running, label).toBe(false);
        // The end ping reports the run's duration: a /start on an earlier line a minute ago, or on this line.
        const startedAt = startsInLine ? h.clock.now() : openStart.get(key);
        expect(after.lastDurationMs, label).toBe(startedAt === undefined ? null : h.clock.now() - startedAt);
        openStart.delete(key);
      }
    }
    // The page shows every kind of ping; a rewrite that drops one fails here.
    expect([...exercised].sort()).toEqual(['exit 0', 'exit 3', 'fail', 'log', 'start', 'success']);
  });
});

describe('vigil serve with server.ping_body_limit', () => {
  it('keeps that many bytes of a ping body and says so in Ping-Body-Limit', async () => {
    const { startMonitor } = await import('../../src/commands/serve.js');
    const { writeConfig } = await import('../service/harness.js');
    const dir = await tempDir('ping-limit');
    const yaml = ['server: { ping_body_limit: 20 }', 'monitors:', '  - { name: nightly, type: heartbeat, ping_key: nightly-limit-key-0001, schedule: { period: 1h, grace: 10m } }'].join('\n');
    const running = await startMonitor(
      { config: [await writeConfig(dir.dir, yaml)], port: '0', data: dir.dir, logFormat: 'json' },
      { env: {}, logDestination: { write: () => undefined } },
    );
    try {
      const response = await fetch(`${running.url}/ping/nightly-limit-key-0001/fail`, { method: 'POST', body: `${'x'.repeat(20)}-cut-off-here` });
      expect(response.status).toBe(200);
      expect(response.headers.get('ping-body-limit')).toBe('20');
      const [result] = await running.store.latestResults('nightly', 1);
      expect(result?.error).toBe(`failure reported by ping: ${'x'.repeat(20)}`);
    } finally {
      await running.stop();
      await dir.remove();
    }
  });
});
