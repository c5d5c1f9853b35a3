/**
 * The PostgreSQL store: a `pg` pool, every table inside one schema (default `vigil`), so Vigil can share a
 * database with other applications and tests can use a private schema. Batches are written with one
 * `INSERT … SELECT FROM unnest(…)` statement; reads that combine several queries run in one REPEATABLE READ
 * snapshot; maintenance is taken by one process at a time through an advisory lock.
 */
import { hostname } from 'node:os';
import pg from 'pg';
import type { CheckResult, Incident, MonitorRuntimeState, StateChangeEvent } from '../model.js';
import {
  assembleBuckets,
  buildRollups,
  emptySummary,
  type ExactAggregate,
  mergeRollups,
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
import { POSTGRES_MIGRATIONS } from './migrations/postgres.js';
import { PostgresCluster } from './postgres-cluster.js';
import { type BucketSize, metaEntries, planBuckets, planSummary, type Watermarks, watermarksFrom } from './plan.js';
import { checkKeep, PING_COLUMNS, PING_INSERT_COLUMNS, pingCursor, pingFrom, type PingRow, pingValues } from './ping-rows.js';
import { SKETCH_LOWER_BOUNDS } from './sketch.js';
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
  STATE_COLUMN_TYPES,
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
  CommitStep,
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

export interface PostgresStoreOptions extends Partial<MaintenanceOptions> {
  /** Schema holding Vigil's tables (created by `migrate`). Default `vigil`. */
  schema?: string;
  /** Connections in the pool (at least 2). Default 10. */
  poolSize?: number;
  /** Time to wait for a connection. Default 10 s. */
  connectTimeoutMs?: number;
  /** Server-side limit for one statement. Default 120 s. */
  statementTimeoutMs?: number;
}

export const DEFAULT_PG_SCHEMA = 'vigil';
const SCHEMA_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

const INT8_OID = 20;
const NUMERIC_OID = 1700;
/** Counts and sums come back as int8/numeric strings; every value Vigil stores fits a double exactly. */
const types = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID || oid === NUMERIC_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as pg.CustomTypesConfig['getTypeParser'],
};

const RESULT_TYPES = [
  'integer',
  'bigint',
  'integer',
  'smallint',
  'integer',
  'integer',
  'integer',
  'integer',
  'integer',
  'integer',
  'integer',
  'text',
  'integer',
  'integer',
  'text',
  'bigint',
  'smallint',
] as const;

const THRESHOLDS = SKETCH_LOWER_BOUNDS.slice(1);
const ROLLUP_TABLES = { hourly: 'rollups_hourly', daily: 'rollups_daily' } as const;
const ROLLUP_SELECT =
  'monitor_key AS key, bucket_start AS "bucketStart", checks, failures, excused, degraded, latency_sum AS "latencySum", latency_p95 AS p95';

/** 32-bit FNV-1a, for advisory lock keys. */
function lockKey(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text)) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash | 0;
}

type Queryable = Pick<pg.Pool, 'query'> | pg.PoolClient;

/** A monitor at a location, as a map key. */
const stateKey = (state: { monitorId: string; location: string }) => `${state.monitorId}\u0000${state.location}`;

export class PostgresStore implements Store {
  readonly kind = 'postgres' as const;
  readonly schema: string;
  private readonly s: string;
  private readonly pool: pg.Pool;
  /** Where and how to connect: the pool's settings, for the connection that holds the instance lock. */
  private readonly connection: { connectionString: string; connectionTimeoutMillis: number };
  private readonly seriesByMonitor = new Map<string, number>();
  private readonly monitorByKey = new Map<number, string>();
  private readonly labelByText = new Map<string, number>();
  private readonly textByLabel = new Map<number, string>();
  private readonly maintenance = new Serial();
  private readonly options: MaintenanceOptions;
  private closed = false;
  readonly cluster: PostgresCluster;

  constructor(url: string, options: PostgresStoreOptions = {}) {
    const { schema = DEFAULT_PG_SCHEMA, poolSize = 10, connectTimeoutMs = 10_000, statementTimeoutMs = 120_000 } = options;
    if (!SCHEMA_NAME.test(schema)) {
      throw new Error(`PostgreSQL schema name ${JSON.stringify(schema)} is not valid: use letters, digits and _`);
    }
    this.schema = schema;
    this.s = `"${schema}"`;
    this.options = {
      settleMs: options.settleMs ?? DEFAULT_MAINTENANCE.settleMs,
      monitorsPerStep: options.monitorsPerStep ?? DEFAULT_MAINTENANCE.monitorsPerStep,
      purgeBatch: options.purgeBatch ?? DEFAULT_MAINTENANCE.purgeBatch,
    };
    this.connection = { connectionString: url, connectionTimeoutMillis: connectTimeoutMs };
    this.pool = new pg.Pool({
      ...this.connection,
      max: Math.max(2, poolSize),
      idleTimeoutMillis: 30_000,
      statement_timeout: statementTimeoutMs,
      // A process stopped (SIGSTOP) or hung in the middle of a transaction would hold its row and advisory locks
      // for as long as it stays so, and hold up the other instances' lease rounds and commits: PostgreSQL ends such a
      // session after 5 s (Vigil's transactions never wait for anything but their own statements).
      idle_in_transaction_session_timeout: 5_000,
      application_name: 'vigil',
      types,
    });
    // An idle connection that breaks is dropped from the pool; the next query reports the problem.
    this.pool.on('error', () => undefined);
    this.cluster = new PostgresCluster({ pool: this.pool, connection: this.connection, schema, s: this.s, lockKey, tx: (fn) => this.tx(fn) });
  }

  // ---------------------------------------------------------------------------------------------- plumbing

  private async rows<T>(db: Queryable, text: string, values: unknown[] = []): Promise<T[]> {
    return (await db.query(text, values)).rows as T[];
  }

