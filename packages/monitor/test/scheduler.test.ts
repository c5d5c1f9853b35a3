import { describe, expect, it } from 'vitest';
import { ManualClock, delay } from '../src/scheduler/clock.js';
import { type RunInfo, RunAbortedError, type SchedulableMonitor, Scheduler } from '../src/scheduler/scheduler.js';
import { nextPhaseSlot } from '../src/scheduler/spread.js';

const T0 = 1_700_000_000_000;
const SECOND = 1000;

interface Run {
  id: string;
  dueAt: number;
  startedAt: number;
  endedAt?: number;
  abortReason?: unknown;
}

function monitor(id: string, overrides: Partial<SchedulableMonitor> = {}): SchedulableMonitor {
  return { id, intervalMs: 20 * SECOND, timeoutMs: 5 * SECOND, paused: false, ...overrides };
}

/** A monitor whose first slot is exactly `at` (resumed from a last check one interval earlier). */
function dueAt(id: string, at: number, overrides: Partial<SchedulableMonitor> = {}): SchedulableMonitor {
  const intervalMs = overrides.intervalMs ?? 20 * SECOND;
  return monitor(id, { ...overrides, intervalMs, lastCheckAt: at - intervalMs });
}

/** A scheduler on a manual clock that records every run; `duration` decides how long each run takes. */
function setup(
  options: { duration?: (id: string, n: number) => number; concurrency?: number; owns?: (id: string) => boolean; coalesceMs?: number } = {},
) {
  const clock = new ManualClock(T0);
  const runs: Run[] = [];
  const counts = new Map<string, number>();
  const errors: unknown[] = [];
  const scheduler = new Scheduler({
    clock,
    concurrency: options.concurrency ?? 256,
    ...(options.coalesceMs === undefined ? {} : { coalesceMs: options.coalesceMs }),
    ownership: options.owns ? { owns: options.owns } : undefined,
    onError: (error) => errors.push(error),
    run: async (m, signal, info: RunInfo) => {
      const n = counts.get(m.id) ?? 0;
      counts.set(m.id, n + 1);
      expect(info.startedAt).toBe(clock.now());
      const run: Run = { id: m.id, dueAt: info.dueAt, startedAt: info.startedAt };
      runs.push(run);
      try {
        const ms = options.duration?.(m.id, n) ?? 0;
        if (ms > 0) await delay(clock, ms, signal);
      } catch (error) {
        run.abortReason = error;
      }
      run.endedAt = clock.now();
    },
  });
  const runsOf = (id: string) => runs.filter((r) => r.id === id);
  return { clock, scheduler, runs, runsOf, errors };
}

describe('first runs', () => {
  it('spreads 10,000 monitors over one 20 s interval, evenly, with one timer', async () => {
    const { clock, scheduler, runs } = setup();
    scheduler.setMonitors(Array.from({ length: 10_000 }, (_, i) => monitor(`monitor-${i}`)));
    scheduler.start();
    expect(clock.pendingTimers).toBe(1);

    await clock.advance(20 * SECOND - 1);
    expect(runs).toHaveLength(10_000);
    expect(new Set(runs.map((r) => r.id)).size).toBe(10_000);
    const buckets = new Array<number>(20).fill(0);
    for (const run of runs) {
      const offset = run.startedAt - T0;
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(20 * SECOND);
      buckets[Math.floor(offset / SECOND)]!++;
    }
    // 500 per second on average; no second gets twice that, none is nearly empty.
    expect(Math.max(...buckets)).toBeLessThanOrEqual(1000);
    expect(Math.min(...buckets)).toBeGreaterThanOrEqual(250);
    expect(clock.pendingTimers).toBe(1);
    expect(scheduler.stats().lateness).toMatchObject({ count: 10_000, p50: 0, p99: 0, max: 0 });

    // The next round runs each monitor exactly one interval later.
    await clock.advance(20 * SECOND);
    expect(runs).toHaveLength(20_000);
    const first = new Map(runs.slice(0, 10_000).map((r) => [r.id, r.startedAt]));
    for (const run of runs.slice(10_000)) expect(run.startedAt - first.get(run.id)!).toBe(20 * SECOND);
    await scheduler.stop();
  });

  it('puts a monitor at the same phase on every start (deterministic)', async () => {
    const a = setup();
    const b = setup();
    const monitors = Array.from({ length: 50 }, (_, i) => monitor(`m${i}`));
    a.scheduler.setMonitors(monitors);
    b.scheduler.setMonitors(monitors);
    a.scheduler.start();
    b.scheduler.start();
    for (const m of monitors) {
      expect(a.scheduler.nextDueAt(m.id)).toBe(b.scheduler.nextDueAt(m.id));
      expect(a.scheduler.nextDueAt(m.id)).toBe(nextPhaseSlot(m.id, m.intervalMs, T0));
    }
    await Promise.all([a.scheduler.stop(), b.scheduler.stop()]);
  });

  it('schedules nothing before start()', async () => {
    const { clock, scheduler, runs } = setup();
    scheduler.setMonitors([monitor('a'), monitor('b')]);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60 * SECOND);
    expect(runs).toHaveLength(0);
    expect(scheduler.nextDueAt('a')).toBeUndefined();
  });

  it('does not run paused monitors', async () => {
    const { clock, scheduler, runs } = setup();
    scheduler.setMonitors([monitor('on'), monitor('off', { paused: true })]);
    scheduler.start();
    await clock.advance(60 * SECOND);
    expect(runs.every((r) => r.id === 'on')).toBe(true);
    expect(runs).toHaveLength(3);
    expect(scheduler.stats()).toMatchObject({ monitors: 2, scheduled: 1 });
    await scheduler.stop();
  });
});

