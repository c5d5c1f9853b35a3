import {
  isoOrNull,
  jobFields,
  keyOf,
  numberOrNull,
  pipeline,
  positiveInteger,
  prefixOf,
  type QueueSource,
  texts,
  validQueues,
  withRedis,
} from './connection.js';

/** RQ/Frappe-style statuses: what a user asks for. */
export type JobStatus = 'queued' | 'started' | 'finished' | 'failed';

/** BullMQ's own state of a job. `queued` covers the first four. */
export type BullmqJobState =
  | 'waiting'
  | 'prioritized'
  | 'delayed'
  | 'waiting-children'
  | 'active'
  | 'completed'
  | 'failed';

export interface ListJobsOptions extends QueueSource {
  queue: string;
  status: JobStatus;
  /** At most this many jobs (1-1000). Default 20. */
  limit?: number;
  /** The arguments (job data as JSON) are cut to this many characters. Default 200. */
  argumentsMaxLength?: number;
  /** Only the jobs in this BullMQ state, one of the status's (`delayed` for `queued`). Default: all of them. */
  state?: BullmqJobState;
}

export interface JobException {
  /** `failedReason`: the error message of the last failed attempt. */
  message: string;
  /** The first stack frame of the last failed attempt (`at handler (/app/jobs/email.js:12:11)`), if recorded. */
  location: string | null;
}

export interface JobView {
  id: string;
  queue: string;
  status: JobStatus;
  state: BullmqJobState;
  name: string;
  /** The job data as JSON, cut to `argumentsMaxLength` characters (ending in `…` when cut). */
  arguments: string;
  /** Why the last attempt failed; null when none did. */
  exception: JobException | null;
  /** Attempts that ended (completed or failed). */
  attempts: number;
  /** The named worker that ran (or runs) its last attempt (`processedBy`). */
  worker: string | null;
  /** The job scheduler that created it (`repeatJobKey`), null for a job added directly. */
  scheduler: string | null;
  /** Progress set with `job.updateProgress()` (a number or an object), null when never set. */
  progress: unknown;
  /** ISO times: added, last attempt started, finished. */
  created: string | null;
  started: string | null;
  ended: string | null;
}

/** Which sets hold each status, and how to read them: lists are oldest-right, the finished sets newest-last. */
interface Source {
  state: BullmqJobState;
  /** `oldest` reads the n oldest (list tail, or lowest scores), `newest` the n most recently finished. */
  read: 'list' | 'oldest' | 'newest';
}
const SOURCES: Record<JobStatus, readonly Source[]> = {
  queued: [
    { state: 'waiting', read: 'list' },
    { state: 'prioritized', read: 'oldest' },
    { state: 'delayed', read: 'oldest' },
    { state: 'waiting-children', read: 'oldest' },
  ],
  started: [{ state: 'active', read: 'list' }],
  finished: [{ state: 'completed', read: 'newest' }],
  failed: [{ state: 'failed', read: 'newest' }],
};

function rangeCommand(source: Source, key: string, n: number): (string | number)[] {
  if (source.read === 'list') return ['lrange', key, -n, -1];
  return [source.read === 'oldest' ? 'zrange' : 'zrevrange', key, 0, n - 1];
}

const KEY_OF_STATE: Record<BullmqJobState, string> = {
  waiting: 'wait',
  prioritized: 'prioritized',
  delayed: 'delayed',
  'waiting-children': 'waiting-children',
  active: 'active',
  completed: 'completed',
  failed: 'failed',
};

const FIELDS = [
  'name',
  'data',
  'timestamp',
  'processedOn',
  'finishedOn',
  'failedReason',
  'stacktrace',
  'atm',
  'attemptsMade',
  'pb',
  'rjk',
  'progress',
] as const;

/**
 * Jobs of one queue in one status, in two round trips: queued and started jobs oldest first, finished and failed
 * ones newest first.
 */
export async function listJobs(options: ListJobsOptions): Promise<JobView[]> {
  const [queue] = validQueues([options.queue]);
  const status = options.status;
  if (!(status in SOURCES)) throw new TypeError('status must be queued, started, finished or failed');
  const limit = positiveInteger(options.limit, 20, 'limit', 1000);
  const maxLength = positiveInteger(options.argumentsMaxLength, 200, 'argumentsMaxLength', 100_000);
  const prefix = prefixOf(options);
  const sources = SOURCES[status].filter((s) => options.state === undefined || s.state === options.state);
  if (sources.length === 0) throw new TypeError(`state ${String(options.state)} is not a state of status ${status}`);
  return withRedis(options, async (client) => {
    const ranges = await pipeline(
      client,
      sources.map((s) => rangeCommand(s, keyOf(prefix, queue!, KEY_OF_STATE[s.state]), limit)),
    );
    const found: { id: string; state: BullmqJobState }[] = [];
    sources.forEach((source, i) => {
      const ids = texts(ranges[i]);
      // Lists hold the oldest at the right end; a legacy (bullmq < 5) marker is not a job.
      const ordered = source.read === 'list' ? ids.reverse() : ids;
      for (const id of ordered) if (!id.startsWith('0:')) found.push({ id, state: source.state });
    });
    const hashes = await jobFields(
      client,
      prefix,
      found.map(({ id }) => ({ queue: queue!, id })),
      FIELDS,
    );
    const jobs: JobView[] = [];
    found.forEach(({ id, state }, i) => {
      const hash = hashes[i];
      if (!hash) return; // removed between the two round trips
      const failedReason = hash.failedReason;
      jobs.push({
        id,
        queue: queue!,
        status,
        state,
        name: hash.name ?? '',
        arguments: truncate(hash.data ?? '{}', maxLength),
        exception: failedReason ? { message: failedReason, location: firstFrame(hash.stacktrace) } : null,
        attempts: numberOrNull(hash.atm ?? hash.attemptsMade) ?? 0,
        worker: hash.pb,
        scheduler: hash.rjk,
        progress: parseJson(hash.progress),
        created: isoOrNull(numberOrNull(hash.timestamp)),
        started: isoOrNull(numberOrNull(hash.processedOn)),
        ended: isoOrNull(numberOrNull(hash.finishedOn)),
      });
    });
    const time = (iso: string | null) => (iso === null ? 0 : Date.parse(iso));
    if (status === 'queued') jobs.sort((a, b) => time(a.created) - time(b.created));
    if (status === 'started') jobs.sort((a, b) => time(a.started) - time(b.started));
    return jobs.slice(0, limit);
  });
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/** The first `at …` line of the latest stack BullMQ kept (`stacktrace` is a JSON array, one per failed attempt). */
export function firstFrame(stacktrace: string | null): string | null {
  const stacks = parseJson(stacktrace);
  if (!Array.isArray(stacks) || stacks.length === 0) return null;
  const latest: unknown = stacks[stacks.length - 1];
  if (typeof latest !== 'string') return null;
  const frame = latest.split('\n').find((line) => line.trim().startsWith('at '));
  return frame?.trim() ?? null;
}

export function parseJson(value: string | null): unknown {
  if (value === null) return null;
  try {
    return JSON.parse(value) as unknown;
  } catch {
    return value;
  }
}
