import { describe, expect, it } from 'vitest';
import { ManualClock, delay, systemClock } from '../src/scheduler/clock.js';
import { Fifo } from '../src/scheduler/fifo.js';
import { IndexedHeap } from '../src/scheduler/heap.js';
import { RecentSamples } from '../src/scheduler/lateness.js';
import { firstDue, hashId, nextPhaseSlot, phaseOffset } from '../src/scheduler/spread.js';

describe('IndexedHeap', () => {
  it('pops in order through random pushes, removals and re-keys', () => {
    interface Item {
      key: number;
      index: number;
    }
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1_664_525) + 1_013_904_223) >>> 0;
      return seed / 2 ** 32;
    };
    const heap = new IndexedHeap<Item>(
      (a, b) => a.key < b.key,
      (item, index) => {
        item.index = index;
      },
    );
    const live = new Set<Item>();
    for (let i = 0; i < 5000; i++) {
      const op = random();
      if (op < 0.5 || live.size === 0) {
        const item = { key: Math.floor(random() * 1000), index: -1 };
        heap.push(item);
        live.add(item);
      } else if (op < 0.7) {
        const item = [...live][Math.floor(random() * live.size)]!;
        expect(heap.remove(item.index)).toBe(item);
        expect(item.index).toBe(-1);
        live.delete(item);
      } else if (op < 0.85) {
        const item = [...live][Math.floor(random() * live.size)]!;
        item.key = Math.floor(random() * 1000);
        heap.update(item.index);
      } else {
        const min = Math.min(...[...live].map((x) => x.key));
        const item = heap.pop()!;
        expect(item.key).toBe(min);
        live.delete(item);
      }
      expect(heap.size).toBe(live.size);
    }
    const keys: number[] = [];
    for (let item = heap.pop(); item; item = heap.pop()) keys.push(item.key);
    expect(keys).toEqual([...keys].sort((a, b) => a - b));
  });
});

describe('Fifo', () => {
  it('keeps order through shift, shiftMany and unshiftMany', () => {
    const fifo = new Fifo<number>();
    for (let i = 0; i < 3000; i++) fifo.push(i);
    expect(fifo.shift()).toBe(0);
    const taken = fifo.shiftMany(2000);
    expect(taken[0]).toBe(1);
    expect(taken.at(-1)).toBe(2000);
    fifo.unshiftMany(taken.slice(-3));
    expect(fifo.length).toBe(1002);
    expect(fifo.shiftMany(4)).toEqual([1998, 1999, 2000, 2001]);
    fifo.unshiftMany([-3, -2, -1]);
    const rest = fifo.shiftMany(10_000);
    expect(rest.slice(0, 4)).toEqual([-3, -2, -1, 2002]);
    expect(rest.at(-1)).toBe(2999);
    expect(fifo.length).toBe(0);
    expect(fifo.shift()).toBeUndefined();
    fifo.unshiftMany([1, 2]);
    expect(fifo.peek()).toBe(1);
  });
});

describe('ManualClock', () => {
  it('fires timers in time order, then creation order, with the time set to each', async () => {
    const clock = new ManualClock(100);
    const fired: string[] = [];
    clock.setTimer(300, () => fired.push(`c@${clock.now()}`));
    clock.setTimer(200, () => fired.push(`a@${clock.now()}`));
    clock.setTimer(200, () => fired.push(`b@${clock.now()}`));
    const cleared = clock.setTimer(250, () => fired.push('never'));
    clock.clearTimer(cleared);
    clock.setTimer(50, () => fired.push(`past@${clock.now()}`));
    await clock.advance(150);
    expect(fired).toEqual(['past@100', 'a@200', 'b@200']);
    expect(clock.now()).toBe(250);
    await clock.advanceTo(1000);
    expect(fired.at(-1)).toBe('c@300');
    expect(clock.pendingTimers).toBe(0);
  });

  it('lets awaiting code run between timers', async () => {
    const clock = new ManualClock(0);
    const seen: number[] = [];
    void (async () => {
      for (let i = 0; i < 3; i++) {
        await delay(clock, 100);
        seen.push(clock.now());
      }
    })();
    await clock.advance(1000);
    expect(seen).toEqual([100, 200, 300]);
  });

  it('delay rejects with the abort reason', async () => {
    const clock = new ManualClock(0);
    const controller = new AbortController();
    const waiting = delay(clock, 100, controller.signal);
    controller.abort(new Error('gone'));
    await expect(waiting).rejects.toThrow('gone');
    expect(clock.pendingTimers).toBe(0);
  });
});

describe('systemClock', () => {
  it('fires a timer at its time and can clear one', async () => {
    const fired: number[] = [];
    const start = Date.now();
    const cleared = systemClock.setTimer(start + 20, () => fired.push(-1));
    systemClock.clearTimer(cleared);
    await new Promise<void>((resolve) => systemClock.setTimer(start + 30, () => resolve()));
    expect(Date.now() - start).toBeGreaterThanOrEqual(29);
    expect(fired).toEqual([]);
  });
});

describe('spread', () => {
  it('hashes ids to offsets inside the interval, spread evenly', () => {
    const buckets = new Array<number>(10).fill(0);
    let outside = 0;
    for (let i = 0; i < 100_000; i++) {
      const offset = phaseOffset(`https://example.com/${i}`, 60_000);
      if (offset < 0 || offset >= 60_000 || !Number.isInteger(offset)) outside++;
      else buckets[Math.floor(offset / 6000)]!++;
    }
    expect(outside).toBe(0);
    for (const count of buckets) expect(Math.abs(count - 10_000)).toBeLessThan(500);
    expect(hashId('a')).not.toBe(hashId('b'));
    expect(hashId('monitor-1')).toBe(hashId('monitor-1'));
  });

  it('places the next phase slot in [now, now + interval), congruent to the offset', () => {
    for (const now of [0, 1, 19_999, 1_700_000_000_123]) {
      const slot = nextPhaseSlot('x', 20_000, now);
      expect(slot).toBeGreaterThanOrEqual(now);
      expect(slot).toBeLessThan(now + 20_000);
      expect(slot % 20_000).toBe(phaseOffset('x', 20_000));
    }
  });

  it.each([
    { name: 'no reference: phase slot', reference: undefined, expected: 'phase' },
    { name: 'recent check: resume', reference: 95_000, expected: 115_000 },
    { name: 'check exactly one interval ago: now', reference: 80_000, expected: 100_000 },
    { name: 'overdue: phase slot', reference: 10_000, expected: 'phase' },
    { name: 'future (skewed) check: now + interval', reference: 500_000, expected: 120_000 },
    { name: 'not a number: phase slot', reference: Number.NaN, expected: 'phase' },
  ])('firstDue — $name', ({ reference, expected }) => {
    const due = firstDue('x', 20_000, 100_000, reference);
    expect(due).toBe(expected === 'phase' ? nextPhaseSlot('x', 20_000, 100_000) : expected);
  });
});

describe('RecentSamples', () => {
  it('computes nearest-rank percentiles over the last samples', () => {
    const samples = new RecentSamples(100);
    for (let i = 1; i <= 200; i++) samples.record(i);
    expect(samples.summary()).toEqual({ count: 100, p50: 150, p99: 199, max: 200 });
    expect(() => new RecentSamples(0)).toThrow(RangeError);
  });
});
