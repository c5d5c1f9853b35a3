/**
 * When a heartbeat's next ping is due. A `period` schedule expects the next ping one period after the last one;
 * a `cron` schedule expects it at the first cron occurrence after the last one, in the schedule's time zone
 * (croner, so daylight-saving changes follow the zone's rules). Either way the ping may still arrive within
 * `grace` (the heartbeat is late) before the heartbeat is down.
 */
import { Cron } from 'croner';
import { formatDuration } from '../config/duration.js';

/** A heartbeat's `schedule` after loading (durations in milliseconds). */
export interface HeartbeatScheduleConfig {
  period?: number | undefined;
  cron?: string | undefined;
  timezone?: string | undefined;
  grace: number;
}

export interface HeartbeatSchedule {
  readonly grace: number;
  /**
   * When the ping after one received (or expected from) `anchor` is due, epoch ms; `null` for a cron
   * expression that never matches again (`0 0 30 2 *`).
   */
  expectedAfter(anchor: number): number | null;
  /** The error of the result that reports a missed ping. */
  describeMiss(expectedAt: number, anchor: number): string;
  /** Whether two configurations give the same schedule (a reload that changes nothing keeps the cache). */
  sameAs(config: HeartbeatScheduleConfig): boolean;
}

/** `2026-11-22T03:00:00Z`: ISO 8601 in UTC, to the second (milliseconds are noise in messages). */
export function formatInstant(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2026-11-22 02:30 Europe/Paris`: wall-clock time in `timeZone`, the way the crontab author thinks of it. */
export function formatInZone(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(ms));
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} ${timeZone}`;
}

function sameConfig(a: HeartbeatScheduleConfig, b: HeartbeatScheduleConfig): boolean {
  return a.period === b.period && a.cron === b.cron && a.timezone === b.timezone && a.grace === b.grace;
}

export function createSchedule(config: HeartbeatScheduleConfig): HeartbeatSchedule {
  const own = { ...config };
  const grace = config.grace;
  if (config.cron !== undefined) {
    const expression = config.cron.trim();
    const timeZone = config.timezone ?? 'UTC';
    const cron = new Cron(expression, {
      timezone: timeZone,
      mode: '5-part',
      // As Vixie cron and cronie: a job at a fixed time (`30 2 * * *`, also `30 2,14 * * *`) runs once when
      // the clock falls back and right after the gap when it springs forward; `0 * * * *` follows the clock.
      fixedTimeRule: 'no-wildcard',
    });
    return {
      grace,
      expectedAfter(anchor) {
        return cron.nextRun(new Date(anchor))?.getTime() ?? null;
      },
      describeMiss(expectedAt) {
        return `no ping within grace after ${formatInZone(expectedAt, timeZone)} (cron "${expression}", grace ${formatDuration(grace)})`;
      },
      sameAs: (other) => sameConfig(own, other),
    };
  }
  const period = config.period;
  if (period === undefined || !(period > 0)) throw new Error('a heartbeat schedule needs a period or a cron expression');
  return {
    grace,
    expectedAfter: (anchor) => anchor + period,
    describeMiss(_expectedAt, anchor) {
      return `no ping since ${formatInstant(anchor)} (expected every ${formatDuration(period)}, grace ${formatDuration(grace)})`;
    },
    sameAs: (other) => sameConfig(own, other),
  };
}
