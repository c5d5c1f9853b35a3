/**
 * The rest of Healthchecks.io's ping API through a real `vigil serve` (SQLite) over real HTTP: slug URLs under a
 * configuration key and a group's key, heartbeats created by their first ping (`?create=1`, a limit, persisted
 * across a restart), method and keyword filters, and the ping log in the API (user agent, client address — from
 * `X-Forwarded-For` only behind a trusted proxy —, body; the last 100).
 */
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createToken, type Proc, serve, until } from '../agent/processes.js';
import { CLI, REPO, tempDir } from '../support.js';

const run = promisify(execFile);

const PROJECT_KEY = 'proj-5f1c3a9e7b2d4e6f';
const BACKUPS_KEY = 'backups-0d9e8f7a6b5c4d3e';
const SWEEPER_KEY = 'sweeper-a1b2c3d4e5f6a7b8';
const RID = '0b7e3f5c-2a4d-4e6f-8a1b-3c5d7e9f1a2b';

const CONFIG = `
server:
  # Requests from 127.0.0.2 stand for a reverse proxy; 127.0.0.1 is any client.
  trusted_proxies: [127.0.0.2]
heartbeats:
  ping_key: ${PROJECT_KEY}
  create:
    limit: 3
    schedule: { period: 1h, grace: 10m }
    tags: [auto]
  groups:
    Backups:
      ping_key: ${BACKUPS_KEY}
monitors:
  - name: Nightly backup
    type: heartbeat
    group: Backups
    schedule: { period: 1d, grace: 1h }
  - name: Import job
    slug: import
    type: heartbeat
    schedule: { period: 1h }
    methods: [POST]
    keywords:
      success: [completed]
      failure: [error, traceback]
      start: [starting]
  - name: Sweeper
    type: heartbeat
    schedule: { period: 1h }
    ping_key: ${SWEEPER_KEY}
`;

interface Answer {
  status: number;
  body: string;
  headers: http.IncomingHttpHeaders;
}

/** One request; `localAddress` picks the address it comes from (127.0.0.2 is the trusted proxy). */
function request(url: string, options: { method?: string; body?: string; headers?: Record<string, string>; localAddress?: string } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers ?? {}, ...(options.localAddress ? { localAddress: options.localAddress } : {}) },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

interface HeartbeatJson {
  state: string;
  running: boolean;
  last_exit_status: number | null;
  last_duration_ms: number | null;
  slug: string | null;
}
interface MonitorJson {
  id: string;
  name: string;
  group: string | null;
  tags: string[];
  state: string;
  source: string;
  heartbeat: HeartbeatJson | null;
}
interface PingJson {
  id: number;
  kind: string;
  method: string;
  note: string | null;
  user_agent: string | null;
  remote_address: string | null;
  body: string | null;
  exit_status: number | null;
  rid: string | null;
}

