import { collectDefaultMetrics, Gauge, type Registry } from 'prom-client';

/**
 * prom-client's default metrics that `promtool check metrics` rejects: gauges named like counters
 * ("non-counter metrics should not have "_total" suffix"). Each is the total of the `type`-labelled family of
 * the same stem, and is re-exposed under a compliant name with the same value.
 */
export const RENAMED_DEFAULT_METRICS: Readonly<Record<string, { name: string; help: string; count: () => number }>> = {
  nodejs_active_handles_total: {
    name: 'nodejs_active_handles_all',
    help: 'Number of active libuv handles, all types together (prom-client: nodejs_active_handles_total).',
    count: () => activeHandles().length,
  },
  nodejs_active_requests_total: {
    name: 'nodejs_active_requests_all',
    help: 'Number of active libuv requests, all types together (prom-client: nodejs_active_requests_total).',
    count: () => activeRequests().length,
  },
  nodejs_active_resources_total: {
    name: 'nodejs_active_resources_all',
    help:
      'Number of resources keeping the event loop alive, all types together ' +
      '(prom-client: nodejs_active_resources_total).',
    count: () => process.getActiveResourcesInfo().length,
  },
};

// Undocumented Node APIs prom-client reads too; absent in some runtimes.
type ProcessInternals = { _getActiveHandles?: () => unknown[]; _getActiveRequests?: () => unknown[] };
const activeHandles = () => (process as unknown as ProcessInternals)._getActiveHandles?.() ?? [];
const activeRequests = () => (process as unknown as ProcessInternals)._getActiveRequests?.() ?? [];

/**
 * The Node.js process and runtime metrics (CPU, memory, file descriptors, event-loop lag, heap spaces, GC,
 * active handles) on this registry only — never the global one — with the non-compliant names fixed.
 */
export function registerDefaultMetrics(registry: Registry, options: { eventLoopResolutionMs: number }): void {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: options.eventLoopResolutionMs });
  for (const [original, replacement] of Object.entries(RENAMED_DEFAULT_METRICS)) {
    // prom-client only registers what the runtime supports; replace exactly those.
    if (!registry.getSingleMetric(original)) continue;
    registry.removeSingleMetric(original);
    new Gauge({
      name: replacement.name,
      help: replacement.help,
      registers: [registry],
      collect() {
        this.set(replacement.count());
      },
    });
  }
}
