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
  // One entry per detail level; a hit needs the same observation objects in the same order.
  const memo: Array<{ observations: unknown[]; checks: string } | undefined> = [undefined, undefined];
  let versionFor: HealthReport['service'] | undefined;
  let versionJson = '{}';
  let isoFor = Number.NaN;
  let iso = '';
  return (report, visibility) => {
    if (report.service !== versionFor) {
      versionFor = report.service;
      versionJson = JSON.stringify(
        toVigilJson({ ...report, checks: [] }, { components: false, details: false }).version,
      );
    }
    if (report.timestamp !== isoFor) {
      isoFor = report.timestamp;
      iso = new Date(report.timestamp).toISOString();
    }
    let out = `{"status":"${report.status}","timestamp":"${iso}","version":${versionJson},"response_time_ms":${JSON.stringify(report.responseTimeMs)}`;
    if (visibility.components) {
      const level = visibility.details ? 1 : 0;
      const cached = memo[level];
      const { checks } = report;
      if (
        cached &&
        cached.observations.length === checks.length &&
        cached.observations.every((o, i) => o === checks[i]!.observation)
      ) {
        out += `,"checks":${cached.checks}`;
      } else {
        const json = JSON.stringify(toVigilJson(report, visibility).checks);
        memo[level] = { observations: checks.map((c) => c.observation), checks: json };
        out += `,"checks":${json}`;
      }
    }
    return `${out}}`;
  };
}
