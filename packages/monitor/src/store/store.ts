import type {
  CheckResult,
  Incident,
  MonitorRuntimeState,
  UptimeSummary,
} from '../model.js';

/** How long each resolution is kept (milliseconds). */
export interface Retention {
  rawMs: number;
  hourlyMs: number;
  dailyMs: number;
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
 * Everything the monitor persists, behind one interface with a SQLite and a PostgreSQL implementation; the same
 * test suite runs against both. Methods that write are safe to call concurrently; `appendResults` writes one
 * batch in one transaction.
 */
export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Creates or upgrades the schema. Idempotent. */
  migrate(): Promise<void>;
  appendResults(results: readonly CheckResult[]): Promise<void>;
  /** Newest first. */
  latestResults(monitorId: string, limit: number): Promise<CheckResult[]>;
  /** Aggregates over [from, to): raw results where they are kept, hourly/daily rollups beyond. */
  summary(monitorId: string, from: number, to: number): Promise<UptimeSummary>;
  /** Per-day summaries for [from, to) (for 90-day status bars), one query for many monitors. */
  dailySummaries(monitorIds: readonly string[], from: number, to: number): Promise<Map<string, Map<number, UptimeSummary>>>;

  openIncident(incident: Omit<Incident, 'id' | 'endedAt'>): Promise<Incident>;
  closeIncident(id: number, endedAt: number): Promise<void>;
  /** Newest first; all monitors when `monitorId` is undefined. */
  incidents(options: { monitorId?: string; limit: number }): Promise<Incident[]>;

  saveRuntimeStates(states: readonly MonitorRuntimeState[]): Promise<void>;
  runtimeStates(): Promise<Map<string, MonitorRuntimeState>>;

  /** Folds raw results into hourly and daily rollups up to `now` and deletes what retention no longer keeps. */
  maintain(now: number, retention: Retention): Promise<void>;

  createToken(token: StoredToken): Promise<void>;
  findTokenByHash(hash: string): Promise<StoredToken | undefined>;
  touchToken(id: string, at: number): Promise<void>;
  listTokens(): Promise<StoredToken[]>;
  deleteToken(id: string): Promise<boolean>;

  listMonitors(): Promise<StoredMonitor[]>;
  saveMonitor(monitor: StoredMonitor): Promise<void>;
  deleteMonitor(id: string): Promise<boolean>;

  close(): Promise<void>;
}
