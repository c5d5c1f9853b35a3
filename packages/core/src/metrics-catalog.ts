/**
 * Every metric Vigil exports, in one place: `/metrics` implementations, the alert rules, the Grafana dashboards
 * and docs/metrics.md are all checked against this list, so a renamed metric cannot silently break a panel.
 */
export type MetricType = 'gauge' | 'counter' | 'histogram' | 'stateset' | 'info';

/** Who serves the metric: an app's @vigil/health, the worker sidecar, job checks, or the `vigil serve` monitor. */
export type MetricSource = 'health' | 'worker' | 'jobs' | 'monitor';

export interface MetricDefinition {
  name: string;
  type: MetricType;
  help: string;
  labels: readonly string[];
  source: MetricSource;
  /** `available` is exported today; `planned` is named by an open issue and reserved here so rules can use it. */
  state: 'available' | 'planned';
}

const m = (
  name: string,
  type: MetricType,
  source: MetricSource,
  labels: readonly string[],
  help: string,
  state: MetricDefinition['state'] = 'available',
): MetricDefinition => ({ name, type, source, labels, help, state });

export const METRICS: readonly MetricDefinition[] = [
  // @vigil/health
  m('vigil_info', 'gauge', 'health', ['version', 'service', 'service_version'], 'Vigil and service versions; always 1.'),
  m('vigil_check_up', 'gauge', 'health', ['check'], 'Whether the check is serving: 1 healthy or degraded, 0 unhealthy.'),
  m('vigil_check_status', 'gauge', 'health', ['check', 'status'], 'One series per status, 1 for the current one.'),
  m('vigil_check_duration_seconds', 'histogram', 'health', ['check'], 'How long each check run took.'),
  m('vigil_health_status', 'gauge', 'health', [], 'Overall status: 1 healthy, 0.5 degraded, 0 unhealthy.'),
  m('vigil_disk_free_bytes', 'gauge', 'health', ['check', 'path'], 'Bytes an unprivileged process can still write.'),
  m('vigil_disk_total_bytes', 'gauge', 'health', ['check', 'path'], 'Size of the filesystem.'),
  m('vigil_db_ping_seconds', 'gauge', 'health', ['check', 'type'], 'Latency of the last database ping (SELECT 1).'),
  m('vigil_scheduler_enabled', 'gauge', 'health', [], 'Whether the app reports its scheduler enabled (1) or not (0).'),
  m('vigil_errors_total', 'counter', 'health', ['kind'], 'Errors the app counted, by kind.'),
  m('vigil_collector_errors_total', 'counter', 'health', ['collector'], 'Metric collectors that failed or timed out.'),
  // Background jobs (issue 3)
  m('vigil_queue_jobs', 'gauge', 'jobs', ['queue', 'state'], 'Jobs per queue and state.', 'planned'),
  m('vigil_queue_workers', 'gauge', 'jobs', ['queue'], 'Workers consuming the queue.', 'planned'),
  m('vigil_queue_oldest_waiting_seconds', 'gauge', 'jobs', ['queue'], 'Age of the oldest waiting job.', 'planned'),
  m('vigil_queue_jobs_completed_total', 'counter', 'jobs', ['queue'], 'Jobs completed.', 'planned'),
  m('vigil_queue_jobs_failed_total', 'counter', 'jobs', ['queue'], 'Jobs failed.', 'planned'),
  m('vigil_queue_job_duration_seconds', 'histogram', 'jobs', ['queue'], 'Job run time.', 'planned'),
  m('vigil_worker_event_loop_lag_seconds', 'gauge', 'worker', [], 'Worker main-thread event-loop lag.', 'planned'),
  m('vigil_worker_up', 'gauge', 'worker', [], 'Worker sidecar verdict: 1 healthy, 0 unhealthy.', 'planned'),
  // The monitor, `vigil serve` (issue 5)
  m('vigil_probe_success', 'gauge', 'monitor', ['monitor', 'type'], 'Whether the last check succeeded.', 'planned'),
  m('vigil_probe_duration_seconds', 'gauge', 'monitor', ['monitor', 'type'], 'Duration of the last check.', 'planned'),
  m('vigil_probe_http_status_code', 'gauge', 'monitor', ['monitor'], 'HTTP status of the last check.', 'planned'),
  m(
    'vigil_probe_ssl_earliest_cert_expiry',
    'gauge',
    'monitor',
    ['monitor'],
    'Expiry of the earliest certificate in the chain, Unix seconds.',
    'planned',
  ),
  m(
    'vigil_monitor_status',
    'gauge',
    'monitor',
    ['monitor', 'type', 'status'],
    'One series per monitor status, 1 for the current one.',
    'planned',
  ),
  m('vigil_monitor_uptime_ratio', 'gauge', 'monitor', ['monitor', 'window'], 'Uptime over a window.', 'planned'),
];

export function metricDefinition(name: string): MetricDefinition | undefined {
  return METRICS.find((metric) => metric.name === name);
}
