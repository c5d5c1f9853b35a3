/**
 * /api/v1/jobs: the background jobs (BullMQ) of the Redis connections of the configuration (its `redis` monitors),
 * as `vigil queues`, `workers`, `jobs`, `schedules` and `progress` show them — and the two things one does to a
 * failed job: retry it, remove it. Token holders only (job data and errors are private); changes need `write`.
 *
 * Every Redis access has a deadline (`jobTimeoutMs`, 5 s by default): a Redis that is down, slow or hung answers
 * 502 `redis_unavailable`, naming the server with its password hidden.
 */
import { type BullmqRedis, redactUrl } from '@vigil/core';
import type {
  ActiveProgress,
  BullmqJobState,
  JobStatus,
  JobView,
  QueueInfo,
  SchedulerLogEntry,
  WorkerView,
} from '@vigil/jobs';
import { badRequest, conflict, HttpError, notFound, quote } from '../http/errors.js';
import { json, noContent, type Reply } from '../http/json.js';
import { FailedJobError } from '../jobs/failed-job-error.js';
import {
  discoverQueues,
  QUEUE_NAME,
  QUEUE_NAME_RULE,
  readRedis,
  RedisError,
  type RedisTarget,
  redisTargetOf,
  UsageError,
} from '../jobs/redis.js';
import type { JobConnection } from '../service/job-connections.js';
import { lazily } from '../lazily.js';
import { API_PREFIX, type ApiContext, type ApiRouter, intParam, route, singleParam } from './context.js';
import {
  JOB_STATES,
  type JobActionJson,
  type JobConnectionListJson,
  type JobJson,
  type JobListJson,
  type JobProgressJson,
  type JobProgressListJson,
  type JobQueueJson,
  type JobQueueListJson,
  type JobWorkerJson,
  type JobWorkerListJson,
  type SchedulerRunJson,
  type SchedulerRunListJson,
} from './job-schemas.js';

/** The status of @vigil/jobs (and `vigil jobs --status`) each BullMQ state is read with. */
const STATUS_OF: Readonly<Record<BullmqJobState, JobStatus>> = {
  waiting: 'queued',
  prioritized: 'queued',
  delayed: 'queued',
  'waiting-children': 'queued',
  active: 'started',
  completed: 'finished',
  failed: 'failed',
};

export const JOBS_DEFAULT_LIMIT = 20;
export const JOBS_MAX_LIMIT = 1000;
export const SCHEDULES_DEFAULT_LIMIT = 50;
export const SCHEDULES_MAX_LIMIT = 1000;
export const PROGRESS_DEFAULT_LIMIT = 100;
export const PROGRESS_MAX_LIMIT = 1000;
/** The job data as JSON is cut to this many characters (ending in `…`; the schema of `arguments` says 2000). */
export const JOB_ARGUMENTS_MAX_LENGTH = 2000;
/** `?queue=` given more often than this is refused. */
export const MAX_QUEUE_PARAMS = 100;
const MAX_JOB_ID_LENGTH = 400;

// --- Requests ---

function connectionOf(ctx: ApiContext): JobConnection {
  const id = ctx.params.connection as string;
  const connection = ctx.deps.jobConnections().find((c) => c.id === id);
  if (!connection) {
    throw notFound(
      `no job connection ${quote(id)}: the connections are the redis monitors of the configuration, listed at ${API_PREFIX}/jobs`,
    );
  }
  return connection;
}

function targetOf(ctx: ApiContext, connection: JobConnection): RedisTarget {
  return redisTargetOf(
    {
      url: connection.url,
      ...(connection.password === undefined ? {} : { password: connection.password }),
      prefix: connection.prefix,
      timeoutMs: ctx.deps.jobTimeoutMs,
    },
    `monitor ${quote(connection.id)}: url`,
    `monitor ${quote(connection.id)}: bullmq_prefix`,
  );
}

function checkQueue(name: string, what = 'queue'): string {
  if (!QUEUE_NAME.test(name)) throw badRequest(`${what} ${quote(name)} is not a BullMQ queue name (${QUEUE_NAME_RULE})`);
  return name;
}

/** `?queue=a&queue=b`: those queues only; none: every queue found under the prefix. */
function queueParams(ctx: ApiContext): string[] | undefined {
  const given = ctx.query.getAll('queue');
  if (given.length === 0) return undefined;
  if (given.length > MAX_QUEUE_PARAMS) throw badRequest(`at most ${MAX_QUEUE_PARAMS} queue parameters`);
  return [...new Set(given.map((name) => checkQueue(name)))];
}

function requiredParam(ctx: ApiContext, name: string, what: string): string {
  const value = singleParam(ctx.query, name);
  if (value === undefined || value === '') throw badRequest(`query parameter ${name} is required: ${what}`);
  return value;
}

function jobIdParam(ctx: ApiContext): string {
  const id = ctx.params.job as string;
  if (id === '' || id.length > MAX_JOB_ID_LENGTH) {
    throw badRequest(`job id must be 1 to ${MAX_JOB_ID_LENGTH} characters`);
  }
  return id;
}

