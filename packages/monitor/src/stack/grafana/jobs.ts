/** `grafana/dashboards/vigil-jobs.json`: background jobs — queues, workers, oldest waiting, failures, durations. */
import type { StackOptions } from '../options.js';
import { dashboard, UP_DOWN } from './model.js';

export const JOBS_UID = 'vigil-jobs';

export function jobsDashboard(options: StackOptions) {
  const t = options.thresholds;
  const sel = 'job="$job", queue=~"$queue"';
  // Queue gauges are read from Redis: every replica serving them reports the same value, so take one per queue.
  const worker = 'job="$worker_job"';
  const jobsSource = options.worker ?? options.app;
  return dashboard({
    uid: JOBS_UID,
    title: 'Vigil · Background jobs',
    description: `Queues, workers and job outcomes of ${options.name}.`,
    variables: [
      { name: 'job', label: 'Job', query: 'label_values(vigil_queue_jobs, job)', current: jobsSource.job },
      { name: 'queue', label: 'Queue', query: 'label_values(vigil_queue_jobs{job="$job"}, queue)', multi: true },
      {
        name: 'worker_job',
        label: 'Worker sidecar',
        query: 'label_values(vigil_worker_up, job)',
        current: options.worker?.job ?? '',
      },
    ],
    sections: [
      {
        title: 'Overview',
        panels: [
          {
            title: 'Waiting',
            type: 'stat',
            description: `Alert JobQueueBacklog above ${t.backlog} in one queue.`,
            queries: [{ expr: `sum(max by (queue) (vigil_queue_jobs{${sel}, state="waiting"}))` }],
            width: 4,
            steps: [{ color: 'green' }, { from: t.backlog, color: 'orange' }],
          },
          {
            title: 'Active',
            type: 'stat',
            queries: [{ expr: `sum(max by (queue) (vigil_queue_jobs{${sel}, state="active"}))` }],
            width: 4,
            steps: [{ color: 'blue' }],
          },
          {
            title: 'Failed, last hour',
            type: 'stat',
            description: `Alert FailedBackgroundJobs above ${t.failedJobs} in one queue.`,
            queries: [{ expr: `sum(increase(vigil_queue_jobs_failed_total{${sel}}[1h]))` }],
            width: 4,
            decimals: 0,
            steps: [{ color: 'green' }, { from: t.failedJobs, color: 'red' }],
          },
          {
            title: 'Workers',
            type: 'stat',
            description: 'Alert QueueHasNoWorkers when a queue has none.',
            queries: [{ expr: `sum(max by (queue) (vigil_queue_workers{${sel}}))` }],
            width: 4,
            steps: [{ color: 'red' }, { from: 1, color: 'green' }],
          },
          {
            title: 'Oldest waiting job',
            type: 'stat',
            queries: [{ expr: `max(vigil_queue_oldest_waiting_seconds{${sel}})` }],
            width: 4,
            unit: 's',
            steps: [{ color: 'green' }, { from: 300, color: 'orange' }, { from: 1800, color: 'red' }],
          },
          {
            title: 'Worker sidecar',
            type: 'stat',
            description: 'The sidecar verdict (alert WorkerUnhealthy) and whether it is scraped (alert WorkerDown).',
            queries: [{ expr: `min(vigil_worker_up{${worker}}) * min(up{${worker}})` }],
            width: 4,
            mappings: UP_DOWN,
            steps: [{ color: 'red' }, { from: 1, color: 'green' }],
          },
        ],
      },
      {
        title: 'Queues',
        panels: [
          {
            title: 'Jobs by state',
            type: 'timeseries',
            queries: [{ expr: `max by (queue, state) (vigil_queue_jobs{${sel}})`, legend: '{{queue}} {{state}}' }],
            width: 12,
          },
          {
            title: 'Oldest waiting job',
            type: 'timeseries',
            queries: [{ expr: `max by (queue) (vigil_queue_oldest_waiting_seconds{${sel}})`, legend: '{{queue}}' }],
            width: 12,
            unit: 's',
          },
          {
            title: 'Completed per second',
            type: 'timeseries',
            queries: [
              {
                expr: `sum by (queue) (rate(vigil_queue_jobs_completed_total{${sel}}[$__rate_interval]))`,
                legend: '{{queue}}',
              },
            ],
            width: 8,
            unit: 'ops',
          },
          {
            title: 'Failed per hour',
            type: 'timeseries',
            queries: [
              { expr: `sum by (queue) (increase(vigil_queue_jobs_failed_total{${sel}}[1h]))`, legend: '{{queue}}' },
            ],
            width: 8,
            steps: [{ color: 'green' }, { from: t.failedJobs, color: 'red' }],
          },
          {
            title: 'Job duration',
            type: 'timeseries',
            queries: [
              {
                expr: `histogram_quantile(0.5, sum by (le, queue) (rate(vigil_queue_job_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
                legend: '{{queue}} p50',
              },
              {
                expr: `histogram_quantile(0.95, sum by (le, queue) (rate(vigil_queue_job_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
                legend: '{{queue}} p95',
              },
            ],
            width: 8,
            unit: 's',
          },
        ],
      },
      {
        title: 'Workers',
        panels: [
          {
            title: 'Workers per queue',
            type: 'timeseries',
            queries: [{ expr: `max by (queue) (vigil_queue_workers{${sel}})`, legend: '{{queue}}' }],
            width: 8,
          },
          {
            title: 'Worker sidecar verdict',
            type: 'state-timeline',
            queries: [{ expr: `vigil_worker_up{${worker}}`, legend: '{{instance}}' }],
            width: 8,
            mappings: UP_DOWN,
            steps: [{ color: 'red' }, { from: 1, color: 'green' }],
          },
          {
            title: 'Worker event-loop lag',
            type: 'timeseries',
            queries: [{ expr: `vigil_worker_event_loop_lag_seconds{${worker}}`, legend: '{{instance}}' }],
            width: 8,
            unit: 's',
          },
        ],
      },
    ],
  });
}
