import type { CheckResult, Incident, MonitorRuntimeState, StateChangeEvent, UptimeSummary } from '../model.js';
import type { IncidentStatus, PendingChange } from '../pipeline/state-machine.js';
import type { ClusterStore } from '../cluster/cluster-store.js';
import { DAY_MS } from './time.js';

/** How long each resolution is kept (milliseconds). */
export interface Retention {
  rawMs: number;
  hourlyMs: number;
  dailyMs: number;
}

/** 7 days of raw results, 90 days of hourly and 2 years of daily rollups. */
export const DEFAULT_RETENTION: Readonly<Retention> = Object.freeze({
  rawMs: 7 * DAY_MS,
  hourlyMs: 90 * DAY_MS,
  dailyMs: 730 * DAY_MS,
});

/** The `retention` section of a loaded configuration (durations in milliseconds) as a `Retention`. */
export function retentionFromConfig(retention: { raw: number; hourly: number; daily: number }): Retention {
  return { rawMs: retention.raw, hourlyMs: retention.hourly, dailyMs: retention.daily };
}

/**
 * What a token may do, each including the ones before it: `read` (private monitors, results, events), `write`
 * (create, change, delete, pause monitors), `admin` (the audit log, and everything else). `agent` stands apart: it
 * may only fetch an agent's monitors and send its results (api/tokens.ts `scopeIncludes`).
 */
