/**
 * `vigil run <slug-or-key> -- <command>` as cron runs it: a line of `sh -c` with cron's small environment
 * (`VIGIL_PING_URL` set as at the top of a crontab, `vigil` on the PATH), the built CLI, real commands.
 *
 * - Against a real `vigil serve` (SQLite) with heartbeats: what a run leaves there, read through the API — success,
 *   a failure with the end of a long output, a command killed by a signal, one that does not exist, a run in
 *   progress and overlapping runs paired by their run id; and a server that cannot be reached (the command runs,
 *   its status is kept, `vigil run` gives up within `--retry-for`, the key is never printed).
 * - Against a recording HTTP server: the exact requests — slug URLs, one run id per run, the command not waiting
 *   for the start ping, the end ping after it, 503 retried and 404 not, the body within the server's
 *   `Ping-Body-Limit` and whole UTF-8 characters, signals forwarded, a command that cannot be executed.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, type Proc, serve, until } from '../agent/processes.js';
import { CLI, REPO, tempDir } from '../support.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const key = () => randomBytes(16).toString('hex');
const KEYS = { ok: key(), fail: key(), signal: key(), missing: key(), pair: key(), away: key() };
const IDS = { ok: 'run-ok', fail: 'run-fail', signal: 'run-signal', missing: 'run-missing', pair: 'run-pair', away: 'run-away' };

let dir: string;
let removeDir: () => Promise<void>;
let server: Proc & { url: string };
let token: string;

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** A crontab line, run as cron runs it: `sh -c`, stdin from nowhere, an environment of a few variables. */
function cron(line: string, env: Record<string, string> = {}): { child: ChildProcess; done: Promise<Ran> } {
  const started = Date.now();
  const child = spawn('sh', ['-c', line], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { HOME: dir, LOGNAME: 'vigil-test', SHELL: '/bin/sh', PATH: `${path.join(dir, 'bin')}:/usr/bin:/bin`, ...env },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  const done = new Promise<Ran>((resolve) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, ms: Date.now() - started });
    }),
  );
  return { child, done };
}

const pingEnv = () => ({ VIGIL_PING_URL: `${server.url}/ping` });

interface HeartbeatJson {
  state: string;
  running: boolean;
  last_ping_at: string | null;
  run_started_at: string | null;
  last_duration_ms: number | null;
  last_exit_status: number | null;
  last_message: string | null;
}

