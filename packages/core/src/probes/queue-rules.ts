import { type Status, statusAgainst, type StatusThresholds } from '../status.js';
import type { BullmqActiveJob, BullmqQueueSnapshot, BullmqSchedulerNext } from './bullmq.js';

/**
 * The queue rules that `bullmqCheck` and `vigil doctor` apply to a queue snapshot (`readBullmqQueues`): one rule set
 * per queue with every duration in milliseconds, judged into structured findings — the status reached, the value
 * measured, the threshold crossed, the job or scheduler at fault. Each caller only words them. A value strictly
 * above a threshold reaches its status (`statusAgainst`).
 */

/** The rules for one queue, resolved: every duration in ms. */
export interface QueueRuleSet {
  name: string;
  /** Backlog: jobs ready to run (waiting + prioritized + delayed and due). */
  maxWaiting?: StatusThresholds;
  /** Age of the oldest waiting job, in ms. */
  maxOldestWaitingMs?: StatusThresholds;
  /** Jobs failed for good within `failedWindowMs`, or since the previous read when there is no window. */
  maxFailed?: StatusThresholds;
  failedWindowMs?: number;
  /** How long (ms) a job may be active before it is stuck. */
  maxRunTimeMs?: StatusThresholds;
  /** How late (ms) a job scheduler's next run may be; absent: schedulers are not judged. */
  schedulerToleranceMs?: StatusThresholds;
  whenPaused: Status;
  whenNoWorkers: Status;
}

/** What `resolveQueueRules` fills in: the statuses and the scheduler tolerance have defaults. */
export interface QueueRuleOptions extends Omit<QueueRuleSet, 'schedulerToleranceMs' | 'whenPaused' | 'whenNoWorkers'> {
  /** Default `DEFAULT_SCHEDULER_TOLERANCE_MS`; false: schedulers are not judged. */
  schedulerToleranceMs?: StatusThresholds | false;
  /** Default `degraded`. */
  whenPaused?: Status;
  /** Default `unhealthy`. */
  whenNoWorkers?: Status;
}

export const DEFAULT_SCHEDULER_TOLERANCE_MS: Readonly<Required<StatusThresholds>> = Object.freeze({
  degraded: 60_000,
  unhealthy: 600_000,
});

export function resolveQueueRules(options: QueueRuleOptions): QueueRuleSet {
  const tolerance = options.schedulerToleranceMs ?? DEFAULT_SCHEDULER_TOLERANCE_MS;
  return {
    name: options.name,
    maxWaiting: options.maxWaiting,
    maxOldestWaitingMs: options.maxOldestWaitingMs,
    maxFailed: options.maxFailed,
    failedWindowMs: options.failedWindowMs,
    maxRunTimeMs: options.maxRunTimeMs,
    schedulerToleranceMs: tolerance === false ? undefined : tolerance,
    whenPaused: options.whenPaused ?? 'degraded',
    whenNoWorkers: options.whenNoWorkers ?? 'unhealthy',
  };
}

/** Seconds to ms, to the microsecond: 1.1 s is 1100 ms (not 1100.0000000000002), so values compare as written. */
export function msFromSeconds(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e3;
}

/** Thresholds given in seconds, in ms. */
export function thresholdsMsFromSeconds(limits: StatusThresholds): StatusThresholds {
  const ms: StatusThresholds = {};
  if (limits.degraded !== undefined) ms.degraded = msFromSeconds(limits.degraded);
  if (limits.unhealthy !== undefined) ms.unhealthy = msFromSeconds(limits.unhealthy);
  return ms;
}

/** Epoch ms from which failed jobs are counted: `failedWindowMs` back from now, else the previous read (if any). */
export function failedCountStart(
  rules: Pick<QueueRuleSet, 'failedWindowMs'>,
  now: number,
  previousReadAt?: number,
): number | undefined {
  return rules.failedWindowMs !== undefined ? now - rules.failedWindowMs : previousReadAt;
}

/** A threshold crossed: the status it reaches, the value measured and the threshold it is strictly above. */
export interface QueueCrossing {
  status: Status;
  value: number;
  above: number;
}

function crossing(value: number, thresholds: StatusThresholds | undefined): QueueCrossing | undefined {
  const { status, above } = statusAgainst(value, thresholds);
  return above === undefined ? undefined : { status, value, above };
}

/** An active job over `maxRunTimeMs`; `value` is how long it has run, in ms. */
export interface StuckJob extends QueueCrossing {
  job: BullmqActiveJob;
}

