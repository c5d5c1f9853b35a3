/**
 * Runs every monitor once per interval, on time, within limits.
 *
 * - One timer for everything: due times sit in a min-heap; the timer is set for the earliest due time (or run
 *   deadline), and when it fires every monitor that is due is dispatched. 10,000 monitors cost one timer.
 * - No drift: a monitor's next slot is its previous slot + interval, whatever the run took. A run still queued or
 *   in flight when its next slot comes makes that slot be skipped (at most one run per monitor at a time).
 * - First runs are spread over the interval by a hash of the id, or resume from the last check (see spread.ts).
 * - Limits: at most `concurrency` runs at once, and `perHostConcurrency` against one host. Due runs wait, oldest
 *   slot first; runs for a host at its limit wait apart, so a slow host never holds back the others.
 * - Every run gets an AbortSignal that fires at its timeout (and on removal, pause or stop). A run that ignores it
 *   loses its slot `abortGraceMs` later, so a hung driver cannot eat the concurrency.
 * - Ownership (`MonitorOwnership`) is asked at every slot: a monitor this process does not own is not run.
 */
import { type Clock, type TimerHandle, systemClock } from './clock.js';
import { Fifo } from './fifo.js';
import { IndexedHeap } from './heap.js';
import { type LatenessSummary, RecentSamples } from './lateness.js';
import { type MonitorOwnership, ownAll } from './ownership.js';
import { firstDue } from './spread.js';

/** What the scheduler needs to know of a monitor; pass your own monitor type, it is handed back to `run`. */
export interface SchedulableMonitor {
  readonly id: string;
  /** At least 1 s. */
  readonly intervalMs: number;
  /** The run's signal aborts this long after it starts. */
  readonly timeoutMs: number;
  /** Runs against one host share `perHostConcurrency`; no host, no per-host limit. */
  readonly host?: string;
  readonly paused: boolean;
  /** When the monitor was last checked (from the store): the schedule resumes from it after a restart. */
  readonly lastCheckAt?: number;
}

/** About one run, passed to `run` beside the monitor. */
export interface RunInfo {
  /** The slot this run is for. */
  dueAt: number;
  startedAt: number;
  /** When the signal aborts for the timeout (`startedAt + timeoutMs`). */
  deadline: number;
  /** Asked for with `runNow`, outside the schedule (`dueAt` is when it was asked for). */
  manual?: true;
}

/**
 * What `runNow` did: `queued` — the run waits for a slot or has started; `busy` — a run of the monitor is already
 * queued or in flight (nothing more is done); `unknown`, `paused` — no such monitor, or it is paused; `stopped` —
 * the scheduler is not started; `not-owned` — another process runs this monitor.
 */
export type RunNowOutcome = 'queued' | 'busy' | 'unknown' | 'paused' | 'stopped' | 'not-owned';

export type RunAbortReason = 'timeout' | 'removed' | 'paused' | 'stopped';

/** The reason of an aborted run's signal. Only `timeout` is the target's fault; the others mean "drop the result". */
export class RunAbortedError extends Error {
  constructor(
    readonly reason: RunAbortReason,
    monitorId: string,
    timeoutMs: number,
  ) {
    super(
      reason === 'timeout'
        ? `timed out after ${timeoutMs} ms`
        : `the check of monitor "${monitorId}" was cancelled: the monitor was ${reason}`,
    );
    this.name = reason === 'timeout' ? 'TimeoutError' : 'AbortError';
  }
}

