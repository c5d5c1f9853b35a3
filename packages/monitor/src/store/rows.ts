/** Input checks and row ↔ record conversions shared by both backends for the small tables. */
import type { Incident, MonitorRuntimeState, MonitorState, StateChangeEvent } from '../model.js';
import type { PendingChange } from '../pipeline/state-machine.js';
import {
  type AuditEntry,
  type ClaimedNotification,
  type CommitStep,
  type DeliveryAttempt,
  type DeliveryNext,
  type DeliveryStatus,
  MONITOR_IMPACTS,
  type MonitorCommit,
  type NewAuditEntry,
  type NewMaintenance,
  type NewNotification,
  type NewStatusIncident,
  STATUS_IMPACTS,
  STATUS_INCIDENT_STATES,
  type StatusIncident,
  type StatusIncidentChange,
  type StatusIncidentState,
  type StatusIncidentUpdate,
  type StoredMaintenance,
  type StoredMonitor,
  type StoredNotification,
  type StoredToken,
  type TokenScope,
} from './store.js';

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
  acknowledgedAt?: number | null;
  acknowledgedBy?: string | null;
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
  if (row.acknowledgedAt !== null && row.acknowledgedAt !== undefined) {
    incident.acknowledged = { at: Number(row.acknowledgedAt), by: row.acknowledgedBy ?? '' };
  }
  return incident;
}

/** The columns of `incidents` as an `IncidentRow`. */
export const INCIDENT_COLUMNS =
  'id, monitor_id AS "monitorId", status, started_at AS "startedAt", ended_at AS "endedAt", cause, acknowledged_at AS "acknowledgedAt", acknowledged_by AS "acknowledgedBy"';

/** The columns of `runtime_states` as a `RuntimeStateRow` (quoted aliases: both SQLite and PostgreSQL keep them). */
export const STATE_COLUMNS =
  'monitor_id AS "monitorId", location, state, consecutive_failures AS "consecutiveFailures", last_check_at AS "lastCheckAt", open_incident_id AS "openIncidentId", seq, since, alert_seq AS "alertSeq", alert_bad AS "alertBad", alert_good AS "alertGood", alert_trigger AS "alertTrigger", alert_since AS "alertSince", alert_notified_at AS "alertNotifiedAt", alert_held AS "alertHeld", alert_acked_at AS "alertAckedAt", alert_acked_by AS "alertAckedBy", alert_escalated AS "alertEscalated", alert_cert_expires_at AS "alertCertExpiresAt", alert_cert_days AS "alertCertDays"';

export interface RuntimeStateRow {
  monitorId: string;
  location: string;
  state: string;
  consecutiveFailures: number;
  lastCheckAt: number | null;
  openIncidentId: number | null;
  seq: number;
  since: number | null;
  alertSeq: number | null;
  alertBad: number | null;
  alertGood: number | null;
  alertTrigger: number | null;
  alertSince: number | null;
  alertNotifiedAt: number | null;
  alertHeld: string | null;
  alertAckedAt: number | null;
  alertAckedBy: string | null;
  alertEscalated: number | null;
  alertCertExpiresAt: number | null;
  alertCertDays: number | null;
}

export function runtimeStateFrom(row: RuntimeStateRow): MonitorRuntimeState {
  const state: MonitorRuntimeState = {
    monitorId: row.monitorId,
    location: row.location,
    state: row.state as MonitorState,
    consecutiveFailures: Number(row.consecutiveFailures),
    seq: Number(row.seq),
  };
  if (row.lastCheckAt !== null) state.lastCheckAt = Number(row.lastCheckAt);
  if (row.openIncidentId !== null) state.openIncidentId = Number(row.openIncidentId);
  if (row.since !== null) state.since = Number(row.since);
  if (row.alertSeq !== null && row.alertSeq !== undefined) {
    state.alert = { seq: Number(row.alertSeq), bad: Number(row.alertBad ?? 0), good: Number(row.alertGood ?? 0) };
    if (row.alertTrigger !== null && row.alertSince !== null && row.alertNotifiedAt !== null) {
      state.alert.open = {
        trigger: Number(row.alertTrigger),
        since: Number(row.alertSince),
        notifiedAt: Number(row.alertNotifiedAt),
        ...(row.alertAckedAt !== null && row.alertAckedAt !== undefined
          ? { acknowledged: { at: Number(row.alertAckedAt), by: row.alertAckedBy ?? '' } }
          : {}),
        ...(Number(row.alertEscalated ?? 0) === 1 ? { escalated: true } : {}),
      };
    }
    if (row.alertHeld !== null && row.alertHeld !== undefined) state.alert.held = row.alertHeld;
    if (row.alertCertExpiresAt !== null && row.alertCertExpiresAt !== undefined) {
      state.alert.certificate = { expiresAt: Number(row.alertCertExpiresAt), days: Number(row.alertCertDays ?? 0) };
    }
  }
  return state;
}