/** The sampled active jobs over `maxRunTimeMs`, longest-running (worst) first; none when it is not set. */
export function stuckJobs(snapshot: BullmqQueueSnapshot, rules: QueueRuleSet, now: number): StuckJob[] {
  const stuck: StuckJob[] = [];
  for (const job of snapshot.active) {
    if (job.startedAt === null) continue;
    const found = crossing(now - job.startedAt, rules.maxRunTimeMs);
    if (found) stuck.push({ ...found, job });
  }
  return stuck.sort((a, b) => b.value - a.value);
}

/**
 * A job scheduler later than `schedulerToleranceMs`; `value` is how late its next run is, in ms to the tenth of a
 * second (the resolution of the oldest waiting job's age), so what is shown is what was judged.
 */
export interface OverdueScheduler extends QueueCrossing {
  scheduler: BullmqSchedulerNext;
}

/** The sampled job schedulers over `schedulerToleranceMs`, most overdue (worst) first; none when it is not set. */
export function overdueSchedulers(snapshot: BullmqQueueSnapshot, rules: QueueRuleSet, now: number): OverdueScheduler[] {
  const late: OverdueScheduler[] = [];
  for (const scheduler of snapshot.schedulers?.earliest ?? []) {
    const found = crossing(Math.round((now - scheduler.next) / 100) * 100, rules.schedulerToleranceMs);
    if (found) late.push({ ...found, scheduler });
  }
  return late.sort((a, b) => b.value - a.value);
}

/**
 * What is wrong with a queue, one finding per rule broken, in this order: unknown queue, paused, no workers, backlog
 * (jobs), oldest waiting (ms), failed (jobs), the worst stuck job (ms) and the most overdue scheduler (ms), each with
 * how many `others` are past their limit too. A rule whose status is `healthy` (e.g. `whenPaused: healthy`) finds
 * nothing.
 */
export type QueueFinding =
  | { rule: 'unknown-queue'; status: Status }
  | { rule: 'paused'; status: Status }
  /** `value`: the jobs ready to run. */
  | { rule: 'no-workers'; status: Status; value: number }
  | ({ rule: 'backlog' | 'oldest-waiting' | 'failed' } & QueueCrossing)
  | ({ rule: 'stuck-job'; others: number } & StuckJob)
  | ({ rule: 'overdue-scheduler'; others: number } & OverdueScheduler);

export function judgeQueue(snapshot: BullmqQueueSnapshot, rules: QueueRuleSet, now: number): QueueFinding[] {
  const findings: QueueFinding[] = [];
  const workers = snapshot.workers === null ? null : snapshot.workers.length;
  // No key and no worker: a typo in the queue name or the prefix (unknown workers do not prove it exists).
  if (!snapshot.exists && !workers) findings.push({ rule: 'unknown-queue', status: 'degraded' });
  if (snapshot.paused) findings.push({ rule: 'paused', status: rules.whenPaused });
  if (workers === 0 && snapshot.backlog > 0) {
    findings.push({ rule: 'no-workers', status: rules.whenNoWorkers, value: snapshot.backlog });
  }
  const judge = (rule: 'backlog' | 'oldest-waiting' | 'failed', value: number, limits?: StatusThresholds) => {
    const found = crossing(value, limits);
    if (found) findings.push({ rule, ...found });
  };
  judge('backlog', snapshot.backlog, rules.maxWaiting);
  judge('oldest-waiting', msFromSeconds(snapshot.oldestWaitingSeconds), rules.maxOldestWaitingMs);
  if (snapshot.failedSince !== null) judge('failed', snapshot.failedSince, rules.maxFailed);
  const [stuck, ...moreStuck] = stuckJobs(snapshot, rules, now);
  if (stuck) findings.push({ rule: 'stuck-job', ...stuck, others: moreStuck.length });
  const [late, ...moreLate] = overdueSchedulers(snapshot, rules, now);
  if (late) findings.push({ rule: 'overdue-scheduler', ...late, others: moreLate.length });
  return findings.filter((finding) => finding.status !== 'healthy');
}

/** ` (degraded above 100)`: the threshold crossed, shown with `show`; empty when none was. */
export function crossedPhrase(
  verdict: { status: Status; above?: number },
  show: (threshold: number) => string = String,
): string {
  return verdict.above === undefined ? '' : ` (${verdict.status} above ${show(verdict.above)})`;
}
