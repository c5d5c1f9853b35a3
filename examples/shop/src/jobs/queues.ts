import { type Job, Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_JOB_OPTIONS, JOB_QUEUE, type JobName, type JobPayloads, type QueueName } from './definitions.js';

export type ShopQueues = { readonly [Q in QueueName]: Queue };

/** The three queues on one connection (a Queue only sends commands; workers need connections of their own). */
export function createQueues(connection: Redis, prefix: string): ShopQueues {
  const queue = (name: QueueName) => new Queue(name, { connection, prefix, defaultJobOptions: DEFAULT_JOB_OPTIONS });
  return { default: queue('default'), short: queue('short'), long: queue('long') };
}

export async function closeQueues(queues: ShopQueues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}

const ENQUEUE_TIMEOUT_MS = 2000;

/**
 * Adds a job to its queue. Bounded in time: while Redis is down ioredis would hold the command until it
 * reconnects, and an HTTP request must not hang on that.
 */
export async function enqueue<N extends JobName>(
  queues: ShopQueues,
  name: N,
  data: JobPayloads[N],
  options: { jobId?: string } = {},
): Promise<Job> {
  const queue = queues[JOB_QUEUE[name]];
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`queueing ${name} on ${queue.name} timed out after ${ENQUEUE_TIMEOUT_MS} ms`)),
      ENQUEUE_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([queue.add(name, data, options), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
