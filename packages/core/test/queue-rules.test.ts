/**
 * The queue rules shared by `bullmqCheck` and `vigil doctor`, on hand-made snapshots (the reading of real queues is
 * tested in bullmq.test.ts): thresholds, units, ranking and the "crossed" phrase.
 */
import { describe, expect, it } from 'vitest';
import {
  type BullmqActiveJob,
  type BullmqQueueSnapshot,
  crossedPhrase,
  DEFAULT_SCHEDULER_TOLERANCE_MS,
  DEFAULT_SCHEDULER_TOLERANCE_SECONDS,
  failedCountStart,
  judgeQueue,
  msFromSeconds,
  overdueSchedulers,
  type QueueFinding,
  type QueueRuleOptions,
  type QueueRuleSet,
  resolveQueueRules,
  type Status,
  statusAgainst,
  stuckJobs,
  thresholdsMsFromSeconds,
} from '../src/index.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const WORKER = { name: 'mailer-1', clientId: '7', addr: '127.0.0.1:50000', ageSeconds: 60, idleSeconds: 0 };

/** A healthy queue with one worker and nothing to do, changed by `patch`. */
function snapshot(patch: Partial<BullmqQueueSnapshot> = {}): BullmqQueueSnapshot {
  return {
    name: 'emails',
    exists: true,
    paused: false,
    counts: { waiting: 0, prioritized: 0, active: 0, delayed: 0, 'waiting-children': 0, completed: 0, failed: 0 },
    dueDelayed: 0,
    backlog: 0,
    workers: [WORKER],
    oldestWaitingSeconds: 0,
    active: [],
    failedSince: null,
    schedulers: null,
    ...patch,
  };
}

const rules = (options: Partial<QueueRuleOptions> = {}): QueueRuleSet =>
  resolveQueueRules({ name: 'emails', schedulerToleranceMs: false, ...options });

/** The findings without the job / scheduler objects: what was judged, at what value, against which threshold. */
const judged = (findings: QueueFinding[]) =>
  findings.map((f) => ({
    rule: f.rule,
    status: f.status,
    value: 'value' in f ? f.value : undefined,
    above: 'above' in f ? f.above : undefined,
  }));

const job = (id: string, startedAt: number | null): BullmqActiveJob => ({
  id,
  name: `job-${id}`,
  worker: null,
  startedAt,
});

describe('resolveQueueRules', () => {
  it('fills the defaults: paused degraded, no workers unhealthy, schedulers 1 min / 10 min late', () => {
    expect(resolveQueueRules({ name: 'emails' })).toEqual({
      name: 'emails',
      whenPaused: 'degraded',
      whenNoWorkers: 'unhealthy',
      schedulerToleranceMs: { degraded: 60_000, unhealthy: 600_000 },
    });
    // The check's public default in seconds is the same tolerance.
    expect(DEFAULT_SCHEDULER_TOLERANCE_SECONDS).toEqual({ degraded: 60, unhealthy: 600 });
    expect(DEFAULT_SCHEDULER_TOLERANCE_MS).toEqual({ degraded: 60_000, unhealthy: 600_000 });
  });

  it('keeps what is given, and leaves schedulers out with false', () => {
    const given = resolveQueueRules({
      name: 'emails',
      maxWaiting: { degraded: 100 },
      maxRunTimeMs: { unhealthy: 5000 },
      schedulerToleranceMs: { degraded: 500 },
      whenPaused: 'healthy',
      whenNoWorkers: 'degraded',
    });
    expect(given).toMatchObject({
      maxWaiting: { degraded: 100 },
      maxRunTimeMs: { unhealthy: 5000 },
      schedulerToleranceMs: { degraded: 500 },
      whenPaused: 'healthy',
      whenNoWorkers: 'degraded',
    });
    expect(resolveQueueRules({ name: 'emails', schedulerToleranceMs: false }).schedulerToleranceMs).toBeUndefined();
  });
});

describe('seconds to milliseconds', () => {
  it.each([
    [0, 0],
    [1, 1000],
    [60, 60_000],
    [1.1, 1100], // 1.1 * 1000 is 1100.0000000000002 in floating point
    [4.35, 4350],
    [0.0005, 0.5],
    [Infinity, Infinity],
  ])('%s s is %s ms', (seconds, ms) => {
    expect(msFromSeconds(seconds)).toBe(ms);
  });

  it('converts thresholds level by level, adding no level', () => {
    expect(thresholdsMsFromSeconds({ degraded: 1.1, unhealthy: 600 })).toEqual({ degraded: 1100, unhealthy: 600_000 });
    expect(thresholdsMsFromSeconds({ unhealthy: 2 })).toStrictEqual({ unhealthy: 2000 });
  });

  it('a value measured in seconds meets a threshold in ms as written, with no floating-point residue', () => {
    const limits = rules({ maxOldestWaitingMs: { degraded: 1100 } });
    const at = (seconds: number) => judgeQueue(snapshot({ backlog: 1, oldestWaitingSeconds: seconds }), limits, NOW);
    expect(at(1.1)).toEqual([]); // not strictly above 1.1 s
    expect(judged(at(1.2))).toEqual([{ rule: 'oldest-waiting', status: 'degraded', value: 1200, above: 1100 }]);
  });
});

