/**
 * The server's own /health, /livez, /readyz through @vigil/health: the store answers and accepts writes, the
 * scheduler runs and starts checks on time, results are being stored. Anonymous callers see the statuses; the
 * details (counts of monitors, runs, buffered results) need an API token: they would tell how many private
 * monitors there are.
 */
import { createHealth, customCheck, type Health, type HealthRequest } from '@vigil/health';
import { VIGIL_VERSION } from './version.js';
import type { MonitorService } from './service.js';

/**
 * The monitor's own event-loop lag is sampled ten times a second, not a hundred (prom-client's default): each
 * sample wakes the process, and an idle monitor spent more CPU on those wake-ups than on anything else. Its
 * checks' lateness, measured by the scheduler for every check, is the figure that says whether it keeps up.
 */
export const EVENT_LOOP_RESOLUTION_MS = 100;

/** Checks starting later than this (p99 over the recent runs) make the server degraded. */
export const LATENESS_DEGRADED_MS = 1000;
/** ... and later than this, unhealthy: monitors are no longer checked on schedule. */
export const LATENESS_UNHEALTHY_MS = 10_000;

export function createSelfHealth(
  service: MonitorService,
  options: { authorize?: (request: HealthRequest) => Promise<boolean> } = {},
): Health {
  return createHealth({
    service: { name: 'vigil-monitor', version: VIGIL_VERSION },
    showDetails: 'when-authorized',
    showComponents: 'always',
    metrics: { eventLoopResolutionMs: EVENT_LOOP_RESOLUTION_MS },
    ...(options.authorize ? { authorize: options.authorize } : {}),
    checks: [
      customCheck(
        'store',
        async () => {
          await service.store.ping();
          return { status: 'healthy', details: { kind: service.store.kind } };
        },
        { timeoutMs: 3000, cacheTtlMs: 5000 },
      ),
      customCheck(
        'scheduler',
        () => {
          const stats = service.stats().scheduler;
          const details = {
            monitors: stats.monitors,
            runs: stats.runs,
            running: stats.running,
            queued: stats.queued,
            lateness_p50_ms: Math.round(stats.lateness.p50),
            lateness_p99_ms: Math.round(stats.lateness.p99),
          };
          if (!service.isRunning) return { status: 'unhealthy', error: 'the scheduler is not running', details };
          if (stats.lateness.count > 0 && stats.lateness.p99 > LATENESS_UNHEALTHY_MS) {
            return { status: 'unhealthy', error: `checks start ${details.lateness_p99_ms} ms late (p99)`, details };
          }
          if (stats.lateness.count > 0 && stats.lateness.p99 > LATENESS_DEGRADED_MS) {
            return { status: 'degraded', error: `checks start ${details.lateness_p99_ms} ms late (p99)`, details };
          }
          return { status: 'healthy', details };
        },
        { cacheTtlMs: 1000 },
      ),
      customCheck(
        'results',
        () => {
          const stats = service.stats().pipeline;
          const details = {
            buffered: stats.buffered,
            written: stats.written,
            dropped: stats.dropped,
            state_changes_waiting: stats.waitingSteps,
          };
          const waiting = stats.waitingSteps > 0 ? `; ${stats.waitingSteps} monitors wait for their state change to be stored` : '';
          if (stats.failingWrites >= 3) {
            return {
              status: 'unhealthy',
              error: `storing results failed ${stats.failingWrites} times in a row; ${stats.buffered} results wait in memory${waiting}`,
              details,
            };
          }
          if (stats.failingWrites > 0) {
            return { status: 'degraded', error: `the last write of results failed; it is being retried${waiting}`, details };
          }
          return { status: 'healthy', details };
        },
        { cacheTtlMs: 1000 },
      ),
    ],
  });
}
