/** `grafana/dashboards/vigil-application.json`: is the app serving — scrape, health, checks, disk, database, errors. */
import { EXAMPLE_BUSINESS_METRICS } from '../promql.js';
import { NODE_JOB, type StackOptions } from '../options.js';
import { dashboard, UP_DOWN, type Section } from './model.js';

export const APPLICATION_UID = 'vigil-application';

export function applicationDashboard(options: StackOptions) {
  const t = options.thresholds;
  const sel = 'job="$job", instance=~"$instance"';
  const node = `job="${NODE_JOB}"`;
  const fs = `${node}, fstype!~"tmpfs|overlay|squashfs"`;
  const sections: Section[] = [
    {
      title: 'Overview',
      panels: [
        {
          title: 'Scrape',
          type: 'stat',
          description: 'Whether Prometheus can read /metrics (alert AppDown).',
          queries: [{ expr: `up{${sel}}`, legend: '{{instance}}' }],
          width: 4,
          mappings: UP_DOWN,
          steps: [{ color: 'red' }, { from: 1, color: 'green' }],
        },
        {
          title: 'Health',
          type: 'stat',
          description: 'The /health verdict: healthy, degraded (serving) or unhealthy (503; alert AppUnhealthy).',
          queries: [{ expr: `vigil_health_status{${sel}}`, legend: '{{instance}}' }],
          width: 4,
          mappings: [
            { value: 1, text: 'HEALTHY', color: 'green' },
            { value: 0.5, text: 'DEGRADED', color: 'orange' },
            { value: 0, text: 'UNHEALTHY', color: 'red' },
          ],
          steps: [{ color: 'red' }, { from: 0.5, color: 'orange' }, { from: 1, color: 'green' }],
        },
        {
          title: 'Scheduler',
          type: 'stat',
          description: 'Whether the app reports its scheduler enabled (alert SchedulerDisabled).',
          queries: [{ expr: `vigil_scheduler_enabled{${sel}}`, legend: '{{instance}}' }],
          width: 4,
          mappings: [
            { value: 1, text: 'ENABLED', color: 'green' },
            { value: 0, text: 'DISABLED', color: 'red' },
          ],
          steps: [{ color: 'red' }, { from: 1, color: 'green' }],
        },
        {
          title: 'Slowest database ping',
          type: 'stat',
          description: `Alert DatabaseSlow above ${t.dbSlowSeconds} s.`,
          queries: [{ expr: `max(vigil_db_ping_seconds{${sel}})` }],
          width: 4,
          unit: 's',
          steps: [{ color: 'green' }, { from: t.dbSlowSeconds, color: 'red' }],
        },
        {
          title: 'Errors, last hour',
          type: 'stat',
          description: `Alert HighErrorRate above ${t.errorRate}.`,
          queries: [{ expr: `sum(increase(vigil_errors_total{${sel}}[1h]))` }],
          width: 4,
          decimals: 0,
          steps: [{ color: 'green' }, { from: t.errorRate, color: 'red' }],
        },
        {
          title: 'Least free disk',
          type: 'stat',
          description: `Alert DiskSpaceCritical below ${t.diskFreePercent}% free.`,
          queries: [{ expr: `min(vigil_disk_free_bytes{${sel}} / vigil_disk_total_bytes{${sel}}) * 100` }],
          width: 4,
          unit: 'percent',
          decimals: 1,
          steps: [
            { color: 'red' },
            { from: t.diskFreePercent, color: 'orange' },
            { from: Math.min(100, t.diskFreePercent * 2), color: 'green' },
          ],
        },
      ],
    },
    {
      title: 'Checks',
      panels: [
        {
          title: 'Check status',
          type: 'state-timeline',
          description: 'Each check over time: up (healthy or degraded) or down (alert CheckUnhealthy).',
          queries: [{ expr: `vigil_check_up{${sel}}`, legend: '{{check}}' }],
          width: 12,
          mappings: UP_DOWN,
          steps: [{ color: 'red' }, { from: 1, color: 'green' }],
        },
        {
          title: 'Check duration (p95)',
          type: 'timeseries',
          queries: [
            {
              expr: `histogram_quantile(0.95, sum by (le, check) (rate(vigil_check_duration_seconds_bucket{${sel}}[$__rate_interval])))`,
              legend: '{{check}}',
            },
          ],
          width: 12,
          unit: 's',
        },
        {
          title: 'Versions',
          type: 'stat',
          queries: [{ expr: `vigil_info{${sel}}`, legend: '{{service}} {{service_version}} · Vigil {{version}}' }],
          width: 24,
          height: 3,
          showName: true,
          steps: [{ color: 'blue' }],
        },
      ],
    },
    {
      title: 'Resources',
      panels: [
        {
          title: 'Disk used',
          type: 'bargauge',
          queries: [
            {
              expr: `100 - vigil_disk_free_bytes{${sel}} / vigil_disk_total_bytes{${sel}} * 100`,
              legend: '{{instance}} {{path}}',
            },
          ],
          width: 8,
          unit: 'percent',
          min: 0,
          max: 100,
          steps: [
            { color: 'green' },
            { from: Math.max(0, 100 - t.diskFreePercent * 2), color: 'orange' },
            { from: 100 - t.diskFreePercent, color: 'red' },
          ],
        },
        {
          title: 'Database ping',
          type: 'timeseries',
          queries: [{ expr: `vigil_db_ping_seconds{${sel}}`, legend: '{{check}} ({{type}})' }],
          width: 8,
          unit: 's',
          steps: [{ color: 'green' }, { from: t.dbSlowSeconds, color: 'red' }],
        },
        {
          title: 'Errors per hour by kind',
          type: 'timeseries',
          queries: [{ expr: `sum by (kind) (increase(vigil_errors_total{${sel}}[1h]))`, legend: '{{kind}}' }],
          width: 8,
        },
        {
          title: 'Failing metric collectors',
          type: 'timeseries',
          description: 'Collectors of /metrics that failed or timed out (their series are missing meanwhile).',
          queries: [
            {
              expr: `sum by (collector) (increase(vigil_collector_errors_total{${sel}}[$__rate_interval]))`,
              legend: '{{collector}}',
            },
          ],
          width: 24,
          height: 6,
        },
      ],
    },
    {
      title: 'Host (node_exporter)',
      panels: [
        {
          title: 'CPU busy',
          type: 'timeseries',
          queries: [
            {
              expr: `1 - avg by (instance) (rate(node_cpu_seconds_total{${node}, mode="idle"}[$__rate_interval]))`,
              legend: '{{instance}}',
            },
          ],
          width: 8,
          unit: 'percentunit',
          min: 0,
          max: 1,
        },
        {
          title: 'Memory available',
          type: 'timeseries',
          queries: [
            {
              expr: `node_memory_MemAvailable_bytes{${node}} / node_memory_MemTotal_bytes{${node}}`,
              legend: '{{instance}}',
            },
          ],
          width: 8,
          unit: 'percentunit',
          min: 0,
          max: 1,
        },
        {
          title: 'Filesystem free',
          type: 'timeseries',
          queries: [
            {
              expr: `node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}`,
              legend: '{{mountpoint}}',
            },
          ],
          width: 8,
          unit: 'percentunit',
          min: 0,
          max: 1,
        },
      ],
    },
  ];
  if (options.businessExample) {
    const sales = EXAMPLE_BUSINESS_METRICS[0];
    sections.push({
      title: 'Business (example shop)',
      panels: [
        {
          title: "Today's sales (example)",
          type: 'stat',
          description: `${sales}, exported by the example shop app (alert NoSalesActivity).`,
          queries: [{ expr: `sum(${sales}{job="$job"})` }],
          width: 6,
          height: 8,
          decimals: 2,
          steps: [{ color: 'blue' }],
        },
        {
          title: 'Sales today over time (example)',
          type: 'timeseries',
          queries: [{ expr: `sum(${sales}{job="$job"})`, legend: 'sales today' }],
          width: 18,
        },
      ],
    });
  }
  return dashboard({
    uid: APPLICATION_UID,
    title: 'Vigil · Application',
    description: `Is ${options.name} serving: scrape, /health verdict, checks, disk, database, errors and the host.`,
    variables: [
      { name: 'job', label: 'Job', query: 'label_values(vigil_health_status, job)', current: options.app.job },
      {
        name: 'instance',
        label: 'Instance',
        query: 'label_values(vigil_health_status{job="$job"}, instance)',
        multi: true,
      },
    ],
    sections,
  });
}