describe('failedCountStart', () => {
  it.each([
    ['a window counts back from now', { failedWindowMs: 600_000 }, NOW - 5000, NOW - 600_000],
    ['no window: since the previous read', {}, NOW - 5000, NOW - 5000],
    ['no window and no previous read: not counted', {}, undefined, undefined],
  ])('%s', (_, given, previous, expected) => {
    expect(failedCountStart(given, NOW, previous)).toBe(expected);
  });
});

describe('judgeQueue: thresholds, strictly above', () => {
  type Expected = ReturnType<typeof judged>[number];
  const found = (rule: QueueFinding['rule'], status: Status, value?: number, above?: number): Expected => ({
    rule,
    status,
    value,
    above,
  });
  const backlogLimits = { maxWaiting: { degraded: 3, unhealthy: 5 } };
  const cases: Array<[string, Partial<BullmqQueueSnapshot>, Partial<QueueRuleOptions>, Expected[]]> = [
    ['nothing set, nothing wrong', { backlog: 500, failedSince: 40 }, {}, []],
    ['backlog at the degraded threshold', { backlog: 3 }, backlogLimits, []],
    ['backlog above degraded', { backlog: 4 }, backlogLimits, [found('backlog', 'degraded', 4, 3)]],
    ['backlog above unhealthy', { backlog: 6 }, backlogLimits, [found('backlog', 'unhealthy', 6, 5)]],
    [
      'oldest waiting, measured in seconds, judged in ms',
      { backlog: 1, oldestWaitingSeconds: 120.5 },
      { maxOldestWaitingMs: { degraded: 60_000, unhealthy: 300_000 } },
      [found('oldest-waiting', 'degraded', 120_500, 60_000)],
    ],
    [
      'failures above the threshold',
      { failedSince: 3 },
      { maxFailed: { degraded: 1, unhealthy: 2 } },
      [found('failed', 'unhealthy', 3, 2)],
    ],
    ['failures not counted: not judged', { failedSince: null }, { maxFailed: { degraded: 0 } }, []],
    ['jobs ready and no worker', { backlog: 1, workers: [] }, {}, [found('no-workers', 'unhealthy', 1)]],
    ['no worker, but nothing to do', { backlog: 0, workers: [] }, {}, []],
    ['worker presence unknown: no claim of no worker', { backlog: 5, workers: null }, {}, []],
    ['paused, with its status', { paused: true }, { whenPaused: 'unhealthy' }, [found('paused', 'unhealthy')]],
    [
      'a rule set to healthy finds nothing',
      { paused: true, backlog: 2, workers: [] },
      { whenPaused: 'healthy', whenNoWorkers: 'healthy' },
      [],
    ],
    ['no key and no worker: a typo', { exists: false, workers: [] }, {}, [found('unknown-queue', 'degraded')]],
    ['no key but a worker: a queue not used yet', { exists: false }, {}, []],
  ];
  it.each(cases)('%s', (_, queue, given, expected) => {
    expect(judged(judgeQueue(snapshot(queue), rules(given), NOW))).toEqual(expected);
  });

  it('agrees with statusAgainst on every value around the thresholds', () => {
    const limits = { degraded: 10, unhealthy: 20 };
    for (let backlog = 0; backlog <= 25; backlog++) {
      const found = judgeQueue(snapshot({ backlog }), rules({ maxWaiting: limits }), NOW);
      expect(found.map((f) => f.status)[0] ?? 'healthy').toBe(statusAgainst(backlog, limits).status);
    }
  });

  it('lists the findings in one order: unknown, paused, no workers, backlog, oldest, failed, stuck, overdue', () => {
    const found = judgeQueue(
      snapshot({
        exists: false,
        workers: [],
        paused: true,
        backlog: 10,
        oldestWaitingSeconds: 100,
        failedSince: 5,
        active: [job('1', NOW - 10_000)],
        schedulers: { total: 1, pastDue: 1, earliest: [{ id: 'nightly', next: NOW - 10_000 }] },
      }),
      rules({
        maxWaiting: { degraded: 1 },
        maxOldestWaitingMs: { degraded: 1000 },
        maxFailed: { degraded: 1 },
        maxRunTimeMs: { degraded: 1000 },
        schedulerToleranceMs: { degraded: 1000 },
      }),
      NOW,
    );
    expect(found.map((f) => f.rule)).toEqual([
      'unknown-queue',
      'paused',
      'no-workers',
      'backlog',
      'oldest-waiting',
      'failed',
      'stuck-job',
      'overdue-scheduler',
    ]);
  });
});

