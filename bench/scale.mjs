// Question: when several `vigil serve` instances share one PostgreSQL schema and divide the monitors through
// leases (issue 14), what do 1, 2 and 3 instances on this machine do — checks per second stored, CPU per check of
// the instances and of their PostgreSQL backends — what do the leases cost in statements (and rows) per second per
// 1,000 monitors, and how long after `kill -9` (and `SIGSTOP`) of one of 3 instances until every monitor it held has
// a new result stored? Baseline in the same run: 1 instance, same monitors, same schema; the table gives ratios.
// Run: npm run bench:scale   (builds first; about 5 minutes)
// Quick: BENCH_MONITORS=600 BENCH_WINDOW_S=8 BENCH_LEASES=3 BENCH_KILLS=1 npm run bench:scale   (about 2 minutes)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import { startPgProxy } from './scale-pg-proxy.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/monitor/dist/cli.js');
const dist = (file) => import(pathToFileURL(path.join(ROOT, 'packages/monitor/dist', file)).href);
const POSTGRES_URL = process.env.VIGIL_TEST_POSTGRES_URL?.trim() || 'postgres://postgres@127.0.0.1:5432/test';
const MONITORS = Number(process.env.BENCH_MONITORS ?? 1500);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 5);
const WINDOW_S = Number(process.env.BENCH_WINDOW_S ?? 15);
// The first lease is the one of the throughput rounds; each is then used for the kill -9 and SIGSTOP rounds.
const LEASES_S = (process.env.BENCH_LEASES ?? '15,3').split(',').map(Number);
const KILLS = Number(process.env.BENCH_KILLS ?? 3);
const COUNTS = (process.env.BENCH_INSTANCES ?? '1,2,3').split(',').map(Number);
const TAKEOVER_INSTANCES = 3;
const TICKS = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s
const SCHEMA = `vigil_bench_scale_${process.pid}_${Date.now().toString(36)}`;
const S = `"${SCHEMA}"`;
const DB_NOW = '(extract(epoch from clock_timestamp()) * 1000)::bigint';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const log = (message) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);
const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted.length === 0 ? Number.NaN : sorted[Math.floor((sorted.length - 1) / 2)];
};

// --------------------------------------------------------------------------------------------- CPU from /proc

/** utime + stime of a process in ms; undefined once it is gone. */
async function cpuMs(pid) {
  try {
    const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
    return ((Number(stat[11]) + Number(stat[12])) * 1000) / TICKS;
  } catch {
    return undefined;
  }
}

async function rssMb(pid) {
  try {
    return Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
  } catch {
    return Number.NaN;
  }
}

/** Busy CPU time of the whole machine (every core), in ms. */
async function machineBusyMs() {
  const [user, nice, system, , , irq, softirq, steal] = (await readFile('/proc/stat', 'utf8')).split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1000) / TICKS;
}

// ------------------------------------------------------------------------------------------------- processes

