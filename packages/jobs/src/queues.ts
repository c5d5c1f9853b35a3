import { type BullmqJobCounts, readBullmqQueues } from '@vigil/core';
import { prefixOf, type QueuesSource, validQueues, withRedis } from './connection.js';

export interface QueueInfo {
  name: string;
  /** False when no BullMQ key exists for it (a typo in the name or the prefix, or a queue never used). */
  exists: boolean;
  paused: boolean;
  /** Jobs per BullMQ state. */
  counts: BullmqJobCounts;
  /** Jobs ready to run now: waiting + prioritized + delayed jobs already due. */
  backlog: number;
  /** Seconds since the oldest waiting job became ready; 0 when nothing waits. */
  oldestWaitingSeconds: number;
  /** Connected workers, or null when CLIENT LIST is not permitted. */
  workers: number | null;
  /** Job schedulers (and legacy repeatable jobs) of the queue. */
  schedulers: number;
}

/** Counts per state for each queue, in two round trips for all of them. */
export async function queueInfo(options: QueuesSource): Promise<QueueInfo[]> {
  const queues = validQueues(options.queues);
  return withRedis(options, async (client) => {
    // Only the oldest waiting job is fetched: no active jobs, schedulers only counted.
    const prefix = prefixOf(options);
    const read = await readBullmqQueues(client, { prefix, queues, activeSample: 0, schedulerSample: 0 });
    return read.queues.map((q) => ({
      name: q.name,
      exists: q.exists,
      paused: q.paused,
      counts: q.counts,
      backlog: q.backlog,
      oldestWaitingSeconds: q.oldestWaitingSeconds,
      workers: q.workers === null ? null : q.workers.length,
      schedulers: q.schedulers?.total ?? 0,
    }));
  });
}
