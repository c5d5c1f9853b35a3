/**
 * Which monitors this process checks. The scheduler asks before every run, so a change of ownership (a lease
 * won or lost when several `vigil serve` instances share one PostgreSQL) takes effect at the monitor's next
 * slot without touching the schedule. Must be cheap and synchronous: keep the answer in memory and refresh it
 * elsewhere.
 */
export interface MonitorOwnership {
  owns(monitorId: string): boolean;
}

/** A single instance owns every monitor. */
export const ownAll: MonitorOwnership = { owns: () => true };
