/**
 * The status model shared by @vigil/health, the job checks and the monitor.
 *
 *   healthy   — serving
 *   degraded  — serving, but a warning threshold is crossed
 *   unhealthy — not serving: take it out of rotation
 */
export const STATUSES = ['healthy', 'degraded', 'unhealthy'] as const;
export type Status = (typeof STATUSES)[number];

/** Severity order: aggregation keeps the highest. */
const SEVERITY: Record<Status, number> = { healthy: 0, degraded: 1, unhealthy: 2 };

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

export function worstOf(a: Status, b: Status): Status {
  return SEVERITY[b] > SEVERITY[a] ? b : a;
}

/** What one check contributes to an aggregate. */
export interface StatusContribution {
  status: Status;
  /** A non-critical check can make the aggregate at most `degraded`. Default true. */
  critical?: boolean;
}

/**
 * Worst-wins aggregation. A non-critical check that is unhealthy counts as degraded.
 * An empty set is healthy (nothing is known to be wrong).
 */
export function aggregateStatus(contributions: Iterable<StatusContribution>): Status {
  let result: Status = 'healthy';
  for (const { status, critical = true } of contributions) {
    result = worstOf(result, critical ? status : capAt(status, 'degraded'));
  }
  return result;
}

export function capAt(status: Status, cap: Status): Status {
  return SEVERITY[status] > SEVERITY[cap] ? cap : status;
}

/** Thresholds on a value: strictly above `degraded` is degraded, strictly above `unhealthy` unhealthy. */
export interface StatusThresholds {
  degraded?: number;
  unhealthy?: number;
}

/** The status a value reaches against thresholds (none: healthy), and the threshold it crossed. */
export function statusAgainst(
  value: number,
  thresholds: StatusThresholds | undefined,
): { status: Status; above?: number } {
  if (!thresholds) return { status: 'healthy' };
  if (thresholds.unhealthy !== undefined && value > thresholds.unhealthy) {
    return { status: 'unhealthy', above: thresholds.unhealthy };
  }
  if (thresholds.degraded !== undefined && value > thresholds.degraded) {
    return { status: 'degraded', above: thresholds.degraded };
  }
  return { status: 'healthy' };
}

export type HttpStatusMapping = Record<Status, number>;

/** 503 only for unhealthy by default; degraded still serves. */
export const DEFAULT_HTTP_STATUS: Readonly<HttpStatusMapping> = Object.freeze({
  healthy: 200,
  degraded: 200,
  unhealthy: 503,
});

export function toHttpStatus(status: Status, mapping: Partial<HttpStatusMapping> = {}): number {
  return mapping[status] ?? DEFAULT_HTTP_STATUS[status];
}

/** draft-inadarei-api-health-check-06 status values. */
export type HealthJsonStatus = 'pass' | 'warn' | 'fail';

const HEALTH_JSON: Record<Status, HealthJsonStatus> = { healthy: 'pass', degraded: 'warn', unhealthy: 'fail' };

export function toHealthJsonStatus(status: Status): HealthJsonStatus {
  return HEALTH_JSON[status];
}

/** A single Prometheus value: 1 serving, 0.5 degraded, 0 not serving. */
export function toPrometheusValue(status: Status): number {
  return status === 'healthy' ? 1 : status === 'degraded' ? 0.5 : 0;
}

/** One series per status, 1 for the current one (a Prometheus stateset). */
export function toPrometheusStateSet(status: Status): Record<Status, 0 | 1> {
  return {
    healthy: status === 'healthy' ? 1 : 0,
    degraded: status === 'degraded' ? 1 : 0,
    unhealthy: status === 'unhealthy' ? 1 : 0,
  };
}
