import { readFileSync } from 'node:fs';
import type { ServiceInfo } from '@vigil/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import { catalogMetric } from './catalog.js';
import { isLabelToken } from './names.js';

/** @vigil/health's own version (its package.json is two levels up from both src/metrics and dist/metrics). */
export const VIGIL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** `vigil_info{version,service,service_version} 1`. */
export function registerInfo(registry: Registry, service: ServiceInfo): void {
  const info = new Gauge({ ...catalogMetric('vigil_info', 'gauge'), registers: [registry] });
  info.set({ version: VIGIL_VERSION, service: service.name ?? '', service_version: service.version ?? '' }, 1);
}

export interface ErrorCounterOptions {
  /** Kinds to export as 0 from the start, so `rate()`/`increase()` see the first error. */
  errorKinds?: readonly string[];
  /** Distinct kinds kept before further new kinds are counted as `other`. Default 100. */
  maxErrorKinds?: number;
}

export const OTHER_ERROR_KIND = 'other';

const kindProblem = (kind: string) =>
  `countError: kind ${JSON.stringify(kind)} is invalid: use a short identifier such as "payment_failed" ` +
  '(a letter, then letters, digits, "_", ".", ":" or "-"; at most 64), never an error message or an id';

/** `vigil_errors_total{kind}`: errors the app counts itself, by a bounded kind. */
export function registerErrorCounter(
  registry: Registry,
  options: ErrorCounterOptions = {},
): (kind: string, count?: number) => void {
  const counter = new Counter({ ...catalogMetric('vigil_errors_total', 'counter'), registers: [registry] });
  const maxKinds = options.maxErrorKinds ?? 100;
  if (!(Number.isInteger(maxKinds) && maxKinds > 0)) {
    throw new TypeError('metrics.maxErrorKinds must be a positive integer');
  }
  const kinds = new Set<string>();
  for (const kind of options.errorKinds ?? []) {
    if (!isLabelToken(kind)) throw new TypeError(`metrics.errorKinds: ${kindProblem(kind)}`);
    kinds.add(kind);
    counter.inc({ kind }, 0);
  }
  return (kind, count = 1) => {
    if (!isLabelToken(kind)) throw new TypeError(kindProblem(kind));
    if (!(Number.isFinite(count) && count >= 0)) throw new TypeError('countError: count must be a finite number ≥ 0');
    if (!kinds.has(kind)) {
      // A bug that puts ids into the kind must not grow the series without bound.
      if (kinds.size >= maxKinds) kind = OTHER_ERROR_KIND;
      kinds.add(kind);
    }
    counter.inc({ kind }, count);
  };
}

export const COLLECTOR_ERRORS = 'vigil_collector_errors_total';

/** `vigil_collector_errors_total{collector}`: collections that threw or timed out. */
export function registerCollectorErrors(registry: Registry): Counter<string> {
  return new Counter({ ...catalogMetric(COLLECTOR_ERRORS, 'counter'), registers: [registry] });
}

/**
 * `vigil_scheduler_enabled`: absent until the app says (an app without a scheduler should not alert on a 0),
 * then 1 or 0 — from `setSchedulerEnabled` or, when given, a callback read at every scrape.
 */
export function schedulerGauge(
  registry: Registry,
  read?: () => boolean | Promise<boolean>,
): (enabled: boolean) => void {
  let value: boolean | undefined;
  let gauge: Gauge | undefined;
  const register = () => {
    gauge ??= new Gauge({
      ...catalogMetric('vigil_scheduler_enabled', 'gauge'),
      registers: [registry],
      async collect() {
        const enabled = read ? await read() : value;
        if (typeof enabled !== 'boolean') throw new TypeError('schedulerEnabled must return true or false');
        this.set(enabled ? 1 : 0);
      },
    });
  };
  if (read) register();
  return (enabled) => {
    if (typeof enabled !== 'boolean') throw new TypeError('setSchedulerEnabled takes true or false');
    value = enabled;
    register();
  };
}
