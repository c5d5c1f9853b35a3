/**
 * Collects items (the check pipeline's results and states) and writes them in batches: one transaction per batch
 * instead of one per result, and after `kill -9` at most the last `maxDelayMs` of items is lost.
 *
 * - A batch is written when its oldest item has waited `maxDelayMs`, or at once when `maxBatch` items are
 *   waiting, or when an urgent item waits (`addUrgent`: a state change, a heartbeat ping) at the end of the event
 *   loop's turn. One write is in flight at a time; items added meanwhile wait for the next one — so urgent items
 *   that arrive together are written together (group commit), always in the order they were added, after every
 *   item added before them.
 * - A failed write keeps its items (in order, in front) and is retried after a backoff that doubles from
 *   `retryDelayMs` up to `maxRetryDelayMs`. Memory stays bounded: beyond `maxBuffered` items the oldest are dropped
 *   and counted; urgent items are never dropped (their callers wait for them).
 * - `flush()` writes everything added so far now; `close()` (on SIGTERM) stops accepting items and flushes,
 *   retrying failed writes for up to `closeTimeoutMs`.
 */
import { type Clock, type TimerHandle, delay, systemClock } from '../scheduler/clock.js';
import { Fifo } from '../scheduler/fifo.js';

export interface WriteFailure {
  /** Failed attempts in a row, this one included. */
  attempt: number;
  batchSize: number;
  /** When the batch is tried again (unless a flush comes first). */
  retryInMs: number;
}

export type DropReason = 'overflow' | 'closed';

export interface BatchWriterOptions<T> {
  /** Writes one batch (one transaction). Rejecting keeps the batch for a retry. */
  write: (batch: T[]) => Promise<void>;
  clock?: Clock;
  /** The longest an item waits before its batch is written. Default 1,000 ms. */
  maxDelayMs?: number;
  /** Items per write. Default 1,000. */
  maxBatch?: number;
  /** Items kept at most (waiting and in flight); the oldest beyond are dropped. Default 100 × maxBatch. */
  maxBuffered?: number;
  /** First retry delay after a failed write; doubles per failure. Default 500 ms. */
  retryDelayMs?: number;
  /** Default 30,000 ms. */
  maxRetryDelayMs?: number;
  /** How long `close()` keeps retrying failed writes. Default 10,000 ms. */
  closeTimeoutMs?: number;
  /** A write failed (it will be retried). Must not throw. */
  onError?: (error: unknown, failure: WriteFailure) => void;
  /** Items were dropped: over `maxBuffered`, or added after `close()`. Must not throw. */
  onDrop?: (count: number, reason: DropReason) => void;
}

export interface BatchWriterStats {
  /** Items waiting or in flight. */
  buffered: number;
  written: number;
  dropped: number;
  /** Failed writes. */
  failures: number;
  /** Failed attempts in a row (0 when the last write succeeded). */
  failing: number;
}

interface Buffered<T> {
  item: T;
  /** When it was added. */
  at: number;
  seq: number;
  /** An urgent item's caller, told when it is written (or dropped at close). */
  waiter?: { resolve: () => void; reject: (error: unknown) => void };
}

interface FlushWaiter {
  /** Resolved once every item with `seq <= upTo` has left the buffer. */
  upTo: number;
  resolve: () => void;
  reject: (error: unknown) => void;
}

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new RangeError(`${name} must be a positive number, got ${value}`);
  }
  return value;
}

export class BatchWriter<T> {
  private readonly writeBatch: (batch: T[]) => Promise<void>;
  private readonly clock: Clock;
  private readonly maxDelayMs: number;
  private readonly maxBatch: number;
  private readonly maxBuffered: number;
  private readonly retryDelayMs: number;
  private readonly maxRetryDelayMs: number;
  private readonly closeTimeoutMs: number;
  private readonly onError: (error: unknown, failure: WriteFailure) => void;
  private readonly onDrop: (count: number, reason: DropReason) => void;

  private readonly buffer = new Fifo<Buffered<T>>();
  private inFlight: Buffered<T>[] | undefined;
  private nextSeq = 0;
  /** An explicit flush wants every item up to this seq written now, ignoring delay and backoff. */
  private flushUpTo = -1;
  /** Every item up to this seq is written without waiting for `maxDelayMs` (the retry backoff still applies). */
  private urgentUpTo = -1;
  private waiters: FlushWaiter[] = [];
  private failing = 0;
  private retryAt: number | undefined;
  private timer: TimerHandle | undefined;
  private timerIsTurn = false;
  /** An urgent write has waited for the end of a turn of the event loop (see `pump`). */
  private turnWaited = false;
  private closing: Promise<void> | undefined;
  private readonly counters = { written: 0, dropped: 0, failures: 0 };

