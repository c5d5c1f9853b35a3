import type { ComponentType } from './check.js';
import type { Observation } from './probe.js';
import { aggregateStatus, type Status } from './status.js';

/** One check's latest observation, with what a report needs to know about the check. */
export interface CheckReport {
  name: string;
  kind: string;
  critical: boolean;
  componentType: ComponentType;
  componentId?: string;
  observation: Observation;
}

/** Everything a health endpoint knows at one moment; the formats render it. */
export interface HealthReport {
  status: Status;
  /** When the report was assembled (epoch ms). */
  timestamp: number;
  /** How long assembling it took, checks included. */
  responseTimeMs: number;
  service: ServiceInfo;
  checks: CheckReport[];
}

export interface ServiceInfo {
  /** health+json `serviceId`, and the key of the version in the Vigil format. */
  name?: string;
  version?: string;
  releaseId?: string;
  description?: string;
  /** More versions for the Vigil format's `version` object, e.g. `{ node: process.version }`. */
  versions?: Record<string, string>;
}

/** What a caller may see: statuses only, or also observed values and error texts. */
export type Visibility = { components: boolean; details: boolean };

export function reportStatus(checks: readonly CheckReport[]): Status {
  return aggregateStatus(checks.map((c) => ({ status: c.observation.status, critical: c.critical })));
}
