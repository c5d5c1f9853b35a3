// Question: what does the public status page cost `vigil serve` — time to the page's HTML when it is built (the
// first request after a start, or after a state change) and when it comes from the cache, server CPU per cached
// request, bytes on the wire (HTML, script, style sheet) — with 1,000 public monitors and 90 days of history, and
// with 10,000 (page 1 of 10)? Baseline in the same run: the front page it replaces (bench/home-page.mjs, the same
// 1,000 monitors, no history), rendered on every request by a bare node:http server as the old server did.
// Run: npm run bench:status-page   (builds first; about 3 minutes, seeding included; BENCH_ROUNDS=1 BENCH_LARGE=0
// for a quick run)
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { constants, brotliCompressSync, gzipSync } from 'node:zlib';
import autocannon from 'autocannon';
import { addStates, monitorId, seedStore } from './status-page-seed.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/monitor/dist/cli.js');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
/** Sequential requests per round for the cached (warm) time. */
const WARM_REQUESTS = Number(process.env.BENCH_WARM_REQUESTS ?? 200);
/** Seconds of autocannon per round for the server CPU per cached request. */
const LOAD_S = Number(process.env.BENCH_LOAD_S ?? 5);
/** State changes per round (a monitor paused through the API), each followed by the first request after it. */
const CHANGES = Number(process.env.BENCH_CHANGES ?? 3);
const MONITORS = 1000;
/** The large installation (0 skips it): the same 1,000 with their history on page 1, the others without. */
const LARGE = Number(process.env.BENCH_LARGE ?? 10_000);
/** Monitors per group (`Region 01` …); 0: no groups, every monitor in one list. */
const GROUP_SIZE = Number(process.env.BENCH_GROUP_SIZE ?? 50);
/** Older days have a result every this many hours (the last 7 days every 10–15 minutes): see status-page-seed.mjs. */
const OLD_SPACING_H = Number(process.env.BENCH_OLD_SPACING_H ?? 3);
const CONNECTIONS = 10;
const DOWN_INDEX = 7;
const TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s
// What a browser sends.
const BROWSER = { 'accept-encoding': 'gzip, deflate, br', accept: 'text/html' };
const BUDGET = { coldMs: 200, warmMs: 20, htmlKb: 200, scriptKb: 50 };

/** Copies a closed SQLite store (and its write-ahead log, if one was left). */
async function copyDb(from, to) {
  await copyFile(from, to);
  await copyFile(`${from}-wal`, `${to}-wal`).catch((error) => {
    if (error.code !== 'ENOENT') throw error;
  });
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))];
const f = (n, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
const log = (message) => console.error(`[${new Date().toISOString().slice(11, 19)}] ${message}`);

/** utime + stime of a process in milliseconds (from /proc: the server's own CPU, whatever the client costs). */
async function cpuMs(pid) {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  return ((Number(stat[11]) + Number(stat[12])) * 1000) / TICKS;
}

/** One GET, timed from sending the request to the last byte of the response. */
function get(url, headers = {}, agent = undefined) {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const req = http.get(url, { headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ ms: performance.now() - started, status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
  });
}

async function ok(url, headers, agent) {
  const response = await get(url, headers, agent);
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status} ${response.body.toString().slice(0, 200)}`);
  return response;
}

/** The cached (warm) time: sequential requests over one kept-alive connection, after a few to warm up. */
async function warmTimes(url, headers) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < 20; i++) await ok(url, headers, agent);
    const times = [];
    for (let i = 0; i < WARM_REQUESTS; i++) times.push((await ok(url, headers, agent)).ms);
    return { p50: median(times), p95: percentile(times, 0.95) };
  } finally {
    agent.destroy();
  }
}

/** Server CPU per request and requests per second under autocannon (keep-alive connections). */
async function loadOf(url, pid, headers, seconds = LOAD_S) {
  await autocannon({ url, connections: CONNECTIONS, duration: 1, headers }); // warm-up: JIT, sockets
  const before = await cpuMs(pid);
  const result = await autocannon({ url, connections: CONNECTIONS, duration: seconds, headers });
  const used = (await cpuMs(pid)) - before;
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${url}: ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts`);
  }
  const requests = result.requests.total;
  return { rps: requests / seconds, cpuMsPerRequest: used / requests };
}

