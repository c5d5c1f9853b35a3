/**
 * The monitor's results on /metrics, named in the blackbox_exporter tradition (`vigil_probe_success`,
 * `vigil_probe_duration_seconds`, …) plus each monitor's state and uptime. Values are read at scrape time from
 * the service's memory (the latest result per monitor), never from the targets; uptime ratios come from the
 * store's daily summaries, refreshed in the background so a scrape never waits for the database.
 *
 * The per-monitor families are rendered straight to text rather than through prom-client: with 10,000 monitors
 * they are 120,000 series, and building prom-client's label maps for them on every scrape cost most of a
 * second and hundreds of megabytes. The server's own few series stay in prom-client (the Health's registry).
 */
import type { Registry } from 'prom-client';
import { Counter, Gauge } from 'prom-client';
import type { MonitorConfig } from '../config/index.js';
import { type CheckResult, MONITOR_STATES, type MonitorState } from '../model.js';
import { describeError, type Logger } from '../log/logger.js';
import { DAY_MS } from '../store/time.js';
import { msToSeconds } from '../units.js';
import type { MonitorService } from './service.js';

const PHASES = [
  ['dns', 'dns'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['firstByte', 'first_byte'],
  ['transfer', 'transfer'],
] as const;
/** Uptime windows in UTC days, today included. */
const WINDOWS = [1, 7, 30, 90] as const;
// About 1,300 lines: below V8's large-object size (128 KB), so a chunk dies young instead of in large-object
// space, and large enough that a scrape of 100,000 monitors is about 1,000 chunks, each waiting its turn of the
// event loop (http/write-chunks.ts).
const CHUNK_CHARS = 96 * 1024;

export interface MonitorMetricsOptions {
  /** How often uptime ratios are recomputed. Default 5 minutes. */
  uptimeRefreshMs?: number;
  now?: () => number;
  logger?: Logger;
}

/** Which monitors a scrape shows (anonymous scrapes: the public ones, unless `metrics.public: all`). */
export type MonitorFilter = (monitor: MonitorConfig) => boolean;

const EVERY_MONITOR: MonitorFilter = () => true;

export interface MonitorMetrics {
  /** The per-monitor families in the given exposition format (no `# EOF`), of the monitors `visible` lets through. */
  render(format: 'text' | 'openmetrics', visible?: MonitorFilter): string;
  /** The same, in chunks to write one after the other. */
  renderChunks(format: 'text' | 'openmetrics', visible?: MonitorFilter): Generator<string>;
  /** Recomputes the uptime ratios now. */
  refreshUptime(): Promise<void>;
  stop(): void;
}

/** A visible monitor in one scrape, read once for every family: its labels escaped, state, latest result, uptime. */
interface Scraped {
  id: string;
  type: string;
  state: MonitorState;
  result: CheckResult | undefined;
  uptime: ReadonlyMap<number, number> | undefined;
}

interface Family {
  name: string;
  help: string;
  /**
   * The family's series as text lines (`name{labels} value`, each ending in a newline; a string may hold several),
   * produced lazily so a scrape holds one chunk at a time. Lines, not `[labels, value]` pairs: 100,000 monitors are
   * 1.2 million series, and a pair and two more strings per series were much of a scrape's CPU (docs/benchmarks.md).
   */
  lines(name: string, monitors: readonly Scraped[]): Iterable<string>;
}

/** A label value as the exposition formats want it (ids are `[a-z0-9_-]`, but names of types or phases could change). */
function label(value: string): string {
  return /^[A-Za-z0-9_.:-]*$/.test(value) ? value : value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function registerMonitorMetrics(
  registry: Registry,
  service: MonitorService,
  options: MonitorMetricsOptions = {},
): MonitorMetrics {
  const now = options.now ?? Date.now;
  let uptime = new Map<string, Map<number, number>>();

  // The server's own series: few, and cheap through prom-client.
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
        if (lateness.count > 0) this.set(msToSeconds(lateness[pick]));
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
      this.set(service.stats().pipeline.buffered);
    },
  });
  new Counter({
    name: 'vigil_monitor_results_dropped_total',
    help: 'Results lost because the store kept failing.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(service.stats().pipeline.dropped);
    },
  });
  const notifications = new Counter({
    name: 'vigil_notifications_total',
    help: 'Attempts to send an alert notification, by channel and outcome (delivered, transient, permanent, dead: given up).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  service.alerting.onAttempt((channel, outcome) => notifications.inc({ channel, outcome }));
  let backlog: { pending: number; oldestCreatedAt?: number } = { pending: 0 };
  new Gauge({
    name: 'vigil_notifications_pending',
    help: 'Alert notifications waiting to be delivered (queued or being retried).',
    registers: [registry],
    async collect() {
      try {
        backlog = await service.store.notificationBacklog();
      } catch {
        // The store's own health says so; the last figures stay.
      }
      this.set(backlog.pending);
    },
  });
  new Gauge({
    name: 'vigil_notifications_oldest_pending_seconds',
    help: 'Age of the oldest alert notification still waiting to be delivered (0 when none).',
    registers: [registry],
    collect() {
      this.set(backlog.oldestCreatedAt === undefined ? 0 : Math.max(0, msToSeconds(now() - backlog.oldestCreatedAt)));
    },
  });
  new Gauge({
    name: 'vigil_monitor_state_changes_waiting',
    help: 'Monitors whose state change waits for the store (their checks go on, their state does not move until it is stored).',
    registers: [registry],
    collect() {
      this.set(service.stats().pipeline.waitingSteps);
    },
  });

  /** The scrape's monitors that have a result (read once at the start of the scrape, for every family). */
  function* latest(monitors: readonly Scraped[]): Generator<Scraped & { result: CheckResult }> {
    for (const monitor of monitors) if (monitor.result !== undefined) yield monitor as Scraped & { result: CheckResult };
  }
  const families: Family[] = [
    {
      name: 'vigil_probe_success',
      help: 'Whether the last check succeeded (healthy or degraded).',
      *lines(name, monitors) {
        for (const { id, type, result } of latest(monitors)) {
          yield `${name}{monitor="${id}",type="${type}"} ${result.status === 'unhealthy' ? 0 : 1}\n`;
        }
      },
    },
    {
      name: 'vigil_probe_duration_seconds',
      help: 'Duration of the last check.',
      *lines(name, monitors) {
        for (const { id, type, result } of latest(monitors)) yield `${name}{monitor="${id}",type="${type}"} ${msToSeconds(result.latencyMs)}\n`;
      },
    },
    {
      name: 'vigil_probe_phase_duration_seconds',
      help: 'Duration of each phase of the last HTTP check: dns, connect, tls, first_byte, transfer.',
      *lines(name, monitors) {
        for (const { id, result } of latest(monitors)) {
          if (!result.timings) continue;
          let text = '';
          for (const [key, phase] of PHASES) {
            const ms = result.timings[key];
            if (ms !== undefined) text += `${name}{monitor="${id}",phase="${phase}"} ${msToSeconds(ms)}\n`;
          }
          if (text !== '') yield text;
        }
      },
    },
    {
      name: 'vigil_probe_http_status_code',
      help: 'HTTP status of the last check.',
      *lines(name, monitors) {
        for (const { id, result } of latest(monitors)) {
          if (result.statusCode !== undefined) yield `${name}{monitor="${id}"} ${result.statusCode}\n`;
        }
      },
    },
    {
      name: 'vigil_probe_ssl_earliest_cert_expiry',
      help: 'Expiry of the earliest certificate in the chain, Unix seconds.',
      *lines(name, monitors) {
        for (const { id, result } of latest(monitors)) {
          if (result.certificateExpiresAt !== undefined) {
            yield `${name}{monitor="${id}"} ${Math.floor(result.certificateExpiresAt / 1000)}\n`;
          }
        }
      },
    },
    {
      name: 'vigil_monitor_status',
      help: `One series per monitor state (${MONITOR_STATES.join(', ')}), 1 for the current one.`,
      *lines(name, monitors) {
        for (const { id, type, state } of monitors) {
          const prefix = `{monitor="${id}",type="${type}",status="`;
          let text = '';
          for (const status of MONITOR_STATES) text += `${name}${prefix}${status}"} ${state === status ? 1 : 0}\n`;
          yield text;
        }
      },
    },
    {
      name: 'vigil_cluster_owned_monitors',
      help: 'Several instances on one PostgreSQL: the monitors this instance holds the lease of (and checks).',
      *lines(name) {
        const leases = service.leaseStats();
        if (leases !== undefined) yield `${name} ${leases.owned}\n`;
      },
    },
    {
      name: 'vigil_cluster_live_instances',
      help: 'Several instances on one PostgreSQL: the instances alive at this one\'s last lease round, itself included.',
      *lines(name) {
        const leases = service.leaseStats();
        if (leases !== undefined) yield `${name} ${leases.liveInstances}\n`;
      },
    },
    {
      name: 'vigil_monitor_uptime_ratio',
      help: 'Share of checks up over the last 1, 7, 30 or 90 UTC days including today (window 1d, 7d, 30d, 90d).',
      *lines(name, monitors) {
        for (const { id, uptime: windows } of monitors) {
          // Computed every few minutes: a monitor added since has none yet.
          if (windows === undefined) continue;
          let text = '';
          for (const [days, ratio] of windows) text += `${name}{monitor="${id}",window="${days}d"} ${ratio}\n`;
          yield text;
        }
      },
    },
  ];

  /**
   * The text in chunks of about `CHUNK_CHARS` characters, produced as they are asked for: the caller writes one and
   * waits for the socket before asking for the next, so a scrape of 10,000 monitors never holds all of it.
   */
  function* renderChunks(format: 'text' | 'openmetrics', visible: MonitorFilter = EVERY_MONITOR): Generator<string> {
    const monitors: Scraped[] = [];
    for (const { monitor, state } of service.statuses()) {
      const { id, type } = monitor.config;
      if (visible(monitor.config)) {
        monitors.push({ id: label(id), type: label(type), state, result: service.latestResult(id), uptime: uptime.get(id) });
      }
    }
    let chunk = '';
    for (const family of families) {
      let started = false;
      for (const lines of family.lines(family.name, monitors)) {
        if (!started) {
          started = true;
          chunk += `# HELP ${family.name} ${family.help}\n# TYPE ${family.name} gauge\n`;
          if (format === 'openmetrics' && family.name.endsWith('_seconds')) chunk += `# UNIT ${family.name} seconds\n`;
        }
        chunk += lines;
        if (chunk.length >= CHUNK_CHARS) {
          yield chunk;
          chunk = '';
        }
      }
    }
    if (chunk.length > 0) yield chunk;
  }

  const render = (format: 'text' | 'openmetrics', visible: MonitorFilter = EVERY_MONITOR): string =>
    [...renderChunks(format, visible)].join('');

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
        options.logger?.error({ event: 'uptime_failed', error: describeError(error) }, 'computing uptime ratios failed'),
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
    render,
    renderChunks,
    refreshUptime,
    stop: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
