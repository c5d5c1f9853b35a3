/**
 * The one test suite of the `Store` contract, run against every backend (store-sqlite.test.ts,
 * store-postgres.test.ts). Synthetic results at fixed timestamps; time is passed in, never read from the clock.
 */
import { afterEach, describe, expect, test } from 'vitest';
import type { CheckResult, MonitorRuntimeState } from '../../src/model.js';
import type { MaintenanceOptions } from '../../src/store/maintain.js';
import { SKETCH_RELATIVE_ERROR } from '../../src/store/sketch.js';
import type {
  AuditAction,
  CommitStep,
  MonitorCommit,
  NewAuditEntry,
  NewMaintenance,
  NewStatusIncident,
  PingRecord,
  Retention,
  StatusIncident,
  Store,
  StoredPing,
  StoreSummary,
} from '../../src/store/store.js';
import { DAY_MS, HOUR_MS } from '../../src/store/time.js';
import { type Expected, expected, fullResult, series } from './data.js';
import { seedIncident } from './seed.js';

export interface OpenedStore {
  /** A fresh, empty, migrated store. */
  store: Store;
  /** Another instance on the same database (a restart). */
  reopen(): Promise<Store>;
}

export type OpenStore = (options?: Partial<MaintenanceOptions>) => Promise<OpenedStore>;

/** 2024-01-01T00:00:00Z, a UTC midnight. */
export const T0 = Date.UTC(2024, 0, 1);
const KEEP_ALL: Retention = { rawMs: 3650 * DAY_MS, hourlyMs: 3650 * DAY_MS, dailyMs: 3650 * DAY_MS };

async function append(store: Store, results: readonly CheckResult[], batch = 500): Promise<void> {
  for (let i = 0; i < results.length; i += batch) await store.appendResults(results.slice(i, i + batch));
}

/** Counts and average exact; p95 exact when the summary says so, else within the sketch's bound. */
function expectSummary(actual: StoreSummary | undefined, want: Expected, exact: boolean): void {
  expect(actual).toBeDefined();
  const got = actual!;
  expect({ checks: got.checks, failures: got.failures, excused: got.excused, degraded: got.degraded }).toEqual({
    checks: want.checks,
    failures: want.failures,
    excused: want.excused,
    degraded: want.degraded,
  });
  expect(got.exact).toBe(exact);
  if (want.uptime === undefined) expect(got.uptime).toBeUndefined();
  else expect(got.uptime).toBeCloseTo(want.uptime, 12);
  if (want.latencyAvgMs === undefined) expect(got.latencyAvgMs).toBeUndefined();
  else expect(got.latencyAvgMs).toBeCloseTo(want.latencyAvgMs, 9);
  if (want.latencyP95Ms === undefined) {
    expect(got.latencyP95Ms).toBeUndefined();
  } else if (exact) {
    expect(got.latencyP95Ms).toBe(want.latencyP95Ms);
  } else {
    const error = Math.abs(got.latencyP95Ms! - want.latencyP95Ms) / want.latencyP95Ms;
    expect(error).toBeLessThanOrEqual(SKETCH_RELATIVE_ERROR + 1e-12);
  }
}

/** The figures of every bucket of `size` that overlaps [from, to) and has checks, by the bucket's start. */
function bucketFigures(results: readonly CheckResult[], from: number, to: number, size: number): Map<number, Expected> {
  const buckets = new Map<number, Expected>();
  for (let start = Math.floor(from / size) * size; start < to; start += size) {
    const want = expected(results, start, start + size);
    if (want.checks > 0) buckets.set(start, want);
  }
  return buckets;
}

const dayFigures = (results: readonly CheckResult[], from: number, to: number) => bucketFigures(results, from, to, DAY_MS);
const hourFigures = (results: readonly CheckResult[], from: number, to: number) => bucketFigures(results, from, to, HOUR_MS);

/** Per-bucket summaries as `dailySummaries` and `hourlySummaries` give them: the same buckets, in order, with these figures. */
function expectBuckets(actual: Map<number, StoreSummary> | undefined, want: Map<number, Expected>, withP95 = true): void {
  expect(actual).toBeDefined();
  expect([...actual!.keys()]).toEqual([...want.keys()]);
  for (const [start, figures] of want) {
    expectSummary(actual!.get(start), withP95 ? figures : { ...figures, latencyP95Ms: undefined }, false);
  }
}

