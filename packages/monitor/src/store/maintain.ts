/**
 * The maintenance run shared by both backends: fold complete hours into hourly rollups and complete days into
 * daily rollups, recompute rollups that late results made stale, then apply retention. Every step is a small
 * transaction in the backend (`MaintenanceOps`) and the run yields to the event loop between them, so a large
 * backlog never blocks the server. Progress is kept in watermarks, so a run that stops half-way (crash, restart)
 * resumes where it was; rebuilding a bucket replaces its row, so nothing is ever counted twice.
 */
import { nextTurn } from '../scheduler/clock.js';
import type { Watermarks } from './plan.js';
import type { MaintenanceReport, Retention } from './store.js';
import { DAY_MS, floorTo, HOUR_MS } from './time.js';

export type RollupTable = 'hourly' | 'daily';
export type PurgeTable = 'results' | RollupTable;

export interface MaintenanceOps {
  watermarks(): Promise<Watermarks>;
  setWatermarks(values: Watermarks): Promise<void>;
  /** Every monitor key (ascending). */
  seriesKeys(): Promise<number[]>;
  /** The earliest raw result at or after `from`, over all monitors. */
  nextRawAt(from: number): Promise<number | undefined>;
  /** The earliest hourly rollup starting at or after `from`, over all monitors. */
  nextHourlyAt(from: number): Promise<number | undefined>;
  /** Rebuilds the hourly rollups of these monitors for hours starting in [from, to) from raw results. */
  rollHours(keys: readonly number[], from: number, to: number): Promise<void>;
  /** Rebuilds the daily rollups of these monitors for days starting in [from, to) from hourly rollups. */
  rollDays(keys: readonly number[], from: number, to: number): Promise<void>;
  /**
   * Claims up to `limit` (monitor, hour) pairs that received late results, rebuilds those hours (when raw results
   * from `rawFrom` on still hold them) and their days (when before `dailyTo`), in one transaction.
   */
  recomputeLate(limit: number, bounds: { rawFrom: number; dailyTo: number }): Promise<{ claimed: number; rebuilt: number }>;
  /**
   * Deletes at most about `limit` rows older than `before`, resuming at `cursor`; returns the cursor to continue
   * from, or undefined when nothing older is left.
   */
  purge(
    table: PurgeTable,
    before: number,
    limit: number,
    cursor: number | undefined,
  ): Promise<{ deleted: number; cursor: number | undefined }>;
  /** Deletes incidents that ended before `before`. */
  purgeIncidents(before: number): Promise<number>;
  /** Deletes state changes that happened before `before`. */
  purgeEvents(before: number): Promise<number>;
}

export interface MaintenanceOptions {
  /** How long after an hour ends it is rolled up (late results are still folded in afterwards). */
  settleMs: number;
  /** Monitors per rollup transaction. */
  monitorsPerStep: number;
  /** Rows per deletion transaction. */
  purgeBatch: number;
}

export const DEFAULT_MAINTENANCE: MaintenanceOptions = { settleMs: 120_000, monitorsPerStep: 128, purgeBatch: 5_000 };

const LATE_BATCH = 256;
const NEVER = Number.MIN_SAFE_INTEGER;

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

function checkRetention(retention: Retention): Retention {
  for (const [name, value] of Object.entries(retention)) {
    if (!(typeof value === 'number' && value > 0 && Number.isFinite(value))) {
      throw new RangeError(`retention ${name} must be a positive number of milliseconds, got ${String(value)}`);
    }
  }
  // A shorter hourly than raw retention (or daily than hourly) would delete rollups still needed; widen instead.
  const hourlyMs = Math.max(retention.hourlyMs, retention.rawMs);
  return { rawMs: retention.rawMs, hourlyMs, dailyMs: Math.max(retention.dailyMs, hourlyMs) };
}

