/**
 * The check pipeline against a real SQLite store (in memory) and a manual clock: quiet results batched, state
 * changes committed at once with their result, incident and event, nothing in memory moving on before its commit,
 * failed commits retried, a commit retried after an unclear failure not written twice.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import type { CheckResult } from '../../src/model.js';
import { CheckPipeline } from '../../src/pipeline/pipeline.js';
import { ManualClock } from '../../src/scheduler/clock.js';
import { openStore } from '../../src/store/open.js';
import type { MonitorCommit, Store } from '../../src/store/store.js';

const T0 = Date.UTC(2025, 5, 1);

/** A store whose commits the test can make fail — before writing, or after (an unclear failure). */
function faulty(store: Store) {
  const faults: Array<'before' | 'after'> = [];
  const commits: MonitorCommit[][] = [];
  const wrapped: Store = Object.create(store) as Store;
  wrapped.commit = async (batch) => {
    commits.push([...batch]);
    const fault = faults.shift();
    if (fault === 'before') throw new Error('SQLITE_BUSY: database is locked');
    const outcome = await store.commit(batch);
    if (fault === 'after') throw new Error('connection reset while committing');
    return outcome;
  };
  return { store: wrapped, faults, commits };
}

let store: Store;
afterEach(async () => {
  await store?.close();
});

async function setup(options: { retries?: number } = {}) {
  store = await openStore({ type: 'sqlite', path: ':memory:' }, { dataDir: 'unused' });
  const clock = new ManualClock(T0);
  const wrapped = faulty(store);
  let wakeups = 0;
  const pipeline = new CheckPipeline({
    store: wrapped.store,
    location: 'local',
    clock,
    logger: silentLogger,
    retriesOf: () => options.retries ?? 0,
    onChangesCommitted: () => wakeups++,
  });
  const result = (monitorId: string, at: number, status: CheckResult['status'], error?: string): CheckResult => ({
    monitorId,
    at,
    status,
    latencyMs: 5,
    location: 'local',
    ...(error ? { error } : {}),
  });
  /** Lets promise callbacks and due timers run. */
  const settle = async (ms = 0) => {
    for (let i = 0; i < 5; i++) await clock.advance(i === 0 ? ms : 0);
  };
  return { clock, pipeline, result, settle, ...wrapped, wakeups: () => wakeups };
}