describe('slug URLs, ?create=1, filters and the ping log, through vigil serve', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let configFile: string;
  let server: Proc & { url: string };
  let token: string;

  const api = async <T>(pathname: string): Promise<T> => {
    const answer = await request(`${server.url}/api/v1${pathname}`, { headers: { Authorization: `Bearer ${token}` } });
    if (answer.status !== 200) throw new Error(`${pathname}: HTTP ${answer.status} ${answer.body}`);
    return JSON.parse(answer.body) as T;
  };
  const monitor = (id: string) => api<MonitorJson>(`/monitors/${id}`);
  const pings = async (id: string, query = '') => (await api<{ pings: PingJson[] }>(`/monitors/${id}/pings${query}`)).pings;
  const ping = (pathname: string, options?: Parameters<typeof request>[1]) => request(`${server.url}/ping/${pathname}`, options);

  beforeAll(async () => {
    dir = await tempDir('vigil-ping-slugs-');
    configFile = path.join(dir.dir, 'vigil.yaml');
    await writeFile(configFile, CONFIG);
    token = await createToken(configFile, dir.dir, 'reader', 'read');
    server = await serve(configFile, dir.dir);
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await dir?.remove();
  });

  it('answers /ping/<key>/<slug> with every suffix, under the key of the heartbeat\'s group or the top-level one', async () => {
    const ok = await ping(`${BACKUPS_KEY}/nightly-backup`);
    expect([ok.status, ok.body]).toEqual([200, 'OK']);
    expect(ok.headers['ping-body-limit']).toBe('100000');
    expect((await monitor('nightly-backup')).heartbeat).toMatchObject({ state: 'up', slug: 'nightly-backup' });

    expect((await ping(`${BACKUPS_KEY}/nightly-backup/start?rid=${RID}`)).status).toBe(200);
    expect((await monitor('nightly-backup')).heartbeat?.running).toBe(true);
    expect((await ping(`${BACKUPS_KEY}/nightly-backup/0?rid=${RID}`)).status).toBe(200);
    const ended = (await monitor('nightly-backup')).heartbeat;
    expect(ended).toMatchObject({ running: false, last_exit_status: 0, state: 'up' });
    expect(ended?.last_duration_ms).toBeGreaterThanOrEqual(0);

    expect((await ping(`${BACKUPS_KEY}/nightly-backup/log`, { method: 'POST', body: 'disk 81% full' })).status).toBe(200);
    expect((await ping(`${BACKUPS_KEY}/nightly-backup/3`, { method: 'POST', body: 'rsync: connection refused' })).status).toBe(200);
    const failed = await monitor('nightly-backup');
    expect(failed.heartbeat).toMatchObject({ state: 'down', last_exit_status: 3 });
    expect(failed.state).toBe('unhealthy');
    expect((await ping(`${BACKUPS_KEY}/nightly-backup/fail`)).status).toBe(200);
    expect((await ping(`${BACKUPS_KEY}/nightly-backup`, { method: 'HEAD' })).status).toBe(200);
    expect((await monitor('nightly-backup')).heartbeat?.state).toBe('up');

    // A heartbeat without a group of its own answers under the top-level key, beside its own key.
    expect((await ping(`${PROJECT_KEY}/sweeper`)).status).toBe(200);
    expect((await ping(`${SWEEPER_KEY}`)).status).toBe(200);
    expect((await monitor('sweeper')).heartbeat?.state).toBe('up');

    // Not found, saying nothing about keys: another key's slug, an unknown slug, a malformed one, too many parts.
    for (const pathname of [
      `${PROJECT_KEY}/nightly-backup`,
      `${PROJECT_KEY}/no-such-job`,
      `${PROJECT_KEY}/Bad.Slug`,
      `${PROJECT_KEY}/sweeper/fail/extra`,
      `${PROJECT_KEY}`,
      'wrong-key-0000000000/sweeper',
    ]) {
      const answer = await ping(pathname);
      expect([pathname, answer.status, answer.body]).toEqual([pathname, 404, 'not found']);
    }
    const badStatus = await ping(`${PROJECT_KEY}/sweeper/256`);
    expect(badStatus.status).toBe(400);
  });

  it('counts only the configured methods, and decides a plain ping by the keywords in its body (case-insensitive)', async () => {
    // GET is not counted (methods: [POST]): answered OK, logged as ignored, nothing changes.
    const get = await ping(`${PROJECT_KEY}/import`);
    expect([get.status, get.body]).toEqual([200, 'OK']);
    expect((await monitor('import-job')).heartbeat?.state).toBe('new');

    expect((await ping(`${PROJECT_KEY}/import`, { method: 'POST', body: 'import STARTING at 02:00' })).status).toBe(200);
    expect((await monitor('import-job')).heartbeat?.running).toBe(true);
    await ping(`${PROJECT_KEY}/import`, { method: 'POST', body: 'import Completed: 1200 rows' });
    expect((await monitor('import-job')).heartbeat).toMatchObject({ state: 'up', running: false });

    // Failure keywords come first: a body that has both is a failure, with the keyword as the reason.
    await ping(`${PROJECT_KEY}/import`, { method: 'POST', body: 'Traceback (most recent call last): …\ncompleted with errors' });
    const failed = await monitor('import-job');
    expect(failed.heartbeat?.state).toBe('down');
    const results = await api<{ results: Array<{ status: string; error: string | null }> }>('/monitors/import-job/results?limit=1');
    expect(results.results[0]?.error).toMatch(/^failure keyword "error" in the body: Traceback/);

    // No keyword: ignored (unmatched: ignore); the state stays down.
    await ping(`${PROJECT_KEY}/import`, { method: 'POST', body: 'hello' });
    expect((await monitor('import-job')).heartbeat?.state).toBe('down');
    // Explicit suffixes keep their meaning whatever the body says; the method filter still applies.
    await ping(`${PROJECT_KEY}/import/0`, { method: 'POST', body: 'error count: 0' });
    expect((await monitor('import-job')).heartbeat?.state).toBe('up');
    await ping(`${PROJECT_KEY}/import/fail`);
    expect((await monitor('import-job')).heartbeat?.state).toBe('up');

    const log = await pings('import-job');
    expect(log.map((p) => [p.kind, p.method, p.note])).toEqual([
      ['ignored', 'GET', 'method GET is not counted (methods: POST)'],
      ['success', 'POST', null],
      ['ignored', 'POST', 'no keyword matched'],
      ['fail', 'POST', 'failure keyword "error" in the body'],
      ['success', 'POST', null],
      ['start', 'POST', null],
      ['ignored', 'GET', 'method GET is not counted (methods: POST)'],
    ]);
    expect(log[1]?.exit_status).toBe(0);
  });

  it('logs each ping with its user agent, client address and body; X-Forwarded-For only from a trusted proxy', async () => {
    const forged = { 'User-Agent': 'curl/8.5.0', 'X-Forwarded-For': '203.0.113.7' };
    await ping(`${PROJECT_KEY}/sweeper/log`, { method: 'POST', body: 'from a client', headers: forged });
    await ping(`${PROJECT_KEY}/sweeper/log`, { method: 'POST', body: 'through the proxy', headers: forged, localAddress: '127.0.0.2' });
    await ping(`${PROJECT_KEY}/sweeper/log`, {
      method: 'POST',
      body: 'through two proxies: password=hunter2',
      headers: { 'User-Agent': 'backup.sh', 'X-Forwarded-For': '198.51.100.1, 203.0.113.9, 127.0.0.2' },
      localAddress: '127.0.0.2',
    });
    const [last, viaProxy, direct] = await pings('sweeper', '?limit=3');
    expect(direct).toMatchObject({ kind: 'log', method: 'POST', user_agent: 'curl/8.5.0', remote_address: '127.0.0.1', body: 'from a client' });
    expect(viaProxy).toMatchObject({ remote_address: '203.0.113.7', body: 'through the proxy' });
    // The rightmost address that is not a trusted proxy: what the client wrote to its left proves nothing.
    expect(last).toMatchObject({ remote_address: '203.0.113.9', user_agent: 'backup.sh' });
    expect(last?.body).toContain('through two proxies');
    expect(last?.body).not.toContain('hunter2');

    // Token holders only: addresses and job output are not public.
    const anonymous = await request(`${server.url}/api/v1/monitors/sweeper/pings`);
    expect(anonymous.status).toBe(401);
    const notHeartbeat = await request(`${server.url}/api/v1/monitors/no-such/pings`, { headers: { Authorization: `Bearer ${token}` } });
    expect(notHeartbeat.status).toBe(404);
  });

  it('keeps the last 100 pings of a heartbeat, newest first, pageable', async () => {
    for (let index = 0; index < 105; index += 1) {
      const answer = await ping(`${BACKUPS_KEY}/nightly-backup/log`, { method: 'POST', body: `line ${index}` });
      expect(answer.status).toBe(200);
    }
    const log = await pings('nightly-backup');
    expect(log).toHaveLength(100);
    expect(log[0]?.body).toBe('line 104');
    expect(log[99]?.body).toBe('line 5');
    const page = await pings('nightly-backup', `?limit=10&before=${log[9]?.id}`);
    expect(page.map((p) => p.body)).toEqual(log.slice(10, 20).map((p) => p.body));
  });

  it('creates a heartbeat on its first ?create=1 ping (201), once, up to the limit, and keeps it across a restart', async () => {
    // Without ?create=1, or under a key that does not create, an unknown slug is not found.
    expect((await ping(`${PROJECT_KEY}/web-1-backup`)).status).toBe(404);
    expect((await ping(`${BACKUPS_KEY}/web-1-backup?create=1`)).status).toBe(404);

    // A slug free under this key whose id another monitor has (nightly-backup is under the Backups key): 409, why.
    const clash = await ping(`${PROJECT_KEY}/nightly-backup?create=1`);
    expect(clash.status).toBe(409);
    expect(clash.body).toMatch(/^cannot create "nightly-backup": a monitor with id "nightly-backup" already exists in a configuration file/);

    // Two first pings at once: one creates it, both count.
    const [first, second] = await Promise.all([
      ping(`${PROJECT_KEY}/web-1-backup?create=1`, { headers: { 'User-Agent': 'web-1' } }),
      ping(`${PROJECT_KEY}/web-1-backup?create=1`, { headers: { 'User-Agent': 'web-1' } }),
    ]);
    expect([first.status, second.status].sort()).toEqual([200, 201]);
    expect([first.body, second.body].sort()).toEqual(['Created', 'OK']);
    const created = await monitor('web-1-backup');
    expect(created).toMatchObject({ name: 'web-1-backup', group: null, tags: ['auto'], source: 'api' });
    expect(created.heartbeat).toMatchObject({ state: 'up', slug: 'web-1-backup' });
    expect((await pings('web-1-backup')).map((p) => p.kind)).toEqual(['success', 'success']);
    const definition = (await api<{ definition: Record<string, unknown> }>('/monitors/web-1-backup')).definition;
    expect(definition).toMatchObject({ type: 'heartbeat', schedule: { period: '1h', grace: '10m' } });

    // Already there: a plain ping.
    const again = await ping(`${PROJECT_KEY}/web-1-backup/start?create=1`);
    expect([again.status, again.body]).toEqual([200, 'OK']);

    // The limit counts every heartbeat under the key: Import job, Sweeper, web-1-backup = 3.
    const refused = await ping(`${PROJECT_KEY}/web-2-backup?create=1`);
    expect(refused.status).toBe(403);
    expect(refused.body).toBe('limit reached: this key has 3 heartbeats, the most heartbeats.create.limit allows');
    const list = await api<{ monitors: MonitorJson[] }>('/monitors');
    expect(list.monitors.map((m) => m.id)).not.toContain('web-2-backup');

    // Stored like an API monitor: still there, and still pinged by its slug, after a restart.
    await server.stop();
    server = await serve(configFile, dir.dir);
    expect((await monitor('web-1-backup')).heartbeat?.state).toBe('up');
    expect((await ping(`${PROJECT_KEY}/web-1-backup/fail`)).status).toBe(200);
    await until('web-1-backup down', () => monitor('web-1-backup'), (m) => m.heartbeat?.state === 'down', 10_000);
  }, 60_000);
});

