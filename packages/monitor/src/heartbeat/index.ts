/**
 * Heartbeat monitors: cron jobs ping Vigil (Healthchecks.io-compatible URLs) and the tracker alerts when a ping
 * does not arrive on schedule. See docs/heartbeats.md.
 */
export {
  createSchedule,
  formatInstant,
  formatInZone,
  type HeartbeatSchedule,
  type HeartbeatScheduleConfig,
} from './schedule.js';
export {
  type HeartbeatMonitorConfig,
  type HeartbeatPing,
  type HeartbeatRestoreState,
  type HeartbeatState,
  HeartbeatTracker,
  type HeartbeatTrackerOptions,
  type HeartbeatView,
} from './tracker.js';
export {
  createPingHandler,
  parsePingPath,
  type PingHandler,
  type PingHandlerOptions,
  type PingOutcome,
  type PingReceiver,
  type ReceivedPing,
  trackerReceiver,
} from './ping-handler.js';
export { decidePing, type PingDecision, type PingFilterConfig } from './ping-filter.js';
