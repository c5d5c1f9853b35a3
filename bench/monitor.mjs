// Question: what does one check cost `vigil serve` — CPU per check including storage, RSS, lateness against the
// schedule, stored bytes per result — with 1,000 and 10,000 HTTP monitors every 20 s, and how long until every
// monitor has run once after a restart? Baseline in the same run: a bare loop making the same HTTP requests at
// the same rate with node:http (no scheduling, no storage): the ratio is what the monitor adds. Each size runs with
// a fresh connection per check (the default) and with keep_alive: true (the bare loop then keeps connections too).
// Run: npm run bench:monitor   (builds first; about 25 minutes; BENCH_SIZES=1000 BENCH_MODES=fresh for a quick run)
// BENCH_COALESCE=0,100,200 measures the scheduler's coalescing window (scheduler.coalesce, milliseconds): a row each.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { vigilNodeEnv, vigilNodeFlags } from '../scripts/vigil-node-flags.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = path.join(ROOT, 'packages/monitor/dist/cli.js');
const SIZES = (process.env.BENCH_SIZES ?? '1000,10000').split(',').map(Number);
const INTERVAL_S = Number(process.env.BENCH_INTERVAL_S ?? 20);
const MEASURE_S = Number(process.env.BENCH_MEASURE_S ?? 60);
// `fresh`: a new connection per check (the default, every phase timed); `kept`: monitors with keep_alive: true.
const MODES = (process.env.BENCH_MODES ?? 'fresh,kept').split(',');
const WINDOWS = (process.env.BENCH_COALESCE ?? '0').split(',').map(Number);
// `vigil serve` runs with the Node.js flags and environment (MALLOC_ARENA_MAX, unless set) of the `vigil` command's
// `exec node` line, as users run it. BENCH_NODE_FLAGS measures others, a row per set, sets separated by `;`: '--max-semi-space-size=2;' compares
// those flags with none.
const SHIPPED_FLAGS = vigilNodeFlags().join(' ');
const FLAG_SETS = (process.env.BENCH_NODE_FLAGS ?? SHIPPED_FLAGS).split(';').map((set) => set.trim());
const TICKS = 100; // USER_HZ on Linux: /proc/<pid>/stat counts CPU time in 1/100 s

async function startTarget() {
  const child = spawn(process.execPath, [new URL('./monitor-target.mjs', import.meta.url).pathname], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [chunk] = await once(child.stdout, 'data');
  return { port: Number(String(chunk).trim()), child };
}

/** utime + stime of a process, in milliseconds, its RSS and its peak RSS since it started in MB (from /proc). */
async function usage(pid) {
  const stat = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1].split(' ');
  const cpuMs = ((Number(stat[11]) + Number(stat[12])) * 1000) / TICKS;
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const rssMb = Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
  const peakMb = Number(/VmHWM:\s+(\d+)/.exec(status)[1]) / 1024;
  return { cpuMs, rssMb, peakMb };
}

const auth = (token) => ({ headers: { authorization: `Bearer ${token}` } });

/**
 * Checks started and lateness from the server's own /health (cheap to poll, unlike /metrics at 10,000 monitors);
 * its details need a token.
 */
async function progress(url, token) {
  const body = await (await fetch(`${url}/health`, auth(token))).json();
  const details = body.checks?.scheduler?.details ?? {};
  return { checks: details.runs ?? 0, p50: details.lateness_p50_ms, p99: details.lateness_p99_ms };
}

async function metrics(url, token) {
  const text = await (await fetch(`${url}/metrics`, auth(token))).text();
  const value = (pattern) => Number(pattern.exec(text)?.[1] ?? Number.NaN);
  return {
    checks: value(/^vigil_monitor_checks_total (\S+)/m),
    p50: value(/^vigil_monitor_lateness_p50_seconds (\S+)/m) * 1000,
    p99: value(/^vigil_monitor_lateness_p99_seconds (\S+)/m) * 1000,
  };
}

function configYaml(count, port, keepAlive, coalesceMs) {
  const lines = [
    'scheduler:',
    // One local target stands for many hosts: lift the per-host limit (16 by default) that protects real ones.
    '  concurrency: 256',
    '  per_host_concurrency: 256',
    `  coalesce: ${coalesceMs}ms`,
    'defaults:',
    `  interval: ${INTERVAL_S}s`,
    '  timeout: 5s',
    'monitors:',
  ];
  for (let i = 0; i < count; i++) {
    lines.push(`  - name: Site ${i}`, '    type: http', `    url: http://127.0.0.1:${port}/site/${i}`);
    if (keepAlive) lines.push('    keep_alive: true');
  }
  return `${lines.join('\n')}\n`;
}

