/** `grafana/dashboards/vigil-monitor.json`: the uptime monitor — status, uptime, latency, certificates. */
import { MONITOR_JOB, type StackOptions } from '../options.js';
import { dashboard, UP_DOWN } from './model.js';

export const MONITOR_UID = 'vigil-monitor';

export function monitorDashboard(options: StackOptions) {
  const days = options.thresholds.certDays;
  const sel = `job="${MONITOR_JOB}", monitor=~"$monitor"`;
  return dashboard({
    uid: MONITOR_UID,
    title: 'Vigil · Uptime monitor',
    description: 'Status, uptime and latency of every monitor of `vigil serve`, and certificate expiry.',
    variables: [
      {
        name: 'monitor',
        label: 'Monitor',
        query: `label_values(vigil_monitor_status{job="${MONITOR_JOB}"}, monitor)`,
        multi: true,
      },
    ],
    sections: [
      {
        title: 'Overview',
        panels: [
          {
            title: 'Monitor process',
            type: 'stat',
            description: 'Whether Prometheus can scrape `vigil serve` (alert VigilMonitorDown).',
            queries: [{ expr: `up{job="${MONITOR_JOB}"}`, legend: '{{instance}}' }],
            width: 6,
            mappings: UP_DOWN,
            steps: [{ color: 'red' }, { from: 1, color: 'green' }],
          },
          {
            title: 'Monitors down',
            type: 'stat',
            description: 'Alerts MonitorDown and HeartbeatMissing.',
            queries: [{ expr: `count(vigil_monitor_status{${sel}, status="unhealthy"} == 1) or vector(0)` }],
            width: 6,
            steps: [{ color: 'green' }, { from: 1, color: 'red' }],
          },
          {
            title: 'Monitors up',
            type: 'stat',
            queries: [{ expr: `count(vigil_monitor_status{${sel}, status="healthy"} == 1) or vector(0)` }],
            width: 6,
            steps: [{ color: 'blue' }],
          },
          {
            title: 'Soonest certificate expiry',
            type: 'stat',
            description: `Alert CertificateExpiringSoon under ${days} days.`,
            queries: [{ expr: `min(vigil_probe_ssl_earliest_cert_expiry{${sel}} - time())` }],
            width: 6,
            unit: 'dtdurations',
            steps: [{ color: 'red' }, { from: days * 86400, color: 'green' }],
          },
        ],
      },
      {
        title: 'Status and uptime',
        panels: [
          {
            title: 'Status',
            type: 'state-timeline',
            queries: [{ expr: `vigil_probe_success{${sel}}`, legend: '{{monitor}}' }],
            width: 24,
            mappings: UP_DOWN,
            steps: [{ color: 'red' }, { from: 1, color: 'green' }],
          },
          {
            title: 'Uptime reported by the monitor',
            type: 'bargauge',
            description: 'Maintenance and paused periods do not count as downtime.',
            queries: [{ expr: `vigil_monitor_uptime_ratio{${sel}}`, legend: '{{monitor}} {{window}}' }],
            width: 12,
            unit: 'percentunit',
            min: 0,
            max: 1,
            decimals: 3,
            steps: [{ color: 'red' }, { from: 0.99, color: 'orange' }, { from: 0.999, color: 'green' }],
          },
          {
            title: 'Successful checks over the selected range',
            type: 'bargauge',
            queries: [{ expr: `avg_over_time(vigil_probe_success{${sel}}[$__range])`, legend: '{{monitor}}' }],
            width: 12,
            unit: 'percentunit',
            min: 0,
            max: 1,
            decimals: 3,
            steps: [{ color: 'red' }, { from: 0.99, color: 'orange' }, { from: 0.999, color: 'green' }],
          },
        ],
      },
      {
        title: 'Latency and certificates',
        panels: [
          {
            title: 'Check duration',
            type: 'timeseries',
            queries: [{ expr: `vigil_probe_duration_seconds{${sel}}`, legend: '{{monitor}} ({{type}})' }],
            width: 12,
            unit: 's',
          },
          {
            title: 'HTTP status',
            type: 'timeseries',
            queries: [{ expr: `vigil_probe_http_status_code{${sel}}`, legend: '{{monitor}}' }],
            width: 12,
          },
          {
            title: 'Days until the certificate expires',
            type: 'bargauge',
            queries: [
              { expr: `(vigil_probe_ssl_earliest_cert_expiry{${sel}} - time()) / 86400`, legend: '{{monitor}}' },
            ],
            width: 24,
            unit: 'd',
            decimals: 0,
            steps: [{ color: 'red' }, { from: days, color: 'orange' }, { from: days * 2, color: 'green' }],
          },
        ],
      },
    ],
  });
}
