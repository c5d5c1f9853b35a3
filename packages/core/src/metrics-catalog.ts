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
  m('vigil_queue_jobs', 'gauge', 'jobs', ['queue', 'state'], 'Jobs per queue and state.'),
  m('vigil_queue_workers', 'gauge', 'jobs', ['queue'], 'Workers consuming the queue.'),
  m(
    'vigil_queue_oldest_waiting_seconds',
    'gauge',
    'jobs',
    ['queue'],
    'Seconds since the oldest waiting job became ready; 0 when none waits.',
  ),
  m('vigil_queue_jobs_completed_total', 'counter', 'jobs', ['queue'], 'Jobs completed.'),
  m('vigil_queue_jobs_failed_total', 'counter', 'jobs', ['queue'], 'Jobs failed for good (retries used up).'),
  m('vigil_queue_job_duration_seconds', 'histogram', 'jobs', ['queue'], 'Run time of each job attempt.'),
  // The worker sidecar (startWorkerHealthServer)
  m('vigil_worker_up', 'gauge', 'worker', [], 'Worker sidecar verdict: 1 healthy, 0 unhealthy.'),
  m(
    'vigil_worker_event_loop_lag_seconds',
    'gauge',
    'worker',
    [],
    'How late the main thread\'s heartbeat is: how long its event loop has been blocked.',
  ),
  m('vigil_worker_listener_up', 'gauge', 'worker', ['listener'], 'A health source of the worker: 1 healthy, 0 not.'),
  m(
    'vigil_worker_jobs_processed_total',
    'counter',
    'worker',
    ['queue'],
    'Job attempts this worker finished (completed or failed).',
  ),
  m('vigil_worker_jobs_failed_total', 'counter', 'worker', ['queue'], 'Job attempts this worker saw fail.'),
  m('vigil_worker_jobs_active', 'gauge', 'worker', ['queue'], 'Jobs this worker is running now.'),
  // The monitor, `vigil serve` (issue 5)
  m('vigil_probe_success', 'gauge', 'monitor', ['monitor', 'type'], 'Whether the last check succeeded (healthy or degraded).'),
  m('vigil_probe_duration_seconds', 'gauge', 'monitor', ['monitor', 'type'], 'Duration of the last check.'),
  m(
    'vigil_probe_phase_duration_seconds',
    'gauge',
    'monitor',
    ['monitor', 'phase'],
    'Duration of each phase of the last HTTP check: dns, connect, tls, first_byte, transfer.',
  ),
  m('vigil_probe_http_status_code', 'gauge', 'monitor', ['monitor'], 'HTTP status of the last check.'),
  m(
    'vigil_probe_ssl_earliest_cert_expiry',
    'gauge',
    'monitor',
    ['monitor'],
    'Expiry of the earliest certificate in the chain, Unix seconds.',
  ),
  m(
    'vigil_monitor_status',
    'gauge',
    'monitor',
    ['monitor', 'type', 'status'],
    'One series per monitor state (healthy, degraded, unhealthy, pending, maintenance, paused), 1 for the current one.',
  ),
  m(
    'vigil_monitor_uptime_ratio',
    'gauge',
    'monitor',
    ['monitor', 'window'],
    'Share of checks up over the last 1, 7, 30 or 90 UTC days including today (window 1d, 7d, 30d, 90d).',
  ),
  m(
    'vigil_monitor_lateness_p50_seconds',
    'gauge',
    'monitor',
    [],
    'How late checks started against their slot, median over the recent runs.',
  ),
  m(
    'vigil_monitor_lateness_p99_seconds',
    'gauge',
    'monitor',
    [],
    'How late checks started against their slot, 99th percentile over the recent runs.',
  ),
  m('vigil_monitor_checks_total', 'counter', 'monitor', [], 'Checks started by this server.'),
  m('vigil_monitor_results_buffered', 'gauge', 'monitor', [], 'Results waiting to be stored.'),
  m('vigil_monitor_results_dropped_total', 'counter', 'monitor', [], 'Results lost because the store kept failing.'),
];

export function metricDefinition(name: string): MetricDefinition | undefined {
  return METRICS.find((metric) => metric.name === name);
}
