import { type Check, type CheckOptions, defineCheck } from '../check.js';
import { loadDriver, onAbort, once } from '../drivers.js';
import { backstopDelay } from '../net/deadline.js';
import { errorMessage, type Measurement, type Probe, type ProbeResult } from '../probe.js';
import { sanitizeMessage, secretsInUrl } from '../sanitize.js';
import { type Status, type StatusThresholds, worstOf } from '../status.js';
import {
  crossedPhrase,
  DEFAULT_SCHEDULER_TOLERANCE_MS,
  failedCountStart,
  judgeQueue,
  msFromSeconds,
  overdueSchedulers,
  type QueueFinding,
  type QueueRuleSet,
  resolveQueueRules,
  stuckJobs,
  thresholdsMsFromSeconds,
} from './queue-rules.js';

/**
 * BullMQ queues, read straight from BullMQ's Redis layout (`<prefix>:<queue>:wait`, `:active`, `:meta`…, as
 * written by bullmq 6) in two pipelined round trips per poll, whatever the number of queues and jobs:
 *
 *   1. per queue: counts (LLEN/ZCARD/ZCOUNT), the paused flag, the id of the oldest waiting job, the ids of the
 *      oldest active jobs (bounded by `activeSample`), the earliest job schedulers (bounded); plus one
 *      CLIENT LIST for all queues (BullMQ names each worker's connection after its queue);
 *   2. the timestamps of those few jobs (HMGET).
 *
 * BullMQ's Queue API reads the same facts with a CLIENT LIST per queue and whole job hashes (bench/jobs.mjs). The
 * probe needs an ioredis client or a URL (ioredis is then loaded); it never imports bullmq.
 */

/** The one thing the probe needs from an ioredis client (`new Redis(…)`, e.g. the one your BullMQ queues use). */
export interface BullmqRedis {
  pipeline(commands: (string | number)[][]): { exec(): Promise<[Error | null, unknown][] | null> };
  /** ioredis's connection state; when present and not usable the probe fails at once instead of queueing. */
  readonly status?: string;
}

/** A limit: a bare number is the `degraded` threshold; a value strictly above a threshold reaches its status. */
export type BullmqThreshold = number | { degraded?: number; unhealthy?: number };

/** Failures counted since the previous run of the check, or over a trailing window when `windowSeconds` is set. */
export type BullmqFailedGrowth = number | { degraded?: number; unhealthy?: number; windowSeconds?: number };

export interface BullmqQueueOptions {
  /** The queue name, as given to `new Queue(name)` / `new Worker(name)`. */
  name: string;
  /** Backlog (waiting + prioritized + delayed jobs already due) above which the queue is degraded / unhealthy. */
  maxWaiting?: BullmqThreshold;
  /** Age of the oldest waiting job (seconds since it became ready) above which it is degraded / unhealthy. */
  maxOldestWaitingSeconds?: BullmqThreshold;
  /**
   * A job active for longer than this (ms since it started, `job.processedOn`) is stuck. A hung worker keeps
   * renewing its lock, so BullMQ's stalled-job detection never fires; this does. Not checked unless given.
   */
  maxRunTimeMs?: BullmqThreshold;
  /** Jobs that failed (for good: moved to the failed set) since the previous run or within `windowSeconds`. */
  failedGrowth?: BullmqFailedGrowth;
  /**
   * How long a job scheduler's `next` may lie in the past (its job not started) before the queue is degraded /
   * unhealthy. Default `{ degraded: 60, unhealthy: 600 }`; `false` leaves schedulers out.
   */
  schedulerToleranceSeconds?: BullmqThreshold | false;
  /** Status of a paused queue. Default `degraded`. */
  whenPaused?: Status;
  /** Status when jobs wait and no worker is connected. Default `unhealthy`. */
  whenNoWorkers?: Status;
}

export interface BullmqCheckOptions {
  /**
   * An ioredis client (your queues' own, so the check sees what they see; never closed by the check) or a
   * `redis://` / `rediss://` URL (each run opens a connection and closes it; needs `ioredis`).
   */
  connection: BullmqRedis | string;
  /** The password when it is kept out of the URL. */
  password?: string;
  /** BullMQ's key prefix. Default `bull`. */
  prefix?: string;
  /** The queues to check: a name, or a name with thresholds. */
  queues: readonly (string | BullmqQueueOptions)[];
  /** How many of the longest-active jobs per queue are inspected for `maxRunTimeMs`. Default 100. */
  activeSample?: number;
  /** How many of the earliest-due job schedulers per queue are inspected. Default 20. */
  schedulerSample?: number;
  /** Epoch ms of the previous run, for `failedGrowth` without a window (`bullmqCheck` keeps it for you). */
  previousRunAt?: number;
  /** Injected clock (epoch ms). */
  now?: () => number;
}