export interface SchedulerOptions<M extends SchedulableMonitor> {
  /** Runs one check. Should not reject; a rejection is reported through `onError` (unless the run was aborted). */
  run: (monitor: M, signal: AbortSignal, info: RunInfo) => Promise<void>;
  /** Default: the system clock. */
  clock?: Clock;
  /** Runs at once in total. Default 256. */
  concurrency?: number;
  /** Runs at once against one host. Default 16. */
  perHostConcurrency?: number;
  /** Which monitors this process runs. Default: all. */
  ownership?: MonitorOwnership;
  /** How long an aborted run may take to settle before its slot is released anyway. Default 1,000 ms. */
  abortGraceMs?: number;
  /** How many recent runs the lateness percentiles cover. Default 10,000. */
  latenessWindow?: number;
  /** The shortest interval accepted. Default 1,000 ms. */
  minIntervalMs?: number;
  /**
   * Wake on a grid of this many milliseconds and start every run due by then together, so that checks due close
   * to each other share one wake-up of the process (each is up to this much later than its slot). Default 0: wake
   * at each due time.
   */
  coalesceMs?: number;
  /** Rejected runs, runs that ignored their abort, a throwing `ownership`. Must not throw. */
  onError?: (error: unknown, monitor: M) => void;
}

export interface SchedulerStats {
  /** Monitors known, paused ones included. */
  monitors: number;
  /** Monitors with a next slot (not paused, scheduler started). */
  scheduled: number;
  /** Runs holding a slot (running, or aborted and not yet settled). */
  running: number;
  /** Due runs waiting for a global or per-host slot. */
  queued: number;
  /** Runs started since creation. */
  runs: number;
  /**
   * Slots skipped since creation: the monitor's previous run was still queued or in flight, or the scheduler
   * itself fell more than an interval behind.
   */
  skipped: number;
  /** Slots not run because `ownership` said another process owns the monitor. */
  notOwned: number;
  /** Runs whose signal was aborted at their timeout. */
  timedOut: number;
  /** Runs that did not settle within `abortGraceMs` of their abort; their slot was released. */
  abandoned: number;
  /** Start time − slot time, in milliseconds, over the last `latenessWindow` runs. */
  lateness: LatenessSummary;
}

type JobState = 'ready' | 'host' | 'running' | 'aborting' | 'done';

class Entry<M> {
  /** Next slot (meaningful while `dueIndex >= 0`). */
  dueAt = 0;
  dueIndex = -1;
  /** The last slot handed out (run, skipped or not owned). */
  lastDueAt: number | undefined;
  /** The monitor's run, waiting or holding a slot. */
  job: Job<M> | undefined;
  constructor(public monitor: M) {}
}

class Job<M> {
  state: JobState = 'ready';
  readyIndex = -1;
  deadline = 0;
  deadlineIndex = -1;
  hostKey: string | undefined;
  abortReason: RunAbortReason | undefined;
  controller: AbortController | undefined;
  constructor(
    readonly entry: Entry<M>,
    readonly dueAt: number,
    readonly seq: number,
    /** From `runNow`: not a slot, so not counted in the lateness. */
    readonly manual = false,
  ) {}
}

