import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Job, Queue, Worker, type WorkerOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { REDIS_URL } from '../../../test/services.js';

/** The shared Redis (VIGIL_TEST_REDIS_URL). */
export const SHARED_URL = REDIS_URL;

/**
 * One test file's world on the shared Redis: a key prefix of its own, the queues and workers it made, and a
 * cleanup that removes only what lives under that prefix.
 */
export function sharedRedisWorld() {
  const prefix = `vigil-test-${randomUUID().slice(0, 8)}`;
  // BullMQ's workers need maxRetriesPerRequest: null; the views use the same client, as an app would.
  const redis = new Redis(SHARED_URL, { maxRetriesPerRequest: null });
  const queues: Queue[] = [];
  const workers: Worker[] = [];
  const releases: Array<() => void> = [];
  let seq = 0;

  return {
    prefix,
    redis,
    newQueue(base = 'q'): Queue {
      const queue = new Queue(`${base}${++seq}-${randomUUID().slice(0, 6)}`, { connection: redis, prefix });
      queues.push(queue);
      return queue;
    },
    newWorker(queue: Queue, processor: (job: Job) => Promise<unknown>, options: Partial<WorkerOptions> = {}): Worker {
      const worker = new Worker(queue.name, processor, { connection: redis, prefix, ...options });
      worker.on('error', () => {});
      workers.push(worker);
      return worker;
    },
    /** A processor that blocks until `releaseAll()`, and a promise of the first job it starts. */
    blocking(): { processor: (job: Job) => Promise<unknown>; started: Promise<Job> } {
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
    },
    releaseAll(): void {
      for (const release of releases.splice(0)) release();
    },
    /** After each test: stop workers, delete the queues. */
    async reset(): Promise<void> {
      this.releaseAll();
      await Promise.all(workers.splice(0).map((w) => w.close(true)));
      await Promise.all(queues.splice(0).map(async (q) => q.obliterate({ force: true }).then(() => q.close())));
    },
    /** After all: delete whatever is left under this file's prefix (locks, scheduler hashes), then disconnect. */
    async dispose(): Promise<void> {
      await this.reset();
      let cursor = '0';
      do {
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
        cursor = next;
        if (keys.length > 0) await redis.unlink(...keys);
      } while (cursor !== '0');
      redis.disconnect();
    },
  };
}

export async function until(condition: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > giveUp) throw new Error('condition not met in time');
    await sleep(25);
  }
}