export const DEFAULT_BULLMQ_PREFIX = 'bull';
export const DEFAULT_SCHEDULER_TOLERANCE_SECONDS: Readonly<Required<StatusThresholds>> = Object.freeze({
  degraded: DEFAULT_SCHEDULER_TOLERANCE_MS.degraded / 1000,
  unhealthy: DEFAULT_SCHEDULER_TOLERANCE_MS.unhealthy / 1000,
});
const DEFAULT_ACTIVE_SAMPLE = 100;
const DEFAULT_SCHEDULER_SAMPLE = 20;
const TYPE = 'bullmq';

/** Job counts per BullMQ state. */
export interface BullmqJobCounts {
  waiting: number;
  prioritized: number;
  active: number;
  delayed: number;
  'waiting-children': number;
  completed: number;
  failed: number;
}

export const BULLMQ_STATES = [
  'waiting',
  'prioritized',
  'active',
  'delayed',
  'waiting-children',
  'completed',
  'failed',
] as const satisfies readonly (keyof BullmqJobCounts)[];

/** A worker connection found in CLIENT LIST (BullMQ names it `<prefix>:<base64 queue>[:w:<worker name>]`). */
export interface BullmqWorkerClient {
  /** The worker's `name` option, or null for an unnamed worker. */
  name: string | null;
  /** Redis client id. */
  clientId: string;
  addr: string;
  /** Seconds the connection has been open. */
  ageSeconds: number;
  /** Seconds since the connection last ran a command. */
  idleSeconds: number;
}

export interface BullmqActiveJob {
  id: string;
  name: string | null;
  /** `processedBy`: the worker name (named workers only). */
  worker: string | null;
  /** Epoch ms the current attempt started (`processedOn`), or null if not recorded yet. */
  startedAt: number | null;
}

export interface BullmqSchedulerNext {
  /** The job scheduler id (or a legacy repeatable key). */
  id: string;
  /** Epoch ms of its next run. */
  next: number;
}

/** One queue as read in one poll. */
export interface BullmqQueueSnapshot {
  name: string;
  /** False when no BullMQ key exists under `<prefix>:<name>` (a typo in the name or prefix, or a queue never used). */
  exists: boolean;
  paused: boolean;
  counts: BullmqJobCounts;
  /** Delayed jobs whose time has come (a worker promotes them; without one they stay delayed). */
  dueDelayed: number;
  /** Jobs ready to run now: waiting + prioritized + due delayed. */
  backlog: number;
  /** Worker connections, or null when CLIENT LIST is not permitted (managed Redis, ACLs). */
  workers: BullmqWorkerClient[] | null;
  /**
   * Seconds since the oldest waiting job became ready (`timestamp + delay` of the oldest job in `wait`, or the due
   * time of the earliest due delayed job, whichever is older); 0 when nothing waits. Prioritized jobs are not
   * looked at (their order is by priority, not age).
   */
  oldestWaitingSeconds: number;
  /** The oldest active jobs, longest-running first, at most `activeSample` (none when it is 0). */
  active: BullmqActiveJob[];
  /** Jobs that moved to the failed set since `failedSince`, or null when no start was given. */
  failedSince: number | null;
  /** Job schedulers (and legacy repeatable jobs); null when not read (`schedulers: false`). */
  schedulers: {
    total: number;
    /** Schedulers whose next run is in the past. */
    pastDue: number;
    /** The earliest-due schedulers, at most `schedulerSample`. */
    earliest: BullmqSchedulerNext[];
  } | null;
}

export interface ReadBullmqOptions {
  prefix?: string;
  queues: readonly string[];
  /** Epoch ms used as "now". Default `Date.now()`. */
  now?: number;
  /** How many of the oldest active jobs to read per queue (their start, name, worker). 0: none. Default 100. */
  activeSample?: number;
  /** How many of the earliest-due job schedulers to read per queue. 0: only count them. Default 20. */
  schedulerSample?: number;
  /** Read the job schedulers at all. Default true. */
  schedulers?: boolean;
  /** Count failures after this time (epoch ms), per queue name or for all. */
  failedSince?: number | ((queue: string) => number | undefined);
  /** Read CLIENT LIST for the worker connections. Default true. */
  workers?: boolean;
  /** Checked between the round trips. */
  signal?: AbortSignal;
}

export interface BullmqReadResult {
  queues: BullmqQueueSnapshot[];
  /** Why `workers` is null, when it is. */
  workersUnknown?: string;
  /** Pipelines sent (each is one network round trip). */
  roundTrips: number;
  /** Commands sent in them. */
  commands: number;
}

/** Base64 of the queue name, as BullMQ puts it in client names. */
function clientNameOf(prefix: string, queue: string): string {
  return `${prefix}:${Buffer.from(queue).toString('base64')}`;
}

type Command = (string | number)[];

