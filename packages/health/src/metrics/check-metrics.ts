import {
  aggregateStatus,
  type Check,
  type Observation,
  STATUSES,
  type StatusContribution,
  toPrometheusStateSet,
  toPrometheusValue,
} from '@vigil/core';
import { Gauge, Histogram, type Registry } from 'prom-client';
import { catalogMetric } from './catalog.js';

/** What the check metrics read from the Health they belong to; nothing here runs a check. */
export interface CheckSource {
  checks(): readonly Check[];
  /** The last observation of a check, fresh or not. */
  last(name: string): Observation | undefined;
  shuttingDown(): boolean;
}

/** Check run times: from a cached-pool ping (~1 ms) to a timeout (default 2 s, at most tens of seconds). */
export const DEFAULT_DURATION_BUCKETS: readonly number[] = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** The probe kinds whose observations carry a database ping latency (`details.latency_ms`, `details.type`). */
const DATABASE_KINDS = new Set(['postgres', 'mysql']);

export interface CheckMetrics {
  /** Records a fresh observation (the runner's `onObservation`). */
  observe(check: Check, observation: Observation): void;
}

/**
 * The per-check metrics. Gauges are computed at scrape time from each check's last observation, so a scrape
 * never queries a dependency itself; the duration histogram observes every fresh run as it happens.
 */
export function registerCheckMetrics(
  registry: Registry,
  source: CheckSource,
  buckets: readonly number[] = DEFAULT_DURATION_BUCKETS,
): CheckMetrics {
  const registers = [registry];
  /** Checks with an observation, in declaration order. */
  const observed = (): Array<[Check, Observation]> => {
    const out: Array<[Check, Observation]> = [];
    for (const check of source.checks()) {
      const observation = source.last(check.name);
      if (observation) out.push([check, observation]);
    }
    return out;
  };

  new Gauge({
    ...catalogMetric('vigil_check_up', 'gauge'),
    registers,
    collect() {
      this.reset();
      for (const [check, o] of observed()) this.set({ check: check.name }, o.status === 'unhealthy' ? 0 : 1);
    },
  });

  new Gauge({
    ...catalogMetric('vigil_check_status', 'gauge'),
    registers,
    collect() {
      this.reset();
      for (const [check, o] of observed()) {
        const states = toPrometheusStateSet(o.status);
        for (const status of STATUSES) this.set({ check: check.name, status }, states[status]);
      }
    },
  });

  const duration = new Histogram({
    ...catalogMetric('vigil_check_duration_seconds', 'histogram'),
    buckets: [...buckets],
    registers,
  });

  new Gauge({
    ...catalogMetric('vigil_health_status', 'gauge'),
    registers,
    collect() {
      // The same aggregation as /health, over the last observations; shutting down counts as unhealthy.
      const contributions: StatusContribution[] = [];
      for (const [check, o] of observed()) contributions.push({ status: o.status, critical: check.critical });
      if (source.shuttingDown()) contributions.push({ status: 'unhealthy' });
      this.set(toPrometheusValue(aggregateStatus(contributions)));
    },
  });

  const diskValue = (key: 'free_bytes' | 'total_bytes') =>
    function (this: Gauge) {
      this.reset();
      for (const [check, o] of observed()) {
        if (check.kind !== 'disk') continue;
        const path = o.details?.path;
        const bytes = o.details?.[key];
        if (typeof path === 'string' && typeof bytes === 'number') this.set({ check: check.name, path }, bytes);
      }
    };
  new Gauge({ ...catalogMetric('vigil_disk_free_bytes', 'gauge'), registers, collect: diskValue('free_bytes') });
  new Gauge({ ...catalogMetric('vigil_disk_total_bytes', 'gauge'), registers, collect: diskValue('total_bytes') });

  new Gauge({
    ...catalogMetric('vigil_db_ping_seconds', 'gauge'),
    registers,
    collect() {
      this.reset();
      for (const [check, o] of observed()) {
        if (!DATABASE_KINDS.has(check.kind)) continue;
        // A failed ping has no latency: the series is absent rather than a misleading number.
        const latencyMs = o.details?.latency_ms;
        const type = typeof o.details?.type === 'string' ? o.details.type : check.kind;
        if (typeof latencyMs === 'number') this.set({ check: check.name, type }, latencyMs / 1000);
      }
    },
  });

  return {
    observe(check, observation) {
      duration.observe({ check: check.name }, observation.durationMs / 1000);
    },
  };
}