async function startChild(script, args) {
  const child = spawn(process.execPath, [new URL(script, import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [chunk] = await once(child.stdout, 'data');
  return { port: Number(String(chunk).trim()), child };
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  await exit;
}

// ------------------------------------------------------------------------------------------------ the monitors

const padded = (index) => String(index).padStart(5, '0');
const groupOf = (index) => (GROUP_SIZE > 0 ? `Region ${String(Math.floor(index / GROUP_SIZE) + 1).padStart(3, '0')}` : undefined);
const DESCRIPTION = 'The public API of this region, behind its load balancer.';

/** Every monitor public, TCP against the local target with an hourly interval (checks do not weigh on the figures). */
function configYaml(count, targetPort) {
  const lines = ['defaults:', '  interval: 1h', '  timeout: 5s', 'monitors:'];
  for (let i = 0; i < count; i++) {
    // One monitor is down (an open incident in the seeded history): its port refuses connections.
    lines.push(`  - name: Site ${padded(i)}`, `    id: ${monitorId(i)}`, '    type: tcp', '    host: 127.0.0.1', `    port: ${i === DOWN_INDEX ? 1 : targetPort}`, '    public: true');
    if (groupOf(i)) lines.push(`    group: ${groupOf(i)}`);
    if (i % 10 === 0) lines.push(`    description: ${DESCRIPTION}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The same monitors as the old front page saw them (its `MonitorView`s), with a latest latency each. */
function baselineViews(count, now) {
  const monitors = [];
  const latencies = [];
  for (let i = 0; i < count; i++) {
    monitors.push({
      id: monitorId(i),
      name: `Site ${padded(i)}`,
      type: 'tcp',
      ...(groupOf(i) ? { group: groupOf(i) } : {}),
      tags: [],
      ...(i % 10 === 0 ? { description: DESCRIPTION } : {}),
      public: true,
      source: 'config',
      paused: false,
      intervalMs: 3_600_000,
      state: i === DOWN_INDEX ? 'unhealthy' : 'healthy',
      lastCheckAt: now - 5 * 60_000,
      target: '127.0.0.1:80',
      targetTexts: [],
    });
    latencies.push(15 + ((i * 37) % 60));
  }
  return { monitors, latencies };
}

// ------------------------------------------------------------------------------------------------ vigil serve

async function serve(config, data) {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', config, '--port', '0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match) return { child, url: match[1], output: () => output };
    if (child.exitCode !== null) throw new Error(`vigil serve exited:\n${output}`);
    await sleep(20);
  }
}

/**
 * A seeded data directory: the store and a write token for pausing monitors (state changes). With `base` (the
 * seeded 1,000), a copy with monitors added up to `count`, and the same token.
 */
async function prepareData(dir, count, now, base) {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const db = path.join(dir, 'vigil.db');
  if (base) {
    await copyDb(base.db, db);
    await addStates(db, { from: MONITORS, to: count, now });
    return { db, token: base.token };
  }
  const started = performance.now();
  const seeded = await seedStore(db, { count, now, downIndex: DOWN_INDEX, oldSpacingH: OLD_SPACING_H });
  log(`seeded ${count} monitors: ${seeded.results} results, ${seeded.incidents} incidents, ${((performance.now() - started) / 1000).toFixed(0)} s`);
  const token = execFileSync(process.execPath, [CLI, 'token', 'create', '--name', 'bench', '--scope', 'write', '--data', dir], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
  return { db, token };
}

/**
 * Pauses a monitor through the API (a state change: every page is built again), then times the first request that
 * gets the new page (the ETag changes); the requests before it, while the change reaches the feed, hit the cache and
 * are not counted. With each page request goes a `/livez` 5 ms later, on a connection of its own: how long the
 * server's other requests (and its scheduler) wait while a page is built.
 */
async function coldAfterChange(url, token, id, previousEtag, agents) {
  const paused = await fetch(`${url}/api/v1/monitors/${id}/pause`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (!paused.ok) throw new Error(`pause ${id}: ${paused.status} ${await paused.text()}`);
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    const page = ok(`${url}/`, BROWSER, agents.page);
    await sleep(5);
    const [response, livez] = await Promise.all([page, ok(`${url}/livez`, {}, agents.livez)]);
    if (response.headers.etag !== previousEtag) return { ms: response.ms, etag: response.headers.etag, livezMs: livez.ms };
    await sleep(10);
  }
  throw new Error(`the page did not change within 10 s of pausing ${id}`);
}

const pagerOf = (html) => {
  const match = /Page (\d+) of (\d+)/.exec(html);
  return match ? { page: Number(match[1]), pages: Number(match[2]) } : { page: 1, pages: 1 };
};

/** One start of `vigil serve` on a fresh copy of the seeded store. */
async function measureVigil({ count, dataDir, base, config, token, pauseFrom, round, sizes }) {
  const dir = path.join(dataDir, `round-${round}`);
  await mkdir(dir, { mode: 0o700 });
  await copyDb(base, path.join(dir, 'vigil.db'));
  const run = await serve(config, dir);
  try {
    const pid = run.child.pid;
    const cold = await ok(`${run.url}/`, BROWSER, new http.Agent({ keepAlive: false }));
    const html = (await ok(`${run.url}/`, {})).body.toString();
    const monitorsShown = (html.match(/<li class="mon"/g) ?? []).length;
    if (monitorsShown !== Math.min(count, MONITORS)) throw new Error(`the page shows ${monitorsShown} monitors`);
    const out = { coldStart: cold.ms, ...pagerOf(html) };
    if (sizes) {
      const gzip = await ok(`${run.url}/`, { 'accept-encoding': 'gzip' });
      if (cold.headers['content-encoding'] !== 'br' || gzip.headers['content-encoding'] !== 'gzip') throw new Error('the page is not compressed');
      out.bytes = { html: Buffer.byteLength(html), gzip: gzip.body.length, br: cold.body.length };
      const script = /<script src="([^"]+)"/.exec(html)[1];
      const style = /<link rel="stylesheet" href="([^"]+)"/.exec(html)[1];
      out.assets = {};
      for (const [name, href] of [['script', script], ['style', style]]) {
        const br = await ok(`${run.url}${href}`, { 'accept-encoding': 'br' });
        const gz = await ok(`${run.url}${href}`, { 'accept-encoding': 'gzip' });
        const raw = await ok(`${run.url}${href}`, {});
        out.assets[name] = { href, raw: raw.body.length, gzip: gz.body.length, br: br.body.length, cache: br.headers['cache-control'] };
      }
    }
    out.warm = await warmTimes(`${run.url}/`, BROWSER);
    out.load = await loadOf(`${run.url}/`, pid, BROWSER);
    // State changes: the first request after each builds the page again.
    const agents = { page: new http.Agent({ keepAlive: true, maxSockets: 1 }), livez: new http.Agent({ keepAlive: true, maxSockets: 1 }) };
    let etag = (await ok(`${run.url}/`, BROWSER, agents.page)).headers.etag;
    const idle = [];
    for (let i = 0; i < 10; i++) idle.push((await ok(`${run.url}/livez`, {}, agents.livez)).ms);
    out.livezIdle = median(idle);
    out.coldChange = [];
    out.livezDuringBuild = [];
    for (let i = 0; i < CHANGES; i++) {
      const response = await coldAfterChange(run.url, token, monitorId(pauseFrom + i), etag, agents);
      out.coldChange.push(response.ms);
      out.livezDuringBuild.push(response.livezMs);
      etag = response.etag;
      await sleep(200);
    }
    agents.page.destroy();
    agents.livez.destroy();
    // The page's other endpoints, once per size (last round): the JSON summary and the page's badge.
    if (round === ROUNDS - 1) {
      out.summary = await loadOf(`${run.url}/status/all/summary.json`, pid, BROWSER, Math.min(LOAD_S, 3));
      out.badge = await loadOf(`${run.url}/status/all/badge.svg`, pid, BROWSER, Math.min(LOAD_S, 3));
    }
    return out;
  } finally {
    await stop(run.child);
    await rm(dir, { recursive: true, force: true });
  }
}

/** One start of the baseline server. */
async function measureBaseline(viewsFile, round, count) {
  const server = await startChild('./status-page-server.mjs', [viewsFile]);
  try {
    const url = `http://127.0.0.1:${server.port}/`;
    const cold = await ok(url, BROWSER, new http.Agent({ keepAlive: false }));
    const html = cold.body;
    if ((html.toString().match(/<li class="monitor"/g) ?? []).length !== count) throw new Error('the old page does not show every monitor');
    if (cold.headers['content-encoding']) throw new Error('the old page was not compressed');
    const out = { coldStart: cold.ms };
    if (round === 0) {
      // The old server sent it uncompressed; what it would weigh compressed as the new server compresses.
      out.bytes = {
        html: html.length,
        gzip: gzipSync(html, { level: 6 }).length,
        br: brotliCompressSync(html, { params: { [constants.BROTLI_PARAM_QUALITY]: 5 } }).length,
      };
    }
    out.warm = await warmTimes(url, BROWSER);
    out.load = await loadOf(url, server.child.pid, BROWSER);
    return out;
  } finally {
    await stop(server.child);
  }
}

// ------------------------------------------------------------------------------------------------ the run

const startedAt = Date.now();
const tmp = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-status-page-'));
const target = await startChild('./monitor-target.mjs', []);
const results = { baseline: [], vigil: [], large: [] };
let seededNow;
try {
  seededNow = Date.now();
  const small = path.join(tmp, `seed-${MONITORS}`);
  const seeded = await prepareData(small, MONITORS, seededNow);
  const smallConfig = path.join(tmp, `vigil-${MONITORS}.yaml`);
  await writeFile(smallConfig, configYaml(MONITORS, target.port));
  const viewsFile = path.join(tmp, 'views.json');
  await writeFile(viewsFile, JSON.stringify(baselineViews(MONITORS, seededNow)));

  for (let round = 0; round < ROUNDS; round++) {
    // Alternate so drift in machine load hits both sides alike.
    const vigil = () =>
      measureVigil({ count: MONITORS, dataDir: tmp, base: seeded.db, config: smallConfig, token: seeded.token, pauseFrom: 100 + round * CHANGES, round, sizes: round === 0 });
    if (round % 2 === 0) {
      results.baseline.push(await measureBaseline(viewsFile, round, MONITORS));
      results.vigil.push(await vigil());
    } else {
      results.vigil.push(await vigil());
      results.baseline.push(await measureBaseline(viewsFile, round, MONITORS));
    }
    const [b, v] = [results.baseline.at(-1), results.vigil.at(-1)];
    log(
      `${MONITORS} monitors, round ${round + 1} of ${ROUNDS}: baseline cold ${f(b.coldStart)} ms, warm ${f(b.warm.p50, 2)} ms; ` +
        `status page cold ${f(v.coldStart)} ms, after changes ${v.coldChange.map((ms) => f(ms)).join(' / ')} ms, warm ${f(v.warm.p50, 2)} ms`,
    );
  }

  if (LARGE > 0) {
    const large = path.join(tmp, `seed-${LARGE}`);
    const prepared = await prepareData(large, LARGE, seededNow, seeded);
    const largeConfig = path.join(tmp, `vigil-${LARGE}.yaml`);
    await writeFile(largeConfig, configYaml(LARGE, target.port));
    for (let round = 0; round < ROUNDS; round++) {
      // Monitors paused on page 1, so that its HTML (and ETag) changes. A change on another page builds it again
      // too (the cache follows the feed's head), but to the same bytes: not told apart from a cache hit here.
      results.large.push(
        await measureVigil({ count: LARGE, dataDir: tmp, base: prepared.db, config: largeConfig, token: prepared.token, pauseFrom: 100 + round * CHANGES, round, sizes: round === 0 }),
      );
      const v = results.large.at(-1);
      log(`${LARGE} monitors, round ${round + 1} of ${ROUNDS}: cold ${f(v.coldStart)} ms, after changes ${v.coldChange.map((ms) => f(ms)).join(' / ')} ms, warm ${f(v.warm.p50, 2)} ms`);
    }
  }
} finally {
  await stop(target.child);
  await rm(tmp, { recursive: true, force: true });
}

// ------------------------------------------------------------------------------------------------ the report

const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
const int = (n) => Math.round(n).toLocaleString('en-US');
const summarize = (rounds) => ({
  coldStart: median(rounds.map((r) => r.coldStart)),
  coldChange: rounds[0].coldChange ? median(rounds.flatMap((r) => r.coldChange)) : undefined,
  coldChangeMax: rounds[0].coldChange ? Math.max(...rounds.flatMap((r) => r.coldChange)) : undefined,
  warm50: median(rounds.map((r) => r.warm.p50)),
  warm95: median(rounds.map((r) => r.warm.p95)),
  cpu: median(rounds.map((r) => r.load.cpuMsPerRequest)),
  rps: median(rounds.map((r) => r.load.rps)),
  bytes: rounds[0].bytes,
  pages: rounds[0].pages,
  livezIdle: rounds[0].livezIdle === undefined ? undefined : median(rounds.map((r) => r.livezIdle)),
  livezBuild: rounds[0].livezDuringBuild ? median(rounds.flatMap((r) => r.livezDuringBuild)) : undefined,
});
const base = summarize(results.baseline);
const vigil = summarize(results.vigil);
const large = results.large.length ? summarize(results.large) : undefined;

console.log(
  `\nmedians of ${ROUNDS} rounds (a fresh server each); cold after a change: ${CHANGES} per round; warm: ${WARM_REQUESTS} sequential requests; CPU: ${LOAD_S} s of autocannon, ${CONNECTIONS} connections; Accept-Encoding: ${BROWSER['accept-encoding']}\n`,
);
console.log('| page | monitors | cold: first request after start | cold: after a state change (max) | warm p50 / p95 | server CPU per warm request | req/s | HTML | gzip | brotli | sent to a browser |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
// What a browser gets: the old server did not compress.
const sent = (s) => (s === base ? s.bytes.html : s.bytes.br);
const row = (name, count, s, note = '') =>
  console.log(
    `| ${name} | ${int(count)} | ${f(s.coldStart)} ms | ${s.coldChange === undefined ? '— (renders every request)' : `${f(s.coldChange)} ms (${f(s.coldChangeMax)})`} | ${f(s.warm50, 2)} / ${f(s.warm95, 2)} ms | ${f(s.cpu, 3)} ms | ${int(s.rps)} | ${kb(s.bytes.html)} | ${kb(s.bytes.gzip)}${note} | ${kb(s.bytes.br)}${note} | ${kb(sent(s))} |`,
  );
row('old front page (baseline)', MONITORS, base, ' (not sent)');
row('status page', MONITORS, vigil);
console.log(
  `| **ratio status / baseline** | | **${f(vigil.coldStart / base.coldStart, 1)}** | | **${f(vigil.warm50 / base.warm50, 2)}** | **${f(vigil.cpu / base.cpu, 2)}** | ${f(vigil.rps / base.rps, 2)} | ${f(vigil.bytes.html / base.bytes.html, 1)} | | | **${f(sent(vigil) / sent(base), 2)}** |`,
);
if (large) row(`status page, page 1 of ${large.pages}`, LARGE, large);

const assets = results.vigil[0].assets;
console.log('\n| asset | raw | gzip | brotli | cache-control |');
console.log('| --- | ---: | ---: | ---: | --- |');
for (const [name, asset] of Object.entries(assets)) {
  console.log(`| ${name} \`${asset.href}\` | ${kb(asset.raw)} | ${kb(asset.gzip)} | ${kb(asset.br)} | ${asset.cache} |`);
}

console.log('\nWhile a page is built (after a state change), a `/livez` sent 5 ms after the page request:\n');
console.log('| monitors | `/livez` idle | `/livez` during a build |');
console.log('| ---: | ---: | ---: |');
for (const [count, s] of [[MONITORS, vigil], ...(large ? [[LARGE, large]] : [])]) {
  console.log(`| ${int(count)} | ${f(s.livezIdle, 2)} ms | ${f(s.livezBuild)} ms |`);
}

const uncached = [
  [MONITORS, results.vigil.at(-1)],
  ...(large ? [[LARGE, results.large.at(-1)]] : []),
];
console.log('\nOther endpoints of the page (last round, autocannon):\n');
console.log('| monitors | endpoint | server CPU per request | req/s |');
console.log('| ---: | --- | ---: | ---: |');
for (const [count, r] of uncached) {
  console.log(`| ${int(count)} | \`/status/all/summary.json\` | ${f(r.summary.cpuMsPerRequest, 3)} ms | ${int(r.summary.rps)} |`);
  console.log(`| ${int(count)} | \`/status/all/badge.svg\` | ${f(r.badge.cpuMsPerRequest, 3)} ms | ${int(r.badge.rps)} |`);
}

const met = (yes) => (yes ? 'met' : '**not met**');
const scripts = assets.script.br;
console.log('\nBudgets of the issue:');
const coldWorst = (s) => Math.max(s.coldStart, s.coldChange ?? 0);
console.log(`- HTML under ${BUDGET.coldMs} ms cold: ${MONITORS} monitors ${f(vigil.coldStart)} ms after start, ${f(vigil.coldChange)} ms after a change → ${met(coldWorst(vigil) < BUDGET.coldMs)}` +
  (large ? `; ${LARGE}: ${f(large.coldStart)} / ${f(large.coldChange)} ms → ${met(coldWorst(large) < BUDGET.coldMs)}` : ''));
console.log(`- HTML under ${BUDGET.warmMs} ms warm: ${f(vigil.warm50, 2)} ms (p95 ${f(vigil.warm95, 2)}) → ${met(vigil.warm95 < BUDGET.warmMs)}` +
  (large ? `; ${LARGE}: ${f(large.warm50, 2)} ms (p95 ${f(large.warm95, 2)}) → ${met(large.warm95 < BUDGET.warmMs)}` : ''));
console.log(`- HTML under ${BUDGET.htmlKb} KB compressed: brotli ${kb(vigil.bytes.br)}, gzip ${kb(vigil.bytes.gzip)} → ${met(vigil.bytes.gzip < BUDGET.htmlKb * 1024)}` +
  (large ? `; ${LARGE}: ${kb(large.bytes.br)} / ${kb(large.bytes.gzip)} → ${met(large.bytes.gzip < BUDGET.htmlKb * 1024)}` : ''));
console.log(`- scripts under ${BUDGET.scriptKb} KB compressed: ${kb(scripts)} brotli, ${kb(assets.script.gzip)} gzip → ${met(assets.script.gzip < BUDGET.scriptKb * 1024)}`);
console.error(`\n(the run took ${((Date.now() - startedAt) / 60_000).toFixed(1)} minutes; load average at the end ${os.loadavg().map((n) => n.toFixed(1)).join(' ')})`);
