/**
 * What the main thread and the sidecar thread exchange. Types only (plus the shared-memory layout): the thread's
 * code is evaluated from a string and cannot import anything.
 */

/** Indexes into the shared memory. */
export const SHARED = {
  /** BigInt64 slot: `process.hrtime.bigint()` of the main thread's last heartbeat (one monotonic clock per process). */
  heartbeat: 0,
  /** Int32 slot (in its own view, after the BigInt64 one): 1 once `close()` has begun. */
  closing: 0,
  /** Bytes: one BigInt64 then one Int32, padded to 16. */
  bytes: 16,
  /** Where the Int32 view starts. */
  int32Offset: 8,
} as const;

export interface ListenerState {
  name: string;
  healthy: boolean;
  reason?: string;
}

export interface QueueCounters {
  queue: string;
  processed: number;
  failed: number;
  active: number;
}

export interface ThreadMetricHelp {
  up: string;
  lag: string;
  listenerUp: string;
  processed: string;
  failed: string;
  active: string;
}

/** `workerData` of the thread. */
export interface ThreadConfig {
  host: string;
  port: number;
  /** Lag above this makes `/health` 503. */
  thresholdMs: number;
  /** The heartbeat period: lag is what the last beat is late beyond it. */
  heartbeatIntervalMs: number;
  shared: SharedArrayBuffer;
  layout: typeof SHARED;
  help: ThreadMetricHelp;
  /** Whether the main thread has extra metrics (e.g. a prom-client registry) to append to `/metrics`. */
  extraMetrics: boolean;
  /** How long a scrape waits for the main thread's extra metrics before serving the last ones it got. */
  extraMetricsTimeoutMs: number;
}

export type ToThread =
  | { type: 'listeners'; listeners: ListenerState[] }
  | { type: 'jobs'; queues: QueueCounters[] }
  | { type: 'metrics'; id: number; text: string }
  | { type: 'close' };

export type FromThread =
  | { type: 'listening'; host: string; port: number }
  | { type: 'failed'; message: string; code?: string }
  | { type: 'collect'; id: number }
  | { type: 'closed' };