/** The columns `stateValues` fills, in its order. */
export const STATE_INSERT_COLUMNS =
  'monitor_id, location, state, consecutive_failures, last_check_at, open_incident_id, seq, since, alert_seq, alert_bad, alert_good, alert_trigger, alert_since, alert_notified_at, alert_held, alert_acked_at, alert_acked_by, alert_escalated, alert_cert_expires_at, alert_cert_days';

/** Their PostgreSQL types, for `unnest` of a batch. */
export const STATE_COLUMN_TYPES = ['text', 'text', 'text', 'integer', 'bigint', 'integer', 'integer', 'bigint', 'integer', 'integer', 'integer', 'integer', 'bigint', 'bigint', 'text', 'bigint', 'text', 'integer', 'bigint', 'integer'];

/** `SET` of an upsert of a state: every column but the key, from the row proposed. */
export const STATE_UPDATE_SET = STATE_INSERT_COLUMNS.split(', ')
  .slice(2)
  .map((column) => `${column} = excluded.${column}`)
  .join(', ');

export function stateValues(state: MonitorRuntimeState): Array<string | number | null> {
  const alert = state.alert;
  return [
    state.monitorId,
    state.location,
    state.state,
    state.consecutiveFailures,
    state.lastCheckAt ?? null,
    state.openIncidentId ?? null,
    state.seq,
    state.since ?? null,
    alert?.seq ?? null,
    alert?.bad ?? null,
    alert?.good ?? null,
    alert?.open?.trigger ?? null,
    alert?.open?.since ?? null,
    alert?.open?.notifiedAt ?? null,
    alert?.held ?? null,
    alert?.open?.acknowledged?.at ?? null,
    alert?.open?.acknowledged?.by ?? null,
    alert?.open === undefined ? null : alert.open.escalated ? 1 : 0,
    alert?.certificate?.expiresAt ?? null,
    alert?.certificate?.days ?? null,
  ];
}

/** The columns an event is written to, and its values in that order. */
export const EVENT_INSERT_COLUMNS = 'monitor_id, location, seq, from_state, to_state, at, reason, result_at, incident_id';

export function eventValues(event: StateChangeEvent): Array<string | number | null> {
  return [
    event.monitorId,
    event.location,
    event.seq,
    event.from,
    event.to,
    event.at,
    event.reason ?? null,
    event.resultAt ?? null,
    event.incidentId ?? null,
  ];
}

/**
 * Whether a commit with a step applies to the stored state: it must follow it (`change.seq - 1`, or the same
 * sequence number for a step without a change). A change already stored is a commit retried after an unclear
 * failure (`replayed`); anything else was written by someone else (`conflict`).
 */
export function stepFollows(commit: MonitorCommit, stored: MonitorRuntimeState | undefined): 'apply' | 'replayed' | 'conflict' {
  const storedSeq = stored?.seq ?? 0;
  const change = commit.step?.change;
  if (storedSeq === (change ? change.seq - 1 : commit.state.seq)) return 'apply';
  return change !== undefined && storedSeq === change.seq ? 'replayed' : 'conflict';
}

/** A state as committed: the incident it opens is set by the store. */
export function withoutIncident(state: MonitorRuntimeState): MonitorRuntimeState {
  const { openIncidentId: _dropped, ...rest } = state;
  return rest;
}

/** The columns of `events` as an `EventRow`. */
export const EVENT_COLUMNS =
  'id, monitor_id AS "monitorId", location, seq, from_state AS "fromState", to_state AS "toState", at, reason, result_at AS "resultAt", incident_id AS "incidentId"';

export interface EventRow {
  id: number;
  monitorId: string;
  location: string;
  seq: number;
  fromState: string;
  toState: string;
  at: number;
  reason: string | null;
  resultAt: number | null;
  incidentId: number | null;
}