/** What round trip 1 asks about one queue: named commands, so the parts left out shift nothing. */
function queueCommands(
  key: (type: string) => string,
  now: number,
  parts: { failedSince: number | undefined; activeSample: number; schedulerSample: number; schedulers: boolean },
): [string, Command][] {
  const commands: [string, Command][] = [
    ['exists', ['exists', ...['meta', 'wait', 'active', 'completed', 'failed', 'delayed', 'repeat'].map(key)]],
    ['paused', ['hget', key('meta'), 'paused']],
    ['waiting', ['llen', key('wait')]],
    ['prioritized', ['zcard', key('prioritized')]],
    ['active', ['llen', key('active')]],
    ['delayed', ['zcard', key('delayed')]],
    // Delayed scores are `due ms * 0x1000 + a counter`, hence the scaling (as bullmq's getCounts does).
    ['dueDelayed', ['zcount', key('delayed'), '-inf', now * 0x1000 + 0xfff]],
    ['earliestDelayed', ['zrange', key('delayed'), 0, 0, 'WITHSCORES']],
    ['waiting-children', ['zcard', key('waiting-children')]],
    ['completed', ['zcard', key('completed')]],
    ['failed', ['zcard', key('failed')]],
    // New jobs are pushed on the left and taken from the right: the right end holds the oldest.
    ['waitTail', ['lrange', key('wait'), -2, -1]],
  ];
  // The failed set is scored by finish time, so new failures are counted even when old ones are trimmed.
  if (parts.failedSince !== undefined) {
    commands.push(['failedNew', ['zcount', key('failed'), `(${parts.failedSince}`, '+inf']]);
  }
  if (parts.activeSample > 0) commands.push(['activeIds', ['lrange', key('active'), -parts.activeSample, -1]]);
  if (parts.schedulers) {
    commands.push(['schedulers', ['zcard', key('repeat')]]);
    commands.push(['schedulersPastDue', ['zcount', key('repeat'), '-inf', now]]);
    if (parts.schedulerSample > 0) {
      commands.push(['schedulersEarliest', ['zrange', key('repeat'), 0, parts.schedulerSample - 1, 'WITHSCORES']]);
    }
  }
  return commands;
}

/** Reads the queues in two round trips (one when nothing needs a job's timestamps). Throws on a Redis error. */
export async function readBullmqQueues(client: BullmqRedis, options: ReadBullmqOptions): Promise<BullmqReadResult> {
  const prefix = options.prefix ?? DEFAULT_BULLMQ_PREFIX;
  const now = options.now ?? Date.now();
  const activeSample = sampleSize(options.activeSample ?? DEFAULT_ACTIVE_SAMPLE, 'activeSample');
  const schedulerSample = sampleSize(options.schedulerSample ?? DEFAULT_SCHEDULER_SAMPLE, 'schedulerSample');
  const schedulers = options.schedulers ?? true;
  const readWorkers = options.workers ?? true;
  const sinceOf = (queue: string) =>
    typeof options.failedSince === 'function' ? options.failedSince(queue) : options.failedSince;

  const plans = options.queues.map((queue) =>
    queueCommands((type) => `${prefix}:${queue}:${type}`, now, {
      failedSince: sinceOf(queue),
      activeSample,
      schedulerSample,
      schedulers,
    }),
  );
  const commands: Command[] = plans.flatMap((plan) => plan.map(([, command]) => command));
  if (readWorkers) commands.push(['client', 'list']);
  const first = await execPipeline(client, commands);
  let roundTrips = 1;
  let sent = commands.length;

  let workersUnknown: string | undefined;
  let clientList: string | undefined;
  if (readWorkers) {
    const [error, reply] = first[first.length - 1]!;
    if (error) workersUnknown = `CLIENT LIST failed (${error.message}): worker presence unknown`;
    else clientList = replyText(reply);
  }

  let offset = 0;
  const partial = options.queues.map((queue, i) => {
    const plan = plans[i]!;
    const replies = new Map<string, unknown>();
    plan.forEach(([name], j) => {
      const [error, reply] = first[offset + j]!;
      if (error) throw new Error(`queue "${queue}": ${error.message}`);
      replies.set(name, reply);
    });
    offset += plan.length;
    return parseQueue(queue, replies, now);
  });

  // Round trip 2: the timestamps of the oldest waiting job and of the sampled active jobs.
  const second: (string | number)[][] = [];
  for (const { queue, oldestWaitingId, activeIds } of partial) {
    const key = (id: string) => `${prefix}:${queue.name}:${id}`;
    if (oldestWaitingId !== undefined) second.push(['hmget', key(oldestWaitingId), 'timestamp', 'delay', 'opts']);
    for (const id of activeIds) second.push(['hmget', key(id), 'processedOn', 'name', 'pb']);
  }
  let replies: [Error | null, unknown][] = [];
  if (second.length > 0) {
    options.signal?.throwIfAborted();
    replies = await execPipeline(client, second);
    roundTrips++;
    sent += second.length;
  }
  let r = 0;
  const next = () => {
    const [error, reply] = replies[r++]!;
    if (error) throw error;
    return Array.isArray(reply) ? reply.map((v) => (v === null || v === undefined ? null : String(v))) : [];
  };
  const workersByName = clientList === undefined ? undefined : parseWorkerClients(clientList, prefix);
  const queues = partial.map(({ queue, oldestWaitingId, activeIds, dueDelayedSince }) => {
    let oldestReadyAt = dueDelayedSince;
    if (oldestWaitingId !== undefined) {
      const [timestamp = null, delay = null, opts = null] = next();
      // BullMQ zeroes `delay` when it promotes a delayed job; the delay asked for stays in `opts`.
      const readyAt = toNumber(timestamp) + Math.max(toNumber(delay), delayInOpts(opts));
      // A job whose hash is gone (removed meanwhile) has no timestamp: ignore it rather than report 1970.
      if (toNumber(timestamp) > 0 && (oldestReadyAt === undefined || readyAt < oldestReadyAt)) oldestReadyAt = readyAt;
    }
    queue.oldestWaitingSeconds =
      queue.backlog > 0 && oldestReadyAt !== undefined ? Math.max(0, round1((now - oldestReadyAt) / 1000)) : 0;
    queue.active = activeIds.map((id) => {
      const [processedOn = null, name = null, worker = null] = next();
      return { id, name, worker, startedAt: processedOn === null ? null : toNumber(processedOn) };
    });
    // The active list is oldest-right; with retries the order is not strictly by start, so sort.
    queue.active.sort((a, b) => (a.startedAt ?? Infinity) - (b.startedAt ?? Infinity));
    queue.workers = workersByName?.get(clientNameOf(prefix, queue.name)) ?? (workersByName ? [] : null);
    return queue;
  });
  return { queues, ...(workersUnknown ? { workersUnknown } : {}), roundTrips, commands: sent };
}