describe('coalescing', () => {
  it('wakes on a 100 ms grid and starts every run due by then together, each less than 100 ms after its slot', async () => {
    const { clock, scheduler, runs } = setup({ coalesceMs: 100 });
    scheduler.setMonitors(Array.from({ length: 1000 }, (_, i) => monitor(`monitor-${i}`)));
    scheduler.start();
    let wakeUps = 0;
    while (runs.length < 1000) {
      const next = clock.nextTimerAt();
      if (next === undefined) throw new Error('no timer set');
      expect(next % 100, 'a wake-up on the grid').toBe(0);
      await clock.advance(next - clock.now());
      wakeUps += 1;
    }
    // Without coalescing 1,000 monitors spread over 20 s wake the process about 1,000 times; on the grid at most 200.
    expect(wakeUps).toBeLessThanOrEqual(200);
    expect(new Set(runs.map((r) => r.startedAt)).size).toBe(wakeUps);
    for (const run of runs) {
      expect(run.startedAt - run.dueAt).toBeGreaterThanOrEqual(0);
      expect(run.startedAt - run.dueAt).toBeLessThan(100);
    }
    expect(scheduler.stats().lateness.max).toBeLessThan(100);
    // The slots do not move: the next round is due exactly one interval after the first.
    await clock.advance(20 * SECOND);
    const first = new Map(runs.slice(0, 1000).map((r) => [r.id, r.dueAt]));
    expect(runs.length).toBe(2000);
    for (const run of runs.slice(1000)) expect(run.dueAt - first.get(run.id)!).toBe(20 * SECOND);
    await scheduler.stop();
  });

  it('is off by default: each run starts at its own slot', async () => {
    const { clock, scheduler, runs } = setup();
    scheduler.setMonitors(Array.from({ length: 200 }, (_, i) => monitor(`monitor-${i}`)));
    scheduler.start();
    await clock.advance(20 * SECOND - 1);
    expect(runs.every((run) => run.startedAt === run.dueAt)).toBe(true);
    await scheduler.stop();
  });
});

