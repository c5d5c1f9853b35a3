/**
 * The embedded store: one SQLite file through better-sqlite3, in WAL mode with `synchronous = NORMAL` (a crash
 * of the process loses nothing committed; a power cut may lose the last transactions). better-sqlite3 is
 * synchronous, so every method does its work in one synchronous call wrapped in a promise: nothing interleaves
 * inside a transaction, and each call is short (maintenance works in small steps and yields between them).
 */
import Database from 'better-sqlite3';
import type { CheckResult, Incident, MonitorRuntimeState, StateChangeEvent } from '../model.js';
import {
  assembleBuckets,
  buildRollups,
  emptySummary,
  type ExactAggregate,
  mergeRollups,
  P95,
  type PackedRollups,
  type RawGroup,
  type RollupRow,
  type StoredRollup,
  summaryOf,
  Tally,
} from './aggregate.js';
import {
  decodeResult,
  encodeResult,
  RESULT_COLUMNS,
  RESULT_SELECT,
  type ResultRow,
  resultLabels,
  resultValues,
  rowLabelKeys,
  UNHEALTHY,
} from './codec.js';
import {
  DEFAULT_MAINTENANCE,
  type MaintenanceOps,
  type MaintenanceOptions,
  type PurgeTable,
  runMaintenance,
  Serial,
} from './maintain.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite.js';
import { ensurePrivateFile } from './private-files.js';
import { type BucketSize, metaEntries, planBuckets, planSummary, type Watermarks, watermarksFrom } from './plan.js';
import { checkKeep, PING_COLUMNS, PING_INSERT_COLUMNS, pingCursor, pingFrom, type PingRow, pingValues } from './ping-rows.js';
import { nearestRankOffset, sketchBucket } from './sketch.js';
import {
  AUDIT_COLUMNS,
  AUDIT_INSERT_COLUMNS,
  auditFrom,
  type AuditRow,
  auditValues,
  checkIncident,
  checkLimit,
  checkRange,
  definitionJson,
  EVENT_COLUMNS,
  EVENT_INSERT_COLUMNS,
  eventFrom,
  eventOf,
  type EventRow,
  eventValues,
  incidentFrom,
  INCIDENT_COLUMNS,
  type IncidentRow,
  monitorFrom,
  type MonitorRow,
  runtimeStateFrom,
  type RuntimeStateRow,
  STATE_COLUMNS,
  STATE_INSERT_COLUMNS,
  STATE_UPDATE_SET,
  stateValues,
  stepFollows,
  tokenFrom,
  type TokenRow,
  withoutIncident,
  ATTEMPT_COLUMNS,
  ATTEMPT_INSERT_COLUMNS,
  attemptFrom,
  type AttemptRow,
  attemptValues,
  CLAIMABLE,
  claimedFrom,
  NOTIFICATION_COLUMNS,
  NOTIFICATION_INSERT_COLUMNS,
  type NotificationRow,
  notificationValues,
  nextValues,
  storedNotificationFrom,
  applyStatusIncidentChange,
  newStatusIncidentValues,
  STATUS_INCIDENT_COLUMNS,
  STATUS_INCIDENT_INSERT_COLUMNS,
  type StatusIncidentRow,
  statusIncidentsFrom,
  STATUS_UPDATE_COLUMNS,
  STATUS_UPDATE_INSERT_COLUMNS,
  type StatusUpdateRow,
  MAINTENANCE_COLUMNS,
  MAINTENANCE_INSERT_COLUMNS,
  maintenanceFrom,
  type MaintenanceRow,
  newMaintenanceValues,
} from './rows.js';
import type {
  AuditEntry,
  ClaimedNotification,
  DeliveryAttempt,
  DeliveryNext,
  DeliveryStatus,
  StoredNotification,
  CommitResult,
  InstanceLock,
  MaintenanceReport,
  MigrationReport,
  MonitorCommit,
  NewAuditEntry,
  NewMaintenance,
  NewStatusIncident,
  PingRecord,
  Retention,
  StatusIncident,
  StatusIncidentChange,
  Store,
  StoredMaintenance,
  StoredMonitor,
  StoredPing,
  StoredToken,
  StoreSummary,
  StoreUsage,
} from './store.js';
import { DAY_MS, floorTo, HOUR_MS } from './time.js';

export interface SqliteStoreOptions extends Partial<MaintenanceOptions> {
  /** How long a write waits for another process's lock before failing. Default 5 s. */
  busyTimeoutMs?: number;
}

type Param = number | string | null | Buffer;

const ROLLUP_TABLES = { hourly: 'rollups_hourly', daily: 'rollups_daily' } as const;
/** Monitors a purge step visits at most (see `purge`). */
const PURGE_MONITORS_PER_STEP = 500;

const PURGE_TARGETS: Record<PurgeTable, { table: string; column: string }> = {
  results: { table: 'results', column: 'at' },
  hourly: { table: 'rollups_hourly', column: 'bucket_start' },
  daily: { table: 'rollups_daily', column: 'bucket_start' },
};
const ROLLUP_SELECT =
  'monitor_key AS key, bucket_start AS bucketStart, checks, failures, excused, degraded, latency_sum AS latencySum, latency_p95 AS p95';
const KEYS_IN = 'monitor_key IN (SELECT value FROM json_each(@keys))';
const RAW_GROUPS = `
  SELECT monitor_key AS key, at - at % @size AS bucket, status,
         CASE WHEN status >= ${UNHEALTHY} THEN 0 ELSE vigil_latency_bucket(latency) END AS latencyBucket,
         count(*) AS count, sum(latency) AS latencySum
  FROM results
  WHERE ${KEYS_IN} AND at >= @from AND at < @to
  GROUP BY 1, 2, 3, 4
  ORDER BY 1, 2`;

const RAW_TOTALS = `
  SELECT monitor_key AS key, at - at % @size AS bucket, status, 0 AS latencyBucket, count(*) AS count, sum(latency) AS latencySum
  FROM results
  WHERE ${KEYS_IN} AND at >= @from AND at < @to
  GROUP BY 1, 2, 3`;

const STATE_SELECT = `SELECT ${STATE_COLUMNS} FROM runtime_states`;
const STATE_PLACEHOLDERS = STATE_INSERT_COLUMNS.split(', ').map(() => '?').join(', ');
// One constant text: the statement cache is keyed by it, and this runs once per monitor and batch.
const STATE_UPSERT = `INSERT INTO runtime_states (${STATE_INSERT_COLUMNS}) VALUES (${STATE_PLACEHOLDERS})
  ON CONFLICT (monitor_id, location) DO UPDATE SET ${STATE_UPDATE_SET}
  WHERE runtime_states.seq = ?`;