describe('stuck jobs: ms since the job started, worst first', () => {
  const active = [
    job('short', NOW - 1_500),
    job('not-started', null),
    job('middle', NOW - 30_000),
    job('fine', NOW - 999),
    job('longest', NOW - 90_000),
  ];
  const limits = rules({ maxRunTimeMs: { degraded: 1000, unhealthy: 60_000 } });

  it('ranks the jobs over the limit by how long they have run, with the status each reached', () => {
    const stuck = stuckJobs(snapshot({ active }), limits, NOW);
    expect(stuck.map((s) => [s.job.id, s.status, s.value, s.above])).toEqual([
      ['longest', 'unhealthy', 90_000, 60_000],
      ['middle', 'degraded', 30_000, 1000],
      ['short', 'degraded', 1500, 1000],
    ]);
  });

  it('reports the worst and how many others are stuck', () => {
    const [finding] = judgeQueue(snapshot({ active }), limits, NOW);
    expect(finding).toMatchObject({ rule: 'stuck-job', status: 'unhealthy', value: 90_000, others: 2 });
    expect(finding).toHaveProperty('job.id', 'longest');
  });

  it('judges nothing without maxRunTimeMs', () => {
    expect(stuckJobs(snapshot({ active }), rules(), NOW)).toEqual([]);
    expect(judgeQueue(snapshot({ active }), rules(), NOW)).toEqual([]);
  });
});

describe('overdue job schedulers: ms late, to the tenth of a second, worst first', () => {
  const byDefault = rules({ schedulerToleranceMs: DEFAULT_SCHEDULER_TOLERANCE_MS });
  const schedulers = (...lateMs: number[]) => ({
    total: lateMs.length,
    pastDue: lateMs.filter((ms) => ms > 0).length,
    earliest: lateMs.map((ms, i) => ({ id: `s${i}`, next: NOW - ms })),
  });

  it.each([
    ['on time', -5000, undefined],
    ['at the tolerance', 60_000, undefined],
    ['40 ms past it: rounds to the tolerance, not overdue', 60_040, undefined],
    ['50 ms past it: rounds to 60.1 s', 60_050, { status: 'degraded', value: 60_100, above: 60_000 }],
    ['past unhealthy', 700_000, { status: 'unhealthy', value: 700_000, above: 600_000 }],
  ])('%s', (_, lateMs, expected) => {
    const [late] = overdueSchedulers(snapshot({ schedulers: schedulers(lateMs) }), byDefault, NOW);
    expect(late && { status: late.status, value: late.value, above: late.above }).toEqual(expected);
  });

  it('ranks by lateness whatever the order read, and counts the others', () => {
    const queue = snapshot({ schedulers: schedulers(90_000, 1_000_000, 5000, 120_000) });
    const tolerance = rules({ schedulerToleranceMs: { degraded: 60_000, unhealthy: 600_000 } });
    expect(overdueSchedulers(queue, tolerance, NOW).map((s) => [s.scheduler.id, s.status, s.value])).toEqual([
      ['s1', 'unhealthy', 1_000_000],
      ['s3', 'degraded', 120_000],
      ['s0', 'degraded', 90_000],
    ]);
    expect(judgeQueue(queue, tolerance, NOW)).toEqual([
      expect.objectContaining({
        rule: 'overdue-scheduler',
        status: 'unhealthy',
        others: 2,
        scheduler: { id: 's1', next: NOW - 1_000_000 },
      }),
    ]);
  });

  it('judges nothing when schedulers are left out (false) or were not read', () => {
    expect(overdueSchedulers(snapshot({ schedulers: schedulers(1_000_000) }), rules(), NOW)).toEqual([]);
    expect(overdueSchedulers(snapshot({ schedulers: null }), byDefault, NOW)).toEqual([]);
  });
});

describe('crossedPhrase', () => {
  const seconds = (ms: number) => `${ms / 1000} s`;
  const cases: Array<[string, { status: Status; above?: number }, ((n: number) => string) | undefined, string]> = [
    ['a count', { status: 'degraded', above: 100 }, undefined, ' (degraded above 100)'],
    ['a duration, shown by the caller', { status: 'unhealthy', above: 1500 }, seconds, ' (unhealthy above 1.5 s)'],
    ['nothing crossed', { status: 'healthy' }, undefined, ''],
    ['a threshold of zero is still one', { status: 'degraded', above: 0 }, undefined, ' (degraded above 0)'],
  ];
  it.each(cases)('%s', (_, verdict, show, expected) => {
    expect(crossedPhrase(verdict, show)).toBe(expected);
  });

  it('phrases a finding as judged', () => {
    const [finding] = judgeQueue(snapshot({ backlog: 7 }), rules({ maxWaiting: { degraded: 2, unhealthy: 6 } }), NOW);
    expect(crossedPhrase(finding!)).toBe(' (unhealthy above 6)');
  });
});