interface PartialQueue {
  queue: BullmqQueueSnapshot;
  oldestWaitingId: string | undefined;
  activeIds: string[];
  dueDelayedSince: number | undefined;
}

function parseQueue(name: string, replies: Map<string, unknown>, now: number): PartialQueue {
  const n = (part: string) => toNumber(replies.get(part));
  const paused = replies.get('paused');
  // A legacy (bullmq < 5) marker at the right end of `wait` is not a job.
  const tail = stringList(replies.get('waitTail'));
  const waitTail = tail.filter((id) => !id.startsWith('0:'));
  const waiting = Math.max(0, n('waiting') - (tail.length - waitTail.length));
  const dueDelayed = n('dueDelayed');
  const earliestDelayed = scoredPairs(replies.get('earliestDelayed'))[0];
  const counts: BullmqJobCounts = {
    waiting,
    prioritized: n('prioritized'),
    active: n('active'),
    delayed: n('delayed'),
    'waiting-children': n('waiting-children'),
    completed: n('completed'),
    failed: n('failed'),
  };
  const backlog = waiting + counts.prioritized + dueDelayed;
  const dueAt = earliestDelayed && dueDelayed > 0 ? Math.floor(earliestDelayed.score / 0x1000) : undefined;
  return {
    queue: {
      name,
      exists: n('exists') > 0,
      paused: paused === '1' || paused === 1,
      counts,
      dueDelayed,
      backlog,
      workers: null,
      oldestWaitingSeconds: 0,
      active: [],
      failedSince: replies.has('failedNew') ? n('failedNew') : null,
      schedulers: replies.has('schedulers')
        ? {
            total: n('schedulers'),
            pastDue: n('schedulersPastDue'),
            earliest: scoredPairs(replies.get('schedulersEarliest')).map((p) => ({ id: p.member, next: p.score })),
          }
        : null,
    },
    oldestWaitingId: waiting > 0 ? waitTail[waitTail.length - 1] : undefined,
    activeIds: stringList(replies.get('activeIds')).reverse(),
    dueDelayedSince: dueAt !== undefined && dueAt <= now ? dueAt : undefined,
  };
}

/**
 * CLIENT LIST → worker connections by queue client name. BullMQ names a worker's connection
 * `<prefix>:<base64 queue>` or `<prefix>:<base64 queue>:w:<worker name>`; base64 has no ':', so the queue part ends
 * at the first ':' after the prefix (whatever the prefix or the worker name contain).
 */
