/**
 * Time, injected. The scheduler and the batch writer read the time and set timers only through a `Clock`, so
 * tests drive them with a `ManualClock` instead of sleeping.
 */
import { IndexedHeap } from './heap.js';

/** An opaque handle for `clearTimer`. */
export interface TimerHandle {
  /** When the timer fires, epoch milliseconds. */
  readonly at: number;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Calls `fn` once at time `at` (at once, asynchronously, when `at` is already past). */
  setTimer(at: number, fn: () => void): TimerHandle;
  /** Cancels a timer; a no-op for a timer that already fired or was cleared. */
  clearTimer(handle: TimerHandle): void;
}

/** `setTimeout` cannot wait longer than this; longer waits are chained. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

class SystemTimer implements TimerHandle {
  timeout: NodeJS.Timeout | undefined;
  constructor(
    readonly at: number,
    readonly fn: () => void,
  ) {}
}

function armSystemTimer(timer: SystemTimer): void {
  const delay = Math.min(MAX_TIMEOUT_MS, Math.max(0, timer.at - Date.now()));
  timer.timeout = setTimeout(() => {
    if (Date.now() < timer.at && delay === MAX_TIMEOUT_MS) {
      armSystemTimer(timer);
      return;
    }
    timer.timeout = undefined;
    timer.fn();
  }, delay);
  // A pending check must never keep the process alive on its own: the server (or the test runner) does that.
  timer.timeout.unref();
}

/** The real clock: `Date.now()` and unref'd `setTimeout`s. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(at, fn) {
    const timer = new SystemTimer(at, fn);
    armSystemTimer(timer);
    return timer;
  },
  clearTimer(handle) {
    if (handle instanceof SystemTimer && handle.timeout !== undefined) {
      clearTimeout(handle.timeout);
      handle.timeout = undefined;
    }
  },
};

class ManualTimer implements TimerHandle {
  index = -1;
  constructor(
    readonly at: number,
    readonly seq: number,
    readonly fn: () => void,
  ) {}
}

/**
 * Resolves on the next turn of the event loop (after its timers and I/O): long work awaits it between steps so
 * that due checks and requests are not held. It also lets every queued promise callback run first.
 */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A clock for tests: time moves only when `advance` is called. Timers fire in order of their time (then of
 * creation), with the clock set to each timer's time, and queued promise callbacks run after each one, so code
 * that awaits between timers sees the time it would see in production.
 */
export class ManualClock implements Clock {
  private time: number;
  private seq = 0;
  private readonly timers = new IndexedHeap<ManualTimer>(
    (a, b) => a.at < b.at || (a.at === b.at && a.seq < b.seq),
    (timer, index) => {
      timer.index = index;
    },
  );

  constructor(start = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const timer = new ManualTimer(Math.max(at, this.time), this.seq++, fn);
    this.timers.push(timer);
    return timer;
  }

  clearTimer(handle: TimerHandle): void {
    if (handle instanceof ManualTimer && handle.index >= 0) this.timers.remove(handle.index);
  }

  /** Timers not fired yet. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** When the next timer fires, if any. */
  nextTimerAt(): number | undefined {
    return this.timers.peek()?.at;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  advance(ms: number): Promise<void> {
    return this.advanceTo(this.time + ms);
  }

  /** Moves time forward to `at`, firing every timer due on the way. */
  async advanceTo(at: number): Promise<void> {
    await nextTurn();
    for (;;) {
      const next = this.timers.peek();
      if (next === undefined || next.at > at) break;
      this.timers.pop();
      this.time = Math.max(this.time, next.at);
      next.fn();
      await nextTurn();
    }
    this.time = Math.max(this.time, at);
    await nextTurn();
  }
}

/** Resolves after `ms` on `clock`; rejects with the signal's reason when `signal` aborts first. */
export function delay(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clock.clearTimer(handle);
      reject(signal?.reason);
    };
    const handle = clock.setTimer(clock.now() + ms, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