describe('the check pipeline', () => {
  it('commits a state change at once with its result, incident and event; quiet results wait for the batch', async () => {
    const t = await setup();
    t.pipeline.record(t.result('api', T0, 'healthy'));
    await t.settle();
    // The first check is a change (new → healthy): committed at once, the feed told.
    expect(t.pipeline.state('api')).toMatchObject({ state: 'healthy', seq: 1 });
    expect(t.wakeups()).toBe(1);
    expect((await store.events({ after: 0, limit: 10 })).map((e) => `${e.from}→${e.to}`)).toEqual(['new→healthy']);

    t.pipeline.record(t.result('api', T0 + 1000, 'healthy'));
    await t.settle();
    expect(await store.latestResults('api', 10)).toHaveLength(1);
    await t.settle(1000);
    // Within a second, stored with the state after it.
    expect(await store.latestResults('api', 10)).toHaveLength(2);
    expect((await store.runtimeStates('local')).get('api')).toMatchObject({ state: 'healthy', seq: 1, lastCheckAt: T0 + 1000 });

    t.pipeline.record(t.result('api', T0 + 2000, 'unhealthy', 'connect ECONNREFUSED'));
    await t.settle();
    const [incident] = await store.incidents({ limit: 1 });
    expect(incident).toMatchObject({ monitorId: 'api', status: 'unhealthy', startedAt: T0 + 2000, cause: 'connect ECONNREFUSED' });
    expect(t.pipeline.state('api')).toMatchObject({ state: 'unhealthy', seq: 2, openIncidentId: incident!.id });
    expect(t.pipeline.latestResult('api')?.at).toBe(T0 + 2000);
  });

  it('holds a monitor whose change is not committed: nothing moves on, later results wait, the store is retried', async () => {
    const t = await setup();
    t.pipeline.record(t.result('api', T0, 'healthy'));
    await t.settle();
    t.faults.push('before', 'before');
    t.pipeline.record(t.result('api', T0 + 1000, 'unhealthy', 'timeout'));
    t.pipeline.record(t.result('api', T0 + 2000, 'healthy'));
    await t.settle();
    // The change failed to commit: the state, the last result and the incidents are as before.
    expect(t.pipeline.state('api')).toMatchObject({ state: 'healthy', seq: 1 });
    expect(t.pipeline.latestResult('api')?.at).toBe(T0);
    expect(t.pipeline.stats()).toMatchObject({ failingWrites: 1, waitingSteps: 1 });
    expect(await store.incidents({ limit: 5 })).toEqual([]);
    await t.settle(500);
    expect(t.pipeline.stats()).toMatchObject({ failingWrites: 2, waitingSteps: 1 });
    await t.settle(1000);
    // Retried until committed; then the queued result is taken: unhealthy → healthy, the incident closed.
    expect(t.pipeline.stats()).toMatchObject({ failingWrites: 0, waitingSteps: 0 });
    expect(t.pipeline.state('api')).toMatchObject({ state: 'healthy', seq: 3 });
    expect((await store.events({ after: 0, limit: 10 })).map((e) => `${e.seq} ${e.from}→${e.to}`)).toEqual([
      '1 new→healthy',
      '2 healthy→unhealthy',
      '3 unhealthy→healthy',
    ]);
    expect((await store.incidents({ limit: 5 }))[0]).toMatchObject({ startedAt: T0 + 1000, endedAt: T0 + 2000 });
  });

  it('says the state a monitor is going to while its change waits for its commit (for judging its dependents)', async () => {
    const t = await setup();
    t.pipeline.record(t.result('db', T0, 'healthy'));
    await t.settle();
    t.pipeline.record(t.result('db', T0 + 1000, 'unhealthy', 'connection refused'));
    // Decided, not committed yet (the write waits for the end of the turn): the committed state stays, the state
    // ahead is the change's, so a dependent checked in the same turn is judged against it.
    expect(t.pipeline.state('db')).toMatchObject({ state: 'healthy', seq: 1 });
    expect(t.pipeline.stateAhead('db')).toMatchObject({ state: 'unhealthy', seq: 2 });
    await t.settle();
    expect(t.pipeline.state('db')).toMatchObject({ state: 'unhealthy', seq: 2 });
    expect(t.pipeline.stateAhead('db')).toEqual(t.pipeline.state('db'));
    expect(t.pipeline.stateAhead('unknown')).toBeUndefined();
  });

  it('a commit that succeeded but reported a failure is retried without writing it twice', async () => {
    const t = await setup();
    t.faults.push('after');
    t.pipeline.record(t.result('api', T0, 'unhealthy', 'refused'));
    await t.settle();
    expect(t.pipeline.state('api')).toBeUndefined();
    await t.settle(500);
    expect(t.pipeline.state('api')).toMatchObject({ state: 'unhealthy', seq: 1 });
    expect(t.pipeline.state('api')?.openIncidentId).toBeGreaterThan(0);
    expect(await store.events({ after: 0, limit: 10 })).toHaveLength(1);
    expect(await store.incidents({ limit: 10 })).toHaveLength(1);
    // And the monitor goes on from there.
    t.pipeline.record(t.result('api', T0 + 1000, 'healthy'));
    await t.settle();
    expect((await store.incidents({ limit: 10 }))[0]?.endedAt).toBe(T0 + 1000);
  });

  it('stores failed checks with retries left as pending (excused: no downtime), then the one that goes down', async () => {
    const t = await setup({ retries: 2 });
    for (let i = 0; i < 4; i++) t.pipeline.record(t.result('api', T0 + i * 1000, 'unhealthy', 'boom'));
    await t.settle(1000);
    const stored = await store.latestResults('api', 10);
    expect(stored.map((r) => r.excused).reverse()).toEqual(['pending', 'pending', undefined, undefined]);
    expect((await store.events({ after: 0, limit: 10 })).map((e) => e.to)).toEqual(['pending', 'unhealthy']);
    expect(await store.summary('api', T0, T0 + 10_000)).toMatchObject({ checks: 4, failures: 2, excused: 2 });
  });

  it('a durable result (a ping) resolves once stored, even when it changes nothing', async () => {
    const t = await setup();
    t.pipeline.record(t.result('job', T0, 'healthy'));
    await t.settle();
    let stored = false;
    const durable = t.pipeline.recordDurably(t.result('job', T0 + 1000, 'healthy')).then(() => (stored = true));
    await t.settle();
    await durable;
    expect(stored).toBe(true);
    expect(await store.latestResults('job', 10)).toHaveLength(2);
  });

  it('paused from outside: the open incident closed with the change; resumed: new until the next check', async () => {
    const t = await setup();
    t.pipeline.record(t.result('api', T0, 'unhealthy', 'down'));
    await t.settle();
    const paused = t.pipeline.setState('api', 'paused', 'paused through the API');
    await t.settle();
    await paused;
    expect(t.pipeline.state('api')).toMatchObject({ state: 'paused', seq: 2 });
    expect(t.pipeline.state('api')?.openIncidentId).toBeUndefined();
    expect((await store.incidents({ limit: 1 }))[0]?.endedAt).toBeDefined();
    const resumed = t.pipeline.setState('api', 'new', 'resumed through the API');
    await t.settle();
    await resumed;
    const events = await store.events({ after: 0, limit: 10 });
    expect(events.map((e) => [e.seq, e.to, e.reason])).toEqual([
      [1, 'unhealthy', 'down'],
      [2, 'paused', 'paused through the API'],
      [3, 'new', 'resumed through the API'],
    ]);
  });

  it('restored from the store, a monitor goes on numbering its changes', async () => {
    const t = await setup();
    t.pipeline.record(t.result('api', T0, 'healthy'));
    await t.settle();
    await t.pipeline.close();
    const again = new CheckPipeline({ store, location: 'local', logger: silentLogger, retriesOf: () => 0, clock: t.clock });
    again.restore((await store.runtimeStates('local')).values());
    again.record(t.result('api', T0 + 1000, 'degraded'));
    await t.settle();
    expect(again.state('api')).toMatchObject({ state: 'degraded', seq: 2 });
    expect((await store.events({ after: 0, limit: 10 })).map((e) => e.seq)).toEqual([1, 2]);
    await again.close();
  });
});
