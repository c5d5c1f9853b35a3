import type { Check, Observation, ServiceInfo } from '@vigil/core';
import { type Metric, Registry } from 'prom-client';
import {
  COLLECTOR_ERRORS,
  registerCollectorErrors,
  registerErrorCounter,
  registerInfo,
  schedulerGauge,
} from './app-metrics.js';
import { DEFAULT_DURATION_BUCKETS, registerCheckMetrics } from './check-metrics.js';
import { collectFamilies, MAX_TIMEOUT_MS, ScrapeGauge, type ScrapeGaugeOptions } from './collectors.js';
import { registerDefaultMetrics } from './default-metrics.js';
import { contentTypeOf, type MetricsFormat, negotiateMetricsFormat, renderMetrics } from './format.js';

export interface MetricsOptions {
  /**
   * A scrape reuses each check's last observation while it is younger than this; older (or never run) checks
   * are run first, through the same cache and single flight as /health. Default 30 000 ms.
   */
  maxCheckAgeMs?: number;
  /** Default timeout for each collector (scrape gauges, callbacks, your own prom-client metrics). Default 1000 ms. */
  collectorTimeoutMs?: number;
  /** Serve /metrics only to callers the `token` or `authorize` option accepts (401 otherwise). Default false. */
  requireAuthorization?: boolean;
  /** Node.js process and runtime metrics (CPU, memory, event loop, GC, handles). Default true. */
  defaultMetrics?: boolean;
  /**
   * How often the event-loop lag behind `nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds` is sampled,
   * in ms. Each sample wakes the process: at the default 10 (prom-client's) an idle process wakes 100 times a
   * second for it alone; a pause shorter than this can fall between two samples. Default 10.
   */
  eventLoopResolutionMs?: number;
  /** Read at every scrape for `vigil_scheduler_enabled`; or call `health.metrics.setSchedulerEnabled()`. */
  schedulerEnabled?: () => boolean | Promise<boolean>;
  /** Error kinds exported as 0 from the start (`vigil_errors_total{kind}`), so the first error shows in `rate()`. */
  errorKinds?: readonly string[];
  /** Distinct error kinds kept; further new kinds are counted as `other`. Default 100. */
  maxErrorKinds?: number;
  /** Buckets of `vigil_check_duration_seconds`, in seconds. */
  durationBuckets?: readonly number[];
  /** Told about each failed or timed-out collector (the metric only counts them). Must not throw. */
  onCollectorError?: (collector: string, error: Error) => void;
}

/** What a scrape produced. */
export interface MetricsScrape {
  format: MetricsFormat;
  contentType: string;
  body: string;
}

/** `health.metrics`: the instance's metrics and the calls an app makes to feed them. */
export interface HealthMetrics {
  /**
   * This Health's own prom-client registry (never the global one): metrics you register on it are served at
   * /metrics too, each collected under the collector timeout.
   */
  readonly registry: Registry;
  /** Adds a gauge read at scrape time through `collect` (business metrics: documents per doctype, sales today). */
  gauge<const L extends string = never>(options: ScrapeGaugeOptions<L>): void;
  /** Counts an error of a kind (`vigil_errors_total{kind}`); the kind is a short identifier, never a message. */
  countError(kind: string, count?: number): void;
  /** Sets `vigil_scheduler_enabled` (absent until set, unless the `schedulerEnabled` option is given). */
  setSchedulerEnabled(enabled: boolean): void;
  /** Collects everything and renders it in the format `accept` asks for (text 0.0.4 by default). Never rejects. */
  scrape(options?: { accept?: string }): Promise<MetricsScrape>;
}

/** What the metrics need from their Health. */
export interface MetricsSource {
  service: ServiceInfo;
  now: () => number;
  checks(): readonly Check[];
  last(name: string): Observation | undefined;
  /** Runs a check through the Health's cache and single flight. */
  run(check: Check): Promise<Observation>;
  shuttingDown(): boolean;
}

export interface HealthMetricsInternals {
  metrics: HealthMetrics;
  /** The runner's `onObservation`. */
  observe(check: Check, observation: Observation): void;
}

