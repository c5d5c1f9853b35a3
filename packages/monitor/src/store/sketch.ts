/**
 * A small, mergeable latency histogram for rollups: fixed, log-spaced buckets over whole milliseconds, so the
 * p95 of a day or of 90 days is computed by adding the hourly histograms instead of keeping every latency.
 *
 * Buckets: 0 ms alone, every whole millisecond alone up to about 10 ms, then buckets whose upper end is at most
 * 10 % above their lower end (bounds `ceil(0.5 ms × 1.1^k)`), up to 10 minutes; latencies of 10 minutes or more
 * share a last bucket. A quantile is reported as the geometric middle of the bucket that holds the requested
 * rank, so it is within `SKETCH_RELATIVE_ERROR` (√1.1 − 1 ≈ 4.9 %) of the exact nearest-rank value computed from
 * the same (whole-millisecond) latencies, exact below about 10 ms, and capped at 10 minutes.
 *
 * Stored form: a version byte, then for each non-empty bucket its index (one byte) and its count (LEB128).
 * An hour of checks with steady latency takes 10–30 bytes.
 */

const GROWTH = 1.1;
/** Latencies at or above this share the last bucket. */
export const SKETCH_MAX_MS = 600_000;
/** Upper bound of |estimate − exact| ÷ exact for a quantile below `SKETCH_MAX_MS`. */
export const SKETCH_RELATIVE_ERROR = Math.sqrt(GROWTH) - 1;
const FORMAT = 1;

/** `LOWER[i]` is the smallest whole millisecond in bucket i; bucket i holds [LOWER[i], LOWER[i + 1]). */
export const SKETCH_LOWER_BOUNDS: readonly number[] = (() => {
  const lower = [0];
  for (let k = 0; ; k++) {
    const bound = Math.ceil(0.5 * GROWTH ** k);
    if (bound >= SKETCH_MAX_MS) break;
    if (bound > lower[lower.length - 1]!) lower.push(bound);
  }
  lower.push(SKETCH_MAX_MS);
  return lower;
})();

export const SKETCH_BUCKETS = SKETCH_LOWER_BOUNDS.length;

/** The bucket of a latency (rounded to whole milliseconds, as stored). */
export function sketchBucket(latencyMs: number): number {
  const value = Math.round(latencyMs);
  if (!(value > 0)) return 0;
  // Binary search for the last lower bound ≤ value.
  let low = 0;
  let high = SKETCH_BUCKETS - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (SKETCH_LOWER_BOUNDS[middle]! <= value) low = middle;
    else high = middle - 1;
  }
  return low;
}

/** The value reported for bucket i: exact for one-millisecond buckets, the geometric middle otherwise. */
function representative(bucket: number): number {
  const lower = SKETCH_LOWER_BOUNDS[bucket]!;
  const next = SKETCH_LOWER_BOUNDS[bucket + 1];
  if (next === undefined) return lower;
  const highest = next - 1;
  return highest === lower ? lower : Math.sqrt(lower * highest);
}

export class LatencySketch {
  readonly counts = new Float64Array(SKETCH_BUCKETS);
  total = 0;

  add(latencyMs: number, count = 1): this {
    return this.addToBucket(sketchBucket(latencyMs), count);
  }

  addToBucket(bucket: number, count: number): this {
    if (count <= 0) return this;
    if (!Number.isInteger(bucket) || bucket < 0 || bucket >= SKETCH_BUCKETS) {
      throw new RangeError(`latency sketch bucket ${bucket} is out of range`);
    }
    this.counts[bucket]! += count;
    this.total += count;
    return this;
  }

  merge(other: LatencySketch): this {
    for (let i = 0; i < SKETCH_BUCKETS; i++) this.counts[i]! += other.counts[i]!;
    this.total += other.total;
    return this;
  }

  /** Nearest-rank quantile estimate (q in (0, 1]); `undefined` when empty. */
  quantile(q: number): number | undefined {
    if (this.total === 0) return undefined;
    const rank = nearestRankOffset(this.total, q) + 1;
    let seen = 0;
    for (let i = 0; i < SKETCH_BUCKETS; i++) {
      seen += this.counts[i]!;
      if (seen >= rank) return representative(i);
    }
    return representative(SKETCH_BUCKETS - 1);
  }

  encode(): Uint8Array {
    const bytes: number[] = [FORMAT];
    for (let i = 0; i < SKETCH_BUCKETS; i++) {
      let count = this.counts[i]!;
      if (count === 0) continue;
      bytes.push(i);
      // LEB128: seven bits at a time, low first.
      while (count >= 0x80) {
        bytes.push((count % 0x80) | 0x80);
        count = Math.floor(count / 0x80);
      }
      bytes.push(count);
    }
    return Uint8Array.from(bytes);
  }

  static decode(data: Uint8Array | null | undefined): LatencySketch {
    const sketch = new LatencySketch();
    if (!data || data.length === 0) return sketch;
    if (data[0] !== FORMAT) throw new Error(`unknown latency sketch format ${data[0]}`);
    let offset = 1;
    while (offset < data.length) {
      const bucket = data[offset++]!;
      let count = 0;
      let scale = 1;
      for (;;) {
        const byte = data[offset++];
        if (byte === undefined) throw new Error('truncated latency sketch');
        count += (byte & 0x7f) * scale;
        scale *= 0x80;
        if (byte < 0x80) break;
      }
      sketch.addToBucket(bucket, count);
    }
    return sketch;
  }
}

/** The exact nearest-rank quantile of a list of values: the smallest value with at least ⌈q·n⌉ values ≤ it. */
export function nearestRank(values: readonly number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[nearestRankOffset(sorted.length, q)];
}

/** 0-based offset of the nearest-rank quantile in a sorted list of `count` values. */
export function nearestRankOffset(count: number, q: number): number {
  // The epsilon keeps 0.95 × 60 (= 57.000000000000007 in floating point) at rank 57.
  return Math.max(1, Math.ceil(q * count - 1e-9)) - 1;
}