  constructor(options: BatchWriterOptions<T>) {
    this.writeBatch = options.write;
    this.clock = options.clock ?? systemClock;
    this.maxDelayMs = positive('maxDelayMs', options.maxDelayMs ?? 1000, true);
    this.maxBatch = Math.floor(positive('maxBatch', options.maxBatch ?? 1000));
    this.maxBuffered = Math.floor(positive('maxBuffered', options.maxBuffered ?? 100 * this.maxBatch));
    if (this.maxBuffered < this.maxBatch) throw new RangeError(`maxBuffered (${this.maxBuffered}) must be at least maxBatch (${this.maxBatch})`);
    this.retryDelayMs = positive('retryDelayMs', options.retryDelayMs ?? 500);
    this.maxRetryDelayMs = Math.max(this.retryDelayMs, positive('maxRetryDelayMs', options.maxRetryDelayMs ?? 30_000));
    this.closeTimeoutMs = positive('closeTimeoutMs', options.closeTimeoutMs ?? 10_000, true);
    this.onError = options.onError ?? (() => {});
    this.onDrop = options.onDrop ?? (() => {});
  }

  /** Buffers an item. Never throws and never waits; after `close()` the item is dropped and counted. */
  add(item: T): void {
    if (this.closing !== undefined) {
      this.drop(1, 'closed');
      return;
    }
    this.buffer.push({ item, at: this.clock.now(), seq: this.nextSeq++ });
    this.dropOverflow();
    this.pump();
  }

  /** Beyond `maxBuffered`, the oldest items that nobody waits for are dropped and counted. */
  private dropOverflow(): void {
    const over = this.buffer.length + (this.inFlight?.length ?? 0) - this.maxBuffered;
    if (over <= 0) return;
    let dropped = 0;
    const kept: Buffered<T>[] = [];
    for (const entry of this.buffer.shiftMany(this.buffer.length)) {
      if (dropped < over && entry.waiter === undefined) dropped++;
      else kept.push(entry);
    }
    this.buffer.unshiftMany(kept);
    if (dropped > 0) {
      this.drop(dropped, 'overflow');
      this.settleWaiters();
    }
  }

  /**
   * Buffers an item that must not wait for `maxDelayMs`: it is written with the next write (with everything added
   * before it). Resolves once it is written. A failed write is retried with backoff, as for every item; the promise
   * rejects only when the writer closes before it could be written.
   */
  addUrgent(item: T): Promise<void> {
    if (this.closing !== undefined) return Promise.reject(new Error('the writer is closed'));
    return new Promise<void>((resolve, reject) => {
      const seq = this.nextSeq++;
      this.buffer.push({ item, at: this.clock.now(), seq, waiter: { resolve, reject } });
      this.urgentUpTo = seq;
      this.dropOverflow();
      this.pump();
    });
  }

  /**
   * Writes every item added so far, now (ignoring the delay and a retry backoff). Resolves when they are written;
   * rejects with the error of a failed write (the items stay buffered and are retried).
   */
  flush(): Promise<void> {
    const upTo = this.nextSeq - 1;
    if (this.doneUpTo(upTo)) return Promise.resolve();
    this.flushUpTo = Math.max(this.flushUpTo, upTo);
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
    this.pump();
    return done;
  }

  /**
   * Stops accepting items and writes everything buffered, retrying failed writes with backoff for up to
   * `closeTimeoutMs`; then rejects with the last error, leaving `stats().buffered` items unwritten.
   */
  close(): Promise<void> {
    this.closing ??= this.drain();
    return this.closing;
  }

  stats(): BatchWriterStats {
    return {
      buffered: this.buffer.length + (this.inFlight?.length ?? 0),
      ...this.counters,
      failing: this.failing,
    };
  }

  private async drain(): Promise<void> {
    const deadline = this.clock.now() + this.closeTimeoutMs;
    try {
      for (;;) {
        try {
          await this.flush();
          return;
        } catch (error) {
          const now = this.clock.now();
          if (now >= deadline) throw error;
          await delay(this.clock, Math.min((this.retryAt ?? now) - now, deadline - now));
        }
      }
    } finally {
      this.clearTimer();
      // Written by now, or never: urgent callers are told.
      const left = this.buffer.shiftMany(this.buffer.length);
      this.buffer.unshiftMany(left);
      for (const entry of left) entry.waiter?.reject(new Error('the writer closed before this could be stored'));
    }
  }