function parseWorkerClients(list: string, prefix: string): Map<string, BullmqWorkerClient[]> {
  const byQueue = new Map<string, BullmqWorkerClient[]>();
  for (const line of list.split(/\r?\n/)) {
    const fields = new Map<string, string>();
    for (const pair of line.split(' ')) {
      const at = pair.indexOf('=');
      if (at > 0) fields.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const rawName = fields.get('name');
    if (!rawName?.startsWith(`${prefix}:`)) continue;
    const end = rawName.indexOf(':', prefix.length + 1);
    const suffix = end < 0 ? '' : rawName.slice(end);
    if (suffix !== '' && !suffix.startsWith(':w:')) continue; // e.g. QueueEvents' `:qe`
    const queueKey = end < 0 ? rawName : rawName.slice(0, end);
    const worker: BullmqWorkerClient = {
      name: suffix === '' ? null : suffix.slice(3),
      clientId: fields.get('id') ?? '',
      addr: fields.get('addr') ?? '',
      ageSeconds: toNumber(fields.get('age')),
      idleSeconds: toNumber(fields.get('idle')),
    };
    const list = byQueue.get(queueKey) ?? [];
    list.push(worker);
    byQueue.set(queueKey, list);
  }
  return byQueue;
}

async function execPipeline(client: BullmqRedis, commands: (string | number)[][]): Promise<[Error | null, unknown][]> {
  const result = await client.pipeline(commands).exec();
  if (!result || result.length !== commands.length) throw new Error('Redis returned no result for the pipeline');
  return result;
}

// --- Replies (ioredis flattens RESP3; nested pairs are accepted too) ---

function toNumber(value: unknown): number {
  const n = typeof value === 'number' ? value : Number(value);
  return Number.isFinite(n) ? n : 0;
}

function replyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString();
  return String(value ?? '');
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => replyText(v)) : [];
}

function scoredPairs(value: unknown): { member: string; score: number }[] {
  if (!Array.isArray(value)) return [];
  const pairs: { member: string; score: number }[] = [];
  if (value.every((v) => Array.isArray(v))) {
    for (const pair of value as unknown[][]) pairs.push({ member: replyText(pair[0]), score: toNumber(pair[1]) });
    return pairs;
  }
  for (let i = 0; i + 1 < value.length; i += 2) {
    pairs.push({ member: replyText(value[i]), score: toNumber(value[i + 1]) });
  }
  return pairs;
}

function delayInOpts(opts: string | null): number {
  if (!opts) return 0;
  try {
    return toNumber((JSON.parse(opts) as { delay?: unknown }).delay);
  } catch {
    return 0;
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

function positiveInteger(n: number, what: string): number {
  if (!(Number.isInteger(n) && n > 0)) throw new TypeError(`bullmq check: ${what} must be a positive integer`);
  return n;
}

function sampleSize(n: number, what: string): number {
  if (!(Number.isInteger(n) && n >= 0 && n <= 100_000)) {
    throw new TypeError(`${what} must be an integer from 0 to 100000`);
  }
  return n;
}

// --- Verdicts ---

function limitsOf(
  threshold: BullmqThreshold | BullmqFailedGrowth | undefined,
  what: string,
): StatusThresholds | undefined {
  if (threshold === undefined) return undefined;
  const limits: StatusThresholds = typeof threshold === 'number' ? { degraded: threshold } : threshold;
  for (const level of ['degraded', 'unhealthy'] as const) {
    const v = limits[level];
    if (v !== undefined && !(typeof v === 'number' && v >= 0)) {
      throw new TypeError(`bullmq check: ${what}.${level} must be a number ≥ 0`);
    }
  }
  if (limits.degraded === undefined && limits.unhealthy === undefined) {
    throw new TypeError(`bullmq check: ${what} needs a degraded or an unhealthy threshold`);
  }
  if (limits.degraded !== undefined && limits.unhealthy !== undefined && limits.unhealthy < limits.degraded) {
    throw new TypeError(`bullmq check: ${what}.unhealthy must not be below ${what}.degraded`);
  }
  return limits;
}

const STATUS_VALUES: readonly Status[] = ['healthy', 'degraded', 'unhealthy'];
const QUEUE_NAME = /^[^\s:]{1,200}$/;

/** Validates a queue's options and resolves its rules, converting seconds to ms once, here. */
function queueRules(queue: string | BullmqQueueOptions): QueueRuleSet {
  const options: BullmqQueueOptions = typeof queue === 'string' ? { name: queue } : queue;
  const { name } = options;
  // A colon would make the queue's keys overlap another queue's; whitespace cannot be in a client name.
  if (typeof name !== 'string' || !QUEUE_NAME.test(name)) {
    throw new TypeError(`bullmq check: queue name ${JSON.stringify(name)} is invalid (no spaces or ':', 1-200 chars)`);
  }
  const what = (field: string) => `queues[${name}].${field}`;
  for (const field of ['whenPaused', 'whenNoWorkers'] as const) {
    const value = options[field];
    if (value !== undefined && !STATUS_VALUES.includes(value)) {
      throw new TypeError(`bullmq check: ${what(field)} must be healthy, degraded or unhealthy`);
    }
  }
  const growth = options.failedGrowth;
  const windowSeconds = typeof growth === 'object' ? growth.windowSeconds : undefined;
  if (windowSeconds !== undefined && !(windowSeconds > 0)) {
    throw new TypeError(`bullmq check: ${what('failedGrowth.windowSeconds')} must be a positive number`);
  }
  const tolerance = options.schedulerToleranceSeconds;
  const inMs = (limits: StatusThresholds | undefined) => limits && thresholdsMsFromSeconds(limits);
  return resolveQueueRules({
    name,
    maxWaiting: limitsOf(options.maxWaiting, what('maxWaiting')),
    maxOldestWaitingMs: inMs(limitsOf(options.maxOldestWaitingSeconds, what('maxOldestWaitingSeconds'))),
    maxRunTimeMs: limitsOf(options.maxRunTimeMs, what('maxRunTimeMs')),
    maxFailed: limitsOf(growth, what('failedGrowth')),
    failedWindowMs: windowSeconds === undefined ? undefined : msFromSeconds(windowSeconds),
    // Absent: the default tolerance.
    schedulerToleranceMs:
      tolerance === false ? false : inMs(limitsOf(tolerance, what('schedulerToleranceSeconds'))),
    whenPaused: options.whenPaused,
    whenNoWorkers: options.whenNoWorkers,
  });
}

interface Finding {
  status: Status;
  message: string;
}

/** Sort order: worst first. */
const SEVERITY_RANK: Record<Status, number> = { unhealthy: 0, degraded: 1, healthy: 2 };

// Made on first use: a NumberFormat pages in ICU's locale data (megabytes of RSS) in every process importing the
// probes, most of which never describe a queue.
let numberFormat: Intl.NumberFormat | undefined;
const fmt = (n: number) => (numberFormat ??= new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 })).format(n);
const plural = (n: number, one: string, many = `${one}s`) => `${fmt(n)} ${n === 1 ? one : many}`;
const seconds = (ms: number) => `${fmt(ms / 1000)} s`;
const others = (n: number) => (n > 0 ? ` and ${plural(n, 'other')}` : '');

