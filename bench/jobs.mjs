// Question: what does one poll of the BullMQ check and of the queue metrics cost for 50 queues — Redis round
// trips, commands and milliseconds — and does it stay the same when the queues grow from 1,000 to 100,000
// waiting jobs? Baselines in the same run: the poll at 1,000 jobs, and the same facts read through BullMQ's
// Queue API (getJobCounts, getWorkersCount, the oldest waiting job, active jobs, job schedulers, isPaused).
// Run: npm run bench:jobs   (builds first; about a minute; uses a private redis-server on a random port)
// Knobs: BENCH_QUEUES, BENCH_SMALL, BENCH_LARGE, BENCH_POLLS, BENCH_WORKERS_PER_QUEUE.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { bullmqProbe } from '../packages/core/dist/index.js';
import { queueMetrics } from '../packages/jobs/dist/index.js';

const QUEUES = Number(process.env.BENCH_QUEUES ?? 50);
const SMALL = Number(process.env.BENCH_SMALL ?? 1_000);
const LARGE = Number(process.env.BENCH_LARGE ?? 100_000);
const POLLS = Number(process.env.BENCH_POLLS ?? 50);
const WORKERS = Number(process.env.BENCH_WORKERS_PER_QUEUE ?? 4);

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const port = await freePort();
const server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
  stdio: 'ignore',
});
const url = `redis://127.0.0.1:${port}`;
const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: true });
redis.on('error', () => {}); // refused until redis-server has started
for (let i = 0; ; i++) {
  try {
    await redis.connect();
    break;
  } catch (error) {
    if (i > 100) throw error;
    await sleep(50);
  }
}

// Every command the probe sends goes through pipeline(): count the pipelines (round trips) and their commands.
const counter = { roundTrips: 0, commands: 0 };
const counted = {
  pipeline(commands) {
    counter.roundTrips++;
    counter.commands += commands.length;
    return redis.pipeline(commands);
  },
};

