import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Queue, QueueEvents, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Check, CheckOptions } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import {
  type BullmqCheckOptions,
  type BullmqRedis,
  bullmqCheck,
  bullmqProbe,
  readBullmqQueues,
} from '../src/probes/bullmq.js';
import { hangingTcpServer, unusedPort } from './support/net.js';
import { startPrivateRedis } from './support/private-redis.js';
import { REDIS_URL } from '../../../test/services.js';

const SHARED_URL = REDIS_URL;
/** This file's own key prefix on the shared Redis: everything it creates lives under it and is deleted after. */
const PREFIX = `vigil-test-${randomUUID().slice(0, 8)}`;

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

let redis: Redis;
const queues: Queue[] = [];
const workers: Worker[] = [];
const releases: Array<() => void> = [];

beforeAll(() => {
  // BullMQ's workers need maxRetriesPerRequest: null; the check uses the same client, as an app would.
  redis = new Redis(SHARED_URL, { maxRetriesPerRequest: null });
});

afterEach(async () => {
  for (const release of releases.splice(0)) release();
  await Promise.all(workers.splice(0).map((w) => w.close(true)));
  await Promise.all(queues.splice(0).map(async (q) => q.obliterate({ force: true }).then(() => q.close())));
});

afterAll(async () => {
  // Only this file's keys: SCAN its prefix and delete what is left (locks, scheduler hashes).
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${PREFIX}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) await redis.unlink(...keys);
  } while (cursor !== '0');
  redis.disconnect();
});

let seq = 0;
/** A fresh queue name (so tests do not see each other's jobs) and its Queue. */
function newQueue(): Queue {
  const queue = new Queue(`q${++seq}-${randomUUID().slice(0, 6)}`, { connection: redis, prefix: PREFIX });
  queues.push(queue);
  return queue;
}

function newWorker(
  queue: Queue,
  processor: (job: Job) => Promise<unknown>,
  options: { name?: string; concurrency?: number } = {},
): Worker {
  const worker = new Worker(queue.name, processor, { connection: redis, prefix: PREFIX, ...options });
  worker.on('error', () => {});
  workers.push(worker);
  return worker;
}

/** A processor that blocks until the test ends (or `release()` is called). */
function blocking(): { processor: (job: Job) => Promise<unknown>; started: Promise<Job> } {
  let onStart: (job: Job) => void = () => {};
  const started = new Promise<Job>((resolve) => {
    onStart = resolve;
  });
  return {
    started,
    processor: (job) =>
      new Promise((resolve) => {
        releases.push(() => resolve('released'));
        onStart(job);
      }),
  };
}

async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUp) throw new Error('condition not met in time');
    await sleep(25);
  }
}

function queueDetails(result: { details?: Record<string, unknown> }, name: string): Record<string, unknown> {
  return (result.details?.queues as Record<string, Record<string, unknown>>)[name]!;
}

const check = (options: Omit<BullmqCheckOptions, 'connection' | 'prefix'> & CheckOptions) =>
  bullmqCheck({ connection: redis, prefix: PREFIX, ...options });