describe('after a restart', () => {
  it('resumes each monitor one interval after its last check', async () => {
    const { clock, scheduler, runsOf } = setup();
    scheduler.setMonitors([monitor('recent', { lastCheckAt: T0 - 5 * SECOND }), monitor('just', { lastCheckAt: T0 - 20 * SECOND })]);
    scheduler.start();
    expect(scheduler.nextDueAt('recent')).toBe(T0 + 15 * SECOND);
    expect(scheduler.nextDueAt('just')).toBe(T0);
    await clock.advance(15 * SECOND);
    expect(runsOf('recent').map((r) => r.startedAt)).toEqual([T0 + 15 * SECOND]);
    expect(runsOf('just').map((r) => r.startedAt)).toEqual([T0]);
    await scheduler.stop();
  });

  it('spreads overdue monitors over one interval instead of running them all at once', async () => {
    const { clock, scheduler, runs } = setup();
    // Down for an hour: every monitor is overdue.
    scheduler.setMonitors(Array.from({ length: 10_000 }, (_, i) => monitor(`monitor-${i}`, { lastCheckAt: T0 - 3_600_000 + (i % 20_000) })));
    scheduler.start();
    await clock.advance(20 * SECOND - 1);
    expect(runs).toHaveLength(10_000);
    const buckets = new Array<number>(20).fill(0);
    for (const run of runs) buckets[Math.floor((run.startedAt - T0) / SECOND)]!++;
    expect(Math.max(...buckets)).toBeLessThanOrEqual(1000);
    await scheduler.stop();
  });

  it('treats a last check in the future (clock skew) as now', async () => {
    const { scheduler } = setup();
    scheduler.setMonitors([monitor('skewed', { lastCheckAt: T0 + 3_600_000 })]);
    scheduler.start();
    expect(scheduler.nextDueAt('skewed')).toBe(T0 + 20 * SECOND);
    await scheduler.stop();
  });

  it('runs every monitor within one interval, mixing resumed and new ones', async () => {
    const { clock, scheduler, runs } = setup();
    const monitors = Array.from({ length: 2000 }, (_, i) =>
      monitor(`m${i}`, i % 2 === 0 ? { lastCheckAt: T0 - (i % 40) * SECOND } : {}),
    );
    scheduler.setMonitors(monitors);
    scheduler.start();
    await clock.advance(20 * SECOND);
    expect(new Set(runs.map((r) => r.id)).size).toBe(2000);
    await scheduler.stop();
  });
});

describe('no drift', () => {
  it('keeps every run on its grid over 1,000 intervals while runs take variable time', async () => {
    let seed = 42;
    const random = () => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
      return seed / 2 ** 32;
    };
    const { clock, scheduler, runsOf, errors } = setup({ duration: () => Math.floor(random() * 950) });
    const ids = ['a', 'b', 'c'];
    scheduler.setMonitors(ids.map((id) => monitor(id, { intervalMs: SECOND, timeoutMs: 990 })));
    scheduler.start();
    await clock.advance(1000 * SECOND);
    for (const id of ids) {
      const runs = runsOf(id);
      expect(runs.length).toBeGreaterThanOrEqual(1000);
      const first = runs[0]!.startedAt;
      runs.forEach((run, k) => {
        expect(run.startedAt).toBe(first + k * SECOND);
        expect(run.dueAt).toBe(run.startedAt);
      });
    }
    expect(scheduler.stats()).toMatchObject({ skipped: 0, timedOut: 0 });
    expect(errors).toEqual([]);
    await scheduler.stop();
  });

  it('skips the slots a run overruns, never piling up, one run at a time', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const clock = new ManualClock(T0);
    const starts: number[] = [];
    const scheduler = new Scheduler({
      clock,
      run: async (_m, signal, info) => {
        starts.push(info.dueAt);
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        await delay(clock, 2500, signal).finally(() => inFlight--);
      },
    });
    scheduler.setMonitors([dueAt('slow', T0, { intervalMs: SECOND, timeoutMs: 10 * SECOND })]);
    scheduler.start();
    await clock.advance(9500);
    // Runs at 0, 3, 6, 9 s: each takes 2.5 s, so the two slots during it are skipped; the grid is kept.
    expect(starts.map((t) => t - T0)).toEqual([0, 3000, 6000, 9000]);
    expect(maxInFlight).toBe(1);
    expect(scheduler.stats().skipped).toBe(6);
    await scheduler.stop();
  });

  it('when the loop falls more than an interval behind, runs the latest slot and skips the missed ones', async () => {
    const base = new ManualClock(T0);
    // The event loop is blocked from 2 s to 5.5 s: no timer fires in between.
    const blocked = (at: number) => (at >= T0 + 2000 && at < T0 + 5500 ? T0 + 5500 : at);
    const laggy = {
      now: () => base.now(),
      setTimer: (at: number, fn: () => void) => base.setTimer(blocked(at), fn),
      clearTimer: base.clearTimer.bind(base),
    };
    const runs: RunInfo[] = [];
    const scheduler = new Scheduler({ clock: laggy, run: async (_m, _s, info) => void runs.push(info) });
    scheduler.setMonitors([dueAt('a', T0 + SECOND, { intervalMs: SECOND })]);
    scheduler.start();
    await base.advance(6 * SECOND);
    const late = runs[1]!;
    expect(late.dueAt - T0).toBe(5000);
    expect(late.startedAt - T0).toBe(5500);
    expect(scheduler.stats().skipped).toBe(3);
    expect(scheduler.stats().lateness.max).toBe(500);
    await scheduler.stop();
  });
});

