/**
 * Three `vigil serve` processes (the built CLI) on one PostgreSQL schema, checking local HTTP targets every second
 * with a 3 s lease: they divide the monitors; an instance killed with -9 has its monitors checked by the others
 * within an interval plus the lease; an instance stopped (SIGSTOP) for longer than its lease writes nothing over
 * the new owner when it continues, and rejoins; a monitor created or paused through one instance takes effect on
 * all; a heartbeat pinged through any instance counts once per ping; each notification is sent once.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { POSTGRES_URL } from '../../../../test/services.js';
import { CLI, tempDir } from '../support.js';
import { writeConfig } from '../service/harness.js';

const SCHEMA = `vigil_cluster_${process.pid}_${Date.now().toString(36)}`;
const URL_WITH_SCHEMA = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${SCHEMA}`;
const MONITORS = Array.from({ length: 24 }, (_, i) => `m${String(i + 1).padStart(2, '0')}`);
const LEASE_MS = 3000;
const INTERVAL_MS = 1000;
/** What a machine busy with the other test files adds to a takeover (bench/scale.mjs measures it on a quiet one). */
const BUSY_MS = 5000;
const PING_KEY = 'cluster-test-heartbeat-0001';

interface Instance {
  child: ChildProcess;
  url: string;
  id?: string;
  output: string[];
  exited: Promise<number | null>;
}

/** Every request the targets got: which monitor, when. */
const hits: Array<{ monitor: string; at: number }> = [];
const received: string[] = [];
let target: http.Server;
let receiver: http.Server;
let targetUrl = '';
let dir: { dir: string; remove: () => Promise<void> };
let configFile = '';
let db: pg.Pool;
const instances: Instance[] = [];

async function listen(server: http.Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function startInstance(): Promise<Instance> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile, '--port', '0', '--data', dir.dir, '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '', VIGIL_LOG_LEVEL: 'info' },
  });
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = await new Promise<string | undefined>((resolve) => {
    const onData = (chunk: Buffer) => {
      output.push(chunk.toString());
      const match = /"event":"listening","url":"(http:\/\/[^"]+)"/.exec(output.join(''));
      if (match) resolve(match[1]);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => resolve(undefined));
    setTimeout(() => resolve(undefined), 20_000).unref();
  });
  if (url === undefined) {
    child.kill('SIGKILL');
    throw new Error(`vigil serve did not start:\n${output.join('')}`);
  }
  const instance: Instance = { child, url, output, exited };
  instances.push(instance);
  return instance;
}

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  return (await db.query<T>(text, values)).rows;
}

