import type {
  CheckResult,
  Incident,
  MonitorRuntimeState,
  UptimeSummary,
} from '../model.js';
import { DAY_MS } from './time.js';

/** How long each resolution is kept (milliseconds). */
export interface Retention {
  rawMs: number;
  hourlyMs: number;
  dailyMs: number;
}

/** 7 days of raw results, 90 days of hourly and 2 years of daily rollups. */
export const DEFAULT_RETENTION: Readonly<Retention> = Object.freeze({
  rawMs: 7 * DAY_MS,
  hourlyMs: 90 * DAY_MS,
  dailyMs: 730 * DAY_MS,
});

/** The `retention` section of a loaded configuration (durations in milliseconds) as a `Retention`. */
export function retentionFromConfig(retention: { raw: number; hourly: number; daily: number }): Retention {
  return { rawMs: retention.raw, hourlyMs: retention.hourly, dailyMs: retention.daily };
}

/** An API token as stored: only a hash of the secret. */
export interface StoredToken {
  id: string;
  name: string;
  /** SHA-256 of the token, hex. */
  hash: string;
  createdAt: number;
  lastUsedAt?: number;
}

/** A monitor created through the API (config-file monitors are never stored here). */
export interface StoredMonitor {
  id: string;
  /** The monitor's configuration as validated JSON (the same shape as a config-file entry). */
  definition: unknown;
  createdAt: number;
  updatedAt: number;
}

/**
 * A summary as the store computes it. Latency figures cover the checks that were not `unhealthy` (a refused or
 * timed-out check has no meaningful response time).
 */
export interface StoreSummary extends UptimeSummary {
  /** Checks whose status was `degraded` (they count as up). */
  degraded: number;
  /**
   * True when every figure comes from raw results; false when rollups contributed, in which case the p95 is the
   * sketch's estimate (within `SKETCH_RELATIVE_ERROR` of the exact value) while counts and average stay exact.
   */
  exact: boolean;
}

/** What `migrate` did: the schema version before and after (equal when there was nothing to do). */
export interface MigrationReport {
  from: number;
  to: number;
}

/** What one `maintain` run did. */
export interface MaintenanceReport {
  /** False when another process was already maintaining this store (PostgreSQL); nothing was done. */
  ran: boolean;
  /** Hours newly folded into hourly rollups (for every monitor). */
  hoursRolledUp: number;
  /** Days newly folded into daily rollups. */
  daysRolledUp: number;
  /** (monitor, hour) rollups recomputed because results arrived after their hour had been rolled up. */
  lateHoursRecomputed: number;
  /** Rows deleted because retention no longer keeps them. */
  deleted: { results: number; hourly: number; daily: number; incidents: number };
}

/** Space used, for benchmarks and diagnostics (counting results scans the table: not for hot paths). */
export interface StoreUsage {
  /** Raw results stored. */
  results: number;
  /** Bytes used by raw results, with their primary key (and index, on PostgreSQL). */
  resultBytes: number;
  /** Bytes used by the whole store (SQLite: the database file without free pages; PostgreSQL: the schema). */
  totalBytes: number;
}

/**
 * Everything the monitor persists, behind one interface with a SQLite and a PostgreSQL implementation; the same
 * test suite runs against both. Methods that write are safe to call concurrently; `appendResults` writes one
 * batch in one transaction. Open one with `openStore` (./open.ts).
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema. Idempotent; safe when several processes start at once. */
  migrate(): Promise<MigrationReport>;
  /** Checks that the store answers and accepts writes (for the server's own /health); throws otherwise. */
  ping(): Promise<void>;
  /**
   * Writes a batch in one transaction. A result with the same monitor, time and location as a stored one is
   * ignored, so a batch retried after an unclear failure is not counted twice. Latencies and timings are kept
   * to the whole millisecond.
   */
  appendResults(results: readonly CheckResult[]): Promise<void>;
  /** Newest first. */
  latestResults(monitorId: string, limit: number): Promise<CheckResult[]>;
  /**
   * Aggregates over [from, to): raw results where they are kept (exact), hourly then daily rollups beyond. Beyond
   * the raw window, a rollup bucket counts when its start lies in [from, to).
   */
  summary(monitorId: string, from: number, to: number): Promise<StoreSummary>;
  /**
   * Per-day summaries of every UTC day that overlaps [from, to) (for 90-day status bars), keyed by the day's start
   * (epoch ms, UTC midnight); days without checks are absent, and every requested id has a map (empty if no
   * data). One query per resolution (daily rollups, hourly rollups, raw results) for all the monitors. Every
   * figure is exact except the p95 (`exact` is false); `{ p95: false }` leaves the p95 out, which makes the
   * query over the day in progress several times cheaper (uptime bars need no percentile).
   */
  dailySummaries(
    monitorIds: readonly string[],
    from: number,
    to: number,
    options?: { p95?: boolean },
  ): Promise<Map<string, Map<number, StoreSummary>>>;

  openIncident(incident: Omit<Incident, 'id' | 'endedAt'>): Promise<Incident>;
  /** Sets the end of an open incident; false when it does not exist or was already closed (the first end stays). */
  closeIncident(id: number, endedAt: number): Promise<boolean>;
  /** Newest (by start) first; all monitors when `monitorId` is undefined. */
  incidents(options: { monitorId?: string; limit: number }): Promise<Incident[]>;

  /** Inserts or replaces each monitor's state. */
  saveRuntimeStates(states: readonly MonitorRuntimeState[]): Promise<void>;
  runtimeStates(): Promise<Map<string, MonitorRuntimeState>>;

  /**
   * Folds raw results into hourly rollups (each hour once it ended and settled) and hourly into daily rollups
   * (each UTC day once all its hours are rolled up), recomputes rollups of hours that received late results, and
   * deletes what retention no longer keeps (in bounded batches; ended incidents follow daily retention).
   * Idempotent: running it again, concurrently, or after a crash never counts a result twice. Call it every few
   * minutes with the current time.
   */
  maintain(now: number, retention: Retention): Promise<MaintenanceReport>;

  createToken(token: StoredToken): Promise<void>;
  findTokenByHash(hash: string): Promise<StoredToken | undefined>;
  touchToken(id: string, at: number): Promise<void>;
  /** Oldest first. */
  listTokens(): Promise<StoredToken[]>;
  deleteToken(id: string): Promise<boolean>;

  /** Ordered by id. */
  listMonitors(): Promise<StoredMonitor[]>;
  /** Inserts or updates; an update keeps the first `createdAt`. */
  saveMonitor(monitor: StoredMonitor): Promise<void>;
  /** Deletes the definition only; the monitor's results stay until retention removes them. */
  deleteMonitor(id: string): Promise<boolean>;

  /** Space used (scans the results table). */
  usage(): Promise<StoreUsage>;

  /** Closes the database (SQLite) or the pool (PostgreSQL). Idempotent. */
  close(): Promise<void>;
}
