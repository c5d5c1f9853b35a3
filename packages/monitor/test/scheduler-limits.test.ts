import { describe, expect, it } from 'vitest';
import { ManualClock, delay } from '../src/scheduler/clock.js';
import { type RunInfo, type SchedulableMonitor, Scheduler } from '../src/scheduler/scheduler.js';

const T0 = 1_700_000_000_000;
const SECOND = 1000;

/** A monitor whose first slot is exactly `at`. */
function dueAt(id: string, at: number, overrides: Partial<SchedulableMonitor> = {}): SchedulableMonitor {
  const intervalMs = overrides.intervalMs ?? 20 * SECOND;
  return { id, intervalMs, timeoutMs: 5 * SECOND, paused: false, ...overrides, lastCheckAt: at - intervalMs };
}

interface Deferred {
  id: string;
  host: string | undefined;
  info: RunInfo;
  signal: AbortSignal;
  resolve: () => void;
}

/** Runs that finish only when the test says so; counts what runs at once, in total and per host. */
function controlled(clock: ManualClock, options: { concurrency?: number; perHostConcurrency?: number; abortGraceMs?: number } = {}) {
  const open = new Set<Deferred>();
  const started: Deferred[] = [];
  let maxTotal = 0;
  const maxPerHost = new Map<string, number>();
  const errors: unknown[] = [];
  const scheduler = new Scheduler({
    clock,
    ...options,
    onError: (e) => errors.push(e),
    run: (m, signal, info) =>
      new Promise<void>((resolve) => {
        const run: Deferred = { id: m.id, host: m.host, info, signal, resolve: () => {} };
        run.resolve = () => {
          open.delete(run);
          resolve();
        };
        open.add(run);
        started.push(run);
        signal.addEventListener('abort', () => run.resolve());
        maxTotal = Math.max(maxTotal, open.size);
        if (m.host !== undefined) {
          const host = m.host.toLowerCase();
          const onHost = [...open].filter((r) => r.host?.toLowerCase() === host).length;
          maxPerHost.set(host, Math.max(maxPerHost.get(host) ?? 0, onHost));
        }
      }),
  });
  return {
    scheduler,
    open,
    started,
    errors,
    get maxTotal() {
      return maxTotal;
    },
    maxPerHost,
    /** Finishes every open run (optionally only those matching). */
    async finish(match: (run: Deferred) => boolean = () => true) {
      for (const run of [...open]) if (match(run)) run.resolve();
      await clock.advance(0);
    },
  };
}

describe('global concurrency', () => {
  it('never runs more than `concurrency` at once; due runs wait and start oldest slot first', async () => {
    const clock = new ManualClock(T0);
    const c = controlled(clock, { concurrency: 10 });
    c.scheduler.setMonitors(Array.from({ length: 100 }, (_, i) => dueAt(`m${i}`, T0 + Math.floor(i / 10) * 10)));
    c.scheduler.start();
    await clock.advance(200);
    expect(c.open.size).toBe(10);
    expect(c.scheduler.stats()).toMatchObject({ running: 10, queued: 90 });
    // The first ten started are those of the earliest slot.
    expect(c.started.map((r) => r.info.dueAt - T0)).toEqual(new Array(10).fill(0));
    while (c.started.length < 100) await c.finish();
    await c.finish();
    expect(c.maxTotal).toBe(10);
    const dues = c.started.map((r) => r.info.dueAt);
    expect(dues).toEqual([...dues].sort((a, b) => a - b));
    expect(c.scheduler.stats()).toMatchObject({ running: 0, queued: 0, runs: 100 });
    // Lateness is measured to the actual start, including the wait for a slot.
    expect(c.scheduler.stats().lateness.max).toBeGreaterThan(0);
    await c.scheduler.stop();
  });
});

