/**
 * The monitor's runtime records, shared by the scheduler, the probes' adapter, the store and the API.
 * Kept free of any storage or HTTP concern.
 */
import type { Status } from '@vigil/core';

/**
 * A monitor's state. Probe results are `healthy | degraded | unhealthy`; the monitor adds `pending` (failing,
 * retries not used up), `maintenance` and `paused`, which never count as downtime.
 */
export type MonitorState = Status | 'pending' | 'maintenance' | 'paused';

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
  /** Where the check ran from (an instance or agent region); `local` for this process. */
  location: string;
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
}

/** Aggregates over a time range, from raw results or rollups. */
export interface UptimeSummary {
  checks: number;
  failures: number;
  /** Healthy or degraded checks ÷ checks; `undefined` when there were no checks. */
  uptime?: number;
  latencyAvgMs?: number;
  latencyP95Ms?: number;
}

/** What survives a restart so the schedule resumes and retries are not forgotten. */
export interface MonitorRuntimeState {
  monitorId: string;
  state: MonitorState;
  /** Failed checks in a row. */
  consecutiveFailures: number;
  lastCheckAt?: number;
  /** The open incident, if any. */
  openIncidentId?: number;
}
