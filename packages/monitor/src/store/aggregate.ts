/**
 * Rollup and summary arithmetic shared by both backends: raw results grouped by the database into
 * (monitor, bucket, status, latency bucket) counts become rollup rows; rollup rows merge into longer buckets;
 * either becomes a `StoreSummary`. Latency statistics cover the checks that did not fail; a failed check is
 * downtime (`failures`) unless it was excused (`excused`: its monitor was pending or in maintenance).
 */
import { DEGRADED, UNHEALTHY } from './codec.js';
import { LatencySketch } from './sketch.js';
import type { StoreSummary } from './store.js';
import { floorTo } from './time.js';

export const P95 = 0.95;

/** Raw results of one monitor in one bucket with one status and one latency bucket, as the database groups them. */
export interface RawGroup {
  key: number;
  bucket: number;
  status: number;
  latencyBucket: number;
  count: number;
  latencySum: number;
}

/** A rollup row as written. */
export interface RollupRow {
  key: number;
  bucketStart: number;
  checks: number;
  failures: number;
  excused: number;
  degraded: number;
  latencySum: number;
  p95: number | null;
  sketch: Uint8Array;
}

/** A rollup row as read (the sketch only when it was asked for). */
export interface StoredRollup {
  key: number;
  bucketStart: number;
  checks: number;
  failures: number;
  excused: number;
  degraded: number;
  latencySum: number;
  p95: number | null;
  sketch?: Uint8Array | null;
}

/** Exact aggregates of raw results, computed by the database. */
export interface ExactAggregate {
  checks: number;
  failures: number;
  excused: number;
  degraded: number;
  latencySum: number;
  p95: number | null;
}

export class Tally {
  checks = 0;
  failures = 0;
  excused = 0;
  degraded = 0;
  latencySum = 0;
  private histogram: LatencySketch | undefined;
  /** Set when a rollup's stored p95 is used without its sketch (a single daily row). */
  private storedP95: number | null | undefined;
  private parts = 0;

  /** Allocated on first use: a status page reads tens of thousands of daily rows that need none. */
  get sketch(): LatencySketch {
    return (this.histogram ??= new LatencySketch());
  }

  addGroup(group: RawGroup): void {
    this.checks += group.count;
    if (group.status >= UNHEALTHY) {
      if (group.status === UNHEALTHY) this.failures += group.count;
      else this.excused += group.count;
      return;
    }
    if (group.status === DEGRADED) this.degraded += group.count;
    this.latencySum += group.latencySum;
    this.sketch.addToBucket(group.latencyBucket, group.count);
    this.parts++;
  }

  addRollup(row: StoredRollup): void {
    this.checks += row.checks;
    this.failures += row.failures;
    this.excused += row.excused;
    this.degraded += row.degraded;
    this.latencySum += row.latencySum;
    if (row.sketch === undefined) this.storedP95 = row.p95;
    else this.sketch.merge(LatencySketch.decode(row.sketch));
    this.parts++;
  }

  p95(): number | undefined {
    if (this.storedP95 !== undefined && this.parts === 1) return this.storedP95 ?? undefined;
    return this.histogram?.quantile(P95);
  }

  toRollup(key: number, bucketStart: number): RollupRow {
    return {
      key,
      bucketStart,
      checks: this.checks,
      failures: this.failures,
      excused: this.excused,
      degraded: this.degraded,
      latencySum: this.latencySum,
      p95: this.sketch.quantile(P95) ?? null,
      sketch: this.sketch.encode(),
    };
  }

  toSummary(exact: boolean, withP95 = true): StoreSummary {
    return summaryOf(this, exact, withP95 ? this.p95() : undefined);
  }
}

export function summaryOf(
  counts: { checks: number; failures: number; excused: number; degraded: number; latencySum: number },
  exact: boolean,
  p95: number | undefined,
): StoreSummary {
  const { checks, failures, excused, degraded, latencySum } = counts;
  const summary: StoreSummary = { checks, failures, excused, degraded, exact };
  if (checks > 0) summary.uptime = (checks - failures) / checks;
  // Latency is that of the checks that answered: neither downtime nor excused failures.
  const up = checks - failures - excused;
  if (up > 0) {
    summary.latencyAvgMs = latencySum / up;
    if (p95 !== undefined) summary.latencyP95Ms = p95;
  }
  return summary;
}