describe('lateness', () => {
  it('records start − due per run and reports p50 / p99 / max', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new Scheduler({ clock, concurrency: 1, run: () => delay(clock, 50) });
    expect(scheduler.stats().lateness).toEqual({ count: 0, p50: 0, p99: 0, max: 0 });
    scheduler.setMonitors([dueAt('a', T0 + 100), dueAt('b', T0 + 100), dueAt('c', T0 + 100), dueAt('d', T0 + 100)]);
    scheduler.start();
    await clock.advance(SECOND);
    expect(scheduler.stats().lateness).toEqual({ count: 4, p50: 50, p99: 150, max: 150 });
    await scheduler.stop();
  });

  it('covers only the most recent runs', async () => {
    const clock = new ManualClock(T0);
    const scheduler = new Scheduler({ clock, concurrency: 1, latenessWindow: 2, run: () => delay(clock, 50) });
    scheduler.setMonitors([dueAt('a', T0 + 100), dueAt('b', T0 + 100), dueAt('c', T0 + 100)]);
    scheduler.start();
    await clock.advance(SECOND);
    expect(scheduler.stats().lateness).toEqual({ count: 2, p50: 50, p99: 100, max: 100 });
    await scheduler.stop();
  });
});

describe('setMonitors', () => {
  it('adds a monitor while running, at its phase slot within one interval', async () => {
    const { clock, scheduler, runsOf } = setup();
    scheduler.start();
    await clock.advance(7 * SECOND);
    scheduler.setMonitors([monitor('late')]);
    const at = scheduler.nextDueAt('late')!;
    expect(at).toBe(nextPhaseSlot('late', 20 * SECOND, T0 + 7 * SECOND));
    await clock.advance(20 * SECOND);
    expect(runsOf('late').map((r) => r.startedAt)).toEqual([at]);
    await scheduler.stop();
  });

  it('applies a shorter or longer interval from the next slot: last slot + new interval', async () => {
    const { clock, scheduler, runsOf } = setup();
    scheduler.setMonitors([dueAt('a', T0 + SECOND, { intervalMs: 10 * SECOND })]);
    scheduler.start();
    await clock.advance(2 * SECOND); // ran at 1 s
    scheduler.setMonitors([monitor('a', { intervalMs: 3 * SECOND })]);
    expect(scheduler.nextDueAt('a')).toBe(T0 + 4 * SECOND);
    await clock.advance(8 * SECOND);
    expect(runsOf('a').map((r) => r.startedAt - T0)).toEqual([1000, 4000, 7000, 10_000]);
    scheduler.setMonitors([monitor('a', { intervalMs: 60 * SECOND })]);
    expect(scheduler.nextDueAt('a')).toBe(T0 + 70 * SECOND);
    await scheduler.stop();
  });

  it('a new interval whose next slot is already past puts the monitor on its phase within the new interval', async () => {
    const { clock, scheduler } = setup();
    scheduler.setMonitors([dueAt('a', T0, { intervalMs: 60 * SECOND })]);
    scheduler.start();
    await clock.advance(30 * SECOND);
    scheduler.setMonitors([monitor('a', { intervalMs: 5 * SECOND })]);
    const now = clock.now();
    expect(scheduler.nextDueAt('a')).toBe(nextPhaseSlot('a', 5 * SECOND, now));
    expect(scheduler.nextDueAt('a')! - now).toBeLessThan(5 * SECOND);
    await scheduler.stop();
  });

  it('passes the updated monitor (new timeout, host…) to the next run', async () => {
    const clock = new ManualClock(T0);
    const seen: SchedulableMonitor[] = [];
    const scheduler = new Scheduler({ clock, run: async (m) => void seen.push(m) });
    scheduler.setMonitors([dueAt('a', T0, { intervalMs: SECOND, timeoutMs: 500 })]);
    scheduler.start();
    await clock.advance(0);
    scheduler.setMonitors([monitor('a', { intervalMs: SECOND, timeoutMs: 700, host: 'example.com' })]);
    await clock.advance(SECOND);
    expect(seen.map((m) => [m.timeoutMs, m.host])).toEqual([
      [500, undefined],
      [700, 'example.com'],
    ]);
    await scheduler.stop();
  });

  it('removes a monitor: its run is aborted and it never runs again', async () => {
    const { clock, scheduler, runsOf } = setup({ duration: () => 4 * SECOND });
    scheduler.setMonitors([dueAt('gone', T0, { intervalMs: 5 * SECOND, timeoutMs: 4500 }), dueAt('kept', T0, { intervalMs: 5 * SECOND })]);
    scheduler.start();
    await clock.advance(SECOND);
    scheduler.setMonitors([monitor('kept', { intervalMs: 5 * SECOND })]);
    await clock.advance(0);
    const [run] = runsOf('gone');
    expect(run!.abortReason).toBeInstanceOf(RunAbortedError);
    expect((run!.abortReason as RunAbortedError).reason).toBe('removed');
    expect(run!.endedAt).toBe(T0 + SECOND);
    expect(scheduler.nextDueAt('gone')).toBeUndefined();
    await clock.advance(30 * SECOND);
    expect(runsOf('gone')).toHaveLength(1);
    expect(runsOf('kept').length).toBeGreaterThan(5);
    expect(scheduler.stats()).toMatchObject({ monitors: 1, scheduled: 1 });
    await scheduler.stop();
  });

  it('pausing aborts the run and stops the schedule; resuming runs within one interval', async () => {
    const { clock, scheduler, runsOf } = setup({ duration: () => 500 });
    scheduler.setMonitors([dueAt('a', T0, { intervalMs: 2 * SECOND })]);
    scheduler.start();
    await clock.advance(2100); // ran at 0 and 2 s; the second run is in flight
    scheduler.setMonitors([monitor('a', { intervalMs: 2 * SECOND, paused: true })]);
    await clock.advance(0);
    expect((runsOf('a')[1]!.abortReason as RunAbortedError).reason).toBe('paused');
    await clock.advance(10 * SECOND);
    expect(runsOf('a')).toHaveLength(2);
    scheduler.setMonitors([monitor('a', { intervalMs: 2 * SECOND })]);
    // The last slot + interval is long past: the monitor runs at its phase slot, within one interval.
    expect(scheduler.nextDueAt('a')).toBe(nextPhaseSlot('a', 2 * SECOND, clock.now()));
    await clock.advance(2 * SECOND);
    expect(runsOf('a')).toHaveLength(3);
    await scheduler.stop();
  });

  it('rejects an invalid or duplicate monitor and changes nothing', async () => {
    const { scheduler } = setup();
    scheduler.setMonitors([monitor('a')]);
    scheduler.start();
    const before = scheduler.nextDueAt('a');
    expect(() => scheduler.setMonitors([monitor('b'), monitor('b')])).toThrow(/duplicate monitor id "b"/);
    expect(() => scheduler.setMonitors([monitor('b', { intervalMs: 500 })])).toThrow(/at least 1000 ms/);
    expect(() => scheduler.setMonitors([monitor('b', { timeoutMs: 0 })])).toThrow(/timeout/);
    expect(scheduler.nextDueAt('a')).toBe(before);
    expect(scheduler.stats().monitors).toBe(1);
    await scheduler.stop();
  });
});

