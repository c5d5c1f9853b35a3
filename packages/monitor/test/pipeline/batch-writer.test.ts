import { describe, expect, it } from 'vitest';
import { BatchWriter, type BatchWriterOptions, type DropReason, type WriteFailure } from '../../src/pipeline/batch-writer.js';
import { ManualClock } from '../../src/scheduler/clock.js';

const T0 = 1_700_000_000_000;

interface Write {
  at: number;
  items: number[];
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** A writer whose writes the test settles by hand (or automatically with `auto`). */
function setup(options: Partial<BatchWriterOptions<number>> & { auto?: 'ok' | 'fail' } = {}) {
  const clock = new ManualClock(T0);
  const writes: Write[] = [];
  const errors: [unknown, WriteFailure][] = [];
  const drops: [number, DropReason][] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const writer = new BatchWriter<number>({
    clock,
    onError: (e, f) => errors.push([e, f]),
    onDrop: (n, reason) => drops.push([n, reason]),
    ...options,
    write: (items) =>
      new Promise<void>((resolve, reject) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        const done = () => inFlight--;
        const write: Write = {
          at: clock.now() - T0,
          items: [...items],
          resolve: () => {
            done();
            resolve();
          },
          reject: (error) => {
            done();
            reject(error);
          },
        };
        writes.push(write);
        if (options.auto === 'ok') write.resolve();
        if (options.auto === 'fail') write.reject(new Error('database is locked'));
      }),
  });
  const addRange = (from: number, to: number) => {
    for (let i = from; i < to; i++) writer.add(i);
  };
  return {
    clock,
    writer,
    writes,
    errors,
    drops,
    addRange,
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

describe('timing', () => {
  it('writes a batch when its oldest item has waited maxDelayMs, not before', async () => {
    const { clock, writer, writes } = setup({ auto: 'ok' });
    writer.add(1);
    await clock.advance(500);
    writer.add(2);
    await clock.advance(499);
    expect(writes).toHaveLength(0);
    await clock.advance(1);
    expect(writes.map((w) => [w.at, w.items])).toEqual([[1000, [1, 2]]]);
    // The next item starts a new wait: writes come at most every maxDelayMs.
    await clock.advance(200);
    writer.add(3);
    await clock.advance(999);
    expect(writes).toHaveLength(1);
    await clock.advance(1);
    expect(writes.map((w) => [w.at, w.items])).toEqual([
      [1000, [1, 2]],
      [2200, [3]],
    ]);
    expect(writer.stats()).toEqual({ buffered: 0, written: 3, dropped: 0, failures: 0, failing: 0 });
    expect(clock.pendingTimers).toBe(0);
  });

  it('honours a custom maxDelayMs', async () => {
    const { clock, writer, writes } = setup({ auto: 'ok', maxDelayMs: 50 });
    writer.add(1);
    await clock.advance(49);
    expect(writes).toHaveLength(0);
    await clock.advance(1);
    expect(writes).toHaveLength(1);
  });
});

describe('size', () => {
  it('writes at once when maxBatch items wait, and splits a backlog into batches', async () => {
    const { clock, writer, writes, addRange } = setup({ auto: 'ok', maxBatch: 3 });
    addRange(0, 2);
    await clock.advance(0);
    expect(writes).toHaveLength(0);
    writer.add(2);
    await clock.advance(0);
    expect(writes.map((w) => [w.at, w.items])).toEqual([[0, [0, 1, 2]]]);
    addRange(3, 10);
    await clock.advance(0);
    expect(writes.map((w) => w.items)).toEqual([[0, 1, 2], [3, 4, 5], [6, 7, 8]]);
    await clock.advance(1000);
    expect(writes.at(-1)).toMatchObject({ at: 1000, items: [9] });
  });
});

describe('one write at a time', () => {
  it('keeps adding while a write is in flight and writes the rest after it', async () => {
    const t = setup({ maxBatch: 2 });
    t.addRange(0, 2);
    await t.clock.advance(0);
    expect(t.writes).toHaveLength(1);
    t.addRange(2, 7);
    await t.clock.advance(5000);
    expect(t.writes).toHaveLength(1);
    expect(t.writer.stats().buffered).toBe(7);
    t.writes[0]!.resolve();
    await t.clock.advance(0);
    expect(t.writes).toHaveLength(2);
    t.writes[1]!.resolve();
    await t.clock.advance(0);
    t.writes[2]!.resolve();
    await t.clock.advance(0);
    t.writes[3]!.resolve();
    await t.clock.advance(0);
    expect(t.writes.map((w) => w.items)).toEqual([[0, 1], [2, 3], [4, 5], [6]]);
    expect(t.maxInFlight).toBe(1);
  });
});

describe('failures', () => {
  it('keeps the items of a failed write, in order, and retries with a doubling backoff', async () => {
    const t = setup({ maxBatch: 10, retryDelayMs: 500, maxRetryDelayMs: 1500 });
    t.addRange(0, 3);
    await t.clock.advance(1000);
    t.writes[0]!.reject(new Error('database is locked'));
    await t.clock.advance(0);
    expect(t.errors.map(([e, f]) => [(e as Error).message, f])).toEqual([['database is locked', { attempt: 1, batchSize: 3, retryInMs: 500 }]]);
    t.addRange(3, 5);
    await t.clock.advance(499);
    expect(t.writes).toHaveLength(1);
    await t.clock.advance(1);
    expect(t.writes[1]).toMatchObject({ at: 1500, items: [0, 1, 2, 3, 4] });
    t.writes[1]!.reject(new Error('database is locked'));
    await t.clock.advance(999);
    expect(t.writes).toHaveLength(2);
    await t.clock.advance(1);
    t.writes[2]!.reject(new Error('database is locked'));
    await t.clock.advance(1500);
    expect(t.errors.map(([, f]) => f.retryInMs)).toEqual([500, 1000, 1500]);
    expect(t.writes.map((w) => w.at)).toEqual([1000, 1500, 2500, 4000]);
    t.writes[3]!.resolve();
    await t.clock.advance(0);
    expect(t.writer.stats()).toEqual({ buffered: 0, written: 5, dropped: 0, failures: 3, failing: 0 });
    // Success resets the backoff.
    t.writer.add(5);
    await t.clock.advance(1000);
    t.writes[4]!.reject(new Error('again'));
    await t.clock.advance(0);
    expect(t.errors.at(-1)![1]).toEqual({ attempt: 1, batchSize: 1, retryInMs: 500 });
  });

  it('treats a write that throws synchronously as a failed write', async () => {
    const clock = new ManualClock(T0);
    const errors: unknown[] = [];
    let calls = 0;
    const writer = new BatchWriter<number>({
      clock,
      onError: (e) => errors.push(e),
      write: () => {
        calls++;
        if (calls === 1) throw new Error('sync');
        return Promise.resolve();
      },
    });
    writer.add(1);
    await clock.advance(1000);
    expect(String(errors[0])).toMatch(/sync/);
    await clock.advance(500);
    expect(writer.stats()).toMatchObject({ written: 1, buffered: 0 });
  });

  it('bounds memory: beyond maxBuffered the oldest items are dropped and counted', async () => {
    const t = setup({ maxBatch: 2, maxBuffered: 5, auto: 'fail' });
    t.addRange(0, 2); // written at once (full batch), fails, kept
    await t.clock.advance(0);
    t.addRange(2, 10);
    await t.clock.advance(0);
    expect(t.writer.stats()).toMatchObject({ buffered: 5, dropped: 5 });
    expect(t.drops.every(([, reason]) => reason === 'overflow')).toBe(true);
    expect(t.drops.reduce((n, [count]) => n + count, 0)).toBe(5);
  });

  it('after an outage writes the newest maxBuffered items, oldest first', async () => {
    let failing = true;
    const clock = new ManualClock(T0);
    const written: number[] = [];
    const writer = new BatchWriter<number>({
      clock,
      maxBatch: 2,
      maxBuffered: 4,
      retryDelayMs: 100,
      maxRetryDelayMs: 100,
      write: async (batch) => {
        if (failing) throw new Error('down');
        written.push(...batch);
      },
    });
    for (let i = 0; i < 10; i++) {
      writer.add(i);
      await clock.advance(50);
    }
    failing = false;
    await clock.advance(1000);
    expect(written).toEqual([6, 7, 8, 9]);
    expect(writer.stats()).toMatchObject({ written: 4, dropped: 6, buffered: 0 });
  });
});

describe('flush and close', () => {
  it('flush writes everything now and resolves when it is written', async () => {
    const t = setup({ maxBatch: 3, auto: 'ok' });
    await t.writer.flush(); // nothing to do
    t.addRange(0, 7);
    await t.clock.advance(0);
    expect(t.writes).toHaveLength(2);
    let flushed = false;
    const flushing = t.writer.flush().then(() => (flushed = true));
    await t.clock.advance(0);
    await flushing;
    expect(flushed).toBe(true);
    expect(t.writes.map((w) => [w.at, w.items])).toEqual([
      [0, [0, 1, 2]],
      [0, [3, 4, 5]],
      [0, [6]],
    ]);
  });

  it('flush waits for the write in flight, then writes the rest', async () => {
    const t = setup({ maxBatch: 2 });
    t.addRange(0, 3);
    await t.clock.advance(0);
    const flushing = t.writer.flush();
    t.writer.add(99); // added after the flush: not waited for, but written with the rest
    t.writes[0]!.resolve();
    await t.clock.advance(0);
    t.writes[1]!.resolve();
    await flushing;
    expect(t.writes.map((w) => w.items)).toEqual([
      [0, 1],
      [2, 99],
    ]);
  });

  it('flush skips the retry backoff, and rejects when the write fails (items kept)', async () => {
    const t = setup({ retryDelayMs: 10_000 });
    t.addRange(0, 2);
    await t.clock.advance(1000);
    t.writes[0]!.reject(new Error('locked'));
    await t.clock.advance(0);
    const first = t.writer.flush();
    await t.clock.advance(0);
    expect(t.writes).toHaveLength(2);
    t.writes[1]!.reject(new Error('still locked'));
    await expect(first).rejects.toThrow('still locked');
    expect(t.writer.stats().buffered).toBe(2);
    const second = t.writer.flush();
    await t.clock.advance(0);
    t.writes[2]!.resolve();
    await second;
    expect(t.writer.stats()).toMatchObject({ buffered: 0, written: 2 });
  });

  it('close flushes everything, drops later items, and leaves no timer', async () => {
    const t = setup({ auto: 'ok' });
    t.addRange(0, 5);
    await t.writer.close();
    expect(t.writes.map((w) => [w.at, w.items])).toEqual([[0, [0, 1, 2, 3, 4]]]);
    t.writer.add(5);
    expect(t.drops).toEqual([[1, 'closed']]);
    expect(t.writer.stats()).toMatchObject({ written: 5, dropped: 1, buffered: 0 });
    expect(t.clock.pendingTimers).toBe(0);
    expect(t.writer.close()).toBe(t.writer.close());
  });

  it('close retries failed writes with backoff until they succeed', async () => {
    const t = setup({ retryDelayMs: 100 });
    t.addRange(0, 3);
    const closing = t.writer.close();
    await t.clock.advance(0);
    t.writes[0]!.reject(new Error('busy'));
    await t.clock.advance(100);
    t.writes[1]!.reject(new Error('busy'));
    await t.clock.advance(200);
    t.writes[2]!.resolve();
    await closing;
    expect(t.writes.map((w) => w.at)).toEqual([0, 100, 300]);
    expect(t.writer.stats()).toMatchObject({ written: 3, buffered: 0, failures: 2 });
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('close gives up after closeTimeoutMs and says how much is left', async () => {
    const t = setup({ auto: 'fail', retryDelayMs: 1000, closeTimeoutMs: 5000 });
    t.addRange(0, 4);
    let error: unknown;
    const closing = t.writer.close().catch((e: unknown) => (error = e));
    await t.clock.advance(10_000);
    await closing;
    expect(String(error)).toMatch(/database is locked/);
    // 0, 1 s, 3 s, then the 4 s backoff would pass the deadline: one last try at 5 s.
    expect(t.writes.map((w) => w.at)).toEqual([0, 1000, 3000, 5000]);
    expect(t.writer.stats().buffered).toBe(4);
    expect(t.clock.pendingTimers).toBe(0);
  });

  it('rejects nonsense options', () => {
    const write = async () => {};
    expect(() => new BatchWriter({ write, maxBatch: 0 })).toThrow(RangeError);
    expect(() => new BatchWriter({ write, maxBatch: 10, maxBuffered: 5 })).toThrow(/maxBuffered/);
    expect(() => new BatchWriter({ write, maxDelayMs: -1 })).toThrow(RangeError);
  });
});

describe('urgent items (state changes, acknowledged pings)', () => {
  it('are written at once, with everything added before them, and resolve when written', async () => {
    const t = setup();
    t.addRange(0, 3);
    let written = false;
    const urgent = t.writer.addUrgent(3).then(() => (written = true));
    await t.clock.advance(0);
    // No 1 s wait: the quiet items before it go in the same write, in order.
    expect(t.writes.map((w) => [w.at, w.items])).toEqual([[0, [0, 1, 2, 3]]]);
    expect(written).toBe(false);
    t.writes[0]!.resolve();
    await urgent;
    expect(written).toBe(true);
  });

  it('arriving while a write is in flight, go together in the next one (group commit)', async () => {
    const t = setup();
    const first = t.writer.addUrgent(1);
    await t.clock.advance(0);
    const second = t.writer.addUrgent(2);
    t.writer.add(3);
    const third = t.writer.addUrgent(4);
    await t.clock.advance(0);
    expect(t.writes).toHaveLength(1);
    t.writes[0]!.resolve();
    await first;
    await t.clock.advance(0);
    expect(t.writes.map((w) => w.items)).toEqual([[1], [2, 3, 4]]);
    t.writes[1]!.resolve();
    await Promise.all([second, third]);
    expect(t.maxInFlight).toBe(1);
  });

  it('finishing in one turn of the event loop, go in one write even when the store writes synchronously', async () => {
    // Like SQLite: the write is done before it returns, so there is never a write in flight to gather behind.
    const writes: number[][] = [];
    const writer = new BatchWriter<number>({ write: async (items) => void writes.push([...items]) });
    // Five checks finishing in the same turn (their callbacks run one after the other, microtasks in between).
    const done = await new Promise<Array<Promise<void>>>((resolve) => {
      const urgent: Array<Promise<void>> = [];
      for (let i = 0; i < 5; i++) setImmediate(() => urgent.push(writer.addUrgent(i)));
      setImmediate(() => resolve(urgent));
    });
    await Promise.all(done);
    expect(writes).toEqual([[0, 1, 2, 3, 4]]);
    await writer.close();
  });

  it('wait through failed writes (retried with backoff) instead of failing, and are never dropped', async () => {
    const t = setup({ retryDelayMs: 100, maxBatch: 2, maxBuffered: 2 });
    let done = false;
    const urgent = t.writer.addUrgent(1).then(() => (done = true));
    await t.clock.advance(0);
    t.writes[0]!.reject(new Error('database is locked'));
    await t.clock.advance(0);
    // The memory limit is reached by quiet items: they go, the urgent one stays.
    t.addRange(10, 13);
    await t.clock.advance(100);
    expect(t.writes.at(-1)!.items[0]).toBe(1);
    expect(t.drops.reduce((n, [count]) => n + count, 0)).toBeGreaterThan(0);
    t.writes.at(-1)!.resolve();
    await urgent;
    expect(done).toBe(true);
  });

  it('are refused after close, and rejected when close gives up on them', async () => {
    const t = setup({ auto: 'fail', retryDelayMs: 1000, closeTimeoutMs: 2000 });
    const urgent = t.writer.addUrgent(1);
    const outcome = urgent.then(
      () => 'written',
      (error: unknown) => String(error),
    );
    const closing = t.writer.close().catch(() => undefined);
    await t.clock.advance(5000);
    await closing;
    expect(await outcome).toMatch(/closed before this could be stored/);
    await expect(t.writer.addUrgent(2)).rejects.toThrow(/closed/);
  });
});
