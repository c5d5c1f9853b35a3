import type { HealthReport, Visibility } from '../report.js';
import type { Status } from '../status.js';

/** The seed recipe's shape: `{status, timestamp, version, response_time_ms, checks: {name: {...}}}`. */
export interface VigilHealthJson {
  status: Status;
  timestamp: string;
  version: Record<string, string>;
  response_time_ms: number;
  checks?: Record<string, VigilCheckJson>;
}

export interface VigilCheckJson {
  status: Status;
  response_time_ms: number;
  critical?: boolean;
  details?: Record<string, unknown>;
  error?: string;
}

export function toVigilJson(report: HealthReport, visibility: Visibility): VigilHealthJson {
  const version: Record<string, string> = {};
  if (report.service.version !== undefined) version[report.service.name ?? 'app'] = report.service.version;
  Object.assign(version, report.service.versions);
  const body: VigilHealthJson = {
    status: report.status,
    timestamp: new Date(report.timestamp).toISOString(),
    version,
    response_time_ms: report.responseTimeMs,
  };
  if (!visibility.components) return body;
  const checks: Record<string, VigilCheckJson> = {};
  for (const check of report.checks) {
    const o = check.observation;
    const entry: VigilCheckJson = { status: o.status, response_time_ms: o.durationMs };
    if (visibility.details) {
      if (!check.critical) entry.critical = false;
      if (o.details !== undefined) entry.details = o.details;
      if (o.error !== undefined) entry.error = o.error;
    }
    checks[check.name] = entry;
  }
  body.checks = checks;
  return body;
}

/**
 * Renders the same bytes as `JSON.stringify(toVigilJson(report, visibility))`, but reuses the serialized
 * `checks` object while the observations are the same objects as last time — the usual case when a load
 * balancer polls faster than the cache TTL. Only the timestamp and response time change between requests.
 */
export function createVigilJsonRenderer(): (report: HealthReport, visibility: Visibility) => string {
  const memo = new Map<string, { observations: unknown[]; checks: string }>();
  let versionFor: HealthReport['service'] | undefined;
  let versionJson = '{}';
  return (report, visibility) => {
    if (report.service !== versionFor) {
      versionFor = report.service;
      versionJson = JSON.stringify(
        toVigilJson({ ...report, checks: [] }, { components: false, details: false }).version,
      );
    }
    let out = `{"status":"${report.status}","timestamp":"${new Date(report.timestamp).toISOString()}","version":${versionJson},"response_time_ms":${JSON.stringify(report.responseTimeMs)}`;
    if (visibility.components) {
      const key = `${visibility.details ? 1 : 0}${report.checks.map((c) => c.name).join('\u0000')}`;
      const cached = memo.get(key);
      if (
        cached &&
        cached.observations.length === report.checks.length &&
        cached.observations.every((o, i) => o === report.checks[i]!.observation)
      ) {
        out += `,"checks":${cached.checks}`;
      } else {
        const checks = JSON.stringify(toVigilJson(report, visibility).checks);
        if (memo.size > 16) memo.clear(); // bounded: exclude= combinations must not grow it forever
        memo.set(key, { observations: report.checks.map((c) => c.observation), checks });
        out += `,"checks":${checks}`;
      }
    }
    return `${out}}`;
  };
}