describe('bullmqCheck on real BullMQ queues', () => {
  it('is healthy when a worker keeps up, and reports counts, workers and the round trips it used', async () => {
    const queue = newQueue();
    const worker = newWorker(queue, async () => 'ok', { name: 'mailer-1' });
    await worker.waitUntilReady();
    // A QueueEvents listener has a connection named after the queue too (`…:qe`): it is not a worker.
    const events = new QueueEvents(queue.name, { connection: redis, prefix: PREFIX });
    const eventsName = `${PREFIX}:${Buffer.from(queue.name).toString('base64')}:qe`;
    await until(async () => String(await redis.client('LIST')).includes(`name=${eventsName} `));
    await queue.add('send', { to: 'a@example.com' });
    await until(async () => (await queue.getCompletedCount()) === 1);

    const result = await observe(check({ queues: [queue.name] }));
    expect(result.status).toBe('healthy');
    expect(result.error).toBeUndefined();
    expect(result.details).toMatchObject({ type: 'bullmq', prefix: PREFIX, round_trips: 1 });
    expect(queueDetails(result, queue.name)).toMatchObject({
      status: 'healthy',
      paused: false,
      workers: 1,
      backlog: 0,
      waiting: 0,
      active: 0,
      completed: 1,
      failed: 0,
      oldest_waiting_s: 0,
    });
    expect(result.measurements).toContainEqual({ measurement: `${queue.name}.workers`, value: 1 });
    expect(result.measurements).toContainEqual({ measurement: `${queue.name}.backlog`, value: 0, unit: 'jobs' });
    await events.close();
  });

  it('is unhealthy when jobs wait and no worker is connected, naming the queue', async () => {
    const idle = newQueue();
    const starved = newQueue();
    await starved.addBulk([1, 2, 3].map((i) => ({ name: 'resize', data: { i } })));
    await idle.waitUntilReady();

    const result = await observe(check({ queues: [idle.name, starved.name] }));
    expect(result.status).toBe('unhealthy');
    expect(result.error).toBe(`queue ${starved.name}: no worker while 3 jobs wait`);
    expect(queueDetails(result, starved.name)).toMatchObject({ status: 'unhealthy', workers: 0, backlog: 3 });
    // A queue with nothing to do needs no worker.
    expect(queueDetails(result, idle.name)).toMatchObject({ status: 'healthy', workers: 0 });
    // Round trip 2 fetched the oldest waiting job's timestamp: it is a few milliseconds old.
    expect(queueDetails(result, starved.name).oldest_waiting_s).toBeLessThan(5);
  });

  it('applies the backlog thresholds: degraded above one, unhealthy above the other', async () => {
    const queue = newQueue();
    const verdict = async () =>
      observe(check({ queues: [{ name: queue.name, maxWaiting: { degraded: 3, unhealthy: 5 }, whenNoWorkers: 'healthy' }] }));
    await queue.addBulk([1, 2, 3].map((i) => ({ name: 'job', data: { i } })));
    expect((await verdict()).status).toBe('healthy');
    await queue.add('job', { i: 4 });
    const degraded = await verdict();
    expect(degraded.status).toBe('degraded');
    expect(degraded.error).toBe(`queue ${queue.name}: 4 jobs waiting (degraded above 3)`);
    await queue.addBulk([5, 6].map((i) => ({ name: 'job', data: { i } })));
    const unhealthy = await verdict();
    expect(unhealthy.status).toBe('unhealthy');
    expect(unhealthy.error).toBe(`queue ${queue.name}: 6 jobs waiting (unhealthy above 5)`);
  });

  it('measures the age of the oldest waiting job and applies maxOldestWaitingSeconds', async () => {
    const queue = newQueue();
    await queue.add('old', {});
    await sleep(20);
    await queue.add('new', {});
    // The clock is injected: two minutes later, nothing has been picked up.
    const later = Date.now() + 120_000;
    const result = await observe(
      check({
        queues: [{ name: queue.name, maxOldestWaitingSeconds: { degraded: 60, unhealthy: 300 }, whenNoWorkers: 'healthy' }],
        now: () => later,
      }),
    );
    expect(result.status).toBe('degraded');
    const age = queueDetails(result, queue.name).oldest_waiting_s as number;
    expect(age).toBeGreaterThanOrEqual(120);
    expect(age).toBeLessThan(125);
    expect(result.error).toMatch(
      new RegExp(`^queue ${queue.name}: the oldest waiting job has waited 12\\d(\\.\\d)? s \\(degraded above 60 s\\)$`),
    );
  });

  it('finds a job stuck in a hung worker (whose lock keeps being renewed) by its start time', async () => {
    const queue = newQueue();
    const { processor, started } = blocking();
    newWorker(queue, processor, { name: 'hung-worker' });
    const job = await queue.add('export-report', { month: 11 });
    await started;
    await sleep(400);

    const result = await observe(check({ queues: [{ name: queue.name, maxRunTimeMs: { degraded: 200, unhealthy: 60_000 } }] }));
    expect(result.status).toBe('degraded');
    expect(result.error).toMatch(
      new RegExp(
        `^queue ${queue.name}: job ${job.id} \\(export-report\\) has run for [\\d.]+ s on worker hung-worker, stuck \\(degraded above 200 ms\\)$`,
      ),
    );
    const details = queueDetails(result, queue.name);
    expect(details.stuck).toEqual([{ id: job.id, name: 'export-report', worker: 'hung-worker', running_s: expect.any(Number) }]);
    expect(details).toMatchObject({ active: 1, workers: 1 });
    // BullMQ itself still sees an active job with a live lock: nothing stalled.
    expect(await queue.getJobState(job.id!)).toBe('active');

    const relaxed = await observe(check({ queues: [{ name: queue.name, maxRunTimeMs: 60_000 }] }));
    expect(relaxed.status).toBe('healthy');
  });

  it('reports a job scheduler whose next run has passed with no worker to run it', async () => {
    const queue = newQueue();
    await queue.upsertJobScheduler('nightly-sync', { every: 500 }, { name: 'sync' });
    const next = (await queue.getJobScheduler('nightly-sync'))!.next!;
    await until(() => Date.now() > next + 1300);

    const result = await observe(
      check({
        queues: [
          { name: queue.name, schedulerToleranceSeconds: { degraded: 1, unhealthy: 600 }, whenNoWorkers: 'healthy' },
        ],
      }),
    );
    expect(result.status).toBe('degraded');
    expect(result.error).toMatch(
      new RegExp(`^queue ${queue.name}: job scheduler "nightly-sync" is [\\d.]+ s overdue \\(degraded above 1 s\\)$`),
    );
    expect(queueDetails(result, queue.name).schedulers).toMatchObject({
      total: 1,
      past_due: 1,
      overdue: [{ id: 'nightly-sync', next: new Date(next).toISOString(), late_s: expect.any(Number) }],
    });

    // Once a worker runs it, the scheduler moves on and is on time again.
    newWorker(queue, async () => 'synced');
    await until(async () => ((await queue.getJobScheduler('nightly-sync'))?.next ?? 0) > Date.now());
    const onTime = await observe(
      check({ queues: [{ name: queue.name, schedulerToleranceSeconds: { degraded: 1 } }] }),
    );
    expect(onTime.error).toBeUndefined();
    expect(onTime.status).toBe('healthy');
  });

  it('reports a paused queue as degraded (configurable)', async () => {
    const queue = newQueue();
    newWorker(queue, async () => 'ok');
    await queue.pause();
    const result = await observe(check({ queues: [queue.name] }));
    expect(result.status).toBe('degraded');
    expect(result.error).toBe(`queue ${queue.name}: paused`);
    expect(queueDetails(result, queue.name).paused).toBe(true);

    const strict = await observe(check({ queues: [{ name: queue.name, whenPaused: 'unhealthy' }] }));
    expect(strict.status).toBe('unhealthy');
    await queue.resume();
    expect((await observe(check({ queues: [queue.name] }))).status).toBe('healthy');
  });

  it('counts jobs that failed since its previous run (and over a window, statelessly)', async () => {
    const queue = newQueue();
    newWorker(queue, async (job) => {
      if (job.name === 'bad') throw new Error('card declined');
      return 'ok';
    });
    await queue.add('bad', {});
    await until(async () => (await queue.getFailedCount()) === 1);

    const failing = check({ queues: [{ name: queue.name, failedGrowth: { degraded: 1, unhealthy: 5 } }], cacheTtlMs: 0 });
    // The first run has no previous one: it only sets the mark (the one old failure does not count).
    const first = await observe(failing);
    expect(first.status).toBe('healthy');
    expect(queueDetails(first, queue.name)).toMatchObject({ failed: 1 });
    expect(queueDetails(first, queue.name).failed_new).toBeUndefined();

    await queue.addBulk([1, 2].map(() => ({ name: 'bad', data: {} })));
    await until(async () => (await queue.getFailedCount()) === 3);
    const second = await observe(failing);
    expect(second.status).toBe('degraded');
    expect(second.error).toBe(`queue ${queue.name}: 2 jobs failed since the last check (degraded above 1)`);
    expect(queueDetails(second, queue.name)).toMatchObject({ failed: 3, failed_new: 2 });
    const third = await observe(failing);
    expect(queueDetails(third, queue.name)).toMatchObject({ failed: 3, failed_new: 0 });
    expect(third.status).toBe('healthy');

    // With a window the probe needs no memory: all three failed in the last minute.
    const windowed = await runProbe(
      (context) =>
        bullmqProbe(
          { connection: redis, prefix: PREFIX, queues: [{ name: queue.name, failedGrowth: { unhealthy: 2, windowSeconds: 60 } }] },
          context,
        ),
      { timeoutMs: 2000 },
    );
    expect(windowed.status).toBe('unhealthy');
    expect(windowed.error).toBe(`queue ${queue.name}: 3 jobs failed in the last 60 s (unhealthy above 2)`);
  });

  it('counts a delayed job whose time has come as waiting (no worker promotes it), aged from when it was due', async () => {
    const queue = newQueue();
    await queue.add('reminder', {}, { delay: 200 });
    await queue.add('much-later', {}, { delay: 3_600_000 });
    const before = await observe(check({ queues: [queue.name] }));
    expect(queueDetails(before, queue.name)).toMatchObject({ status: 'healthy', backlog: 0, delayed: 2, due_delayed: 0 });

    await sleep(400);
    const result = await observe(check({ queues: [queue.name] }));
    expect(queueDetails(result, queue.name)).toMatchObject({ backlog: 1, delayed: 2, due_delayed: 1, waiting: 0 });
    const age = queueDetails(result, queue.name).oldest_waiting_s as number;
    expect(age).toBeGreaterThanOrEqual(0.1);
    expect(age).toBeLessThan(1); // since it was due, not since it was added
    expect(result.error).toBe(`queue ${queue.name}: no worker while 1 job waits`);
  });

  it('does not claim "no worker" when CLIENT LIST is refused (managed Redis, ACLs): worker presence is unknown', async () => {
    const queue = newQueue();
    await queue.add('job', {});
    // A client whose CLIENT LIST fails, as under an ACL without +client.
    const refusing: BullmqRedis = {
      pipeline: (commands) =>
        redis.pipeline(commands.map((c) => (c[0] === 'client' ? ['client', 'no-such-subcommand'] : c))),
    };
    const result = await observe(bullmqCheck({ connection: refusing, prefix: PREFIX, queues: [queue.name] }));
    expect(result.status).toBe('healthy');
    expect(queueDetails(result, queue.name)).toMatchObject({ workers: null, backlog: 1 });
    expect(result.details?.workers_unknown).toMatch(/^CLIENT LIST failed \(.+\): worker presence unknown$/);
    expect(result.measurements?.some((m) => m.measurement.endsWith('.workers'))).toBe(false);
  });

  it('flags a queue name that matches nothing (a typo in the name or the prefix)', async () => {
    const result = await observe(check({ queues: ['no-such-queue'] }));
    expect(result.status).toBe('degraded');
    expect(result.error).toBe(
      'queue no-such-queue: no such queue: no BullMQ keys and no worker under this name (check the queue name and prefix)',
    );
  });

  it('costs the same number of round trips and commands for 1 and for 500 jobs', async () => {
    const queue = newQueue();
    const counted = countingClient(redis);
    const read = () => readBullmqQueues(counted.client, { prefix: PREFIX, queues: [queue.name] });
    await queue.add('one', {});
    const small = await read();
    await queue.addBulk(Array.from({ length: 499 }, (_, i) => ({ name: 'many', data: { i } })));
    const large = await read();
    expect(large.queues[0]!.counts.waiting).toBe(500);
    expect(large.roundTrips).toBe(small.roundTrips);
    expect(large.commands).toBe(small.commands);
    expect(counted.pipelines).toBe(small.roundTrips * 2);
  });

  it('rejects invalid options when the check is created', () => {
    expect(() => bullmqCheck({ connection: redis, queues: [] })).toThrow(/at least one queue/);
    expect(() => bullmqCheck({ connection: 'http://x', queues: ['a'] })).toThrow(/ioredis client or a redis:\/\/ URL/);
    expect(() => bullmqCheck({ connection: redis, queues: ['a:b'] })).toThrow(/queue name "a:b" is invalid/);
    expect(() => bullmqCheck({ connection: redis, queues: ['a', { name: 'a' }] })).toThrow(/listed twice/);
    expect(() =>
      bullmqCheck({ connection: redis, queues: [{ name: 'a', maxWaiting: { degraded: 10, unhealthy: 5 } }] }),
    ).toThrow(/queues\[a\]\.maxWaiting\.unhealthy must not be below/);
    expect(() => bullmqCheck({ connection: redis, queues: [{ name: 'a', maxRunTimeMs: {} }] })).toThrow(
      /needs a degraded or an unhealthy threshold/,
    );
    expect(() => bullmqCheck({ connection: redis, password: 'x', queues: ['a'] })).toThrow(/only used with a URL/);
  });
});