async function api<T>(pathname: string): Promise<T> {
  const response = await fetch(`${server.url}/api/v1${pathname}`, { headers: { Authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${pathname}: HTTP ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const heartbeat = async (id: string) => (await api<{ heartbeat: HeartbeatJson }>(`/monitors/${id}`)).heartbeat;
const results = async (id: string) =>
  (await api<{ results: Array<{ status: string; error: string | null; latency_ms: number; kind: string | null }> }>(`/monitors/${id}/results?limit=10`))
    .results;

beforeAll(async () => {
  ({ dir, remove: removeDir } = await tempDir('run'));
  // `vigil` on cron's PATH, as an installed CLI would be.
  await mkdir(path.join(dir, 'bin'));
  await writeFile(path.join(dir, 'bin/vigil'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  await chmod(path.join(dir, 'bin/vigil'), 0o755);
  const monitors = (Object.keys(IDS) as Array<keyof typeof IDS>)
    .map((name) => `  - { name: ${IDS[name]}, id: ${IDS[name]}, type: heartbeat, schedule: { period: 1h, grace: 10m }, ping_key: ${KEYS[name]} }`)
    .join('\n');
  const configFile = path.join(dir, 'vigil.yaml');
  await writeFile(configFile, `monitors:\n${monitors}\n`);
  server = await serve(configFile, dir);
  token = await createToken(configFile, dir, 'reader', 'read');
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await removeDir?.();
});

// Each test has heartbeats of its own: they run side by side (most of their time is commands sleeping and pings waiting).
describe.concurrent('vigil run against vigil serve', { timeout: 45_000 }, () => {
  it('a command that succeeds: stdin, stdout and stderr pass through, the heartbeat is up, vigil run says nothing', async () => {
    const ran = await cron(`printf 'from stdin\\n' | vigil run ${KEYS.ok} -- sh -c 'cat; echo to stderr >&2; echo done'`, pingEnv()).done;
    expect(ran).toMatchObject({ code: 0, stdout: 'from stdin\ndone\n', stderr: 'to stderr\n' });
    const hb = await heartbeat(IDS.ok);
    expect(hb).toMatchObject({ state: 'up', running: false, last_exit_status: 0 });
    expect(hb.last_duration_ms).toEqual(expect.any(Number));
    // Both streams, in the order they came.
    expect(hb.last_message?.split('\n').sort()).toEqual(['', 'done', 'from stdin', 'to stderr']);
    expect((await results(IDS.ok))[0]).toMatchObject({ status: 'healthy', kind: 'ping' });
  });

  it('a command that fails: its exit status is kept, the heartbeat is down, the error has the end of the output', async () => {
    const lines = 'i=0; while [ $i -lt 500 ]; do i=$((i+1)); echo "output line $i"; done';
    const ran = await cron(`vigil run --log-bytes 120 ${KEYS.fail} -- sh -c '${lines}; exit 3'`, pingEnv()).done;
    expect(ran.code).toBe(3);
    expect(ran.stderr).toBe('');
    expect(ran.stdout.split('\n')).toHaveLength(501);
    const hb = await heartbeat(IDS.fail);
    expect(hb).toMatchObject({ state: 'down', running: false, last_exit_status: 3 });
    // The last 120 bytes, not the first.
    expect(Buffer.byteLength(hb.last_message ?? '')).toBeLessThanOrEqual(120);
    expect(hb.last_message).toMatch(/output line 499\noutput line 500\n$/);
    expect(hb.last_message).not.toContain('output line 1\n');
    const [result] = await results(IDS.fail);
    expect(result?.status).toBe('unhealthy');
    expect(result?.error).toMatch(/^exit status 3: .*output line 500$/s);
  });

  it('a command killed by a signal: 128+N as a shell says it, the heartbeat is down saying which signal', async () => {
    const ran = await cron(`vigil run ${KEYS.signal} -- sh -c 'echo before; kill -TERM $$; echo after'`, pingEnv()).done;
    expect(ran).toMatchObject({ code: 143, stdout: 'before\n', stderr: '' });
    const hb = await heartbeat(IDS.signal);
    expect(hb).toMatchObject({ state: 'down', last_exit_status: null, last_message: 'killed by signal SIGTERM\nbefore\n' });
    expect((await results(IDS.signal))[0]?.error).toContain('killed by signal SIGTERM');
  });

  it('a command that does not exist: 127, said on stderr, the heartbeat is down', async () => {
    const ran = await cron(`vigil run ${KEYS.missing} -- no-such-command-for-vigil --flag`, pingEnv()).done;
    expect(ran.code).toBe(127);
    expect(ran.stderr).toBe('vigil run: could not start no-such-command-for-vigil: not found (ENOENT)\n');
    const hb = await heartbeat(IDS.missing);
    expect(hb).toMatchObject({ state: 'down', last_message: 'could not start no-such-command-for-vigil: not found (ENOENT)' });
    expect((await results(IDS.missing))[0]?.error).toContain('could not start');
  });

  it('a run is running until it ends; overlapping runs are paired by their run id', async () => {
    // Two runs of one job that overlap, the first one ending first: each end ping must close its own run. Each
    // command waits for a file of the test's to end.
    const go = (name: string) => writeFile(path.join(dir, name), '');
    const waitFor = (name: string) => `sh -c 'while [ ! -e ${name} ]; do sleep 0.1; done; echo ${name}'`;
    const first = cron(`vigil run ${KEYS.pair} -- ${waitFor('pair-first-go')}`, pingEnv());
    const firstRunning = await until('the first run shown running', () => heartbeat(IDS.pair), (hb) => hb.running, 30_000);
    const firstStart = Date.parse(firstRunning.run_started_at ?? '');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const second = cron(`vigil run ${KEYS.pair} -- ${waitFor('pair-second-go')}`, pingEnv());
    const bothRunning = await until('the second run started', () => heartbeat(IDS.pair), (hb) => Date.parse(hb.run_started_at ?? '') > firstStart, 30_000);
    const secondStart = Date.parse(bothRunning.run_started_at ?? '');
    expect(secondStart - firstStart).toBeGreaterThanOrEqual(1500);

    await go('pair-first-go');
    expect(await first.done).toMatchObject({ code: 0, stdout: 'pair-first-go\n' });
    const between = await heartbeat(IDS.pair);
    // The second run is still under way; the first one's duration counts from its own start, not the second's.
    expect(between).toMatchObject({ running: true, state: 'up', last_exit_status: 0 });
    expect(Date.parse(between.run_started_at ?? '')).toBe(secondStart);
    expect(Math.abs((between.last_duration_ms ?? 0) - (Date.parse(between.last_ping_at ?? '') - firstStart))).toBeLessThanOrEqual(1);

    await go('pair-second-go');
    expect((await second.done).code).toBe(0);
    const after = await heartbeat(IDS.pair);
    expect(after).toMatchObject({ running: false, run_started_at: null, state: 'up', last_exit_status: 0 });
    expect(Math.abs((after.last_duration_ms ?? 0) - (Date.parse(after.last_ping_at ?? '') - secondStart))).toBeLessThanOrEqual(1);
    expect((await results(IDS.pair)).slice(0, 2).map((r) => r.status)).toEqual(['healthy', 'healthy']);
  });

  it('a server that cannot be reached: the command runs, its status is kept, vigil run gives up within --retry-for', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    // The command says when it ends: what vigil run does after it is timed from there.
    const ran = await cron(`vigil run --retry-for 3s ${KEYS.away} -- "${process.execPath}" -e 'console.log(Date.now()); process.exitCode = 4'`, {
      VIGIL_PING_URL: `http://127.0.0.1:${port}/ping`,
    }).done;
    const finished = Date.now();
    expect(ran.code).toBe(4);
    expect(ran.stdout).toMatch(/^\d+\n$/);
    expect(ran.stderr).toContain(`vigil run: ping http://127.0.0.1:${port}/ping/…/start failed: connect ECONNREFUSED`);
    expect(ran.stderr).toContain(`vigil run: ping http://127.0.0.1:${port}/ping/…/4 failed: connect ECONNREFUSED`);
    expect(ran.stderr).not.toContain(KEYS.away);
    // The end ping was tried 0, 1 and 3 s after the command ended; with the default (60s) it would go on to 31 s.
    const afterCommand = finished - Number(ran.stdout);
    expect(afterCommand).toBeGreaterThanOrEqual(2900);
    expect(afterCommand).toBeLessThan(3000 + 10_000);
    expect(await heartbeat(IDS.away)).toMatchObject({ state: 'new', running: false });
  });

  it('no ping URL: the command runs anyway, its status is kept, and both ways to set one are named', async () => {
    const ran = await cron(`vigil run ${KEYS.ok} -- sh -c 'echo ran; exit 5'`).done;
    expect(ran.code).toBe(5);
    expect(ran.stdout).toBe('ran\n');
    expect(ran.stderr).toMatch(/^vigil run: no ping URL: set VIGIL_PING_URL .* or give --ping-url.*; running the command without pings\n$/);
  });

  it('a command line that is wrong runs nothing: exit 2, with the usage when -- is missing', async () => {
    const ran = await cron(`vigil run ${KEYS.ok} echo not run`, pingEnv()).done;
    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toContain('vigil run: put -- before the command');
    expect(ran.stderr).toContain('vigil run [options] <slug-or-key> -- <command> [args…]');
    // So do an unknown option and a malformed value.
    const unknown = await cron(`vigil run --retry ${KEYS.ok} -- echo not run`, pingEnv()).done;
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toContain("unknown option '--retry'");
    const malformed = await cron(`vigil run --retry-for soon ${KEYS.ok} -- echo not run`, pingEnv()).done;
    expect(malformed).toMatchObject({ code: 2, stdout: '', stderr: 'vigil run: --retry-for: expected a duration like "30s" or "2m", got "soon"\n' });
  });
});

interface Received {
  method: string;
  path: string;
  rid: string | null;
  body: Buffer;
  at: number;
  answeredAt?: number;
}

type Plan = (request: Received, index: number) => Promise<{ status: number; text?: string; limit?: number }>;

/** An HTTP server that records the pings it gets and answers as `plan` says. */
async function recorder(plan: Plan = async () => ({ status: 200 })): Promise<{ base: string; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const request: Received = { method: req.method ?? '', path: url.pathname, rid: url.searchParams.get('rid'), body: Buffer.concat(chunks), at: Date.now() };
      received.push(request);
      void plan(request, received.length - 1).then(({ status, text = status < 300 ? 'OK' : 'nope', limit = 100_000 }) => {
        request.answeredAt = Date.now();
        res.writeHead(status, { 'Content-Type': 'text/plain', 'Ping-Body-Limit': String(limit) }).end(text);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

async function withRecorder<T>(plan: Plan | undefined, use: (r: Awaited<ReturnType<typeof recorder>>) => Promise<T>): Promise<T> {
  const r = await recorder(plan);
  try {
    return await use(r);
  } finally {
    await r.close();
  }
}

describe.concurrent('vigil run: the requests it sends', { timeout: 45_000 }, () => {
  const PROJECT_KEY = 'project-key-0123456789';

  it('slug URLs: the slug appended with one /; start then end, one fresh run id per run; the command does not wait for the start ping', async () => {
    const marker = path.join(dir, 'command-ran');
    let ranBeforeStartAnswered = false;
    const plan: Plan = async (request) => {
      if (request.path.endsWith('/start') && !ranBeforeStartAnswered) {
        // Answered only once the command has run (or after 5 s, before its --timeout): a command that waited for it would be late.
        const giveUp = Date.now() + 5_000;
        while (Date.now() < giveUp && !ranBeforeStartAnswered) {
          ranBeforeStartAnswered = await stat(marker).then(
            () => true,
            () => false,
          );
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }
      return { status: 200 };
    };
    await withRecorder(plan, async ({ base, received }) => {
      const line = `vigil run nightly-backup -- sh -c 'echo out; : > ${marker}'`;
      const ran = await cron(line, { VIGIL_PING_URL: `${base}/ping/${PROJECT_KEY}/` }).done;
      expect(ran).toMatchObject({ code: 0, stdout: 'out\n', stderr: '' });
      expect(ranBeforeStartAnswered).toBe(true);
      expect(received.map((r) => [r.method, r.path])).toEqual([
        ['POST', `/ping/${PROJECT_KEY}/nightly-backup/start`],
        ['POST', `/ping/${PROJECT_KEY}/nightly-backup/0`],
      ]);
      const [start, end] = received as [Received, Received];
      expect(start.rid).toMatch(UUID);
      expect(end.rid).toBe(start.rid);
      expect(end.at).toBeGreaterThanOrEqual(start.answeredAt ?? Infinity);
      expect(end.body.toString()).toBe('out\n');
      // The next run has a run id of its own.
      expect((await cron(line, { VIGIL_PING_URL: `${base}/ping/${PROJECT_KEY}` }).done).code).toBe(0);
      expect(received.map((r) => r.path).slice(2)).toEqual([`/ping/${PROJECT_KEY}/nightly-backup/start`, `/ping/${PROJECT_KEY}/nightly-backup/0`]);
      expect(received[2]?.rid).toMatch(UUID);
      expect(received[2]?.rid).not.toBe(start.rid);
    });
  });

  it('a 503 is retried; the body is the end of the output within the Ping-Body-Limit of the start answer', async () => {
    const plan: Plan = async (request, index) =>
      request.path.endsWith('/start') ? { status: 200, limit: 64 } : { status: index === 1 ? 503 : 200, text: 'not stored yet: retry' };
    await withRecorder(plan, async ({ base, received }) => {
      const ran = await cron(`vigil run ${base}/ping/some-key -- sh -c 'i=0; while [ $i -lt 100 ]; do i=$((i+1)); echo "line $i"; done'`).done;
      expect(ran.code).toBe(0);
      expect(ran.stderr).toBe('');
      expect(received.map((r) => r.path)).toEqual(['/ping/some-key/start', '/ping/some-key/0', '/ping/some-key/0']);
      const [, first, retried] = received as [Received, Received, Received];
      // After a wait (1 s after the first attempt started), not at once.
      expect(retried.at - first.at).toBeGreaterThanOrEqual(300);
      expect(retried.body.equals(first.body)).toBe(true);
      // Exactly the last 64 bytes of the output (the server would keep only the first 64 of more).
      expect(retried.body.toString()).toBe(ran.stdout.slice(-64));
    });
  });

  it('a 404 is not retried: said on stderr with the key masked, the exit status kept', async () => {
    await withRecorder(async () => ({ status: 404, text: 'not found' }), async ({ base, received }) => {
      const ran = await cron(`vigil run secret-key-abcdef -- sh -c 'exit 6'`, { VIGIL_PING_URL: `${base}/ping` }).done;
      expect(ran.code).toBe(6);
      expect(received).toHaveLength(2);
      expect(ran.stderr).toBe(
        [
          `vigil run: ping ${base}/ping/…/start failed: HTTP 404 not found (check the slug or key, and the ping URL)`,
          `vigil run: ping ${base}/ping/…/6 failed: HTTP 404 not found (check the slug or key, and the ping URL)`,
          '',
        ].join('\n'),
      );
    });
  });

  it('the tail is cut at a whole UTF-8 character', async () => {
    await withRecorder(undefined, async ({ base, received }) => {
      // "x" then 200 "é" (2 bytes each): the last 101 bytes begin in the middle of an "é".
      const ran = await cron(`vigil run --log-bytes 101 ${base}/ping/k -- sh -c 'printf x; i=0; while [ $i -lt 200 ]; do printf "\\303\\251"; i=$((i+1)); done'`).done;
      expect(ran.code).toBe(0);
      expect(received[1]?.body.toString()).toBe('é'.repeat(50));
    });
  });

  it('a signal sent to vigil run goes to the command: 128+N, /fail saying which', async () => {
    await withRecorder(undefined, async ({ base, received }) => {
      const { child, done } = cron(`exec vigil run ${base}/ping/k -- sh -c 'echo waiting; exec sleep 30'`);
      await until('the start ping', async () => received.length, (n) => n >= 1, 30_000);
      child.kill('SIGHUP');
      const ran = await done;
      expect(ran.code).toBe(129);
      expect(ran.ms).toBeLessThan(29_000);
      expect(received.map((r) => r.path)).toEqual(['/ping/k/start', '/ping/k/fail']);
      expect(received[1]?.body.toString()).toBe('killed by signal SIGHUP\nwaiting\n');
    });
  });

  it('a file that cannot be executed: 126, /fail saying why', async () => {
    await writeFile(path.join(dir, 'not-executable'), 'echo hi\n', { mode: 0o644 });
    await withRecorder(undefined, async ({ base, received }) => {
      const ran = await cron(`vigil run ${base}/ping/k -- ./not-executable`).done;
      expect(ran.code).toBe(126);
      expect(ran.stderr).toBe('vigil run: could not start ./not-executable: permission denied (EACCES)\n');
      expect(received.map((r) => r.path)).toEqual(['/ping/k/start', '/ping/k/fail']);
      expect(received[1]?.body.toString()).toBe('could not start ./not-executable: permission denied (EACCES)');
    });
  });
});

describe('docs/heartbeats.md: the crontabs of vigil run, as written', () => {
  it('runs every job line of the cron blocks with the variables set above it, and each heartbeat gets its runs', { timeout: 60_000 }, async () => {
    const doc = await readFile(path.join(REPO, 'docs/heartbeats.md'), 'utf8');
    const fenced = (language: string) => [...doc.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === language).map((m) => m[2] ?? '');
    const crontabs = fenced('cron');
    expect(crontabs).toHaveLength(2);
    // The page's first configuration (Nightly backup, Queue sweeper), with the key of slug URLs the second crontab uses.
    const slugKey = /VIGIL_PING_URL=https:\/\/vigil\.example\.com\/ping\/([A-Za-z0-9_-]+)/.exec(crontabs[1] ?? '')?.[1];
    expect(slugKey).toBeDefined();
    const docDir = path.join(dir, 'doc');
    await mkdir(docDir);
    const configFile = path.join(docDir, 'vigil.yaml');
    await writeFile(configFile, `heartbeats:\n  ping_key: ${slugKey}\n  create: { limit: 5 }\n${fenced('yaml')[0] ?? ''}`);
    for (const job of ['backup.sh', 'sweep.sh']) {
      await writeFile(path.join(docDir, job), `#!/bin/sh\necho "${job}: copied 42 files"\n`);
      await chmod(path.join(docDir, job), 0o755);
    }
    const docServer = await serve(configFile, docDir);
    try {
      const docToken = await createToken(configFile, docDir, 'reader', 'read');
      const localize = (text: string) =>
        text.replaceAll('https://vigil.example.com', docServer.url).replaceAll('/usr/local/bin/', `${docDir}/`).replace(/^PATH=\/usr\/local\/bin:/, `PATH=${path.join(dir, 'bin')}:`);
      let lines = 0;
      for (const crontab of crontabs) {
        const env: Record<string, string> = {};
        for (const line of (crontab ?? '').split('\n')) {
          if (line.trim() === '' || line.startsWith('#')) continue;
          const variable = /^([A-Z_]+)=(.*)$/.exec(line);
          if (variable) {
            env[variable[1] ?? ''] = localize(line).slice((variable[1] ?? '').length + 1);
            continue;
          }
          const command = /^(?:\S+\s+){5}(.*)$/.exec(line)?.[1];
          expect(command, line).toBeDefined();
          const ran = await cron(localize(command ?? ''), env).done;
          expect({ line, code: ran.code, stderr: ran.stderr }).toEqual({ line, code: 0, stderr: '' });
          expect(ran.stdout).toContain('copied 42 files');
          lines += 1;
        }
      }
      expect(lines).toBe(4);
      // --create: a slug nothing answers yet is created by the run's first ping (a new server's crontab line).
      const created = await cron(`vigil run --create web-1-backup -- sh -c 'echo made'`, {
        VIGIL_PING_URL: `${docServer.url}/ping/${slugKey}`,
      }).done;
      expect({ code: created.code, stderr: created.stderr, stdout: created.stdout }).toEqual({ code: 0, stderr: '', stdout: 'made\n' });
      for (const id of ['nightly-backup', 'queue-sweeper', 'web-1-backup']) {
        const read = await fetch(`${docServer.url}/api/v1/monitors/${id}/pings`, { headers: { Authorization: `Bearer ${docToken}` } });
        const { pings } = (await read.json()) as { pings: Array<{ kind: string; exit_status: number | null; body: string | null }> };
        // One run through its own key, one through its slug (web-1-backup: the run that created it): a start and an
        // exit status 0 each, with the job's output.
        const runs = id === 'web-1-backup' ? 1 : 2;
        expect(pings.map((p) => p.kind).sort(), id).toEqual([...Array(runs).fill('start'), ...Array(runs).fill('success')]);
        expect(pings.filter((p) => p.kind === 'success').every((p) => p.exit_status === 0 && p.body?.includes(id === 'web-1-backup' ? 'made' : 'copied 42 files'))).toBe(true);
      }
    } finally {
      await docServer.stop();
    }
  });
});
