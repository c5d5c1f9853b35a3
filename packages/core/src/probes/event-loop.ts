import { type IntervalHistogram, monitorEventLoopDelay } from 'node:perf_hooks';
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import { type Probe, type ProbeResult, round2 } from '../probe.js';
import type { Status } from '../status.js';

export interface EventLoopProbeOptions {
  /** Length of the window the p99 is computed over. Default 10 000 ms. */
  windowMs?: number;
  /** Sampling interval of `monitorEventLoopDelay`, in ms. Default 10. */
  resolution?: number;
  /** Degraded when the p99 delay is above this. Default 100 ms. */
  degradedAboveMs?: number;
  /** Unhealthy when the p99 delay is above this. Default 1000 ms. */
  unhealthyAboveMs?: number;
}

export interface EventLoopCheckOptions extends EventLoopProbeOptions, CheckOptions {}

interface WindowStats {
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  windowMs: number;
}

interface Monitor {
  histogram: IntervalHistogram;
  timer: NodeJS.Timeout;
  resolution: number;
  windowStart: number;
  /** The last complete window. */
  last?: WindowStats;
}

/** One monitor per (resolution, window) in the process, shared by every check that uses it. */
const monitors = new Map<string, Monitor>();

function settings(options: EventLoopProbeOptions) {
  const windowMs = options.windowMs ?? 10_000;
  const resolution = options.resolution ?? 10;
  const degraded = options.degradedAboveMs ?? 100;
  const unhealthy = options.unhealthyAboveMs ?? 1000;
  if (!(windowMs > 0)) throw new TypeError('event_loop: windowMs must be a positive number of milliseconds');
  if (!(Number.isInteger(resolution) && resolution >= 1)) {
    throw new TypeError('event_loop: resolution must be a whole number of milliseconds, at least 1');
  }
  if (!(degraded >= 0 && unhealthy >= 0)) throw new TypeError('event_loop: thresholds must be zero or more ms');
  if (!(degraded < unhealthy)) {
    throw new TypeError(`event_loop: degradedAboveMs (${degraded}) must be lower than unhealthyAboveMs (${unhealthy})`);
  }
  return { windowMs, resolution, degraded, unhealthy };
}

function snapshot(monitor: Monitor): WindowStats {
  const { histogram, resolution } = monitor;
  const windowMs = Math.round(performance.now() - monitor.windowStart);
  if (histogram.count === 0) return { p99Ms: 0, maxMs: 0, meanMs: 0, windowMs };
  // Values are nanoseconds and include the sampling interval itself; the delay is what exceeds it.
  const delay = (ns: number) => round2(Math.max(0, ns / 1e6 - resolution));
  return {
    p99Ms: delay(histogram.percentile(99)),
    maxMs: delay(histogram.max),
    meanMs: delay(histogram.mean),
    windowMs,
  };
}

function sharedMonitor(resolution: number, windowMs: number): Monitor {
  const key = `${resolution}:${windowMs}`;
  const existing = monitors.get(key);
  if (existing) return existing;
  const histogram = monitorEventLoopDelay({ resolution });
  histogram.enable();
  const rotate = () => {
    if (monitors.get(key) !== monitor) return; // stopped meanwhile
    monitor.last = snapshot(monitor);
    histogram.reset();
    monitor.windowStart = performance.now();
  };
  const timer = setInterval(() => {
    // reset() forgets the interval in progress. After a blocked loop this timer and the histogram's are both
    // overdue; rotating in the check phase lets the histogram record the long interval first.
    setImmediate(rotate).unref();
  }, windowMs);
  timer.unref();
  const monitor: Monitor = { histogram, timer, resolution, windowStart: performance.now() };
  monitors.set(key, monitor);
  return monitor;
}

/** Stops the shared event-loop monitors (tests, shutdown). Checks start a fresh one on their next run. */
export function stopEventLoopMonitor(): void {
  for (const monitor of monitors.values()) {
    clearInterval(monitor.timer);
    monitor.histogram.disable();
  }
  monitors.clear();
}

export const eventLoopProbe: Probe<EventLoopProbeOptions> = async (options) => {
  const { windowMs, resolution, degraded, unhealthy } = settings(options);
  const monitor = sharedMonitor(resolution, windowMs);
  // Until a window completes, the partial one is all there is.
  const stats = monitor.last ?? snapshot(monitor);

  let status: Status = 'healthy';
  if (stats.p99Ms > unhealthy) status = 'unhealthy';
  else if (stats.p99Ms > degraded) status = 'degraded';

  const result: ProbeResult = {
    status,
    details: { p99_ms: stats.p99Ms, max_ms: stats.maxMs, mean_ms: stats.meanMs, window_ms: stats.windowMs },
    measurements: [{ measurement: 'delay', value: stats.p99Ms, unit: 'ms' }],
  };
  if (status !== 'healthy') {
    const limit = status === 'unhealthy' ? unhealthy : degraded;
    result.error = `event loop p99 delay ${stats.p99Ms} ms over ${stats.windowMs} ms (above ${limit} ms)`;
  }
  return result;
};

/** p99 event-loop delay over the last complete window. Starts the shared monitor now, so the window begins here. */
export function eventLoopCheck(options: EventLoopCheckOptions = {}): Check {
  const { windowMs, resolution } = settings(options);
  sharedMonitor(resolution, windowMs);
  return defineCheck({ kind: 'event_loop', componentType: 'system' }, options, (context) =>
    eventLoopProbe(options, context),
  );
}
