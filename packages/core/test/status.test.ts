import { describe, expect, it } from 'vitest';
import {
  aggregateStatus,
  capAt,
  DEFAULT_HTTP_STATUS,
  isStatus,
  STATUSES,
  type Status,
  statusAgainst,
  type StatusContribution,
  toHealthJsonStatus,
  toHttpStatus,
  toPrometheusStateSet,
  toPrometheusValue,
  worstOf,
} from '../src/status.js';

describe('aggregateStatus', () => {
  const cases: Array<[string, StatusContribution[], Status]> = [
    ['nothing is known to be wrong', [], 'healthy'],
    ['all healthy', [{ status: 'healthy' }, { status: 'healthy' }], 'healthy'],
    ['one degraded', [{ status: 'healthy' }, { status: 'degraded' }], 'degraded'],
    [
      'one unhealthy among degraded',
      [{ status: 'degraded' }, { status: 'unhealthy' }, { status: 'healthy' }],
      'unhealthy',
    ],
    ['unhealthy first, then healthy', [{ status: 'unhealthy' }, { status: 'healthy' }], 'unhealthy'],
    ['critical defaults to true', [{ status: 'unhealthy' }], 'unhealthy'],
    ['explicitly critical', [{ status: 'unhealthy', critical: true }], 'unhealthy'],
    ['non-critical unhealthy is capped at degraded', [{ status: 'unhealthy', critical: false }], 'degraded'],
    ['non-critical degraded stays degraded', [{ status: 'degraded', critical: false }], 'degraded'],
    ['non-critical healthy stays healthy', [{ status: 'healthy', critical: false }], 'healthy'],
    [
      'a critical unhealthy still wins over a non-critical one',
      [{ status: 'unhealthy', critical: false }, { status: 'unhealthy' }],
      'unhealthy',
    ],
    [
      'non-critical unhealthy with critical healthy',
      [{ status: 'healthy' }, { status: 'unhealthy', critical: false }, { status: 'healthy' }],
      'degraded',
    ],
  ];
  it.each(cases)('%s', (_label, contributions, expected) => {
    expect(aggregateStatus(contributions)).toBe(expected);
  });

  it('accepts any iterable, e.g. a generator', () => {
    function* contributions(): Generator<StatusContribution> {
      yield { status: 'healthy' };
      yield { status: 'degraded' };
    }
    expect(aggregateStatus(contributions())).toBe('degraded');
  });
});

describe('worstOf and capAt', () => {
  const severity: Record<Status, number> = { healthy: 0, degraded: 1, unhealthy: 2 };
  const pairs = STATUSES.flatMap((a) => STATUSES.map((b) => [a, b] as const));

  it.each(pairs)('worstOf(%s, %s) is the more severe, whatever the order', (a, b) => {
    const expected = severity[a] >= severity[b] ? a : b;
    expect(worstOf(a, b)).toBe(expected);
    expect(worstOf(b, a)).toBe(expected);
  });

  it.each(pairs)('capAt(%s, %s) never exceeds the cap', (status, cap) => {
    expect(capAt(status, cap)).toBe(severity[status] > severity[cap] ? cap : status);
  });
});

describe('statusAgainst', () => {
  it('is healthy at or below a threshold, and reaches its status strictly above it', () => {
    const limits = { degraded: 100, unhealthy: 1000 };
    expect(statusAgainst(100, limits)).toEqual({ status: 'healthy' });
    expect(statusAgainst(101, limits)).toEqual({ status: 'degraded', above: 100 });
    expect(statusAgainst(1000, limits)).toEqual({ status: 'degraded', above: 100 });
    expect(statusAgainst(1001, limits)).toEqual({ status: 'unhealthy', above: 1000 });
  });

  it('works with one threshold, and without any', () => {
    expect(statusAgainst(5, { unhealthy: 0 })).toEqual({ status: 'unhealthy', above: 0 });
    expect(statusAgainst(5, { degraded: 10 })).toEqual({ status: 'healthy' });
    expect(statusAgainst(Number.MAX_SAFE_INTEGER, undefined)).toEqual({ status: 'healthy' });
  });
});

describe('isStatus', () => {
  it.each(['healthy', 'degraded', 'unhealthy'])('accepts %s', (value) => {
    expect(isStatus(value)).toBe(true);
  });
  it.each(['Healthy', 'ok', 'pass', '', undefined, null, 1, {}])('rejects %j', (value) => {
    expect(isStatus(value)).toBe(false);
  });
});

describe('HTTP status mapping', () => {
  it.each([
    ['healthy', 200],
    ['degraded', 200],
    ['unhealthy', 503],
  ] as const)('by default %s → %i (degraded still serves)', (status, code) => {
    expect(toHttpStatus(status)).toBe(code);
    expect(DEFAULT_HTTP_STATUS[status]).toBe(code);
  });

  it.each([
    [{ degraded: 429 }, { healthy: 200, degraded: 429, unhealthy: 503 }],
    [
      { healthy: 204, unhealthy: 500 },
      { healthy: 204, degraded: 200, unhealthy: 500 },
    ],
    [{}, { healthy: 200, degraded: 200, unhealthy: 503 }],
  ])('a partial mapping %j overrides only what it names', (mapping, expected) => {
    for (const status of STATUSES) expect(toHttpStatus(status, mapping)).toBe(expected[status]);
  });

  it('the default mapping cannot be changed by accident', () => {
    expect(Object.isFrozen(DEFAULT_HTTP_STATUS)).toBe(true);
  });
});

describe('health+json and Prometheus mappings', () => {
  it.each([
    ['healthy', 'pass', 1],
    ['degraded', 'warn', 0.5],
    ['unhealthy', 'fail', 0],
  ] as const)('%s → health+json %s, Prometheus %d', (status, json, value) => {
    expect(toHealthJsonStatus(status)).toBe(json);
    expect(toPrometheusValue(status)).toBe(value);
  });

  it.each(STATUSES)('the stateset for %s has exactly that series at 1', (status) => {
    const set = toPrometheusStateSet(status);
    expect(Object.keys(set).sort()).toEqual([...STATUSES].sort());
    for (const s of STATUSES) expect(set[s]).toBe(s === status ? 1 : 0);
  });
});