/** Lease owners by the instance row's name (host pid N). */
async function ownersByPid(): Promise<Map<string, number>> {
  const rows = await query<{ monitor_id: string; pid: string }>(
    `SELECT l.monitor_id, substring(i.name from 'pid ([0-9]+)') AS pid FROM "${SCHEMA}".monitor_leases l
     JOIN "${SCHEMA}".instances i ON i.id = l.owner WHERE l.expires_at > 0`,
  );
  return new Map(rows.map((row) => [row.monitor_id, Number(row.pid)]));
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Results stored for a monitor since `from` (epoch ms), oldest first. */
async function storedResults(monitor: string, from = 0, to = Number.MAX_SAFE_INTEGER): Promise<number[]> {
  const rows = await query<{ at: string }>(
    `SELECT r.at FROM "${SCHEMA}".results r JOIN "${SCHEMA}".series s ON s.key = r.monitor_key
     WHERE s.monitor_id = $1 AND r.at >= $2 AND r.at < $3 ORDER BY r.at`,
    [monitor, from, to],
  );
  return rows.map((row) => Number(row.at));
}

/** Two results of one monitor closer than half an interval: two instances checked it at once. */
function doubleChecks(times: readonly number[]): number[] {
  const close: number[] = [];
  for (let i = 1; i < times.length; i++) if (times[i]! - times[i - 1]! < INTERVAL_MS / 2) close.push(times[i]!);
  return close;
}

beforeAll(async () => {
  dir = await tempDir('cluster');
  target = http.createServer((req, res) => {
    const monitor = /^\/m\/([\w-]+)/.exec(req.url ?? '')?.[1] ?? '?';
    hits.push({ monitor, at: Date.now() });
    const down = monitor === 'down';
    res.writeHead(down ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(down ? 'down' : 'ok');
  });
  receiver = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['idempotency-key']));
      res.end('ok');
    });
  });
  targetUrl = await listen(target);
  const hookUrl = `${await listen(receiver)}/hook`;
  const lines = [
    `storage: "${URL_WITH_SCHEMA}"`,
    `cluster: { lease: ${LEASE_MS}ms }`,
    'defaults: { interval: 1s, timeout: 500ms }',
    'alerts:',
    `  channels: { hook: { type: webhook, url: "${hookUrl}" } }`,
    '  routes: { critical: [hook] }',
    '  per_channel_per_minute: 100000',
    '  defaults: { failure_threshold: 1, success_threshold: 1 }',
    'monitors:',
    ...MONITORS.flatMap((id) => [`  - name: ${id}`, '    type: http', `    url: ${targetUrl}/m/${id}`]),
    '  - name: down',
    '    type: http',
    `    url: ${targetUrl}/m/down`,
    '  - name: nightly',
    '    type: heartbeat',
    `    ping_key: ${PING_KEY}`,
    '    schedule: { period: 1h, grace: 10m }',
  ];
  configFile = await writeConfig(dir.dir, `${lines.join('\n')}\n`);
  db = new pg.Pool({ connectionString: POSTGRES_URL, max: 4 });
  // Three instances, started together as a deployment would.
  await Promise.all([startInstance(), startInstance(), startInstance()]);
}, 60_000);

afterAll(async () => {
  for (const instance of instances) {
    instance.child.kill('SIGCONT');
    instance.child.kill('SIGKILL');
  }
  await Promise.all(instances.map((instance) => instance.exited));
  target.closeAllConnections();
  target.close();
  receiver.closeAllConnections();
  receiver.close();
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
  await db.end();
  await dir.remove();
});