export function emptySummary(): StoreSummary {
  return { checks: 0, failures: 0, excused: 0, degraded: 0, exact: true };
}

/** Tallies keyed by monitor key and bucket start. */
export class TallyMap {
  private readonly tallies = new Map<number, Map<number, Tally>>();

  get(key: number, bucket: number): Tally {
    let buckets = this.tallies.get(key);
    if (!buckets) this.tallies.set(key, (buckets = new Map()));
    let tally = buckets.get(bucket);
    if (!tally) buckets.set(bucket, (tally = new Tally()));
    return tally;
  }

  *entries(): Generator<[key: number, bucket: number, tally: Tally]> {
    for (const [key, buckets] of this.tallies) for (const [bucket, tally] of buckets) yield [key, bucket, tally];
  }
}

/** Rollup rows from raw groups (the groups' `bucket` is already the rollup bucket's start). */
export function buildRollups(groups: Iterable<RawGroup>): RollupRow[] {
  const tallies = new TallyMap();
  for (const group of groups) tallies.get(group.key, group.bucket).addGroup(group);
  return [...tallies.entries()].map(([key, bucket, tally]) => tally.toRollup(key, bucket));
}

/** Longer rollups (days) from shorter ones (hours, with sketches). */
export function mergeRollups(rows: Iterable<StoredRollup>, size: number): RollupRow[] {
  const tallies = new TallyMap();
  for (const row of rows) tallies.get(row.key, floorTo(row.bucketStart, size)).addRollup(row);
  return [...tallies.entries()].map(([key, bucket, tally]) => tally.toRollup(key, bucket));
}

/**
 * One monitor's rollups of one resolution packed by the database into one JSON array (reading 90 days × 1,000
 * monitors as separate rows costs several times more): `[bucketStart, checks, failures, degraded, latencySum, p95,
 * excused]`.
 */
export interface PackedRollups {
  key: number;
  buckets: Array<[number, number, number, number, number, number | null, number]>;
}

/** Where `assembleBuckets` takes its figures from, as `planBuckets` chose them. */
export interface BucketSources {
  /** Rollups as long as the bucket (daily for days, hourly for hours). */
  whole: Iterable<PackedRollups>;
  /** Shorter rollups, merged per bucket (hourly rollups of a day). */
  parts: Iterable<StoredRollup>;
  /** Raw groups whose `bucket` is already the bucket's start. */
  raw: Iterable<RawGroup>;
}

/**
 * Per-bucket summaries (days or hours, `size` long). Rollups as long as the bucket are complete buckets that no
 * other source touches, so each becomes a summary directly (with its stored p95); shorter rollups and raw groups
 * are merged per bucket. Only buckets with checks are set.
 */
export function assembleBuckets(
  out: Map<string, Map<number, StoreSummary>>,
  monitorOf: (key: number) => string | undefined,
  size: number,
  sources: BucketSources,
  withP95: boolean,
): void {
  for (const pack of sources.whole) {
    const buckets = out.get(monitorOf(pack.key)!);
    if (!buckets) continue;
    for (const [start, checks, failures, degraded, latencySum, p95, excused] of pack.buckets) {
      if (checks > 0) {
        const counts = { checks, failures, excused, degraded, latencySum };
        buckets.set(start, summaryOf(counts, false, withP95 ? (p95 ?? undefined) : undefined));
      }
    }
  }
  const tallies = new TallyMap();
  for (const row of sources.parts) tallies.get(row.key, floorTo(row.bucketStart, size)).addRollup(row);
  for (const group of sources.raw) tallies.get(group.key, group.bucket).addGroup(group);
  for (const [key, start, tally] of tallies.entries()) {
    const buckets = out.get(monitorOf(key)!);
    if (buckets && tally.checks > 0) buckets.set(start, tally.toSummary(false, withP95));
  }
}
