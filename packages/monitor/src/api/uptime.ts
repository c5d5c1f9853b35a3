/**
 * Uptime and latency of a monitor over 1h, 24h, 7d, 30d and 90d, from `store.summary` (raw results where they
 * are kept, rollups beyond).
 */
import { json, type Reply } from '../http/json.js';
import type { UptimeSummary } from '../model.js';
import { API_PREFIX, type ApiContext, type ApiRouter, findMonitor } from './context.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const UPTIME_WINDOWS = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY } as const;

export function summaryJson(summary: UptimeSummary): Record<string, number | null> {
  return {
    uptime: summary.uptime ?? null,
    checks: summary.checks,
    failures: summary.failures,
    latency_avg_ms: summary.latencyAvgMs ?? null,
    latency_p95_ms: summary.latencyP95Ms ?? null,
  };
}

async function uptime(ctx: ApiContext): Promise<Reply> {
  const monitor = findMonitor(ctx, ctx.params.id as string);
  const now = ctx.deps.now();
  const windows = Object.entries(UPTIME_WINDOWS);
  const summaries = await Promise.all(windows.map(([, ms]) => ctx.deps.store.summary(monitor.id, now - ms, now)));
  return json(200, Object.fromEntries(windows.map(([name], i) => [name, summaryJson(summaries[i] as UptimeSummary)])));
}

export function registerUptimeRoutes(router: ApiRouter): void {
  router.add('GET', `${API_PREFIX}/monitors/:id/uptime`, uptime);
}
