import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  activeProgress,
  listJobs,
  listWorkers,
  type ProgressUpdate,
  queueInfo,
  schedulerLog,
  watchProgress,
} from '../src/index.js';
import { SHARED_URL, sharedRedisWorld, until } from './support.js';

const world = sharedRedisWorld();
const { redis, prefix } = world;
afterEach(() => world.reset());
afterAll(() => world.dispose());

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** ok → done in 20 ms; bad → throws; hold → reports progress, then waits for the test to release it. */
function shopProcessor(holds: Array<() => void>) {
  return async (job: Job) => {
    if (job.name === 'bad') {
      throw new Error(`SMTP refused for ${String(job.data.to)}`);
    }
    if (job.name === 'hold') {
      await job.updateProgress(40);
      await job.updateProgress({ step: 'upload', percent: 80 });
      await new Promise<void>((resolve) => holds.push(resolve));
    }
    await sleep(20);
    return 'sent';
  };
}

describe('queueInfo', () => {
  it('counts jobs per state for each queue, with workers and the paused flag, through a client or a URL', async () => {
    const emails = world.newQueue('emails');
    const reports = world.newQueue('reports');
    await emails.addBulk([1, 2, 3].map((i) => ({ name: 'send', data: { i } })));
    await emails.add('later', {}, { delay: 60_000 });
    await emails.add('urgent', {}, { priority: 1 });
    await reports.pause();
    world.newWorker(reports, async () => 'ok');
    await until(async () => (await reports.getWorkersCount()) === 1);

    for (const connection of [redis, SHARED_URL]) {
      const info = await queueInfo({ connection, prefix, queues: [emails.name, reports.name, 'missing'] });
      expect(info).toEqual([
        {
          name: emails.name,
          exists: true,
          paused: false,
          counts: { waiting: 3, prioritized: 1, active: 0, delayed: 1, 'waiting-children': 0, completed: 0, failed: 0 },
          backlog: 4,
          oldestWaitingSeconds: expect.any(Number),
          workers: 0,
          schedulers: 0,
        },
        {
          name: reports.name,
          exists: true,
          paused: true,
          counts: { waiting: 0, prioritized: 0, active: 0, delayed: 0, 'waiting-children': 0, completed: 0, failed: 0 },
          backlog: 0,
          oldestWaitingSeconds: 0,
          workers: 1,
          schedulers: 0,
        },
        {
          name: 'missing',
          exists: false,
          paused: false,
          counts: { waiting: 0, prioritized: 0, active: 0, delayed: 0, 'waiting-children': 0, completed: 0, failed: 0 },
          backlog: 0,
          oldestWaitingSeconds: 0,
          workers: 0,
          schedulers: 0,
        },
      ]);
    }
  });
});

describe('listWorkers', () => {
  it('lists each worker with its status, current job, and its recent successful and failed jobs', async () => {
    const emails = world.newQueue('emails');
    const thumbs = world.newQueue('thumbs');
    const holds: Array<() => void> = [];
    world.newWorker(emails, shopProcessor(holds), { name: 'mailer-1' });
    world.newWorker(thumbs, async () => 'ok'); // unnamed
    await emails.addBulk([
      { name: 'ok', data: {} },
      { name: 'ok', data: {} },
      { name: 'ok', data: {} },
      { name: 'bad', data: { to: 'x@example.com' } },
    ]);
    await until(async () => (await emails.getCompletedCount()) === 3 && (await emails.getFailedCount()) === 1);
    const hold = await emails.add('hold', {});
    await until(async () => (await emails.getActiveCount()) === 1);
    await until(async () => (await thumbs.getWorkersCount()) === 1);

    const workers = await listWorkers({ connection: redis, prefix, queues: [emails.name, thumbs.name] });
    expect(workers).toHaveLength(2);
    const mailer = workers.find((w) => w.queue === emails.name)!;
    expect(mailer).toMatchObject({
      name: 'mailer-1',
      connections: 1,
      status: 'busy',
      currentJobs: [{ id: hold.id, name: 'hold', started: expect.stringMatching(ISO), runningSeconds: expect.any(Number) }],
      successfulJobs: 3,
      failedJobs: 1,
      window: { jobs: 4, since: expect.stringMatching(ISO) },
    });
    // Each ok job sleeps 20 ms: at least 60 ms of work in all.
    expect(mailer.totalWorkingSeconds).toBeGreaterThanOrEqual(0.06);
    expect(mailer.connectedSeconds).toBeGreaterThanOrEqual(0);
    expect(workers.find((w) => w.queue === thumbs.name)).toMatchObject({
      name: null,
      status: 'idle',
      currentJobs: [],
      successfulJobs: 0,
      failedJobs: 0,
    });
    holds.forEach((release) => release());
  });

  it('forgets a worker once it is closed', async () => {
    const queue = world.newQueue();
    const worker = world.newWorker(queue, async () => 'ok', { name: 'short-lived' });
    await until(async () => (await queue.getWorkersCount()) === 1);
    expect(await listWorkers({ connection: redis, prefix, queues: [queue.name] })).toHaveLength(1);
    await worker.close();
    expect(await listWorkers({ connection: redis, prefix, queues: [queue.name] })).toEqual([]);
  });
});