export function describeStore(name: string, open: OpenStore): void {
  describe(`Store contract (${name})`, () => {
    const toClose: Store[] = [];
    afterEach(async () => {
      await Promise.all(toClose.splice(0).map((store) => store.close()));
    });

    async function fresh(options?: Partial<MaintenanceOptions>): Promise<OpenedStore> {
      const opened = await open(options);
      toClose.push(opened.store);
      return {
        store: opened.store,
        reopen: async () => {
          const store = await opened.reopen();
          toClose.push(store);
          return store;
        },
      };
    }

    describe('schema', () => {
      test('migrate twice is a no-op and keeps the data', async () => {
        const { store } = await fresh();
        expect(store.kind).toBe(name);
        const first = await store.migrate();
        expect(first.from).toBe(first.to);
        expect(first.to).toBeGreaterThanOrEqual(1);
        await store.appendResults([fullResult('api', T0)]);
        await store.createToken({ id: 't1', name: 'ci', hash: 'a'.repeat(64), scope: 'read', createdAt: T0 });
        expect(await store.migrate()).toEqual(first);
        expect(await store.latestResults('api', 10)).toHaveLength(1);
        expect(await store.listTokens()).toHaveLength(1);
      });

      test('ping answers on an open store; close is idempotent', async () => {
        const { store } = await fresh();
        await expect(store.ping()).resolves.toBeUndefined();
        await store.close();
        await store.close();
        await expect(store.ping()).rejects.toThrow();
      });
    });

    describe('results', () => {
      test('round-trips every field, and a minimal result', async () => {
        const { store } = await fresh();
        const full = fullResult('api', T0 + 1000);
        const minimal: CheckResult = { monitorId: 'api', at: T0, status: 'healthy', latencyMs: 7, location: 'local' };
        const passing: CheckResult = {
          ...minimal,
          at: T0 + 2000,
          conditions: [{ condition: '[STATUS] == 200', success: true, output: '[STATUS] == 200' }],
          components: {},
          timings: { firstByte: 3 },
        };
        await store.appendResults([minimal, full, passing]);
        expect(await store.latestResults('api', 10)).toEqual([passing, full, minimal]);
      });

      test('newest first, limited; unknown monitors and limit 0 give nothing; latencies in whole ms', async () => {
        const { store } = await fresh();
        const results = [0, 1, 2, 3, 4].map(
          (i): CheckResult => ({ monitorId: 'web', at: T0 + i * 60_000, status: 'healthy', latencyMs: 10.6 + i, location: 'local' }),
        );
        await store.appendResults([...results].reverse());
        const latest = await store.latestResults('web', 3);
        expect(latest.map((r) => r.at)).toEqual([T0 + 240_000, T0 + 180_000, T0 + 120_000]);
        expect(latest.map((r) => r.latencyMs)).toEqual([15, 14, 13]);
        expect(await store.latestResults('nope', 3)).toEqual([]);
        expect(await store.latestResults('web', 0)).toEqual([]);
        await expect(store.latestResults('web', -1)).rejects.toThrow(/limit/);
      });

      test('a result already stored (same monitor, time, location) is ignored; another location is kept', async () => {
        const { store } = await fresh();
        const result: CheckResult = { monitorId: 'api', at: T0, status: 'healthy', latencyMs: 5, location: 'local' };
        await store.appendResults([result, result]);
        await store.appendResults([{ ...result, status: 'unhealthy' }]);
        await store.appendResults([{ ...result, location: 'us-east' }]);
        await store.appendResults([]);
        const stored = await store.latestResults('api', 10);
        expect(stored).toHaveLength(2);
        expect(stored.map((r) => r.status)).toEqual(['healthy', 'healthy']);
        expect(stored.map((r) => r.location).sort()).toEqual(['local', 'us-east']);
      });

      test('a batch with an invalid result is rejected as a whole', async () => {
        const { store } = await fresh();
        const good: CheckResult = { monitorId: 'api', at: T0, status: 'healthy', latencyMs: 5, location: 'local' };
        await expect(
          store.appendResults([good, { ...good, at: T0 + 1, status: 'broken' as CheckResult['status'] }]),
        ).rejects.toThrow(/status/);
        await expect(store.appendResults([{ ...good, at: Number.NaN }])).rejects.toThrow(/time/);
        expect(await store.latestResults('api', 10)).toEqual([]);
      });

      test('concurrent appendResults from many callers all land', async () => {
        const { store } = await fresh();
        const callers = 24;
        const batches = 6;
        const perBatch = 25;
        await Promise.all(
          Array.from({ length: callers }, async (_, caller) => {
            for (let b = 0; b < batches; b++) {
              const at = T0 + (caller * batches + b) * perBatch * 1000;
              await store.appendResults(
                Array.from({ length: perBatch }, (_, i): CheckResult => ({
                  monitorId: `m${(caller + i) % 8}`,
                  at: at + i * 1000,
                  status: i % 10 === 0 ? 'unhealthy' : 'healthy',
                  latencyMs: i,
                  location: caller % 2 === 0 ? 'local' : 'eu',
                })),
              );
            }
          }),
        );
        let checks = 0;
        let failures = 0;
        for (let m = 0; m < 8; m++) {
          const summary = await store.summary(`m${m}`, T0, T0 + DAY_MS);
          checks += summary.checks;
          failures += summary.failures;
        }
        expect(checks).toBe(callers * batches * perBatch);
        expect(failures).toBe(callers * batches * (perBatch / 25) * 3);
        expect((await store.usage()).results).toBe(callers * batches * perBatch);
      });
    });

    describe('summaries', () => {
      test('exact over raw results, for any range', async () => {
        const { store } = await fresh();
        const results = series({ monitorId: 'api', from: T0, to: T0 + 3 * HOUR_MS, everyMs: 20_000, seed: 7 });
        await append(store, results);
        expectSummary(await store.summary('api', T0, T0 + 3 * HOUR_MS), expected(results), true);
        const from = T0 + 1234_567;
        const to = T0 + 2 * HOUR_MS + 777;
        expectSummary(await store.summary('api', from, to), expected(results, from, to), true);
        expect(await store.summary('nope', T0, T0 + HOUR_MS)).toEqual({ checks: 0, failures: 0, excused: 0, degraded: 0, exact: true });
        expect(await store.summary('api', T0 - HOUR_MS, T0)).toEqual({ checks: 0, failures: 0, excused: 0, degraded: 0, exact: true });
        const down: CheckResult = { monitorId: 'down', at: T0, status: 'unhealthy', latencyMs: 10_000, location: 'local' };
        await store.appendResults([down]);
        expect(await store.summary('down', T0, T0 + 1)).toEqual({ checks: 1, failures: 1, excused: 0, degraded: 0, uptime: 0, exact: true });
        await expect(store.summary('api', Number.NaN, T0)).rejects.toThrow(/range/);
      });

      test('rollups across hour and day boundaries: raw, then hourly, then daily; retention deletes each', async () => {
        // Small steps and batches so chunked rolling and batched deletion are exercised.
        const { store } = await fresh({ monitorsPerStep: 1, purgeBatch: 300 });
        const from = T0 + 20 * HOUR_MS; // Jan 1 20:00 … Jan 3 04:00: two midnights
        const to = T0 + 2 * DAY_MS + 4 * HOUR_MS;
        const api = series({ monitorId: 'api', from, to, everyMs: 60_000, seed: 1, failureRate: 0.02 });
        const web = series({ monitorId: 'web', from: from + 30_000, to, everyMs: 60_000, seed: 2, failureRate: 0.2 });
        await append(store, [...api, ...web]);
        const now = T0 + 4 * DAY_MS;
        const all = { from: T0, to: now };

        const rolled = await store.maintain(now, KEEP_ALL);
        expect(rolled).toMatchObject({ ran: true, hoursRolledUp: 32, daysRolledUp: 3, lateHoursRecomputed: 0 });
        expect(rolled.deleted).toEqual({ results: 0, hourly: 0, daily: 0, incidents: 0, events: 0 });
        expectSummary(await store.summary('api', all.from, all.to), expected(api), true);

        // Raw results beyond one day are deleted: summaries come from hourly rollups.
        const raw = await store.maintain(now, { ...KEEP_ALL, rawMs: DAY_MS });
        expect(raw.deleted.results).toBe(api.length + web.length);
        expect(await store.latestResults('api', 5)).toEqual([]);
        expectSummary(await store.summary('api', all.from, all.to), expected(api), false);
        expectSummary(await store.summary('web', all.from, all.to), expected(web), false);
        const hours = { from: T0 + 23 * HOUR_MS, to: T0 + DAY_MS + 5 * HOUR_MS };
        expectSummary(await store.summary('web', hours.from, hours.to), expected(web, hours.from, hours.to), false);

        const checkDays = async () => {
          const days = await store.dailySummaries(['api', 'web', 'nope'], all.from, all.to);
          expect([...days.keys()]).toEqual(['api', 'web', 'nope']);
          expect(days.get('nope')!.size).toBe(0);
          for (const [id, results] of [['api', api], ['web', web]] as const) {
            const want = dayFigures(results, all.from, all.to);
            expect([...days.get(id)!.keys()]).toEqual([...want.keys()]);
            for (const [day, figures] of want) expectSummary(days.get(id)!.get(day), figures, false);
          }
          const withoutP95 = (await store.dailySummaries(['web'], all.from, all.to, { p95: false })).get('web')!;
          for (const [day, figures] of dayFigures(web, all.from, all.to)) {
            expectSummary(withoutP95.get(day), { ...figures, latencyP95Ms: undefined }, false);
          }
        };
        await checkDays();

        // Hourly rollups beyond one day are deleted too: summaries come from daily rollups.
        const hourly = await store.maintain(now, { rawMs: DAY_MS, hourlyMs: DAY_MS, dailyMs: 3650 * DAY_MS });
        expect(hourly.deleted).toMatchObject({ results: 0, hourly: 64 });
        expectSummary(await store.summary('api', all.from, all.to), expected(api), false);
        const jan2 = { from: T0 + DAY_MS, to: T0 + 2 * DAY_MS };
        expectSummary(await store.summary('web', jan2.from, jan2.to), expected(web, jan2.from, jan2.to), false);
        await checkDays();

        // And daily rollups beyond two days.
        const later = now + 10 * DAY_MS;
        const daily = await store.maintain(later, { rawMs: DAY_MS, hourlyMs: DAY_MS, dailyMs: 2 * DAY_MS });
        expect(daily.deleted).toMatchObject({ results: 0, hourly: 0, daily: 6 });
        expect((await store.summary('api', all.from, later)).checks).toBe(0);
        expect((await store.dailySummaries(['api'], all.from, later)).get('api')!.size).toBe(0);
      });

      test('retention reaches every monitor when there are more than one deletion step visits', async () => {
        const { store } = await fresh();
        const monitors = 1_200; // the SQLite store visits at most 500 monitors per deletion step
        const old = Array.from({ length: monitors }, (_, i): CheckResult => ({
          monitorId: `m${i}`,
          at: T0 + HOUR_MS + i,
          status: 'healthy',
          latencyMs: 5,
          location: 'local',
        }));
        const recent = old.map((result) => ({ ...result, at: result.at + 3 * DAY_MS }));
        await append(store, [...old, ...recent]);
        const report = await store.maintain(T0 + 4 * DAY_MS, { ...KEEP_ALL, rawMs: 2 * DAY_MS });
        expect(report.deleted.results).toBe(monitors);
        for (const id of ['m0', 'm499', 'm500', 'm1199']) {
          expect((await store.latestResults(id, 10)).map((r) => r.at)).toEqual([recent[Number(id.slice(1))]!.at]);
        }
      });

      test('dailySummaries before any maintenance, and for a day in progress, read raw results', async () => {
        const { store } = await fresh();
        const results = series({ monitorId: 'api', from: T0 + 22 * HOUR_MS, to: T0 + 26 * HOUR_MS, everyMs: 30_000 });
        await append(store, results);
        const check = async () => {
          const days = (await store.dailySummaries(['api'], T0 + 12 * HOUR_MS, T0 + DAY_MS + HOUR_MS)).get('api')!;
          const want = dayFigures(results, T0, T0 + 2 * DAY_MS);
          expect([...days.keys()]).toEqual([T0, T0 + DAY_MS]);
          for (const [day, figures] of want) expectSummary(days.get(day), figures, false);
          const withoutP95 = (await store.dailySummaries(['api'], T0, T0 + 2 * DAY_MS, { p95: false })).get('api')!;
          for (const [day, figures] of want) expectSummary(withoutP95.get(day), { ...figures, latencyP95Ms: undefined }, false);
        };
        await check();
        // Maintained in the middle of Jan 2: Jan 1 is a daily rollup, Jan 2 mixes hourly rollups and raw results.
        await store.maintain(T0 + DAY_MS + 3 * HOUR_MS, KEEP_ALL);
        await check();
      });

      test('hourlySummaries: raw results, then hourly rollups with the same figures, across the boundary, within retention', async () => {
        const { store } = await fresh();
        const api = series({ monitorId: 'api', from: T0 + 22 * HOUR_MS, to: T0 + 26 * HOUR_MS, everyMs: 30_000, seed: 11 });
        const web = series({ monitorId: 'web', from: T0 + 23 * HOUR_MS, to: T0 + 26 * HOUR_MS, everyMs: 45_000, seed: 12, failureRate: 0.3 });
        await append(store, [...api, ...web]);
        // Hour 21 has no checks; hours 22 and 25 only partly overlap the range and count whole.
        const from = T0 + 21 * HOUR_MS + 1_800_000;
        const to = T0 + 25 * HOUR_MS + 1_800_000;
        const read = () => store.hourlySummaries(['api', 'web', 'nope'], from, to);

        const before = await read();
        expect([...before.keys()]).toEqual(['api', 'web', 'nope']);
        expect(before.get('nope')!.size).toBe(0);
        expectBuckets(before.get('api'), hourFigures(api, from, to));
        expectBuckets(before.get('web'), hourFigures(web, from, to));
        expect([...before.get('api')!.keys()]).toEqual([22, 23, 24, 25].map((h) => T0 + h * HOUR_MS));
        const withoutP95 = await store.hourlySummaries(['api'], from, to, { p95: false });
        expectBuckets(withoutP95.get('api'), hourFigures(api, from, to), false);

        // Hours 22 and 23 rolled up and their raw results deleted; 24 and 25 still raw: the same figures.
        const rolled = await store.maintain(T0 + 24 * HOUR_MS + 600_000, { ...KEEP_ALL, rawMs: 300_000 });
        expect(rolled).toMatchObject({ hoursRolledUp: 2, deleted: { results: 240 + 80 } });
        expect(await read()).toEqual(before);
        expect(await store.hourlySummaries(['api'], from, to, { p95: false })).toEqual(withoutP95);

        // Every hour rolled up, no raw result left: still the same.
        await store.maintain(T0 + 3 * DAY_MS, { ...KEEP_ALL, rawMs: DAY_MS });
        expect(await store.latestResults('api', 1)).toEqual([]);
        expect(await read()).toEqual(before);

        // Hourly rollups past retention are deleted: those hours are gone (daily rollups cannot be split).
        await store.maintain(T0 + 3 * DAY_MS, { rawMs: DAY_MS, hourlyMs: DAY_MS, dailyMs: 3650 * DAY_MS });
        expect((await read()).get('api')!.size).toBe(0);
        expect((await store.dailySummaries(['api'], from, to)).get('api')!.size).toBe(2);
        await expect(store.hourlySummaries(['api'], Number.NaN, to)).rejects.toThrow(/range/);
        expect(await store.hourlySummaries([], from, to)).toEqual(new Map());
      });

      test('hourlySummaries answers many monitors at once, each with its own figures', async () => {
        const { store } = await fresh({ monitorsPerStep: 16 });
        const ids = Array.from({ length: 50 }, (_, i) => `m${i}`);
        const results = new Map(
          ids.map((id, i) => [
            id,
            series({ monitorId: id, from: T0 + i * 60_000, to: T0 + 3 * HOUR_MS, everyMs: 60_000 + i * 1000, seed: i, failureRate: i / 100 }),
          ]),
        );
        await append(store, [...results.values()].flat(), 2000);
        const check = async () => {
          const hours = await store.hourlySummaries([...ids, 'nope'], T0, T0 + 3 * HOUR_MS);
          expect(hours.size).toBe(51);
          for (const [id, want] of results) expectBuckets(hours.get(id), hourFigures(want, T0, T0 + 3 * HOUR_MS));
        };
        await check();
        // The first two hours from rollups, the third from raw results.
        await store.maintain(T0 + 2 * HOUR_MS + 600_000, KEEP_ALL);
        await check();
      });

      test('maintain is idempotent: twice, concurrently, after a restart, with later times', async () => {
        const { store, reopen } = await fresh();
        const api = series({ monitorId: 'api', from: T0 + 21 * HOUR_MS, to: T0 + 27 * HOUR_MS, everyMs: 45_000, seed: 3 });
        await append(store, api);
        const now = T0 + 3 * DAY_MS;
        const first = await store.maintain(now, KEEP_ALL);
        expect(first).toMatchObject({ hoursRolledUp: 6, daysRolledUp: 2 });
        const again = await store.maintain(now, KEEP_ALL);
        expect(again).toMatchObject({ ran: true, hoursRolledUp: 0, daysRolledUp: 0, lateHoursRecomputed: 0 });
        const days = await store.dailySummaries(['api'], T0, now);
        await Promise.all([store.maintain(now + HOUR_MS, KEEP_ALL), store.maintain(now + HOUR_MS, KEEP_ALL)]);
        const restarted = await reopen();
        await restarted.maintain(now + DAY_MS, KEEP_ALL);
        expect(await restarted.dailySummaries(['api'], T0, now)).toEqual(days);
        expect(await store.dailySummaries(['api'], T0, now)).toEqual(days);
        for (const [day, figures] of dayFigures(api, T0, now)) expectSummary(days.get('api')!.get(day), figures, false);
        // From rollups only (raw deleted), still counted once.
        await restarted.maintain(now + DAY_MS, { ...KEEP_ALL, rawMs: HOUR_MS });
        expectSummary(await restarted.summary('api', T0, now), expected(api), false);
      });

      test('results arriving after their hour was rolled up are folded in by the next run', async () => {
        const { store } = await fresh();
        const api = series({ monitorId: 'api', from: T0 + 22 * HOUR_MS, to: T0 + 26 * HOUR_MS, everyMs: 60_000, seed: 5 });
        await append(store, api);
        const now = T0 + 3 * DAY_MS;
        await store.maintain(now, KEEP_ALL);
        const late: CheckResult[] = [
          { monitorId: 'api', at: T0 + 23 * HOUR_MS + 30_000, status: 'unhealthy', latencyMs: 9000, location: 'agent-1' },
          { monitorId: 'new', at: T0 + 23 * HOUR_MS + 30_000, status: 'healthy', latencyMs: 12, location: 'agent-1' },
        ];
        await store.appendResults([...late, api[0]!]); // api[0] is a duplicate: ignored
        const report = await store.maintain(now, KEEP_ALL);
        expect(report.lateHoursRecomputed).toBe(2);
        const all = [...api, late[0]!];
        const days = await store.dailySummaries(['api', 'new'], T0, now);
        for (const [day, figures] of dayFigures(all, T0, now)) expectSummary(days.get('api')!.get(day), figures, false);
        expect(days.get('new')!.get(T0)?.checks).toBe(1);
        await store.maintain(now, { ...KEEP_ALL, rawMs: DAY_MS });
        const hour = { from: T0 + 23 * HOUR_MS, to: T0 + DAY_MS };
        expectSummary(await store.summary('api', hour.from, hour.to), expected(all, hour.from, hour.to), false);
        expect((await store.maintain(now, KEEP_ALL)).lateHoursRecomputed).toBe(0);
      });

      test('maintain validates its input', async () => {
        const { store } = await fresh();
        await expect(store.maintain(T0, { ...KEEP_ALL, rawMs: 0 })).rejects.toThrow(/retention rawMs/);
        await expect(store.maintain(Number.NaN, KEEP_ALL)).rejects.toThrow(/now/);
      });
    });

    describe('the state step (commit)', () => {
      const L = 'local';
      const state = (monitorId: string, to: MonitorRuntimeState['state'], seq: number, extra: Partial<MonitorRuntimeState> = {}): MonitorRuntimeState => ({
        monitorId,
        location: L,
        state: to,
        consecutiveFailures: to === 'unhealthy' ? 1 : 0,
        seq,
        ...extra,
      });
      const result = (monitorId: string, at: number, status: CheckResult['status']): CheckResult => ({
        monitorId,
        at,
        status,
        latencyMs: 10,
        location: L,
      });
      /** A change of `monitorId` to `to` caused by a result at `at`. */
      const change = (
        monitorId: string,
        from: MonitorRuntimeState['state'],
        to: MonitorRuntimeState['state'],
        seq: number,
        at: number,
        extra: Partial<CommitStep> = {},
      ): MonitorCommit => ({
        monitorId,
        location: L,
        results: [result(monitorId, at, to === 'unhealthy' ? 'unhealthy' : 'healthy')],
        state: state(monitorId, to, seq, { lastCheckAt: at, since: at }),
        step: { at, resultAt: at, change: { seq, from, to, at, reason: `${from} to ${to}` }, ...extra },
      });

      test('writes results, states, incidents and events together; each change follows the stored sequence', async () => {
        const { store, reopen } = await fresh();
        const [first] = await store.commit([change('api', 'new', 'healthy', 1, T0)]);
        expect(first).toMatchObject({ status: 'applied', event: { monitorId: 'api', seq: 1, from: 'new', to: 'healthy', at: T0, resultAt: T0 } });
        // Quiet results of one monitor and a change of another, in one commit.
        const quiet: MonitorCommit = {
          monitorId: 'api',
          location: L,
          results: [result('api', T0 + 1000, 'healthy'), result('api', T0 + 2000, 'healthy')],
          state: state('api', 'healthy', 1, { lastCheckAt: T0 + 2000, since: T0 }),
        };
        const down = change('web', 'new', 'unhealthy', 1, T0 + 1500, { openIncident: { status: 'unhealthy', cause: 'connect ECONNREFUSED' } });
        const [kept, opened] = await store.commit([quiet, down]);
        expect(kept).toEqual({ status: 'applied', state: quiet.state });
        expect(opened?.status).toBe('applied');
        const incidentId = opened?.state?.openIncidentId;
        expect(incidentId).toBeGreaterThan(0);
        expect(opened).toMatchObject({ event: { monitorId: 'web', seq: 1, to: 'unhealthy', incidentId } });

        const restarted = await reopen();
        expect(await restarted.runtimeStates(L)).toEqual(
          new Map([
            ['api', quiet.state],
            ['web', { ...down.state, openIncidentId: incidentId }],
          ]),
        );
        expect((await restarted.latestResults('api', 10)).map((r) => r.at)).toEqual([T0 + 2000, T0 + 1000, T0]);
        expect(await restarted.incidents({ limit: 10 })).toEqual([
          { id: incidentId, monitorId: 'web', status: 'unhealthy', startedAt: T0 + 1500, cause: 'connect ECONNREFUSED' },
        ]);

        // Recovery closes the incident; the event names it.
        const [closed] = await restarted.commit([
          change('web', 'unhealthy', 'healthy', 2, T0 + 60_000, { closeIncidentId: incidentId! }),
        ]);
        expect(closed).toMatchObject({ status: 'applied', event: { seq: 2, from: 'unhealthy', to: 'healthy', incidentId } });
        expect(closed?.state?.openIncidentId).toBeUndefined();
        expect((await restarted.incidents({ monitorId: 'web', limit: 1 }))[0]).toMatchObject({ id: incidentId, endedAt: T0 + 60_000 });

        const events = await restarted.events({ after: 0, limit: 10 });
        expect(events.map((e) => `${e.monitorId}#${e.seq} ${e.from}→${e.to}`)).toEqual([
          'api#1 new→healthy',
          'web#1 new→unhealthy',
          'web#2 unhealthy→healthy',
        ]);
        // The cursor grows in commit order; pages resume after it; one monitor's alone.
        expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
        expect(await restarted.events({ after: events[0]!.id, limit: 1 })).toEqual([events[1]]);
        expect((await restarted.events({ after: 0, limit: 10, monitorId: 'web' })).map((e) => e.seq)).toEqual([1, 2]);
        expect(await restarted.lastEventId()).toBe(events[2]!.id);
      });

      test('a change already stored (a retried commit) is not written twice; one that does not follow is refused', async () => {
        const { store } = await fresh();
        const down = change('web', 'new', 'unhealthy', 1, T0, { openIncident: { status: 'unhealthy' } });
        const [applied] = await store.commit([down]);
        const [again] = await store.commit([down]);
        expect(again).toEqual({ status: 'replayed', state: applied?.state });
        // Another writer's view: seq 5 does not follow the stored 1.
        const [late] = await store.commit([change('web', 'healthy', 'degraded', 5, T0 + 1000, { openIncident: { status: 'degraded' } })]);
        expect(late).toEqual({ status: 'conflict', state: applied?.state });
        // Quiet results of a stale state are stored, the state is not.
        const stale: MonitorCommit = { monitorId: 'web', location: L, results: [result('web', T0 + 2000, 'unhealthy')], state: state('web', 'unhealthy', 0) };
        const [quiet] = await store.commit([stale]);
        expect(quiet).toEqual({ status: 'conflict', state: applied?.state });
        expect(await store.incidents({ limit: 10 })).toHaveLength(1);
        expect(await store.events({ after: 0, limit: 10 })).toHaveLength(1);
        expect((await store.latestResults('web', 10)).map((r) => r.at)).toEqual([T0 + 2000, T0 + 1000, T0]);
        expect((await store.runtimeStates(L)).get('web')).toEqual(applied?.state);
      });

      test('a commit that fails writes nothing, for any monitor in it', async () => {
        const { store } = await fresh();
        const fine = change('api', 'new', 'healthy', 1, T0);
        const broken = change('web', 'new', 'unhealthy', 1, T0, { openIncident: { status: 'healthy' as 'degraded' } });
        await expect(store.commit([fine, broken])).rejects.toThrow(/status/);
        expect(await store.runtimeStates(L)).toEqual(new Map());
        expect(await store.events({ after: 0, limit: 10 })).toEqual([]);
        expect(await store.latestResults('api', 10)).toEqual([]);
        expect(await store.incidents({ limit: 10 })).toEqual([]);
      });

      test('states are per location; a state set from outside (paused) needs no result', async () => {
        const { store } = await fresh();
        await store.commit([change('api', 'new', 'healthy', 1, T0), { ...change('api', 'new', 'unhealthy', 1, T0), location: 'eu', state: { ...state('api', 'unhealthy', 1), location: 'eu' }, results: [{ ...result('api', T0, 'unhealthy'), location: 'eu' }] }]);
        const [paused] = await store.commit([
          { monitorId: 'api', location: L, results: [], state: state('api', 'paused', 2, { since: T0 + 5 }), step: { at: T0 + 5, change: { seq: 2, from: 'healthy', to: 'paused', at: T0 + 5, reason: 'paused through the API' } } },
        ]);
        expect(paused).toMatchObject({ status: 'applied', event: { seq: 2, to: 'paused', reason: 'paused through the API' } });
        expect(paused?.status === 'applied' && paused.event?.resultAt).toBeUndefined();
        expect((await store.runtimeStates(L)).get('api')?.state).toBe('paused');
        expect((await store.runtimeStates('eu')).get('api')).toMatchObject({ state: 'unhealthy', location: 'eu', seq: 1 });
      });

      test('incidents list newest first, per monitor, limited; ended incidents and old changes follow daily retention', async () => {
        const { store } = await fresh();
        await seedIncident(store, { monitorId: 'api', status: 'unhealthy', startedAt: T0, endedAt: T0 + 30_000, cause: 'connect ECONNREFUSED' });
        const b = await seedIncident(store, { monitorId: 'web', status: 'degraded', startedAt: T0 + 60_000 });
        const c = await seedIncident(store, { monitorId: 'api', status: 'degraded', startedAt: T0 + 120_000 });
        const all = await store.incidents({ limit: 10 });
        expect(all.map((i) => [i.monitorId, i.status, i.startedAt, i.endedAt])).toEqual([
          ['api', 'degraded', T0 + 120_000, undefined],
          ['web', 'degraded', T0 + 60_000, undefined],
          ['api', 'unhealthy', T0, T0 + 30_000],
        ]);
        expect(await store.incidents({ monitorId: 'api', limit: 1 })).toEqual([c]);
        expect(await store.incidents({ monitorId: 'nope', limit: 5 })).toEqual([]);
        const report = await store.maintain(T0 + 3 * DAY_MS, { rawMs: DAY_MS, hourlyMs: DAY_MS, dailyMs: DAY_MS });
        expect(report.deleted.incidents).toBe(1);
        expect(report.deleted.events).toBe(4);
        expect((await store.incidents({ limit: 10 })).map((i) => i.id)).toEqual([c.id, b.id]);
        // The states they left stay: the sequence goes on.
        expect((await store.runtimeStates(L)).get('api')?.seq).toBe(3);
      });

      test('incidentsOverlapping: open or ended after from, started before to; by monitor; oldest start first', async () => {
        const { store } = await fresh();
        const from = T0 + HOUR_MS;
        const to = T0 + 3 * HOUR_MS;
        const minutes = (n: number) => T0 + n * 60_000;
        await seedIncident(store, { monitorId: 'api', status: 'unhealthy', startedAt: minutes(0), endedAt: minutes(10) });
        // Ended exactly at `from`: over before the range begins.
        await seedIncident(store, { monitorId: 'api', status: 'unhealthy', startedAt: minutes(30), endedAt: from });
        const stillOpen = await seedIncident(store, { monitorId: 'cache', status: 'unhealthy', startedAt: T0 - HOUR_MS, cause: 'timeout' });
        const acrossFrom = await seedIncident(store, { monitorId: 'web', status: 'degraded', startedAt: minutes(50), endedAt: minutes(120) });
        const inside = await seedIncident(store, { monitorId: 'db', status: 'unhealthy', startedAt: minutes(70), endedAt: minutes(80) });
        const openInside = await seedIncident(store, { monitorId: 'api', status: 'degraded', startedAt: minutes(90) });
        // Started exactly at `to`: after the range.
        await seedIncident(store, { monitorId: 'db', status: 'unhealthy', startedAt: to });
        expect(await store.acknowledgeIncident(openInside.id, { at: minutes(95), by: 'ops' })).toBe(true);
        const acknowledged = { ...openInside, acknowledged: { at: minutes(95), by: 'ops' } };

        expect(await store.incidentsOverlapping({ from, to })).toEqual([stillOpen, acrossFrom, inside, acknowledged]);
        expect(await store.incidentsOverlapping({ from, to, monitorIds: ['api', 'db', 'nope'] })).toEqual([inside, acknowledged]);
        expect(await store.incidentsOverlapping({ from, to, monitorIds: [] })).toEqual([]);
        expect(await store.incidentsOverlapping({ from: to, to: to + HOUR_MS, monitorIds: ['db'] })).toMatchObject([
          { monitorId: 'db', startedAt: to },
        ]);
        await expect(store.incidentsOverlapping({ from: Number.NaN, to })).rejects.toThrow(/range/);
      });

      test('results keep their kind and whether a failure was excused; an excused failure is no downtime', async () => {
        const { store } = await fresh();
        await store.appendResults([
          { ...result('job', T0, 'healthy'), kind: 'ping' },
          { ...result('job', T0 + 1, 'unhealthy'), kind: 'missed' },
          { ...result('job', T0 + 2, 'unhealthy'), kind: 'overran', excused: 'pending' },
          { ...result('job', T0 + 3, 'unhealthy'), excused: 'maintenance' },
        ]);
        const stored = await store.latestResults('job', 10);
        expect(stored.map((r) => [r.kind, r.status, r.excused])).toEqual([
          [undefined, 'unhealthy', 'maintenance'],
          ['overran', 'unhealthy', 'pending'],
          ['missed', 'unhealthy', undefined],
          ['ping', 'healthy', undefined],
        ]);
        expect(await store.summary('job', T0, T0 + 10)).toMatchObject({ checks: 4, failures: 1, excused: 2, uptime: 0.75, latencyAvgMs: 10 });
      });
    });

    describe('status page incidents', () => {
      const actor = { tokenId: 'tok_1', name: 'ops' };
      const MIN = 60_000;
      const draft = (fields: Partial<NewStatusIncident> = {}): NewStatusIncident => ({
        title: 'Checkout errors',
        status: 'investigating',
        impact: 'major',
        monitors: [{ id: 'api', impact: 'major' }],
        published: true,
        message: 'We are looking into failed payments.',
        author: 'ops',
        at: T0,
        ...fields,
      });
      const entry = (action: AuditAction, subject: string, at: number, after?: unknown): NewAuditEntry => ({
        at,
        actor,
        action,
        subject,
        ...(after === undefined ? {} : { after }),
      });
      /** Updates as [status, message, at, author], oldest first. */
      const updatesOf = (incident: StatusIncident | undefined) => incident?.updates.map((u) => [u.status, u.message, u.at, u.author]);

      test('created with its first update, read back (also after a restart); unknown ids give undefined or false', async () => {
        const { store, reopen } = await fresh();
        const monitors = [
          { id: 'api', impact: 'major' as const },
          { id: 'web', impact: 'degraded' as const },
        ];
        const created = await store.createStatusIncident(draft({ monitors }));
        expect(created).toEqual({
          id: expect.any(Number),
          title: 'Checkout errors',
          status: 'investigating',
          impact: 'major',
          monitors,
          published: true,
          createdAt: T0,
          updatedAt: T0,
          updates: [
            { id: expect.any(Number), incidentId: created.id, at: T0, status: 'investigating', message: 'We are looking into failed payments.', author: 'ops' },
          ],
        });
        expect('resolvedAt' in created || 'sourceIncidentId' in created).toBe(false);
        expect(await store.statusIncident(created.id)).toEqual(created);
        expect(await (await reopen()).statusIncident(created.id)).toEqual(created);
        const draftOnly = await store.createStatusIncident(draft({ published: false, monitors: [], message: '', at: T0 + 1 }));
        expect(draftOnly).toMatchObject({ published: false, monitors: [], updates: [{ message: '', at: T0 + 1 }] });
        expect(draftOnly.id).toBeGreaterThan(created.id);

        const unknown = created.id + draftOnly.id + 1000;
        expect(await store.statusIncident(unknown)).toBeUndefined();
        expect(await store.statusIncidentBySource(42)).toBeUndefined();
        const change = { at: T0 + MIN, author: 'ops', status: 'resolved' as const };
        expect(await store.updateStatusIncident(unknown, change, entry('status_incident.update', `status-incident/${unknown}`, T0))).toBeUndefined();
        expect(await store.deleteStatusIncident(unknown, entry('status_incident.delete', `status-incident/${unknown}`, T0))).toBe(false);
        // Nothing changed: no audit entry either.
        expect(await store.auditLog({ limit: 10 })).toEqual([]);
      });

      test('values outside the lists are refused, and nothing is written', async () => {
        const { store } = await fresh();
        await expect(store.createStatusIncident(draft({ status: 'fixed' as never }))).rejects.toThrow(/status/);
        await expect(store.createStatusIncident(draft({ impact: 'huge' as never }))).rejects.toThrow(/impact/);
        await expect(store.createStatusIncident(draft({ monitors: [{ id: 'api', impact: 'down' as never }] }))).rejects.toThrow(/impact/);
        await expect(store.createStatusIncident(draft({ at: Number.NaN }))).rejects.toThrow(/epoch/);
        expect(await store.statusIncidents({ limit: 10 })).toEqual([]);
        const { id } = await store.createStatusIncident(draft());
        const audit = entry('status_incident.update', `status-incident/${id}`, T0 + MIN);
        await expect(store.updateStatusIncident(id, { at: T0 + MIN, author: 'ops', status: 'gone' as never }, audit)).rejects.toThrow(/status/);
        expect((await store.statusIncident(id))?.updates).toHaveLength(1);
        expect(await store.auditLog({ limit: 10 })).toEqual([]);
      });

      test('the status follows its updates: investigating → identified → monitoring → resolved, each kept in order', async () => {
        const { store } = await fresh();
        const { id } = await store.createStatusIncident(draft());
        const identified = await store.updateStatusIncident(id, {
          at: T0 + MIN,
          author: 'alice',
          status: 'identified',
          message: 'A bad deploy of the payment service.',
        });
        expect(identified).toMatchObject({ status: 'identified', updatedAt: T0 + MIN, createdAt: T0 });
        expect(identified?.resolvedAt).toBeUndefined();
        // A message alone keeps the status; a status alone has an empty message.
        const note = await store.updateStatusIncident(id, { at: T0 + 2 * MIN, author: 'bob', message: 'Rolling back.' });
        expect(note).toMatchObject({ status: 'identified', updatedAt: T0 + 2 * MIN });
        const monitoring = await store.updateStatusIncident(id, { at: T0 + 3 * MIN, author: 'alice', status: 'monitoring' });
        expect(monitoring).toMatchObject({ status: 'monitoring', updatedAt: T0 + 3 * MIN });
        const resolved = await store.updateStatusIncident(id, {
          at: T0 + 10 * MIN,
          author: 'alice',
          status: 'resolved',
          message: 'Payments work again.',
        });
        expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: T0 + 10 * MIN, updatedAt: T0 + 10 * MIN, createdAt: T0 });
        expect(updatesOf(resolved)).toEqual([
          ['investigating', 'We are looking into failed payments.', T0, 'ops'],
          ['identified', 'A bad deploy of the payment service.', T0 + MIN, 'alice'],
          ['identified', 'Rolling back.', T0 + 2 * MIN, 'bob'],
          ['monitoring', '', T0 + 3 * MIN, 'alice'],
          ['resolved', 'Payments work again.', T0 + 10 * MIN, 'alice'],
        ]);
        const ids = resolved!.updates.map((u) => u.id);
        expect([...ids].sort((a, b) => a - b)).toEqual(ids);
        expect(resolved!.updates.every((u) => u.incidentId === id)).toBe(true);
        expect(await store.statusIncident(id)).toEqual(resolved);
      });

      test('reopening clears resolvedAt; resolving again sets it anew; a later resolved update moves it', async () => {
        const { store } = await fresh();
        const { id } = await store.createStatusIncident(draft());
        await store.updateStatusIncident(id, { at: T0 + MIN, author: 'ops', status: 'resolved', message: 'Fixed.' });
        const reopened = await store.updateStatusIncident(id, { at: T0 + 5 * MIN, author: 'ops', status: 'investigating', message: 'Back again.' });
        expect(reopened).toMatchObject({ status: 'investigating', updatedAt: T0 + 5 * MIN });
        expect(reopened?.resolvedAt).toBeUndefined();
        expect((await store.statusIncident(id))?.resolvedAt).toBeUndefined();
        const again = await store.updateStatusIncident(id, { at: T0 + 9 * MIN, author: 'ops', status: 'resolved' });
        expect(again).toMatchObject({ status: 'resolved', resolvedAt: T0 + 9 * MIN });
        // A note after it is a resolved update too: resolvedAt is that of the last one.
        const note = await store.updateStatusIncident(id, { at: T0 + 60 * MIN, author: 'ops', message: 'Post-mortem published.' });
        expect(note).toMatchObject({ status: 'resolved', resolvedAt: T0 + 60 * MIN, updatedAt: T0 + 60 * MIN });
        expect(updatesOf(note)?.map(([status]) => status)).toEqual(['investigating', 'resolved', 'investigating', 'resolved', 'resolved']);
      });

      test('field changes without status or message add no update, and keep status and resolvedAt', async () => {
        const { store } = await fresh();
        const { id } = await store.createStatusIncident(draft({ published: false }));
        const resolved = await store.updateStatusIncident(id, { at: T0 + MIN, author: 'ops', status: 'resolved', message: 'Fixed.' });
        const monitors = [{ id: 'web', impact: 'partial' as const }];
        const changed = await store.updateStatusIncident(id, {
          at: T0 + 2 * MIN,
          author: 'ops',
          title: 'Checkout was slow',
          impact: 'minor',
          monitors,
          published: true,
        });
        expect(changed).toEqual({
          ...resolved,
          title: 'Checkout was slow',
          impact: 'minor',
          monitors,
          published: true,
          updatedAt: T0 + 2 * MIN,
        });
        expect(changed?.updates).toHaveLength(2);
        expect(changed).toMatchObject({ status: 'resolved', resolvedAt: T0 + MIN });
        // One field at a time; the others are kept.
        const unpublished = await store.updateStatusIncident(id, { at: T0 + 3 * MIN, author: 'ops', published: false });
        expect(unpublished).toEqual({ ...changed, published: false, updatedAt: T0 + 3 * MIN });
        const cleared = await store.updateStatusIncident(id, { at: T0 + 4 * MIN, author: 'ops', monitors: [] });
        expect(cleared).toEqual({ ...unpublished, monitors: [], updatedAt: T0 + 4 * MIN });
        expect(await store.statusIncident(id)).toEqual(cleared);
      });

      test('one status incident per source incident: a second create returns it and writes nothing, even concurrently', async () => {
        const { store, reopen } = await fresh();
        const audit = (at: number) => entry('status_incident.create', 'status-incident', at);
        const first = await store.createStatusIncident(draft({ sourceIncidentId: 7, author: 'vigil', published: false }), audit(T0));
        expect(first).toMatchObject({ sourceIncidentId: 7, updates: [{ author: 'vigil' }] });
        const again = await store.createStatusIncident(draft({ sourceIncidentId: 7, title: 'Another draft', at: T0 + 1 }), audit(T0 + 1));
        expect(again).toEqual(first);
        expect(await store.statusIncidentBySource(7)).toEqual(first);
        expect(await store.auditLog({ limit: 10 })).toHaveLength(1);

        // Many drafts of the same incident at once, from two instances: one is created, all return it.
        const other = await reopen();
        const racers = await Promise.all(
          Array.from({ length: 12 }, (_, i) =>
            (i % 2 === 0 ? store : other).createStatusIncident(draft({ sourceIncidentId: 8, title: `racer ${i}`, at: T0 + 10 + i }), audit(T0 + 10 + i)),
          ),
        );
        expect(new Set(racers.map((incident) => incident.id)).size).toBe(1);
        for (const racer of racers) expect(racer).toEqual(racers[0]);
        expect(racers[0]?.updates).toHaveLength(1);
        expect(await store.statusIncidentBySource(8)).toEqual(racers[0]);
        // Without a source, every create is a new incident.
        await store.createStatusIncident(draft());
        await store.createStatusIncident(draft());
        expect((await store.statusIncidents({ limit: 10 })).map((incident) => incident.sourceIncidentId)).toEqual([undefined, undefined, 8, 7]);
        expect(await store.auditLog({ limit: 20 })).toHaveLength(2);
      });

      test('list: newest first, limited, by page; since keeps the open ones and those resolved since; published ones only', async () => {
        const { store } = await fresh();
        const make = async (hour: number, published: boolean, resolvedHour?: number) => {
          const { id } = await store.createStatusIncident(draft({ title: `at ${hour}h`, published, at: T0 + hour * HOUR_MS }));
          if (resolvedHour !== undefined) {
            await store.updateStatusIncident(id, { at: T0 + resolvedHour * HOUR_MS, author: 'ops', status: 'resolved', message: 'Fixed.' });
          }
          return (await store.statusIncident(id))!;
        };
        const a = await make(0, true, 1);
        const b = await make(1, true, 5);
        const c = await make(2, false);
        const d = await make(3, true);
        const e = await make(4, false, 10);
        const list = async (options: { limit?: number; since?: number; before?: number; publishedOnly?: boolean }) =>
          (await store.statusIncidents({ limit: 10, ...options })).map((incident) => incident.title);

        const all = await store.statusIncidents({ limit: 10 });
        expect(all).toEqual([e, d, c, b, a]);
        expect(updatesOf(all[3])).toEqual([
          ['investigating', 'We are looking into failed payments.', T0 + HOUR_MS, 'ops'],
          ['resolved', 'Fixed.', T0 + 5 * HOUR_MS, 'ops'],
        ]);
        expect(await list({ limit: 2 })).toEqual(['at 4h', 'at 3h']);
        expect(await list({ limit: 2, before: d.id })).toEqual(['at 2h', 'at 1h']);
        expect(await list({ before: a.id })).toEqual([]);
        // Resolved exactly at `since` still counts.
        expect(await list({ since: T0 + 5 * HOUR_MS })).toEqual(['at 4h', 'at 3h', 'at 2h', 'at 1h']);
        expect(await list({ since: T0 + 5 * HOUR_MS + 1 })).toEqual(['at 4h', 'at 3h', 'at 2h']);
        expect(await list({ since: T0 + 11 * HOUR_MS })).toEqual(['at 3h', 'at 2h']);
        expect(await list({ publishedOnly: true })).toEqual(['at 3h', 'at 1h', 'at 0h']);
        expect(await list({ publishedOnly: false })).toEqual(['at 4h', 'at 3h', 'at 2h', 'at 1h', 'at 0h']);
        expect(await list({ publishedOnly: true, since: T0 + 2 * HOUR_MS })).toEqual(['at 3h', 'at 1h']);
        expect(await list({ publishedOnly: true, since: T0 + 2 * HOUR_MS, before: d.id, limit: 1 })).toEqual(['at 1h']);
        expect(await store.statusIncidents({ limit: 0 })).toEqual([]);
        await expect(store.statusIncidents({ limit: -1 })).rejects.toThrow(/limit/);
      });

      test('delete takes its updates with it; every change is audited with it, in the same transaction', async () => {
        const { store } = await fresh();
        const created = await store.createStatusIncident(
          draft(),
          entry('status_incident.create', 'status-incident', T0, { title: 'Checkout errors', status: 'investigating', published: true }),
        );
        const subject = `status-incident/${created.id}`;
        const other = await store.createStatusIncident(draft({ title: 'Other', at: T0 + 1 }));
        await store.updateStatusIncident(
          created.id,
          { at: T0 + MIN, author: 'ops', status: 'resolved', message: 'Fixed.' },
          entry('status_incident.update', subject, T0 + MIN, { status: 'resolved', message: 'Fixed.' }),
        );
        expect(await store.deleteStatusIncident(created.id, entry('status_incident.delete', subject, T0 + 2 * MIN))).toBe(true);
        expect(await store.statusIncident(created.id)).toBeUndefined();
        expect(await store.statusIncidents({ limit: 10 })).toEqual([other]);
        expect(await store.updateStatusIncident(created.id, { at: T0 + 3 * MIN, author: 'ops', title: 'x' })).toBeUndefined();
        expect(await store.deleteStatusIncident(created.id, entry('status_incident.delete', subject, T0 + 3 * MIN))).toBe(false);

        const log = await store.auditLog({ limit: 10 });
        expect(log.map((e) => [e.action, e.subject, e.at])).toEqual([
          ['status_incident.delete', subject, T0 + 2 * MIN],
          ['status_incident.update', subject, T0 + MIN],
          ['status_incident.create', 'status-incident', T0],
        ]);
        expect(log[1]).toMatchObject({ actor, after: { status: 'resolved', message: 'Fixed.' } });
        expect(log[2]?.after).toEqual({ title: 'Checkout errors', status: 'investigating', published: true });
        expect((await store.auditLog({ limit: 10, subject })).map((e) => e.action)).toEqual(['status_incident.delete', 'status_incident.update']);
        // The other incident and its update are untouched.
        expect(await store.statusIncident(other.id)).toEqual(other);
      });
    });

    describe('scheduled maintenance', () => {
      const actor = { tokenId: 'tok_1', name: 'ops' };
      const window = (fields: Partial<NewMaintenance> = {}): NewMaintenance => ({
        title: 'Database upgrade',
        message: 'Orders are queued meanwhile.',
        startsAt: T0 + HOUR_MS,
        endsAt: T0 + 3 * HOUR_MS,
        monitors: ['orders-db', 'api'],
        groups: ['Databases'],
        createdAt: T0,
        author: 'ops',
        ...fields,
      });

      test('created, read back (also after a restart) by start; endsAfter keeps those that end later; no message is kept as none', async () => {
        const { store, reopen } = await fresh();
        expect(await store.maintenanceWindows()).toEqual([]);
        const later = await store.createMaintenance(window());
        expect(later).toEqual({ id: expect.any(Number), ...window() });
        const { message: _none, ...withoutMessage } = window({ title: 'Deploy', startsAt: T0, endsAt: T0 + HOUR_MS, monitors: [], groups: ['API'] });
        const earlier = await store.createMaintenance(withoutMessage);
        expect(earlier).toEqual({ id: expect.any(Number), ...withoutMessage });
        expect('message' in earlier).toBe(false);
        expect(earlier.id).toBeGreaterThan(later.id);
        const sameStart = await store.createMaintenance(window({ title: 'Same start', monitors: ['web'], groups: [] }));

        expect(await store.maintenanceWindows()).toEqual([earlier, later, sameStart]);
        expect(await (await reopen()).maintenanceWindows({})).toEqual([earlier, later, sameStart]);
        // Ending exactly at endsAfter is over.
        expect(await store.maintenanceWindows({ endsAfter: T0 + HOUR_MS })).toEqual([later, sameStart]);
        expect(await store.maintenanceWindows({ endsAfter: T0 + 3 * HOUR_MS })).toEqual([]);
      });

      test('values that are not a window are refused, and nothing is written', async () => {
        const { store } = await fresh();
        await expect(store.createMaintenance(window({ endsAt: T0 + HOUR_MS }))).rejects.toThrow(/ends after it starts/);
        await expect(store.createMaintenance(window({ startsAt: Number.NaN }))).rejects.toThrow(/epoch/);
        await expect(store.createMaintenance(window({ monitors: 'api' as never }))).rejects.toThrow(/monitors are a list/);
        await expect(store.createMaintenance(window({ groups: [1] as never }))).rejects.toThrow(/groups are a list/);
        expect(await store.maintenanceWindows()).toEqual([]);
        expect(await store.auditLog({ limit: 10 })).toEqual([]);
      });

      test('delete: once; every change is audited with it, in the same transaction; another window is untouched', async () => {
        const { store } = await fresh();
        const created = await store.createMaintenance(window(), {
          at: T0,
          actor,
          action: 'maintenance.create',
          subject: 'maintenance',
          after: { title: 'Database upgrade' },
        });
        const other = await store.createMaintenance(window({ title: 'Other' }));
        const subject = `maintenance/${created.id}`;
        const entry = (at: number) => ({ at, actor, action: 'maintenance.delete' as const, subject });
        expect(await store.deleteMaintenance(created.id, entry(T0 + 1))).toBe(true);
        expect(await store.deleteMaintenance(created.id, entry(T0 + 2))).toBe(false);
        expect(await store.deleteMaintenance(created.id + other.id + 1000, entry(T0 + 3))).toBe(false);
        expect(await store.maintenanceWindows()).toEqual([other]);
        const log = await store.auditLog({ limit: 10 });
        expect(log.map((e) => [e.action, e.subject, e.at])).toEqual([
          ['maintenance.delete', subject, T0 + 1],
          ['maintenance.create', 'maintenance', T0],
        ]);
        expect(log[1]).toMatchObject({ actor, after: { title: 'Database upgrade' } });
      });
    });

    describe('monitors paused through the API', () => {
      test('recorded, ended, read back after a restart', async () => {
        const { store, reopen } = await fresh();
        await store.setPaused('api', T0);
        await store.setPaused('web', T0);
        await store.setPaused('api', T0 + 1);
        await store.setPaused('web', undefined);
        await store.setPaused('nope', undefined);
        expect(await (await reopen()).pausedMonitors()).toEqual(['api']);
      });
    });

    describe('one instance', () => {
      test('a second lock on the same store is refused with a message that says so; released, it is free again', async () => {
        const { store, reopen } = await fresh();
        const lost: Error[] = [];
        const lock = await store.lockInstance((error) => lost.push(error));
        const other = await reopen();
        await expect(other.lockInstance(() => undefined)).rejects.toThrow(/another vigil serve is already using/);
        await lock.release();
        const second = await other.lockInstance(() => undefined);
        await second.release();
        expect(lost).toEqual([]);
      });
    });

    describe('tokens', () => {
      test('create, find by hash, touch, list, delete; a hash is unique', async () => {
        const { store } = await fresh();
        const ci = { id: 'tok_1', name: 'ci', hash: 'a'.repeat(64), scope: 'write' as const, createdAt: T0 };
        const ops = { id: 'tok_2', name: 'ops', hash: 'b'.repeat(64), scope: 'admin' as const, createdAt: T0 + 1, lastUsedAt: T0 + 5 };
        await store.createToken(ops);
        await store.createToken(ci);
        expect(await store.findTokenByHash('a'.repeat(64))).toEqual(ci);
        expect(await store.findTokenByHash('c'.repeat(64))).toBeUndefined();
        await store.touchToken('tok_1', T0 + 10);
        expect(await store.listTokens()).toEqual([{ ...ci, lastUsedAt: T0 + 10 }, ops]);
        await expect(store.createToken({ ...ci, id: 'tok_3' })).rejects.toThrow();
        expect(await store.deleteToken('tok_1')).toBe(true);
        expect(await store.deleteToken('tok_1')).toBe(false);
        expect(await store.listTokens()).toEqual([ops]);
      });
    });

    describe('notifications outbox', () => {
      const L = 'local';
      const notification = (monitorId: string, alertSeq: number, channel: string, createdAt: number) => ({
        idempotencyKey: `${monitorId}/${L}/${alertSeq}/${channel}`,
        monitorId,
        location: L,
        alertSeq,
        channel,
        kind: alertSeq % 2 === 1 ? 'trigger' : 'resolve',
        payload: { kind: alertSeq % 2 === 1 ? 'trigger' : 'resolve', monitor: { id: monitorId, name: 'Shop "API"' } },
        createdAt,
      });
      /** A commit of `monitorId` whose only step is an alert notification to each channel. */
      const alerting = (monitorId: string, alertSeq: number, channels: string[], at: number): MonitorCommit => ({
        monitorId,
        location: L,
        results: [],
        state: {
          monitorId,
          location: L,
          state: 'unhealthy',
          consecutiveFailures: 3,
          seq: 0,
          alert: { seq: alertSeq, bad: 3, good: 0, open: { trigger: 1, since: at, notifiedAt: at } },
        },
        step: { at, notifications: channels.map((channel) => notification(monitorId, alertSeq, channel, at)) },
      });
      const attempt = (n: number, at: number, outcome: 'delivered' | 'transient' | 'permanent', error?: string) => ({
        attempt: n,
        at,
        outcome,
        durationMs: 12,
        ...(error === undefined ? {} : { error, status: 503 }),
      });

      test('a step writes one row per channel with the state; a retried commit writes none twice', async () => {
        const { store, reopen } = await fresh();
        const commit = alerting('api', 1, ['ops', 'pager'], T0);
        expect((await store.commit([commit]))[0]?.status).toBe('applied');
        expect((await store.commit([commit]))[0]?.status).toBe('applied');
        const rows = await store.notifications({ limit: 10 });
        expect(rows.map((row) => [row.idempotencyKey, row.status, row.attempts])).toEqual([
          ['api/local/1/pager', 'pending', []],
          ['api/local/1/ops', 'pending', []],
        ]);
        expect(rows[0]?.payload).toEqual(notification('api', 1, 'pager', T0).payload);
        // The alert's progress is part of the state.
        const states = await (await reopen()).runtimeStates(L);
        expect(states.get('api')?.alert).toEqual({ seq: 1, bad: 3, good: 0, open: { trigger: 1, since: T0, notifiedAt: T0 } });
        expect(await store.notificationBacklog()).toEqual({ pending: 2, oldestCreatedAt: T0 });
      });

      test('claims the oldest due row of each monitor and channel, leased; a later one waits for it', async () => {
        const { store } = await fresh();
        await store.commit([alerting('api', 1, ['ops'], T0)]);
        await store.commit([alerting('api', 2, ['ops'], T0 + 10)]);
        await store.commit([alerting('web', 1, ['ops'], T0 + 20)]);
        const claimed = await store.claimNotifications({ now: T0 + 100, leaseMs: 30_000, limit: 10 });
        expect(claimed.map((row) => [row.idempotencyKey, row.attempt, row.leaseUntil])).toEqual([
          ['api/local/1/ops', 1, T0 + 30_100],
          ['web/local/1/ops', 1, T0 + 30_100],
        ]);
        // Leased: nothing more to claim until the lease ends, and api's resolve waits for its trigger.
        expect(await store.claimNotifications({ now: T0 + 200, leaseMs: 30_000, limit: 10 })).toEqual([]);
        expect(await store.finishNotification(claimed[0]!, attempt(1, T0 + 300, 'delivered'), { status: 'delivered' })).toBe(true);
        const next = await store.claimNotifications({ now: T0 + 400, leaseMs: 30_000, limit: 10 });
        expect(next.map((row) => row.idempotencyKey)).toEqual(['api/local/2/ops']);
        await store.finishNotification(next[0]!, attempt(1, T0 + 500, 'delivered'), { status: 'delivered' });
        // web's lease ran out: claimed again, as attempt 2; the first claimer is fenced out.
        const again = await store.claimNotifications({ now: T0 + 40_000, leaseMs: 30_000, limit: 10 });
        expect(again.map((row) => [row.idempotencyKey, row.attempt])).toEqual([['web/local/1/ops', 2]]);
        expect(await store.finishNotification(claimed[1]!, attempt(1, T0 + 40_001, 'delivered'), { status: 'delivered' })).toBe(false);
        expect(await store.finishNotification(again[0]!, attempt(2, T0 + 40_002, 'delivered'), { status: 'delivered' })).toBe(true);
      });

      test('a transient failure waits for its next attempt; a permanent one ends it; attempts are kept', async () => {
        const { store } = await fresh();
        await store.commit([alerting('api', 1, ['ops', 'pager'], T0)]);
        const [ops, pager] = await store.claimNotifications({ now: T0, leaseMs: 30_000, limit: 10 });
        expect(await store.finishNotification(ops!, attempt(1, T0 + 5, 'transient', 'HTTP 503'), { status: 'pending', nextAttemptAt: T0 + 5000 })).toBe(true);
        expect(await store.finishNotification(pager!, attempt(1, T0 + 6, 'permanent', 'HTTP 400'), { status: 'dead' })).toBe(true);
        expect(await store.claimNotifications({ now: T0 + 4999, leaseMs: 30_000, limit: 10 })).toEqual([]);
        const [retry] = await store.claimNotifications({ now: T0 + 5000, leaseMs: 30_000, limit: 10 });
        expect(retry).toMatchObject({ idempotencyKey: 'api/local/1/ops', attempt: 2 });
        await store.finishNotification(retry!, attempt(2, T0 + 5010, 'delivered'), { status: 'delivered' });
        const rows = await store.notifications({ limit: 10 });
        expect(rows.map((row) => [row.channel, row.status, row.attempts.map((a) => a.outcome), row.finishedAt])).toEqual([
          ['pager', 'dead', ['permanent'], T0 + 6],
          ['ops', 'delivered', ['transient', 'delivered'], T0 + 5010],
        ]);
        expect(rows[0]?.lastError).toBe('HTTP 400');
        expect(rows[1]?.attempts[0]).toEqual(attempt(1, T0 + 5, 'transient', 'HTTP 503'));
        expect((await store.notifications({ limit: 10, status: 'dead' })).map((row) => row.channel)).toEqual(['pager']);
        expect(await store.notifications({ limit: 10, monitorId: 'web' })).toEqual([]);
        expect((await store.notifications({ limit: 1, before: rows[0]!.id })).map((row) => row.channel)).toEqual(['ops']);
        expect(await store.notificationBacklog()).toEqual({ pending: 0 });
      });
    });

    describe('audit log', () => {
      const actor = { tokenId: 'tok_1', name: 'ci' };

      test('each change is stored with its entry; read newest first, by page and by subject', async () => {
        const { store } = await fresh();
        const web = { id: 'web', definition: { type: 'http', url: 'https://example.com' }, createdAt: T0, updatedAt: T0 };
        await store.saveMonitor(web, { at: T0, actor, action: 'monitor.create', subject: 'web', after: web.definition });
        await store.setPaused('web', T0 + 1, { at: T0 + 1, actor, action: 'monitor.pause', subject: 'web' });
        await store.createToken(
          { id: 'tok_9', name: 'ro', hash: 'd'.repeat(64), scope: 'read', createdAt: T0 + 2 },
          { at: T0 + 2, actor: { name: 'cli' }, action: 'token.create', subject: 'tok_9', after: { scope: 'read' } },
        );
        await store.deleteMonitor('web', { at: T0 + 3, actor, action: 'monitor.delete', subject: 'web', before: web.definition });
        // Nothing deleted: no entry.
        expect(await store.deleteMonitor('web', { at: T0 + 4, actor, action: 'monitor.delete', subject: 'web' })).toBe(false);

        const all = await store.auditLog({ limit: 10 });
        expect(all.map((entry) => [entry.action, entry.subject, entry.at])).toEqual([
          ['monitor.delete', 'web', T0 + 3],
          ['token.create', 'tok_9', T0 + 2],
          ['monitor.pause', 'web', T0 + 1],
          ['monitor.create', 'web', T0],
        ]);
        expect(all[0]).toMatchObject({ actor, before: web.definition });
        expect(all[0]?.after).toBeUndefined();
        expect(all[1]?.actor).toEqual({ name: 'cli' });
        expect(all[3]).toMatchObject({ after: web.definition });
        const ids = all.map((entry) => entry.id);
        expect([...ids].sort((a, b) => b - a)).toEqual(ids);

        const page = await store.auditLog({ limit: 2 });
        const older = await store.auditLog({ limit: 2, before: page.at(-1)!.id });
        expect([...page, ...older]).toEqual(all);
        expect((await store.auditLog({ limit: 10, subject: 'tok_9' })).map((entry) => entry.action)).toEqual(['token.create']);
      });

      test('an action that changes nothing stored (a check run now) is appended alone', async () => {
        const { store } = await fresh();
        const actor = { tokenId: 'tok_1', name: 'ops' };
        await store.appendAudit({ at: T0, actor, action: 'monitor.check', subject: 'web' });
        await store.appendAudit({ at: T0 + 1, actor: { name: 'cli' }, action: 'monitor.check', subject: 'api' });
        const entries = await store.auditLog({ limit: 10 });
        expect(entries.map((entry) => [entry.action, entry.subject, entry.at, entry.actor])).toEqual([
          ['monitor.check', 'api', T0 + 1, { name: 'cli' }],
          ['monitor.check', 'web', T0, actor],
        ]);
        expect(entries[1]?.before).toBeUndefined();
        expect(entries[1]?.after).toBeUndefined();
      });

      test('a change that fails stores no entry', async () => {
        const { store } = await fresh();
        const ci = { id: 'tok_1', name: 'ci', hash: 'a'.repeat(64), scope: 'read' as const, createdAt: T0 };
        await store.createToken(ci);
        // The same hash again: refused, and its entry with it (one transaction).
        await expect(
          store.createToken({ ...ci, id: 'tok_2' }, { at: T0, actor, action: 'token.create', subject: 'tok_2' }),
        ).rejects.toThrow();
        expect(await store.auditLog({ limit: 10 })).toEqual([]);
      });
    });

    describe('API monitors', () => {
      test('save, update (keeps createdAt), list by id, delete', async () => {
        const { store } = await fresh();
        const web = { id: 'web', definition: { type: 'http', url: 'https://example.com', interval: 30_000 }, createdAt: T0, updatedAt: T0 };
        const api = { id: 'api', definition: { type: 'tcp', host: 'db', port: 5432 }, createdAt: T0, updatedAt: T0 };
        await store.saveMonitor(web);
        await store.saveMonitor(api);
        await store.saveMonitor({ ...web, definition: { ...web.definition, interval: 60_000 }, createdAt: T0 + 9, updatedAt: T0 + 9 });
        expect(await store.listMonitors()).toEqual([
          api,
          { ...web, definition: { ...web.definition, interval: 60_000 }, updatedAt: T0 + 9 },
        ]);
        expect(await store.deleteMonitor('api')).toBe(true);
        expect(await store.deleteMonitor('api')).toBe(false);
        expect((await store.listMonitors()).map((m) => m.id)).toEqual(['web']);
        await expect(store.saveMonitor({ ...api, definition: undefined })).rejects.toThrow(/JSON/);
      });
    });

    describe('heartbeat ping log', () => {
      const ping = (fields: Partial<PingRecord> = {}): PingRecord => ({ monitorId: 'backup', at: T0, kind: 'success', method: 'GET', ...fields });
      /** Records pings one after the other (ids in that order). */
      async function record(store: Store, pings: readonly PingRecord[], keep = 100): Promise<StoredPing[]> {
        const stored: StoredPing[] = [];
        for (const p of pings) stored.push(await store.recordPing(p, keep));
        return stored;
      }

      test('round-trips every field (also after a restart); absent values come back absent, not null', async () => {
        const { store, reopen } = await fresh();
        const full: PingRecord = {
          monitorId: 'backup',
          at: T0 + 1234,
          kind: 'fail',
          exitStatus: 3,
          rid: '2f1c3a9e-7b2d-4e6f-8a0b-1c2d3e4f5a6b',
          method: 'POST',
          note: 'exit status 3',
          userAgent: 'curl/8.5.0',
          remoteAddress: '2001:db8::7',
          body: 'pg_dump: error: connection to server failed\nexit 3\n',
        };
        const minimal = ping({ kind: 'ignored', method: 'HEAD', at: T0 + 2000 });
        const zero = ping({ kind: 'success', exitStatus: 0, body: '', note: '', at: T0 + 3000 });
        const [storedFull, storedMinimal, storedZero] = await record(store, [full, minimal, zero]);
        expect(storedFull).toEqual({ id: expect.any(Number), ...full });
        expect(storedMinimal).toEqual({ id: expect.any(Number), ...minimal });
        expect(Object.keys(storedMinimal!).sort()).toEqual(['at', 'id', 'kind', 'method', 'monitorId']);
        // Zero and empty are values, not absences.
        expect(storedZero).toEqual({ id: expect.any(Number), ...zero });
        expect(storedMinimal!.id).toBeGreaterThan(storedFull!.id);
        expect(storedZero!.id).toBeGreaterThan(storedMinimal!.id);

        const read = await store.recentPings('backup', 10);
        expect(read).toEqual([storedZero, storedMinimal, storedFull]);
        expect(Object.keys(read[1]!).sort()).toEqual(['at', 'id', 'kind', 'method', 'monitorId']);
        for (const value of Object.values(read[1]!)) expect(value).not.toBeNull();
        expect(await (await reopen()).recentPings('backup', 10)).toEqual(read);
        // Every kind is kept as it is.
        const kinds = ['success', 'fail', 'start', 'log', 'ignored'] as const;
        await record(store, kinds.map((kind, i) => ping({ monitorId: 'kinds', kind, at: T0 + i })));
        expect((await store.recentPings('kinds', 10)).map((p) => p.kind)).toEqual([...kinds].reverse());
      });

      test('newest first; keep bounds each monitor\'s count without touching another monitor\'s pings', async () => {
        const { store } = await fresh();
        const sweeper = await record(store, Array.from({ length: 4 }, (_, i) => ping({ monitorId: 'sweeper', at: T0 + i })), 5);
        const backup: StoredPing[] = [];
        for (let i = 0; i < 12; i++) {
          backup.push(await store.recordPing(ping({ at: T0 + 100 + i, body: `run ${i}` }), 5));
          // Interleaved: the other heartbeat's log is untouched by this one's prune, and the other way round.
          if (i === 6) sweeper.push(await store.recordPing(ping({ monitorId: 'sweeper', at: T0 + 50 }), 5));
          expect(await store.recentPings('backup', 100)).toHaveLength(Math.min(i + 1, 5));
        }
        // Newest (highest id) first, even when times say otherwise.
        await store.recordPing(ping({ at: T0 - DAY_MS, body: 'late clock' }), 5);
        const kept = await store.recentPings('backup', 100);
        expect(kept.map((p) => p.body)).toEqual(['late clock', 'run 11', 'run 10', 'run 9', 'run 8']);
        expect(kept.map((p) => p.id)).toEqual([...kept.map((p) => p.id)].sort((a, b) => b - a));
        expect(await store.recentPings('sweeper', 100)).toEqual([...sweeper].reverse());
        expect(await store.recentPings('sweeper', 2)).toEqual([sweeper[4], sweeper[3]]);
        // A smaller keep prunes down to it; keep 1 keeps the ping just recorded.
        await store.recordPing(ping({ at: T0 + 200, body: 'smaller' }), 2);
        expect((await store.recentPings('backup', 100)).map((p) => p.body)).toEqual(['smaller', 'late clock']);
        const only = await store.recordPing(ping({ at: T0 + 201 }), 1);
        expect(await store.recentPings('backup', 100)).toEqual([only]);
        expect(await store.recentPings('sweeper', 100)).toHaveLength(5);
        expect(await store.recentPings('nobody', 100)).toEqual([]);
        expect(await store.recentPings('backup', 0)).toEqual([]);
      });

      test('pages with before: ids below it, newest first, until none are left', async () => {
        const { store } = await fresh();
        const stored = await record(store, Array.from({ length: 7 }, (_, i) => ping({ at: T0 + i, body: String(i) })));
        await record(store, [ping({ monitorId: 'other' })]);
        const pages: number[][] = [];
        let before: number | undefined;
        for (;;) {
          const page = await store.recentPings('backup', 3, before);
          if (page.length === 0) break;
          pages.push(page.map((p) => Number(p.body)));
          before = page.at(-1)!.id;
        }
        expect(pages).toEqual([[6, 5, 4], [3, 2, 1], [0]]);
        expect(await store.recentPings('backup', 10, stored[0]!.id)).toEqual([]);
        expect(await store.recentPings('backup', 2, stored[3]!.id + 0.5)).toEqual([stored[3], stored[2]]);
        expect(await store.recentPings('backup', 10, Number.POSITIVE_INFINITY)).toHaveLength(7);
      });

      test('deleteMonitor deletes its pings with it, and no other monitor\'s', async () => {
        const { store } = await fresh();
        const definition = { type: 'heartbeat', schedule: { period: 300_000, grace: 60_000 } };
        await store.saveMonitor({ id: 'backup', definition, createdAt: T0, updatedAt: T0 });
        await record(store, [ping(), ping({ at: T0 + 1 }), ping({ monitorId: 'sweeper' }), ping({ monitorId: 'from-config' })]);
        const audit = { at: T0 + 2, actor: { name: 'cli' }, action: 'monitor.delete' as const, subject: 'backup' };
        expect(await store.deleteMonitor('backup', audit)).toBe(true);
        expect(await store.recentPings('backup', 10)).toEqual([]);
        expect(await store.recentPings('sweeper', 10)).toHaveLength(1);
        expect(await store.auditLog({ limit: 10 })).toMatchObject([{ action: 'monitor.delete', subject: 'backup' }]);
        // No API monitor of that id (a config-file heartbeat): nothing is deleted.
        expect(await store.deleteMonitor('from-config')).toBe(false);
        expect(await store.recentPings('from-config', 10)).toHaveLength(1);
        // A new log starts after the deleted one's ids.
        const next = await store.recordPing(ping(), 100);
        expect(await store.recentPings('backup', 10)).toEqual([next]);
      });

      test('a body of 100,000 bytes in many scripts survives byte for byte; a NUL is kept as U+FFFD', async () => {
        const { store, reopen } = await fresh();
        const pieces = ['ascii ', 'é', '日本語', '🫀', 'e\u0301', 'Ω≈ç', '\t', '\r\n', 'عربى', '🏳️‍🌈', '\u{10FFFF}'];
        let body = '';
        let bytes = 0;
        for (let i = 0; bytes < 100_000 - 16; i++) {
          const piece = pieces[i % pieces.length]!;
          body += piece;
          bytes += Buffer.byteLength(piece);
        }
        body += 'x'.repeat(100_000 - bytes);
        expect(Buffer.byteLength(body)).toBe(100_000);
        const stored = await store.recordPing(ping({ method: 'POST', body }), 100);
        expect(stored.body).toBe(body);
        const [read] = await (await reopen()).recentPings('backup', 1);
        expect(read?.body).toBe(body);
        expect(Buffer.byteLength(read!.body!)).toBe(100_000);

        const withNul = await store.recordPing(ping({ method: 'POST', body: 'before\u0000after', userAgent: 'a\u0000b' }), 100);
        expect(withNul).toMatchObject({ body: 'before\uFFFDafter', userAgent: 'a\uFFFDb' });
        expect((await store.recentPings('backup', 1))[0]).toEqual(withNul);
      });

      test('values that are not a ping are refused, and nothing is written', async () => {
        const { store } = await fresh();
        await expect(store.recordPing(ping({ kind: 'late' as never }), 100)).rejects.toThrow(/kind is one of/);
        await expect(store.recordPing(ping({ at: Number.NaN }), 100)).rejects.toThrow(/epoch/);
        await expect(store.recordPing(ping({ exitStatus: 256 }), 100)).rejects.toThrow(/exit status/);
        await expect(store.recordPing(ping({ exitStatus: 1.5 }), 100)).rejects.toThrow(/exit status/);
        await expect(store.recordPing(ping({ monitorId: '' }), 100)).rejects.toThrow(/monitor/);
        await expect(store.recordPing(ping({ method: '' }), 100)).rejects.toThrow(/method/);
        await expect(store.recordPing(ping(), 0)).rejects.toThrow(/keeps/);
        await expect(store.recordPing(ping(), 2.5)).rejects.toThrow(/keeps/);
        await expect(store.recentPings('backup', -1)).rejects.toThrow(/limit/);
        await expect(store.recentPings('backup', 10, Number.NaN)).rejects.toThrow(/before an id/);
        expect(await store.recentPings('backup', 10)).toEqual([]);
      });

      test('many pings of one heartbeat at once, from two instances, all land; the next ping prunes to keep', async () => {
        const { store, reopen } = await fresh();
        const other = await reopen();
        await record(store, Array.from({ length: 10 }, (_, i) => ping({ at: T0 + i })), 10);
        const racers = await Promise.all(
          Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? store : other).recordPing(ping({ at: T0 + 100 + i, body: `racer ${i}` }), 10)),
        );
        expect(new Set(racers.map((p) => p.id)).size).toBe(40);
        const last = await store.recordPing(ping({ at: T0 + 1000, body: 'last' }), 10);
        const kept = await store.recentPings('backup', 100);
        expect(kept).toHaveLength(10);
        expect(kept[0]).toEqual(last);
        // The newest ids are the ones kept.
        const newest = [...racers.map((p) => p.id), last.id].sort((a, b) => b - a).slice(0, 10);
        expect(kept.map((p) => p.id)).toEqual(newest);
      });
    });

    describe('space', () => {
      test('stored bytes per result (typical HTTP checks)', async () => {
        const { store } = await fresh();
        const monitors = 100;
        const checks = 120;
        const results: CheckResult[] = [];
        // Interleaved in time like a running scheduler: every monitor every 20 s.
        for (let c = 0; c < checks; c++) {
          for (let m = 0; m < monitors; m++) {
            const latency = 20 + ((m * 7 + c * 13) % 180);
            results.push({
              monitorId: `http-monitor-${m}`,
              at: T0 + c * 20_000 + m * 97,
              status: (m + c) % 50 === 0 ? 'unhealthy' : 'healthy',
              latencyMs: latency + 0.37,
              statusCode: (m + c) % 50 === 0 ? 503 : 200,
              timings: { dns: 1, connect: 2 + (c % 3), tls: 8, firstByte: latency - 12, transfer: 1 },
              ...((m + c) % 50 === 0 ? { error: 'HTTP 503 Service Unavailable' } : {}),
              location: 'local',
            });
          }
          if (results.length >= 2000) await store.appendResults(results.splice(0));
        }
        await store.appendResults(results);
        const usage = await store.usage();
        expect(usage.results).toBe(monitors * checks);
        const perResult = usage.resultBytes / usage.results;
        console.log(`[${name}] stored bytes per result: ${perResult.toFixed(1)} (results table and its key), total ${usage.totalBytes} bytes`);
        expect(perResult).toBeGreaterThan(10);
        expect(perResult).toBeLessThan(name === 'sqlite' ? 64 : 160);
      });
    });
  });
}