describe('slug URL settings that cannot work are refused with file, line and field', () => {
  it('names a slug used twice under one key, a create without a key, and a key used twice', async () => {
    const dir = await tempDir('vigil-ping-slugs-config-');
    try {
      const file = path.join(dir.dir, 'vigil.yaml');
      await writeFile(
        file,
        [
          'heartbeats:',
          '  create: { limit: 5 }',
          '  groups:',
          `    Ops: { ping_key: ${BACKUPS_KEY} }`,
          `    Web: { ping_key: ${BACKUPS_KEY} }`,
          'monitors:',
          '  - name: Backup',
          '    type: heartbeat',
          '    group: Ops',
          '    schedule: { period: 1d }',
          '  - name: Other backup',
          '    slug: backup',
          '    type: heartbeat',
          '    group: Ops',
          '    schedule: { period: 1d }',
          '',
        ].join('\n'),
      );
      const failure = await run(process.execPath, [CLI, 'config', 'check', '--config', file]).then(
        () => undefined,
        (error: { stdout: string; stderr: string }) => `${error.stdout}${error.stderr}`,
      );
      expect(failure).toBeDefined();
      expect(failure).toMatch(/vigil\.yaml:2\S* .*heartbeats\.create.*needs heartbeats\.ping_key/);
      expect(failure).toMatch(/vigil\.yaml:5\S* .*heartbeats\.groups\.Web\.ping_key.*same key as heartbeats\.groups\.Ops\.ping_key/);
      expect(failure).toMatch(/vigil\.yaml:12\S* .*monitors\[1\]\.slug.*gives the slug "backup", already the slug of monitors\[0\]/);
      expect(failure).not.toContain(BACKUPS_KEY);
    } finally {
      await dir.remove();
    }
  });
});