/** Redis trouble as 502, a refusal of a job action as 404 / 409; anything else is an internal error. */
async function onRedis<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof RedisError || error instanceof UsageError) {
      throw new HttpError(502, 'redis_unavailable', error.message);
    }
    if (error instanceof FailedJobError) {
      throw error.refusal === 'not_found' ? notFound(error.message) : conflict(error.message);
    }
    throw error;
  }
}

interface QueueView<T> {
  connection: JobConnection;
  queues: string[];
  /** False when discovery stopped early (a very large Redis): name the queues with `?queue=`. */
  complete: boolean;
  items: T[];
}

/** A view over the queues asked for (`?queue=`), or those found under the prefix, in one connection. */
async function readQueueView<T>(
  ctx: ApiContext,
  read: (client: BullmqRedis, prefix: string, queues: string[]) => Promise<T[]>,
): Promise<QueueView<T>> {
  const connection = connectionOf(ctx);
  const asked = queueParams(ctx);
  return onRedis(async () => {
    const target = targetOf(ctx, connection);
    return readRedis(target, async (client) => {
      const { queues, complete } = asked
        ? { queues: asked, complete: true }
        : await discoverQueues(client, target.prefix);
      const items = queues.length === 0 ? [] : await read(client, target.prefix, queues);
      return { connection, queues, complete, items };
    });
  });
}

// --- Answers ---

function queueJson(queue: QueueInfo): JobQueueJson {
  return {
    name: queue.name,
    exists: queue.exists,
    paused: queue.paused,
    counts: {
      waiting: queue.counts.waiting,
      prioritized: queue.counts.prioritized,
      delayed: queue.counts.delayed,
      active: queue.counts.active,
      waiting_children: queue.counts['waiting-children'],
      completed: queue.counts.completed,
      failed: queue.counts.failed,
    },
    backlog: queue.backlog,
    oldest_waiting_seconds: queue.oldestWaitingSeconds,
    workers: queue.workers,
    schedulers: queue.schedulers,
  };
}

function workerJson(worker: WorkerView): JobWorkerJson {
  return {
    queue: worker.queue,
    name: worker.name,
    status: worker.status,
    connections: worker.connections,
    current_jobs: worker.currentJobs.map((job) => ({
      id: job.id,
      name: job.name,
      started_at: job.started,
      running_seconds: job.runningSeconds,
    })),
    successful_jobs: worker.successfulJobs,
    failed_jobs: worker.failedJobs,
    total_working_seconds: worker.totalWorkingSeconds,
    connected_seconds: worker.connectedSeconds,
    window: { jobs: worker.window.jobs, since: worker.window.since },
  };
}

function jobJson(job: JobView): JobJson {
  return {
    id: job.id,
    queue: job.queue,
    state: job.state,
    name: job.name,
    arguments: job.arguments,
    exception: job.exception ? { message: job.exception.message, location: job.exception.location } : null,
    attempts: job.attempts,
    worker: job.worker,
    scheduler: job.scheduler,
    progress: job.progress,
    created_at: job.created,
    started_at: job.started,
    ended_at: job.ended,
  };
}

function schedulerRunJson(run: SchedulerLogEntry): SchedulerRunJson {
  return {
    scheduler: run.scheduler,
    queue: run.queue,
    job_id: run.jobId,
    job: run.job,
    status: run.status,
    started_at: run.start,
    ended_at: run.end,
    duration_ms: run.durationMs,
    error: run.error,
  };
}

function progressJson(job: ActiveProgress): JobProgressJson {
  return {
    queue: job.queue,
    id: job.id,
    name: job.name,
    worker: job.worker,
    started_at: job.started,
    progress: job.progress,
  };
}

// BullMQ, ioredis and the job views weigh about 15 MB of a process's memory: they are loaded on the first jobs
// request, not when `vigil serve` starts (most monitors never ask for a job view).
const loadJobViews = lazily(() => import('@vigil/jobs'));
const loadFailedJobs = lazily(() => import('../jobs/failed-jobs.js'));

// --- Routes ---

/** A connection as the API and the dashboard show it: its URL without the password. */
export function jobConnectionJson(c: JobConnection): JobConnectionListJson['connections'][number] {
  return { id: c.id, name: c.name, target: redactUrl(c.url), prefix: c.prefix };
}

function listConnections(ctx: ApiContext): Reply {
  const body: JobConnectionListJson = { connections: ctx.deps.jobConnections().map(jobConnectionJson) };
  return json(200, body);
}

async function listQueues(ctx: ApiContext): Promise<Reply> {
  const { queueInfo } = await loadJobViews();
  const view = await readQueueView(ctx, (client, prefix, queues) => queueInfo({ connection: client, prefix, queues }));
  const body: JobQueueListJson = {
    connection: view.connection.id,
    prefix: view.connection.prefix,
    complete: view.complete,
    queues: view.items.map(queueJson),
  };
  return json(200, body);
}

