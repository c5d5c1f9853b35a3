/** When maintenance windows are open, in their time zone, and which monitors they cover. */
import { describe, expect, it } from 'vitest';
import { parseConfigSources } from '../../src/config/index.js';
import type { MaintenanceWindowConfig } from '../../src/config/maintenance.js';
import { covers, openSpan } from '../../src/windows/schedule.js';

function windows(yaml: string): MaintenanceWindowConfig[] {
  return parseConfigSources([{ file: 'vigil.yaml', text: `maintenance:\n${yaml}` }], { env: {} }).config.maintenance;
}

const at = (iso: string) => Date.parse(iso);

describe('openSpan', () => {
  it('a one-off window, with an end or a duration: open from its start, closed at its end', () => {
    const [withEnd, withDuration] = windows(`
  - { name: Upgrade, once: { start: "2026-12-24T22:00:00Z", end: "2026-12-25T02:00:00Z" } }
  - { name: Move, once: { start: "2026-12-24T23:00:00+01:00", duration: 30m } }
`);
    expect(openSpan(withEnd!, at('2026-12-24T21:59:59Z'))).toBeUndefined();
    expect(openSpan(withEnd!, at('2026-12-24T22:00:00Z'))).toEqual({ start: at('2026-12-24T22:00:00Z'), end: at('2026-12-25T02:00:00Z') });
    expect(openSpan(withEnd!, at('2026-12-25T02:00:00Z'))).toBeUndefined();
    expect(openSpan(withDuration!, at('2026-12-24T22:29:00Z'))).toEqual({ start: at('2026-12-24T22:00:00Z'), end: at('2026-12-24T22:30:00Z') });
  });

  it('a weekly window in its time zone, across a change of daylight saving time', () => {
    const [weekly] = windows(`
  - { name: Backups, weekly: { days: [sun], at: "02:30", duration: 1h }, timezone: Europe/Paris }
`);
    // 02:30 in Paris: 01:30 UTC on Sunday 2026-03-22 (winter, UTC+1), 00:30 UTC on Sunday 2026-04-05 (summer, UTC+2).
    expect(openSpan(weekly!, at('2026-03-22T01:45:00Z'))).toEqual({ start: at('2026-03-22T01:30:00Z'), end: at('2026-03-22T02:30:00Z') });
    expect(openSpan(weekly!, at('2026-03-22T02:31:00Z'))).toBeUndefined();
    expect(openSpan(weekly!, at('2026-04-05T00:45:00Z'))).toEqual({ start: at('2026-04-05T00:30:00Z'), end: at('2026-04-05T01:30:00Z') });
    // A Monday at that time: closed.
    expect(openSpan(weekly!, at('2026-04-06T00:45:00Z'))).toBeUndefined();
  });

  it('a cron window with its duration; one longer than its period is open across the next start', () => {
    const [nightly, long] = windows(`
  - { name: Nightly, cron: "0 3 * * *", duration: 15m }
  - { name: Long, cron: "0 * * * *", duration: 90m }
`);
    expect(openSpan(nightly!, at('2026-12-06T03:14:59Z'))?.start).toBe(at('2026-12-06T03:00:00Z'));
    expect(openSpan(nightly!, at('2026-12-06T03:15:00Z'))).toBeUndefined();
    expect(openSpan(long!, at('2026-12-06T05:10:00Z'))).toBeDefined();
  });
});

describe('covers', () => {
  it('named monitors, the monitors of named groups, or every monitor when it names neither', () => {
    const [named, grouped, all] = windows(`
  - { name: A, monitors: [orders-db], once: { start: "2026-12-24T22:00:00Z", duration: 1h } }
  - { name: B, groups: [Databases], once: { start: "2026-12-24T22:00:00Z", duration: 1h } }
  - { name: C, once: { start: "2026-12-24T22:00:00Z", duration: 1h } }
`);
    expect(covers(named!, { id: 'orders-db' })).toBe(true);
    expect(covers(named!, { id: 'shop-api', group: 'Databases' })).toBe(false);
    expect(covers(grouped!, { id: 'shop-api', group: 'Databases' })).toBe(true);
    expect(covers(grouped!, { id: 'shop-api' })).toBe(false);
    expect(covers(all!, { id: 'anything' })).toBe(true);
  });
});

describe('the maintenance section refuses what cannot be a window', () => {
  it.each([
    ['two kinds at once', '  - { name: X, once: { start: "2026-12-24T22:00:00Z", duration: 1h }, cron: "0 3 * * *", duration: 1h }', 'set exactly one of once, weekly or cron'],
    ['a cron without a duration', '  - { name: X, cron: "0 3 * * *" }', 'a cron window needs a duration'],
    ['an end before the start', '  - { name: X, once: { start: "2026-12-24T22:00:00Z", end: "2026-12-24T21:00:00Z" } }', 'must be after start'],
    ['a time without an offset', '  - { name: X, once: { start: "2026-12-24 22:00", duration: 1h } }', 'expected a date and time with its offset'],
    ['an unknown day', '  - { name: X, weekly: { days: [sunday], at: "02:00", duration: 1h } }', 'expected a day'],
    ['an unknown time zone', '  - { name: X, weekly: { days: [sun], at: "02:00", duration: 1h }, timezone: Mars/Olympus }', 'expected an IANA time zone'],
  ])('%s', (_name, line, message) => {
    expect(() => windows(`${line}\n`)).toThrow(message);
  });
});
