/**
 * Uptime and latency of a monitor over 1h, 24h, 7d, 30d and 90d, from `store.summary` (raw results where they
 * are kept, rollups beyond).
 */
import { json, type Reply } from '../http/json.js';
import type { StoreSummary } from '../store/store.js';
import { API_PREFIX, type ApiContext, type ApiRouter, findMonitor, route } from './context.js';
import type { UptimeJson, UptimeWindowJson, UptimeWindowName } from './schemas.js';
import { roundMs } from '../units.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export const UPTIME_WINDOWS = { '1h': HOUR, '24h': DAY, '7d': 7 * DAY, '30d': 30 * DAY, '90d': 90 * DAY } as const;

export function summaryJson(summary: StoreSummary): UptimeWindowJson {
  return {
    uptime: summary.uptime ?? null,
    checks: summary.checks,
    failures: summary.failures,
    excused: summary.excused,
    latency_avg_ms: summary.latencyAvgMs === undefined ? null : roundMs(summary.latencyAvgMs),
    latency_p95_ms: summary.latencyP95Ms === undefined ? null : roundMs(summary.latencyP95Ms),
  };
}

/** The body: one summary per window, `summaries` in the order of `UPTIME_WINDOWS`. */
export function uptimeJson(summaries: readonly StoreSummary[]): UptimeJson {
  const names = Object.keys(UPTIME_WINDOWS) as UptimeWindowName[];
  return Object.fromEntries(names.map((name, i) => [name, summaryJson(summaries[i] as StoreSummary)])) as UptimeJson;
}

async function uptime(ctx: ApiContext): Promise<Reply> {
  const monitor = findMonitor(ctx, ctx.params.id as string);
  const now = ctx.deps.now();
  const windows = Object.entries(UPTIME_WINDOWS);
  const summaries = await Promise.all(windows.map(([, ms]) => ctx.deps.store.summary(monitor.id, now - ms, now)));
  return json(200, uptimeJson(summaries));
}

export function registerUptimeRoutes(router: ApiRouter): void {
  router.add('GET', `${API_PREFIX}/monitors/:id/uptime`, route('public', uptime));
}