describe('three instances on one PostgreSQL', () => {
  it('divide the monitors: each is held by one instance, every instance holds some, none is checked twice', async () => {
    const owners = await until(
      'every monitor leased',
      async () => {
        const map = await ownersByPid();
        return MONITORS.every((id) => map.has(id)) && new Set(map.values()).size === 3 ? map : undefined;
      },
      20_000,
    );
    const pids = instances.map((instance) => instance.child.pid!);
    for (const pid of new Set(owners.values())) expect(pids).toContain(pid);
    // Each says in /metrics how many it checks, and how many instances it sees: together, every monitor once.
    const owned = await until(
      'the leases settled in /metrics',
      async () => {
        const texts = await Promise.all(instances.map(async (instance) => (await fetch(`${instance.url}/metrics`)).text()));
        if (!texts.every((text) => /^vigil_cluster_live_instances 3$/m.test(text))) return undefined;
        const counts = texts.map((text) => Number(/^vigil_cluster_owned_monitors (\d+)$/m.exec(text)?.[1] ?? -1));
        return counts.reduce((sum, count) => sum + count, 0) === MONITORS.length + 2 ? counts : undefined;
      },
      20_000,
    );
    for (const count of owned) expect(count).toBeGreaterThan(0);
    const since = Date.now();
    // Four intervals, and the second a quiet result may wait in memory before it is stored.
    await new Promise((resolve) => setTimeout(resolve, 4000 + 1500));
    for (const id of MONITORS) {
      const times = await storedResults(id, since, since + 4000);
      // Checked (late on a busy machine, at worst), and never by two instances: at most one result per interval.
      expect(times.length, id).toBeGreaterThanOrEqual(1);
      expect(times.length, id).toBeLessThanOrEqual(5);
      expect(doubleChecks(times), id).toEqual([]);
    }
  }, 40_000);

  it('serve the same view from any instance: a monitor created through one is checked, and listed by all', async () => {
    const store = new PostgresStore(POSTGRES_URL, { schema: SCHEMA, poolSize: 2 });
    const { token } = await createApiToken(store, 'cluster-test', { scope: 'write' });
    await store.close();
    const created = await fetch(`${instances[0]!.url}/api/v1/monitors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'added', type: 'http', url: `${targetUrl}/m/added`, interval: '1s' }),
    });
    expect(created.status).toBe(201);
    await until('the new monitor checked', async () => (hits.some((hit) => hit.monitor === 'added') ? true : undefined), 10_000);
    for (const instance of instances) {
      await until(
        `the new monitor listed by ${instance.url}`,
        async () => {
          const list = (await (await fetch(`${instance.url}/api/v1/monitors`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
            monitors: Array<{ id: string; state: string }>;
          };
          return list.monitors.find((monitor) => monitor.id === 'added' && monitor.state === 'healthy');
        },
        10_000,
      );
    }
    // Paused through another instance: no more checks, wherever it runs.
    const paused = await fetch(`${instances[2]!.url}/api/v1/monitors/added/pause`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(paused.status).toBeLessThan(300);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const after = hits.filter((hit) => hit.monitor === 'added').length;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(hits.filter((hit) => hit.monitor === 'added').length).toBe(after);
  }, 60_000);

  it('acknowledge an alert through an instance that does not own its monitor: the owner stops reminding', async () => {
    const store = new PostgresStore(POSTGRES_URL, { schema: SCHEMA, poolSize: 2 });
    const { token } = await createApiToken(store, 'acker', { scope: 'write' });
    await store.close();
    const incident = await until(
      'the failing monitor down, its alert open',
      async () =>
        (
          await query<{ id: string }>(
            `SELECT i.id FROM "${SCHEMA}".incidents i JOIN "${SCHEMA}".runtime_states r ON r.open_incident_id = i.id
             WHERE i.monitor_id = 'down' AND i.ended_at IS NULL AND r.alert_trigger IS NOT NULL`,
          )
        )[0]?.id,
      15_000,
    );
    const owner = (await ownersByPid()).get('down');
    const other = instances.find((instance) => instance.child.pid !== owner)!;
    const response = await fetch(`${other.url}/api/v1/incidents/${incident}/acknowledge`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(200);
    await until(
      "the owner's alert acknowledged",
      async () =>
        (await query<{ by: string | null }>(`SELECT alert_acked_by AS by FROM "${SCHEMA}".runtime_states WHERE monitor_id = 'down'`))[0]?.by ===
        'acker'
          ? true
          : undefined,
      10_000,
    );
  }, 40_000);

  it('run "check now" asked through an instance that does not own the monitor', async () => {
    const store = new PostgresStore(POSTGRES_URL, { schema: SCHEMA, poolSize: 2 });
    const { token } = await createApiToken(store, 'checker', { scope: 'write' });
    await store.close();
    // A monitor with a long interval (its first check falls somewhere in the hour), so that a check in the next
    // seconds is the one asked for.
    const created = await fetch(`${instances[0]!.url}/api/v1/monitors`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'hourly', type: 'http', url: `${targetUrl}/m/hourly`, interval: '1h' }),
    });
    expect(created.status).toBe(201);
    const owner = await until('the new monitor leased', async () => (await ownersByPid()).get('hourly'), 15_000);
    const before = hits.filter((hit) => hit.monitor === 'hourly').length;
    const other = instances.find((instance) => instance.child.pid !== owner && instance.child.exitCode === null)!;
    const asked = await fetch(`${other.url}/api/v1/monitors/hourly/check`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    expect(asked.status).toBeLessThan(300);
    await until('the check asked for', async () => (hits.filter((hit) => hit.monitor === 'hourly').length > before ? true : undefined), 10_000);
  }, 90_000);

  it('count a heartbeat ping received by any instance, once', async () => {
    const before = (await storedResults('nightly')).length;
    for (const instance of instances) {
      const response = await fetch(`${instance.url}/ping/${PING_KEY}`, { method: 'POST' });
      expect(response.status, instance.url).toBe(200);
    }
    await until('three pings stored', async () => ((await storedResults('nightly')).length === before + 3 ? true : undefined), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect((await storedResults('nightly')).length).toBe(before + 3);
  }, 30_000);

  it('after kill -9 of one, its monitors are checked by the others within an interval plus the lease, none twice', async () => {
    const victim = instances[0]!;
    const owners = await ownersByPid();
    const its = MONITORS.filter((id) => owners.get(id) === victim.child.pid);
    expect(its.length).toBeGreaterThan(0);
    const killedAt = Date.now();
    victim.child.kill('SIGKILL');
    await victim.exited;
    const takenOver = await until(
      'every monitor of the killed instance checked again',
      async () => {
        const latest = await Promise.all(its.map(async (id) => (await storedResults(id, killedAt)).at(0)));
        return latest.every((at) => at !== undefined) ? Math.max(...(latest as number[])) : undefined;
      },
      INTERVAL_MS + LEASE_MS + BUSY_MS + 2000,
    );
    expect(takenOver - killedAt).toBeLessThanOrEqual(INTERVAL_MS + LEASE_MS + BUSY_MS);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    for (const id of MONITORS) expect(doubleChecks(await storedResults(id, killedAt)), id).toEqual([]);
  }, 40_000);

  it('an instance stopped longer than its lease writes nothing over the new owner when it continues, and rejoins', async () => {
    const [paused, other] = [instances[1]!, instances[2]!];
    const owners = await ownersByPid();
    const its = MONITORS.filter((id) => owners.get(id) === paused.child.pid);
    expect(its.length).toBeGreaterThan(0);
    const stoppedAt = Date.now();
    paused.child.kill('SIGSTOP');
    // The other takes them over while it is stopped, once their leases expired (a busy machine may take a while).
    await until(
      'its monitors taken over',
      async () => {
        const during = await ownersByPid();
        return its.every((id) => during.get(id) === other.child.pid) ? true : undefined;
      },
      LEASE_MS * 5,
    );
    // Stopped for longer than its lease, whatever the machine's speed.
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, stoppedAt + LEASE_MS * 2 - Date.now())));
    const continuedAt = Date.now();
    paused.child.kill('SIGCONT');
    await until(
      'the stopped instance holding monitors again',
      async () => ([...(await ownersByPid()).values()].includes(paused.child.pid!) ? true : undefined),
      LEASE_MS * 4,
    );
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const id of MONITORS) {
      const times = await storedResults(id, stoppedAt);
      expect(doubleChecks(times), id).toEqual([]);
      // No hole longer than an interval plus the lease (and a round) while one instance was stopped.
      for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!, id).toBeLessThan(INTERVAL_MS + LEASE_MS + BUSY_MS);
    }
    // The state of each monitor moved on from the new owner's steps: the same sequence at every location row.
    const states = await query<{ monitor_id: string; state: string }>(`SELECT monitor_id, state FROM "${SCHEMA}".runtime_states`);
    for (const id of MONITORS) expect(states.find((row) => row.monitor_id === id)?.state, id).toBe('healthy');
    expect(continuedAt).toBeGreaterThan(stoppedAt);
    // What it had taken before it stopped and wrote after it continued was refused as fenced, never as a conflict
    // with the new owner's state (which it would be, had it been written over).
    expect(paused.output.join('')).not.toContain('"event":"state_conflict"');
  }, 60_000);

  it('sent each notification once, whichever instance committed it', async () => {
    await until('the failing monitor alerted', async () => (received.length > 0 ? true : undefined), 10_000);
    const outbox = await query<{ idempotency_key: string; status: string }>(`SELECT idempotency_key, status FROM "${SCHEMA}".outbox`);
    expect(outbox.length).toBeGreaterThan(0);
    expect(new Set(received).size).toBe(received.length);
    for (const key of received) expect(outbox.map((row) => row.idempotency_key)).toContain(key);
  }, 20_000);
});
