import { readFile } from 'node:fs/promises';
import v8 from 'node:v8';
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import type { Measurement, Probe, ProbeResult } from '../probe.js';
import { type Status, worstOf } from '../status.js';

export interface MemoryProbeOptions {
  /** Resident set size limit in bytes. Default: the cgroup v2 limit when one is set, else RSS is only reported. */
  rssLimitBytes?: number;
  /** Default 0.9 of the V8 heap limit. */
  heapDegradedRatio?: number;
  /** Default 0.98 of the V8 heap limit. */
  heapUnhealthyRatio?: number;
  /** Default 0.9 of the RSS limit. */
  rssDegradedRatio?: number;
  /** Default 0.98 of the RSS limit. */
  rssUnhealthyRatio?: number;
  /** Replaces `v8.getHeapStatistics` (tests). */
  heapStatistics?: () => { used_heap_size: number; heap_size_limit: number };
  /** Replaces `process.memoryUsage.rss` (tests). */
  rss?: () => number;
  /** Replaces reading the cgroup v2 limit; resolves undefined when there is none (tests). */
  cgroupLimit?: () => Promise<number | undefined>;
}

export interface MemoryCheckOptions extends MemoryProbeOptions, CheckOptions {}

const MB = 1024 ** 2;
const CGROUP_MEMORY_MAX = '/sys/fs/cgroup/memory.max';

/** The container's memory limit under cgroup v2, or undefined when unlimited or not readable. */
export async function readCgroupMemoryLimit(file = CGROUP_MEMORY_MAX): Promise<number | undefined> {
  let text: string;
  try {
    text = (await readFile(file, 'utf8')).trim();
  } catch {
    return undefined; // not Linux, cgroup v1, or not mounted
  }
  if (text === 'max') return undefined;
  const bytes = Number(text);
  return Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}

function thresholds(options: MemoryProbeOptions) {
  const pair = (label: string, degraded: number, unhealthy: number) => {
    if (!(degraded > 0 && unhealthy > 0)) throw new TypeError(`memory: ${label} ratios must be positive numbers`);
    if (!(degraded < unhealthy)) {
      throw new TypeError(
        `memory: ${label}DegradedRatio (${degraded}) must be lower than ${label}UnhealthyRatio (${unhealthy})`,
      );
    }
    return { degraded, unhealthy };
  };
  if (options.rssLimitBytes !== undefined && !(options.rssLimitBytes > 0)) {
    throw new TypeError('memory: rssLimitBytes must be a positive number of bytes');
  }
  return {
    heap: pair('heap', options.heapDegradedRatio ?? 0.9, options.heapUnhealthyRatio ?? 0.98),
    rss: pair('rss', options.rssDegradedRatio ?? 0.9, options.rssUnhealthyRatio ?? 0.98),
  };
}

function grade(ratio: number, limits: { degraded: number; unhealthy: number }): Status {
  if (ratio >= limits.unhealthy) return 'unhealthy';
  if (ratio >= limits.degraded) return 'degraded';
  return 'healthy';
}

export const memoryProbe: Probe<MemoryProbeOptions> = async (options) => {
  const limits = thresholds(options);
  const heap = (options.heapStatistics ?? v8.getHeapStatistics)();
  const rss = (options.rss ?? process.memoryUsage.rss)();
  const rssLimit = options.rssLimitBytes ?? (await (options.cgroupLimit ?? readCgroupMemoryLimit)());

  const heapRatio = heap.used_heap_size / heap.heap_size_limit;
  const heapStatus = grade(heapRatio, limits.heap);
  const problems: string[] = [];
  if (heapStatus !== 'healthy') {
    problems.push(`heap at ${percent(heapRatio)}% of the V8 limit (${mb(heap.heap_size_limit)} MB)`);
  }

  const details: Record<string, unknown> = {
    heap_used_mb: mb(heap.used_heap_size),
    heap_limit_mb: mb(heap.heap_size_limit),
    heap_used_percent: percent(heapRatio),
    rss_mb: mb(rss),
  };
  const measurements: Measurement[] = [
    { measurement: 'heapUsed', value: heap.used_heap_size, unit: 'bytes' },
    { measurement: 'heapUtilization', value: percent(heapRatio), unit: 'percent' },
    { measurement: 'rss', value: rss, unit: 'bytes' },
  ];

  let status = heapStatus;
  if (rssLimit !== undefined) {
    const rssRatio = rss / rssLimit;
    const rssStatus = grade(rssRatio, limits.rss);
    status = worstOf(status, rssStatus);
    if (rssStatus !== 'healthy') problems.push(`rss at ${percent(rssRatio)}% of the limit (${mb(rssLimit)} MB)`);
    details.rss_limit_mb = mb(rssLimit);
    details.rss_used_percent = percent(rssRatio);
    measurements.push({ measurement: 'rssUtilization', value: percent(rssRatio), unit: 'percent' });
  }

  const result: ProbeResult = { status, details, measurements };
  if (problems.length > 0) result.error = problems.join('; ');
  return result;
};

/** V8 heap use against its limit, and RSS against the container's (or a given) limit. */
export function memoryCheck(options: MemoryCheckOptions = {}): Check {
  thresholds(options); // fail at configuration time, not at the first probe
  return defineCheck({ kind: 'memory', componentType: 'system' }, options, (context) => memoryProbe(options, context));
}

function mb(bytes: number): number {
  return Math.round((bytes / MB) * 10) / 10;
}

function percent(ratio: number): number {
  return Math.round(ratio * 1000) / 10;
}