/** What is wrong with one queue, worst first. */
function evaluate(snapshot: BullmqQueueSnapshot, rules: QueueRuleSet, now: number): Finding[] {
  return judgeQueue(snapshot, rules, now)
    .map((finding) => ({ status: finding.status, message: reason(finding, rules) }))
    .sort((a, b) => SEVERITY_RANK[a.status] - SEVERITY_RANK[b.status]);
}

/** A finding in the check's words. */
function reason(finding: QueueFinding, rules: QueueRuleSet): string {
  switch (finding.rule) {
    case 'unknown-queue':
      return 'no such queue: no BullMQ keys and no worker under this name (check the queue name and prefix)';
    case 'paused':
      return 'paused';
    case 'no-workers':
      return `no worker while ${plural(finding.value, 'job')} ${finding.value === 1 ? 'waits' : 'wait'}`;
    case 'backlog':
      return `${plural(finding.value, 'job')} waiting${crossedPhrase(finding, fmt)}`;
    case 'oldest-waiting':
      return `the oldest waiting job has waited ${seconds(finding.value)}${crossedPhrase(finding, seconds)}`;
    case 'failed': {
      const window = rules.failedWindowMs;
      const since = window !== undefined ? `in the last ${seconds(window)}` : 'since the last check';
      return `${plural(finding.value, 'job')} failed ${since}${crossedPhrase(finding, fmt)}`;
    }
    case 'stuck-job': {
      const { job } = finding;
      return (
        `job ${job.id}${job.name ? ` (${job.name})` : ''} has run for ${seconds(finding.value)}` +
        `${job.worker ? ` on worker ${job.worker}` : ''}${others(finding.others)}, ` +
        `stuck${crossedPhrase(finding, (ms) => `${fmt(ms)} ms`)}`
      );
    }
    case 'overdue-scheduler':
      return (
        `job scheduler "${finding.scheduler.id}" is ${seconds(finding.value)} overdue${others(finding.others)}` +
        `${crossedPhrase(finding, seconds)}`
      );
  }
}

/** The per-queue part of `details`. */
function queueDetails(
  snapshot: BullmqQueueSnapshot,
  rules: QueueRuleSet,
  findings: Finding[],
  now: number,
): Record<string, unknown> {
  const status = findings.reduce<Status>((s, f) => worstOf(s, f.status), 'healthy');
  const details: Record<string, unknown> = {
    status,
    ...(findings.length > 0 ? { reasons: findings.map((f) => f.message) } : {}),
    paused: snapshot.paused,
    workers: snapshot.workers === null ? null : snapshot.workers.length,
    backlog: snapshot.backlog,
    ...snapshot.counts,
    due_delayed: snapshot.dueDelayed,
    oldest_waiting_s: snapshot.oldestWaitingSeconds,
  };
  if (snapshot.failedSince !== null) details.failed_new = snapshot.failedSince;
  if (rules.maxRunTimeMs) {
    details.stuck = stuckJobs(snapshot, rules, now).map(({ job, value }) => ({
      id: job.id,
      name: job.name,
      worker: job.worker,
      running_s: round1(value / 1000),
    }));
  }
  const longest = snapshot.active[0];
  if (longest && longest.startedAt !== null) details.longest_running_s = round1((now - longest.startedAt) / 1000);
  if (snapshot.schedulers && snapshot.schedulers.total > 0) {
    details.schedulers = {
      total: snapshot.schedulers.total,
      past_due: snapshot.schedulers.pastDue,
      ...(rules.schedulerToleranceMs
        ? {
            overdue: overdueSchedulers(snapshot, rules, now).map(({ scheduler, value }) => ({
              id: scheduler.id,
              next: new Date(scheduler.next).toISOString(),
              late_s: round1(value / 1000),
            })),
          }
        : {}),
    };
  }
  return details;
}

