/**
 * The SQLite schema, one entry per version; `migrate` applies the ones a database has not seen, in one
 * transaction, and records each in `schema_version`. Never edit a released entry: add the next one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

const rollupTable = (name: string) => `
CREATE TABLE ${name} (
  monitor_key INTEGER NOT NULL,
  bucket_start INTEGER NOT NULL,
  checks INTEGER NOT NULL,
  failures INTEGER NOT NULL,
  degraded INTEGER NOT NULL,
  latency_sum INTEGER NOT NULL,
  latency_p95 REAL,
  latency_sketch BLOB,
  PRIMARY KEY (monitor_key, bucket_start)
) WITHOUT ROWID;`;

export const SQLITE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'results, rollups, incidents, runtime states, tokens, API monitors',
    sql: `
CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
-- Monitor ids, stored once; results and rollups refer to them by key.
CREATE TABLE series (key INTEGER PRIMARY KEY, monitor_id TEXT NOT NULL UNIQUE);
-- Other repeated strings: locations, component-status sets, conditions of passing checks.
CREATE TABLE labels (id INTEGER PRIMARY KEY, value TEXT NOT NULL UNIQUE);
-- One row per check. Times and durations in whole milliseconds; status 0 healthy, 1 degraded, 2 unhealthy.
CREATE TABLE results (
  monitor_key INTEGER NOT NULL,
  at INTEGER NOT NULL,
  location_key INTEGER NOT NULL,
  status INTEGER NOT NULL,
  latency INTEGER NOT NULL,
  status_code INTEGER,
  dns INTEGER,
  connect INTEGER,
  tls INTEGER,
  first_byte INTEGER,
  transfer INTEGER,
  error TEXT,
  components_key INTEGER,
  conditions_key INTEGER,
  conditions TEXT,
  cert_expires_at INTEGER,
  PRIMARY KEY (monitor_key, at, location_key)
) WITHOUT ROWID;
-- (monitor, hour) pairs whose rollup must be rebuilt because results arrived after it was computed.
CREATE TABLE rollup_dirty (monitor_key INTEGER NOT NULL, hour INTEGER NOT NULL, PRIMARY KEY (monitor_key, hour)) WITHOUT ROWID;
${rollupTable('rollups_hourly')}
${rollupTable('rollups_daily')}
CREATE TABLE incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  monitor_id TEXT NOT NULL,
  status TEXT NOT NULL,
  started_at INTEGER NOT NULL,
  ended_at INTEGER,
  cause TEXT
);
CREATE INDEX incidents_by_monitor ON incidents (monitor_id, started_at);
CREATE INDEX incidents_by_start ON incidents (started_at);
CREATE TABLE runtime_states (
  monitor_id TEXT PRIMARY KEY,
  state TEXT NOT NULL,
  consecutive_failures INTEGER NOT NULL,
  last_check_at INTEGER,
  open_incident_id INTEGER
) WITHOUT ROWID;
CREATE TABLE tokens (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER
) WITHOUT ROWID;
CREATE TABLE api_monitors (
  id TEXT PRIMARY KEY,
  definition TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
-- For people reading the database by hand: results with their strings.
CREATE VIEW results_view AS
  SELECT s.monitor_id, r.at, l.value AS location, r.status, r.latency, r.status_code, r.dns, r.connect, r.tls,
         r.first_byte, r.transfer, r.error, c.value AS components, coalesce(k.value, r.conditions) AS conditions,
         r.cert_expires_at
  FROM results r
  JOIN series s ON s.key = r.monitor_key
  JOIN labels l ON l.id = r.location_key
  LEFT JOIN labels c ON c.id = r.components_key
  LEFT JOIN labels k ON k.id = r.conditions_key;
`,
  },
  {
    version: 2,
    description: 'one transaction per state step: states per location with a sequence number, the events feed, result kinds, excused failures',
    sql: `
-- Heartbeat results say what they stand for (1 ping, 2 missed, 3 overran); probe results have none.
ALTER TABLE results ADD COLUMN kind INTEGER;
-- Failed checks that were not downtime (status 3: pending, 4: maintenance) count apart.
ALTER TABLE rollups_hourly ADD COLUMN excused INTEGER NOT NULL DEFAULT 0;
ALTER TABLE rollups_daily ADD COLUMN excused INTEGER NOT NULL DEFAULT 0;
CREATE TABLE runtime_states_v2 (
  monitor_id TEXT NOT NULL,
  location TEXT NOT NULL,
  state TEXT NOT NULL,
  consecutive_failures INTEGER NOT NULL,
  last_check_at INTEGER,
  open_incident_id INTEGER,
  seq INTEGER NOT NULL,
  since INTEGER,
  PRIMARY KEY (monitor_id, location)
) WITHOUT ROWID;
INSERT INTO runtime_states_v2 (monitor_id, location, state, consecutive_failures, last_check_at, open_incident_id, seq)
  SELECT monitor_id, 'local', state, consecutive_failures, last_check_at, open_incident_id, 0 FROM runtime_states;
DROP TABLE runtime_states;
ALTER TABLE runtime_states_v2 RENAME TO runtime_states;
-- Earlier versions could leave an incident open that no state refers to any more: closed at the first healthy
-- check stored after it started (at its start when there is none).
UPDATE incidents SET ended_at = coalesce(
    (SELECT min(r.at) FROM results r JOIN series s ON s.key = r.monitor_key
     WHERE s.monitor_id = incidents.monitor_id AND r.at >= incidents.started_at AND r.status = 0),
    incidents.started_at)
  WHERE ended_at IS NULL
    AND id NOT IN (SELECT open_incident_id FROM runtime_states WHERE open_incident_id IS NOT NULL);
-- The feed of state changes: the cursor (id) grows in commit order; seq numbers each monitor's changes.
CREATE TABLE events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  monitor_id TEXT NOT NULL,
  location TEXT NOT NULL,
  seq INTEGER NOT NULL,
  from_state TEXT NOT NULL,
  to_state TEXT NOT NULL,
  at INTEGER NOT NULL,
  reason TEXT,
  result_at INTEGER,
  incident_id INTEGER,
  UNIQUE (monitor_id, location, seq)
);
CREATE INDEX events_by_time ON events (at);
-- Monitors paused through the API (until now told apart by their stored state alone).
CREATE TABLE api_pauses (monitor_id TEXT PRIMARY KEY, paused_at INTEGER NOT NULL) WITHOUT ROWID;
INSERT INTO api_pauses (monitor_id, paused_at)
  SELECT monitor_id, coalesce(last_check_at, 0) FROM runtime_states WHERE state = 'paused';
DROP VIEW results_view;
CREATE VIEW results_view AS
  SELECT s.monitor_id, r.at, l.value AS location, r.status, r.latency, r.status_code, r.dns, r.connect, r.tls,
         r.first_byte, r.transfer, r.error, c.value AS components, coalesce(k.value, r.conditions) AS conditions,
         r.cert_expires_at, r.kind
  FROM results r
  JOIN series s ON s.key = r.monitor_key
  JOIN labels l ON l.id = r.location_key
  LEFT JOIN labels c ON c.id = r.components_key
  LEFT JOIN labels k ON k.id = r.conditions_key;
`,
  },
  {
    version: 3,
    description: 'token scopes and the audit log',
    sql: `
-- Tokens made before scopes could do everything: they keep that.
ALTER TABLE tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'admin';
CREATE TABLE audit (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at INTEGER NOT NULL,
  token_id TEXT,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  subject TEXT NOT NULL,
  before TEXT,
  after TEXT
);
CREATE INDEX audit_by_subject ON audit (subject, id);
`,
  },
  {
    version: 4,
    description: 'alerting: progress in runtime states, the notifications outbox and its attempts',
    sql: `
ALTER TABLE runtime_states ADD COLUMN alert_seq INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_bad INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_good INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_trigger INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_since INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_notified_at INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_held TEXT;
ALTER TABLE runtime_states ADD COLUMN alert_acked_at INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_acked_by TEXT;
ALTER TABLE runtime_states ADD COLUMN alert_escalated INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_cert_expires_at INTEGER;
ALTER TABLE runtime_states ADD COLUMN alert_cert_days INTEGER;
ALTER TABLE incidents ADD COLUMN acknowledged_at INTEGER;
ALTER TABLE incidents ADD COLUMN acknowledged_by TEXT;
CREATE TABLE outbox (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  idempotency_key TEXT NOT NULL UNIQUE,
  monitor_id TEXT NOT NULL,
  location TEXT NOT NULL,
  alert_seq INTEGER NOT NULL,
  channel TEXT NOT NULL,
  kind TEXT NOT NULL,
  payload TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'pending',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  lease_until INTEGER,
  last_error TEXT,
  finished_at INTEGER
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_monitor ON outbox (monitor_id, id);
CREATE TABLE outbox_attempts (
  outbox_id INTEGER NOT NULL,
  attempt INTEGER NOT NULL,
  at INTEGER NOT NULL,
  outcome TEXT NOT NULL,
  status INTEGER,
  error TEXT,
  response TEXT,
  duration_ms INTEGER NOT NULL,
  PRIMARY KEY (outbox_id, attempt)
);
`,
  },
  {
    version: 5,
    description: 'status page incidents and their updates',
    sql: `
-- Incidents as status pages show them (not the monitors' own incidents). monitors: JSON [{"id", "impact"}];
-- published 0 or 1; status is that of the latest update; resolved_at set while it is resolved.
CREATE TABLE status_incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  status TEXT NOT NULL,
  impact TEXT NOT NULL,
  monitors TEXT NOT NULL,
  published INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  resolved_at INTEGER,
  -- The monitor incident it was drafted from: one status incident at most each (no foreign key: retention
  -- deletes monitor incidents, their status incidents stay).
  source_incident_id INTEGER UNIQUE
);
-- The list: open ones (NULL) and those resolved since a time, newest id first (the rowid is part of the index).
CREATE INDEX status_incidents_by_resolution ON status_incidents (resolved_at);
-- The cascade needs PRAGMA foreign_keys, which the store leaves off: it deletes the updates itself.
CREATE TABLE status_incident_updates (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  incident_id INTEGER NOT NULL REFERENCES status_incidents (id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  status TEXT NOT NULL,
  message TEXT NOT NULL,
  author TEXT NOT NULL
);
CREATE INDEX status_incident_updates_by_incident ON status_incident_updates (incident_id, id);
`,
  },
  {
    version: 6,
    description: 'maintenance windows scheduled through the API',
    sql: `
-- One-off windows [starts_at, ends_at) written through the API (the configuration's are not stored). monitors and
-- monitor_groups: JSON arrays of ids and group names; message NULL when there is none.
CREATE TABLE maintenance_windows (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  message TEXT,
  starts_at INTEGER NOT NULL,
  ends_at INTEGER NOT NULL,
  monitors TEXT NOT NULL,
  monitor_groups TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  author TEXT NOT NULL
);
-- The windows that have not ended, read at start.
CREATE INDEX maintenance_windows_by_end ON maintenance_windows (ends_at);
`,
  },
  {
    version: 7,
    description: 'the heartbeat ping log',
    sql: `
-- Every ping a heartbeat received, its newest ones only (recordPing deletes the older ones). kind: success, fail,
-- start, log or ignored; absent values NULL; body truncated and sanitized before it is stored.
CREATE TABLE pings (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  monitor_id TEXT NOT NULL,
  at INTEGER NOT NULL,
  kind TEXT NOT NULL,
  exit_status INTEGER,
  rid TEXT,
  method TEXT NOT NULL,
  note TEXT,
  user_agent TEXT,
  remote_address TEXT,
  body TEXT
);
-- A heartbeat's pings newest first, and the prune of the older ones.
CREATE INDEX pings_by_monitor ON pings (monitor_id, id);
`,
  },
];
