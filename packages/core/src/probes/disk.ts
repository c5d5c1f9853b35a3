import { promises as fs } from 'node:fs';
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import type { Probe, ProbeResult } from '../probe.js';
import type { Status } from '../status.js';

/** The part of `fs.StatsFs` the disk probe reads. */
export interface DiskStats {
  /** Block size in bytes. */
  bsize: number;
  /** Total blocks. */
  blocks: number;
  /** Free blocks available to unprivileged users. */
  bavail: number;
}

export interface DiskProbeOptions {
  /** Any path on the filesystem to watch. Default `process.cwd()`. */
  path?: string;
  /** Degraded when the free share is below this percentage. Default 15. */
  degradedBelowPercent?: number;
  /** Unhealthy when the free share is below this percentage. Default 5. */
  unhealthyBelowPercent?: number;
  /** Replaces `fs.promises.statfs` (tests). */
  statfs?: (path: string) => Promise<DiskStats>;
}

export interface DiskCheckOptions extends DiskProbeOptions, CheckOptions {}

const GB = 1024 ** 3;

function thresholds(options: DiskProbeOptions): { degraded: number; unhealthy: number } {
  const degraded = options.degradedBelowPercent ?? 15;
  const unhealthy = options.unhealthyBelowPercent ?? 5;
  for (const [key, value] of [
    ['degradedBelowPercent', degraded],
    ['unhealthyBelowPercent', unhealthy],
  ] as const) {
    if (!(value >= 0 && value <= 100)) throw new TypeError(`disk: ${key} must be a percentage between 0 and 100`);
  }
  if (!(unhealthy < degraded)) {
    throw new TypeError(
      `disk: unhealthyBelowPercent (${unhealthy}) must be lower than degradedBelowPercent (${degraded})`,
    );
  }
  return { degraded, unhealthy };
}

export const diskProbe: Probe<DiskProbeOptions> = async (options) => {
  const limits = thresholds(options);
  const path = options.path ?? process.cwd();
  const stats = options.statfs ? await options.statfs(path) : await fs.statfs(path);
  const total = stats.blocks * stats.bsize;
  if (!(total > 0)) return { status: 'unhealthy', error: `filesystem at ${path} reports no capacity` };
  // bavail, not bfree: blocks reserved for root are space the app cannot write, so they count as used.
  const free = stats.bavail * stats.bsize;
  const used = total - free;
  const freePercent = (free / total) * 100;

  let status: Status = 'healthy';
  if (freePercent < limits.unhealthy) status = 'unhealthy';
  else if (freePercent < limits.degraded) status = 'degraded';

  const result: ProbeResult = {
    status,
    details: {
      path,
      total_gb: round1(total / GB),
      used_gb: round1(used / GB),
      free_gb: round1(free / GB),
      free_percent: round1(freePercent),
      // Exact values for Prometheus (vigil_disk_free_bytes / vigil_disk_total_bytes).
      total_bytes: total,
      free_bytes: free,
    },
    measurements: [
      { measurement: 'utilization', value: round1(100 - freePercent), unit: 'percent' },
      { measurement: 'free', value: free, unit: 'bytes' },
    ],
  };
  if (status !== 'healthy') {
    const limit = status === 'unhealthy' ? limits.unhealthy : limits.degraded;
    result.error = `${round1(freePercent)}% free on ${path} (below ${limit}%)`;
  }
  return result;
};

/** Free space on the filesystem holding `path`. */
export function diskCheck(options: DiskCheckOptions = {}): Check {
  thresholds(options); // fail at configuration time, not at the first probe
  return defineCheck({ kind: 'disk', componentType: 'system' }, options, (context) => diskProbe(options, context));
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