export const TOKEN_SCOPES = ['read', 'write', 'admin', 'agent'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

/** An API token as stored: only a hash of the secret. */
export interface StoredToken {
  id: string;
  name: string;
  /** SHA-256 of the token, hex. */
  hash: string;
  scope: TokenScope;
  createdAt: number;
  lastUsedAt?: number;
}

/** Who made a change: a token (through the API), or the command line. */
export interface Actor {
  tokenId?: string;
  /** The token's name, or `cli`. */
  name: string;
}

export const AUDIT_ACTIONS = [
  'monitor.create',
  'monitor.update',
  'monitor.delete',
  'monitor.pause',
  'monitor.resume',
  /** A check run at once through the API (`POST /api/v1/monitors/{id}/check`): nothing stored changed. */
  'monitor.check',
  'token.create',
  'token.revoke',
  'incident.acknowledge',
  'status_incident.create',
  'status_incident.update',
  'status_incident.delete',
  'maintenance.create',
  'maintenance.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

/** One change, as the audit log keeps it; `before` and `after` hold no secret (redacted before they are stored). */
export interface AuditEntry {
  id: number;
  at: number;
  actor: Actor;
  action: AuditAction;
  /** The monitor changed, or the token created or revoked. */
  subject: string;
  before?: unknown;
  after?: unknown;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

/** A monitor created through the API (config-file monitors are never stored here). */
export interface StoredMonitor {
  id: string;
  /** The monitor's configuration as validated JSON (the same shape as a config-file entry). */
  definition: unknown;
  createdAt: number;
  updatedAt: number;
}

/**
 * A summary as the store computes it. Latency figures cover the checks that were not `unhealthy` (a refused or
 * timed-out check has no meaningful response time).
 */
export interface StoreSummary extends UptimeSummary {
  /** Checks whose status was `degraded` (they count as up). */
  degraded: number;
  /** Failed checks that were not downtime: their monitor was pending (retries left) or in maintenance. */
  excused: number;
  /**
   * True when every figure comes from raw results; false when rollups contributed, in which case the p95 is the
   * sketch's estimate (within `SKETCH_RELATIVE_ERROR` of the exact value) while counts and average stay exact.
   */
  exact: boolean;
}

/** What `migrate` did: the schema version before and after (equal when there was nothing to do). */
export interface MigrationReport {
  from: number;
  to: number;
}

/** What one `maintain` run did. */
export interface MaintenanceReport {
  /** False when another process was already maintaining this store (PostgreSQL); nothing was done. */
  ran: boolean;
  /** Hours newly folded into hourly rollups (for every monitor). */
  hoursRolledUp: number;
  /** Days newly folded into daily rollups. */
  daysRolledUp: number;
  /** (monitor, hour) rollups recomputed because results arrived after their hour had been rolled up. */
  lateHoursRecomputed: number;
  /** Rows deleted because retention no longer keeps them. */
  deleted: { results: number; hourly: number; daily: number; incidents: number; events: number };
}

/**
 * What one commit writes for one monitor at one location: the results taken since its last commit, the state
 * after them, and — when the last of them changed the state or an incident — that step. See `Store.commit`.
 */
export interface MonitorCommit {
  monitorId: string;
  location: string;
  /** Oldest first; the last one may be the one that caused `step`. */
  results: readonly CheckResult[];
  /** The monitor's state after them (an incident `step` opens gets its id from the store). */
  state: MonitorRuntimeState;
  step?: CommitStep;
  /**
   * The lease the commit was made under (several instances on one PostgreSQL): nothing of it — results, state,
   * step — is written unless the monitor's lease still has this owner and epoch (`fenced` otherwise). An instance
   * that lost its lease (paused, partitioned) cannot write over the new owner.
   */
  fence?: CommitFence;
}

/** A monitor's lease as a commit names it: the instance that holds it, and the epoch it was claimed at. */
export interface CommitFence {
  owner: string;
  epoch: number;
}

/** A step that changed a monitor's state or incidents, written with its result in the same transaction. */
export interface CommitStep {
  /** When it happened: the change's time, and when incidents it closes end and it opens start. */
  at: number;
  /** The state change, recorded as an event with its sequence number. */
  change?: PendingChange;
  /** The `at` of the result that caused it (one of `results`), recorded with the event. */
  resultAt?: number;
  closeIncidentId?: number;
  openIncident?: { status: IncidentStatus; cause?: string };
  /** The notifications the step makes, one per channel: written to the outbox with it (once per key). */
  notifications?: readonly NewNotification[];
}

export const DELIVERY_STATUSES = ['pending', 'delivered', 'dead', 'suppressed'] as const;
/**
 * `pending` until delivered, or `dead` when it failed for good (a permanent failure, or past its deadline);
 * `suppressed`: never sent, because a monitor it depends on was down (`lastError` says which).
 */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A notification for one channel, as the check pipeline writes it to the outbox. */
export interface NewNotification {
  /** Unique: monitor, location, alert number and channel. A second write of the same key is ignored. */
  idempotencyKey: string;
  monitorId: string;
  location: string;
  /** The monitor's alert number it carries (`AlertProgress.seq`). */
  alertSeq: number;
  channel: string;
  kind: string;
  /** The notification itself (notify/notifier.ts `Notification`), as JSON. */
  payload: unknown;
  createdAt: number;
  /** Held back, not sent: the monitor it depends on that was down. */
  suppressedBy?: string;
}

/** A notification claimed by a dispatcher: it may send it until `leaseUntil`, as attempt number `attempt`. */
export interface ClaimedNotification extends NewNotification {
  id: number;
  attempt: number;
  leaseUntil: number;
}

/** One try at sending, as kept with its notification. */
export interface DeliveryAttempt {
  attempt: number;
  at: number;
  outcome: 'delivered' | 'transient' | 'permanent';
  status?: number;
  error?: string;
  response?: string;
  durationMs: number;
}

/** What happens to a notification after an attempt. */
export type DeliveryNext = { status: 'delivered' } | { status: 'pending'; nextAttemptAt: number } | { status: 'dead' };

/** A notification as the outbox keeps it, with its attempts (oldest first). */
export interface StoredNotification extends NewNotification {
  id: number;
  status: DeliveryStatus;
  attempts: DeliveryAttempt[];
  nextAttemptAt: number;
  lastError?: string;
  finishedAt?: number;
}

/**
 * How a commit went for one monitor:
 * - `applied`: written;
 * - `replayed`: its change was already stored (a commit retried after an unclear failure): nothing written twice;
 * - `conflict`: the stored state is not the one the commit followed (another writer): nothing written for it;
 * - `fenced`: the commit's lease is no longer held (another instance owns the monitor): nothing written for it.
 */
export type CommitResult =
  | { status: 'applied'; state: MonitorRuntimeState; event?: StateChangeEvent }
  | { status: 'replayed' | 'conflict' | 'fenced'; state: MonitorRuntimeState | undefined };

// ------------------------------------------------------------------------------------------ status page incidents

/**
 * Incidents as status pages show them, written by people (or drafted by Vigil from a public monitor's state
 * change): a title, a lifecycle, updates with their time and text, the monitors affected and how. Not the
 * monitor's own incidents (`Incident`: periods a monitor was down), which the check pipeline records.
 */
export const STATUS_INCIDENT_STATES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type StatusIncidentState = (typeof STATUS_INCIDENT_STATES)[number];

/** The incident's overall impact, as the hosted status-page API names it. */
export const STATUS_IMPACTS = ['none', 'minor', 'major', 'critical'] as const;
export type StatusImpact = (typeof STATUS_IMPACTS)[number];

/** How a monitor is affected (its state on the page while the incident is open). */
export const MONITOR_IMPACTS = ['degraded', 'partial', 'major', 'maintenance'] as const;
export type MonitorImpact = (typeof MONITOR_IMPACTS)[number];

export interface StatusIncidentUpdate {
  id: number;
  incidentId: number;
  at: number;
  /** The incident's state from this update on. */
  status: StatusIncidentState;
  message: string;
  /** A token's name, `cli`, or `vigil` for what Vigil drafted. */
  author: string;
}

export interface StatusIncident {
  id: number;
  title: string;
  /** The status of its latest update. */
  status: StatusIncidentState;
  impact: StatusImpact;
  monitors: Array<{ id: string; impact: MonitorImpact }>;
  /** Shown on status pages; a draft is not (only through the API, to token holders). */
  published: boolean;
  createdAt: number;
  updatedAt: number;
  /** When it was resolved (its last `resolved` update). */
  resolvedAt?: number;
  /** The monitor incident it was drafted from (one status incident at most per monitor incident). */
  sourceIncidentId?: number;
  /** Oldest first. */
  updates: StatusIncidentUpdate[];
}

export interface NewStatusIncident {
  title: string;
  status: StatusIncidentState;
  impact: StatusImpact;
  monitors: Array<{ id: string; impact: MonitorImpact }>;
  published: boolean;
  /** The first update's text. */
  message: string;
  author: string;
  at: number;
  sourceIncidentId?: number;
}

/** A change to a status incident: an update (status and/or message) and/or new values of its fields. */
export interface StatusIncidentChange {
  at: number;
  author: string;
  /** With `status` or `message`, an update is added (status defaults to the current one). */
  status?: StatusIncidentState;
  message?: string;
  title?: string;
  impact?: StatusImpact;
  monitors?: Array<{ id: string; impact: MonitorImpact }>;
  published?: boolean;
}

// ------------------------------------------------------------------------------------------ scheduled maintenance

/**
 * A maintenance window scheduled through the API: one-off, from `startsAt` to `endsAt`, covering the monitors it
 * names and those of the groups it names. The configuration's windows (`maintenance:`) are never stored.
 */
export interface StoredMaintenance {
  id: number;
  title: string;
  message?: string;
  startsAt: number;
  endsAt: number;
  /** Monitor ids. */
  monitors: string[];
  /** Group names: every monitor of these groups, as they are while the window is open. */
  groups: string[];
  createdAt: number;
  /** A token's name, or `cli`. */
  author: string;
}

export type NewMaintenance = Omit<StoredMaintenance, 'id'>;

// ------------------------------------------------------------------------------------------ heartbeat ping log

/** What a ping did, as its heartbeat's ping log keeps it. */
export const PING_KINDS = ['success', 'fail', 'start', 'log', 'ignored'] as const;

/** One ping as received (the heartbeat's ping log). Times are epoch milliseconds. */
export interface PingRecord {
  monitorId: string;
  at: number;
  /** What it did: a success, a failure, a run start, a log line, or nothing (ignored by a method or keyword filter). */
  kind: 'success' | 'fail' | 'start' | 'log' | 'ignored';
  /** From `/ping/<key>/<exit-status>`. */
  exitStatus?: number;
  /** `?rid=` */
  rid?: string;
  /** GET, HEAD or POST. */
  method: string;
  /** Why an ignored ping was ignored, e.g. "method GET is not counted", "no keyword matched". */
  note?: string;
  userAgent?: string;
  /** The client's address (from X-Forwarded-For only behind a trusted proxy). */
  remoteAddress?: string;
  /**
   * The request body, already truncated to the body limit and sanitized. A NUL character is stored (and read back)
   * as U+FFFD: PostgreSQL text cannot hold it, and both stores keep the same text.
   */
  body?: string;
}

/** A ping as its log keeps it: `id` grows with every ping recorded (the newest has the highest). */
export interface StoredPing extends PingRecord {
  id: number;
}

/** Space used, for benchmarks and diagnostics (counting results scans the table: not for hot paths). */
export interface StoreUsage {
  /** Raw results stored. */
  results: number;
  /** Bytes used by raw results, with their primary key (and index, on PostgreSQL). */
  resultBytes: number;
  /** Bytes used by the whole store (SQLite: the database file without free pages; PostgreSQL: the schema). */
  totalBytes: number;
}

/**
 * Everything the monitor persists, behind one interface with a SQLite and a PostgreSQL implementation; the same
 * test suite runs against both. Methods that write are safe to call concurrently; `appendResults` writes one
 * batch in one transaction. Open one with `openStore` (./open.ts).
 */
/** The lock that keeps a second `vigil serve` off the same store, held until `release`. */
export interface InstanceLock {
  release(): Promise<void>;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema. Idempotent; safe when several processes start at once. */
  migrate(): Promise<MigrationReport>;
  /** Checks that the store answers and accepts writes (for the server's own /health); throws otherwise. */
  ping(): Promise<void>;
  /**
   * The check pipeline's one write: for every monitor in `commits`, its results, its state, and its step — the
   * incident closed and the one opened, and the state change as an event — in ONE transaction. A monitor's state
   * and step apply only when the stored state is the one the commit follows (its sequence number: `change.seq - 1`
   * for a step with a change, `state.seq` otherwise); its results are stored in any case. Results in `commits` are
   * stored like `appendResults`'. Returns one `CommitResult` per commit, in order.
   */
  commit(commits: readonly MonitorCommit[]): Promise<CommitResult[]>;
  /**
   * Writes results alone in one transaction (imports, tests, benchmarks: the check pipeline writes with `commit`).
   * A result with the same monitor, time and location as a stored one is ignored, so a batch retried after an
   * unclear failure is not counted twice. Latencies and timings are kept to the whole millisecond.
   */
  appendResults(results: readonly CheckResult[]): Promise<void>;
  /** Newest first. */
  latestResults(monitorId: string, limit: number): Promise<CheckResult[]>;
  /**
   * Aggregates over [from, to): raw results where they are kept (exact), hourly then daily rollups beyond. Beyond
   * the raw window, a rollup bucket counts when its start lies in [from, to).
   */
  summary(monitorId: string, from: number, to: number): Promise<StoreSummary>;
  /**
   * Per-day summaries of every UTC day that overlaps [from, to) (for 90-day status bars), keyed by the day's start
   * (epoch ms, UTC midnight); days without checks are absent, and every requested id has a map (empty if no
   * data). One query per resolution (daily rollups, hourly rollups, raw results) for all the monitors. Every
   * figure is exact except the p95 (`exact` is false); `{ p95: false }` leaves the p95 out, which makes the
   * query over the day in progress several times cheaper (uptime bars need no percentile).
   */
  dailySummaries(
    monitorIds: readonly string[],
    from: number,
    to: number,
    options?: { p95?: boolean },
  ): Promise<Map<string, Map<number, StoreSummary>>>;
  /**
   * Per-hour summaries of every UTC hour that overlaps [from, to) (for status pages), keyed by the hour's start
   * (epoch ms); hours without checks are absent, and every requested id has a map (empty if no data). Hourly
   * rollups where hours are rolled up, raw results beyond (the hour in progress, and hours not rolled up yet);
   * hours older than hourly retention are absent. One query per resolution for all the monitors. Every figure is
   * exact except the p95 (`exact` is false); `{ p95: false }` leaves the p95 out, which makes the query over raw
   * results cheaper.
   */
  hourlySummaries(
    monitorIds: readonly string[],
    from: number,
    to: number,
    options?: { p95?: boolean },
  ): Promise<Map<string, Map<number, StoreSummary>>>;

  /** Newest (by start) first; all monitors when `monitorId` is undefined. */
  incidents(options: { monitorId?: string; limit: number }): Promise<Incident[]>;

  /**
   * The incidents that overlap [from, to) — started before `to`, and still open or ended after `from` — of the
   * given monitors (all when `monitorIds` is undefined), oldest start first. One query, however many monitors.
   */
  incidentsOverlapping(options: { from: number; to: number; monitorIds?: readonly string[] }): Promise<Incident[]>;

  /** One incident, by id. */
  incident(id: number): Promise<Incident | undefined>;

  /** Marks an open incident acknowledged (with its audit entry); false when it has ended or was acknowledged before. */
  acknowledgeIncident(id: number, acknowledged: { at: number; by: string }, audit?: NewAuditEntry): Promise<boolean>;

  /** The committed state of every monitor at `location`, by monitor id. */
  runtimeStates(location: string): Promise<Map<string, MonitorRuntimeState>>;

  /** State changes after the cursor `after` (0: from the first kept), oldest first; of one monitor when given. */
  events(options: { after: number; limit: number; monitorId?: string }): Promise<StateChangeEvent[]>;
  /** The cursor of the newest state change (0 when there is none). */
  lastEventId(): Promise<number>;

  /**
   * Takes the store for this process: a second `vigil serve` on the same store is refused with a message that says
   * so (PostgreSQL: an advisory lock on a connection held for the purpose; SQLite: an exclusive lock on a file next
   * to the database). `onLost` is called if the lock goes away (the connection broke): another instance may start.
   */
  lockInstance(onLost: (error: Error) => void): Promise<InstanceLock>;

  /**
   * Where several `vigil serve` instances share this store (PostgreSQL): membership, monitor leases and
   * notifications between instances (cluster/cluster-store.ts). Undefined for a store one process owns (SQLite).
   */
  readonly cluster?: ClusterStore;

  /**
   * Folds raw results into hourly rollups (each hour once it ended and settled) and hourly into daily rollups
   * (each UTC day once all its hours are rolled up), recomputes rollups of hours that received late results, and
   * deletes what retention no longer keeps (in bounded batches; ended incidents and state changes follow daily
   * retention).
   * Idempotent: running it again, concurrently, or after a crash never counts a result twice. Call it every few
   * minutes with the current time.
   */
  maintain(now: number, retention: Retention): Promise<MaintenanceReport>;

  /** Stores a token (and, in the same transaction, the audit entry of its creation). */
  createToken(token: StoredToken, audit?: NewAuditEntry): Promise<void>;
  findTokenByHash(hash: string): Promise<StoredToken | undefined>;
  touchToken(id: string, at: number): Promise<void>;
  /** Oldest first. */
  listTokens(): Promise<StoredToken[]>;
  deleteToken(id: string, audit?: NewAuditEntry): Promise<boolean>;

  /** Records an action that changes nothing stored (a check run at once): its audit entry alone. */
  appendAudit(entry: NewAuditEntry): Promise<void>;
    /** The audit log, newest first, before the entry `before` (all when undefined); one subject's when given. */
  auditLog(options: { before?: number; limit: number; subject?: string }): Promise<AuditEntry[]>;

  /**
   * Claims pending notifications that are due and not leased, oldest first, at most one per monitor, location and
   * channel at a time (a resolve never overtakes its trigger): each gets the next attempt number and a lease until
   * `now + leaseMs`. On PostgreSQL several dispatchers may claim at once (`FOR UPDATE SKIP LOCKED`).
   */
  claimNotifications(options: { now: number; leaseMs: number; limit: number }): Promise<ClaimedNotification[]>;

  /**
   * Records an attempt and what follows it, if the claim is still the latest for its notification (a dispatcher
   * whose lease ran out and whose notification was claimed again is fenced out: false).
   */
  finishNotification(claim: { id: number; attempt: number }, attempt: DeliveryAttempt, next: DeliveryNext): Promise<boolean>;

  /** Gives a claim back without an attempt (rate-limited before sending): due again at `nextAttemptAt`. */
  releaseNotification(claim: { id: number; attempt: number }, nextAttemptAt: number): Promise<boolean>;

  /** Notifications, newest first, before the id `before`; one monitor's, or one status's, when given. */
  notifications(options: { limit: number; before?: number; monitorId?: string; status?: DeliveryStatus }): Promise<StoredNotification[]>;

  /** Pending notifications: how many, and when the oldest was made. */
  notificationBacklog(): Promise<{ pending: number; oldestCreatedAt?: number }>;

  /**
   * Creates a status incident with its first update (and its audit entry) in one transaction. With a
   * `sourceIncidentId` that already has one, nothing is created and that one is returned (drafting is idempotent).
   */
  createStatusIncident(incident: NewStatusIncident, audit?: NewAuditEntry): Promise<StatusIncident>;
  /**
   * Applies a change in one transaction: new field values, and an update when `status` or `message` is given
   * (`resolved` sets `resolvedAt`; another status after it clears it). Undefined when there is no such incident.
   */
  updateStatusIncident(id: number, change: StatusIncidentChange, audit?: NewAuditEntry): Promise<StatusIncident | undefined>;
  /** One status incident with its updates. */
  statusIncident(id: number): Promise<StatusIncident | undefined>;
  /** The status incident drafted from a monitor incident, if any. */
  statusIncidentBySource(sourceIncidentId: number): Promise<StatusIncident | undefined>;
  /**
   * Status incidents with their updates, newest (by creation) first, in two queries whatever their number: those
   * open or resolved at or after `since` (all when undefined), created before the id `before`; published ones only
   * with `publishedOnly`.
   */
  statusIncidents(options: { limit: number; since?: number; before?: number; publishedOnly?: boolean }): Promise<StatusIncident[]>;
  /** Deletes a status incident and its updates; false when there is none. */
  deleteStatusIncident(id: number, audit?: NewAuditEntry): Promise<boolean>;

  /** Stores a maintenance window scheduled through the API (and its audit entry) in one transaction. */
  createMaintenance(window: NewMaintenance, audit?: NewAuditEntry): Promise<StoredMaintenance>;
  /** Maintenance windows scheduled through the API that end after `endsAfter` (all when undefined), by start, then id. */
  maintenanceWindows(options?: { endsAfter?: number }): Promise<StoredMaintenance[]>;
  /** Deletes a maintenance window (with its audit entry); false when there is none. */
  deleteMaintenance(id: number, audit?: NewAuditEntry): Promise<boolean>;

  /** Monitors paused through the API (a runtime setting of either source, kept across restarts). */
  pausedMonitors(): Promise<string[]>;
  /** Records a pause through the API at `at`, or (with `undefined`) its end; with its audit entry. */
  setPaused(monitorId: string, at: number | undefined, audit?: NewAuditEntry): Promise<void>;

  /** Ordered by id. */
  listMonitors(): Promise<StoredMonitor[]>;
  /** Inserts or updates; an update keeps the first `createdAt`. With its audit entry, in one transaction. */
  saveMonitor(monitor: StoredMonitor, audit?: NewAuditEntry): Promise<void>;
  /**
   * Deletes the definition and, in the same transaction, the monitor's ping log; its results stay until retention
   * removes them. False (and nothing deleted) when there is no such API monitor.
   */
  deleteMonitor(id: string, audit?: NewAuditEntry): Promise<boolean>;

  /**
   * Adds a ping to its heartbeat's log and, in the same transaction, deletes that monitor's pings older than its
   * `keep` newest (at least 1): at most `keep` are kept per heartbeat. Several writers may record pings of the same
   * monitor at once (PostgreSQL): none fails or waits for another's prune; racing, they may leave a few more than
   * `keep`, which the next ping prunes. Returns the ping as stored, with its id.
   */
  recordPing(ping: PingRecord, keep: number): Promise<StoredPing>;
  /** A heartbeat's pings, newest (highest id) first, with ids below `before` (a page's last id; all when undefined). */
  recentPings(monitorId: string, limit: number, before?: number): Promise<StoredPing[]>;

  /** Space used (scans the results table). */
  usage(): Promise<StoreUsage>;

  /** Closes the database (SQLite) or the pool (PostgreSQL). Idempotent. */
  close(): Promise<void>;
}