export const DEFAULT_MAX_CHECK_AGE_MS = 30_000;
export const DEFAULT_COLLECTOR_TIMEOUT_MS = 1000;
export const DEFAULT_EVENT_LOOP_RESOLUTION_MS = 10;

export function createHealthMetrics(options: MetricsOptions, source: MetricsSource): HealthMetricsInternals {
  const maxCheckAgeMs = options.maxCheckAgeMs ?? DEFAULT_MAX_CHECK_AGE_MS;
  if (!(maxCheckAgeMs >= 0)) throw new TypeError('metrics.maxCheckAgeMs must be zero or more milliseconds');
  const collectorTimeoutMs = options.collectorTimeoutMs ?? DEFAULT_COLLECTOR_TIMEOUT_MS;
  if (!(collectorTimeoutMs > 0 && collectorTimeoutMs <= MAX_TIMEOUT_MS)) {
    throw new TypeError(
      `metrics.collectorTimeoutMs must be a positive number of milliseconds, at most ${MAX_TIMEOUT_MS}`,
    );
  }
  const eventLoopResolutionMs = options.eventLoopResolutionMs ?? DEFAULT_EVENT_LOOP_RESOLUTION_MS;
  if (!(Number.isInteger(eventLoopResolutionMs) && eventLoopResolutionMs >= 1)) {
    throw new TypeError('metrics.eventLoopResolutionMs must be a whole number of milliseconds, at least 1');
  }
  const buckets = options.durationBuckets ?? DEFAULT_DURATION_BUCKETS;
  const increasing = buckets.every((b, i) => Number.isFinite(b) && b > 0 && (i === 0 || b > buckets[i - 1]!));
  if (buckets.length === 0 || !increasing) {
    throw new TypeError('metrics.durationBuckets must be increasing positive numbers of seconds');
  }

  const registry = new Registry();
  registerInfo(registry, source.service);
  const checkMetrics = registerCheckMetrics(registry, source, buckets);
  const countError = registerErrorCounter(registry, options);
  const setSchedulerEnabled = schedulerGauge(registry, options.schedulerEnabled);
  const collectorErrors = registerCollectorErrors(registry);
  if (options.defaultMetrics !== false) registerDefaultMetrics(registry, { eventLoopResolutionMs });

  const onCollectorError = (collector: string, error: Error) => {
    collectorErrors.inc({ collector });
    try {
      options.onCollectorError?.(collector, error);
    } catch {
      // A logging callback's bug must not fail the scrape.
    }
  };
  const runtime = { defaultTimeoutMs: collectorTimeoutMs, now: source.now, onError: onCollectorError };
  const collectLast = new Set([COLLECTOR_ERRORS]);

  /** Runs the checks that never ran or whose last observation is older than maxCheckAgeMs. */
  const refreshStaleChecks = async () => {
    const now = source.now();
    const stale = source.checks().filter((check) => {
      const last = source.last(check.name);
      return !last || now - (last.startedAt + last.durationMs) >= maxCheckAgeMs;
    });
    if (stale.length > 0) await Promise.all(stale.map((check) => source.run(check)));
  };

  const scrape = async ({ accept }: { accept?: string } = {}): Promise<MetricsScrape> => {
    const format = negotiateMetricsFormat(accept);
    await refreshStaleChecks();
    const families = await collectFamilies(registry, {
      timeoutMs: collectorTimeoutMs,
      onError: onCollectorError,
      last: collectLast,
    });
    return { format, contentType: contentTypeOf(format), body: renderMetrics(families, format) };
  };

  const metrics: HealthMetrics = {
    registry,
    gauge(gaugeOptions) {
      const gauge = new ScrapeGauge(gaugeOptions, runtime);
      if (registry.getSingleMetric(gauge.name)) {
        throw new TypeError(`metrics.gauge: a metric named ${gauge.name} is already registered`);
      }
      // Same shape as prom-client's metrics (name, help, type, get, reset); its typings only name its classes.
      registry.registerMetric(gauge as unknown as Metric);
      collectorErrors.inc({ collector: gauge.name }, 0);
    },
    countError,
    setSchedulerEnabled,
    scrape,
  };
  if (options.schedulerEnabled) collectorErrors.inc({ collector: 'vigil_scheduler_enabled' }, 0);

  return { metrics, observe: checkMetrics.observe };
}
