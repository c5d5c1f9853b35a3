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

export interface SchedulerLogOptions extends QueuesSource {
  /** At most this many entries, newest first. Default 50. */
  limit?: number;
  /** Finished jobs (completed, and failed) looked at per queue. Default 1000. */
  sample?: number;
  /** Only this job scheduler's runs. */
  scheduler?: string;
}

/** One run of a job scheduler, like Frappe's Scheduled Job Log. */
export interface SchedulerLogEntry {
  /** The job scheduler id (`upsertJobScheduler(id, …)`), from the job's `repeatJobKey`. */
  scheduler: string;
  queue: string;
  jobId: string;
  /** The job name the scheduler creates. */
  job: string;
  status: 'Complete' | 'Failed';
  /** ISO times the run started and ended. */
  start: string | null;
  end: string | null;
  durationMs: number | null;
  /** `failedReason` of a failed run. */
  error: string | null;
}

/**
 * Runs of job schedulers among the most recent finished jobs BullMQ keeps (`sample` per state and queue), newest
 * first, in two round trips. Jobs a scheduler creates have ids `repeat:<scheduler>:<time>`; that filters them
 * before their hashes are read, and their `repeatJobKey` confirms it. Runs already removed by `removeOnComplete` /
 * `removeOnFail` are not in the log.
 */
export async function schedulerLog(options: SchedulerLogOptions): Promise<SchedulerLogEntry[]> {
  const queues = validQueues(options.queues);
  const limit = positiveInteger(options.limit, 50, 'limit', 10_000);
  const sample = positiveInteger(options.sample, 1000, 'sample', 100_000);
  const prefix = prefixOf(options);
  return withRedis(options, async (client) => {
    const ranges = await pipeline(
      client,
      queues.flatMap((queue) => [
        ['zrevrange', keyOf(prefix, queue, 'completed'), 0, sample - 1],
        ['zrevrange', keyOf(prefix, queue, 'failed'), 0, sample - 1],
      ]),
    );
    const wanted = options.scheduler === undefined ? 'repeat:' : `repeat:${options.scheduler}:`;
    const runs = queues.flatMap((queue, i) => [
      ...texts(ranges[2 * i]).map((id) => ({ queue, id, ok: true })),
      ...texts(ranges[2 * i + 1]).map((id) => ({ queue, id, ok: false })),
    ]).filter(({ id }) => id.startsWith(wanted));
    const fields = ['name', 'rjk', 'processedOn', 'finishedOn', 'failedReason'] as const;
    const hashes = await jobFields(client, prefix, runs, fields);

    const entries: (SchedulerLogEntry & { endMs: number })[] = [];
    runs.forEach(({ queue, id, ok }, i) => {
      const hash = hashes[i];
      if (!hash?.rjk) return;
      if (options.scheduler !== undefined && hash.rjk !== options.scheduler) return;
      const start = numberOrNull(hash.processedOn);
      const end = numberOrNull(hash.finishedOn);
      entries.push({
        scheduler: hash.rjk,
        queue,
        jobId: id,
        job: hash.name ?? '',
        status: ok ? 'Complete' : 'Failed',
        start: isoOrNull(start),
        end: isoOrNull(end),
        durationMs: start !== null && end !== null ? end - start : null,
        error: ok ? null : (hash.failedReason ?? null),
        endMs: end ?? 0,
      });
    });
    entries.sort((a, b) => b.endMs - a.endMs);
    return entries.slice(0, limit).map(({ endMs: _endMs, ...entry }) => entry);
  });
}