const EVENT_SELECT = `SELECT ${EVENT_COLUMNS} FROM events`;

const toBuffer = (bytes: Uint8Array) => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);

export class SqliteStore implements Store {
  readonly kind = 'sqlite' as const;
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();
  private readonly seriesByMonitor = new Map<string, number>();
  private readonly monitorByKey = new Map<number, string>();
  private readonly labelByText = new Map<string, number>();
  private readonly textByLabel = new Map<number, string>();
  private readonly maintenance = new Serial();
  private readonly options: MaintenanceOptions;

  constructor(
    readonly path: string,
    options: SqliteStoreOptions = {},
  ) {
    const { busyTimeoutMs = 5_000, settleMs, monitorsPerStep, purgeBatch } = options;
    this.options = {
      settleMs: settleMs ?? DEFAULT_MAINTENANCE.settleMs,
      monitorsPerStep: monitorsPerStep ?? DEFAULT_MAINTENANCE.monitorsPerStep,
      purgeBatch: purgeBatch ?? DEFAULT_MAINTENANCE.purgeBatch,
    };
    this.db = new Database(path, { timeout: busyTimeoutMs });
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.round(busyTimeoutMs))}`);
    this.db.pragma('foreign_keys = OFF');
    this.db.pragma('temp_store = MEMORY');
    // Keep the WAL file from growing without bound after a burst of writes.
    this.db.pragma('journal_size_limit = 67108864');
    this.db.function('vigil_latency_bucket', { deterministic: true }, (latency: unknown) => sketchBucket(Number(latency)));
  }

  // ---------------------------------------------------------------------------------------------- plumbing

  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) {
      statement = this.db.prepare(text);
      this.statements.set(text, statement);
    }
    return statement;
  }

  private all<T>(text: string, ...params: unknown[]): T[] {
    return this.sql(text).all(...params) as T[];
  }

  private get<T>(text: string, ...params: unknown[]): T | undefined {
    return this.sql(text).get(...params) as T | undefined;
  }

  private run(text: string, ...params: unknown[]): number {
    return this.sql(text).run(...params).changes;
  }

  /** A write transaction (BEGIN IMMEDIATE: takes the write lock first, so it never fails half-way on a busy lock). */
  private write<T>(fn: () => T): T {
    return this.db.transaction(fn).immediate();
  }

  /** A read transaction: every query sees the same snapshot. */
  private read<T>(fn: () => T): T {
    return this.db.transaction(fn).deferred();
  }

  // ---------------------------------------------------------------------------------------------- schema

  async migrate(): Promise<MigrationReport> {
    const report = this.write(() => {
      this.db.exec(
        'CREATE TABLE IF NOT EXISTS schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)',
      );
      const from = this.db.prepare('SELECT max(version) AS version FROM schema_version').get() as { version: number | null };
      const current = from.version ?? 0;
      const latest = SQLITE_MIGRATIONS.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new Error(
          `the database ${this.path} has schema version ${current}, newer than this Vigil knows (${latest}): upgrade Vigil or use another data directory`,
        );
      }
      const record = this.db.prepare('INSERT INTO schema_version (version, description, applied_at) VALUES (?, ?, ?)');
      for (const migration of SQLITE_MIGRATIONS) {
        if (migration.version <= current) continue;
        this.db.exec(migration.sql);
        record.run(migration.version, migration.description, Date.now());
      }
      return { from: current, to: Math.max(current, latest) };
    });
    this.statements.clear();
    this.loadDictionaries();
    return report;
  }

  async ping(): Promise<void> {
    this.run(
      "INSERT INTO meta (key, value) VALUES ('last_ping', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      Date.now(),
    );
  }

  // ---------------------------------------------------------------------------------------------- dictionaries

  private loadDictionaries(): void {
    for (const row of this.all<{ key: number; monitorId: string }>('SELECT key, monitor_id AS monitorId FROM series')) {
      this.seriesByMonitor.set(row.monitorId, row.key);
      this.monitorByKey.set(row.key, row.monitorId);
    }
    for (const row of this.all<{ id: number; value: string }>('SELECT id, value FROM labels')) {
      this.labelByText.set(row.value, row.id);
      this.textByLabel.set(row.id, row.value);
    }
  }

  /** Keys of known monitors (never creates one). */
  private seriesKey(monitorId: string): number | undefined {
    const cached = this.seriesByMonitor.get(monitorId);
    if (cached !== undefined) return cached;
    const row = this.get<{ key: number }>('SELECT key FROM series WHERE monitor_id = ?', monitorId);
    if (row) {
      this.seriesByMonitor.set(monitorId, row.key);
      this.monitorByKey.set(row.key, monitorId);
    }
    return row?.key;
  }

  private labelText(id: number): string {
    let text = this.textByLabel.get(id);
    if (text === undefined) {
      text = this.get<{ value: string }>('SELECT value FROM labels WHERE id = ?', id)?.value;
      if (text === undefined) throw new Error(`the store is inconsistent: label ${id} is missing`);
      this.textByLabel.set(id, text);
    }
    return text;
  }

  /** Adds unknown monitor ids and labels, in their own committed transaction, then caches them. */
  private intern(monitorIds: Iterable<string>, texts: Iterable<string>): void {
    const newIds = [...new Set(monitorIds)].filter((id) => !this.seriesByMonitor.has(id));
    const newTexts = [...new Set(texts)].filter((text) => !this.labelByText.has(text));
    if (newIds.length === 0 && newTexts.length === 0) return;
    const found = this.write(() => {
      const series = newIds.map((id) => {
        this.run('INSERT INTO series (monitor_id) VALUES (?) ON CONFLICT (monitor_id) DO NOTHING', id);
        return [id, this.get<{ key: number }>('SELECT key FROM series WHERE monitor_id = ?', id)!.key] as const;
      });
      const labels = newTexts.map((text) => {
        this.run('INSERT INTO labels (value) VALUES (?) ON CONFLICT (value) DO NOTHING', text);
        return [text, this.get<{ id: number }>('SELECT id FROM labels WHERE value = ?', text)!.id] as const;
      });
      return { series, labels };
    });
    for (const [id, key] of found.series) {
      this.seriesByMonitor.set(id, key);
      this.monitorByKey.set(key, id);
    }
    for (const [text, id] of found.labels) {
      this.labelByText.set(text, id);
      this.textByLabel.set(id, text);
    }
  }

  // ---------------------------------------------------------------------------------------------- results

  async appendResults(results: readonly CheckResult[]): Promise<void> {
    if (results.length === 0) return;
    const rows = this.encodeResults(results);
    this.write(() => this.insertResults(rows));
  }

  /** Rows for results, their monitor ids and labels interned first (in a transaction of their own). */
  private encodeResults(results: readonly CheckResult[]): ResultRow[] {
    const labels = results.map(resultLabels);
    this.intern(
      results.map((result) => result.monitorId),
      labels.flatMap((l) => [l.location, ...(l.components ? [l.components] : []), ...(l.conditions ? [l.conditions] : [])]),
    );
    return results.map((result, i) =>
      encodeResult(result, this.seriesByMonitor.get(result.monitorId)!, labels[i]!, (text) => this.labelByText.get(text)!),
    );
  }

  /** Inside a write transaction: the rows, and the hours they make stale if those were rolled up already. */
  private insertResults(rows: readonly ResultRow[]): void {
    if (rows.length === 0) return;
    const insert = this.sql(
      `INSERT INTO results (${RESULT_COLUMNS.join(', ')}) VALUES (${RESULT_COLUMNS.map(() => '?').join(', ')}) ON CONFLICT DO NOTHING`,
    );
    const markLate = this.sql('INSERT INTO rollup_dirty (monitor_key, hour) VALUES (?, ?) ON CONFLICT DO NOTHING');
    const dirtyBefore =
      this.get<{ value: number }>("SELECT value FROM meta WHERE key = 'dirty_before'")?.value ?? Number.MIN_SAFE_INTEGER;
    for (const row of rows) {
      const inserted = insert.run(resultValues(row)).changes > 0;
      if (inserted && row.at < dirtyBefore) markLate.run(row.monitorKey, floorTo(row.at, HOUR_MS));
    }
  }

  // ---------------------------------------------------------------------------------------------- the state step

  async commit(commits: readonly MonitorCommit[]): Promise<CommitResult[]> {
    if (commits.length === 0) return [];
    const rows = this.encodeResults(commits.flatMap((commit) => commit.results));
    return this.write(() => {
      this.insertResults(rows);
      return commits.map((commit) => this.commitOne(commit));
    });
  }

  /** Inside the commit's transaction: one monitor's state and step, if the stored state is the one it follows. */
  private commitOne(commit: MonitorCommit): CommitResult {
    const { step } = commit;
    if (step === undefined) {
      // Nothing but the state after quiet results: one conditional upsert (the sequence number is unchanged).
      if (this.upsertState(commit.state, commit.state.seq) > 0) return { status: 'applied', state: commit.state };
      return { status: 'conflict', state: this.storedState(commit.monitorId, commit.location) };
    }
    const stored = this.storedState(commit.monitorId, commit.location);
    const decision = stepFollows(commit, stored);
    if (decision !== 'apply') return { status: decision, state: stored };
    const change = step.change;
    let incidentId: number | undefined;
    if (step.closeIncidentId !== undefined) {
      this.run('UPDATE incidents SET ended_at = ? WHERE id = ? AND ended_at IS NULL', step.at, step.closeIncidentId);
      incidentId = step.closeIncidentId;
    }
    const state = withoutIncident(commit.state);
    if (step.openIncident !== undefined) {
      const opened = { monitorId: commit.monitorId, startedAt: step.at, ...step.openIncident };
      checkIncident(opened);
      incidentId = this.get<{ id: number }>(
        'INSERT INTO incidents (monitor_id, status, started_at, cause) VALUES (?, ?, ?, ?) RETURNING id',
        opened.monitorId,
        opened.status,
        opened.startedAt,
        opened.cause ?? null,
      )!.id;
      state.openIncidentId = incidentId;
    } else if (commit.state.openIncidentId !== undefined) {
      state.openIncidentId = commit.state.openIncidentId;
    }
    this.upsertState(state, stored?.seq ?? 0);
    for (const notification of step.notifications ?? []) {
      // A key already there is this step committed before (a retried commit): written once.
      this.run(
        `INSERT INTO outbox (${NOTIFICATION_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
        ...notificationValues(notification),
      );
    }
    if (change === undefined) return { status: 'applied', state };
    const event = eventOf(commit, change, step, incidentId);
    event.id = this.get<{ id: number }>(
      `INSERT INTO events (${EVENT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      ...eventValues(event),
    )!.id;
    return { status: 'applied', state, event };
  }

  /** Writes a state whose stored predecessor has sequence number `follows` (or none); returns the rows written. */
  private upsertState(state: MonitorRuntimeState, follows: number): number {
    const values = stateValues(state);
    values.push(follows);
    return this.sql(STATE_UPSERT).run(values).changes;
  }

  private storedState(monitorId: string, location: string): MonitorRuntimeState | undefined {
    const row = this.get<RuntimeStateRow>(`${STATE_SELECT} WHERE monitor_id = ? AND location = ?`, monitorId, location);
    return row && runtimeStateFrom(row);
  }

  async latestResults(monitorId: string, limit: number): Promise<CheckResult[]> {
    const count = checkLimit(limit);
    const key = this.seriesKey(monitorId);
    if (key === undefined || count === 0) return [];
    const rows = this.all<ResultRow>(
      `SELECT ${RESULT_SELECT} FROM results WHERE monitor_key = ? ORDER BY at DESC LIMIT ?`,
      key,
      count,
    );
    return rows.map((row) => {
      rowLabelKeys(row).forEach((id) => this.labelText(id));
      return decodeResult(row, monitorId, (id) => this.labelText(id));
    });
  }

  // ---------------------------------------------------------------------------------------------- summaries

  private watermarks(): Watermarks {
    return watermarksFrom(this.all<{ key: string; value: number }>('SELECT key, value FROM meta'));
  }

  private setWatermarks(values: Watermarks): void {
    const entries = metaEntries(values);
    if (entries.length === 0) return;
    this.write(() => {
      for (const [key, value] of entries) {
        this.run('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value', key, value);
      }
    });
  }

  /** Raw results grouped by monitor, bucket, status and (unless `latencyBuckets` is false) latency bucket. */
  private rawGroups(keys: readonly number[], from: number, to: number, size: number, latencyBuckets = true): RawGroup[] {
    return this.all<RawGroup>(latencyBuckets ? RAW_GROUPS : RAW_TOTALS, { keys: JSON.stringify(keys), from, to, size });
  }

  private rollups(table: 'hourly' | 'daily', keys: readonly number[], from: number, to: number, sketch: boolean): StoredRollup[] {
    return this.all<StoredRollup>(
      `SELECT ${ROLLUP_SELECT}${sketch ? ', latency_sketch AS sketch' : ''} FROM ${ROLLUP_TABLES[table]}
       WHERE ${KEYS_IN} AND bucket_start >= @from AND bucket_start < @to ORDER BY monitor_key, bucket_start`,
      { keys: JSON.stringify(keys), from, to },
    );
  }

  private packedRollups(table: 'hourly' | 'daily', keys: readonly number[], from: number, to: number): PackedRollups[] {
    const rows = this.all<{ key: number; buckets: string }>(
      `SELECT monitor_key AS key,
              json_group_array(json_array(bucket_start, checks, failures, degraded, latency_sum, latency_p95, excused)
                               ORDER BY bucket_start) AS buckets
       FROM ${ROLLUP_TABLES[table]} WHERE ${KEYS_IN} AND bucket_start >= @from AND bucket_start < @to
       GROUP BY monitor_key`,
      { keys: JSON.stringify(keys), from, to },
    );
    return rows.map((row) => ({ key: row.key, buckets: JSON.parse(row.buckets) as PackedRollups['buckets'] }));
  }

  private exactRaw(key: number, from: number, to: number): ExactAggregate {
    const counts = this.get<{
      checks: number;
      failures: number | null;
      excused: number | null;
      degraded: number | null;
      latencySum: number;
    }>(
      `SELECT count(*) AS checks, sum(status = ${UNHEALTHY}) AS failures, sum(status > ${UNHEALTHY}) AS excused,
              sum(status = 1) AS degraded, total(CASE WHEN status < ${UNHEALTHY} THEN latency END) AS latencySum
       FROM results WHERE monitor_key = ? AND at >= ? AND at < ?`,
      key,
      from,
      to,
    )!;
    const failures = counts.failures ?? 0;
    const excused = counts.excused ?? 0;
    const up = counts.checks - failures - excused;
    const p95 =
      up === 0
        ? null
        : this.get<{ latency: number }>(
            `SELECT latency FROM results WHERE monitor_key = ? AND at >= ? AND at < ? AND status < ${UNHEALTHY}
             ORDER BY latency LIMIT 1 OFFSET ?`,
            key,
            from,
            to,
            nearestRankOffset(up, P95),
          )!.latency;
    return { checks: counts.checks, failures, excused, degraded: counts.degraded ?? 0, latencySum: counts.latencySum, p95 };
  }

  async summary(monitorId: string, from: number, to: number): Promise<StoreSummary> {
    checkRange(from, to);
    const key = this.seriesKey(monitorId);
    if (key === undefined) return emptySummary();
    return this.read(() => {
      const plan = planSummary(this.watermarks(), from, to);
      const rollups = [
        ...(plan.daily ? this.rollups('daily', [key], plan.daily.from, plan.daily.to, true) : []),
        ...(plan.hourly ? this.rollups('hourly', [key], plan.hourly.from, plan.hourly.to, true) : []),
      ];
      if (rollups.length === 0) {
        if (!plan.raw) return emptySummary();
        const exact = this.exactRaw(key, plan.raw.from, plan.raw.to);
        return summaryOf(exact, true, exact.p95 ?? undefined);
      }
      const tally = new Tally();
      for (const row of rollups) tally.addRollup(row);
      if (plan.raw) for (const group of this.rawGroups([key], plan.raw.from, plan.raw.to, DAY_MS)) tally.addGroup(group);
      return tally.toSummary(false);
    });
  }

  async dailySummaries(
    monitorIds: readonly string[],
    from: number,
    to: number,
    options: { p95?: boolean } = {},
  ): Promise<Map<string, Map<number, StoreSummary>>> {
    return this.bucketSummaries(monitorIds, from, to, DAY_MS, options.p95 ?? true);
  }

  async hourlySummaries(
    monitorIds: readonly string[],
    from: number,
    to: number,
    options: { p95?: boolean } = {},
  ): Promise<Map<string, Map<number, StoreSummary>>> {
    return this.bucketSummaries(monitorIds, from, to, HOUR_MS, options.p95 ?? true);
  }

  /** Per-day or per-hour summaries: one query per resolution for all the monitors, in one snapshot. */
  private bucketSummaries(
    monitorIds: readonly string[],
    from: number,
    to: number,
    size: BucketSize,
    withP95: boolean,
  ): Map<string, Map<number, StoreSummary>> {
    checkRange(from, to);
    const out = new Map<string, Map<number, StoreSummary>>(monitorIds.map((id) => [id, new Map()]));
    const keys = [...new Set(monitorIds.map((id) => this.seriesKey(id)).filter((key) => key !== undefined))];
    if (keys.length === 0) return out;
    this.read(() => {
      const plan = planBuckets(this.watermarks(), from, to, size);
      // Rollups as long as the bucket are used whole; a day also gathers the hourly rollups since the last one.
      const [whole, wholeTable] = size === DAY_MS ? [plan.daily, 'daily' as const] : [plan.hourly, 'hourly' as const];
      const parts = size === DAY_MS ? plan.hourly : undefined;
      assembleBuckets(
        out,
        (key) => this.monitorByKey.get(key),
        size,
        {
          whole: whole ? this.packedRollups(wholeTable, keys, whole.from, whole.to) : [],
          parts: parts ? this.rollups('hourly', keys, parts.from, parts.to, withP95) : [],
          raw: plan.raw ? this.rawGroups(keys, plan.raw.from, plan.raw.to, size, withP95) : [],
        },
        withP95,
      );
    });
    return out;
  }

  // ---------------------------------------------------------------------------------------------- maintenance

  private writeRollups(table: 'hourly' | 'daily', keys: readonly number[], from: number, to: number, rows: RollupRow[]): void {
    const name = ROLLUP_TABLES[table];
    this.run(`DELETE FROM ${name} WHERE ${KEYS_IN} AND bucket_start >= @from AND bucket_start < @to`, {
      keys: JSON.stringify(keys),
      from,
      to,
    });
    const insert = this.sql(
      `INSERT INTO ${name} (monitor_key, bucket_start, checks, failures, excused, degraded, latency_sum, latency_p95, latency_sketch)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    for (const row of rows) {
      const values: Param[] = [
        row.key,
        row.bucketStart,
        row.checks,
        row.failures,
        row.excused,
        row.degraded,
        row.latencySum,
        row.p95,
        toBuffer(row.sketch),
      ];
      insert.run(...values);
    }
  }

  private rollHours(keys: readonly number[], from: number, to: number): void {
    this.writeRollups('hourly', keys, from, to, buildRollups(this.rawGroups(keys, from, to, HOUR_MS)));
  }

  private rollDays(keys: readonly number[], from: number, to: number): void {
    this.writeRollups('daily', keys, from, to, mergeRollups(this.rollups('hourly', keys, from, to, true), DAY_MS));
  }

  private recomputeLate(limit: number, bounds: { rawFrom: number; dailyTo: number }): { claimed: number; rebuilt: number } {
    return this.write(() => {
      const pairs = this.all<{ key: number; hour: number }>(
        'SELECT monitor_key AS key, hour FROM rollup_dirty ORDER BY hour LIMIT ?',
        limit,
      );
      const hours = new Map<number, number[]>();
      const days = new Map<number, Set<number>>();
      for (const { key, hour } of pairs) {
        this.run('DELETE FROM rollup_dirty WHERE monitor_key = ? AND hour = ?', key, hour);
        // Raw results before rawFrom may already be gone: such an hour cannot be rebuilt.
        if (hour < bounds.rawFrom) continue;
        hours.set(hour, [...(hours.get(hour) ?? []), key]);
        const day = floorTo(hour, DAY_MS);
        if (day < bounds.dailyTo) days.set(day, (days.get(day) ?? new Set()).add(key));
      }
      let rebuilt = 0;
      for (const [hour, keys] of hours) {
        this.rollHours(keys, hour, hour + HOUR_MS);
        rebuilt += keys.length;
      }
      for (const [day, keys] of days) this.rollDays([...keys], day, day + DAY_MS);
      return { claimed: pairs.length, rebuilt };
    });
  }

  private seriesKeys(): number[] {
    return this.all<{ key: number }>('SELECT key FROM series ORDER BY key').map((row) => row.key);
  }

  private purge(table: PurgeTable, before: number, limit: number, cursor: number | undefined) {
    // No index on time alone (it would cost ~15 bytes a result): delete monitor by monitor through the primary key.
    const { table: name, column } = PURGE_TARGETS[table];
    // This step's monitors and the next step's first: reading every key at every step made a purge over 100,000
    // monitors quadratic (200 steps × 100,000 rows, seconds of a busy event loop).
    const keys = (
      cursor === undefined
        ? this.all<{ key: number }>('SELECT key FROM series ORDER BY key LIMIT ?', PURGE_MONITORS_PER_STEP + 1)
        : this.all<{ key: number }>('SELECT key FROM series WHERE key >= ? ORDER BY key LIMIT ?', cursor, PURGE_MONITORS_PER_STEP + 1)
    ).map((row) => row.key);
    const remove = this.sql(`DELETE FROM ${name} WHERE monitor_key = ? AND ${column} < ? LIMIT ?`);
    return this.write(() => {
      let deleted = 0;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        deleted += remove.run(key, before, limit - deleted).changes;
        if (deleted >= limit) return { deleted, cursor: key };
        // Even with nothing to delete, one statement per monitor adds up (10,000 monitors: ~150 ms): a step
        // visits a bounded number of monitors, so the event loop is never held long.
        if (i + 1 >= PURGE_MONITORS_PER_STEP && i + 1 < keys.length) return { deleted, cursor: keys[i + 1] };
      }
      return { deleted, cursor: undefined };
    });
  }

  private maintenanceOps(): MaintenanceOps {
    const nextAt = (table: string, column: string, from: number) =>
      this.get<{ at: number | null }>(
        `SELECT min((SELECT ${column} FROM ${table} t WHERE t.monitor_key = s.key AND t.${column} >= ? ORDER BY t.${column} LIMIT 1)) AS at
         FROM series s`,
        from,
      )?.at ?? undefined;
    return {
      watermarks: async () => this.watermarks(),
      setWatermarks: async (values) => this.setWatermarks(values),
      seriesKeys: async () => this.seriesKeys(),
      nextRawAt: async (from) => nextAt('results', 'at', from),
      nextHourlyAt: async (from) => nextAt('rollups_hourly', 'bucket_start', from),
      rollHours: async (keys, from, to) => this.write(() => this.rollHours(keys, from, to)),
      rollDays: async (keys, from, to) => this.write(() => this.rollDays(keys, from, to)),
      recomputeLate: async (limit, bounds) => this.recomputeLate(limit, bounds),
      purge: async (table, before, limit, cursor) => this.purge(table, before, limit, cursor),
      purgeIncidents: async (before) => this.run('DELETE FROM incidents WHERE ended_at IS NOT NULL AND ended_at < ?', before),
      purgeEvents: async (before) => this.run('DELETE FROM events WHERE at < ?', before),
    };
  }

  maintain(now: number, retention: Retention): Promise<MaintenanceReport> {
    return this.maintenance.run(() => runMaintenance(this.maintenanceOps(), now, retention, this.options));
  }

  // ---------------------------------------------------------------------------------------------- incidents

  async incident(id: number): Promise<Incident | undefined> {
    const row = this.get<IncidentRow>(`SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE id = ?`, id);
    return row && incidentFrom(row);
  }

  async acknowledgeIncident(id: number, acknowledged: { at: number; by: string }, audit?: NewAuditEntry): Promise<boolean> {
    return this.write(() => {
      const updated =
        this.run(
          'UPDATE incidents SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND ended_at IS NULL AND acknowledged_at IS NULL',
          acknowledged.at,
          acknowledged.by,
          id,
        ) > 0;
      if (updated) this.audit(audit);
      return updated;
    });
  }

  async incidentsOverlapping(options: { from: number; to: number; monitorIds?: readonly string[] }): Promise<Incident[]> {
    const { from, to, monitorIds } = options;
    checkRange(from, to);
    const overlapping = `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE started_at < @to AND (ended_at IS NULL OR ended_at > @from)`;
    const order = 'ORDER BY started_at, id';
    const rows =
      monitorIds === undefined
        ? this.all<IncidentRow>(`${overlapping} ${order}`, { from, to })
        : this.all<IncidentRow>(`${overlapping} AND monitor_id IN (SELECT value FROM json_each(@ids)) ${order}`, {
            from,
            to,
            ids: JSON.stringify(monitorIds),
          });
    return rows.map(incidentFrom);
  }

  async incidents(options: { monitorId?: string; limit: number }): Promise<Incident[]> {
    const limit = checkLimit(options.limit);
    const select = `SELECT ${INCIDENT_COLUMNS} FROM incidents`;
    const rows =
      options.monitorId === undefined
        ? this.all<IncidentRow>(`${select} ORDER BY started_at DESC, id DESC LIMIT ?`, limit)
        : this.all<IncidentRow>(`${select} WHERE monitor_id = ? ORDER BY started_at DESC, id DESC LIMIT ?`, options.monitorId, limit);
    return rows.map(incidentFrom);
  }

  // ---------------------------------------------------------------------------------------------- states and events

  async runtimeStates(location: string): Promise<Map<string, MonitorRuntimeState>> {
    const rows = this.all<RuntimeStateRow>(`${STATE_SELECT} WHERE location = ?`, location);
    return new Map(rows.map((row) => [row.monitorId, runtimeStateFrom(row)]));
  }

  async events(options: { after: number; limit: number; monitorId?: string }): Promise<StateChangeEvent[]> {
    const limit = checkLimit(options.limit);
    const rows =
      options.monitorId === undefined
        ? this.all<EventRow>(`${EVENT_SELECT} WHERE id > ? ORDER BY id LIMIT ?`, options.after, limit)
        : this.all<EventRow>(`${EVENT_SELECT} WHERE id > ? AND monitor_id = ? ORDER BY id LIMIT ?`, options.after, options.monitorId, limit);
    return rows.map(eventFrom);
  }

  async lastEventId(): Promise<number> {
    return this.get<{ id: number | null }>('SELECT max(id) AS id FROM events')?.id ?? 0;
  }

  // ---------------------------------------------------------------------------------------------- one instance

  async lockInstance(onLost: (error: Error) => void): Promise<InstanceLock> {
    void onLost; // a file lock is not lost while the process lives
    if (this.path === ':memory:') return { release: async () => undefined };
    const lockPath = `${this.path}.lock`;
    // An exclusive lock on a SQLite file of its own, held until released: the OS drops it when the process dies.
    ensurePrivateFile(lockPath, () => undefined);
    const holder = new Database(lockPath, { timeout: 0 });
    try {
      holder.pragma('locking_mode = EXCLUSIVE');
      holder.exec('CREATE TABLE IF NOT EXISTS holder (pid INTEGER); DELETE FROM holder;');
      holder.prepare('INSERT INTO holder (pid) VALUES (?)').run(process.pid);
    } catch (error) {
      holder.close();
      const busy = (error as { code?: string }).code === 'SQLITE_BUSY';
      if (!busy) throw error;
      throw new Error(
        `another vigil serve is already using ${this.path} (it holds ${lockPath}): one instance per SQLite database; stop the other one or give this one another data directory`,
      );
    }
    return {
      release: async () => {
        if (holder.open) holder.close();
      },
    };
  }

  // ---------------------------------------------------------------------------------------------- tokens

  /** Inside a write transaction: the audit entry of a change, when there is one. */
  private audit(entry: NewAuditEntry | undefined): void {
    if (entry === undefined) return;
    this.run(`INSERT INTO audit (${AUDIT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?)`, ...auditValues(entry));
  }

  async createToken(token: StoredToken, audit?: NewAuditEntry): Promise<void> {
    this.write(() => {
      this.run(
        'INSERT INTO tokens (id, name, hash, scope, created_at, last_used_at) VALUES (?, ?, ?, ?, ?, ?)',
        token.id,
        token.name,
        token.hash,
        token.scope,
        token.createdAt,
        token.lastUsedAt ?? null,
      );
      this.audit(audit);
    });
  }

  private static readonly TOKEN_SELECT =
    'SELECT id, name, hash, scope, created_at AS createdAt, last_used_at AS lastUsedAt FROM tokens';

  async findTokenByHash(hash: string): Promise<StoredToken | undefined> {
    const row = this.get<TokenRow>(`${SqliteStore.TOKEN_SELECT} WHERE hash = ?`, hash);
    return row && tokenFrom(row);
  }

  async touchToken(id: string, at: number): Promise<void> {
    this.run('UPDATE tokens SET last_used_at = ? WHERE id = ?', at, id);
  }

  async listTokens(): Promise<StoredToken[]> {
    return this.all<TokenRow>(`${SqliteStore.TOKEN_SELECT} ORDER BY created_at, id`).map(tokenFrom);
  }

  async deleteToken(id: string, audit?: NewAuditEntry): Promise<boolean> {
    return this.write(() => {
      const deleted = this.run('DELETE FROM tokens WHERE id = ?', id) > 0;
      if (deleted) this.audit(audit);
      return deleted;
    });
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    this.write(() => this.audit(entry));
  }

  async auditLog(options: { before?: number; limit: number; subject?: string }): Promise<AuditEntry[]> {
    const limit = checkLimit(options.limit);
    const before = options.before ?? Number.MAX_SAFE_INTEGER;
    const select = `SELECT ${AUDIT_COLUMNS} FROM audit WHERE id < ?`;
    const rows =
      options.subject === undefined
        ? this.all<AuditRow>(`${select} ORDER BY id DESC LIMIT ?`, before, limit)
        : this.all<AuditRow>(`${select} AND subject = ? ORDER BY id DESC LIMIT ?`, before, options.subject, limit);
    return rows.map(auditFrom);
  }

  // ---------------------------------------------------------------------------------------------- notifications

  async claimNotifications(options: { now: number; leaseMs: number; limit: number }): Promise<ClaimedNotification[]> {
    const limit = checkLimit(options.limit);
    const leaseUntil = options.now + options.leaseMs;
    return this.write(() => {
      const ids = this.all<{ id: number }>(
        `SELECT o.id FROM outbox o WHERE ${CLAIMABLE('outbox', () => '?')} ORDER BY o.id LIMIT ?`,
        options.now,
        options.now,
        limit,
      );
      return ids.map(({ id }) =>
        claimedFrom(
          this.get<NotificationRow>(
            `UPDATE outbox SET attempts = attempts + 1, lease_until = ? WHERE id = ? RETURNING ${NOTIFICATION_COLUMNS}`,
            leaseUntil,
            id,
          )!,
        ),
      );
    });
  }

  async finishNotification(claim: { id: number; attempt: number }, attempt: DeliveryAttempt, next: DeliveryNext): Promise<boolean> {
    const [status, nextAttemptAt, finishedAt] = nextValues(next, attempt.at);
    return this.write(() => {
      const updated = this.run(
        `UPDATE outbox SET status = ?, next_attempt_at = coalesce(?, next_attempt_at), finished_at = ?, lease_until = NULL,
           last_error = ? WHERE id = ? AND attempts = ? AND status = 'pending'`,
        status,
        nextAttemptAt,
        finishedAt,
        attempt.error ?? null,
        claim.id,
        claim.attempt,
      );
      if (updated === 0) return false;
      this.run(`INSERT INTO outbox_attempts (${ATTEMPT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, ...attemptValues(claim.id, attempt));
      return true;
    });
  }

  async releaseNotification(claim: { id: number; attempt: number }, nextAttemptAt: number): Promise<boolean> {
    return (
      this.run(
        `UPDATE outbox SET attempts = attempts - 1, lease_until = NULL, next_attempt_at = ?
         WHERE id = ? AND attempts = ? AND status = 'pending'`,
        nextAttemptAt,
        claim.id,
        claim.attempt,
      ) > 0
    );
  }

  async notifications(options: {
    limit: number;
    before?: number;
    monitorId?: string;
    status?: DeliveryStatus;
  }): Promise<StoredNotification[]> {
    const limit = checkLimit(options.limit);
    const where = ['id < ?'];
    const params: unknown[] = [options.before ?? Number.MAX_SAFE_INTEGER];
    if (options.monitorId !== undefined) {
      where.push('monitor_id = ?');
      params.push(options.monitorId);
    }
    if (options.status !== undefined) {
      where.push('status = ?');
      params.push(options.status);
    }
    return this.read(() => {
      const rows = this.all<NotificationRow>(
        `SELECT ${NOTIFICATION_COLUMNS} FROM outbox WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
        ...params,
        limit,
      );
      if (rows.length === 0) return [];
      const attempts = this.all<AttemptRow>(
        `SELECT ${ATTEMPT_COLUMNS} FROM outbox_attempts WHERE outbox_id IN (${rows.map(() => '?').join(', ')}) ORDER BY outbox_id, attempt`,
        ...rows.map((row) => row.id),
      );
      return rows.map((row) =>
        storedNotificationFrom(
          row,
          attempts.filter((attempt) => Number(attempt.outboxId) === Number(row.id)).map(attemptFrom),
        ),
      );
    });
  }

  async notificationBacklog(): Promise<{ pending: number; oldestCreatedAt?: number }> {
    const row = this.get<{ pending: number; oldest: number | null }>(
      "SELECT count(*) AS pending, min(created_at) AS oldest FROM outbox WHERE status = 'pending'",
    )!;
    return { pending: Number(row.pending), ...(row.oldest === null ? {} : { oldestCreatedAt: Number(row.oldest) }) };
  }

  // ---------------------------------------------------------------------------------------------- status page incidents

  /** Incidents (in `rows` order) with their updates: one more query, whatever their number. */
  private withUpdates(rows: readonly StatusIncidentRow[]): StatusIncident[] {
    if (rows.length === 0) return [];
    const updates = this.all<StatusUpdateRow>(
      `SELECT ${STATUS_UPDATE_COLUMNS} FROM status_incident_updates
       WHERE incident_id IN (SELECT value FROM json_each(?)) ORDER BY incident_id, id`,
      JSON.stringify(rows.map((row) => row.id)),
    );
    return statusIncidentsFrom(rows, updates);
  }

  /** Inside a transaction: one incident with its updates. */
  private statusIncidentWhere(column: 'id' | 'source_incident_id', value: number): StatusIncident | undefined {
    const row = this.get<StatusIncidentRow>(`SELECT ${STATUS_INCIDENT_COLUMNS} FROM status_incidents WHERE ${column} = ?`, value);
    return row && this.withUpdates([row])[0];
  }

  async createStatusIncident(incident: NewStatusIncident, audit?: NewAuditEntry): Promise<StatusIncident> {
    const [title, status, impact, monitors, published, createdAt, updatedAt, source] = newStatusIncidentValues(incident);
    return this.write(() => {
      // A second draft of the same monitor incident inserts nothing (the UNIQUE source): the first one is returned.
      const inserted = this.get<{ id: number }>(
        `INSERT INTO status_incidents (${STATUS_INCIDENT_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (source_incident_id) DO NOTHING RETURNING id`,
        title,
        status,
        impact,
        monitors,
        published ? 1 : 0,
        createdAt,
        updatedAt,
        source,
      );
      if (inserted === undefined) return this.statusIncidentWhere('source_incident_id', source!)!;
      this.run(
        `INSERT INTO status_incident_updates (${STATUS_UPDATE_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?)`,
        inserted.id,
        incident.at,
        status,
        String(incident.message),
        String(incident.author),
      );
      this.audit(audit);
      return this.statusIncidentWhere('id', inserted.id)!;
    });
  }

  async updateStatusIncident(id: number, change: StatusIncidentChange, audit?: NewAuditEntry): Promise<StatusIncident | undefined> {
    return this.write(() => {
      const current = this.get<StatusIncidentRow>(`SELECT ${STATUS_INCIDENT_COLUMNS} FROM status_incidents WHERE id = ?`, id);
      if (current === undefined) return undefined;
      const next = applyStatusIncidentChange(current, change);
      this.run(
        `UPDATE status_incidents SET title = ?, status = ?, impact = ?, monitors = ?, published = ?, updated_at = ?, resolved_at = ?
         WHERE id = ?`,
        next.title,
        next.status,
        next.impact,
        next.monitors,
        next.published ? 1 : 0,
        next.updatedAt,
        next.resolvedAt,
        id,
      );
      if (next.update !== undefined) {
        const { at, status, message, author } = next.update;
        this.run(`INSERT INTO status_incident_updates (${STATUS_UPDATE_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?)`, id, at, status, message, author);
      }
      this.audit(audit);
      return this.statusIncidentWhere('id', id);
    });
  }

  async statusIncident(id: number): Promise<StatusIncident | undefined> {
    return this.read(() => this.statusIncidentWhere('id', id));
  }

  async statusIncidentBySource(sourceIncidentId: number): Promise<StatusIncident | undefined> {
    return this.read(() => this.statusIncidentWhere('source_incident_id', sourceIncidentId));
  }

  async statusIncidents(options: { limit: number; since?: number; before?: number; publishedOnly?: boolean }): Promise<StatusIncident[]> {
    const limit = checkLimit(options.limit);
    const where = ['id < ?'];
    const params: unknown[] = [options.before ?? Number.MAX_SAFE_INTEGER];
    if (options.since !== undefined) {
      where.push('(resolved_at IS NULL OR resolved_at >= ?)');
      params.push(options.since);
    }
    if (options.publishedOnly === true) where.push('published = 1');
    return this.read(() =>
      this.withUpdates(
        this.all<StatusIncidentRow>(
          `SELECT ${STATUS_INCIDENT_COLUMNS} FROM status_incidents WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT ?`,
          ...params,
          limit,
        ),
      ),
    );
  }

  async deleteStatusIncident(id: number, audit?: NewAuditEntry): Promise<boolean> {
    return this.write(() => {
      // The schema's ON DELETE CASCADE needs foreign keys on, which they are not here: the updates go first.
      this.run('DELETE FROM status_incident_updates WHERE incident_id = ?', id);
      const deleted = this.run('DELETE FROM status_incidents WHERE id = ?', id) > 0;
      if (deleted) this.audit(audit);
      return deleted;
    });
  }

  // ---------------------------------------------------------------------------------------------- scheduled maintenance

  async createMaintenance(window: NewMaintenance, audit?: NewAuditEntry): Promise<StoredMaintenance> {
    const values = newMaintenanceValues(window);
    return this.write(() => {
      const row = this.get<MaintenanceRow>(
        `INSERT INTO maintenance_windows (${MAINTENANCE_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${MAINTENANCE_COLUMNS}`,
        ...values,
      )!;
      this.audit(audit);
      return maintenanceFrom(row);
    });
  }

  async maintenanceWindows(options: { endsAfter?: number } = {}): Promise<StoredMaintenance[]> {
    return this.all<MaintenanceRow>(
      `SELECT ${MAINTENANCE_COLUMNS} FROM maintenance_windows WHERE ends_at > ? ORDER BY starts_at, id`,
      options.endsAfter ?? Number.MIN_SAFE_INTEGER,
    ).map(maintenanceFrom);
  }

  async deleteMaintenance(id: number, audit?: NewAuditEntry): Promise<boolean> {
    return this.write(() => {
      const deleted = this.run('DELETE FROM maintenance_windows WHERE id = ?', id) > 0;
      if (deleted) this.audit(audit);
      return deleted;
    });
  }

  // ---------------------------------------------------------------------------------------------- API monitors

  async pausedMonitors(): Promise<string[]> {
    return this.all<{ id: string }>('SELECT monitor_id AS id FROM api_pauses ORDER BY monitor_id').map((row) => row.id);
  }

  async setPaused(monitorId: string, at: number | undefined, audit?: NewAuditEntry): Promise<void> {
    this.write(() => {
      if (at === undefined) this.run('DELETE FROM api_pauses WHERE monitor_id = ?', monitorId);
      else this.run('INSERT INTO api_pauses (monitor_id, paused_at) VALUES (?, ?) ON CONFLICT (monitor_id) DO NOTHING', monitorId, at);
      this.audit(audit);
    });
  }

  async listMonitors(): Promise<StoredMonitor[]> {
    return this.all<MonitorRow>(
      'SELECT id, definition, created_at AS createdAt, updated_at AS updatedAt FROM api_monitors ORDER BY id',
    ).map(monitorFrom);
  }

  async saveMonitor(monitor: StoredMonitor, audit?: NewAuditEntry): Promise<void> {
    const definition = definitionJson(monitor);
    this.write(() => {
      this.run(
        `INSERT INTO api_monitors (id, definition, created_at, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
        monitor.id,
        definition,
        monitor.createdAt,
        monitor.updatedAt,
      );
      this.audit(audit);
    });
  }

  async deleteMonitor(id: string, audit?: NewAuditEntry): Promise<boolean> {
    return this.write(() => {
      const deleted = this.run('DELETE FROM api_monitors WHERE id = ?', id) > 0;
      if (deleted) {
        this.run('DELETE FROM pings WHERE monitor_id = ?', id);
        this.audit(audit);
      }
      return deleted;
    });
  }

  // ---------------------------------------------------------------------------------------------- heartbeat ping log

  async recordPing(ping: PingRecord, keep: number): Promise<StoredPing> {
    const values = pingValues(ping);
    checkKeep(keep);
    return this.write(() => {
      const row = this.get<PingRow>(
        `INSERT INTO pings (${PING_INSERT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING ${PING_COLUMNS}`,
        ...values,
      )!;
      // The keep-th newest id, and every older one goes (none while there are fewer).
      this.run(
        `DELETE FROM pings WHERE monitor_id = @monitor
           AND id < (SELECT id FROM pings WHERE monitor_id = @monitor ORDER BY id DESC LIMIT 1 OFFSET @skip)`,
        { monitor: row.monitorId, skip: keep - 1 },
      );
      return pingFrom(row);
    });
  }

  async recentPings(monitorId: string, limit: number, before?: number): Promise<StoredPing[]> {
    return this.all<PingRow>(
      `SELECT ${PING_COLUMNS} FROM pings WHERE monitor_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
      monitorId,
      pingCursor(before),
      checkLimit(limit),
    ).map(pingFrom);
  }

  // ---------------------------------------------------------------------------------------------- lifecycle

  async usage(): Promise<StoreUsage> {
    return this.read(() => {
      const results = this.get<{ n: number }>('SELECT count(*) AS n FROM results')!.n;
      const resultBytes = this.get<{ bytes: number | null }>("SELECT sum(pgsize) AS bytes FROM dbstat WHERE name = 'results'")!
        .bytes;
      const pages = this.db.pragma('page_count', { simple: true }) as number;
      const free = this.db.pragma('freelist_count', { simple: true }) as number;
      const pageSize = this.db.pragma('page_size', { simple: true }) as number;
      return { results, resultBytes: resultBytes ?? 0, totalBytes: (pages - free) * pageSize };
    });
  }

  async close(): Promise<void> {
    if (!this.db.open) return;
    // Let a running maintenance step finish first.
    await this.maintenance.run(async () => undefined);
    this.statements.clear();
    this.db.close();
  }
}