describe('listJobs', () => {
  it('shows queued, started, finished and failed jobs with their arguments, exception and times', async () => {
    const queue = world.newQueue('emails');
    const first = await queue.add('send-welcome', { to: 'a@example.com', body: 'x'.repeat(500) });
    await sleep(5);
    const second = await queue.add('send-receipt', { to: 'b@example.com', order: 17 });

    const queued = await listJobs({ connection: redis, prefix, queue: queue.name, status: 'queued', argumentsMaxLength: 40 });
    expect(queued.map((j) => j.id)).toEqual([first.id, second.id]); // oldest first
    expect(queued[0]).toEqual({
      id: first.id,
      queue: queue.name,
      status: 'queued',
      state: 'waiting',
      name: 'send-welcome',
      arguments: `${'{"to":"a@example.com","body":"xxxxxxxxx'}…`,
      exception: null,
      attempts: 0,
      worker: null,
      scheduler: null,
      progress: null,
      created: new Date(first.timestamp).toISOString(),
      started: null,
      ended: null,
    });
    expect(queued[0]!.arguments).toHaveLength(40);
    expect(queued[1]!.arguments).toBe('{"to":"b@example.com","order":17}');

    const holds: Array<() => void> = [];
    world.newWorker(queue, shopProcessor(holds), { name: 'mailer-1' });
    await until(async () => (await queue.getCompletedCount()) === 2);
    const failed = await queue.add('bad', { to: 'c@example.com' });
    await until(async () => (await queue.getFailedCount()) === 1);
    const held = await queue.add('hold', { report: 'november' });
    await until(async () => (await queue.getActiveCount()) === 1);

    const started = await listJobs({ connection: redis, prefix, queue: queue.name, status: 'started' });
    expect(started).toEqual([
      expect.objectContaining({ id: held.id, state: 'active', worker: 'mailer-1', ended: null, started: expect.stringMatching(ISO) }),
    ]);
    await until(async () => {
      const [job] = await listJobs({ connection: redis, prefix, queue: queue.name, status: 'started' });
      return JSON.stringify(job?.progress) === JSON.stringify({ step: 'upload', percent: 80 });
    });

    const finished = await listJobs({ connection: redis, prefix, queue: queue.name, status: 'finished', limit: 1 });
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({ id: second.id, state: 'completed', attempts: 1, worker: 'mailer-1' }); // newest first
    expect(Date.parse(finished[0]!.ended!)).toBeGreaterThanOrEqual(Date.parse(finished[0]!.started!));

    const failures = await listJobs({ connection: redis, prefix, queue: queue.name, status: 'failed' });
    expect(failures).toEqual([
      expect.objectContaining({
        id: failed.id,
        status: 'failed',
        state: 'failed',
        name: 'bad',
        attempts: 1,
        exception: {
          message: 'SMTP refused for c@example.com',
          location: expect.stringMatching(/^at .*views\.test\.ts:\d+:\d+\)?$/),
        },
      }),
    ]);
    holds.forEach((release) => release());
  });

  it('rejects an unknown status and a bad limit', async () => {
    await expect(listJobs({ connection: redis, prefix, queue: 'q', status: 'done' as 'finished' })).rejects.toThrow(
      /status must be queued, started, finished or failed/,
    );
    await expect(listJobs({ connection: redis, prefix, queue: 'q', status: 'failed', limit: 0 })).rejects.toThrow(
      /limit must be an integer from 1 to 1000/,
    );
  });
});

