/**
 * What may be done to a failed BullMQ job: retry it (back to waiting, for a worker to run again) or remove it. Done
 * with BullMQ's own Queue and Job (its Lua scripts keep the queue consistent), on a connection of their own opened
 * for the call and closed after, within the target's deadline. A job that is missing or not failed is refused with
 * a FailedJobError; Redis failures are RedisErrors (src/jobs/redis.ts).
 */
import { Job, Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { FailedJobError } from './failed-job-error.js';
import { type RedisTarget, withinDeadline } from './redis.js';

export { FailedJobError, type FailedJobRefusal } from './failed-job-error.js';

export interface FailedJobAction {
  queue: string;
  id: string;
  /** The job's BullMQ state after the action (`waiting`, or already `active`…); `removed` once removed. */
  state: string;
}

/** BullMQ's numeric error codes (its `ErrorCode`), on the errors of its scripts. */
const JOB_NOT_EXIST = -1;
const JOB_NOT_IN_STATE = -3;
const JOB_BELONGS_TO_JOB_SCHEDULER = -8;

const quoted = (text: string) => JSON.stringify(text.length > 200 ? `${text.slice(0, 200)}…` : text);

/** Puts a failed job back to waiting, as `job.retry('failed')` does: a worker runs it again. */
export async function retryFailedJob(target: RedisTarget, queueName: string, jobId: string): Promise<FailedJobAction> {
  return withQueue(target, queueName, async (queue) => {
    const job = await Job.fromId(queue, jobId);
    if (!job) throw missing(queueName, jobId);
    await expectFailed(queue, queueName, jobId, 'retried');
    try {
      await job.retry('failed');
    } catch (error) {
      throw refusalOf(error, queueName, jobId, 'retried') ?? error;
    }
    return { queue: queueName, id: jobId, state: await queue.getJobState(jobId) };
  });
}

/** Deletes a failed job (its data, logs and place in the failed set). */
export async function removeFailedJob(target: RedisTarget, queueName: string, jobId: string): Promise<FailedJobAction> {
  return withQueue(target, queueName, async (queue) => {
    await expectFailed(queue, queueName, jobId, 'removed');
    let removed: number;
    try {
      removed = await queue.remove(jobId);
    } catch (error) {
      throw refusalOf(error, queueName, jobId, 'removed') ?? error;
    }
    // 0: locked by a worker, i.e. it is running again.
    if (removed !== 1) throw notFailed(queueName, jobId, 'active', 'removed');
    return { queue: queueName, id: jobId, state: 'removed' };
  });
}

async function expectFailed(queue: Queue, queueName: string, jobId: string, action: string): Promise<void> {
  const state = await queue.getJobState(jobId);
  if (state === 'unknown') throw missing(queueName, jobId);
  if (state !== 'failed') throw notFailed(queueName, jobId, state, action);
}

const missing = (queue: string, id: string) =>
  new FailedJobError('not_found', `no job ${quoted(id)} in queue ${quoted(queue)}`);

const notFailed = (queue: string, id: string, state: string, action: string) =>
  new FailedJobError(
    'not_failed',
    `job ${quoted(id)} of queue ${quoted(queue)} is ${state}, not failed: only a failed job can be ${action}`,
  );

/** A refusal by BullMQ's script (the job changed meanwhile), as a FailedJobError; undefined for anything else. */
function refusalOf(error: unknown, queue: string, id: string, action: string): FailedJobError | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === JOB_NOT_EXIST) return missing(queue, id);
  if (code === JOB_NOT_IN_STATE) return notFailed(queue, id, 'no longer failed', action);
  if (code === JOB_BELONGS_TO_JOB_SCHEDULER) {
    return new FailedJobError(
      'not_failed',
      `job ${quoted(id)} of queue ${quoted(queue)} belongs to a job scheduler: BullMQ does not remove it directly`,
    );
  }
  return undefined;
}

/**
 * A BullMQ Queue on a Redis connection of its own (no reconnection, no offline queue: a Redis that is down fails
 * at once), closed after `use` or at the deadline.
 */
async function withQueue<T>(target: RedisTarget, queueName: string, use: (queue: Queue) => Promise<T>): Promise<T> {
  // ioredis rejects with a bare "Connection is closed." while the cause only reaches the 'error' event.
  let cause: unknown;
  return withinDeadline(
    target,
    async () => {
      const client = new Redis(target.url, {
        ...(target.password !== undefined ? { password: target.password } : {}),
        lazyConnect: true,
        connectTimeout: target.timeoutMs,
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
        disconnectTimeout: 100,
      });
      client.on('error', (error: unknown) => {
        cause = error;
      });
      const queue = new Queue(queueName, { connection: client, prefix: target.prefix, skipVersionCheck: true });
      queue.on('error', () => {});
      return {
        queue,
        close: () => {
          client.disconnect();
          queue.close().catch(() => {});
        },
      };
    },
    async ({ queue }) => {
      try {
        return await use(queue);
      } catch (error) {
        if (error instanceof FailedJobError) throw error;
        const bare = error instanceof Error && /connection is closed|stream isn't writeable/i.test(error.message);
        throw bare && cause !== undefined ? cause : error;
      }
    },
    (error) => error instanceof FailedJobError,
  );
}
