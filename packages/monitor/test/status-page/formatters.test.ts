/**
 * A status page's dates and numbers: English is formatted by hand (Intl.DateTimeFormat maps about 5 MB of ICU's
 * data into the process, and the default page is built at start), and must read exactly as Intl writes it.
 */
import { describe, expect, it } from 'vitest';
import { formattersOf, intlFormatters } from '../../src/status-page/i18n/index.js';

/** A fixed sequence of pseudo-random numbers, so a failure can be reproduced. */
function* numbers(seed: number, count: number) {
  let state = seed;
  for (let i = 0; i < count; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    yield state / 2 ** 31;
  }
}

describe('English status page formatters', () => {
  const english = formattersOf('en');
  const intl = intlFormatters('en');

  it('write dates and times as Intl does for en, at every hour and minute', () => {
    const from = Date.UTC(1999, 11, 31);
    const to = Date.UTC(2100, 0, 1);
    const instants = [
      ...[...numbers(7, 3000)].map((x) => Math.floor(from + x * (to - from))),
      // Every hour of a day, midnight and noon included, and minutes either side of them.
      ...Array.from({ length: 24 * 4 }, (_, i) => Date.UTC(2026, 11, 6) + i * 15 * 60_000 + (i % 2) * 59_999),
      Date.UTC(2026, 0, 1),
      Date.UTC(2028, 1, 29, 12, 0),
    ];
    for (const at of instants) {
      expect([english.day(at), english.hour(at), english.dateTime(at)], new Date(at).toISOString()).toEqual([
        intl.day(at),
        intl.hour(at),
        intl.dateTime(at),
      ]);
    }
    expect(english.hour(Date.UTC(2026, 11, 6, 0, 5))).toBe('Dec 6, 12:05 AM UTC');
    expect(english.dateTime(Date.UTC(2026, 11, 6, 14, 5))).toBe('Dec 6, 2026, 2:05 PM UTC');
  });

  it('write percentages rounded down and whole numbers grouped as Intl does for en', () => {
    const ratios = [0, 1, 2, 0.5, 0.9995, 0.99999, 0.999949, 0.1, 0.07, 0.00001, ...numbers(11, 3000)];
    for (const ratio of ratios) expect(english.percent(ratio), String(ratio)).toBe(intl.percent(ratio));
    expect(english.percent(0.99999)).toBe('99.99%');
    const integers = [0, 1, 12, 999, 1000, 1234.5, 2.5, -2.5, -1234567, 987_654_321, ...[...numbers(13, 2000)].map((x) => Math.floor(x * 10 ** (x * 12)))];
    for (const value of integers) expect(english.integer(value), String(value)).toBe(intl.integer(value));
  });

  it('leave other languages to Intl', () => {
    const at = Date.UTC(2026, 11, 6, 14, 5);
    expect(formattersOf('de').dateTime(at)).toBe(intlFormatters('de').dateTime(at));
    expect(formattersOf('de').percent(0.9995)).toMatch(/^99,95\s%$/);
  });
});