function hostKey(host: string | undefined): string | undefined {
  return host === undefined || host === '' ? undefined : host.toLowerCase();
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a whole number of at least 1, got ${value}`);
  return value;
}

export class Scheduler<M extends SchedulableMonitor = SchedulableMonitor> {
  private readonly clock: Clock;
  private readonly runCheck: SchedulerOptions<M>['run'];
  private readonly concurrency: number;
  private readonly perHostConcurrency: number;
  private readonly ownership: MonitorOwnership;
  private readonly abortGraceMs: number;
  private readonly minIntervalMs: number;
  private readonly coalesceMs: number;
  private readonly onError: (error: unknown, monitor: M) => void;

  private readonly entries = new Map<string, Entry<M>>();
  /** Next slot of every scheduled monitor. */
  private readonly due = new IndexedHeap<Entry<M>>(
    (a, b) => a.dueAt < b.dueAt,
    (entry, index) => {
      entry.dueIndex = index;
    },
  );
  /** Due runs waiting for a global slot, oldest slot first. */
  private readonly ready = new IndexedHeap<Job<M>>(
    (a, b) => a.dueAt < b.dueAt || (a.dueAt === b.dueAt && a.seq < b.seq),
    (job, index) => {
      job.readyIndex = index;
    },
  );
  /** Due runs whose host is at its limit (cancelled ones are skipped when taken). */
  private readonly hostWaiting = new Map<string, Fifo<Job<M>>>();
  private readonly hostRunning = new Map<string, number>();
  /** Timeouts of running runs, and abandon times of aborted ones. */
  private readonly deadlines = new IndexedHeap<Job<M>>(
    (a, b) => a.deadline < b.deadline,
    (job, index) => {
      job.deadlineIndex = index;
    },
  );
  /** Runs holding a slot. */
  private readonly active = new Set<Job<M>>();
  private queuedCount = 0;
  private started = false;
  private timer: TimerHandle | undefined;
  private seq = 0;
  private idleWaiters: (() => void)[] = [];
  private readonly lateness: RecentSamples;
  private readonly counters = { runs: 0, skipped: 0, notOwned: 0, timedOut: 0, abandoned: 0 };

  constructor(options: SchedulerOptions<M>) {
    this.clock = options.clock ?? systemClock;
    this.runCheck = options.run;
    this.concurrency = positiveInteger('concurrency', options.concurrency ?? 256);
    this.perHostConcurrency = positiveInteger('perHostConcurrency', options.perHostConcurrency ?? 16);
    this.ownership = options.ownership ?? ownAll;
    this.abortGraceMs = Math.max(0, options.abortGraceMs ?? 1000);
    this.minIntervalMs = positiveInteger('minIntervalMs', options.minIntervalMs ?? 1000);
    this.coalesceMs = options.coalesceMs ?? 0;
    if (!Number.isInteger(this.coalesceMs) || this.coalesceMs < 0) throw new RangeError(`coalesceMs must be a whole number ≥ 0, got ${this.coalesceMs}`);
    this.lateness = new RecentSamples(options.latenessWindow ?? 10_000);
    this.onError = options.onError ?? (() => {});
  }

  /**
   * Replaces the set of monitors. New ones are scheduled (spread, or resumed from `lastCheckAt`); removed ones stop
   * and their run is aborted; a monitor that becomes paused stops likewise. A changed interval applies from the
   * next slot: last slot + new interval (or, when that is past, the monitor's phase slot within the new interval).
   * Other changes apply to the next run. Throws, changing nothing, on an invalid or duplicate monitor.
   */
  setMonitors(monitors: readonly M[]): void {
    const ids = new Set<string>();
    for (const monitor of monitors) {
      this.validate(monitor);
      if (ids.has(monitor.id)) throw new Error(`duplicate monitor id "${monitor.id}"`);
      ids.add(monitor.id);
    }
    const now = this.clock.now();
    for (const [id, entry] of this.entries) {
      if (!ids.has(id)) this.remove(entry, now);
    }
    for (const monitor of monitors) {
      const entry = this.entries.get(monitor.id);
      if (entry === undefined) {
        const created = new Entry(monitor);
        this.entries.set(monitor.id, created);
        if (this.started && !monitor.paused) this.schedule(created, this.firstSlot(created, now));
      } else {
        this.update(entry, monitor, now);
      }
    }
    this.arm();
  }

  /** Schedules every monitor that is not paused and starts the timer. */
  start(): void {
    if (this.started) return;
    this.started = true;
    const now = this.clock.now();
    for (const entry of this.entries.values()) {
      if (!entry.monitor.paused) this.schedule(entry, this.firstSlot(entry, now));
    }
    this.arm();
  }

  /**
   * Stops scheduling, drops waiting runs and aborts running ones; resolves when every run has settled (or was
   * abandoned `abortGraceMs` after its abort). `start()` again resumes from each monitor's last slot.
   */
  stop(): Promise<void> {
    this.started = false;
    this.due.clear();
    for (const entry of this.entries.values()) {
      const job = entry.job;
      if (job !== undefined && (job.state === 'ready' || job.state === 'host')) this.cancelWaiting(job);
    }
    this.hostWaiting.clear();
    const now = this.clock.now();
    for (const job of this.active) {
      if (job.state === 'running') this.abort(job, 'stopped', now);
    }
    this.arm();
    return this.whenIdle();
  }

  /** Resolves when no run holds a slot. */
  whenIdle(): Promise<void> {
    if (this.active.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Runs a monitor now, outside its schedule: its slots stay where they were (the phase does not move, and no
   * slot is used up). The run waits for a global and a per-host slot like any other, gets the same timeout and
   * `run`, and counts as the monitor's one run at a time: when one is already queued or in flight nothing more is
   * done (`busy`), and a slot that comes while this one is in flight is skipped (as for any run still in flight).
   */
  runNow(monitorId: string): RunNowOutcome {
    const entry = this.entries.get(monitorId);
    if (entry === undefined) return 'unknown';
    if (!this.started) return 'stopped';
    if (entry.monitor.paused) return 'paused';
    if (entry.job !== undefined) return 'busy';
    let owned: boolean;
    try {
      owned = this.ownership.owns(monitorId);
    } catch (error) {
      this.report(error, entry.monitor);
      owned = false;
    }
    if (!owned) return 'not-owned';
    const now = this.clock.now();
    this.enqueue(new Job(entry, now, this.seq++, true));
    this.pump(now);
    this.arm();
    return 'queued';
  }

  /** Whether a run of the monitor is queued or in flight (aborted and not yet settled included). */
  isBusy(monitorId: string): boolean {
    return this.entries.get(monitorId)?.job !== undefined;
  }

  /** The monitor's next slot, if it is scheduled. */
  nextDueAt(monitorId: string): number | undefined {
    const entry = this.entries.get(monitorId);
    return entry !== undefined && entry.dueIndex >= 0 ? entry.dueAt : undefined;
  }

  get isStarted(): boolean {
    return this.started;
  }

  stats(): SchedulerStats {
    return {
      monitors: this.entries.size,
      scheduled: this.due.size,
      running: this.active.size,
      queued: this.queuedCount,
      ...this.counters,
      lateness: this.lateness.summary(),
    };
  }

  // --- monitors ---------------------------------------------------------------------------------------------

  private validate(monitor: M): void {
    if (typeof monitor.id !== 'string' || monitor.id === '') throw new TypeError('a monitor id must be a non-empty string');
    if (!Number.isFinite(monitor.intervalMs) || monitor.intervalMs < this.minIntervalMs) {
      throw new RangeError(`monitor "${monitor.id}": the interval must be at least ${this.minIntervalMs} ms, got ${monitor.intervalMs}`);
    }
    if (!Number.isFinite(monitor.timeoutMs) || monitor.timeoutMs <= 0) {
      throw new RangeError(`monitor "${monitor.id}": the timeout must be a positive number of milliseconds, got ${monitor.timeoutMs}`);
    }
  }

  private firstSlot(entry: Entry<M>, now: number): number {
    const { id, intervalMs, lastCheckAt } = entry.monitor;
    return firstDue(id, intervalMs, now, entry.lastDueAt ?? lastCheckAt);
  }

  private update(entry: Entry<M>, monitor: M, now: number): void {
    const previous = entry.monitor;
    entry.monitor = monitor;
    if (!this.started) return;
    if (monitor.paused) {
      if (!previous.paused) {
        this.unschedule(entry);
        this.cancel(entry, 'paused', now);
      }
    } else if (previous.paused || monitor.intervalMs !== previous.intervalMs) {
      this.schedule(entry, this.firstSlot(entry, now));
    }
  }

  private remove(entry: Entry<M>, now: number): void {
    this.unschedule(entry);
    this.cancel(entry, 'removed', now);
    this.entries.delete(entry.monitor.id);
  }

  private schedule(entry: Entry<M>, at: number): void {
    entry.dueAt = at;
    if (entry.dueIndex >= 0) this.due.update(entry.dueIndex);
    else this.due.push(entry);
  }

  private unschedule(entry: Entry<M>): void {
    if (entry.dueIndex >= 0) this.due.remove(entry.dueIndex);
  }

  /** Drops the monitor's waiting run or aborts its running one. */
  private cancel(entry: Entry<M>, reason: RunAbortReason, now: number): void {
    const job = entry.job;
    if (job === undefined) return;
    if (job.state === 'ready' || job.state === 'host') this.cancelWaiting(job);
    else if (job.state === 'running') this.abort(job, reason, now);
  }

  private cancelWaiting(job: Job<M>): void {
    if (job.state === 'ready' && job.readyIndex >= 0) this.ready.remove(job.readyIndex);
    // A job waiting for its host stays in that queue, marked done, and is skipped when taken.
    job.state = 'done';
    this.queuedCount--;
    if (job.entry.job === job) job.entry.job = undefined;
  }

  // --- the timer --------------------------------------------------------------------------------------------

  private readonly onTimer = (): void => {
    this.timer = undefined;
    const now = this.clock.now();
    for (;;) {
      const job = this.deadlines.peek();
      if (job === undefined || job.deadline > now) break;
      this.onDeadline(job, now);
    }
    if (this.started) {
      for (;;) {
        const entry = this.due.peek();
        if (entry === undefined || entry.dueAt > now) break;
        this.onDue(entry, now);
      }
    }
    this.pump(now);
    this.arm();
  };

  /** Sets the one timer for the earliest due time or deadline (an earlier timer already set is kept). */
  private arm(): void {
    let at = this.deadlines.peek()?.deadline;
    if (this.started) {
      let dueAt = this.due.peek()?.dueAt;
      // The next grid point at or after it: everything due until then starts on that one wake-up.
      if (dueAt !== undefined && this.coalesceMs > 0) dueAt = Math.ceil(dueAt / this.coalesceMs) * this.coalesceMs;
      if (dueAt !== undefined && (at === undefined || dueAt < at)) at = dueAt;
    }
    if (this.timer !== undefined) {
      if (at !== undefined && this.timer.at <= at) return;
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
    if (at !== undefined) this.timer = this.clock.setTimer(at, this.onTimer);
  }

  private onDue(entry: Entry<M>, now: number): void {
    const monitor = entry.monitor;
    const interval = monitor.intervalMs;
    let slot = entry.dueAt;
    // Fallen more than an interval behind (a blocked event loop): run the latest slot, skip the ones before.
    const behind = Math.floor((now - slot) / interval);
    if (behind > 0) {
      slot += behind * interval;
      this.counters.skipped += behind;
    }
    entry.lastDueAt = slot;
    this.schedule(entry, slot + interval);

    let owned: boolean;
    try {
      owned = this.ownership.owns(monitor.id);
    } catch (error) {
      this.report(error, monitor);
      owned = false;
    }
    if (!owned) {
      this.counters.notOwned++;
      return;
    }
    if (entry.job !== undefined) {
      this.counters.skipped++;
      return;
    }
    this.enqueue(new Job(entry, slot, this.seq++));
  }

  /** Makes `job` the monitor's run, waiting for a global slot (or for its host). */
  private enqueue(job: Job<M>): void {
    job.hostKey = hostKey(job.entry.monitor.host);
    job.entry.job = job;
    this.queuedCount++;
    if (this.hostFull(job.hostKey)) this.waitForHost(job);
    else this.ready.push(job);
  }

  private onDeadline(job: Job<M>, now: number): void {
    if (job.state === 'running') {
      this.counters.timedOut++;
      this.abort(job, 'timeout', now);
      return;
    }
    // Aborted and still not settled: the run ignores its signal. Give its slot back.
    this.counters.abandoned++;
    const monitor = job.entry.monitor;
    this.report(
      new Error(
        `the check of monitor "${monitor.id}" was still running ${this.abortGraceMs} ms after it was aborted ` +
          `(${job.abortReason ?? 'timeout'}); its slot is released, but the probe ignores its AbortSignal`,
      ),
      monitor,
    );
    this.release(job);
  }

  // --- running ----------------------------------------------------------------------------------------------

  private hostFull(key: string | undefined): boolean {
    return key !== undefined && (this.hostRunning.get(key) ?? 0) >= this.perHostConcurrency;
  }

  private waitForHost(job: Job<M>): void {
    job.state = 'host';
    const key = job.hostKey as string;
    let queue = this.hostWaiting.get(key);
    if (queue === undefined) {
      queue = new Fifo();
      this.hostWaiting.set(key, queue);
    }
    queue.push(job);
  }

  /** Starts waiting runs while there are free slots. */
  private pump(now: number): void {
    while (this.active.size < this.concurrency) {
      const job = this.ready.pop();
      if (job === undefined) break;
      if (this.hostFull(job.hostKey)) this.waitForHost(job);
      else this.begin(job, now);
    }
  }

  private begin(job: Job<M>, now: number): void {
    const monitor = job.entry.monitor;
    this.queuedCount--;
    job.state = 'running';
    this.active.add(job);
    if (job.hostKey !== undefined) this.hostRunning.set(job.hostKey, (this.hostRunning.get(job.hostKey) ?? 0) + 1);
    job.deadline = now + monitor.timeoutMs;
    this.deadlines.push(job);
    this.counters.runs++;
    if (!job.manual) this.lateness.record(now - job.dueAt);

    const controller = new AbortController();
    job.controller = controller;
    let result: Promise<void>;
    try {
      const info: RunInfo = { dueAt: job.dueAt, startedAt: now, deadline: job.deadline };
      if (job.manual) info.manual = true;
      result = Promise.resolve(this.runCheck(monitor, controller.signal, info));
    } catch (error) {
      result = Promise.reject(error);
    }
    result.then(
      () => this.settled(job),
      (error: unknown) => {
        if (!controller.signal.aborted) this.report(error, monitor);
        this.settled(job);
      },
    );
  }

  private abort(job: Job<M>, reason: RunAbortReason, now: number): void {
    job.state = 'aborting';
    job.abortReason = reason;
    job.deadline = now + this.abortGraceMs;
    if (job.deadlineIndex >= 0) this.deadlines.update(job.deadlineIndex);
    else this.deadlines.push(job);
    const monitor = job.entry.monitor;
    job.controller?.abort(new RunAbortedError(reason, monitor.id, monitor.timeoutMs));
  }

  private settled(job: Job<M>): void {
    if (job.state === 'done') return; // abandoned earlier
    this.release(job);
    this.pump(this.clock.now());
    this.arm();
  }

  /** Gives the run's slots back and lets one run waiting for the same host compete again. */
  private release(job: Job<M>): void {
    job.state = 'done';
    this.active.delete(job);
    if (job.deadlineIndex >= 0) this.deadlines.remove(job.deadlineIndex);
    if (job.entry.job === job) job.entry.job = undefined;
    const key = job.hostKey;
    if (key !== undefined) {
      const count = (this.hostRunning.get(key) ?? 1) - 1;
      if (count > 0) this.hostRunning.set(key, count);
      else this.hostRunning.delete(key);
      const waiting = this.hostWaiting.get(key);
      if (waiting !== undefined) {
        while (waiting.length > 0) {
          const next = waiting.shift() as Job<M>;
          if (next.state === 'host') {
            next.state = 'ready';
            this.ready.push(next);
            break;
          }
        }
        if (waiting.length === 0) this.hostWaiting.delete(key);
      }
    }
    if (this.active.size === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const resolve of waiters) resolve();
    }
  }

  private report(error: unknown, monitor: M): void {
    try {
      this.onError(error, monitor);
    } catch {
      // onError must not throw; a broken reporter must not stop the scheduler.
    }
  }
}