export function eventFrom(row: EventRow): StateChangeEvent {
  const event: StateChangeEvent = {
    id: Number(row.id),
    monitorId: row.monitorId,
    location: row.location,
    seq: Number(row.seq),
    from: row.fromState as MonitorState,
    to: row.toState as MonitorState,
    at: Number(row.at),
  };
  if (row.reason !== null) event.reason = row.reason;
  if (row.resultAt !== null) event.resultAt = Number(row.resultAt);
  if (row.incidentId !== null) event.incidentId = Number(row.incidentId);
  return event;
}

/** The event a committed change is stored as (its `id` is set when it is inserted). */
export function eventOf(
  commit: MonitorCommit,
  change: PendingChange,
  step: CommitStep,
  incidentId: number | undefined,
): StateChangeEvent {
  return {
    id: 0,
    monitorId: commit.monitorId,
    location: commit.location,
    seq: change.seq,
    from: change.from,
    to: change.to,
    at: change.at,
    ...(change.reason !== undefined ? { reason: change.reason } : {}),
    ...(step.resultAt !== undefined ? { resultAt: step.resultAt } : {}),
    ...(incidentId !== undefined ? { incidentId } : {}),
  };
}

export interface TokenRow {
  id: string;
  name: string;
  hash: string;
  scope: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export function tokenFrom(row: TokenRow): StoredToken {
  const token: StoredToken = {
    id: row.id,
    name: row.name,
    hash: row.hash,
    scope: row.scope as TokenScope,
    createdAt: Number(row.createdAt),
  };
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

/** The columns of `audit` as an `AuditRow`. */
export const AUDIT_COLUMNS = 'id, at, token_id AS "tokenId", actor, action, subject, before, after';
export const AUDIT_INSERT_COLUMNS = 'at, token_id, actor, action, subject, before, after';

export interface AuditRow {
  id: number;
  at: number;
  tokenId: string | null;
  actor: string;
  action: string;
  subject: string;
  before: string | null;
  after: string | null;
}

export function auditFrom(row: AuditRow): AuditEntry {
  return {
    id: Number(row.id),
    at: Number(row.at),
    actor: { name: row.actor, ...(row.tokenId !== null ? { tokenId: row.tokenId } : {}) },
    action: row.action as AuditEntry['action'],
    subject: row.subject,
    ...(row.before !== null ? { before: JSON.parse(row.before) as unknown } : {}),
    ...(row.after !== null ? { after: JSON.parse(row.after) as unknown } : {}),
  };
}

export function auditValues(entry: NewAuditEntry): Array<string | number | null> {
  return [
    entry.at,
    entry.actor.tokenId ?? null,
    entry.actor.name,
    entry.action,
    entry.subject,
    entry.before === undefined ? null : JSON.stringify(entry.before),
    entry.after === undefined ? null : JSON.stringify(entry.after),
  ];
}

// ------------------------------------------------------------------------------------------------ notifications

/** The columns a new notification is written to, and its values in that order. */
export const NOTIFICATION_INSERT_COLUMNS =
  'idempotency_key, monitor_id, location, alert_seq, channel, kind, payload, created_at, next_attempt_at, status, last_error, finished_at';

export function notificationValues(notification: NewNotification): Array<string | number | null> {
  const suppressed = notification.suppressedBy !== undefined;
  return [
    notification.idempotencyKey,
    notification.monitorId,
    notification.location,
    notification.alertSeq,
    notification.channel,
    notification.kind,
    JSON.stringify(notification.payload),
    notification.createdAt,
    notification.createdAt,
    suppressed ? 'suppressed' : 'pending',
    suppressed ? `suppressed: ${notification.suppressedBy} (a monitor it depends on) was down` : null,
    suppressed ? notification.createdAt : null,
  ];
}

export const NOTIFICATION_COLUMNS =
  'id, idempotency_key AS "idempotencyKey", monitor_id AS "monitorId", location, alert_seq AS "alertSeq", channel, kind, payload, created_at AS "createdAt", status, attempts, next_attempt_at AS "nextAttemptAt", lease_until AS "leaseUntil", last_error AS "lastError", finished_at AS "finishedAt"';

export interface NotificationRow {
  id: number;
  idempotencyKey: string;
  monitorId: string;
  location: string;
  alertSeq: number;
  channel: string;
  kind: string;
  payload: string;
  createdAt: number;
  status: string;
  attempts: number;
  nextAttemptAt: number;
  leaseUntil: number | null;
  lastError: string | null;
  finishedAt: number | null;
}

function newNotificationFrom(row: NotificationRow): NewNotification {
  return {
    idempotencyKey: row.idempotencyKey,
    monitorId: row.monitorId,
    location: row.location,
    alertSeq: Number(row.alertSeq),
    channel: row.channel,
    kind: row.kind,
    payload: JSON.parse(row.payload) as unknown,
    createdAt: Number(row.createdAt),
  };
}

export function claimedFrom(row: NotificationRow): ClaimedNotification {
  return { ...newNotificationFrom(row), id: Number(row.id), attempt: Number(row.attempts), leaseUntil: Number(row.leaseUntil) };
}

export function storedNotificationFrom(row: NotificationRow, attempts: DeliveryAttempt[]): StoredNotification {
  return {
    ...newNotificationFrom(row),
    id: Number(row.id),
    status: row.status as DeliveryStatus,
    attempts,
    nextAttemptAt: Number(row.nextAttemptAt),
    ...(row.lastError === null ? {} : { lastError: row.lastError }),
    ...(row.finishedAt === null ? {} : { finishedAt: Number(row.finishedAt) }),
  };
}

export const ATTEMPT_COLUMNS =
  'outbox_id AS "outboxId", attempt, at, outcome, status, error, response, duration_ms AS "durationMs"';

export interface AttemptRow {
  outboxId: number;
  attempt: number;
  at: number;
  outcome: string;
  status: number | null;
  error: string | null;
  response: string | null;
  durationMs: number;
}

export function attemptFrom(row: AttemptRow): DeliveryAttempt {
  return {
    attempt: Number(row.attempt),
    at: Number(row.at),
    outcome: row.outcome as DeliveryAttempt['outcome'],
    ...(row.status === null ? {} : { status: Number(row.status) }),
    ...(row.error === null ? {} : { error: row.error }),
    ...(row.response === null ? {} : { response: row.response }),
    durationMs: Number(row.durationMs),
  };
}

export const ATTEMPT_INSERT_COLUMNS = 'outbox_id, attempt, at, outcome, status, error, response, duration_ms';

export function attemptValues(id: number, attempt: DeliveryAttempt): Array<string | number | null> {
  return [id, attempt.attempt, attempt.at, attempt.outcome, attempt.status ?? null, attempt.error ?? null, attempt.response ?? null, Math.round(attempt.durationMs)];
}

/** `status, next_attempt_at, finished_at` after an attempt. */
export function nextValues(next: DeliveryNext, at: number): [string, number | null, number | null] {
  if (next.status === 'pending') return ['pending', next.nextAttemptAt, null];
  return [next.status, null, at];
}

/** Due, not leased, and the oldest pending one of its monitor, location and channel. */
export const CLAIMABLE = (table: string, p: (n: number) => string) => `
  o.status = 'pending' AND o.next_attempt_at <= ${p(1)} AND (o.lease_until IS NULL OR o.lease_until <= ${p(1)})
  AND NOT EXISTS (SELECT 1 FROM ${table} e WHERE e.monitor_id = o.monitor_id AND e.location = o.location
                  AND e.channel = o.channel AND e.status = 'pending' AND e.id < o.id)`;

// ------------------------------------------------------------------------------------------ status page incidents

function checkOneOf(value: unknown, allowed: readonly string[], what: string): void {
  if (typeof value !== 'string' || !allowed.includes(value)) {
    throw new TypeError(`${what} is one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
}

function checkTime(at: unknown, what: string): void {
  if (typeof at !== 'number' || !Number.isFinite(at)) throw new RangeError(`${what} must be epoch milliseconds, got ${String(at)}`);
}

/** The affected monitors as stored: `{ id, impact }` each, checked, as JSON. */
function monitorsJson(monitors: StatusIncident['monitors']): string {
  if (!Array.isArray(monitors)) throw new TypeError(`a status incident's monitors are a list`);
  return JSON.stringify(
    monitors.map((monitor) => {
      if (typeof monitor?.id !== 'string') throw new TypeError(`a status incident's monitor needs an id`);
      checkOneOf(monitor.impact, MONITOR_IMPACTS, `monitor ${JSON.stringify(monitor.id)}'s impact`);
      return { id: monitor.id, impact: monitor.impact };
    }),
  );
}

/** A new status incident's values, checked, in `STATUS_INCIDENT_INSERT_COLUMNS` order (`published` as given). */
export function newStatusIncidentValues(incident: NewStatusIncident): [string, string, string, string, boolean, number, number, number | null] {
  checkOneOf(incident.status, STATUS_INCIDENT_STATES, `a status incident's status`);
  checkOneOf(incident.impact, STATUS_IMPACTS, `a status incident's impact`);
  checkTime(incident.at, `a status incident's time`);
  if (incident.sourceIncidentId !== undefined && !Number.isSafeInteger(incident.sourceIncidentId)) {
    throw new TypeError(`a status incident's source incident is an incident id, got ${String(incident.sourceIncidentId)}`);
  }
  return [
    String(incident.title),
    incident.status,
    incident.impact,
    monitorsJson(incident.monitors),
    incident.published === true,
    incident.at,
    incident.at,
    incident.sourceIncidentId ?? null,
  ];
}

export const STATUS_INCIDENT_INSERT_COLUMNS = 'title, status, impact, monitors, published, created_at, updated_at, source_incident_id';
export const STATUS_UPDATE_INSERT_COLUMNS = 'incident_id, at, status, message, author';

/** The columns of `status_incidents` as a `StatusIncidentRow`. */
export const STATUS_INCIDENT_COLUMNS =
  'id, title, status, impact, monitors, published, created_at AS "createdAt", updated_at AS "updatedAt", resolved_at AS "resolvedAt", source_incident_id AS "sourceIncidentId"';

export interface StatusIncidentRow {
  id: number;
  title: string;
  status: string;
  impact: string;
  /** JSON text (SQLite) or already parsed (PostgreSQL jsonb). */
  monitors: string | StatusIncident['monitors'];
  /** 0/1 (SQLite) or a boolean (PostgreSQL). */
  published: number | boolean;
  createdAt: number;
  updatedAt: number;
  resolvedAt: number | null;
  sourceIncidentId: number | null;
}

/** The columns of `status_incident_updates` as a `StatusUpdateRow`. */
export const STATUS_UPDATE_COLUMNS = 'id, incident_id AS "incidentId", at, status, message, author';

export interface StatusUpdateRow {
  id: number;
  incidentId: number;
  at: number;
  status: string;
  message: string;
  author: string;
}

function statusUpdateFrom(row: StatusUpdateRow): StatusIncidentUpdate {
  return {
    id: Number(row.id),
    incidentId: Number(row.incidentId),
    at: Number(row.at),
    status: row.status as StatusIncidentState,
    message: row.message,
    author: row.author,
  };
}

/** Incidents with their updates (`updates` ordered by incident, then oldest first), in the order of `rows`. */
export function statusIncidentsFrom(rows: readonly StatusIncidentRow[], updates: readonly StatusUpdateRow[]): StatusIncident[] {
  const byIncident = new Map<number, StatusIncidentUpdate[]>();
  for (const row of updates) {
    const update = statusUpdateFrom(row);
    const list = byIncident.get(update.incidentId);
    if (list) list.push(update);
    else byIncident.set(update.incidentId, [update]);
  }
  return rows.map((row) => {
    const id = Number(row.id);
    const incident: StatusIncident = {
      id,
      title: row.title,
      status: row.status as StatusIncidentState,
      impact: row.impact as StatusIncident['impact'],
      monitors: (typeof row.monitors === 'string' ? JSON.parse(row.monitors) : row.monitors) as StatusIncident['monitors'],
      published: Boolean(row.published),
      createdAt: Number(row.createdAt),
      updatedAt: Number(row.updatedAt),
      updates: byIncident.get(id) ?? [],
    };
    if (row.resolvedAt !== null) incident.resolvedAt = Number(row.resolvedAt);
    if (row.sourceIncidentId !== null) incident.sourceIncidentId = Number(row.sourceIncidentId);
    return incident;
  });
}

/** What a change makes of a stored incident: its new column values, and the update it adds (if any). */
export interface StatusIncidentWrite {
  title: string;
  status: string;
  impact: string;
  monitors: string;
  published: boolean;
  updatedAt: number;
  resolvedAt: number | null;
  update?: { at: number; status: StatusIncidentState; message: string; author: string };
}

/**
 * Applies a change to the stored row (checked first): given fields replace theirs; with `status` or `message`, an
 * update (status defaulting to the current one, message to '') that sets the incident's status, and `resolvedAt`
 * to its time when it is `resolved` (cleared otherwise); `updatedAt` is the change's time.
 */
export function applyStatusIncidentChange(current: StatusIncidentRow, change: StatusIncidentChange): StatusIncidentWrite {
  checkTime(change.at, `a status incident change's time`);
  if (change.status !== undefined) checkOneOf(change.status, STATUS_INCIDENT_STATES, `a status incident's status`);
  if (change.impact !== undefined) checkOneOf(change.impact, STATUS_IMPACTS, `a status incident's impact`);
  const write: StatusIncidentWrite = {
    title: change.title === undefined ? current.title : String(change.title),
    status: current.status,
    impact: change.impact ?? current.impact,
    monitors:
      change.monitors !== undefined
        ? monitorsJson(change.monitors)
        : typeof current.monitors === 'string'
          ? current.monitors
          : JSON.stringify(current.monitors),
    published: change.published === undefined ? Boolean(current.published) : change.published === true,
    updatedAt: change.at,
    resolvedAt: current.resolvedAt === null ? null : Number(current.resolvedAt),
  };
  if (change.status !== undefined || change.message !== undefined) {
    const status = change.status ?? (current.status as StatusIncidentState);
    write.update = { at: change.at, status, message: change.message ?? '', author: change.author };
    write.status = status;
    write.resolvedAt = status === 'resolved' ? change.at : null;
  }
  return write;
}

// ------------------------------------------------------------------------------------------ scheduled maintenance

/** A list of texts as stored (JSON), checked. */
function textsJson(values: unknown, what: string): string {
  if (!Array.isArray(values) || !values.every((value) => typeof value === 'string')) throw new TypeError(`${what} are a list of texts`);
  return JSON.stringify(values);
}

/** A new maintenance window's values, checked, in `MAINTENANCE_INSERT_COLUMNS` order. */
export function newMaintenanceValues(window: NewMaintenance): [string, string | null, number, number, string, string, number, string] {
  checkTime(window.startsAt, `a maintenance window's start`);
  checkTime(window.endsAt, `a maintenance window's end`);
  checkTime(window.createdAt, `a maintenance window's creation time`);
  if (window.endsAt <= window.startsAt) throw new RangeError(`a maintenance window ends after it starts, got [${window.startsAt}, ${window.endsAt})`);
  if (typeof window.title !== 'string') throw new TypeError(`a maintenance window's title is a text`);
  return [
    window.title,
    window.message === undefined ? null : String(window.message),
    window.startsAt,
    window.endsAt,
    textsJson(window.monitors, `a maintenance window's monitors`),
    textsJson(window.groups, `a maintenance window's groups`),
    window.createdAt,
    String(window.author),
  ];
}

export const MAINTENANCE_INSERT_COLUMNS = 'title, message, starts_at, ends_at, monitors, monitor_groups, created_at, author';

/** The columns of `maintenance_windows` as a `MaintenanceRow`. */
export const MAINTENANCE_COLUMNS =
  'id, title, message, starts_at AS "startsAt", ends_at AS "endsAt", monitors, monitor_groups AS "groups", created_at AS "createdAt", author';

export interface MaintenanceRow {
  id: number;
  title: string;
  message: string | null;
  startsAt: number;
  endsAt: number;
  /** JSON text (SQLite) or already parsed (PostgreSQL jsonb). */
  monitors: string | string[];
  groups: string | string[];
  createdAt: number;
  author: string;
}

export function maintenanceFrom(row: MaintenanceRow): StoredMaintenance {
  const texts = (value: string | string[]) => (typeof value === 'string' ? (JSON.parse(value) as string[]) : value);
  return {
    id: Number(row.id),
    title: row.title,
    ...(row.message === null ? {} : { message: row.message }),
    startsAt: Number(row.startsAt),
    endsAt: Number(row.endsAt),
    monitors: texts(row.monitors),
    groups: texts(row.groups),
    createdAt: Number(row.createdAt),
    author: row.author,
  };
}