function queueMeasurements(snapshot: BullmqQueueSnapshot): Measurement[] {
  const q = snapshot.name;
  return [
    { measurement: `${q}.backlog`, value: snapshot.backlog, unit: 'jobs' },
    { measurement: `${q}.oldestWaiting`, value: snapshot.oldestWaitingSeconds, unit: 's' },
    { measurement: `${q}.active`, value: snapshot.counts.active, unit: 'jobs' },
    { measurement: `${q}.failed`, value: snapshot.counts.failed, unit: 'jobs' },
    ...(snapshot.workers === null ? [] : [{ measurement: `${q}.workers`, value: snapshot.workers.length }]),
  ];
}

// --- Connection ---

export interface OpenBullmqRedisOptions {
  password?: string;
  /** Connect timeout in ms. Default 5000. */
  connectTimeoutMs?: number;
  /**
   * false (default): one attempt, no reconnection, for a connection used once and closed.
   * true: a long-lived connection that reconnects in the background; commands fail at once while it is down.
   */
  persistent?: boolean;
}

export interface BullmqRedisConnection {
  client: BullmqRedis;
  /** Resolves once connected (rejects with the cause: ECONNREFUSED, WRONGPASS…). */
  ready: Promise<void>;
  /** Drops the connection at once. Idempotent. */
  close(): void;
}

/** Opens an ioredis connection to `url` for the bullmq readers (needs the optional `ioredis` package). */
export async function openBullmqRedis(
  url: string,
  options: OpenBullmqRedisOptions = {},
): Promise<BullmqRedisConnection> {
  const ioredis = await loadDriver(() => import('ioredis'), 'ioredis', 'bullmq');
  const Redis = ioredis.Redis ?? ioredis.default;
  const persistent = options.persistent ?? false;
  const client = new Redis(url, {
    ...(options.password !== undefined ? { password: options.password } : {}),
    lazyConnect: true,
    enableReadyCheck: false,
    connectTimeout: options.connectTimeoutMs ?? 5000,
    // A poll must fail while Redis is down, not queue behind a reconnection.
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    ...(persistent ? {} : { retryStrategy: () => null }),
    disconnectTimeout: 100,
  });
  // ioredis rejects with a bare "Connection is closed." while the cause only reaches the 'error' event.
  let cause: unknown;
  client.on('error', (error: unknown) => {
    cause = error;
  });
  const explain = (error: unknown): never => {
    const bare = error instanceof Error && /connection is closed|stream isn't writeable/i.test(error.message);
    throw cause !== undefined && bare ? cause : error;
  };
  const ready = client.connect().then(
    () => undefined,
    (error: unknown) => explain(error),
  );
  // A persistent connection's first failure is reported by the polls, not as an unhandled rejection.
  ready.catch(() => {});
  const wrapped: BullmqRedis = {
    pipeline: (commands) => {
      const pipeline = client.pipeline(commands);
      return { exec: () => pipeline.exec().catch(explain) };
    },
    get status() {
      return client.status;
    },
  };
  return { client: wrapped, ready, close: once(() => client.disconnect()) };
}

// --- Probe and check ---

/** Reads the queues, then judges each: the result names the queues at fault and why. */
export const bullmqProbe: Probe<BullmqCheckOptions> = async (options, context) => {
  const secrets = typeof options.connection === 'string' ? [options.password, ...secretsInUrl(options.connection)] : [];
  const prefix = options.prefix ?? DEFAULT_BULLMQ_PREFIX;
  try {
    const rules = validateBullmq(options);
    const now = options.now?.() ?? Date.now();
    const failedSince = new Map<string, number>();
    for (const rule of rules) {
      if (!rule.maxFailed) continue;
      const since = failedCountStart(rule, now, options.previousRunAt);
      if (since !== undefined) failedSince.set(rule.name, since);
    }
    const read = (client: BullmqRedis) =>
      readBullmqQueues(client, {
        prefix,
        queues: rules.map((r) => r.name),
        now,
        ...(options.activeSample !== undefined ? { activeSample: options.activeSample } : {}),
        ...(options.schedulerSample !== undefined ? { schedulerSample: options.schedulerSample } : {}),
        failedSince: (queue) => failedSince.get(queue),
        signal: context.signal,
      });

    let result: BullmqReadResult;
    if (typeof options.connection === 'string') {
      const connection = await openBullmqRedis(options.connection, {
        ...(options.password !== undefined ? { password: options.password } : {}),
        // Backstop only: the abort at the deadline closes the connection first.
        connectTimeoutMs: backstopDelay(context.deadline),
      });
      const stopListening = onAbort(context.signal, connection.close);
      try {
        await connection.ready;
        result = await read(connection.client);
      } finally {
        stopListening();
        connection.close();
      }
    } else {
      const state = options.connection.status;
      // A client that is reconnecting would queue the commands until the deadline: say why at once instead.
      if (state !== undefined && !['ready', 'wait', 'connect', 'connecting'].includes(state)) {
        throw new Error(`the Redis connection is ${state}, not ready (is Redis up and reachable?)`);
      }
      result = await read(options.connection);
    }
    return verdict(result, rules, prefix, now);
  } catch (error) {
    return {
      status: 'unhealthy',
      details: { type: TYPE, prefix },
      error: `cannot read the BullMQ queues: ${sanitizeMessage(errorMessage(error), secrets)}`,
    };
  }
};

