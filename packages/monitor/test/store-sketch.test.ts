/** The store's arithmetic without a database: the latency sketch and its error bound, and read planning. */
import { describe, expect, test } from 'vitest';
import { planDaily, planSummary } from '../src/store/plan.js';
import {
  LatencySketch,
  nearestRank,
  nearestRankOffset,
  SKETCH_BUCKETS,
  SKETCH_LOWER_BOUNDS,
  SKETCH_MAX_MS,
  SKETCH_RELATIVE_ERROR,
  sketchBucket,
} from '../src/store/sketch.js';
import { DAY_MS, HOUR_MS } from '../src/store/time.js';
import { random } from './store/data.js';

const T0 = Date.UTC(2024, 0, 1);
const estimate = (latency: number) => new LatencySketch().add(latency).quantile(0.95)!;

describe('latency sketch', () => {
  test('buckets: 0 ms alone, each millisecond alone up to 10 ms, then at most 10 % wide, up to 10 minutes', () => {
    expect(SKETCH_LOWER_BOUNDS.slice(0, 12)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    expect(SKETCH_BUCKETS).toBeLessThan(256); // one byte per index in the stored form
    expect(SKETCH_LOWER_BOUNDS.at(-1)).toBe(SKETCH_MAX_MS);
    for (let i = 1; i < SKETCH_BUCKETS - 1; i++) {
      const lower = SKETCH_LOWER_BOUNDS[i]!;
      const highest = SKETCH_LOWER_BOUNDS[i + 1]! - 1;
      expect(highest).toBeGreaterThanOrEqual(lower);
      expect(highest / lower).toBeLessThan(1.1);
      expect([sketchBucket(lower), sketchBucket(highest)]).toEqual([i, i]);
      // Both ends of every bucket are within the documented bound of what the sketch reports.
      for (const value of [lower, highest]) {
        expect(Math.abs(estimate(value) - value) / value).toBeLessThanOrEqual(SKETCH_RELATIVE_ERROR);
      }
    }
    expect(SKETCH_RELATIVE_ERROR).toBeCloseTo(0.0488, 4);
    for (let ms = 0; ms <= 10; ms++) expect(estimate(ms)).toBe(ms);
    expect([sketchBucket(-5), sketchBucket(0.4), sketchBucket(0.6), sketchBucket(9e9)]).toEqual([0, 0, 1, SKETCH_BUCKETS - 1]);
    expect(estimate(3_600_000)).toBe(SKETCH_MAX_MS);
  });

  test('the p95 of merged sketches is within the bound of the exact nearest-rank p95', () => {
    for (const [seed, size] of [
      [1, 1],
      [2, 19],
      [3, 20],
      [4, 61],
      [5, 1000],
      [6, 25_000],
    ] as const) {
      const next = random(seed);
      const values = Array.from({ length: size }, () =>
        Math.round(next() < 0.1 ? 2000 + next() * 8000 : Math.exp(next() * Math.log(800))),
      );
      // Split into "hours", encode, decode and merge, as rollups do.
      const merged = new LatencySketch();
      for (let i = 0; i < values.length; i += 180) {
        const hour = new LatencySketch();
        for (const value of values.slice(i, i + 180)) hour.add(value);
        merged.merge(LatencySketch.decode(hour.encode()));
      }
      expect(merged.total).toBe(size);
      for (const q of [0.5, 0.95, 0.99]) {
        const exact = nearestRank(values, q)!;
        const approx = merged.quantile(q)!;
        if (exact === 0) expect(approx).toBe(0);
        else expect(Math.abs(approx - exact) / exact).toBeLessThanOrEqual(SKETCH_RELATIVE_ERROR);
      }
    }
    expect(new LatencySketch().quantile(0.95)).toBeUndefined();
  });

  test('stored form: small, exact round trip, rejects what it does not know', () => {
    const hour = new LatencySketch();
    for (let i = 0; i < 180; i++) hour.add(40 + (i % 9));
    const bytes = hour.encode();
    expect(bytes.length).toBeLessThan(16);
    const back = LatencySketch.decode(bytes);
    expect([...back.counts]).toEqual([...hour.counts]);
    const big = new LatencySketch().add(5, 3_000_000_000);
    expect(LatencySketch.decode(big.encode()).total).toBe(3_000_000_000);
    expect(LatencySketch.decode(null).total).toBe(0);
    expect(() => LatencySketch.decode(Uint8Array.from([9, 1, 1]))).toThrow(/format/);
    expect(() => LatencySketch.decode(Uint8Array.from([1, 1, 0x80]))).toThrow(/truncated/);
    expect(() => new LatencySketch().addToBucket(SKETCH_BUCKETS, 1)).toThrow(RangeError);
  });

  test('nearest rank: the ⌈q·n⌉-th smallest value', () => {
    expect([1, 19, 20, 60, 100].map((n) => nearestRankOffset(n, 0.95))).toEqual([0, 18, 18, 56, 94]);
    expect(nearestRank([5, 1, 4, 2, 3], 0.95)).toBe(5);
    expect(nearestRank([5, 1, 4, 2, 3], 0.5)).toBe(3);
    expect(nearestRank([], 0.95)).toBeUndefined();
  });
});

describe('read planning', () => {
  test('summary: raw results only until something was deleted, then hourly and daily rollups before', () => {
    expect(planSummary({}, T0, T0 + DAY_MS)).toEqual({ raw: { from: T0, to: T0 + DAY_MS } });
    const marks = { rawFrom: T0 + 10 * DAY_MS, hourlyFrom: T0 + 5 * DAY_MS };
    expect(planSummary(marks, T0, T0 + 20 * DAY_MS)).toEqual({
      daily: { from: T0, to: T0 + 5 * DAY_MS },
      hourly: { from: T0 + 5 * DAY_MS, to: T0 + 10 * DAY_MS },
      raw: { from: T0 + 10 * DAY_MS, to: T0 + 20 * DAY_MS },
    });
    expect(planSummary(marks, T0 + 6 * DAY_MS, T0 + 7 * DAY_MS)).toEqual({ hourly: { from: T0 + 6 * DAY_MS, to: T0 + 7 * DAY_MS } });
    expect(planSummary(marks, T0 + 12 * DAY_MS, T0 + 11 * DAY_MS)).toEqual({});
  });

  test('daily: whole UTC days; daily rollups, then hourly rollups, then raw results', () => {
    expect(planDaily({}, T0 + 5 * HOUR_MS, T0 + DAY_MS + 1)).toEqual({ raw: { from: T0, to: T0 + 2 * DAY_MS } });
    const marks = { dailyTo: T0 + 3 * DAY_MS, hourlyTo: T0 + 3 * DAY_MS + 5 * HOUR_MS, rawFrom: T0 + 2 * DAY_MS, hourlyFrom: T0 };
    expect(planDaily(marks, T0 + HOUR_MS, T0 + 3 * DAY_MS + 7 * HOUR_MS)).toEqual({
      daily: { from: T0, to: T0 + 3 * DAY_MS },
      hourly: { from: T0 + 3 * DAY_MS, to: T0 + 3 * DAY_MS + 5 * HOUR_MS },
      raw: { from: T0 + 3 * DAY_MS + 5 * HOUR_MS, to: T0 + 4 * DAY_MS },
    });
  });
});