async function startTarget() {
  const child = spawn(process.execPath, [new URL('./monitor-target.mjs', import.meta.url).pathname], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = await once(child.stdout, 'data');
  return { port: Number(String(chunk).trim()), child };
}

function configYaml(storage, leaseS, targetPort) {
  const lines = [
    `storage: "${storage}"`,
    `cluster: { lease: ${leaseS}s }`,
    'scheduler:',
    // One local target stands for many hosts: lift the per-host limit (16 by default) that protects real ones.
    '  concurrency: 256',
    '  per_host_concurrency: 256',
    'defaults:',
    `  interval: ${INTERVAL_S}s`,
    `  timeout: ${Math.min(5, INTERVAL_S / 2)}s`,
    'monitors:',
  ];
  for (let i = 0; i < MONITORS; i++) {
    const name = `site-${String(i).padStart(5, '0')}`;
    lines.push(`  - name: ${name}`, '    type: http', `    url: http://127.0.0.1:${targetPort}/${name}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The instances running now, oldest first. */
const running = [];
const everStarted = [];

async function startInstance(config, dataDir) {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--port', '0', '--data', dataDir, '--log-format', 'json'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '', VIGIL_LOG_LEVEL: 'info' },
  });
  everStarted.push(child);
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)));
  let output = '';
  const url = await new Promise((resolve) => {
    const onData = (chunk) => {
      output = (output + chunk).slice(-200_000);
      const match = /"event":"listening","url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolve(match[1]);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => resolve(undefined));
    setTimeout(() => resolve(undefined), 60_000).unref();
  });
  if (url === undefined) {
    child.kill('SIGKILL');
    throw new Error(`vigil serve did not start:\n${output.slice(-5000)}`);
  }
  const instance = { child, pid: child.pid, url, exited, output: () => output };
  running.push(instance);
  return instance;
}

async function stopAll() {
  const stopping = running.splice(0);
  for (const instance of stopping) {
    instance.child.kill('SIGCONT');
    instance.child.kill('SIGTERM');
  }
  await Promise.all(
    stopping.map((instance) =>
      Promise.race([instance.exited, sleep(15_000).then(() => instance.child.kill('SIGKILL'))]).then(() => instance.exited),
    ),
  );
}

// -------------------------------------------------------------------------------------------------- the store

const db = new pg.Pool({ connectionString: POSTGRES_URL, max: 3, application_name: 'bench-scale' });
const rows = async (text, values = []) => (await db.query(text, values)).rows;
const pidOf = (name) => Number(/pid (\d+)/.exec(name ?? '')?.[1]);

/** Whether pg_stat_statements can be used in this database (tried in a transaction that is rolled back). */
async function statStatements() {
  const client = await db.connect();
  try {
    await client.query('BEGIN');
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    await client.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
    return 'usable';
  } catch (error) {
    return `not usable (${error.message})`;
  } finally {
    await client.query('ROLLBACK').catch(() => undefined);
    client.release();
  }
}

/**
 * Waits until the leases are where the instances' rendezvous hashing wants them: every monitor held (unexpired) by
 * the live instance it prefers. Returns how many each running instance holds.
 */
async function converged(timeoutMs) {
  const { preferredInstance } = await dist('cluster/rendezvous.js');
  const started = Date.now();
  for (;;) {
    const pids = new Set(running.map((instance) => instance.pid));
    const live = (await rows(`SELECT id, name FROM ${S}.instances ORDER BY id`)).filter((row) => pids.has(pidOf(row.name)));
    const leases = await rows(`SELECT monitor_id, owner FROM ${S}.monitor_leases WHERE expires_at > ${DB_NOW}`);
    const ids = live.map((row) => row.id);
    const held = new Map(running.map((instance) => [instance.pid, 0]));
    const pidById = new Map(live.map((row) => [row.id, pidOf(row.name)]));
    let placed = 0;
    for (const lease of leases) {
      const pid = pidById.get(lease.owner);
      if (pid !== undefined) held.set(pid, held.get(pid) + 1);
      if (ids.length > 0 && lease.owner === preferredInstance(lease.monitor_id, ids)) placed++;
    }
    if (live.length === running.length && placed === MONITORS) return { held: [...held.values()], seconds: (Date.now() - started) / 1000 };
    if (Date.now() - started > timeoutMs) {
      log(`leases not settled after ${timeoutMs / 1000} s (${placed} of ${MONITORS} where rendezvous puts them): going on`);
      return { held: [...held.values()], seconds: Number.POSITIVE_INFINITY };
    }
    await sleep(500);
  }
}

// ------------------------------------------------------------------------------------------ one steady window

/** The PostgreSQL backends of the instances (reached through the proxy), and their CPU from /proc. */
function backendMeter(proxy) {
  const base = new Map();
  const last = new Map();
  let started = false;
  const sample = async () => {
    const ports = proxy.ports();
    const pids =
      ports.length === 0
        ? []
        : await rows(
            `SELECT pid FROM pg_stat_activity WHERE client_port = ANY($1::int[]) AND client_addr = '127.0.0.1' AND application_name LIKE 'vigil%'`,
            [ports],
          );
    for (const { pid } of pids) {
      const cpu = await cpuMs(pid);
      if (cpu === undefined) continue;
      // A backend first seen after the start was opened during the window: all its CPU is in it.
      if (!base.has(pid)) base.set(pid, started ? 0 : cpu);
      last.set(pid, cpu);
    }
  };
  return {
    start: async () => {
      await sample();
      started = true;
    },
    sample,
    /** CPU since the start, ms; a backend that went away counts up to its last sample (taken every second). */
    total: () => [...last].reduce((sum, [pid, cpu]) => sum + cpu - base.get(pid), 0),
    backends: () => last.size,
  };
}

const diffStats = (before, after) => {
  const out = new Map();
  for (const [kind, value] of after) {
    const was = before.get(kind) ?? { statements: 0, rows: 0, ms: 0 };
    out.set(kind, { statements: value.statements - was.statements, rows: value.rows - was.rows, ms: value.ms - was.ms });
  }
  return out;
};

async function lateness(url, token) {
  if (token === undefined) return Number.NaN;
  try {
    const body = await (await fetch(`${url}/health`, { headers: { authorization: `Bearer ${token}` } })).json();
    return body.checks?.scheduler?.details?.lateness_p99_ms ?? Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * One steady window of `seconds`: CPU of the instances, of their backends, of the target; results stored. The
 * statements are counted over a longer span, from `since` (taken when the leases settled) to after the window's
 * results were counted: a lease round comes every few seconds, so a longer span counts them more exactly.
 */
async function measureWindow({ proxy, target, token, leaseS, held, since, seconds: windowS = WINDOW_S }) {
  const pids = running.map((instance) => instance.pid);
  const meter = backendMeter(proxy);
  const machine0 = await machineBusyMs();
  const instances0 = await Promise.all(pids.map(cpuMs));
  const target0 = await cpuMs(target.child.pid);
  const bench0 = process.cpuUsage();
  await meter.start();
  const t0 = Date.now();
  while (Date.now() < t0 + windowS * 1000 - 1000) {
    await sleep(1000);
    await meter.sample();
  }
  await sleep(Math.max(0, t0 + windowS * 1000 - Date.now()));
  const t1 = Date.now();
  const instances1 = await Promise.all(pids.map(cpuMs));
  const target1 = await cpuMs(target.child.pid);
  const bench = process.cpuUsage(bench0);
  const machine1 = await machineBusyMs();
  await meter.sample();
  const seconds = (t1 - t0) / 1000;
  const rss = await Promise.all(pids.map(rssMb));
  const late = await Promise.all(running.map((instance) => lateness(instance.url, token)));
  // The window's last results reach the store in batches about a second apart.
  await sleep(3000);
  const [{ count }] = await rows(`SELECT count(*)::int AS count FROM ${S}.results WHERE at >= $1 AND at < $2`, [t0, t1]);
  const stats = diffStats(since.stats, proxy.stats());
  const statsSeconds = (Date.now() - since.at) / 1000;
  const instancesMs = instances1.reduce((sum, cpu, i) => sum + cpu - instances0[i], 0);
  const pgMs = meter.total();
  const targetMs = target1 - target0;
  const benchMs = (bench.user + bench.system) / 1000;
  return {
    instances: pids.length,
    leaseS,
    held,
    seconds,
    checks: count,
    checksPerSecond: count / seconds,
    instancesMs,
    pgMs,
    backends: meter.backends(),
    targetMs,
    benchMs,
    machineMs: machine1 - machine0,
    rssMb: Math.max(...rss),
    latenessP99: Math.max(...late),
    stats,
    statsSeconds,
  };
}

// -------------------------------------------------------------------------------------------------- takeover

/** Kills (or stops) `victim`, then waits until every monitor it held has a result stored that was taken after. */
async function takeover(victim, signal, leaseS) {
  const leases = await rows(
    `SELECT l.monitor_id, l.owner FROM ${S}.monitor_leases l JOIN ${S}.instances i ON i.id = l.owner WHERE i.name LIKE $1 AND l.expires_at > 0`,
    [`% pid ${victim.pid}`],
  );
  const held = leases.map((row) => row.monitor_id);
  const owner = leases[0]?.owner;
  const first = new Map();
  const at = Date.now();
  victim.child.kill(signal);
  const boundMs = (signal === 'SIGSTOP' ? leaseS * 1000 : 0) + (leaseS * 1000) / 3 + INTERVAL_S * 1000;
  const deadline = at + 2 * boundMs + 15_000;
  let waiting = held;
  let storedMs = Number.POSITIVE_INFINITY;
  let claimedMs = Number.POSITIVE_INFINITY;
  while (waiting.length > 0 && Date.now() < deadline) {
    await sleep(250);
    if (!Number.isFinite(claimedMs)) {
      const [{ claimed }] = await rows(
        `SELECT count(*)::int AS claimed FROM ${S}.monitor_leases WHERE monitor_id = ANY($1::text[]) AND owner <> $2 AND expires_at > ${DB_NOW}`,
        [held, owner],
      );
      if (claimed === held.length) claimedMs = Date.now() - at;
    }
    const found = await rows(
      `SELECT s.monitor_id, min(r.at)::bigint AS at FROM ${S}.results r JOIN ${S}.series s ON s.key = r.monitor_key
       WHERE s.monitor_id = ANY($1::text[]) AND r.at >= $2 GROUP BY s.monitor_id`,
      [waiting, at],
    );
    for (const row of found) first.set(row.monitor_id, Number(row.at) - at);
    waiting = waiting.filter((id) => !first.has(id));
    if (waiting.length === 0) storedMs = Date.now() - at;
  }
  const times = [...first.values()].sort((a, b) => a - b);
  return {
    signal,
    leaseS,
    held: held.length,
    missing: waiting.length,
    claimedMs,
    lastMs: waiting.length > 0 ? Number.POSITIVE_INFINITY : times.at(-1),
    halfMs: median(times),
    storedMs,
    boundMs,
  };
}

// ------------------------------------------------------------------------------------------------------- run

const pgTarget = new URL(POSTGRES_URL);
const startedAt = Date.now();
const loadBefore = os.loadavg();
const pgVersion = (await rows('SHOW server_version'))[0].server_version;
const statStatementsStatus = await statStatements();
log(`pg_stat_statements: ${statStatementsStatus}; statements are counted by a proxy between the instances and PostgreSQL`);
const proxy = await startPgProxy({ host: pgTarget.hostname, port: Number(pgTarget.port || 5432) });
const proxied = new URL(POSTGRES_URL);
proxied.hostname = '127.0.0.1';
proxied.port = String(proxy.port);
proxied.searchParams.set('schema', SCHEMA);
const target = await startTarget();
const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-scale-'));
const windows = [];
const takeovers = [];
let token;

async function useLease(leaseS) {
  const config = path.join(dir, `vigil-lease-${leaseS}.yaml`);
  await writeFile(config, configYaml(proxied.toString(), leaseS, target.port));
  return config;
}

async function createToken() {
  try {
    const { PostgresStore } = await dist('store/postgres.js');
    const { createApiToken } = await dist('api/tokens.js');
    const store = new PostgresStore(POSTGRES_URL, { schema: SCHEMA, poolSize: 2 });
    try {
      return (await createApiToken(store, 'bench-scale', { scope: 'read' })).token;
    } finally {
      await store.close();
    }
  } catch (error) {
    log(`no API token (${error.message}): no lateness figures`);
    return undefined;
  }
}

const onSignal = () => {
  for (const child of everStarted) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  target.child.kill('SIGKILL');
  void db
    .query(`DROP SCHEMA IF EXISTS ${S} CASCADE`)
    .catch(() => undefined)
    .finally(() => process.exit(130));
};
process.once('SIGINT', onSignal);
process.once('SIGTERM', onSignal);

try {
  // 1. Throughput: 1, 2, 3 instances on one schema, each added to the ones running, measured once the leases
  //    have settled (the first after one interval of warm-up: fresh processes).
  let leaseS = LEASES_S[0];
  let config = await useLease(leaseS);
  const settleMs = (leaseS * 1000 * 20) / 3 + 30_000;
  for (const count of COUNTS) {
    if (count < running.length) await stopAll();
    while (running.length < count) await startInstance(config, dir);
    token ??= await createToken();
    const settled = await converged(settleMs);
    log(`${count} instance(s): leases settled in ${settled.seconds.toFixed(1)} s (${settled.held.join(' / ')})`);
    // Fresh processes: one interval of warm-up (every monitor checked once, its series created), not counted;
    // instances added to running ones: the claims are over once the leases settled, and every monitor is checked
    // at its slot from then on.
    let since = { stats: proxy.stats(), at: Date.now() };
    await sleep(windows.length === 0 ? INTERVAL_S * 1000 + 1000 : 3000);
    if (windows.length === 0) since = { stats: proxy.stats(), at: Date.now() };
    const window = await measureWindow({ proxy, target, token, leaseS, held: settled.held, since });
    windows.push(window);
    log(`${count} instance(s): ${window.checksPerSecond.toFixed(0)} checks/s, ${(window.instancesMs / window.checks).toFixed(3)} ms CPU per check`);
  }

  // 2. Takeover: one of 3 instances killed with -9 (KILLS times, a new one started after each), then one stopped.
  for (const [index, lease] of LEASES_S.entries()) {
    if (lease !== leaseS || running.length !== TAKEOVER_INSTANCES) {
      await stopAll();
      leaseS = lease;
      config = await useLease(leaseS);
      await Promise.all(Array.from({ length: TAKEOVER_INSTANCES }, () => startInstance(config, dir)));
      const settled = await converged((leaseS * 1000 * 20) / 3 + 30_000);
      log(`lease ${leaseS} s, ${TAKEOVER_INSTANCES} instances: leases settled in ${settled.seconds.toFixed(1)} s (${settled.held.join(' / ')})`);
      await sleep(INTERVAL_S * 1000 + 1000);
      const since = { stats: proxy.stats(), at: Date.now() };
      // The leases' cost with this lease, and the rest, with the same 3 instances (a shorter window: rounds are
      // more frequent, and the run must fit in a few minutes).
      if (index > 0) {
        const seconds = Math.max(5, Math.round((WINDOW_S * 2) / 3));
        windows.push(await measureWindow({ proxy, target, token, leaseS, held: settled.held, since, seconds }));
      }
    }
    for (let kill = 0; kill < KILLS; kill++) {
      const victim = running.shift();
      const result = await takeover(victim, 'SIGKILL', leaseS);
      takeovers.push(result);
      log(`lease ${leaseS} s, kill -9: ${result.held} monitors, all checked again after ${(result.lastMs / 1000).toFixed(1)} s (stored: ${(result.storedMs / 1000).toFixed(1)} s)`);
      await victim.exited;
      await startInstance(config, dir);
      const settled = await converged((leaseS * 1000 * 20) / 3 + 30_000);
      log(`  replaced: leases settled in ${settled.seconds.toFixed(1)} s (${settled.held.join(' / ')})`);
    }
    const victim = running[0];
    const result = await takeover(victim, 'SIGSTOP', leaseS);
    takeovers.push(result);
    log(`lease ${leaseS} s, SIGSTOP: ${result.held} monitors, all checked again after ${(result.lastMs / 1000).toFixed(1)} s (stored: ${(result.storedMs / 1000).toFixed(1)} s)`);
    // It continues and rejoins; the next lease starts from fresh instances anyway.
    victim.child.kill('SIGCONT');
  }
} finally {
  for (const child of everStarted) {
    child.kill('SIGCONT');
    child.kill('SIGKILL');
  }
  target.child.kill('SIGTERM');
  await db.query(`DROP SCHEMA IF EXISTS ${S} CASCADE`).catch((error) => log(`dropping the schema failed: ${error.message}`));
  await db.end();
  await proxy.close();
  await rm(dir, { recursive: true, force: true });
}

// ----------------------------------------------------------------------------------------------------- report

const f = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const s1 = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'not all');
const pct = (ms, seconds) => `${f((ms / seconds / 1000) * 100, 0)} %`;
const base = windows[0];
const perCheck = (w) => w.instancesMs / w.checks;
const leaseOf = (w) => [...w.stats].filter(([kind]) => kind.startsWith('lease:')).reduce(
  (sum, [, v]) => ({ statements: sum.statements + v.statements, rows: sum.rows + v.rows, ms: sum.ms + v.ms }),
  { statements: 0, rows: 0, ms: 0 },
);
const kindOf = (w, kind) => w.stats.get(kind) ?? { statements: 0, rows: 0, ms: 0 };
const allOf = (w) => [...w.stats.values()].reduce((sum, v) => ({ statements: sum.statements + v.statements, ms: sum.ms + v.ms }), { statements: 0, ms: 0 });
const k = MONITORS / 1000;

console.log(
  `\nvigil serve instances on one PostgreSQL ${pgVersion} schema; ${MONITORS} HTTP monitors every ${INTERVAL_S} s (a new connection per check) ` +
    `against one local target process (offered: ${f(MONITORS / INTERVAL_S, 0)} checks/s); ${os.cpus().length} cores (${os.cpus()[0]?.model.trim()}), ` +
    `Node ${process.versions.node}; load average ${loadBefore.map((l) => l.toFixed(1)).join(' ')} before, ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} after; ` +
    `${f((Date.now() - startedAt) / 60_000, 1)} minutes\n`,
);
console.log(`Throughput, each over ${windows.map((w) => `${f(w.seconds, 0)} s`).join(', ')} after the leases settled (and, for fresh processes, one interval of warm-up; CPU from /proc/<pid>/stat, checks = results stored with a time in the window):\n`);
console.log(
  '| instances | lease | monitors held each | checks/s stored | ratio to 1 | CPU per check: instances | ratio to 1 | CPU per check: their PostgreSQL backends | CPU per check: target | CPU per check: all three | lateness p99 (worst instance) | RSS (largest) | CPU over the window, % of one core: instances / PostgreSQL backends / target / bench process (proxy) / rest of the machine |',
);
console.log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
for (const w of windows) {
  const rest = w.machineMs - w.instancesMs - w.pgMs - w.targetMs - w.benchMs;
  console.log(
    `| ${w.instances} | ${w.leaseS} s | ${w.held.join(' / ')} | ${f(w.checksPerSecond, 1)} | ${f(w.checksPerSecond / base.checksPerSecond)} | ${f(perCheck(w), 3)} ms | ${f(perCheck(w) / perCheck(base))} | ${f(w.pgMs / w.checks, 3)} ms (${w.backends} backends) | ${f(w.targetMs / w.checks, 3)} ms | ${f((w.instancesMs + w.pgMs + w.targetMs) / w.checks, 3)} ms | ${f(w.latenessP99, 0)} ms | ${f(w.rssMb, 0)} MB | ${[w.instancesMs, w.pgMs, w.targetMs, w.benchMs, rest].map((ms) => pct(ms, w.seconds)).join(' / ')} |`,
  );
}

console.log(
  `\nLease cost, from the leases settled (fresh processes: from the window's start) to the end of each window (${windows.map((w) => `${f(w.statsSeconds, 0)} s`).join(', ')}); statements counted by a proxy from their SQL, rows from the server's answers; pg_stat_statements ${statStatementsStatus}:\n`,
);
console.log(
  '| instances | lease (renewed every) | lease rounds/s per instance | lease statements/s | per 1,000 monitors | rows written or read/s per 1,000 monitors | round trips in lease statements, ms/s | commit fence: statements/s (rows/s) | all statements/s | lease share of statements / of round-trip time |',
);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const w of windows) {
  const lease = leaseOf(w);
  const fence = kindOf(w, 'fence: lease check of a commit');
  const all = allOf(w);
  const t = w.statsSeconds;
  console.log(
    `| ${w.instances} | ${w.leaseS} s (${f(w.leaseS / 3, 1)} s) | ${f(kindOf(w, 'lease: renew').statements / w.instances / t, 2)} | ${f(lease.statements / t, 2)} | ${f(lease.statements / t / k, 2)} | ${f(lease.rows / t / k, 0)} | ${f(lease.ms / t, 1)} | ${f(fence.statements / t, 1)} (${f(fence.rows / t, 0)}) | ${f(all.statements / t, 1)} | ${f((lease.statements / all.statements) * 100, 1)} % / ${f((lease.ms / all.ms) * 100, 1)} % |`,
  );
}
console.log('\nBy statement, per second over each window: statements (rows written or read):\n');
const kinds = [...new Set(windows.flatMap((w) => [...w.stats].filter(([, v]) => v.statements > 0).map(([kind]) => kind)))].sort();
console.log(`| statement | ${windows.map((w) => `${w.instances} × lease ${w.leaseS} s`).join(' | ')} |`);
console.log(`| --- | ${windows.map(() => '---:').join(' | ')} |`);
for (const kind of kinds) {
  console.log(`| ${kind} | ${windows.map((w) => `${f(kindOf(w, kind).statements / w.statsSeconds, 2)} (${f(kindOf(w, kind).rows / w.statsSeconds, 0)})`).join(' | ')} |`);
}

console.log(`\nTakeover: one of ${TAKEOVER_INSTANCES} instances killed (kill -9, ${KILLS} time${KILLS === 1 ? '' : 's'}, a new one started after each) or stopped (SIGSTOP, once); time from the signal until every monitor it held has a result taken after it (and until the bench saw them all stored, polling every 250 ms):\n`);
console.log('| lease (renewed every) | interval | signal | monitors held by the victim | all claimed by the others: median (max) | all checked again: median (max) | half of them checked again | all seen stored: median (max) | bound: renewal + interval (+ lease) |');
console.log('| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const leaseS of LEASES_S) {
  for (const signal of ['SIGKILL', 'SIGSTOP']) {
    const runs = takeovers.filter((t) => t.leaseS === leaseS && t.signal === signal);
    if (runs.length === 0) continue;
    const lastMs = runs.map((t) => t.lastMs);
    const storedMs = runs.map((t) => t.storedMs);
    const claimedMs = runs.map((t) => t.claimedMs);
    const n = runs.length > 1 ? ` (${runs.length} kills)` : '';
    console.log(
      `| ${leaseS} s (${f(leaseS / 3, 1)} s) | ${INTERVAL_S} s | ${signal === 'SIGKILL' ? 'kill -9' : 'SIGSTOP'}${n} | ${runs.map((t) => t.held).join(', ')} | ${s1(median(claimedMs))} (${s1(Math.max(...claimedMs))}) | ${s1(median(lastMs))} (${s1(Math.max(...lastMs))}) | ${s1(median(runs.map((t) => t.halfMs)))} | ${s1(median(storedMs))} (${s1(Math.max(...storedMs))}) | ${s1(runs[0].boundMs)} |`,
    );
  }
}
