/**
 * The monitor's results on /metrics, named in the blackbox_exporter tradition (`vigil_probe_success`,
 * `vigil_probe_duration_seconds`, …) plus each monitor's state and uptime. Values are read at scrape time from
 * the service's memory (the latest result per monitor), never from the targets; uptime ratios come from the
 * store's daily summaries, refreshed in the background so a scrape never waits for the database.
 */
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { MonitorState } from '../model.js';
import { DAY_MS } from '../store/time.js';
import type { MonitorService } from './service.js';

const STATES: readonly MonitorState[] = ['healthy', 'degraded', 'unhealthy', 'pending', 'maintenance', 'paused'];
const PHASES = [
  ['dns', 'dns'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['firstByte', 'first_byte'],
  ['transfer', 'transfer'],
] as const;
/** Uptime windows in UTC days, today included. */
const WINDOWS = [1, 7, 30, 90] as const;

export interface MonitorMetricsOptions {
  /** How often uptime ratios are recomputed. Default 5 minutes. */
  uptimeRefreshMs?: number;
  now?: () => number;
  log?: (line: string) => void;
}

export interface MonitorMetrics {
  /** Recomputes the uptime ratios now. */
  refreshUptime(): Promise<void>;
  stop(): void;
}

export function registerMonitorMetrics(
  registry: Registry,
  service: MonitorService,
  options: MonitorMetricsOptions = {},
): MonitorMetrics {
  const now = options.now ?? Date.now;
  let uptime = new Map<string, Map<number, number>>();

  new Gauge({
    name: 'vigil_probe_success',
    help: 'Whether the last check succeeded (healthy or degraded).',
    labelNames: ['monitor', 'type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { config } of service.allMonitors()) {
        const result = service.latestResult(config.id);
        if (result) this.set({ monitor: config.id, type: config.type }, result.status === 'unhealthy' ? 0 : 1);
      }
    },
  });
  new Gauge({
    name: 'vigil_probe_duration_seconds',
    help: 'Duration of the last check.',
    labelNames: ['monitor', 'type'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { config } of service.allMonitors()) {
        const result = service.latestResult(config.id);
        if (result) this.set({ monitor: config.id, type: config.type }, result.latencyMs / 1000);
      }
    },
  });
  new Gauge({
    name: 'vigil_probe_phase_duration_seconds',
    help: 'Duration of each phase of the last HTTP check: dns, connect, tls, first_byte, transfer.',
    labelNames: ['monitor', 'phase'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { config } of service.allMonitors()) {
        const timings = service.latestResult(config.id)?.timings;
        if (!timings) continue;
        for (const [key, phase] of PHASES) {
          const ms = timings[key];
          if (ms !== undefined) this.set({ monitor: config.id, phase }, ms / 1000);
        }
      }
    },
  });
  new Gauge({
    name: 'vigil_probe_http_status_code',
    help: 'HTTP status of the last check.',
    labelNames: ['monitor'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { config } of service.allMonitors()) {
        const code = service.latestResult(config.id)?.statusCode;
        if (code !== undefined) this.set({ monitor: config.id }, code);
      }
    },
  });
  new Gauge({
    name: 'vigil_probe_ssl_earliest_cert_expiry',
    help: 'Expiry of the earliest certificate in the chain, Unix seconds.',
    labelNames: ['monitor'],
    registers: [registry],
    collect() {
      this.reset();
      for (const { config } of service.allMonitors()) {
        const expiry = service.latestResult(config.id)?.certificateExpiresAt;
        if (expiry !== undefined) this.set({ monitor: config.id }, Math.floor(expiry / 1000));
      }
    },
  });
  new Gauge({
    name: 'vigil_monitor_status',
    help: 'One series per monitor state (healthy, degraded, unhealthy, pending, maintenance, paused), 1 for the current one.',
    labelNames: ['monitor', 'type', 'status'],
    registers: [registry],
    collect() {
      this.reset();
      for (const view of service.views()) {
        for (const status of STATES) {
          this.set({ monitor: view.id, type: view.type, status }, view.state === status ? 1 : 0);
        }
      }
    },
  });
  new Gauge({
    name: 'vigil_monitor_uptime_ratio',
    help: 'Share of checks up over the last 1, 7, 30 or 90 UTC days including today (window 1d, 7d, 30d, 90d).',
    labelNames: ['monitor', 'window'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [monitor, windows] of uptime) {
        for (const [days, ratio] of windows) this.set({ monitor, window: `${days}d` }, ratio);
      }
    },
  });
  // Two gauges rather than a `quantile` label: that label belongs to summaries (promtool says so).
  for (const [name, pick, help] of [
    ['vigil_monitor_lateness_p50_seconds', 'p50', 'median'],
    ['vigil_monitor_lateness_p99_seconds', 'p99', '99th percentile'],
  ] as const) {
    new Gauge({
      name,
      help: `How late checks started against their slot, ${help} over the recent runs.`,
      registers: [registry],
      collect() {
        this.reset();
        const lateness = service.stats().scheduler.lateness;
        if (lateness.count > 0) this.set(lateness[pick] / 1000);
      },
    });
  }
  new Counter({
    name: 'vigil_monitor_checks_total',
    help: 'Checks started by this server.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(service.stats().scheduler.runs);
    },
  });
  new Gauge({
    name: 'vigil_monitor_results_buffered',
    help: 'Results waiting to be stored.',
    registers: [registry],
    collect() {
      this.set(service.stats().recorder.buffered);
    },
  });
  new Counter({
    name: 'vigil_monitor_results_dropped_total',
    help: 'Results lost because the store kept failing.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(service.stats().recorder.dropped);
    },
  });

  const refreshUptime = async (): Promise<void> => {
    const ids = service.allMonitors().map((monitor) => monitor.config.id);
    const today = Math.floor(now() / DAY_MS) * DAY_MS;
    const longest = Math.max(...WINDOWS);
    const days = await service.store.dailySummaries(ids, today - (longest - 1) * DAY_MS, today + DAY_MS, {
      p95: false,
    });
    const next = new Map<string, Map<number, number>>();
    for (const [id, perDay] of days) {
      const windows = new Map<number, number>();
      for (const window of WINDOWS) {
        const from = today - (window - 1) * DAY_MS;
        let checks = 0;
        let failures = 0;
        for (const [day, summary] of perDay) {
          if (day < from) continue;
          checks += summary.checks;
          failures += summary.failures;
        }
        if (checks > 0) windows.set(window, (checks - failures) / checks);
      }
      if (windows.size > 0) next.set(id, windows);
    }
    uptime = next;
  };

  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const loop = () => {
    refreshUptime()
      .catch((error: unknown) =>
        options.log?.(`vigil: computing uptime ratios failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        if (stopped) return;
        timer = setTimeout(loop, options.uptimeRefreshMs ?? 5 * 60_000);
        timer.unref();
      });
  };
  timer = setTimeout(loop, 1000);
  timer.unref();

  return {
    refreshUptime,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
