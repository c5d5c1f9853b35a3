/**
 * `vigil workers`, `jobs`, `queues`, `schedules` and `progress` against real BullMQ queues, workers and job
 * schedulers on the shared Redis, under a key prefix of this file's own.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Job } from 'bullmq';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { listJobs, listWorkers, queueInfo, schedulerLog } from '@vigil/jobs';
import { hangingTcpServer, unusedPort } from '../../../core/test/support/net.js';
import { type PrivateRedis, startPrivateRedis } from '../../../core/test/support/private-redis.js';
import { sharedRedisWorld, until } from '../../../jobs/test/support.js';
import { registerJobsCommand } from '../../src/commands/jobs.js';
import { DEFAULT_REDIS_URL, type JobsCommandOptions } from '../../src/commands/jobs-common.js';
import { registerProgressCommand } from '../../src/commands/progress.js';
import { registerQueuesCommand } from '../../src/commands/queues.js';
import { registerSchedulesCommand } from '../../src/commands/schedules.js';
import { registerWorkersCommand } from '../../src/commands/workers.js';
import { REDIS_URL } from '../../../../test/services.js';

const world = sharedRedisWorld();
const { redis, prefix } = world;
afterEach(() => world.reset());
afterAll(() => world.dispose());

type Register = (program: Command, options: JobsCommandOptions) => unknown;

interface Run {
  stdout: string;
  stderr: string;
  code: number | undefined;
}

/** `vigil <args>` on a fresh program with one command registered; output and exit code captured. */
function start(register: Register, args: string[], options: JobsCommandOptions = {}) {
  const out = { stdout: '', stderr: '' };
  const codes: number[] = [];
  const program = new Command().name('vigil').exitOverride();
  register(program, {
    stdout: (text) => void (out.stdout += text),
    stderr: (text) => void (out.stderr += text),
    exit: (code) => void codes.push(code),
    // Not the developer's REDIS_URL: the shared Redis, on the default address unless VIGIL_TEST_REDIS_URL moves it.
    env: REDIS_URL === DEFAULT_REDIS_URL ? {} : { REDIS_URL },
    ...options,
  });
  const done = program.parseAsync(args, { from: 'user' }).then(
    () => undefined,
    (error: unknown) => {
      // A command-line mistake: commander stops after the exit code is set.
      if (!(error instanceof CommanderError)) throw error;
    },
  );
  return {
    out,
    finished: async (): Promise<Run> => {
      await done;
      expect(codes, 'the exit code is set exactly once').toHaveLength(1);
      return { ...out, code: codes[0] };
    },
  };
}

const vigil = (register: Register, args: string[], options: JobsCommandOptions = {}) =>
  start(register, args, options).finished();

/** A table as rows of cells (columns are separated by two spaces or more). */
function table(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => line.split(/ {2,}/));
}

const NO_STACK = /^\s+at /m;

/** ok → done; bad → throws; hold → reports progress, then waits for the test to release it. */
function processor(holds: Array<() => void>) {
  return async (job: Job) => {
    if (job.name === 'bad') throw new Error(`SMTP 550: mailbox unavailable for ${String(job.data.to)}`);
    if (job.name === 'hold') {
      await job.updateProgress(40);
      await new Promise<void>((resolve) => holds.push(resolve));
    }
    await sleep(5);
    return 'sent';
  };
}

