/** The small pieces of the configuration: durations, cron expressions, suggestions, ids, status ranges, paths. */
import { describe, expect, test } from 'vitest';
import { cronError } from '../src/config/cron.js';
import { didYouMean } from '../src/config/errors.js';
import { statusRange } from '../src/config/monitors/http.js';
import { formatDuration, formatPath, parseDuration, slugify } from '../src/config/index.js';

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
  test.each([
    '* * * * *',
    '*/5 * * * *',
    '0 3 * * 1-5',
    '30 2 1,15 * *',
    '0 0 * jan-mar sun',
    '0 12 * * 7',
    '@daily',
    '@HOURLY',
  ])('%s is valid', (expression) => expect(cronError(expression)).toBeUndefined());
  test.each([
    ['* * * *', 'expected 5 fields (minute hour day-of-month month day-of-week), got 4'],
    ['60 * * * *', 'minute "60" is out of range (0-59)'],
    ['* 24 * * *', 'hour "24" is out of range (0-23)'],
    ['* * 0 * *', 'day of month "0" is out of range (1-31)'],
    ['* * * foo *', 'month "foo" is out of range (1-12)'],
    ['*/0 * * * *', 'invalid step "/0" in the minute'],
    ['5-1 * * * *', 'range "5-1" in the minute goes backwards'],
    [
      '@sometimes',
      'unknown macro "@sometimes" (use @yearly, @annually, @monthly, @weekly, @daily, @midnight, @hourly)',
    ],
  ])('%s: %s', (expression, message) => expect(cronError(expression)).toBe(message));
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
