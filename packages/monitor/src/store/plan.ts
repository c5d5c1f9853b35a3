/**
 * Where each part of a time range is read from. The store keeps watermarks (the `meta` table) that say which
 * hours and days are rolled up and from when each resolution is still complete; a read takes raw results from
 * `rawFrom` on, hourly rollups before that and daily rollups before `hourlyFrom`.
 */
import { ceilTo, DAY_MS, floorTo, type HOUR_MS } from './time.js';

export interface Watermarks {
  /** Hours before this are folded into hourly rollups. */
  hourlyTo?: number;
  /** A result before this marks its (monitor, hour) for recomputation (≥ hourlyTo; set before rolling). */
  dirtyBefore?: number;
  /** Days before this are folded into daily rollups. */
  dailyTo?: number;
  /** Raw results before this may be deleted: readers use rollups there (≤ hourlyTo). */
  rawFrom?: number;
  /** Hourly rollups before this may be deleted: readers use daily rollups there (≤ dailyTo). */
  hourlyFrom?: number;
  /** Daily rollups before this may be deleted. */
  dailyFrom?: number;
  /** Deletion below each cut-off finished. */
  rawPurged?: number;
  hourlyPurged?: number;
  dailyPurged?: number;
}

/** Column `key` of the `meta` table for each watermark. */
export const META_KEYS: Readonly<Record<keyof Watermarks, string>> = {
  hourlyTo: 'hourly_to',
  dirtyBefore: 'dirty_before',
  dailyTo: 'daily_to',
  rawFrom: 'raw_from',
  hourlyFrom: 'hourly_from',
  dailyFrom: 'daily_from',
  rawPurged: 'raw_purged',
  hourlyPurged: 'hourly_purged',
  dailyPurged: 'daily_purged',
};

export function watermarksFrom(rows: Iterable<{ key: string; value: number }>): Watermarks {
  const byKey = new Map<string, keyof Watermarks>(
    Object.entries(META_KEYS).map(([field, key]) => [key, field as keyof Watermarks]),
  );
  const marks: Watermarks = {};
  for (const row of rows) {
    const field = byKey.get(row.key);
    if (field) marks[field] = Number(row.value);
  }
  return marks;
}

export function metaEntries(values: Watermarks): Array<[string, number]> {
  return Object.entries(values)
    .filter((entry): entry is [keyof Watermarks, number] => typeof entry[1] === 'number')
    .map(([field, value]) => [META_KEYS[field], value]);
}

/** A half-open range of epoch milliseconds. */
export interface Range {
  from: number;
  to: number;
}

const range = (from: number, to: number): Range | undefined => (from < to ? { from, to } : undefined);

export interface ReadPlan {
  /** Daily rollups whose day starts in this range. */
  daily?: Range;
  /** Hourly rollups whose hour starts in this range. */
  hourly?: Range;
  /** Raw results in this range. */
  raw?: Range;
}

/** `summary(from, to)`: raw from `rawFrom`, hourly rollups from `hourlyFrom`, daily rollups before. */
export function planSummary(marks: Watermarks, from: number, to: number): ReadPlan {
  const plan: ReadPlan = {};
  const rawFrom = marks.rawFrom;
  const hourlyFrom = marks.hourlyFrom;
  const raw = range(rawFrom === undefined ? from : Math.max(from, rawFrom), to);
  if (raw) plan.raw = raw;
  if (rawFrom !== undefined) {
    const hourly = range(hourlyFrom === undefined ? from : Math.max(from, hourlyFrom), Math.min(to, rawFrom));
    if (hourly) plan.hourly = hourly;
  }
  if (hourlyFrom !== undefined) {
    const daily = range(from, Math.min(to, hourlyFrom));
    if (daily) plan.daily = daily;
  }
  return plan;
}

/** The length of a bucket of `dailySummaries` or `hourlySummaries`. */
export type BucketSize = typeof DAY_MS | typeof HOUR_MS;

/**
 * `dailySummaries(from, to)` over whole UTC days: daily rollups for the days rolled up, hourly rollups grouped by
 * day for the hours rolled up since, raw results grouped by day for the rest (the current hour or two).
 */
export function planDaily(marks: Watermarks, from: number, to: number): ReadPlan {
  return planBuckets(marks, from, to, DAY_MS);
}

/**
 * Per-bucket reads over whole buckets of `size`, each resolution from where the one before stops: `planDaily` for
 * days; for hours (`hourlySummaries`), hourly rollups for the hours rolled up and raw results for the rest. Hours
 * before `hourlyFrom` survive only inside daily rollups, which cannot be split into hours: they are not read.
 */
export function planBuckets(marks: Watermarks, from: number, to: number, size: BucketSize): ReadPlan {
  const plan: ReadPlan = {};
  const bucketFrom = floorTo(from, size);
  const bucketTo = ceilTo(to, size);
  const { hourlyTo } = marks;
  const dailyTo = size === DAY_MS ? marks.dailyTo : undefined;
  if (dailyTo !== undefined) {
    const daily = range(bucketFrom, Math.min(bucketTo, dailyTo));
    if (daily) plan.daily = daily;
  }
  if (hourlyTo !== undefined) {
    const hourlyFrom = Math.max(bucketFrom, dailyTo ?? bucketFrom, marks.hourlyFrom ?? bucketFrom);
    const hourly = range(hourlyFrom, Math.min(bucketTo, hourlyTo));
    if (hourly) plan.hourly = hourly;
  }
  const raw = range(Math.max(bucketFrom, hourlyTo ?? bucketFrom, marks.rawFrom ?? bucketFrom), bucketTo);
  if (raw) plan.raw = raw;
  return plan;
}