describe('stop and start', () => {
  it('stop aborts runs in flight and resolves when they have settled', async () => {
    const { clock, scheduler, runs } = setup({ duration: () => 10 * SECOND });
    scheduler.setMonitors([dueAt('a', T0, { timeoutMs: 15 * SECOND }), dueAt('b', T0, { timeoutMs: 15 * SECOND })]);
    scheduler.start();
    await clock.advance(SECOND);
    expect(scheduler.stats().running).toBe(2);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await clock.advance(0);
    await stopping;
    expect(stopped).toBe(true);
    expect(runs.map((r) => (r.abortReason as RunAbortedError).reason)).toEqual(['stopped', 'stopped']);
    expect(scheduler.stats().running).toBe(0);
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(60 * SECOND);
    expect(runs).toHaveLength(2);
  });

  it('stop waits for a run that ignores its signal only abortGraceMs', async () => {
    const clock = new ManualClock(T0);
    const errors: unknown[] = [];
    const scheduler = new Scheduler({
      clock,
      abortGraceMs: 2 * SECOND,
      onError: (e) => errors.push(e),
      run: () => new Promise<void>(() => {}),
    });
    scheduler.setMonitors([dueAt('stuck', T0)]);
    scheduler.start();
    await clock.advance(0);
    let stopped = false;
    const stopping = scheduler.stop().then(() => (stopped = true));
    await clock.advance(1999);
    expect(stopped).toBe(false);
    await clock.advance(1);
    await stopping;
    expect(stopped).toBe(true);
    expect(scheduler.stats().abandoned).toBe(1);
    expect(String(errors[0])).toMatch(/"stuck" was still running 2000 ms after it was aborted \(stopped\)/);
  });

  it('start after stop resumes on the same grid', async () => {
    const { clock, scheduler, runsOf } = setup();
    scheduler.setMonitors([dueAt('a', T0, { intervalMs: 10 * SECOND })]);
    scheduler.start();
    await clock.advance(SECOND);
    await scheduler.stop();
    await clock.advance(3 * SECOND);
    scheduler.start();
    expect(scheduler.nextDueAt('a')).toBe(T0 + 10 * SECOND);
    await clock.advance(20 * SECOND);
    expect(runsOf('a').map((r) => r.startedAt - T0)).toEqual([0, 10_000, 20_000]);
    await scheduler.stop();
  });
});

