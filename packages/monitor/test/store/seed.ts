/**
 * Incidents and state changes written the way the check pipeline writes them (`Store.commit`), for the tests of
 * what reads them (the API, the feed). Each call is one state change of one monitor at `local`.
 */
import type { Incident, MonitorState } from '../../src/model.js';
import type { Store } from '../../src/store/store.js';

const LOCATION = 'local';

/** Moves the monitor to `to` at `at`, closing its open incident and opening one for unhealthy or degraded. */
export async function seedChange(
  store: Store,
  monitorId: string,
  to: MonitorState,
  at: number,
  reason?: string,
): Promise<{ incidentId?: number; eventId: number }> {
  const before = (await store.runtimeStates(LOCATION)).get(monitorId);
  const seq = (before?.seq ?? 0) + 1;
  const opens = to === 'unhealthy' || to === 'degraded';
  const [result] = await store.commit([
    {
      monitorId,
      location: LOCATION,
      results: [],
      state: { monitorId, location: LOCATION, state: to, consecutiveFailures: to === 'unhealthy' ? 1 : 0, seq, since: at },
      step: {
        at,
        change: { seq, from: before?.state ?? 'new', to, at, ...(reason !== undefined ? { reason } : {}) },
        ...(before?.openIncidentId !== undefined ? { closeIncidentId: before.openIncidentId } : {}),
        ...(opens ? { openIncident: { status: to, ...(reason !== undefined ? { cause: reason } : {}) } } : {}),
      },
    },
  ]);
  if (result?.status !== 'applied' || result.event === undefined) throw new Error(`seeding a change of ${monitorId} failed: ${result?.status}`);
  return { ...(result.state.openIncidentId !== undefined ? { incidentId: result.state.openIncidentId } : {}), eventId: result.event.id };
}

/** An incident from `startedAt` (to `endedAt`, when given): the changes that open and close it. */
export async function seedIncident(
  store: Store,
  incident: Omit<Incident, 'id'>,
): Promise<Incident> {
  const { incidentId } = await seedChange(store, incident.monitorId, incident.status, incident.startedAt, incident.cause);
  if (incident.endedAt !== undefined) await seedChange(store, incident.monitorId, 'healthy', incident.endedAt);
  return { ...incident, id: incidentId! };
}