function verdict(result: BullmqReadResult, rules: QueueRuleSet[], prefix: string, now: number): ProbeResult {
  const queues: Record<string, unknown> = {};
  const measurements: Measurement[] = [];
  const problems: Finding[] = [];
  let status: Status = 'healthy';
  result.queues.forEach((snapshot, i) => {
    const rule = rules[i]!;
    const findings = evaluate(snapshot, rule, now);
    queues[snapshot.name] = queueDetails(snapshot, rule, findings, now);
    measurements.push(...queueMeasurements(snapshot));
    for (const finding of findings) {
      status = worstOf(status, finding.status);
      problems.push({ status: finding.status, message: `queue ${snapshot.name}: ${finding.message}` });
    }
  });
  // Unhealthy reasons first (stable within a level), so a truncated display still shows the worst.
  const ordered = problems.sort((a, b) => SEVERITY_RANK[a.status] - SEVERITY_RANK[b.status]);
  return {
    status,
    details: {
      type: TYPE,
      prefix,
      queues,
      ...(result.workersUnknown ? { workers_unknown: result.workersUnknown } : {}),
      round_trips: result.roundTrips,
    },
    measurements,
    ...(ordered.length > 0 ? { error: ordered.map((p) => p.message).join('; ') } : {}),
  };
}

function validateBullmq(options: BullmqCheckOptions): QueueRuleSet[] {
  const connection = options.connection;
  const isUrl = typeof connection === 'string';
  if (isUrl ? !/^rediss?:\/\//.test(connection) : typeof connection?.pipeline !== 'function') {
    throw new TypeError('bullmq check: `connection` must be an ioredis client or a redis:// URL');
  }
  if (options.password !== undefined && !isUrl) {
    throw new TypeError('bullmq check: `password` is only used with a URL connection');
  }
  if (!Array.isArray(options.queues) || options.queues.length === 0) {
    throw new TypeError('bullmq check: `queues` must list at least one queue');
  }
  if (options.prefix !== undefined && !/^[^\s]{1,100}$/.test(options.prefix)) {
    throw new TypeError('bullmq check: `prefix` must be 1-100 characters without spaces');
  }
  if (options.activeSample !== undefined) positiveInteger(options.activeSample, 'activeSample');
  if (options.schedulerSample !== undefined) positiveInteger(options.schedulerSample, 'schedulerSample');
  const rules = options.queues.map(queueRules);
  const names = new Set(rules.map((r) => r.name));
  if (names.size !== rules.length) throw new TypeError('bullmq check: a queue is listed twice');
  return rules;
}

/**
 * BullMQ queues, workers and job schedulers: reachable, workers present while jobs wait, backlog, age of the
 * oldest waiting job, failures, stuck jobs, overdue schedulers, paused. Default name `bullmq`.
 */
export function bullmqCheck(options: BullmqCheckOptions & CheckOptions): Check {
  validateBullmq(options);
  const { connection, password, prefix, queues, activeSample, schedulerSample, now } = options;
  // The check remembers when it last ran, so failedGrowth counts failures since then.
  let previousRunAt: number | undefined;
  return defineCheck(
    { kind: TYPE, componentType: 'component' },
    options,
    async (context) => {
      const startedAt = now?.() ?? Date.now();
      const result = await bullmqProbe(
        {
          connection,
          password,
          prefix,
          queues,
          activeSample,
          schedulerSample,
          ...(previousRunAt !== undefined ? { previousRunAt } : {}),
          ...(now ? { now } : {}),
        },
        context,
      );
      // Only a run that read the queues moves the mark: failures during an outage are counted by the next one.
      if (result.details?.queues !== undefined) previousRunAt = startedAt;
      return result;
    },
    typeof connection === 'string' ? [password, ...secretsInUrl(connection)] : [],
  );
}
