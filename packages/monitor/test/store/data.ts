/** Synthetic check results at fixed timestamps, and the figures a summary of them must have. */
import type { Status } from '@vigil/core';
import type { CheckResult } from '../../src/model.js';
import { nearestRank } from '../../src/store/sketch.js';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface SeriesOptions {
  monitorId: string;
  from: number;
  to: number;
  everyMs: number;
  seed?: number;
  /** Share of unhealthy checks. */
  failureRate?: number;
  degradedRate?: number;
  /** Every n-th failed check is excused (its monitor was pending: not downtime). Default 3; 0 for none. */
  excusedEvery?: number;
  location?: string;
}

/** One result every `everyMs` in [from, to), latencies spread log-uniformly over 1 ms..5 s. */
export function series(options: SeriesOptions): CheckResult[] {
  const next = random(options.seed ?? 1);
  const excusedEvery = options.excusedEvery ?? 3;
  let failed = 0;
  const out: CheckResult[] = [];
  for (let at = options.from; at < options.to; at += options.everyMs) {
    const roll = next();
    const status: Status =
      roll < (options.failureRate ?? 0.05)
        ? 'unhealthy'
        : roll < (options.failureRate ?? 0.05) + (options.degradedRate ?? 0.1)
          ? 'degraded'
          : 'healthy';
    const excused = status === 'unhealthy' && excusedEvery > 0 && ++failed % excusedEvery === 0;
    out.push({
      monitorId: options.monitorId,
      at,
      status,
      latencyMs: Math.round(Math.exp(next() * Math.log(5000))),
      location: options.location ?? 'local',
      ...(excused ? { excused: 'pending' as const } : {}),
    });
  }
  return out;
}

export interface Expected {
  checks: number;
  /** Failed checks that were downtime. */
  failures: number;
  /** Failed checks that were not (pending). */
  excused: number;
  degraded: number;
  uptime?: number;
  latencyAvgMs?: number;
  latencyP95Ms?: number;
}

/**
 * What a summary of these results over [from, to) must report: downtime is a failed check that was not excused
 * (`isDowntime`); latency covers the checks that did not fail.
 */
export function expected(results: readonly CheckResult[], from = -Infinity, to = Infinity): Expected {
  const inRange = results.filter((r) => r.at >= from && r.at < to);
  const up = inRange.filter((r) => r.status !== 'unhealthy').map((r) => Math.round(r.latencyMs));
  const excused = inRange.filter((r) => r.status === 'unhealthy' && r.excused !== undefined).length;
  const failures = inRange.length - up.length - excused;
  const out: Expected = {
    checks: inRange.length,
    failures,
    excused,
    degraded: inRange.filter((r) => r.status === 'degraded').length,
  };
  if (inRange.length > 0) out.uptime = (inRange.length - failures) / inRange.length;
  if (up.length > 0) {
    out.latencyAvgMs = up.reduce((a, b) => a + b, 0) / up.length;
    out.latencyP95Ms = nearestRank(up, 0.95);
  }
  return out;
}

/** A result with every optional field set. */
export function fullResult(monitorId: string, at: number): CheckResult {
  return {
    monitorId,
    at,
    status: 'degraded',
    latencyMs: 123,
    statusCode: 200,
    timings: { dns: 1, connect: 2, tls: 3, firstByte: 40, transfer: 5 },
    error: 'response time 123 ms is over the limit (100 ms)',
    components: { database: 'healthy', redis: 'degraded', queue: 'unhealthy' },
    conditions: [
      { condition: '[STATUS] == 200', success: true, output: '[STATUS] == 200' },
      { condition: '[RESPONSE_TIME] < 100', success: false, output: '[RESPONSE_TIME] (123) < 100' },
    ],
    certificateExpiresAt: at + 30 * 86_400_000,
    location: 'eu-west',
  };
}
