/** Input checks and row ↔ record conversions shared by both backends for the small tables. */
import type { Incident, MonitorRuntimeState } from '../model.js';
import type { StoredMonitor, StoredToken } from './store.js';

export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 0) throw new RangeError(`limit must be a whole number ≥ 0, got ${limit}`);
  return limit;
}

export function checkRange(from: number, to: number): void {
  if (!Number.isFinite(from) || !Number.isFinite(to)) {
    throw new RangeError(`a time range needs two epoch-millisecond times, got [${from}, ${to})`);
  }
}

export function checkIncident(incident: Omit<Incident, 'id' | 'endedAt'>): void {
  if (incident.status !== 'unhealthy' && incident.status !== 'degraded') {
    throw new TypeError(`an incident's status is unhealthy or degraded, got ${JSON.stringify(incident.status)}`);
  }
  if (!Number.isFinite(incident.startedAt)) throw new RangeError(`incident start must be epoch milliseconds`);
}

export function definitionJson(monitor: StoredMonitor): string {
  const json = JSON.stringify(monitor.definition);
  if (json === undefined) throw new TypeError(`monitor ${monitor.id}: the definition must be JSON`);
  return json;
}

const optional = (value: number | string | null | undefined) => (value === null ? undefined : value);

export interface IncidentRow {
  id: number;
  monitorId: string;
  status: string;
  startedAt: number;
  endedAt: number | null;
  cause: string | null;
}

export function incidentFrom(row: IncidentRow): Incident {
  const incident: Incident = {
    id: Number(row.id),
    monitorId: row.monitorId,
    status: row.status as Incident['status'],
    startedAt: Number(row.startedAt),
  };
  if (row.endedAt !== null) incident.endedAt = Number(row.endedAt);
  if (row.cause !== null) incident.cause = row.cause;
  return incident;
}

export interface RuntimeStateRow {
  monitorId: string;
  state: string;
  consecutiveFailures: number;
  lastCheckAt: number | null;
  openIncidentId: number | null;
}

export function runtimeStateFrom(row: RuntimeStateRow): MonitorRuntimeState {
  const state: MonitorRuntimeState = {
    monitorId: row.monitorId,
    state: row.state as MonitorRuntimeState['state'],
    consecutiveFailures: Number(row.consecutiveFailures),
  };
  if (row.lastCheckAt !== null) state.lastCheckAt = Number(row.lastCheckAt);
  if (row.openIncidentId !== null) state.openIncidentId = Number(row.openIncidentId);
  return state;
}

export interface TokenRow {
  id: string;
  name: string;
  hash: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export function tokenFrom(row: TokenRow): StoredToken {
  const token: StoredToken = { id: row.id, name: row.name, hash: row.hash, createdAt: Number(row.createdAt) };
  const lastUsedAt = optional(row.lastUsedAt);
  if (lastUsedAt !== undefined) token.lastUsedAt = Number(lastUsedAt);
  return token;
}

export interface MonitorRow {
  id: string;
  definition: string;
  createdAt: number;
  updatedAt: number;
}

export function monitorFrom(row: MonitorRow): StoredMonitor {
  return {
    id: row.id,
    definition: JSON.parse(row.definition) as unknown,
    createdAt: Number(row.createdAt),
    updatedAt: Number(row.updatedAt),
  };
}
