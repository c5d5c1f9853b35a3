/**
 * The monitor's runtime records, shared by the scheduler, the check pipeline, the store and the API.
 * Kept free of any storage or HTTP concern.
 */
import type { Status } from '@vigil/core';

/**
 * A monitor's states, listed once (the API's filters, /metrics, the OpenAPI document and the docs read this list).
 * Checks give `healthy | degraded | unhealthy`; the monitor adds `new` (no verdict yet: never checked, or resumed
 * and not checked since), `pending` (failing, retries not used up), `maintenance` and `paused`.
 */
export const MONITOR_STATES = ['new', 'healthy', 'degraded', 'unhealthy', 'pending', 'maintenance', 'paused'] as const;
export type MonitorState = (typeof MONITOR_STATES)[number];

/**
 * The one rule of what counts as downtime: only `unhealthy`. A monitor that is `pending` (retries left),
 * `degraded` (serving, slowly), in `maintenance`, `paused` or `new` is not down. The store's uptime, /metrics, the
 * API and the docs all follow it: a failed check counts as downtime only when it left its monitor unhealthy.
 */
export function isDowntime(state: MonitorState): boolean {
  return state === 'unhealthy';
}

/** Time spent per phase of an HTTP check, in milliseconds (absent phases were not reached or not applicable). */
export interface PhaseTimings {
  dns?: number;
  connect?: number;
  tls?: number;
  firstByte?: number;
  transfer?: number;
}

/** One condition's outcome, in Gatus's output form (`[STATUS] (500) == 200`). */
export interface ConditionOutcome {
  condition: string;
  success: boolean;
  output: string;
}

/**
 * Where a heartbeat result came from: a `ping` from the job (success or failure), a `missed` ping (the grace period
 * ended), or a run that `overran` its `max_runtime`. Probe results have no kind.
 */
export type HeartbeatResultKind = 'ping' | 'missed' | 'overran';

/**
 * Why a failed check is not downtime (see `isDowntime`): its monitor was `pending` or in `maintenance`, or — checked
 * from several locations — fewer than its `quorum` found it down (`quorum`: pipeline/quorum.ts).
 */
export type Excuse = 'pending' | 'maintenance' | 'quorum';

/** One check of one monitor, as stored. */
export interface CheckResult {
  monitorId: string;
  /** When the check started, epoch milliseconds. */
  at: number;
  /** The probe's verdict (before retries turn it into a monitor state). */
  status: Status;
  /** Total duration in milliseconds. */
  latencyMs: number;
  statusCode?: number;
  timings?: PhaseTimings;
  /** Sanitized; never holds credentials. */
  error?: string;
  /** Component statuses reported by a health endpoint (`database` → `healthy`…). */
  components?: Record<string, Status>;
  conditions?: ConditionOutcome[];
  /** Earliest certificate expiry seen, epoch milliseconds. */
  certificateExpiresAt?: number;
  /** Where the check ran from (`location:` of the configuration; `local` by default). */
  location: string;
  /** Heartbeats: what the result stands for. */
  kind?: HeartbeatResultKind;
  /** Set by the check pipeline on an unhealthy result that is not downtime. */
  excused?: Excuse;
}

/** A period during which a monitor was not healthy: opened on a state change, closed when it recovers. */
export interface Incident {
  id: number;
  monitorId: string;
  /** `unhealthy` (down) or `degraded`. */
  status: Exclude<Status, 'healthy'>;
  startedAt: number;
  endedAt?: number;
  /** The error or failed condition that opened it. */
  cause?: string;
  /** Someone said they are on it (reminders and escalation stop; the checks go on). */
  acknowledged?: { at: number; by: string };
}

/** Aggregates over a time range, from raw results or rollups. */
export interface UptimeSummary {
  checks: number;
  /** Checks that were downtime (see `isDowntime`). */
  failures: number;
  /** Checks that were not downtime ÷ checks; `undefined` when there were no checks. */
  uptime?: number;
  latencyAvgMs?: number;
  latencyP95Ms?: number;
}

/** A monitor's state at one location, as committed: what a restart resumes from. */
export interface MonitorRuntimeState {
  monitorId: string;
  location: string;
  state: MonitorState;
  /** Failed checks in a row. */
  consecutiveFailures: number;
  lastCheckAt?: number;
  /** The open incident, if any. */
  openIncidentId?: number;
  /** The sequence number of the monitor's last state change at this location (0 before the first). */
  seq: number;
  /** When the state last changed. */
  since?: number;
  /** Where the monitor's alerting stands; absent for a monitor that has never alerted or counted toward it. */
  alert?: AlertProgress;
}

/**
 * A monitor's alerting, part of its runtime state (committed with it): checks in a row that count toward an
 * alert or toward its end, the number of its last notification (each trigger, reminder and resolve takes the next
 * one: with the channel, it makes the idempotency key), and the alert that is open, if any.
 */
export interface AlertProgress {
  /** The number of the last notification made (0 before the first). */
  seq: number;
  /** Bad checks in a row (unhealthy; degraded too when the rule says so). */
  bad: number;
  /** Good checks in a row. */
  good: number;
  /**
   * The open alert: the number of its trigger, when it started, when it was last notified; whether someone
   * acknowledged it (no more reminders, no escalation) and whether it was escalated.
   */
  open?: {
    trigger: number;
    since: number;
    notifiedAt: number;
    acknowledged?: { at: number; by: string };
    escalated?: boolean;
  };
  /** A trigger held back (recorded, not sent) because this monitor it depends on was down. */
  held?: string;
  /** The certificate last warned about, and the smallest of `certificate_days` it was warned at. */
  certificate?: { expiresAt: number; days: number };
}

/**
 * A state change, as the events feed carries it: one row per change, numbered per monitor and location without
 * gaps (`seq`), and by a global cursor (`id`) that readers resume from.
 */
export interface StateChangeEvent {
  /** The feed's cursor: increasing in commit order. */
  id: number;
  monitorId: string;
  location: string;
  seq: number;
  from: MonitorState;
  to: MonitorState;
  at: number;
  /** The error or failed condition, or why it was put in this state (`paused through the API`). */
  reason?: string;
  /** The `at` of the result that caused it (stored in the same transaction); absent for pause, resume, removal. */
  resultAt?: number;
  /** The incident the change opened, or closed. */
  incidentId?: number;
}