  /** Starts a write when one is due, or sets the timer for when it will be. */
  private pump(): void {
    if (this.inFlight !== undefined) return;
    const oldest = this.buffer.peek();
    if (oldest === undefined) {
      this.clearTimer();
      this.turnWaited = false;
      return;
    }
    const now = this.clock.now();
    const forced = this.flushUpTo >= oldest.seq;
    if (this.closing !== undefined && !forced) {
      // Closing: `drain` decides when to try again.
      this.clearTimer();
      return;
    }
    let at = now;
    if (!forced) {
      if (this.buffer.length < this.maxBatch && this.urgentUpTo < oldest.seq) at = oldest.at + this.maxDelayMs;
      if (this.retryAt !== undefined) at = Math.max(at, this.retryAt);
    }
    if (at > now) {
      this.setTimer(at);
      return;
    }
    // Due only because an urgent item waits: the write starts at the next turn of the event loop, not at once, so
    // the state changes of every check that finishes in this turn share its transaction. (A store that writes
    // synchronously, like SQLite, never has a write in flight for them to gather behind: a fresh start of 100,000
    // monitors — 100,000 state changes — was 100,000 transactions, most of a minute of a busy event loop.)
    const urgentOnly = !forced && this.buffer.length < this.maxBatch && oldest.at + this.maxDelayMs > now;
    if (urgentOnly && !this.turnWaited) {
      this.setTimer(now, true);
      return;
    }
    this.turnWaited = false;
    this.clearTimer();
    this.startWrite();
  }

  private startWrite(): void {
    const batch = this.buffer.shiftMany(this.maxBatch);
    this.inFlight = batch;
    let written: Promise<void>;
    try {
      written = Promise.resolve(this.writeBatch(batch.map((entry) => entry.item)));
    } catch (error) {
      written = Promise.reject(error);
    }
    written.then(
      () => {
        this.inFlight = undefined;
        this.failing = 0;
        this.retryAt = undefined;
        this.counters.written += batch.length;
        for (const entry of batch) entry.waiter?.resolve();
        this.settleWaiters();
        this.pump();
      },
      (error: unknown) => {
        this.inFlight = undefined;
        this.failing++;
        this.counters.failures++;
        const retryInMs = Math.min(this.maxRetryDelayMs, this.retryDelayMs * 2 ** (this.failing - 1));
        this.retryAt = this.clock.now() + retryInMs;
        this.buffer.unshiftMany(batch);
        this.dropOverflow();
        try {
          this.onError(error, { attempt: this.failing, batchSize: batch.length, retryInMs });
        } catch {
          // onError must not throw.
        }
        // Every waiting flush is behind this batch: tell them now rather than after the backoff.
        this.flushUpTo = -1;
        const waiters = this.waiters;
        this.waiters = [];
        for (const waiter of waiters) waiter.reject(error);
        this.settleWaiters();
        this.pump();
      },
    );
  }

  /** True when no item with `seq <= upTo` is waiting or in flight. */
  private doneUpTo(upTo: number): boolean {
    const oldest = this.inFlight?.[0] ?? this.buffer.peek();
    return oldest === undefined || oldest.seq > upTo;
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const pending: FlushWaiter[] = [];
    for (const waiter of this.waiters) {
      if (this.doneUpTo(waiter.upTo)) waiter.resolve();
      else pending.push(waiter);
    }
    this.waiters = pending;
  }

  private drop(count: number, reason: DropReason): void {
    this.counters.dropped += count;
    try {
      this.onDrop(count, reason);
    } catch {
      // onDrop must not throw.
    }
  }

  /** `turn`: the timer that lets an urgent write wait for the end of the event loop's turn. */
  private setTimer(at: number, turn = false): void {
    if (this.timer !== undefined) {
      if (this.timer.at === at && (this.timerIsTurn || !turn)) return;
      this.clock.clearTimer(this.timer);
    }
    this.timerIsTurn = turn;
    this.timer = this.clock.setTimer(at, () => {
      this.timer = undefined;
      if (turn) this.turnWaited = true;
      this.pump();
    });
  }

  private clearTimer(): void {
    if (this.timer !== undefined) {
      this.clock.clearTimer(this.timer);
      this.timer = undefined;
    }
  }
}