async function serve(config, data, nodeFlags) {
  const child = spawn(process.execPath, [...nodeFlags.split(' ').filter(Boolean), CLI, 'serve', '--config', config, '--port', '0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...vigilNodeEnv(), VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '' },
  });
  const startedAt = Date.now();
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  for (;;) {
    const match = /listening on (http:\/\/\S+)/.exec(output);
    if (match) return { child, url: match[1], startedAt, output: () => output };
    if (child.exitCode !== null) throw new Error(`vigil serve exited:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function stop(child) {
  const exit = once(child, 'exit');
  child.kill('SIGTERM');
  await exit;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Waits until `checks_total` reaches `count`; returns the seconds it took from `since`. */
async function untilChecks(url, token, count, since, limitS) {
  for (;;) {
    const { checks } = await progress(url, token);
    if (checks >= count) return (Date.now() - since) / 1000;
    if (Date.now() - since > limitS * 1000) return Number.POSITIVE_INFINITY;
    await sleep(200);
  }
}

async function measureVigil(count, port, keepAlive, coalesceMs, nodeFlags) {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-bench-'));
  try {
    const config = path.join(dir, 'vigil.yaml');
    await writeFile(config, configYaml(count, port, keepAlive, coalesceMs));
    const token = execFileSync(process.execPath, [CLI, 'token', 'create', '--name', 'bench', '--scope', 'read', '--data', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    let run = await serve(config, dir, nodeFlags);
    const firstRound = await untilChecks(run.url, token, count, run.startedAt, INTERVAL_S * 3);
    await sleep(INTERVAL_S * 1000); // warm-up: one more interval
    const before = await usage(run.child.pid);
    const m0 = await progress(run.url, token);
    let rssMax = before.rssMb;
    const end = Date.now() + MEASURE_S * 1000;
    let nextScrape = Date.now() + 15_000;
    let scrapeMs = 0;
    while (Date.now() < end) {
      await sleep(2000);
      // Prometheus scrapes /metrics every 15 s: part of the load, and of the memory.
      if (Date.now() >= nextScrape) {
        const started = performance.now();
        await metrics(run.url, token);
        scrapeMs = Math.max(scrapeMs, performance.now() - started);
        nextScrape += 15_000;
      }
      rssMax = Math.max(rssMax, (await usage(run.child.pid)).rssMb);
    }
    const after = await usage(run.child.pid);
    rssMax = Math.max(rssMax, after.rssMb);
    const m1 = await progress(run.url, token);
    const checks = m1.checks - m0.checks;
    await stop(run.child);

    // Restart: how long until every monitor has run once again?
    run = await serve(config, dir, nodeFlags);
    const restart = await untilChecks(run.url, token, count, run.startedAt, INTERVAL_S * 3);
    await stop(run.child);

    const { openStore } = await import(path.join(ROOT, 'packages/monitor/dist/store/open.js'));
    const store = await openStore({ type: 'sqlite', path: path.join(dir, 'vigil.db') }, { dataDir: dir });
    const used = await store.usage();
    await store.close();
    return {
      checks,
      checksPerSecond: checks / MEASURE_S,
      cpuPerCheckMs: (after.cpuMs - before.cpuMs) / checks,
      rssMb: rssMax,
      // The start included: loading the configuration and the first round.
      peakMb: after.peakMb,
      p50: m1.p50,
      p99: m1.p99,
      bytesPerResult: used.resultBytes / used.results,
      scrapeMs,
      firstRoundS: firstRound,
      restartS: restart,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The same requests at the same rate from a bare loop: node:http, no scheduler, no store. */
async function measureBare(count, port, keepAlive) {
  const rate = count / INTERVAL_S;
  const agent = new http.Agent({ keepAlive });
  const request = (i) =>
    new Promise((resolve) => {
      http
        .get({ host: '127.0.0.1', port, path: `/site/${i}`, agent }, (res) => {
          res.resume();
          res.on('end', resolve);
        })
        .on('error', resolve);
    });
  const run = async (seconds) => {
    let sent = 0;
    const started = Date.now();
    const inflight = new Set();
    while (Date.now() - started < seconds * 1000) {
      const due = Math.floor(((Date.now() - started) / 1000) * rate);
      while (sent < due) {
        const p = request(sent % count).then(() => inflight.delete(p));
        inflight.add(p);
        sent++;
      }
      await sleep(5);
    }
    await Promise.all(inflight);
    return sent;
  };
  await run(5); // warm-up
  const cpu0 = process.cpuUsage();
  const sent = await run(Math.min(MEASURE_S, 30));
  const cpu = process.cpuUsage(cpu0);
  return { cpuPerRequestMs: (cpu.user + cpu.system) / 1000 / sent };
}

const target = await startTarget();
const rows = [];
try {
  for (const count of SIZES) {
    for (const mode of MODES) {
      const keepAlive = mode === 'kept';
      const bare = await measureBare(count, target.port, keepAlive);
      for (const nodeFlags of FLAG_SETS) {
        for (const coalesceMs of WINDOWS) {
          const vigil = await measureVigil(count, target.port, keepAlive, coalesceMs, nodeFlags);
          rows.push({ count, mode, coalesceMs, nodeFlags, bare, vigil });
          console.error(`${count} monitors, ${mode} connections, node ${nodeFlags || '(no flags)'}, coalesce ${coalesceMs} ms: done`);
        }
      }
    }
  }
} finally {
  target.child.kill('SIGTERM');
}

const f = (n, digits = 2) => (Number.isFinite(n) ? n.toFixed(digits) : 'n/a');
console.log(`\nvigil serve, HTTP monitors every ${INTERVAL_S} s against a local target; measured over ${MEASURE_S} s\n`);
console.log('| monitors | connections | node flags | coalesce | checks/s | CPU per check | bare request | ratio | RSS max (peak since start) | lateness p50 / p99 | bytes per result | all run once after start / restart | /metrics scrape |');
console.log('| ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const { count, mode, coalesceMs, nodeFlags, bare, vigil } of rows) {
  console.log(
    `| ${count} | ${mode} | ${nodeFlags ? `\`${nodeFlags}\`` : 'none'} | ${coalesceMs} ms | ${f(vigil.checksPerSecond, 0)} | ${f(vigil.cpuPerCheckMs, 3)} ms | ${f(bare.cpuPerRequestMs, 3)} ms | ${f(vigil.cpuPerCheckMs / bare.cpuPerRequestMs)} | ${f(vigil.rssMb, 0)} MB (${f(vigil.peakMb, 0)} MB) | ${f(vigil.p50, 1)} / ${f(vigil.p99, 1)} ms | ${f(vigil.bytesPerResult, 1)} | ${f(vigil.firstRoundS, 1)} s / ${f(vigil.restartS, 1)} s | ${f(vigil.scrapeMs, 0)} ms |`,
  );
}