describe('docs/heartbeats.md, slug URLs as written', () => {
  it('runs every line of the bash block with curl against vigil serve with the page\'s configuration', async () => {
    const doc = await readFile(path.join(REPO, 'docs/heartbeats.md'), 'utf8');
    const blocks = (language: string) => [...doc.matchAll(/^```(\S*)\n([\s\S]*?)^```$/gm)].filter((m) => m[1] === language).map((m) => m[2] ?? '');
    const config = blocks('yaml').find((block) => block.includes('groups:'));
    const lines = blocks('bash').flatMap((block) => block.split('\n')).filter((line) => line.trim() !== '');
    expect(config, 'the page has a configuration with heartbeats.groups').toBeDefined();
    expect(lines.length).toBeGreaterThanOrEqual(4);
    const dir = await tempDir('vigil-ping-slugs-doc-');
    const file = path.join(dir.dir, 'vigil.yaml');
    await writeFile(file, config ?? '');
    const token = await createToken(file, dir.dir, 'reader', 'read');
    const server = await serve(file, dir.dir);
    try {
      for (const line of lines) {
        const local = line.replaceAll('https://vigil.example.com', server.url);
        const { stderr } = await run('sh', ['-c', local], { timeout: 30_000 });
        expect(stderr, line).toBe('');
      }
      const read = async (id: string) => {
        const answer = await request(`${server.url}/api/v1/monitors/${id}`, { headers: { Authorization: `Bearer ${token}` } });
        expect(answer.status, `${id}: ${answer.body}`).toBe(200);
        return JSON.parse(answer.body) as MonitorJson;
      };
      expect((await read('nightly-backup')).heartbeat).toMatchObject({ state: 'up', last_exit_status: 0, slug: 'nightly-backup' });
      expect((await read('import-job')).heartbeat).toMatchObject({ state: 'up', slug: 'import' });
      expect(await read('web-1-backup')).toMatchObject({ tags: ['auto'], heartbeat: { state: 'up' } });
    } finally {
      await server.stop();
      await dir.remove();
    }
  }, 60_000);
});
