/**
 * The one signature of a monitor type: `prepare` turns a loaded monitor into a check that can run many times
 * (everything that can be decided before the first run is decided once, per configuration version), plus what the
 * service needs to know about a monitor of that type without checking it. One file per monitor type in this folder
 * maps the configuration onto the probe it shares with @vigil/health (`@vigil/core`); `index.ts` lists them.
 */
import type { Condition } from '@vigil/core';
import type { MonitorConfig } from '../config/index.js';
import type { CheckResult } from '../model.js';

/** A check's result without what the service adds (which monitor, when, from where). */
export type ProbeOutcome = Omit<CheckResult, 'monitorId' | 'at' | 'location'>;

/** The monitors that are probed on an interval (all but heartbeats). */
export type ProbingMonitor = Exclude<MonitorConfig, { type: 'heartbeat' }>;

export interface MonitorProbeContext {
  /**
   * Aborted at the check's deadline (its reason, `timed out after N ms`, is the check's error), or when the
   * monitor is paused, removed or the server stops. The caller owns the deadline: nothing else times a check out.
   */
  signal: AbortSignal;
  /** Epoch milliseconds at which the signal aborts (drivers that take a timeout are given it). */
  deadline: number;
  /** Clock, epoch milliseconds: certificate expiry and conditions are judged against it. */
  now: () => number;
}

/** One check of a prepared monitor. May throw or reject: `prepareMonitor` turns that into `unhealthy`. */
export type PreparedProbe = (context: MonitorProbeContext) => Promise<ProbeOutcome>;

/** What one monitor-type file exports. `index.ts` lists one of these per type. */
export interface MonitorKind<M extends ProbingMonitor> {
  /**
   * Decides what can be decided before the first check: the parsed URL and headers, the status matcher, the
   * options of the probe. `conditions` are the monitor's, parsed once; they are evaluated on every outcome by
   * `toOutcome` (outcome.ts). May throw for options the probe refuses.
   */
  prepare(monitor: M, conditions: readonly Condition[]): PreparedProbe;
  /** What the checks are aimed at, safe to show (`GET https://shop.example.com/`, `db:5432`). */
  target(monitor: M): string;
  /** The host checks go to, lower-cased (per-host concurrency limits); undefined when there is none. */
  host(monitor: M): string | undefined;
  /** Values that must never appear in a result: passwords, tokens, header values. */
  secrets(monitor: M): string[];
}