export async function runMaintenance(
  ops: MaintenanceOps,
  now: number,
  retentionIn: Retention,
  options: MaintenanceOptions,
): Promise<MaintenanceReport> {
  if (!Number.isFinite(now)) throw new RangeError(`maintain: now must be epoch milliseconds, got ${now}`);
  const retention = checkRetention(retentionIn);
  const report: MaintenanceReport = {
    ran: true,
    hoursRolledUp: 0,
    daysRolledUp: 0,
    lateHoursRecomputed: 0,
    deleted: { results: 0, hourly: 0, daily: 0, incidents: 0, events: 0 },
  };
  const marks = await ops.watermarks();
  const keys = await ops.seriesKeys();
  const groups = chunks(keys, options.monitorsPerStep);

  // 1. Hours that ended (and settled) since the last run.
  const completeTo = floorTo(now - options.settleMs, HOUR_MS);
  let hourlyTo = marks.hourlyTo;
  if (hourlyTo === undefined) {
    const first = await ops.nextRawAt(NEVER);
    hourlyTo = first === undefined ? completeTo : Math.min(floorTo(first, HOUR_MS), completeTo);
  }
  // Before rolling: from here on a result for an hour being rolled marks it for recomputation.
  if ((marks.dirtyBefore ?? NEVER) < Math.max(completeTo, hourlyTo)) {
    await ops.setWatermarks({ dirtyBefore: Math.max(completeTo, hourlyTo) });
  }
  let hour = hourlyTo;
  while (hour < completeTo) {
    const next = await ops.nextRawAt(hour);
    if (next === undefined || next >= completeTo) {
      hour = completeTo;
      break;
    }
    hour = Math.max(hour, floorTo(next, HOUR_MS));
    for (const group of groups) {
      await ops.rollHours(group, hour, hour + HOUR_MS);
      await nextTurn();
    }
    hour += HOUR_MS;
    report.hoursRolledUp++;
    await ops.setWatermarks({ hourlyTo: hour });
  }
  if (hour !== marks.hourlyTo) await ops.setWatermarks({ hourlyTo: hour });
  hourlyTo = hour;

  // 2. Hours that received results after they were rolled up.
  for (;;) {
    const { claimed, rebuilt } = await ops.recomputeLate(LATE_BATCH, {
      rawFrom: marks.rawFrom ?? NEVER,
      dailyTo: marks.dailyTo ?? NEVER,
    });
    report.lateHoursRecomputed += rebuilt;
    if (claimed < LATE_BATCH) break;
    await nextTurn();
  }

  // 3. Days whose hours are all rolled up.
  const daysTo = floorTo(hourlyTo, DAY_MS);
  let dailyTo = marks.dailyTo;
  if (dailyTo === undefined) {
    const first = await ops.nextHourlyAt(NEVER);
    dailyTo = first === undefined ? daysTo : Math.min(floorTo(first, DAY_MS), daysTo);
  }
  let day = dailyTo;
  while (day < daysTo) {
    const next = await ops.nextHourlyAt(day);
    if (next === undefined || next >= daysTo) {
      day = daysTo;
      break;
    }
    day = Math.max(day, floorTo(next, DAY_MS));
    for (const group of groups) {
      await ops.rollDays(group, day, day + DAY_MS);
      await nextTurn();
    }
    day += DAY_MS;
    report.daysRolledUp++;
    await ops.setWatermarks({ dailyTo: day });
  }
  if (day !== marks.dailyTo) await ops.setWatermarks({ dailyTo: day });
  dailyTo = day;

  // 4. Retention. Readers switch to the coarser resolution (the `…From` mark) before rows are deleted, and a
  // resolution is only deleted where the next one is complete.
  const purge = async (
    table: 'results' | 'hourly' | 'daily',
    cut: number,
    fromKey: 'rawFrom' | 'hourlyFrom' | 'dailyFrom',
    purgedKey: 'rawPurged' | 'hourlyPurged' | 'dailyPurged',
  ): Promise<number> => {
    const readFrom = Math.max(cut, marks[fromKey] ?? NEVER);
    if (readFrom !== marks[fromKey]) await ops.setWatermarks({ [fromKey]: readFrom });
    if (readFrom <= (marks[purgedKey] ?? NEVER)) return 0;
    let deleted = 0;
    let cursor: number | undefined;
    do {
      const step = await ops.purge(table, readFrom, options.purgeBatch, cursor);
      deleted += step.deleted;
      cursor = step.cursor;
      await nextTurn();
    } while (cursor !== undefined);
    await ops.setWatermarks({ [purgedKey]: readFrom });
    return deleted;
  };
  report.deleted.results = await purge(
    'results',
    Math.min(floorTo(now - retention.rawMs, HOUR_MS), hourlyTo),
    'rawFrom',
    'rawPurged',
  );
  report.deleted.hourly = await purge(
    'hourly',
    Math.min(floorTo(now - retention.hourlyMs, DAY_MS), dailyTo),
    'hourlyFrom',
    'hourlyPurged',
  );
  const dailyCut = floorTo(now - retention.dailyMs, DAY_MS);
  report.deleted.daily = await purge('daily', dailyCut, 'dailyFrom', 'dailyPurged');
  report.deleted.incidents = await ops.purgeIncidents(dailyCut);
  report.deleted.events = await ops.purgeEvents(dailyCut);
  return report;
}

/** Runs async tasks one after another (one maintenance run at a time per store). */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
