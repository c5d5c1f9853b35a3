import { type BullmqActiveJob, readBullmqQueues } from '@vigil/core';
import {
  isoOrNull,
  jobFields,
  keyOf,
  numberOrNull,
  pipeline,
  positiveInteger,
  prefixOf,
  type QueuesSource,
  texts,
  validQueues,
  withRedis,
} from './connection.js';

export interface ListWorkersOptions extends QueuesSource {
  /** Finished jobs (completed, and failed) looked at per queue for the per-worker figures. Default 500. */
  sample?: number;
  /** Active jobs looked at per queue for the current jobs. Default 1000. */
  activeLimit?: number;
}

export interface WorkerJob {
  id: string;
  name: string | null;
  started: string | null;
  runningSeconds: number | null;
}

/**
 * A worker as Redis sees it. How each figure is derived, and its limits:
 *
 * - presence, `connections`, `connectedSeconds`: CLIENT LIST. BullMQ names each worker's blocking connection
 *   `<prefix>:<base64 queue>[:w:<name>]`; workers with the same `name` (or unnamed ones) are one entry. A hung
 *   process keeps its connection, so presence does not prove progress (see the check's `maxRunTimeMs`).
 * - `currentJobs`, `status`: active jobs whose `processedBy` is this name (BullMQ records it for named workers
 *   only); unnamed workers get the active jobs without one.
 * - `successfulJobs`, `failedJobs`, `totalWorkingSeconds`: the `sample` most recent completed and failed jobs of the
 *   queue that BullMQ still keeps (see `removeOnComplete` / `removeOnFail`), by `processedBy`, working time being
 *   `finishedOn - processedOn` of their last attempt. They are figures over that window (`window`), not lifetime
 *   totals; earlier attempts of retried jobs are not counted.
 */
export interface WorkerView {
  queue: string;
  /** The worker's `name` option; null for unnamed workers. */
  name: string | null;
  connections: number;
  status: 'busy' | 'idle';
  currentJobs: WorkerJob[];
  successfulJobs: number;
  failedJobs: number;
  totalWorkingSeconds: number;
  /** Seconds since the oldest of its connections opened. */
  connectedSeconds: number;
  /** The finished jobs of the queue the counts come from: how many were looked at, and the oldest one's end. */
  window: { jobs: number; since: string | null };
}

interface Tally {
  successful: number;
  failed: number;
  workingMs: number;
}

/** Workers of each queue, with what they run and did recently, in four round trips for all queues. */
export async function listWorkers(options: ListWorkersOptions): Promise<WorkerView[]> {
  const queues = validQueues(options.queues);
  const sample = positiveInteger(options.sample, 500, 'sample', 10_000);
  const activeLimit = positiveInteger(options.activeLimit, 1000, 'activeLimit', 10_000);
  const prefix = prefixOf(options);
  return withRedis(options, async (client) => {
    const now = Date.now();
    const read = await readBullmqQueues(client, { prefix, queues, now, activeSample: activeLimit, schedulers: false });
    if (read.workersUnknown) throw new Error(read.workersUnknown);

    const ranges = await pipeline(
      client,
      queues.flatMap((queue) => [
        ['zrevrange', keyOf(prefix, queue, 'completed'), 0, sample - 1],
        ['zrevrange', keyOf(prefix, queue, 'failed'), 0, sample - 1],
      ]),
    );
    const finished = queues.flatMap((queue, i) => [
      ...texts(ranges[2 * i]).map((id) => ({ queue, id, ok: true })),
      ...texts(ranges[2 * i + 1]).map((id) => ({ queue, id, ok: false })),
    ]);
    const hashes = await jobFields(client, prefix, finished, ['pb', 'processedOn', 'finishedOn'] as const);

    const tallies = new Map<string, Tally>();
    const windows = new Map<string, { jobs: number; since: number | null }>();
    finished.forEach(({ queue, ok }, i) => {
      const hash = hashes[i];
      if (!hash) return;
      const key = `${queue}\n${hash.pb ?? ''}`;
      const tally = tallies.get(key) ?? { successful: 0, failed: 0, workingMs: 0 };
      if (ok) tally.successful++;
      else tally.failed++;
      const started = numberOrNull(hash.processedOn);
      const ended = numberOrNull(hash.finishedOn);
      if (started !== null && ended !== null && ended >= started) tally.workingMs += ended - started;
      tallies.set(key, tally);
      const window = windows.get(queue) ?? { jobs: 0, since: null };
      window.jobs++;
      if (ended !== null && (window.since === null || ended < window.since)) window.since = ended;
      windows.set(queue, window);
    });

    const views: WorkerView[] = [];
    for (const snapshot of read.queues) {
      const groups = new Map<string | null, { connections: number; connectedSeconds: number }>();
      for (const worker of snapshot.workers ?? []) {
        const group = groups.get(worker.name) ?? { connections: 0, connectedSeconds: 0 };
        group.connections++;
        group.connectedSeconds = Math.max(group.connectedSeconds, worker.ageSeconds);
        groups.set(worker.name, group);
      }
      const window = windows.get(snapshot.name) ?? { jobs: 0, since: null };
      for (const [name, group] of groups) {
        const current = snapshot.active.filter((job) => (job.worker ?? null) === name).map((job) => view(job, now));
        const tally = tallies.get(`${snapshot.name}\n${name ?? ''}`) ?? { successful: 0, failed: 0, workingMs: 0 };
        views.push({
          queue: snapshot.name,
          name,
          connections: group.connections,
          status: current.length > 0 ? 'busy' : 'idle',
          currentJobs: current,
          successfulJobs: tally.successful,
          failedJobs: tally.failed,
          totalWorkingSeconds: Math.round(tally.workingMs) / 1000,
          connectedSeconds: group.connectedSeconds,
          window: { jobs: window.jobs, since: isoOrNull(window.since) },
        });
      }
    }
    return views;
  });
}

function view(job: BullmqActiveJob, now: number): WorkerJob {
  return {
    id: job.id,
    name: job.name,
    started: isoOrNull(job.startedAt),
    runningSeconds: job.startedAt === null ? null : Math.round(now - job.startedAt) / 1000,
  };
}
