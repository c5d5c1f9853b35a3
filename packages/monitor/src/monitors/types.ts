/**
 * The one signature of a monitor type's prober: a loaded monitor from the configuration and a context in, what
 * the check observed out. One file per monitor type in this folder maps the configuration onto the probe it
 * shares with @vigil/health (`@vigil/core`); `index.ts` dispatches by type, enforces the timeout and never rejects.
 */
import type { MonitorConfig } from '../config/index.js';
import type { CheckResult } from '../model.js';

/** A check's result without what the service adds (which monitor, when, from where). */
export type ProbeOutcome = Omit<CheckResult, 'monitorId' | 'at' | 'location'>;

/** The monitors that are probed on an interval (all but heartbeats). */
export type ProbingMonitor = Exclude<MonitorConfig, { type: 'heartbeat' }>;

export interface MonitorProbeContext {
  /** Aborted at the monitor's timeout, or when the monitor is paused, removed or the server stops. */
  signal: AbortSignal;
  /** Epoch milliseconds after which the result is no longer wanted. */
  deadline: number;
  /** Clock, epoch milliseconds (certificate expiry and `[CERTIFICATE_EXPIRATION]` are computed against it). */
  now: () => number;
}

/** What one monitor-type file exports. May throw or reject: `probeMonitor` turns that into `unhealthy`. */
export type MonitorProber<M extends ProbingMonitor> = (monitor: M, context: MonitorProbeContext) => Promise<ProbeOutcome>;

/**
 * What one monitor-type file exports: its prober and what the service needs to know about a monitor of that type
 * without probing it. `index.ts` lists one of these per type.
 */
export interface MonitorKind<M extends ProbingMonitor> {
  probe: MonitorProber<M>;
  /** What the checks are aimed at, safe to show (`GET https://shop.example.com/`, `db:5432`). */
  target(monitor: M): string;
  /** The host checks go to, lower-cased (per-host concurrency limits); undefined when there is none. */
  host(monitor: M): string | undefined;
  /** Values that must never appear in a result: passwords, tokens, header values. */
  secrets(monitor: M): string[];
}