describe('vigil queues', () => {
  it('finds the queues under the prefix and prints the counts per state, as a table and as the library JSON', async () => {
    const emails = world.newQueue('emails');
    const reports = world.newQueue('reports');
    await emails.addBulk([1, 2, 3].map((i) => ({ name: 'send', data: { i } })));
    await emails.add('later', {}, { delay: 60_000 });
    await emails.add('urgent', {}, { priority: 1 });
    await reports.pause();
    world.newWorker(reports, async () => 'ok');
    await until(async () => (await reports.getWorkersCount()) === 1);

    const text = await vigil(registerQueuesCommand, ['queues', '--prefix', prefix]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    const [header, ...rows] = table(text.stdout);
    expect(header).toEqual([
      'QUEUE', 'STATE', 'WAITING', 'PRIORITIZED', 'DELAYED', 'ACTIVE', 'CHILDREN', 'COMPLETED', 'FAILED', 'WORKERS',
      'SCHEDULERS', 'OLDEST',
    ]);
    // Discovered (sorted by name): emails… before reports….
    expect(rows).toEqual([
      [emails.name, '-', '3', '1', '1', '0', '0', '0', '0', '0', '0', expect.stringMatching(/^\d+(\.\d)?s$|^\d+ms$/)],
      [reports.name, 'paused', '0', '0', '0', '0', '0', '0', '0', '1', '0', '-'],
    ]);

    const args = ['queues', '--prefix', prefix, '--queue', reports.name, '--queue', 'missing', '--json'];
    const json = await vigil(registerQueuesCommand, args);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual(await queueInfo({ connection: redis, prefix, queues: [reports.name, 'missing'] }));
  });

  it('marks a queue named with --queue that has no BullMQ key as missing', async () => {
    const result = await vigil(registerQueuesCommand, ['queues', '--prefix', prefix, '--queue', 'typo']);
    expect(result.code).toBe(0);
    expect(table(result.stdout)[1]?.slice(0, 2)).toEqual(['typo', 'missing']);
  });

  it('says so, exit 1, when no queue is found under the prefix', async () => {
    const result = await vigil(registerQueuesCommand, ['queues', '--prefix', `${prefix}-none`]);
    expect(result).toEqual({
      stdout: '',
      stderr:
        `vigil: no BullMQ queues under prefix "${prefix}-none" at ${REDIS_URL}: check --prefix, or name ` +
        'them with --queue\n',
      code: 1,
    });
  });
});

describe('vigil workers', () => {
  it('shows each worker busy or idle, its current job, successful and failed counts and working time', async () => {
    const emails = world.newQueue('emails');
    const holds: Array<() => void> = [];
    world.newWorker(emails, processor(holds), { name: 'mailer-1' });
    await emails.addBulk([
      { name: 'ok', data: {} },
      { name: 'ok', data: {} },
      { name: 'bad', data: { to: 'x@example.com' } },
    ]);
    await until(async () => (await emails.getCompletedCount()) === 2 && (await emails.getFailedCount()) === 1);
    const hold = await emails.add('hold', {});
    await until(async () => (await emails.getActiveCount()) === 1);

    const text = await vigil(registerWorkersCommand, ['workers', '--prefix', prefix]);
    expect(text.code).toBe(0);
    expect(table(text.stdout)).toEqual([
      ['NAME', 'QUEUE', 'STATUS', 'CURRENT JOB', 'SUCCESSFUL', 'FAILED', 'WORKING TIME', 'CONNECTED'],
      [
        'mailer-1',
        emails.name,
        'busy',
        expect.stringMatching(new RegExp(`^${hold.id} hold \\(\\d+(ms|\\.?\\d*s)\\)$`)),
        '2',
        '1',
        expect.stringMatching(/^\d+ms$|s$/),
        expect.stringMatching(/^\d+ms$|s$/),
      ],
    ]);

    const json = await vigil(registerWorkersCommand, ['workers', '--prefix', prefix, '--queue', emails.name, '--json']);
    const printed = JSON.parse(json.stdout) as Awaited<ReturnType<typeof listWorkers>>;
    const direct = await listWorkers({ connection: redis, prefix, queues: [emails.name] });
    // The same views; only the clocks moved between the two reads.
    const still = (views: typeof direct) =>
      views.map(({ connectedSeconds: _c, currentJobs, ...rest }) => ({
        ...rest,
        currentJobs: currentJobs.map(({ runningSeconds: _r, ...job }) => job),
      }));
    expect(still(printed)).toEqual(still(direct));
    expect(printed[0]).toMatchObject({ name: 'mailer-1', status: 'busy', successfulJobs: 2, failedJobs: 1 });
    holds.forEach((release) => release());
  });

  it('says when no worker is connected, exit 0', async () => {
    const queue = world.newQueue('idle');
    await queue.add('x', {});
    const result = await vigil(registerWorkersCommand, ['workers', '--prefix', prefix, '--queue', queue.name]);
    expect(result).toEqual({ stdout: '', stderr: `vigil: no worker is connected to queue ${queue.name}\n`, code: 0 });
  });
});

describe('vigil jobs', () => {
  it('lists failed jobs with their arguments and exception, and queued ones oldest first across queues', async () => {
    const emails = world.newQueue('emails');
    const reports = world.newQueue('reports');
    world.newWorker(emails, processor([]), { name: 'mailer-1' });
    const bad = await emails.add('bad', { to: 'c@example.com', body: 'x'.repeat(300) });
    await until(async () => (await emails.getFailedCount()) === 1);
    const first = await reports.add('build', { month: 'november' });
    await sleep(5);
    const delayed = await reports.add('later', { month: 'december' }, { delay: 60_000 });

    const now = Date.now();
    const failed = await vigil(registerJobsCommand, ['jobs', '--prefix', prefix, '--status', 'failed'], { now: () => now });
    expect(failed.code).toBe(0);
    const [header, row, ...rest] = table(failed.stdout);
    expect(header).toEqual(['ID', 'QUEUE', 'STATUS', 'NAME', 'ARGUMENTS', 'EXCEPTION', 'CREATED', 'STARTED', 'ENDED']);
    expect(rest).toEqual([]);
    expect(row).toEqual([
      bad.id,
      emails.name,
      'failed',
      'bad',
      // Cut to the column's width.
      `{"to":"c@example.com","body":"xxxxxxxxx…`,
      'SMTP 550: mailbox unavailable for c@example.com',
      expect.stringMatching(/^(just now|\ds ago)$/),
      expect.stringMatching(/^(just now|\ds ago)$/),
      expect.stringMatching(/^(just now|\ds ago)$/),
    ]);
    expect(row![4]).toHaveLength(40);

    const json = await vigil(registerJobsCommand, ['jobs', '--prefix', prefix, '--queue', emails.name, '--status', 'failed', '--json']);
    expect(JSON.parse(json.stdout)).toEqual(
      await listJobs({ connection: redis, prefix, queue: emails.name, status: 'failed' }),
    );

    const queued = await vigil(registerJobsCommand, ['jobs', '--prefix', prefix, '--status', 'queued', '--limit', '5']);
    expect(table(queued.stdout).slice(1).map((r) => [r[0], r[1], r[2], r[3]])).toEqual([
      [first.id, reports.name, 'queued', 'build'],
      [delayed.id, reports.name, 'queued (delayed)', 'later'],
    ]);
    const one = await vigil(registerJobsCommand, ['jobs', '--prefix', prefix, '--status', 'queued', '--limit', '1', '--json']);
    expect((JSON.parse(one.stdout) as { id: string }[]).map((j) => j.id)).toEqual([first.id]);
  });

  it('keeps control characters of job names and errors out of the terminal', async () => {
    const queue = world.newQueue('evil');
    world.newWorker(queue, async () => {
      throw new Error('first line\n\u001b[31msecond line');
    });
    await queue.add('clear\u001b[2Jscreen', {});
    await until(async () => (await queue.getFailedCount()) === 1);
    const result = await vigil(registerJobsCommand, ['jobs', '--prefix', prefix, '--queue', queue.name, '--status', 'failed']);
    // Nothing below a space but the newlines that end the rows.
    expect([...result.stdout].filter((c) => c < ' ' && c !== '\n')).toEqual([]);
    const [, row] = table(result.stdout);
    expect(row?.slice(3, 6)).toEqual(['clear [2Jscreen', '{}', 'first line [31msecond line']);
  });

  it('rejects a missing or unknown --status, and a --limit out of range, with exit 2', async () => {
    const none = await vigil(registerJobsCommand, ['jobs', '--prefix', prefix]);
    expect(none).toMatchObject({ code: 2, stderr: "vigil: required option '--status <status>' not specified\n" });
    const bogus = await vigil(registerJobsCommand, ['jobs', '--status', 'done']);
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('Allowed choices are queued, started, finished, failed');
    const limit = await vigil(registerJobsCommand, ['jobs', '--status', 'failed', '--limit', '0']);
    expect(limit).toEqual({ stdout: '', stderr: 'vigil: --limit: expected a whole number from 1 to 1000, got "0"\n', code: 2 });
  });
});

describe('vigil schedules', () => {
  it('prints the runs of job schedulers, Complete and Failed with the error, newest first', async () => {
    const queue = world.newQueue('cron');
    world.newWorker(queue, async (job) => {
      if (job.name === 'sync-stock') throw new Error('supplier API answered 503');
      return 'ok';
    });
    await queue.upsertJobScheduler('digest', { every: 300 }, { name: 'send-digest' });
    await queue.upsertJobScheduler('stock', { every: 300 }, { name: 'sync-stock' });
    await until(async () => (await queue.getCompletedCount()) >= 2 && (await queue.getFailedCount()) >= 2);

    const text = await vigil(registerSchedulesCommand, ['schedules', '--prefix', prefix, '--limit', '4']);
    expect(text.code).toBe(0);
    const [header, ...rows] = table(text.stdout);
    expect(header).toEqual(['SCHEDULER', 'QUEUE', 'STATUS', 'JOB', 'START', 'END', 'DURATION', 'ERROR']);
    expect(rows).toHaveLength(4);
    const TIME = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/;
    const times = [expect.stringMatching(TIME), expect.stringMatching(TIME), expect.stringMatching(/ms$|s$/)];
    for (const row of rows) {
      if (row[0] === 'digest') expect(row).toEqual(['digest', queue.name, 'Complete', 'send-digest', ...times]);
      else expect(row).toEqual(['stock', queue.name, 'Failed', 'sync-stock', ...times, 'supplier API answered 503']);
    }

    const json = await vigil(registerSchedulesCommand, [
      'schedules', '--prefix', prefix, '--queue', queue.name, '--scheduler', 'stock', '--json',
    ]);
    const printed = JSON.parse(json.stdout) as Awaited<ReturnType<typeof schedulerLog>>;
    expect(printed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(printed.map((e) => `${e.scheduler} ${e.status} ${e.error}`))).toEqual(
      new Set(['stock Failed supplier API answered 503']),
    );
    // The library's entries, the newest of which may have been added since.
    const direct = await schedulerLog({ connection: redis, prefix, queues: [queue.name], scheduler: 'stock' });
    expect(direct).toEqual(expect.arrayContaining(printed.slice(1)));
  });
});

describe('vigil progress', () => {
  it('shows the progress of active jobs', async () => {
    const queue = world.newQueue('exports');
    const holds: Array<() => void> = [];
    world.newWorker(queue, processor(holds), { name: 'exporter-1' });
    const job = await queue.add('hold', { month: 'november' });
    await until(async () => JSON.stringify((await queue.getJob(job.id!))?.progress) === '40');

    const text = await vigil(registerProgressCommand, ['progress', '--prefix', prefix]);
    expect(text.code).toBe(0);
    expect(table(text.stdout)).toEqual([
      ['QUEUE', 'JOB', 'NAME', 'WORKER', 'STARTED', 'PROGRESS'],
      [queue.name, job.id, 'hold', 'exporter-1', expect.stringMatching(/^(just now|\ds ago)$/), '40%'],
    ]);
    const json = await vigil(registerProgressCommand, ['progress', '--prefix', prefix, '--json']);
    expect(JSON.parse(json.stdout)).toEqual([
      { queue: queue.name, id: job.id, name: 'hold', worker: 'exporter-1', started: expect.any(String), progress: 40 },
    ]);
    holds.forEach((release) => release());
  });

  it('--follow prints each update a worker reports, and stops cleanly, closing its connections', async () => {
    const queue = world.newQueue('exports');
    const stop = new AbortController();
    const run = start(registerProgressCommand, ['progress', '--prefix', prefix, '--queue', queue.name, '--follow'], {
      signal: stop.signal,
    });
    await until(() => run.out.stderr.includes('following'));
    expect(run.out.stderr).toBe(`vigil: following progress of queue ${queue.name}; Ctrl-C to stop\n`);

    world.newWorker(queue, async (job) => {
      await job.updateProgress(25);
      await job.updateProgress({ step: 'upload', percent: 80 });
      return 'done';
    });
    const job = await queue.add('export-orders', {});
    await until(() => run.out.stdout.split('\n').length > 2);
    const lines = run.out.stdout.trimEnd().split('\n');
    const ISO = '\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z';
    expect(lines).toEqual([
      expect.stringMatching(new RegExp(`^${ISO}  ${queue.name}  job ${job.id}  25%$`)),
      expect.stringMatching(new RegExp(`^${ISO}  ${queue.name}  job ${job.id}  \\{"step":"upload","percent":80\\}$`)),
    ]);

    stop.abort();
    const result = await run.finished();
    expect(result.code).toBe(0);
    // QueueEvents names its blocking connection `<prefix>:<base64 queue>:qe`: none is left open.
    const eventsClient = `${prefix}:${Buffer.from(queue.name).toString('base64')}:qe`;
    await until(async () => !String(await redis.client('LIST')).includes(eventsClient));
  });

  it('--follow --json prints one JSON object per update; Ctrl-C (SIGINT) stops it', async () => {
    const queue = world.newQueue('exports');
    const run = start(registerProgressCommand, ['progress', '--prefix', prefix, '--queue', queue.name, '--follow', '--json']);
    await until(() => run.out.stderr.includes('following'));
    world.newWorker(queue, async (job) => {
      await job.updateProgress(60);
      return 'done';
    });
    const job = await queue.add('export-orders', {});
    await until(() => run.out.stdout.includes('\n'));
    expect(JSON.parse(run.out.stdout)).toEqual({ queue: queue.name, jobId: job.id, progress: 60, at: expect.any(String) });

    const listeners = process.listenerCount('SIGINT');
    process.emit('SIGINT');
    expect((await run.finished()).code).toBe(0);
    // Its handler is gone: a later Ctrl-C is not swallowed.
    expect(process.listenerCount('SIGINT')).toBe(listeners - 1);
  });
});

describe('a Redis that cannot be read', () => {
  let secured: PrivateRedis;
  beforeAll(async () => {
    secured = await startPrivateRedis({ requirepass: 'right-password' });
  });
  afterAll(() => secured.kill());

  it('refused: one line naming the server without its password, exit 1, no stack trace', async () => {
    const port = await unusedPort();
    const commands: [Register, string][] = [
      [registerWorkersCommand, 'workers'],
      [registerQueuesCommand, 'queues'],
      [registerSchedulesCommand, 'schedules'],
      [registerProgressCommand, 'progress'],
    ];
    for (const [register, name] of commands) {
      const result = await vigil(register, [name], { env: { REDIS_URL: `redis://:hunter22@127.0.0.1:${port}` } });
      expect(result).toEqual({
        stdout: '',
        stderr: `vigil: cannot connect to Redis at redis://:***@127.0.0.1:${port}: connection refused (is Redis running there?)\n`,
        code: 1,
      });
    }
  });

  it('a wrong password: says the credentials were refused, never what they were', async () => {
    const result = await vigil(registerJobsCommand, [
      'jobs', '--redis', `redis://:wrong-password@127.0.0.1:${secured.port}`, '--queue', 'q', '--status', 'failed',
    ]);
    expect(result.code).toBe(1);
    const refused = `^vigil: Redis at redis://:\\*\\*\\*@127.0.0.1:${secured.port} refused the credentials: `;
    expect(result.stderr).toMatch(new RegExp(`${refused}.*(WRONGPASS|invalid)`));
    expect(result.stderr).not.toContain('wrong-password');
    expect(result.stderr.split('\n')).toHaveLength(2);
    expect(result.stderr).not.toMatch(NO_STACK);

    const rightUrl = `redis://:right-password@127.0.0.1:${secured.port}`;
    const right = await vigil(registerQueuesCommand, ['queues', '--redis', rightUrl, '--queue', 'q']);
    expect(right.code).toBe(0);
  });

  it('a server that never answers: gives up after --timeout, and leaves no socket open', async () => {
    const hung = await hangingTcpServer();
    try {
      // The shared client and the workers of other tests hold sockets too: count relative to them.
      const others = hung.clientSockets();
      const started = Date.now();
      const result = await vigil(registerWorkersCommand, ['workers', '--redis', `redis://127.0.0.1:${hung.port}`, '--timeout', '300ms']);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result).toEqual({
        stdout: '',
        stderr:
          `vigil: Redis at redis://127.0.0.1:${hung.port} did not answer within 300ms (is it overloaded, or is ` +
          'something other than Redis listening there?)\n',
        code: 1,
      });
      expect(hung.accepted()).toBe(1);
      await until(() => hung.clientSockets() === others, 2000);
    } finally {
      await hung.close();
    }
  });

  it('rejects what is not a redis URL, a queue name with a colon, and a bad --timeout, with exit 2', async () => {
    const cases: [string[], string][] = [
      [
        ['queues', '--redis', 'http://user:pw@example.com'],
        'vigil: --redis: expected a redis:// or rediss:// URL, got "http://user:***@example.com"\n',
      ],
      [['queues', '--queue', 'a:b'], `vigil: --queue: queue name "a:b" is invalid (no spaces or ':', 1-200 characters)\n`],
      [['queues', '--timeout', 'soon'], 'vigil: --timeout: expected a duration like "5s" or "500ms", got "soon"\n'],
    ];
    for (const [args, stderr] of cases) {
      expect(await vigil(registerQueuesCommand, args)).toEqual({ stdout: '', stderr, code: 2 });
    }
  });
});
