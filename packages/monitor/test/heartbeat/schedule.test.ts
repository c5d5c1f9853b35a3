import { describe, expect, it } from 'vitest';
import { createSchedule, formatInstant, formatInZone } from '../../src/heartbeat/schedule.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const HOUR = 3_600_000;

describe('period schedules', () => {
  it('expects the next ping one period after the last one', () => {
    const schedule = createSchedule({ period: HOUR, grace: 30 * 60_000 });
    expect(iso(schedule.expectedAfter(at('2026-11-22T03:00:00.250Z')))).toBe('2026-11-22T04:00:00.250Z');
    expect(schedule.grace).toBe(30 * 60_000);
  });

  it('says when the last ping came and what was expected', () => {
    const schedule = createSchedule({ period: HOUR, grace: 30 * 60_000 });
    const last = at('2026-11-22T03:00:00Z');
    expect(schedule.describeMiss(last + HOUR, last)).toBe(
      'no ping since 2026-11-22T03:00:00Z (expected every 1h, grace 30m)',
    );
  });
});

describe('cron schedules', () => {
  it('expects the first occurrence after the last ping, not the one the ping was for', () => {
    const schedule = createSchedule({ cron: '30 2 * * *', grace: HOUR });
    // The job ran at 02:30 and pinged when it finished, a few seconds later.
    expect(iso(schedule.expectedAfter(at('2026-11-22T02:30:05Z')))).toBe('2026-11-23T02:30:00.000Z');
    // A ping exactly at an occurrence counts for it.
    expect(iso(schedule.expectedAfter(at('2026-11-22T02:30:00Z')))).toBe('2026-11-23T02:30:00.000Z');
    // An early ping (a clock a second fast) leaves that run still expected.
    expect(iso(schedule.expectedAfter(at('2026-11-22T02:29:59Z')))).toBe('2026-11-22T02:30:00.000Z');
  });

  it('reads the expression in the time zone, UTC by default', () => {
    const utc = createSchedule({ cron: '0 3 * * *', grace: HOUR });
    const paris = createSchedule({ cron: '0 3 * * *', timezone: 'Europe/Paris', grace: HOUR });
    const from = at('2026-11-22T00:00:00Z');
    expect(iso(utc.expectedAfter(from))).toBe('2026-11-22T03:00:00.000Z');
    expect(iso(paris.expectedAfter(from))).toBe('2026-11-22T02:00:00.000Z'); // 03:00 CET
  });

  it('accepts macros and day names', () => {
    expect(iso(createSchedule({ cron: '@daily', grace: HOUR }).expectedAfter(at('2026-11-22T10:00:00Z')))).toBe(
      '2026-11-23T00:00:00.000Z',
    );
    // 2026-11-22 is a Sunday.
    expect(iso(createSchedule({ cron: '0 6 * * mon', grace: HOUR }).expectedAfter(at('2026-11-22T10:00:00Z')))).toBe(
      '2026-11-23T06:00:00.000Z',
    );
  });

  it('expects a job in the spring-forward gap right after the gap, then at its usual time (Europe/Paris)', () => {
    // 2026-03-29: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that night.
    const schedule = createSchedule({ cron: '30 2 * * *', timezone: 'Europe/Paris', grace: HOUR });
    const saturday = at('2026-03-28T01:30:00Z'); // 02:30 CET
    const sunday = schedule.expectedAfter(saturday);
    expect(iso(sunday)).toBe('2026-03-29T01:00:00.000Z'); // 03:00 CEST, as cron runs it
    expect(formatInZone(sunday ?? 0, 'Europe/Paris')).toBe('2026-03-29 03:00 Europe/Paris');
    expect(iso(schedule.expectedAfter(sunday ?? 0))).toBe('2026-03-30T00:30:00.000Z'); // 02:30 CEST
    // A ping at 02:30 wall-clock time, 23 hours after the previous one, is the next day's, not early.
    expect(iso(schedule.expectedAfter(at('2026-03-30T00:30:00Z')))).toBe('2026-03-31T00:30:00.000Z');
  });

  it('expects a fixed-time job once when the clock falls back, and an hourly job twice in the repeated hour', () => {
    // 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:00-03:00 happens twice.
    const daily = createSchedule({ cron: '30 2 * * *', timezone: 'Europe/Paris', grace: HOUR });
    const first = daily.expectedAfter(at('2026-10-24T00:30:00Z'));
    expect(iso(first)).toBe('2026-10-25T00:30:00.000Z'); // 02:30 CEST
    expect(iso(daily.expectedAfter(first ?? 0))).toBe('2026-10-26T01:30:00.000Z'); // 02:30 CET, a day later

    const hourly = createSchedule({ cron: '0 * * * *', timezone: 'Europe/Paris', grace: 10 * 60_000 });
    const twoCest = hourly.expectedAfter(at('2026-10-24T23:30:00Z'));
    expect(iso(twoCest)).toBe('2026-10-25T00:00:00.000Z'); // 02:00 CEST
    expect(iso(hourly.expectedAfter(twoCest ?? 0))).toBe('2026-10-25T01:00:00.000Z'); // 02:00 CET
  });

  it('has no expectation for an expression that never matches', () => {
    expect(createSchedule({ cron: '0 0 30 2 *', grace: HOUR }).expectedAfter(at('2026-01-01T00:00:00Z'))).toBeNull();
  });

  it('names the missed run in the wall-clock time of its zone', () => {
    const schedule = createSchedule({ cron: '30 2 * * *', grace: 30 * 60_000 });
    expect(schedule.describeMiss(at('2026-11-22T02:30:00Z'), at('2026-11-21T02:30:04Z'))).toBe(
      'no ping within grace after 2026-11-22 02:30 UTC (cron "30 2 * * *", grace 30m)',
    );
  });
});

describe('formatting', () => {
  it('prints instants in UTC to the second', () => {
    expect(formatInstant(at('2026-11-22T03:00:00.999Z'))).toBe('2026-11-22T03:00:00Z');
  });

  it('prints midnight as 00:00, not 24:00', () => {
    expect(formatInZone(at('2026-11-21T23:00:00Z'), 'Europe/Paris')).toBe('2026-11-22 00:00 Europe/Paris');
  });
});