// Server-side count of the commands sent (MONITOR), split into the client's own and those its Lua scripts ran:
// the only count available for BullMQ's API. MONITOR slows Redis down, so it runs in a pass of its own.
async function serverCommands(poll, times = 3) {
  const monitor = await redis.duplicate().monitor();
  const seen = { client: 0, lua: 0 };
  const address = `${redis.stream.localAddress}:${redis.stream.localPort}`;
  let done = false;
  monitor.on('monitor', (_time, args, source) => {
    if (done) return;
    if (source === address && String(args[0]).toLowerCase() === 'echo' && args[1] === 'bench-end') done = true;
    else if (source === address) seen.client++;
    else if (source === 'lua') seen.lua++;
  });
  await sleep(50);
  for (let i = 0; i < times; i++) await poll();
  await redis.echo('bench-end'); // MONITOR lines arrive asynchronously: this one marks the end
  while (!done) await sleep(10);
  monitor.disconnect();
  return { client: seen.client / times, lua: seen.lua / times };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * One set of QUEUES queues holding `total` waiting jobs, with the three ways of polling it. Two sets (small and
 * large) live side by side and are measured in alternating rounds, so machine noise hits both alike.
 */
async function querySet(label, total) {
  const names = Array.from({ length: QUEUES }, (_, i) => `${label}-${i}`);
  const queues = names.map((name) => new Queue(name, { connection: redis }));
  for (const queue of queues) {
    await queue.upsertJobScheduler('nightly', { pattern: '0 3 * * *' }, { name: 'cleanup' });
    for (let added = 0; added < total / QUEUES; added += 1000) {
      const n = Math.min(1000, total / QUEUES - added);
      await queue.addBulk(Array.from({ length: n }, (_, i) => ({ name: 'resize', data: { image: added + i, size: 'l' } })));
    }
  }
  // Idle connections named as BullMQ names its workers' (`bull:<base64 queue>:w:<name>`): CLIENT LIST sees
  // workers, and no job is consumed.
  const workers = names.flatMap((name) =>
    Array.from(
      { length: WORKERS },
      (_, i) => new Redis(url, { connectionName: `bull:${Buffer.from(name).toString('base64')}:w:bench-${i}` }),
    ),
  );
  await Promise.all(workers.map((w) => w.ping()));
  const registry = new Registry();
  queueMetrics({ registry, connection: counted, queues: names });
  const checkQueues = names.map((name) => ({
    name,
    maxWaiting: 10_000,
    maxRunTimeMs: 60_000,
    failedGrowth: { degraded: 5, windowSeconds: 300 },
  }));
  return {
    total,
    queues,
    workers,
    polls: {
      'bullmqCheck poll': () =>
        bullmqProbe(
          { connection: counted, queues: checkQueues },
          { signal: new AbortController().signal, deadline: Date.now() + 10_000 },
        ).then((result) => {
          if (!result.details?.queues) throw new Error(result.error);
        }),
      'queueMetrics scrape': () => registry.metrics(),
      'BullMQ Queue API': () =>
        Promise.all(
          queues.map((queue) =>
            Promise.all([
              queue.getJobCounts(),
              queue.getWorkersCount(),
              queue.getWaiting(0, 0),
              queue.getActive(0, 99),
              queue.getJobSchedulers(0, 19, true),
              queue.isPaused(),
            ]),
          ),
        ),
    },
  };
}

/** Median time of POLLS polls, and the round trips they made through `counted`. */
async function time(poll) {
  counter.roundTrips = 0;
  const times = [];
  for (let i = 0; i < POLLS; i++) {
    const started = performance.now();
    await poll();
    times.push(performance.now() - started);
  }
  return { ms: median(times), roundTrips: counter.roundTrips / POLLS };
}

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const sets = [];
const rows = [];
try {
  for (const [label, total] of [
    ['small', SMALL],
    ['large', LARGE],
  ]) {
    const started = performance.now();
    sets.push(await querySet(label, total));
    console.error(`filled ${total.toLocaleString('en-US')} waiting jobs in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  const kinds = Object.keys(sets[0].polls);
  for (const set of sets) for (const kind of kinds) for (let i = 0; i < 20; i++) await set.polls[kind](); // warm-up
  const samples = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const set of sets) {
      for (const kind of kinds) {
        const key = `${set.total}/${kind}`;
        samples.set(key, [...(samples.get(key) ?? []), await time(set.polls[kind])]);
      }
    }
  }
  for (const set of sets) {
    for (const kind of kinds) {
      const measured = samples.get(`${set.total}/${kind}`);
      const commands = await serverCommands(set.polls[kind]);
      rows.push({
        jobs: set.total,
        label: kind,
        ms: median(measured.map((m) => m.ms)),
        roundTrips: measured[0].roundTrips,
        commands: commands.client,
        lua: commands.lua,
      });
    }
  }
} finally {
  for (const set of sets) {
    await Promise.allSettled(set.queues.map((q) => q.close()));
    for (const w of set.workers) w.disconnect();
  }
  redis.disconnect();
  server.kill('SIGKILL');
}

console.log(
  `${QUEUES} queues per set, one job scheduler and ${WORKERS} worker connections per queue (CLIENT LIST holds both sets: ${
    2 * QUEUES * WORKERS
  } workers); median of ${ROUNDS} rounds × ${POLLS} polls; private redis-server`,
);
console.log('waiting jobs  what                   round trips  commands  per queue  + in Lua      ms');
for (const r of rows) {
  const trips = r.label === 'BullMQ Queue API' ? 'n/a' : String(r.roundTrips);
  console.log(
    `${r.jobs.toLocaleString('en-US').padStart(12)}  ${r.label.padEnd(21)}  ${trips.padStart(11)}  ${r.commands
      .toFixed(0)
      .padStart(8)}  ${(r.commands / QUEUES).toFixed(2).padStart(9)}  ${r.lua.toFixed(0).padStart(8)}  ${r.ms.toFixed(2).padStart(6)}`,
  );
}
const at = (jobs, label) => rows.find((r) => r.jobs === jobs && r.label === label);
for (const label of ['bullmqCheck poll', 'queueMetrics scrape', 'BullMQ Queue API']) {
  const small = at(SMALL, label);
  const large = at(LARGE, label);
  console.log(
    `${label}: ${LARGE.toLocaleString('en-US')} vs ${SMALL.toLocaleString('en-US')} jobs — commands ×${(large.commands / small.commands).toFixed(2)}, time ×${(large.ms / small.ms).toFixed(2)}`,
  );
}
const api = at(LARGE, 'BullMQ Queue API');
const ours = at(LARGE, 'bullmqCheck poll');
console.log(
  `at ${LARGE.toLocaleString('en-US')} jobs, bullmqCheck / BullMQ API: Redis commands (Lua included) ×${((ours.commands + ours.lua) / (api.commands + api.lua)).toFixed(2)}, time ×${(ours.ms / api.ms).toFixed(2)}`,
);