describe('bullmqCheck when Redis fails', () => {
  it('is unhealthy at once, with the reason, when the server behind the app\'s client is killed', async () => {
    const server = await startPrivateRedis();
    const client = new Redis(server.url, { maxRetriesPerRequest: null });
    client.on('error', () => {});
    try {
      const queue = new Queue('emails', { connection: client });
      await queue.add('send', {});
      // The queue shares the client, so closing it leaves the client open (BullMQ's close hangs once Redis is gone).
      await queue.close();
      const before = await observe(bullmqCheck({ connection: client, queues: [{ name: 'emails', whenNoWorkers: 'degraded' }] }));
      expect(before.status).toBe('degraded');

      await server.kill();
      await until(() => client.status !== 'ready');
      const result = await observe(bullmqCheck({ connection: client, queues: ['emails'], timeoutMs: 1000 }));
      expect(result).toMatchObject({ status: 'unhealthy', timedOut: false });
      expect(result.error).toMatch(
        /^cannot read the BullMQ queues: the Redis connection is (reconnecting|close|end), not ready \(is Redis up and reachable\?\)$/,
      );
      expect(result.durationMs).toBeLessThan(100);
    } finally {
      client.disconnect();
      await server.kill();
    }
  });

  it('is unhealthy with ECONNREFUSED through a URL when nothing listens, and never shows the password', async () => {
    const port = await unusedPort();
    const result = await observe(bullmqCheck({ connection: `redis://:s3cret-pw@127.0.0.1:${port}`, queues: ['emails'] }));
    expect(result).toMatchObject({ status: 'unhealthy', timedOut: false });
    expect(result.error).toMatch(/^cannot read the BullMQ queues: .*ECONNREFUSED/);
    expect(JSON.stringify(result)).not.toContain('s3cret-pw');
    expect(result.durationMs).toBeLessThan(1000);
  });

  it('gives up at its timeout when the server accepts and never answers, and closes its connection', async () => {
    const hanging = await hangingTcpServer();
    try {
      // Other tests' sockets (the shared client, workers) are open too: count relative to them.
      const others = hanging.clientSockets();
      const result = await observe(
        bullmqCheck({ connection: `redis://127.0.0.1:${hanging.port}`, queues: ['emails'], timeoutMs: 300 }),
      );
      expect(result).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 300 ms' });
      expect(result.durationMs).toBeLessThan(600);
      expect(hanging.accepted()).toBe(1);
      await until(() => hanging.clientSockets() === others, 2000);
    } finally {
      await hanging.close();
    }
  });

  it('reads through a URL with a password kept out of it', async () => {
    const server = await startPrivateRedis({ requirepass: 'queue-pass' });
    try {
      const ok = await observe(bullmqCheck({ connection: server.url, password: 'queue-pass', queues: ['emails'] }));
      expect(ok.status).toBe('degraded'); // the queue does not exist on this fresh server
      expect(ok.error).toMatch(/no such queue/);
      const wrong = await observe(bullmqCheck({ connection: server.url, password: 'wrong-pass', queues: ['emails'] }));
      expect(wrong.status).toBe('unhealthy');
      expect(wrong.error).toMatch(/WRONGPASS|invalid password/i);
      expect(wrong.error).not.toContain('wrong-pass');
    } finally {
      await server.kill();
    }
  });
});

/** Wraps a client to count pipelines (network round trips). */
function countingClient(inner: BullmqRedis): { client: BullmqRedis; readonly pipelines: number } {
  let pipelines = 0;
  return {
    client: {
      pipeline(commands) {
        pipelines++;
        return inner.pipeline(commands);
      },
    },
    get pipelines() {
      return pipelines;
    },
  };
}