describe('timeouts and errors', () => {
  it('aborts the signal at the timeout with a RunAbortedError("timeout")', async () => {
    const { clock, scheduler, runs } = setup({ duration: () => 60 * SECOND });
    scheduler.setMonitors([dueAt('slow', T0, { timeoutMs: 3 * SECOND })]);
    scheduler.start();
    await clock.advance(5 * SECOND);
    const reason = runs[0]!.abortReason as RunAbortedError;
    expect(reason).toBeInstanceOf(RunAbortedError);
    expect(reason.reason).toBe('timeout');
    expect(reason.name).toBe('TimeoutError');
    expect(reason.message).toBe('timed out after 3000 ms');
    expect(runs[0]!.endedAt).toBe(T0 + 3 * SECOND);
    expect(scheduler.stats()).toMatchObject({ timedOut: 1, running: 0 });
    await scheduler.stop();
  });

  it('reports a rejecting or throwing run and keeps scheduling', async () => {
    const clock = new ManualClock(T0);
    const errors: [unknown, string][] = [];
    let n = 0;
    const scheduler = new Scheduler({
      clock,
      onError: (e, m) => errors.push([e, m.id]),
      run: (m) => {
        n++;
        if (m.id === 'throws') throw new Error('sync boom');
        return Promise.reject(new Error('async boom'));
      },
    });
    scheduler.setMonitors([dueAt('throws', T0, { intervalMs: SECOND }), dueAt('rejects', T0, { intervalMs: SECOND })]);
    scheduler.start();
    await clock.advance(2 * SECOND);
    expect(n).toBe(6);
    expect(errors.map(([e, id]) => `${id}: ${(e as Error).message}`).sort()).toEqual([
      'rejects: async boom',
      'rejects: async boom',
      'rejects: async boom',
      'throws: sync boom',
      'throws: sync boom',
      'throws: sync boom',
    ]);
    expect(scheduler.stats().running).toBe(0);
    await scheduler.stop();
  });
});

describe('ownership', () => {
  it('runs only owned monitors, asking at every slot', async () => {
    const owned = new Set(['mine']);
    const { clock, scheduler, runsOf } = setup({ owns: (id) => owned.has(id) });
    scheduler.setMonitors([dueAt('mine', T0, { intervalMs: SECOND }), dueAt('theirs', T0, { intervalMs: SECOND })]);
    scheduler.start();
    await clock.advance(2 * SECOND);
    expect(runsOf('mine')).toHaveLength(3);
    expect(runsOf('theirs')).toHaveLength(0);
    expect(scheduler.stats().notOwned).toBe(3);
    owned.add('theirs'); // a lease taken over
    await clock.advance(SECOND);
    expect(runsOf('theirs').map((r) => r.startedAt - T0)).toEqual([3000]);
    await scheduler.stop();
  });

  it('treats a throwing ownership check as "not mine" and reports it', async () => {
    const { clock, scheduler, runs, errors } = setup({
      owns: () => {
        throw new Error('lease table unavailable');
      },
    });
    scheduler.setMonitors([dueAt('a', T0)]);
    scheduler.start();
    await clock.advance(0);
    expect(runs).toHaveLength(0);
    expect(String(errors[0])).toMatch(/lease table unavailable/);
    await scheduler.stop();
  });
});
