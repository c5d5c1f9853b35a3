/** The small pieces of the configuration: durations, cron expressions, suggestions, ids, status ranges, paths. */
import { describe, expect, test } from 'vitest';
import { cronError } from '../src/config/cron.js';
import { didYouMean } from '../src/config/errors.js';
import { statusRange } from '../src/config/monitors/http.js';
import { formatDuration, formatPath, parseDuration, slugify } from '../src/config/index.js';
import { createSchedule } from '../src/heartbeat/schedule.js';

describe('durations', () => {
  const valid: Array<[string | number, number]> = [
    ['500ms', 500],
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
    ['1d12h', 129_600_000],
    ['2.5m', 150_000],
    [' 10s ', 10_000],
    [0, 0],
    [1.25, 1250],
  ];
  test.each(valid)('%s → %d ms', (input, ms) => expect(parseDuration(input)).toBe(ms));

  test.each(['fast', '', '10', '5 m', '1w', '-5s', 's', '1h-30m'])('%j is not a duration', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });
  test.each([-1, Number.NaN, Number.POSITIVE_INFINITY])('%d is not a duration', (input) => {
    expect(parseDuration(input)).toBeUndefined();
  });

  test.each([
    [0, '0s'],
    [500, '500ms'],
    [90_000, '1m30s'],
    [86_400_000, '1d'],
    [3_600_001, '1h1ms'],
  ])('%d ms is written %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('cron expressions', () => {
  const valid = [
    '* * * * *',
    '*/5 * * * *',
    '0 3 * * 1-5',
    '30 2 1,15 * *',
    '0 0 * jan-mar sun',
    '0 12 * * 7',
    ' 0 3 * * * ',
    '@daily',
    '@HOURLY',
    // croner's extensions, which the scheduler runs.
    '0 0 L * *',
    '0 0 * * 5L',
    '0 0 * * 1#2',
    '0 0 15W * *',
    '0 0 ? * *',
  ];
  test.each(valid)('%s is valid', (expression) => expect(cronError(expression)).toBeUndefined());

  const invalid: Array<[string, string]> = [
    ['* * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 4'],
    // croner runs 6-field patterns with seconds; a heartbeat schedule has minutes.
    ['0 * * * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 6'],
    ['', 'expected 5 fields (minute hour day-of-month month day-of-week), got 0'],
    ['60 * * * *', 'minute "60" is out of range (0-59)'],
    ['55-61 * * * *', 'minute "61" is out of range (0-59)'],
    ['* 24 * * *', 'hour "24" is out of range (0-23)'],
    ['* * 0 * *', 'day of month "0" is out of range (1-31)'],
    ['* * * 13 *', 'month "13" is out of range (1-12 or jan-dec)'],
    ['* * * * 8', 'day of week "8" is out of range (0-7 or sun-sat)'],
    ['* * * foo *', 'month "foo" is not a valid value (1-12 or jan-dec)'],
    ['0 0 * * monday', 'day of week "monday" is not a valid value (0-7 or sun-sat)'],
    ['1,2,x * * * *', 'minute "x" is not a valid value (0-59)'],
    ['1,,2 * * * *', 'minute "1,,2" has an empty list entry'],
    ['*/0 * * * *', 'minute "*/0" has a step of 0'],
    ['*/61 * * * *', 'minute "*/61" has a step larger than the field (0-59)'],
    ['5/10 * * * *', 'minute "5/10" has a step without "*" or a range before it (write */n or a-b/n)'],
    ['*/5/2 * * * *', 'minute "*/5/2" is not a valid step (write */n or a-b/n)'],
    ['1-2-3 * * * *', 'minute "1-2-3" is not a valid range (write a-b)'],
    ['5-1 * * * *', 'minute "5-1" is a range that goes backwards'],
    ['0 3 * * 7-1', 'day of week "7-1" is a range that goes backwards'],
    ['0 0 * * 1#6', 'day of week "1#6" is out of range: the nth weekday is #1 to #5'],
    [
      '@sometimes',
      'unknown macro "@sometimes" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)',
    ],
    ['@reboot', 'unknown macro "@reboot" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)'],
    // croner's Cron would take a date as a one-off run; a schedule needs a pattern.
    ['2026-01-01T03:00:00', 'expected 5 fields (minute hour day-of-month month day-of-week), got 1'],
  ];
  test.each(invalid)('%s: %s', (expression, message) => expect(cronError(expression)).toBe(message));

  test('what loads is what the heartbeat scheduler runs, and what it cannot run does not load', () => {
    for (const expression of valid) {
      expect(() => createSchedule({ cron: expression, grace: 60_000 }), expression).not.toThrow();
    }
    // The date is left out: croner's Cron takes it as a one-off run, which is not a schedule.
    for (const [expression] of invalid.filter(([expression]) => !expression.includes(':'))) {
      expect(() => createSchedule({ cron: expression, grace: 60_000 }), expression).toThrow();
    }
  });
});

describe('did you mean', () => {
  const keys = ['interval', 'timeout', 'retries', 'follow_redirects', 'host', 'port', 'url'];
  test.each([
    ['intervl', 'interval'],
    ['Interval', 'interval'],
    ['timout', 'timeout'],
    ['retry', 'retries'],
    ['followRedirects', 'follow_redirects'],
    ['hots', 'host'],
    ['uri', 'url'],
  ])('%s → %s', (input, suggestion) => expect(didYouMean(input, keys)).toBe(suggestion));
  test.each(['workers', 'schedule', 'x'])('%s → nothing', (input) => expect(didYouMean(input, keys)).toBeUndefined());
});

describe('ids from names', () => {
  test.each([
    ['Shop API', 'shop-api'],
    ['  PostgreSQL (primary) ', 'postgresql-primary'],
    ['Café crème', 'cafe-creme'],
    ['api_v2--beta', 'api_v2-beta'],
    ['🚀', ''],
    ['x'.repeat(100), 'x'.repeat(64)],
  ])('%j → %j', (name, id) => expect(slugify(name)).toBe(id));
});

describe('status ranges', () => {
  test.each([
    [200, { min: 200, max: 200 }],
    ['204', { min: 204, max: 204 }],
    ['2xx', { min: 200, max: 299 }],
    ['200-299', { min: 200, max: 299 }],
    ['200 - 204', { min: 200, max: 204 }],
  ])('%j', (input, range) => expect(statusRange(input)).toEqual(range));
  test.each(['299-200', '6xx', '99', 'ok', '100-600'])('%j is not a status range', (input) => {
    expect(statusRange(input)).toBeUndefined();
  });
});

test.each([
  [['monitors', 2, 'interval'], 'monitors[2].interval'],
  [['monitors', 0, 'headers', 'X-Api-Key'], 'monitors[0].headers["X-Api-Key"]'],
  [[], ''],
  [['server'], 'server'],
])('path %j is written %s', (path, text) => expect(formatPath(path)).toBe(text));
