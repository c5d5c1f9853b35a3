/**
 * The PostgreSQL side of several instances, on a private schema: a lease is claimed by one instance only, an
 * expired or given-up one goes to the next claimer with the next epoch, a commit under an old epoch is fenced out
 * (nothing of it written), an instance whose connection is gone frees its leases at once, pings forwarded to the
 * inbox are taken by the owner exactly once, and notices reach the other instances.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterMembership, ClusterTopic } from '../../src/cluster/cluster-store.js';
import { preferredInstance } from '../../src/cluster/rendezvous.js';
import type { MonitorRuntimeState } from '../../src/model.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { POSTGRES_URL } from '../../../../test/services.js';

const SCHEMA = `vigil_leases_${process.pid}_${Date.now().toString(36)}`;
let store: PostgresStore;
const memberships: ClusterMembership[] = [];
const notices: Array<{ instance: string; topic: ClusterTopic }> = [];

async function join(id: string, leaseMs = 60_000): Promise<ClusterMembership> {
  const membership = await store.cluster.join({ id, name: `test ${id}`, location: 'local' }, leaseMs, {
    onLost: () => undefined,
    onNotice: (topic) => notices.push({ instance: id, topic }),
  });
  memberships.push(membership);
  return membership;
}

function state(monitorId: string, seq: number): MonitorRuntimeState {
  return { monitorId, location: 'local', state: 'healthy', consecutiveFailures: 0, seq, lastCheckAt: 1000 + seq };
}

beforeAll(async () => {
  store = new PostgresStore(POSTGRES_URL, { schema: SCHEMA, poolSize: 4 });
  await store.migrate();
});

afterAll(async () => {
  for (const membership of memberships) await membership.leave().catch(() => undefined);
  await store.close();
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  await client.end();
});

describe('monitor leases on PostgreSQL', () => {
  it('are claimed by one instance; another gets one only once it is given up, with the next epoch', async () => {
    const a = await join('a-1');
    const b = await join('b-1');
    expect([...(await a.claim(['x', 'y']))]).toEqual([
      ['x', 1],
      ['y', 1],
    ]);
    expect((await b.claim(['x', 'y'])).size).toBe(0);
    expect([...(await a.renew())].sort()).toEqual([
      ['x', 1],
      ['y', 1],
    ]);
    await a.release(['x']);
    expect([...(await b.claim(['x', 'y']))]).toEqual([['x', 2]]);
    expect([...(await a.renew())]).toEqual([['y', 1]]);
  });

  it('fence commits: one under a lease that moved on writes nothing (no result, no state); the owner writes', async () => {
    const a = await join('a-2');
    const b = await join('b-2');
    expect([...(await a.claim(['f']))]).toEqual([['f', 1]]);
    const first = await store.commit([
      { monitorId: 'f', location: 'local', results: [{ monitorId: 'f', at: 1001, status: 'healthy', latencyMs: 3, location: 'local' }], state: state('f', 0), fence: { owner: 'a-2', epoch: 1 } },
    ]);
    expect(first[0]?.status).toBe('applied');
    await a.release(['f']);
    expect([...(await b.claim(['f']))]).toEqual([['f', 2]]);
    const late = await store.commit([
      { monitorId: 'f', location: 'local', results: [{ monitorId: 'f', at: 1002, status: 'unhealthy', latencyMs: 3, location: 'local', error: 'late' }], state: { ...state('f', 0), state: 'unhealthy' }, fence: { owner: 'a-2', epoch: 1 } },
    ]);
    expect(late[0]?.status).toBe('fenced');
    expect((await store.latestResults('f', 10)).map((result) => result.at)).toEqual([1001]);
    expect((await store.runtimeStates('local')).get('f')?.state).toBe('healthy');
    const owner = await store.commit([
      { monitorId: 'f', location: 'local', results: [{ monitorId: 'f', at: 1003, status: 'healthy', latencyMs: 3, location: 'local' }], state: state('f', 0), fence: { owner: 'b-2', epoch: 2 } },
    ]);
    expect(owner[0]?.status).toBe('applied');
    expect((await store.latestResults('f', 10)).map((result) => result.at)).toEqual([1003, 1001]);
  });

  it('free the leases of an instance whose connection is gone at the next heartbeat of another', async () => {
    const a = await join('a-3');
    const b = await join('b-3');
    await a.claim(['d1', 'd2']);
    expect((await b.heartbeat()).filter((id) => id.endsWith('-3'))).toEqual(['a-3', 'b-3']);
    await a.leave();
    // Left politely: given up at once. A crash (the connection closed without a word) is the same to the others.
    expect((await b.heartbeat()).filter((id) => id.endsWith('-3'))).toEqual(['b-3']);
    expect([...(await b.claim(['d1', 'd2']))].map(([id]) => id).sort()).toEqual(['d1', 'd2']);

    const c = await join('c-3');
    await c.claim(['d3']);
    // Its connection killed from the server side, as when its process dies.
    const admin = new pg.Client({ connectionString: POSTGRES_URL });
    await admin.connect();
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'vigil serve test c-3'`);
    await admin.end();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await b.heartbeat()).not.toContain('c-3');
    expect([...(await b.claim(['d3']))]).toEqual([['d3', 2]]);
  });

  it('find orphans: monitors nobody has held for the grace time', async () => {
    const a = await join('a-4');
    expect(await a.orphans(['o1', 'o2'], 200)).toEqual([]);
    await a.claim(['o2']);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await a.orphans(['o1', 'o2'], 200)).toEqual(['o1']);
  });

  it('hand forwarded pings to the owner once, in order, and tell the others', async () => {
    const a = await join('a-5');
    const b = await join('b-5');
    for (const n of [1, 2, 3]) await b.forwardPing({ monitorId: 'hb', key: 'k', ping: { action: 'success', n }, at: n });
    const taken: unknown[] = [];
    expect(await a.drainPings(['hb'], async (ping) => void taken.push(ping.ping))).toBe(3);
    expect(taken).toEqual([
      { action: 'success', n: 1 },
      { action: 'success', n: 2 },
      { action: 'success', n: 3 },
    ]);
    expect(await a.drainPings(['hb'], async () => undefined)).toBe(0);
    await b.notify('monitors');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(notices).toContainEqual({ instance: 'a-5', topic: 'pings' });
    expect(notices).toContainEqual({ instance: 'a-5', topic: 'monitors' });
    expect(notices.filter((notice) => notice.instance === 'b-5' && notice.topic === 'monitors')).toEqual([]);
  });

  it('spread monitors over instances by rendezvous hashing, moving few when one joins', () => {
    const ids = Array.from({ length: 3000 }, (_, i) => `monitor-${i}`);
    const two = ids.map((id) => preferredInstance(id, ['i1', 'i2']));
    const three = ids.map((id) => preferredInstance(id, ['i1', 'i2', 'i3']));
    const share = (list: string[], instance: string) => list.filter((owner) => owner === instance).length / list.length;
    for (const instance of ['i1', 'i2', 'i3']) expect(share(three, instance)).toBeGreaterThan(0.28);
    // Only monitors that go to the new instance move.
    expect(ids.filter((_, i) => three[i] !== two[i] && three[i] !== 'i3')).toEqual([]);
  });
});