describe('per-host concurrency', () => {
  it('never runs more than `perHostConcurrency` against one host (host names compared case-insensitively)', async () => {
    const clock = new ManualClock(T0);
    const c = controlled(clock, { concurrency: 100, perHostConcurrency: 4 });
    c.scheduler.setMonitors([
      ...Array.from({ length: 20 }, (_, i) => dueAt(`a${i}`, T0, { host: i % 2 ? 'a.example' : 'A.EXAMPLE' })),
      ...Array.from({ length: 20 }, (_, i) => dueAt(`b${i}`, T0, { host: 'b.example' })),
      ...Array.from({ length: 20 }, (_, i) => dueAt(`n${i}`, T0)),
    ]);
    c.scheduler.start();
    await clock.advance(0);
    // 4 + 4 + the 20 without a host (no per-host limit).
    expect(c.open.size).toBe(28);
    let rounds = 0;
    while (c.started.length < 60) {
      await c.finish();
      rounds++;
    }
    expect(rounds).toBe(4);
    expect(c.maxPerHost.get('a.example')).toBe(4);
    expect(c.maxPerHost.get('b.example')).toBe(4);
    const onA = (r: Deferred) => r.host?.toLowerCase() === 'a.example';
    expect(c.started.filter(onA)).toHaveLength(20);
    await c.finish();
    expect(c.scheduler.stats()).toMatchObject({ running: 0, queued: 0 });
    await c.scheduler.stop();
  });

  it('a host that hangs holds only its own slots: other hosts run on time', async () => {
    const clock = new ManualClock(T0);
    const c = controlled(clock, { concurrency: 8, perHostConcurrency: 4 });
    const slow = Array.from({ length: 30 }, (_, i) => dueAt(`slow${i}`, T0, { host: 'hung.example', timeoutMs: 10 * SECOND }));
    const fast = Array.from({ length: 40 }, (_, i) => dueAt(`fast${i}`, T0 + 10 + i * 100, { host: `host${i % 5}.example` }));
    c.scheduler.setMonitors([...slow, ...fast]);
    c.scheduler.start();
    // Fast targets answer in 20 ms; the hung host never answers (until its timeout aborts the run).
    const answerFast = async () => {
      for (let t = 0; t < 5000; t += 10) {
        await clock.advance(10);
        await c.finish((r) => r.host !== 'hung.example' && clock.now() - r.info.startedAt >= 20);
      }
    };
    await answerFast();
    const fastRuns = c.started.filter((r) => r.host !== 'hung.example');
    expect(fastRuns).toHaveLength(40);
    for (const run of fastRuns) expect(run.info.startedAt - run.info.dueAt).toBe(0);
    const hungOpen = [...c.open].filter((r) => r.host === 'hung.example');
    expect(hungOpen).toHaveLength(4);
    expect(c.scheduler.stats().queued).toBe(26);
    await c.scheduler.stop();
  });

  it('a slow host does not hold back others even when the global limit is reached', async () => {
    const clock = new ManualClock(T0);
    const c = controlled(clock, { concurrency: 4, perHostConcurrency: 2 });
    c.scheduler.setMonitors([
      ...Array.from({ length: 10 }, (_, i) => dueAt(`slow${i}`, T0, { host: 'slow.example', timeoutMs: 10 * SECOND })),
      ...Array.from({ length: 6 }, (_, i) => dueAt(`fast${i}`, T0 + 1, { host: 'fast.example' })),
    ]);
    c.scheduler.start();
    await clock.advance(1);
    // Two slow runs hold their host's limit; their eight queued siblings do not block the fast host.
    expect([...c.open].map((r) => r.host).sort()).toEqual(['fast.example', 'fast.example', 'slow.example', 'slow.example']);
    for (let i = 0; i < 3; i++) await c.finish((r) => r.host === 'fast.example');
    expect(c.started.filter((r) => r.host === 'fast.example')).toHaveLength(6);
    expect(c.maxPerHost.get('slow.example')).toBe(2);
    await c.scheduler.stop();
  });
});

describe('hung runs', () => {
  it('a run that ignores its abort gives its slot back abortGraceMs after the timeout', async () => {
    const clock = new ManualClock(T0);
    const errors: unknown[] = [];
    const started: string[] = [];
    const scheduler = new Scheduler({
      clock,
      concurrency: 1,
      abortGraceMs: 500,
      onError: (e) => errors.push(e),
      run: (m) => {
        started.push(`${m.id}@${clock.now() - T0}`);
        return m.id === 'deaf' ? new Promise<void>(() => {}) : delay(clock, 10);
      },
    });
    scheduler.setMonitors([dueAt('deaf', T0, { timeoutMs: 2 * SECOND }), dueAt('next', T0 + 1)]);
    scheduler.start();
    await clock.advance(5 * SECOND);
    expect(started).toEqual(['deaf@0', 'next@2500']);
    expect(scheduler.stats()).toMatchObject({ timedOut: 1, abandoned: 1, running: 0 });
    expect(String(errors[0])).toMatch(/"deaf" was still running 500 ms after it was aborted \(timeout\)/);
    await scheduler.stop();
  });

  it('skips the slots of a monitor whose run is still waiting for a slot', async () => {
    const clock = new ManualClock(T0);
    const c = controlled(clock, { concurrency: 1 });
    c.scheduler.setMonitors([dueAt('hog', T0, { timeoutMs: 10 * SECOND, intervalMs: 20 * SECOND }), dueAt('every-second', T0 + 1, { intervalMs: SECOND })]);
    c.scheduler.start();
    await clock.advance(5 * SECOND);
    // One queued run for 'every-second' (its first slot); its later slots were skipped, not queued up.
    expect(c.scheduler.stats()).toMatchObject({ running: 1, queued: 1, skipped: 4 });
    await c.finish();
    const waited = c.started.find((r) => r.id === 'every-second')!;
    expect(waited.info.dueAt).toBe(T0 + 1);
    expect(waited.info.startedAt).toBe(T0 + 5 * SECOND);
    await c.scheduler.stop();
  });
});

describe('scale', () => {
  it('runs 10,000 monitors every 20 s for a minute with one timer and no lateness under the limits', async () => {
    const clock = new ManualClock(T0);
    let runs = 0;
    const scheduler = new Scheduler({
      clock,
      run: async (_m, signal) => {
        runs++;
        await delay(clock, 50, signal);
      },
    });
    scheduler.setMonitors(Array.from({ length: 10_000 }, (_, i) => ({ id: `m${i}`, intervalMs: 20 * SECOND, timeoutMs: 5 * SECOND, paused: false, host: `h${i % 500}` })));
    scheduler.start();
    await clock.advance(60 * SECOND - 1);
    expect(runs).toBe(30_000);
    expect(scheduler.stats()).toMatchObject({ skipped: 0, timedOut: 0, lateness: { p99: 0 } });
    await scheduler.stop();
  });
});