async function listJobWorkers(ctx: ApiContext): Promise<Reply> {
  const { listWorkers } = await loadJobViews();
  const view = await readQueueView(ctx, (client, prefix, queues) => listWorkers({ connection: client, prefix, queues }));
  const body: JobWorkerListJson = {
    connection: view.connection.id,
    prefix: view.connection.prefix,
    queues: view.queues,
    complete: view.complete,
    workers: view.items.map(workerJson),
  };
  return json(200, body);
}

async function listQueueJobs(ctx: ApiContext): Promise<Reply> {
  const connection = connectionOf(ctx);
  const queue = checkQueue(requiredParam(ctx, 'queue', 'the queue whose jobs to list'));
  const state = requiredParam(ctx, 'state', `one of ${JOB_STATES.join(', ')}`);
  if (!(JOB_STATES as readonly string[]).includes(state)) {
    throw badRequest(`unknown state ${quote(state, 40)}: expected one of ${JOB_STATES.join(', ')}`);
  }
  const limit = intParam(ctx.query, 'limit', { default: JOBS_DEFAULT_LIMIT, min: 1, max: JOBS_MAX_LIMIT });
  const jobState = state as BullmqJobState;
  const { listJobs } = await loadJobViews();
  const jobs = await onRedis(async () => {
    const target = targetOf(ctx, connection);
    return readRedis(target, (client) =>
      listJobs({
        connection: client,
        prefix: target.prefix,
        queue,
        status: STATUS_OF[jobState],
        state: jobState,
        limit,
        argumentsMaxLength: JOB_ARGUMENTS_MAX_LENGTH,
      }),
    );
  });
  const body: JobListJson = {
    connection: connection.id,
    prefix: connection.prefix,
    queue,
    state: jobState,
    jobs: jobs.map(jobJson),
  };
  return json(200, body);
}

async function listSchedulerRuns(ctx: ApiContext): Promise<Reply> {
  const limit = intParam(ctx.query, 'limit', { default: SCHEDULES_DEFAULT_LIMIT, min: 1, max: SCHEDULES_MAX_LIMIT });
  const scheduler = singleParam(ctx.query, 'scheduler');
  const { schedulerLog } = await loadJobViews();
  const view = await readQueueView(ctx, (client, prefix, queues) =>
    schedulerLog({
      connection: client,
      prefix,
      queues,
      limit,
      ...(scheduler === undefined || scheduler === '' ? {} : { scheduler }),
    }),
  );
  const body: SchedulerRunListJson = {
    connection: view.connection.id,
    prefix: view.connection.prefix,
    queues: view.queues,
    complete: view.complete,
    runs: view.items.map(schedulerRunJson),
  };
  return json(200, body);
}

async function listProgress(ctx: ApiContext): Promise<Reply> {
  const limit = intParam(ctx.query, 'limit', { default: PROGRESS_DEFAULT_LIMIT, min: 1, max: PROGRESS_MAX_LIMIT });
  const { activeProgress } = await loadJobViews();
  const view = await readQueueView(ctx, (client, prefix, queues) =>
    activeProgress({ connection: client, prefix, queues, limit }),
  );
  const body: JobProgressListJson = {
    connection: view.connection.id,
    prefix: view.connection.prefix,
    queues: view.queues,
    complete: view.complete,
    jobs: view.items.map(progressJson),
  };
  return json(200, body);
}

async function retryJob(ctx: ApiContext): Promise<Reply> {
  const connection = connectionOf(ctx);
  const queue = checkQueue(ctx.params.queue as string);
  const id = jobIdParam(ctx);
  const { retryFailedJob } = await loadFailedJobs();
  const done = await onRedis(() => retryFailedJob(targetOf(ctx, connection), queue, id));
  const body: JobActionJson = { connection: connection.id, queue: done.queue, id: done.id, state: done.state };
  return json(200, body);
}

async function removeJob(ctx: ApiContext): Promise<Reply> {
  const connection = connectionOf(ctx);
  const queue = checkQueue(ctx.params.queue as string);
  const id = jobIdParam(ctx);
  const { removeFailedJob } = await loadFailedJobs();
  await onRedis(() => removeFailedJob(targetOf(ctx, connection), queue, id));
  return noContent();
}

export function registerJobRoutes(router: ApiRouter): void {
  const at = `${API_PREFIX}/jobs`;
  router
    .add('GET', at, route('read', listConnections))
    .add('GET', `${at}/:connection/queues`, route('read', listQueues))
    .add('GET', `${at}/:connection/workers`, route('read', listJobWorkers))
    .add('GET', `${at}/:connection/jobs`, route('read', listQueueJobs))
    .add('GET', `${at}/:connection/schedules`, route('read', listSchedulerRuns))
    .add('GET', `${at}/:connection/progress`, route('read', listProgress))
    .add('POST', `${at}/:connection/queues/:queue/jobs/:job/retry`, route('write', retryJob))
    .add('DELETE', `${at}/:connection/queues/:queue/jobs/:job`, route('write', removeJob));
}