describe('schedulerLog', () => {
  it('lists the runs of job schedulers, Complete or Failed, newest first, and leaves other jobs out', async () => {
    const queue = world.newQueue('cron');
    let runs = 0;
    world.newWorker(queue, async (job) => {
      if (job.name === 'sync-stock' && ++runs === 2) throw new Error('supplier API down');
      return 'ok';
    });
    await queue.add('one-off', {});
    await queue.upsertJobScheduler('stock-sync', { every: 150 }, { name: 'sync-stock' });
    await until(async () => (await queue.getCompletedCount()) >= 3 && (await queue.getFailedCount()) === 1);
    await queue.removeJobScheduler('stock-sync');

    const log = await schedulerLog({ connection: redis, prefix, queues: [queue.name] });
    expect(log.length).toBeGreaterThanOrEqual(3);
    expect(log.every((e) => e.scheduler === 'stock-sync' && e.job === 'sync-stock' && e.queue === queue.name)).toBe(true);
    const failedRun = log.find((e) => e.status === 'Failed')!;
    expect(failedRun).toMatchObject({ error: 'supplier API down', start: expect.stringMatching(ISO), end: expect.stringMatching(ISO) });
    expect(failedRun.jobId).toMatch(/^repeat:stock-sync:\d+$/);
    expect(log.filter((e) => e.status === 'Complete').every((e) => e.error === null && e.durationMs! >= 0)).toBe(true);
    const ends = log.map((e) => Date.parse(e.end!));
    expect(ends).toEqual([...ends].sort((a, b) => b - a));

    expect(await schedulerLog({ connection: redis, prefix, queues: [queue.name], limit: 1 })).toHaveLength(1);
    expect(await schedulerLog({ connection: redis, prefix, queues: [queue.name], scheduler: 'other' })).toEqual([]);
  });
});

describe('progress', () => {
  it('shows the progress of active jobs, and streams updates until closed', async () => {
    const queue = world.newQueue('exports');
    const watch = await watchProgress({ connection: redis, prefix, queues: [queue.name] });
    const heard: ProgressUpdate[] = [];
    watch.on('progress', (update) => heard.push(update));
    const iterated: ProgressUpdate[] = [];
    const iterating = (async () => {
      for await (const update of watch) iterated.push(update);
    })();

    const holds: Array<() => void> = [];
    world.newWorker(queue, shopProcessor(holds), { name: 'exporter' });
    const job = await queue.add('hold', {});
    await until(() => heard.length === 2);

    expect(heard.map((u) => [u.queue, u.jobId, u.progress])).toEqual([
      [queue.name, job.id, 40],
      [queue.name, job.id, { step: 'upload', percent: 80 }],
    ]);
    expect(heard[0]!.at).toMatch(ISO);
    expect(await activeProgress({ connection: redis, prefix, queues: [queue.name] })).toEqual([
      {
        queue: queue.name,
        id: job.id,
        name: 'hold',
        worker: 'exporter',
        started: expect.stringMatching(ISO),
        progress: { step: 'upload', percent: 80 },
      },
    ]);

    await watch.close();
    await iterating; // the iterator ends with the watch
    expect(iterated).toEqual(heard);
    holds.forEach((release) => release());
  });

  it('watches through a URL and fails at once when Redis cannot be reached', async () => {
    const queue = world.newQueue('exports');
    const watch = await watchProgress({ connection: SHARED_URL, prefix, queues: [queue.name] });
    const heard: unknown[] = [];
    watch.on('progress', (u) => heard.push(u.progress));
    world.newWorker(queue, async (job) => job.updateProgress(99));
    await queue.add('quick', {});
    await until(() => heard.length === 1);
    expect(heard).toEqual([99]);
    await watch.close();

    await expect(watchProgress({ connection: 'redis://127.0.0.1:1', queues: ['x'] })).rejects.toThrow(/ECONNREFUSED/);
  });
});
