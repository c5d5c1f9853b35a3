export { type Clock, type TimerHandle, ManualClock, delay, systemClock } from './clock.js';
export { type MonitorOwnership, ownAll } from './ownership.js';
export {
  type RunAbortReason,
  RunAbortedError,
  type RunInfo,
  type RunNowOutcome,
  type SchedulableMonitor,
  Scheduler,
  type SchedulerOptions,
  type SchedulerStats,
} from './scheduler.js';
export type { LatenessSummary } from './lateness.js';
export { firstDue, nextPhaseSlot, phaseOffset } from './spread.js';
