/**
 * A database written by the first schema version (before one transaction per state step), and what migrating it
 * must keep and repair. Both backends take the same statements, with their table prefix.
 */
import { expect } from 'vitest';
import type { Store } from '../../src/store/store.js';

export const V1_T0 = Date.UTC(2024, 0, 1);

/** Statements that fill a version-1 database: `p` prefixes table names (`"schema".` on PostgreSQL). */
export function v1Data(p: string): string[] {
  return [
    `INSERT INTO ${p}series (key, monitor_id) VALUES (1, 'api'), (2, 'web'), (3, 'admin')`,
    `INSERT INTO ${p}labels (id, value) VALUES (1, 'local')`,
    // api: down (incident 1, referenced by its state), then up again with an incident nobody closed (incident 2).
    `INSERT INTO ${p}results (monitor_key, at, location_key, status, latency) VALUES
       (1, ${V1_T0}, 1, 2, 10), (1, ${V1_T0 + 60_000}, 1, 0, 12), (1, ${V1_T0 + 120_000}, 1, 0, 11),
       (2, ${V1_T0}, 1, 2, 10)`,
    `INSERT INTO ${p}incidents (id, monitor_id, status, started_at, ended_at, cause) VALUES
       (1, 'web', 'unhealthy', ${V1_T0}, NULL, 'refused'),
       (2, 'api', 'unhealthy', ${V1_T0}, NULL, 'timeout')`,
    `INSERT INTO ${p}runtime_states (monitor_id, state, consecutive_failures, last_check_at, open_incident_id) VALUES
       ('web', 'unhealthy', 1, ${V1_T0}, 1),
       ('api', 'healthy', 0, ${V1_T0 + 120_000}, NULL),
       ('admin', 'paused', 0, ${V1_T0 - 1000}, NULL)`,
    `INSERT INTO ${p}tokens (id, name, hash, created_at) VALUES ('tok_old', 'ci', '${'e'.repeat(64)}', ${V1_T0})`,
  ];
}

/** After migrating `v1Data`: states kept at `local`, the orphan incident closed, the pause kept, reads work. */
export async function expectMigratedV1(store: Store): Promise<void> {
  const states = await store.runtimeStates('local');
  expect(states.get('web')).toEqual({
    monitorId: 'web',
    location: 'local',
    state: 'unhealthy',
    consecutiveFailures: 1,
    lastCheckAt: V1_T0,
    openIncidentId: 1,
    seq: 0,
  });
  expect(states.get('admin')?.state).toBe('paused');
  const incidents = await store.incidents({ limit: 10 });
  // The incident its state refers to stays open; the one left behind is closed at the first healthy check after it.
  expect(incidents.find((i) => i.id === 1)?.endedAt).toBeUndefined();
  expect(incidents.find((i) => i.id === 2)?.endedAt).toBe(V1_T0 + 60_000);
  // A paused state of the first version was a pause through the API.
  expect(await store.pausedMonitors()).toEqual(['admin']);
  expect(await store.summary('api', V1_T0, V1_T0 + 3_600_000)).toMatchObject({ checks: 3, failures: 1, excused: 0 });
  expect(await store.events({ after: 0, limit: 10 })).toEqual([]);
  // Tokens from before scopes could do everything: they keep that, as admin tokens; the audit log starts empty.
  expect(await store.listTokens()).toEqual([
    { id: 'tok_old', name: 'ci', hash: 'e'.repeat(64), scope: 'admin', createdAt: V1_T0 },
  ]);
  expect(await store.auditLog({ limit: 10 })).toEqual([]);
  // Status page incidents start empty, and a draft of an incident from before can be written.
  expect(await store.statusIncidents({ limit: 10 })).toEqual([]);
  const drafted = await store.createStatusIncident({
    title: 'web is down',
    status: 'investigating',
    impact: 'major',
    monitors: [{ id: 'web', impact: 'major' }],
    published: false,
    message: '',
    author: 'vigil',
    at: V1_T0 + 1,
    sourceIncidentId: 1,
  });
  expect(drafted).toMatchObject({ id: 1, sourceIncidentId: 1, updates: [{ status: 'investigating', author: 'vigil' }] });
  expect(await store.statusIncidentBySource(1)).toEqual(drafted);
  // Maintenance windows scheduled through the API start empty, and one can be written.
  expect(await store.maintenanceWindows()).toEqual([]);
  const window = { title: 'Upgrade', startsAt: V1_T0, endsAt: V1_T0 + 60_000, monitors: ['web'], groups: [], createdAt: V1_T0, author: 'ops' };
  expect(await store.createMaintenance(window)).toEqual({ id: 1, ...window });
  // The heartbeat ping log starts empty, and a ping can be recorded.
  expect(await store.recentPings('web', 10)).toEqual([]);
  const ping = await store.recordPing({ monitorId: 'web', at: V1_T0, kind: 'success', method: 'GET' }, 100);
  expect(await store.recentPings('web', 10)).toEqual([ping]);
  // The next change numbers from 1.
  const [first] = await store.commit([
    {
      monitorId: 'web',
      location: 'local',
      results: [],
      state: { monitorId: 'web', location: 'local', state: 'healthy', consecutiveFailures: 0, seq: 1 },
      step: { at: V1_T0 + 1, change: { seq: 1, from: 'unhealthy', to: 'healthy', at: V1_T0 + 1 }, closeIncidentId: 1 },
    },
  ]);
  expect(first?.status).toBe('applied');
}