  private async tx<T>(fn: (client: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await fn(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch((rollbackError: Error) => {
        broken = rollbackError;
      });
      throw error;
    } finally {
      client.release(broken);
    }
  }

  /** A consistent read-only snapshot for reads made of several queries. */
  private snapshot<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.tx(fn, 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  }

  // ---------------------------------------------------------------------------------------------- schema

  async migrate(): Promise<MigrationReport> {
    const s = this.s;
    const report = await this.tx(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`vigil-migrate:${this.schema}`)]);
      const exists = await this.rows(client, 'SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
      if (exists.length === 0) await client.query(`CREATE SCHEMA ${s}`);
      await client.query(
        `CREATE TABLE IF NOT EXISTS ${s}.schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at bigint NOT NULL)`,
      );
      const [row] = await this.rows<{ version: number | null }>(client, `SELECT max(version) AS version FROM ${s}.schema_version`);
      const current = row?.version ?? 0;
      const latest = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
      if (current > latest) {
        throw new Error(
          `the PostgreSQL schema ${this.schema} has version ${current}, newer than this Vigil knows (${latest}): upgrade Vigil`,
        );
      }
      for (const migration of POSTGRES_MIGRATIONS) {
        if (migration.version <= current) continue;
        await client.query(migration.sql(s));
        await client.query(`INSERT INTO ${s}.schema_version (version, description, applied_at) VALUES ($1, $2, $3)`, [
          migration.version,
          migration.description,
          Date.now(),
        ]);
      }
      return { from: current, to: Math.max(current, latest) };
    });
    await this.loadDictionaries();
    return report;
  }

  async ping(): Promise<void> {
    await this.pool.query(
      `INSERT INTO ${this.s}.meta (key, value) VALUES ('last_ping', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [Date.now()],
    );
  }

  // ---------------------------------------------------------------------------------------------- dictionaries

  private cacheSeries(rows: Array<{ key: number; monitorId: string }>): void {
    for (const row of rows) {
      this.seriesByMonitor.set(row.monitorId, row.key);
      this.monitorByKey.set(row.key, row.monitorId);
    }
  }

  private cacheLabels(rows: Array<{ id: number; value: string }>): void {
    for (const row of rows) {
      this.labelByText.set(row.value, row.id);
      this.textByLabel.set(row.id, row.value);
    }
  }

  private async loadDictionaries(): Promise<void> {
    this.cacheSeries(await this.rows(this.pool, `SELECT key, monitor_id AS "monitorId" FROM ${this.s}.series`));
    this.cacheLabels(await this.rows(this.pool, `SELECT id, value FROM ${this.s}.labels`));
  }

  /** Keys of known monitors (never creates one); unknown ids are absent from the map. */
  private async seriesKeys(monitorIds: readonly string[]): Promise<Map<string, number>> {
    const missing = monitorIds.filter((id) => !this.seriesByMonitor.has(id));
    if (missing.length > 0) {
      this.cacheSeries(
        await this.rows(this.pool, `SELECT key, monitor_id AS "monitorId" FROM ${this.s}.series WHERE monitor_id = ANY($1::text[])`, [
          missing,
        ]),
      );
    }
    const keys = new Map<string, number>();
    for (const id of monitorIds) {
      const key = this.seriesByMonitor.get(id);
      if (key !== undefined) keys.set(id, key);
    }
    return keys;
  }

  private async loadLabels(ids: Iterable<number>): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.textByLabel.has(id));
    if (missing.length === 0) return;
    this.cacheLabels(await this.rows(this.pool, `SELECT id, value FROM ${this.s}.labels WHERE id = ANY($1::integer[])`, [missing]));
  }

  private labelText(id: number): string {
    const text = this.textByLabel.get(id);
    if (text === undefined) throw new Error(`the store is inconsistent: label ${id} is missing`);
    return text;
  }

  /** Adds unknown monitor ids and labels (committed on their own, harmless if unused), then caches them. */
  private async intern(monitorIds: Iterable<string>, texts: Iterable<string>): Promise<void> {
    const newIds = [...new Set(monitorIds)].filter((id) => !this.seriesByMonitor.has(id));
    const newTexts = [...new Set(texts)].filter((text) => !this.labelByText.has(text));
    if (newIds.length > 0) {
      await this.pool.query(
        `INSERT INTO ${this.s}.series (monitor_id) SELECT unnest($1::text[]) ON CONFLICT (monitor_id) DO NOTHING`,
        [newIds],
      );
      await this.seriesKeys(newIds);
    }
    if (newTexts.length > 0) {
      await this.pool.query(
        `INSERT INTO ${this.s}.labels (value) SELECT unnest($1::text[]) ON CONFLICT ((md5(value))) DO NOTHING`,
        [newTexts],
      );
      const rows = await this.rows<{ id: number; value: string }>(
        this.pool,
        `SELECT id, value FROM ${this.s}.labels WHERE md5(value) IN (SELECT md5(v) FROM unnest($1::text[]) AS v)`,
        [newTexts],
      );
      this.cacheLabels(rows.filter((row) => newTexts.includes(row.value)));
      const lost = newTexts.find((text) => !this.labelByText.has(text));
      if (lost !== undefined) throw new Error(`could not store label ${JSON.stringify(lost.slice(0, 80))} (MD5 collision)`);
    }
  }

  // ---------------------------------------------------------------------------------------------- results

  async appendResults(results: readonly CheckResult[]): Promise<void> {
    if (results.length === 0) return;
    // One statement, so one transaction.
    await this.insertResults(this.pool, await this.encodeResults(results));
  }

  /** Rows for results (as values in `RESULT_COLUMNS` order), their monitor ids and labels interned first. */
  private async encodeResults(results: readonly CheckResult[]): Promise<Array<Array<number | string | null>>> {
    const labels = results.map(resultLabels);
    await this.intern(
      results.map((result) => result.monitorId),
      labels.flatMap((l) => [l.location, ...(l.components ? [l.components] : []), ...(l.conditions ? [l.conditions] : [])]),
    );
    return results.map((result, i) =>
      resultValues(
        encodeResult(result, this.seriesByMonitor.get(result.monitorId)!, labels[i]!, (text) => this.labelByText.get(text)!),
      ),
    );
  }

  /** The rows, and the hours they make stale if those were rolled up already, in one statement. */
  private async insertResults(db: Queryable, rows: ReadonlyArray<ReadonlyArray<number | string | null>>): Promise<void> {
    if (rows.length === 0) return;
    const columns = RESULT_COLUMNS.map((_, c) => rows.map((row) => row[c]));
    const s = this.s;
    await db.query(
      `WITH inserted AS (
         INSERT INTO ${s}.results (${RESULT_COLUMNS.join(', ')})
         SELECT * FROM unnest(${RESULT_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})
         ON CONFLICT DO NOTHING
         RETURNING monitor_key, at
       )
       INSERT INTO ${s}.rollup_dirty (monitor_key, hour)
       SELECT DISTINCT monitor_key, at - at % ${HOUR_MS} FROM inserted
       WHERE at < (SELECT value FROM ${s}.meta WHERE key = 'dirty_before')
       ON CONFLICT DO NOTHING`,
      columns,
    );
  }

  // ---------------------------------------------------------------------------------------------- the state step

  async commit(commits: readonly MonitorCommit[]): Promise<CommitResult[]> {
    if (commits.length === 0) return [];
    return this.tx(async (client) => {
      // The feed's cursor must grow in commit order: transactions that add events take turns.
      if (commits.some((commit) => commit.step?.change !== undefined)) {
        await client.query('SELECT pg_advisory_xact_lock($1)', [lockKey(`vigil-events:${this.schema}`)]);
      }
      const fenced = await this.fencedOut(client, commits);
      const admitted = fenced.size === 0 ? commits : commits.filter((commit) => !fenced.has(commit));
      await this.insertResults(client, await this.encodeResults(admitted.flatMap((commit) => commit.results)));
      const out: CommitResult[] = [];
      // The states after quiet results (most commits): one conditional upsert for all of them.
      const quiet = admitted.filter((commit) => commit.step === undefined);
      const written = await this.upsertQuietStates(
        client,
        quiet.map((commit) => commit.state),
      );
      for (const commit of commits) {
        if (fenced.has(commit)) out.push({ status: 'fenced', state: await this.storedState(client, commit.monitorId, commit.location) });
        else if (commit.step !== undefined) out.push(await this.commitStep(client, commit, commit.step));
        else if (written.has(stateKey(commit))) out.push({ status: 'applied', state: commit.state });
        else out.push({ status: 'conflict', state: await this.storedState(client, commit.monitorId, commit.location) });
      }
      return out;
    });
  }

  /**
   * The commits whose lease is no longer the one they name. The leases that still are stay share-locked until the
   * transaction ends: a claim by another instance waits for this commit, and the next commit under the old lease
   * finds the new epoch.
   */
  private async fencedOut(client: pg.PoolClient, commits: readonly MonitorCommit[]): Promise<Set<MonitorCommit>> {
    const fencing = commits.filter((commit) => commit.fence !== undefined);
    if (fencing.length === 0) return new Set();
    const held = await this.rows<{ id: string; owner: string; epoch: string }>(
      client,
      `SELECT l.monitor_id AS id, l.owner, l.epoch FROM ${this.s}.monitor_leases l
       JOIN unnest($1::text[], $2::text[], $3::bigint[]) AS f(id, owner, epoch) ON l.monitor_id = f.id AND l.owner = f.owner AND l.epoch = f.epoch
       ORDER BY l.monitor_id FOR SHARE OF l`,
      [fencing.map((commit) => commit.monitorId), fencing.map((commit) => commit.fence!.owner), fencing.map((commit) => commit.fence!.epoch)],
    );
    const valid = new Set(held.map((row) => `${row.id}\u0000${row.owner}\u0000${row.epoch}`));
    return new Set(fencing.filter((commit) => !valid.has(`${commit.monitorId}\u0000${commit.fence!.owner}\u0000${commit.fence!.epoch}`)));
  }

  /** States whose sequence number did not change, written where the stored one has the same; returns those written. */
  private async upsertQuietStates(client: pg.PoolClient, states: readonly MonitorRuntimeState[]): Promise<Set<string>> {
    if (states.length === 0) return new Set();
    const rows = states.map(stateValues);
    const written = await this.rows<{ monitorId: string; location: string }>(
      client,
      `INSERT INTO ${this.s}.runtime_states AS t (${STATE_INSERT_COLUMNS})
       SELECT * FROM unnest(${STATE_COLUMN_TYPES.map((type, i) => `$${i + 1}::${type}[]`).join(', ')})
       ON CONFLICT (monitor_id, location) DO UPDATE SET ${STATE_UPDATE_SET}
       WHERE t.seq = excluded.seq
       RETURNING monitor_id AS "monitorId", location`,
      // Column by column, for unnest.
      STATE_INSERT_COLUMNS.split(', ').map((_, c) => rows.map((row) => row[c])),
    );
    return new Set(written.map(stateKey));
  }

  /** One monitor's step, if the stored state (locked for the transaction) is the one it follows. */
  private async commitStep(client: pg.PoolClient, commit: MonitorCommit, step: CommitStep): Promise<CommitResult> {
    const s = this.s;
    const [row] = await this.rows<RuntimeStateRow>(
      client,
      `SELECT ${STATE_COLUMNS} FROM ${s}.runtime_states WHERE monitor_id = $1 AND location = $2 FOR UPDATE`,
      [commit.monitorId, commit.location],
    );
    const stored = row && runtimeStateFrom(row);
    const decision = stepFollows(commit, stored);
    if (decision !== 'apply') return { status: decision, state: stored };
    const change = step.change;
    let incidentId: number | undefined;
    if (step.closeIncidentId !== undefined) {
      await client.query(`UPDATE ${s}.incidents SET ended_at = $1 WHERE id = $2 AND ended_at IS NULL`, [
        step.at,
        step.closeIncidentId,
      ]);
      incidentId = step.closeIncidentId;
    }
    const state = withoutIncident(commit.state);
    if (step.openIncident !== undefined) {
      const opened = { monitorId: commit.monitorId, startedAt: step.at, ...step.openIncident };
      checkIncident(opened);
      const [inserted] = await this.rows<{ id: number }>(
        client,
        `INSERT INTO ${s}.incidents (monitor_id, status, started_at, cause) VALUES ($1, $2, $3, $4) RETURNING id`,
        [opened.monitorId, opened.status, opened.startedAt, opened.cause ?? null],
      );
      incidentId = inserted!.id;
      state.openIncidentId = incidentId;
    } else if (commit.state.openIncidentId !== undefined) {
      state.openIncidentId = commit.state.openIncidentId;
    }
    await client.query(
      `INSERT INTO ${s}.runtime_states (${STATE_INSERT_COLUMNS}) VALUES (${STATE_COLUMN_TYPES.map((_, i) => `$${i + 1}`).join(', ')})
       ON CONFLICT (monitor_id, location) DO UPDATE SET ${STATE_UPDATE_SET}`,
      stateValues(state),
    );
    for (const notification of step.notifications ?? []) {
      // A key already there is this step committed before (a retried commit): written once.
      await client.query(
        `INSERT INTO ${s}.outbox (${NOTIFICATION_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (idempotency_key) DO NOTHING`,
        notificationValues(notification),
      );
    }
    if (change === undefined) return { status: 'applied', state };
    const event = eventOf(commit, change, step, incidentId);
    const [inserted] = await this.rows<{ id: number }>(
      client,
      `INSERT INTO ${s}.events (${EVENT_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
      eventValues(event),
    );
    event.id = inserted!.id;
    return { status: 'applied', state, event };
  }

  private async storedState(db: Queryable, monitorId: string, location: string): Promise<MonitorRuntimeState | undefined> {
    const [row] = await this.rows<RuntimeStateRow>(
      db,
      `SELECT ${STATE_COLUMNS} FROM ${this.s}.runtime_states WHERE monitor_id = $1 AND location = $2`,
      [monitorId, location],
    );
    return row && runtimeStateFrom(row);
  }

  async latestResults(monitorId: string, limit: number): Promise<CheckResult[]> {
    const count = checkLimit(limit);
    const key = (await this.seriesKeys([monitorId])).get(monitorId);
    if (key === undefined || count === 0) return [];
    const rows = await this.rows<ResultRow>(
      this.pool,
      `SELECT ${RESULT_SELECT} FROM ${this.s}.results WHERE monitor_key = $1 ORDER BY at DESC LIMIT $2`,
      [key, count],
    );
    await this.loadLabels(rows.flatMap(rowLabelKeys));
    return rows.map((row) => decodeResult(row, monitorId, (id) => this.labelText(id)));
  }

  // ---------------------------------------------------------------------------------------------- summaries

  private async watermarks(db: Queryable): Promise<Watermarks> {
    return watermarksFrom(await this.rows<{ key: string; value: number }>(db, `SELECT key, value FROM ${this.s}.meta`));
  }

  private async setWatermarks(values: Watermarks): Promise<void> {
    const entries = metaEntries(values);
    if (entries.length === 0) return;
    await this.pool.query(
      `INSERT INTO ${this.s}.meta (key, value) SELECT * FROM unnest($1::text[], $2::bigint[])
       ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
      [entries.map(([key]) => key), entries.map(([, value]) => value)],
    );
  }

  /** Raw results grouped by monitor, bucket, status and (unless `latencyBuckets` is false) latency bucket. */
  private rawGroups(
    db: Queryable,
    keys: readonly number[],
    from: number,
    to: number,
    size: number,
    latencyBuckets = true,
  ): Promise<RawGroup[]> {
    const bucket = latencyBuckets
      ? `CASE WHEN status >= ${UNHEALTHY} THEN 0 ELSE width_bucket(latency, $5::integer[]) END`
      : '0';
    return this.rows<RawGroup>(
      db,
      `SELECT monitor_key AS key, at - at % $4::bigint AS bucket, status, ${bucket} AS "latencyBucket",
              count(*) AS count, sum(latency) AS "latencySum"
       FROM ${this.s}.results
       WHERE monitor_key = ANY($1::integer[]) AND at >= $2 AND at < $3
       GROUP BY 1, 2, 3, 4
       ORDER BY 1, 2`,
      latencyBuckets ? [keys, from, to, size, THRESHOLDS] : [keys, from, to, size],
    );
  }

  private rollups(
    db: Queryable,
    table: 'hourly' | 'daily',
    keys: readonly number[],
    from: number,
    to: number,
    sketch: boolean,
  ): Promise<StoredRollup[]> {
    return this.rows<StoredRollup>(
      db,
      `SELECT ${ROLLUP_SELECT}${sketch ? ', latency_sketch AS sketch' : ''} FROM ${this.s}.${ROLLUP_TABLES[table]}
       WHERE monitor_key = ANY($1::integer[]) AND bucket_start >= $2 AND bucket_start < $3
       ORDER BY monitor_key, bucket_start`,
      [keys, from, to],
    );
  }

  private packedRollups(
    db: Queryable,
    table: 'hourly' | 'daily',
    keys: readonly number[],
    from: number,
    to: number,
  ): Promise<PackedRollups[]> {
    return this.rows<PackedRollups>(
      db,
      `SELECT monitor_key AS key,
              json_agg(json_build_array(bucket_start, checks, failures, degraded, latency_sum, latency_p95, excused)
                       ORDER BY bucket_start) AS buckets
       FROM ${this.s}.${ROLLUP_TABLES[table]}
       WHERE monitor_key = ANY($1::integer[]) AND bucket_start >= $2 AND bucket_start < $3
       GROUP BY monitor_key`,
      [keys, from, to],
    );
  }

  private async exactRaw(db: Queryable, key: number, from: number, to: number): Promise<ExactAggregate> {
    // Nearest rank: the ⌈0.95·n⌉-th smallest latency, with integer arithmetic as in `nearestRankOffset`.
    const [row] = await this.rows<ExactAggregate & { up: number }>(
      db,
      `WITH r AS (SELECT status, latency FROM ${this.s}.results WHERE monitor_key = $1 AND at >= $2 AND at < $3),
            agg AS (
              SELECT count(*) AS checks,
                     count(*) FILTER (WHERE status = ${UNHEALTHY}) AS failures,
                     count(*) FILTER (WHERE status > ${UNHEALTHY}) AS excused,
                     count(*) FILTER (WHERE status = 1) AS degraded,
                     coalesce(sum(latency) FILTER (WHERE status < ${UNHEALTHY}), 0) AS "latencySum",
                     count(*) FILTER (WHERE status < ${UNHEALTHY}) AS up
              FROM r)
       SELECT agg.*, (SELECT latency FROM r WHERE status < ${UNHEALTHY} ORDER BY latency
                      OFFSET greatest((95 * agg.up + 99) / 100 - 1, 0) LIMIT 1) AS p95
       FROM agg`,
      [key, from, to],
    );
    return row!;
  }

  async summary(monitorId: string, from: number, to: number): Promise<StoreSummary> {
    checkRange(from, to);
    const key = (await this.seriesKeys([monitorId])).get(monitorId);
    if (key === undefined) return emptySummary();
    return this.snapshot(async (client) => {
      const plan = planSummary(await this.watermarks(client), from, to);
      const rollups = [
        ...(plan.daily ? await this.rollups(client, 'daily', [key], plan.daily.from, plan.daily.to, true) : []),
        ...(plan.hourly ? await this.rollups(client, 'hourly', [key], plan.hourly.from, plan.hourly.to, true) : []),
      ];
      if (rollups.length === 0) {
        if (!plan.raw) return emptySummary();
        const exact = await this.exactRaw(client, key, plan.raw.from, plan.raw.to);
        return summaryOf(exact, true, exact.p95 ?? undefined);
      }
      const tally = new Tally();
      for (const row of rollups) tally.addRollup(row);
      if (plan.raw) {
        for (const group of await this.rawGroups(client, [key], plan.raw.from, plan.raw.to, DAY_MS)) tally.addGroup(group);
      }
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
  private async bucketSummaries(
    monitorIds: readonly string[],
    from: number,
    to: number,
    size: BucketSize,
    withP95: boolean,
  ): Promise<Map<string, Map<number, StoreSummary>>> {
    checkRange(from, to);
    const out = new Map<string, Map<number, StoreSummary>>(monitorIds.map((id) => [id, new Map()]));
    const keys = [...new Set((await this.seriesKeys(monitorIds)).values())];
    if (keys.length === 0) return out;
    const sources = await this.snapshot(async (client) => {
      const plan = planBuckets(await this.watermarks(client), from, to, size);
      // Rollups as long as the bucket are used whole; a day also gathers the hourly rollups since the last one.
      const [whole, wholeTable] = size === DAY_MS ? [plan.daily, 'daily' as const] : [plan.hourly, 'hourly' as const];
      const parts = size === DAY_MS ? plan.hourly : undefined;
      return {
        whole: whole ? await this.packedRollups(client, wholeTable, keys, whole.from, whole.to) : [],
        parts: parts ? await this.rollups(client, 'hourly', keys, parts.from, parts.to, withP95) : [],
        raw: plan.raw ? await this.rawGroups(client, keys, plan.raw.from, plan.raw.to, size, withP95) : [],
      };
    });
    assembleBuckets(out, (key) => this.monitorByKey.get(key), size, sources, withP95);
    return out;
  }

  // ---------------------------------------------------------------------------------------------- maintenance

  private async writeRollups(
    client: pg.PoolClient,
    table: 'hourly' | 'daily',
    keys: readonly number[],
    from: number,
    to: number,
    rows: RollupRow[],
  ): Promise<void> {
    const name = `${this.s}.${ROLLUP_TABLES[table]}`;
    await client.query(`DELETE FROM ${name} WHERE monitor_key = ANY($1::integer[]) AND bucket_start >= $2 AND bucket_start < $3`, [
      keys,
      from,
      to,
    ]);
    if (rows.length === 0) return;
    await client.query(
      `INSERT INTO ${name} (monitor_key, bucket_start, checks, failures, excused, degraded, latency_sum, latency_p95, latency_sketch)
       SELECT * FROM unnest($1::integer[], $2::bigint[], $3::integer[], $4::integer[], $5::integer[], $6::integer[],
                            $7::bigint[], $8::double precision[], $9::bytea[])`,
      [
        rows.map((r) => r.key),
        rows.map((r) => r.bucketStart),
        rows.map((r) => r.checks),
        rows.map((r) => r.failures),
        rows.map((r) => r.excused),
        rows.map((r) => r.degraded),
        rows.map((r) => r.latencySum),
        rows.map((r) => r.p95),
        rows.map((r) => Buffer.from(r.sketch.buffer, r.sketch.byteOffset, r.sketch.byteLength)),
      ],
    );
  }

  private async rollHours(client: pg.PoolClient, keys: readonly number[], from: number, to: number): Promise<void> {
    const rows = buildRollups(await this.rawGroups(client, keys, from, to, HOUR_MS));
    await this.writeRollups(client, 'hourly', keys, from, to, rows);
  }

  private async rollDays(client: pg.PoolClient, keys: readonly number[], from: number, to: number): Promise<void> {
    const rows = mergeRollups(await this.rollups(client, 'hourly', keys, from, to, true), DAY_MS);
    await this.writeRollups(client, 'daily', keys, from, to, rows);
  }

  private recomputeLate(limit: number, bounds: { rawFrom: number; dailyTo: number }) {
    return this.tx(async (client) => {
      const s = this.s;
      // Claim first: a result arriving meanwhile marks its hour again and the next run rebuilds it.
      const pairs = await this.rows<{ key: number; hour: number }>(
        client,
        `DELETE FROM ${s}.rollup_dirty WHERE (monitor_key, hour) IN (
           SELECT monitor_key, hour FROM ${s}.rollup_dirty ORDER BY hour LIMIT $1 FOR UPDATE SKIP LOCKED)
         RETURNING monitor_key AS key, hour`,
        [limit],
      );
      const hours = new Map<number, number[]>();
      const days = new Map<number, Set<number>>();
      for (const { key, hour } of pairs) {
        if (hour < bounds.rawFrom) continue;
        hours.set(hour, [...(hours.get(hour) ?? []), key]);
        const day = floorTo(hour, DAY_MS);
        if (day < bounds.dailyTo) days.set(day, (days.get(day) ?? new Set()).add(key));
      }
      let rebuilt = 0;
      for (const [hour, keys] of hours) {
        await this.rollHours(client, keys, hour, hour + HOUR_MS);
        rebuilt += keys.length;
      }
      for (const [day, keys] of days) await this.rollDays(client, [...keys], day, day + DAY_MS);
      return { claimed: pairs.length, rebuilt };
    });
  }

  private async purge(table: PurgeTable, before: number, limit: number) {
    const [name, column] =
      table === 'results' ? ['results', 'at'] : [ROLLUP_TABLES[table], 'bucket_start'];
    const result = await this.pool.query(
      `DELETE FROM ${this.s}.${name} WHERE ctid = ANY(ARRAY(SELECT ctid FROM ${this.s}.${name} WHERE ${column} < $1 LIMIT $2))`,
      [before, limit],
    );
    const deleted = result.rowCount ?? 0;
    return { deleted, cursor: deleted >= limit ? 0 : undefined };
  }

  private maintenanceOps(): MaintenanceOps {
    const s = this.s;
    const nextAt = async (table: string, column: string, from: number) => {
      const [row] = await this.rows<{ at: number | null }>(
        this.pool,
        `SELECT min(f.at) AS at FROM ${s}.series sr
         CROSS JOIN LATERAL (SELECT t.${column} AS at FROM ${s}.${table} t
                             WHERE t.monitor_key = sr.key AND t.${column} >= $1 ORDER BY t.${column} LIMIT 1) f`,
        [from],
      );
      return row?.at ?? undefined;
    };
    return {
      watermarks: () => this.watermarks(this.pool),
      setWatermarks: (values) => this.setWatermarks(values),
      seriesKeys: async () =>
        (await this.rows<{ key: number }>(this.pool, `SELECT key FROM ${s}.series ORDER BY key`)).map((row) => row.key),
      nextRawAt: (from) => nextAt('results', 'at', from),
      nextHourlyAt: (from) => nextAt('rollups_hourly', 'bucket_start', from),
      rollHours: (keys, from, to) => this.tx((client) => this.rollHours(client, keys, from, to)),
      rollDays: (keys, from, to) => this.tx((client) => this.rollDays(client, keys, from, to)),
      recomputeLate: (limit, bounds) => this.recomputeLate(limit, bounds),
      purge: (table, before, limit) => this.purge(table, before, limit),
      purgeIncidents: async (before) =>
        (await this.pool.query(`DELETE FROM ${s}.incidents WHERE ended_at IS NOT NULL AND ended_at < $1`, [before])).rowCount ??
        0,
      purgeEvents: async (before) => (await this.pool.query(`DELETE FROM ${s}.events WHERE at < $1`, [before])).rowCount ?? 0,
    };
  }

  maintain(now: number, retention: Retention): Promise<MaintenanceReport> {
    return this.maintenance.run(async () => {
      // A session-level advisory lock on a connection held for the run: one maintaining process per schema.
      const client = await this.pool.connect();
      const key = lockKey(`vigil-maintain:${this.schema}`);
      try {
        const [row] = await this.rows<{ locked: boolean }>(client, 'SELECT pg_try_advisory_lock($1) AS locked', [key]);
        if (!row?.locked) {
          return {
            ran: false,
            hoursRolledUp: 0,
            daysRolledUp: 0,
            lateHoursRecomputed: 0,
            deleted: { results: 0, hourly: 0, daily: 0, incidents: 0, events: 0 },
          };
        }
        try {
          return await runMaintenance(this.maintenanceOps(), now, retention, this.options);
        } finally {
          await client.query('SELECT pg_advisory_unlock($1)', [key]);
        }
      } finally {
        client.release();
      }
    });
  }

  // ---------------------------------------------------------------------------------------------- incidents

  async incident(id: number): Promise<Incident | undefined> {
    const [row] = await this.rows<IncidentRow>(this.pool, `SELECT ${INCIDENT_COLUMNS} FROM ${this.s}.incidents WHERE id = $1`, [id]);
    return row && incidentFrom(row);
  }

  async acknowledgeIncident(id: number, acknowledged: { at: number; by: string }, audit?: NewAuditEntry): Promise<boolean> {
    return this.audited(
      async (client) =>
        ((
          await client.query(
            `UPDATE ${this.s}.incidents SET acknowledged_at = $1, acknowledged_by = $2
             WHERE id = $3 AND ended_at IS NULL AND acknowledged_at IS NULL`,
            [acknowledged.at, acknowledged.by, id],
          )
        ).rowCount ?? 0) > 0,
      audit,
      (updated) => updated,
    );
  }

  async incidentsOverlapping(options: { from: number; to: number; monitorIds?: readonly string[] }): Promise<Incident[]> {
    const { from, to, monitorIds } = options;
    checkRange(from, to);
    const overlapping = `SELECT ${INCIDENT_COLUMNS} FROM ${this.s}.incidents WHERE started_at < $2 AND (ended_at IS NULL OR ended_at > $1)`;
    const order = 'ORDER BY started_at, id';
    const rows =
      monitorIds === undefined
        ? await this.rows<IncidentRow>(this.pool, `${overlapping} ${order}`, [from, to])
        : await this.rows<IncidentRow>(this.pool, `${overlapping} AND monitor_id = ANY($3::text[]) ${order}`, [from, to, monitorIds]);
    return rows.map(incidentFrom);
  }

  async incidents(options: { monitorId?: string; limit: number }): Promise<Incident[]> {
    const limit = checkLimit(options.limit);
    const select = `SELECT ${INCIDENT_COLUMNS} FROM ${this.s}.incidents`;
    const rows =
      options.monitorId === undefined
        ? await this.rows<IncidentRow>(this.pool, `${select} ORDER BY started_at DESC, id DESC LIMIT $1`, [limit])
        : await this.rows<IncidentRow>(
            this.pool,
            `${select} WHERE monitor_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2`,
            [options.monitorId, limit],
          );
    return rows.map(incidentFrom);
  }

  // ---------------------------------------------------------------------------------------------- states and events

  async runtimeStates(location: string): Promise<Map<string, MonitorRuntimeState>> {
    const rows = await this.rows<RuntimeStateRow>(
      this.pool,
      `SELECT ${STATE_COLUMNS} FROM ${this.s}.runtime_states WHERE location = $1`,
      [location],
    );
    return new Map(rows.map((row) => [row.monitorId, runtimeStateFrom(row)]));
  }

  async events(options: { after: number; limit: number; monitorId?: string }): Promise<StateChangeEvent[]> {
    const limit = checkLimit(options.limit);
    const select = `SELECT ${EVENT_COLUMNS} FROM ${this.s}.events`;
    const rows =
      options.monitorId === undefined
        ? await this.rows<EventRow>(this.pool, `${select} WHERE id > $1 ORDER BY id LIMIT $2`, [options.after, limit])
        : await this.rows<EventRow>(this.pool, `${select} WHERE id > $1 AND monitor_id = $2 ORDER BY id LIMIT $3`, [
            options.after,
            options.monitorId,
            limit,
          ]);
    return rows.map(eventFrom);
  }

  async lastEventId(): Promise<number> {
    const [row] = await this.rows<{ id: number | null }>(this.pool, `SELECT max(id) AS id FROM ${this.s}.events`);
    return row?.id ?? 0;
  }

  // ---------------------------------------------------------------------------------------------- one instance

  async lockInstance(onLost: (error: Error) => void): Promise<InstanceLock> {
    const key = lockKey(`vigil-instance:${this.schema}`);
    // The lock lives as long as this connection: its own, outside the pool, named so that others can see who holds it.
    const name = `vigil serve ${this.schema} pid ${process.pid}@${hostname()}`.slice(0, 63);
    const client = new pg.Client({ ...this.connection, application_name: name, keepAlive: true });
    let released = false;
    await client.connect();
    const [row] = (await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [key])).rows;
    if (!row?.locked) {
      const holders = (
        await client.query<{ name: string; since: Date | null }>(
          `SELECT a.application_name AS name, a.backend_start AS since FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
           WHERE l.locktype = 'advisory' AND l.granted AND l.objid::bigint = ($1::bigint & 4294967295) AND a.pid <> pg_backend_pid()`,
          [key],
        )
      ).rows;
      await client.end().catch(() => undefined);
      const holder = holders[0];
      const who = holder ? ` (${holder.name || 'a connection'}${holder.since ? `, since ${holder.since.toISOString()}` : ''})` : '';
      throw new Error(
        `another vigil serve is already using the PostgreSQL schema "${this.schema}"${who}: this lock keeps one process on a schema; stop the other one or give this one another schema (?schema=…). vigil serve itself shares a PostgreSQL schema with other instances through leases instead (docs/scaling.md)`,
      );
    }
    const lost = (error: Error) => {
      if (released) return;
      released = true;
      onLost(new Error(`the connection holding this instance's lock on schema "${this.schema}" was lost: ${error.message}`));
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the connection ended')));
    return {
      release: async () => {
        if (released) return;
        released = true;
        await client.end().catch(() => undefined);
      },
    };
  }

  // ---------------------------------------------------------------------------------------------- tokens

  /** A change and its audit entry, in one transaction. */
  private async audited<T>(change: (client: pg.PoolClient) => Promise<T>, audit: NewAuditEntry | undefined, when: (value: T) => boolean = () => true): Promise<T> {
    return this.tx(async (client) => {
      const value = await change(client);
      if (audit !== undefined && when(value)) {
        await client.query(`INSERT INTO ${this.s}.audit (${AUDIT_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7)`, auditValues(audit));
      }
      return value;
    });
  }

  private tokenSelect(): string {
    return `SELECT id, name, hash, scope, created_at AS "createdAt", last_used_at AS "lastUsedAt" FROM ${this.s}.tokens`;
  }

  async createToken(token: StoredToken, audit?: NewAuditEntry): Promise<void> {
    await this.audited(async (client) => {
      await client.query(
        `INSERT INTO ${this.s}.tokens (id, name, hash, scope, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, $6)`,
        [token.id, token.name, token.hash, token.scope, token.createdAt, token.lastUsedAt ?? null],
      );
    }, audit);
  }

  async findTokenByHash(hash: string): Promise<StoredToken | undefined> {
    const [row] = await this.rows<TokenRow>(this.pool, `${this.tokenSelect()} WHERE hash = $1`, [hash]);
    return row && tokenFrom(row);
  }

  async touchToken(id: string, at: number): Promise<void> {
    await this.pool.query(`UPDATE ${this.s}.tokens SET last_used_at = $1 WHERE id = $2`, [at, id]);
  }

  async listTokens(): Promise<StoredToken[]> {
    return (await this.rows<TokenRow>(this.pool, `${this.tokenSelect()} ORDER BY created_at, id`)).map(tokenFrom);
  }

  async deleteToken(id: string, audit?: NewAuditEntry): Promise<boolean> {
    return this.audited(
      async (client) => ((await client.query(`DELETE FROM ${this.s}.tokens WHERE id = $1`, [id])).rowCount ?? 0) > 0,
      audit,
      (deleted) => deleted,
    );
  }

  async appendAudit(entry: NewAuditEntry): Promise<void> {
    await this.audited(async () => undefined, entry);
  }

  async auditLog(options: { before?: number; limit: number; subject?: string }): Promise<AuditEntry[]> {
    const limit = checkLimit(options.limit);
    const before = options.before ?? Number.MAX_SAFE_INTEGER;
    const select = `SELECT ${AUDIT_COLUMNS} FROM ${this.s}.audit WHERE id < $1`;
    const rows =
      options.subject === undefined
        ? await this.rows<AuditRow>(this.pool, `${select} ORDER BY id DESC LIMIT $2`, [before, limit])
        : await this.rows<AuditRow>(this.pool, `${select} AND subject = $2 ORDER BY id DESC LIMIT $3`, [before, options.subject, limit]);
    return rows.map(auditFrom);
  }

  // ---------------------------------------------------------------------------------------------- notifications

  async claimNotifications(options: { now: number; leaseMs: number; limit: number }): Promise<ClaimedNotification[]> {
    const limit = checkLimit(options.limit);
    const s = this.s;
    // SKIP LOCKED: several dispatchers take different rows at once, none waits for another's.
    const rows = await this.rows<NotificationRow>(
      this.pool,
      `UPDATE ${s}.outbox SET attempts = attempts + 1, lease_until = $2
       WHERE id IN (SELECT o.id FROM ${s}.outbox o WHERE ${CLAIMABLE(`${s}.outbox`, () => '$1')}
                    ORDER BY o.id LIMIT $3 FOR UPDATE SKIP LOCKED)
       RETURNING ${NOTIFICATION_COLUMNS}`,
      [options.now, options.now + options.leaseMs, limit],
    );
    return rows.map(claimedFrom).sort((a, b) => a.id - b.id);
  }

  async finishNotification(claim: { id: number; attempt: number }, attempt: DeliveryAttempt, next: DeliveryNext): Promise<boolean> {
    const [status, nextAttemptAt, finishedAt] = nextValues(next, attempt.at);
    return this.tx(async (client) => {
      const updated = await client.query(
        `UPDATE ${this.s}.outbox SET status = $1, next_attempt_at = coalesce($2, next_attempt_at), finished_at = $3,
           lease_until = NULL, last_error = $4 WHERE id = $5 AND attempts = $6 AND status = 'pending'`,
        [status, nextAttemptAt, finishedAt, attempt.error ?? null, claim.id, claim.attempt],
      );
      if ((updated.rowCount ?? 0) === 0) return false;
      await client.query(
        `INSERT INTO ${this.s}.outbox_attempts (${ATTEMPT_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
        attemptValues(claim.id, attempt),
      );
      return true;
    });
  }

  async releaseNotification(claim: { id: number; attempt: number }, nextAttemptAt: number): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE ${this.s}.outbox SET attempts = attempts - 1, lease_until = NULL, next_attempt_at = $1
       WHERE id = $2 AND attempts = $3 AND status = 'pending'`,
      [nextAttemptAt, claim.id, claim.attempt],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async notifications(options: {
    limit: number;
    before?: number;
    monitorId?: string;
    status?: DeliveryStatus;
  }): Promise<StoredNotification[]> {
    const limit = checkLimit(options.limit);
    const params: unknown[] = [options.before ?? Number.MAX_SAFE_INTEGER];
    const where = ['id < $1'];
    if (options.monitorId !== undefined) {
      params.push(options.monitorId);
      where.push(`monitor_id = $${params.length}`);
    }
    if (options.status !== undefined) {
      params.push(options.status);
      where.push(`status = $${params.length}`);
    }
    params.push(limit);
    const rows = await this.rows<NotificationRow>(
      this.pool,
      `SELECT ${NOTIFICATION_COLUMNS} FROM ${this.s}.outbox WHERE ${where.join(' AND ')} ORDER BY id DESC LIMIT $${params.length}`,
      params,
    );
    if (rows.length === 0) return [];
    const attempts = await this.rows<AttemptRow>(
      this.pool,
      `SELECT ${ATTEMPT_COLUMNS} FROM ${this.s}.outbox_attempts WHERE outbox_id = ANY($1::bigint[]) ORDER BY outbox_id, attempt`,
      [rows.map((row) => row.id)],
    );
    return rows.map((row) =>
      storedNotificationFrom(
        row,
        attempts.filter((attempt) => Number(attempt.outboxId) === Number(row.id)).map(attemptFrom),
      ),
    );
  }

  async notificationBacklog(): Promise<{ pending: number; oldestCreatedAt?: number }> {
    const [row] = await this.rows<{ pending: string; oldest: string | null }>(
      this.pool,
      `SELECT count(*) AS pending, min(created_at) AS oldest FROM ${this.s}.outbox WHERE status = 'pending'`,
    );
    return { pending: Number(row!.pending), ...(row!.oldest === null ? {} : { oldestCreatedAt: Number(row!.oldest) }) };
  }

  // ---------------------------------------------------------------------------------------------- status page incidents

  /** Incidents (in `rows` order) with their updates: one more query, whatever their number. */
  private async withUpdates(db: Queryable, rows: readonly StatusIncidentRow[]): Promise<StatusIncident[]> {
    if (rows.length === 0) return [];
    const updates = await this.rows<StatusUpdateRow>(
      db,
      `SELECT ${STATUS_UPDATE_COLUMNS} FROM ${this.s}.status_incident_updates
       WHERE incident_id = ANY($1::bigint[]) ORDER BY incident_id, id`,
      [rows.map((row) => row.id)],
    );
    return statusIncidentsFrom(rows, updates);
  }

  /** One incident with its updates (inside a transaction or snapshot, so that both reads agree). */
  private async statusIncidentWhere(client: pg.PoolClient, column: 'id' | 'source_incident_id', value: number): Promise<StatusIncident | undefined> {
    const rows = await this.rows<StatusIncidentRow>(
      client,
      `SELECT ${STATUS_INCIDENT_COLUMNS} FROM ${this.s}.status_incidents WHERE ${column} = $1`,
      [value],
    );
    return (await this.withUpdates(client, rows))[0];
  }

  async createStatusIncident(incident: NewStatusIncident, audit?: NewAuditEntry): Promise<StatusIncident> {
    const values = newStatusIncidentValues(incident);
    const source = values[7];
    const s = this.s;
    // A draft racing another of the same monitor incident waits for it on the UNIQUE source, inserts nothing, and
    // returns it. Should that one be deleted in between, the insert is tried again.
    for (let attempt = 1; ; attempt++) {
      const { incident: stored } = await this.audited(
        async (client) => {
          const [inserted] = await this.rows<{ id: number }>(
            client,
            `INSERT INTO ${s}.status_incidents (${STATUS_INCIDENT_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4::jsonb, $5, $6, $7, $8)
             ON CONFLICT (source_incident_id) DO NOTHING RETURNING id`,
            values,
          );
          if (inserted === undefined) {
            return { created: false, incident: await this.statusIncidentWhere(client, 'source_incident_id', source!) };
          }
          await client.query(`INSERT INTO ${s}.status_incident_updates (${STATUS_UPDATE_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, [
            inserted.id,
            incident.at,
            incident.status,
            String(incident.message),
            String(incident.author),
          ]);
          return { created: true, incident: await this.statusIncidentWhere(client, 'id', inserted.id) };
        },
        audit,
        (result) => result.created,
      );
      if (stored !== undefined) return stored;
      if (attempt >= 3) throw new Error(`could not create a status incident for incident ${source}: it kept changing`);
    }
  }

  async updateStatusIncident(id: number, change: StatusIncidentChange, audit?: NewAuditEntry): Promise<StatusIncident | undefined> {
    const s = this.s;
    return this.audited(
      async (client) => {
        const [current] = await this.rows<StatusIncidentRow>(
          client,
          `SELECT ${STATUS_INCIDENT_COLUMNS} FROM ${s}.status_incidents WHERE id = $1 FOR UPDATE`,
          [id],
        );
        if (current === undefined) return undefined;
        const next = applyStatusIncidentChange(current, change);
        await client.query(
          `UPDATE ${s}.status_incidents SET title = $1, status = $2, impact = $3, monitors = $4::jsonb, published = $5,
             updated_at = $6, resolved_at = $7 WHERE id = $8`,
          [next.title, next.status, next.impact, next.monitors, next.published, next.updatedAt, next.resolvedAt, id],
        );
        if (next.update !== undefined) {
          const { at, status, message, author } = next.update;
          await client.query(`INSERT INTO ${s}.status_incident_updates (${STATUS_UPDATE_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5)`, [
            id,
            at,
            status,
            message,
            author,
          ]);
        }
        return this.statusIncidentWhere(client, 'id', id);
      },
      audit,
      (updated) => updated !== undefined,
    );
  }

  async statusIncident(id: number): Promise<StatusIncident | undefined> {
    return this.snapshot((client) => this.statusIncidentWhere(client, 'id', id));
  }

  async statusIncidentBySource(sourceIncidentId: number): Promise<StatusIncident | undefined> {
    return this.snapshot((client) => this.statusIncidentWhere(client, 'source_incident_id', sourceIncidentId));
  }

  async statusIncidents(options: { limit: number; since?: number; before?: number; publishedOnly?: boolean }): Promise<StatusIncident[]> {
    const limit = checkLimit(options.limit);
    const params: unknown[] = [options.before ?? Number.MAX_SAFE_INTEGER];
    const where = ['id < $1'];
    if (options.since !== undefined) {
      params.push(options.since);
      where.push(`(resolved_at IS NULL OR resolved_at >= $${params.length})`);
    }
    if (options.publishedOnly === true) where.push('published');
    params.push(limit);
    return this.snapshot(async (client) =>
      this.withUpdates(
        client,
        await this.rows<StatusIncidentRow>(
          client,
          `SELECT ${STATUS_INCIDENT_COLUMNS} FROM ${this.s}.status_incidents WHERE ${where.join(' AND ')}
           ORDER BY id DESC LIMIT $${params.length}`,
          params,
        ),
      ),
    );
  }

  async deleteStatusIncident(id: number, audit?: NewAuditEntry): Promise<boolean> {
    // Its updates go with it (ON DELETE CASCADE).
    return this.audited(
      async (client) => ((await client.query(`DELETE FROM ${this.s}.status_incidents WHERE id = $1`, [id])).rowCount ?? 0) > 0,
      audit,
      (deleted) => deleted,
    );
  }

  // ---------------------------------------------------------------------------------------------- scheduled maintenance

  async createMaintenance(window: NewMaintenance, audit?: NewAuditEntry): Promise<StoredMaintenance> {
    const values = newMaintenanceValues(window);
    return this.audited(async (client) => {
      const [row] = await this.rows<MaintenanceRow>(
        client,
        `INSERT INTO ${this.s}.maintenance_windows (${MAINTENANCE_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, $8)
         RETURNING ${MAINTENANCE_COLUMNS}`,
        values,
      );
      return maintenanceFrom(row!);
    }, audit);
  }

  async maintenanceWindows(options: { endsAfter?: number } = {}): Promise<StoredMaintenance[]> {
    const rows = await this.rows<MaintenanceRow>(
      this.pool,
      `SELECT ${MAINTENANCE_COLUMNS} FROM ${this.s}.maintenance_windows WHERE ends_at > $1 ORDER BY starts_at, id`,
      [options.endsAfter ?? Number.MIN_SAFE_INTEGER],
    );
    return rows.map(maintenanceFrom);
  }

  async deleteMaintenance(id: number, audit?: NewAuditEntry): Promise<boolean> {
    return this.audited(
      async (client) => ((await client.query(`DELETE FROM ${this.s}.maintenance_windows WHERE id = $1`, [id])).rowCount ?? 0) > 0,
      audit,
      (deleted) => deleted,
    );
  }

  // ---------------------------------------------------------------------------------------------- API monitors

  async pausedMonitors(): Promise<string[]> {
    const rows = await this.rows<{ id: string }>(this.pool, `SELECT monitor_id AS id FROM ${this.s}.api_pauses ORDER BY monitor_id`);
    return rows.map((row) => row.id);
  }

  async setPaused(monitorId: string, at: number | undefined, audit?: NewAuditEntry): Promise<void> {
    await this.audited(async (client) => {
      if (at === undefined) await client.query(`DELETE FROM ${this.s}.api_pauses WHERE monitor_id = $1`, [monitorId]);
      else {
        await client.query(
          `INSERT INTO ${this.s}.api_pauses (monitor_id, paused_at) VALUES ($1, $2) ON CONFLICT (monitor_id) DO NOTHING`,
          [monitorId, at],
        );
      }
    }, audit);
  }

  async listMonitors(): Promise<StoredMonitor[]> {
    const rows = await this.rows<MonitorRow>(
      this.pool,
      `SELECT id, definition, created_at AS "createdAt", updated_at AS "updatedAt" FROM ${this.s}.api_monitors ORDER BY id`,
    );
    return rows.map(monitorFrom);
  }

  async saveMonitor(monitor: StoredMonitor, audit?: NewAuditEntry): Promise<void> {
    const definition = definitionJson(monitor);
    await this.audited(async (client) => {
      await client.query(
        `INSERT INTO ${this.s}.api_monitors (id, definition, created_at, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (id) DO UPDATE SET definition = excluded.definition, updated_at = excluded.updated_at`,
        [monitor.id, definition, monitor.createdAt, monitor.updatedAt],
      );
    }, audit);
  }

  async deleteMonitor(id: string, audit?: NewAuditEntry): Promise<boolean> {
    return this.audited(
      async (client) => {
        const deleted = ((await client.query(`DELETE FROM ${this.s}.api_monitors WHERE id = $1`, [id])).rowCount ?? 0) > 0;
        if (deleted) await client.query(`DELETE FROM ${this.s}.pings WHERE monitor_id = $1`, [id]);
        return deleted;
      },
      audit,
      (deleted) => deleted,
    );
  }

  // ---------------------------------------------------------------------------------------------- heartbeat ping log

  async recordPing(ping: PingRecord, keep: number): Promise<StoredPing> {
    const values = pingValues(ping);
    checkKeep(keep);
    const s = this.s;
    return this.tx(async (client) => {
      const [row] = await this.rows<PingRow>(
        client,
        `INSERT INTO ${s}.pings (${PING_INSERT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${PING_COLUMNS}`,
        values,
      );
      // Every ping older than the keep-th newest goes (none while there are fewer). Another writer pruning the same
      // monitor at once may hold some of those rows: they are skipped, not waited for (so two prunes never wait on
      // or deadlock each other), and the one that holds them deletes them.
      await client.query(
        `DELETE FROM ${s}.pings WHERE id IN (
           SELECT id FROM ${s}.pings
           WHERE monitor_id = $1 AND id < (SELECT id FROM ${s}.pings WHERE monitor_id = $1 ORDER BY id DESC OFFSET $2 LIMIT 1)
           FOR UPDATE SKIP LOCKED)`,
        [row!.monitorId, keep - 1],
      );
      return pingFrom(row!);
    });
  }

  async recentPings(monitorId: string, limit: number, before?: number): Promise<StoredPing[]> {
    const rows = await this.rows<PingRow>(
      this.pool,
      `SELECT ${PING_COLUMNS} FROM ${this.s}.pings WHERE monitor_id = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
      [monitorId, pingCursor(before), checkLimit(limit)],
    );
    return rows.map(pingFrom);
  }

  // ---------------------------------------------------------------------------------------------- lifecycle

  async usage(): Promise<StoreUsage> {
    const [row] = await this.rows<StoreUsage>(
      this.pool,
      `SELECT (SELECT count(*) FROM ${this.s}.results) AS results,
              pg_total_relation_size($2::regclass) AS "resultBytes",
              (SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0) FROM pg_class c
                 JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = $1 AND c.relkind IN ('r', 'm')) AS "totalBytes"`,
      [this.schema, `${this.s}.results`],
    );
    return row!;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.maintenance.run(async () => undefined);
    await this.pool.end();
  }
}
