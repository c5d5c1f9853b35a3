import type { HealthReport, Visibility } from '../report.js';
import { type HealthJsonStatus, toHealthJsonStatus } from '../status.js';

/** draft-inadarei-api-health-check-06, served as `application/health+json`. */
export const HEALTH_JSON_MEDIA_TYPE = 'application/health+json';

export interface HealthJson {
  status: HealthJsonStatus;
  version?: string;
  releaseId?: string;
  serviceId?: string;
  description?: string;
  output?: string;
  checks?: Record<string, HealthJsonCheck[]>;
}

export interface HealthJsonCheck {
  componentId?: string;
  componentType?: string;
  observedValue?: unknown;
  observedUnit?: string;
  status: HealthJsonStatus;
  time: string;
  output?: string;
}

export function toHealthJson(report: HealthReport, visibility: Visibility): HealthJson {
  const body: HealthJson = { status: toHealthJsonStatus(report.status) };
  const { service } = report;
  if (service.version !== undefined) body.version = service.version;
  if (service.releaseId !== undefined) body.releaseId = service.releaseId;
  if (service.name !== undefined) body.serviceId = service.name;
  if (service.description !== undefined) body.description = service.description;
  if (!visibility.components) return body;

  const checks: Record<string, HealthJsonCheck[]> = {};
  for (const check of report.checks) {
    const o = check.observation;
    const time = new Date(o.startedAt).toISOString();
    const status = toHealthJsonStatus(o.status);
    const measurements = o.measurements?.length
      ? o.measurements
      : [{ measurement: 'responseTime', value: o.durationMs, unit: 'ms' }];
    for (const m of measurements) {
      const entry: HealthJsonCheck = { componentType: check.componentType, status, time };
      if (check.componentId !== undefined) entry.componentId = check.componentId;
      if (visibility.details) {
        entry.observedValue = m.value;
        if (m.unit !== undefined) entry.observedUnit = m.unit;
        if (o.error !== undefined) entry.output = o.error;
      }
      const key = `${check.name}:${m.measurement}`;
      const list = checks[key] ?? [];
      list.push(entry);
      checks[key] = list;
    }
  }
  body.checks = checks;
  if (visibility.details && report.status !== 'healthy') {
    const worst = report.checks.find((c) => c.observation.status === report.status && c.observation.error);
    if (worst) body.output = `${worst.name}: ${worst.observation.error}`;
  }
  return body;
}
