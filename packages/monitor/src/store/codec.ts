/**
 * How a `CheckResult` becomes a lean row and back, for both backends. Strings that repeat from row to row — the
 * monitor id, the location, a health endpoint's component statuses, the conditions of a passing check — are
 * stored once in a dictionary (`series` for monitor ids, `labels` for the rest) and referenced by integer keys.
 * Times are whole milliseconds, statuses small integers, absent fields NULL.
 */
import type { Status } from '@vigil/core';
import type { CheckResult, ConditionOutcome, Excuse, HeartbeatResultKind, PhaseTimings } from '../model.js';

export const STATUS_CODES: Readonly<Record<Status, number>> = { healthy: 0, degraded: 1, unhealthy: 2 };
const STATUS_BY_CODE: readonly Status[] = ['healthy', 'degraded', 'unhealthy'];
/** A result's status column: 2 is a failed check that was downtime; a failed check that was not is 3 or 4. */
export const UNHEALTHY = STATUS_CODES.unhealthy;
export const DEGRADED = STATUS_CODES.degraded;
/**
 * Failed, but not downtime: the monitor was `pending` (retries left), in `maintenance` (see `isDowntime`), or down
 * at fewer locations than its quorum.
 */
const EXCUSED_CODES: Readonly<Record<Excuse, number>> = { pending: 3, maintenance: 4, quorum: 5 };
/**
 * The lowest code of a failed check: results with a status at or above it have no meaningful latency (a refused
 * or timed-out check), while only `UNHEALTHY` itself counts as downtime.
 */
export const FAILED = UNHEALTHY;

/** The status column of a result. */
export function resultStatusCode(result: Pick<CheckResult, 'status' | 'excused'>): number {
  return result.status === 'unhealthy' && result.excused !== undefined ? EXCUSED_CODES[result.excused] : statusCode(result.status);
}

const KIND_CODES: Readonly<Record<HeartbeatResultKind, number>> = { ping: 1, missed: 2, overran: 3 };
const KIND_BY_CODE: Readonly<Record<number, HeartbeatResultKind>> = { 1: 'ping', 2: 'missed', 3: 'overran' };

export function statusCode(status: Status): number {
  const code = STATUS_CODES[status];
  if (code === undefined) throw new TypeError(`unknown result status ${JSON.stringify(status)}`);
  return code;
}

export function statusOf(code: number): Status {
  const status = STATUS_BY_CODE[code];
  if (status === undefined) throw new Error(`stored result has unknown status code ${code}`);
  return status;
}

/** A result as stored (column order of the `results` table). */
export interface ResultRow {
  monitorKey: number;
  at: number;
  locationKey: number;
  status: number;
  latency: number;
  statusCode: number | null;
  dns: number | null;
  connect: number | null;
  tls: number | null;
  firstByte: number | null;
  transfer: number | null;
  error: string | null;
  componentsKey: number | null;
  conditionsKey: number | null;
  conditions: string | null;
  certExpiresAt: number | null;
  kind: number | null;
}

export const RESULT_COLUMNS = [
  'monitor_key',
  'at',
  'location_key',
  'status',
  'latency',
  'status_code',
  'dns',
  'connect',
  'tls',
  'first_byte',
  'transfer',
  'error',
  'components_key',
  'conditions_key',
  'conditions',
  'cert_expires_at',
  'kind',
] as const;

/** `SELECT` list that reads a `results` row into a `ResultRow`. */
export const RESULT_SELECT = RESULT_COLUMNS.map(
  (column) => `${column} AS "${column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())}"`,
).join(', ');

/** A row's values in `RESULT_COLUMNS` order. */
export function resultValues(row: ResultRow): Array<number | string | null> {
  return [
    row.monitorKey,
    row.at,
    row.locationKey,
    row.status,
    row.latency,
    row.statusCode,
    row.dns,
    row.connect,
    row.tls,
    row.firstByte,
    row.transfer,
    row.error,
    row.componentsKey,
    row.conditionsKey,
    row.conditions,
    row.certExpiresAt,
    row.kind,
  ];
}

const wholeMs = (value: number | undefined): number | null =>
  value === undefined || !Number.isFinite(value) ? null : Math.max(0, Math.round(value));

function timestamp(value: number, field: string): number {
  if (!Number.isFinite(value)) throw new TypeError(`result ${field} must be a finite epoch-millisecond time, got ${value}`);
  return Math.round(value);
}

/** Conditions as written: `[condition, 1|0]`, plus the output when it differs from the condition. */
type StoredCondition = [string, 0 | 1] | [string, 0 | 1, string];

function conditionsJson(conditions: readonly ConditionOutcome[]): string {
  const stored = conditions.map((c): StoredCondition =>
    c.output === c.condition ? [c.condition, c.success ? 1 : 0] : [c.condition, c.success ? 1 : 0, c.output],
  );
  return JSON.stringify(stored);
}

function componentsJson(components: Record<string, Status>): string {
  const stored: Record<string, number> = {};
  for (const [name, status] of Object.entries(components)) stored[name] = statusCode(status);
  return JSON.stringify(stored);
}

/** The dictionary texts a result refers to (to intern before `encodeResult`). */
export interface ResultLabels {
  location: string;
  components?: string;
  /** Conditions whose outputs equal the conditions (a passing check, by default): the same text every time. */
  conditions?: string;
  /** Conditions with resolved values (a failing check): stored inline. */
  inlineConditions?: string;
}

export function resultLabels(result: CheckResult): ResultLabels {
  const labels: ResultLabels = { location: result.location || 'local' };
  if (result.components) labels.components = componentsJson(result.components);
  if (result.conditions) {
    const json = conditionsJson(result.conditions);
    if (result.conditions.every((c) => c.output === c.condition)) labels.conditions = json;
    else labels.inlineConditions = json;
  }
  return labels;
}

export function encodeResult(
  result: CheckResult,
  monitorKey: number,
  labels: ResultLabels,
  labelKey: (text: string) => number,
): ResultRow {
  const timings: PhaseTimings = result.timings ?? {};
  return {
    monitorKey,
    at: timestamp(result.at, 'time (at)'),
    locationKey: labelKey(labels.location),
    status: resultStatusCode(result),
    latency: wholeMs(result.latencyMs) ?? 0,
    statusCode: result.statusCode === undefined ? null : Math.round(result.statusCode),
    dns: wholeMs(timings.dns),
    connect: wholeMs(timings.connect),
    tls: wholeMs(timings.tls),
    firstByte: wholeMs(timings.firstByte),
    transfer: wholeMs(timings.transfer),
    error: result.error ?? null,
    componentsKey: labels.components === undefined ? null : labelKey(labels.components),
    conditionsKey: labels.conditions === undefined ? null : labelKey(labels.conditions),
    conditions: labels.inlineConditions ?? null,
    certExpiresAt:
      result.certificateExpiresAt === undefined ? null : timestamp(result.certificateExpiresAt, 'certificate expiry'),
    kind: result.kind === undefined ? null : KIND_CODES[result.kind],
  };
}

function parseConditions(json: string): ConditionOutcome[] {
  return (JSON.parse(json) as StoredCondition[]).map(([condition, success, output]) => ({
    condition,
    success: success === 1,
    output: output ?? condition,
  }));
}

function parseComponents(json: string): Record<string, Status> {
  const components: Record<string, Status> = {};
  for (const [name, code] of Object.entries(JSON.parse(json) as Record<string, number>)) components[name] = statusOf(code);
  return components;
}

export function decodeResult(row: ResultRow, monitorId: string, labelText: (key: number) => string): CheckResult {
  const result: CheckResult = {
    monitorId,
    at: row.at,
    status: row.status > UNHEALTHY ? 'unhealthy' : statusOf(row.status),
    latencyMs: row.latency,
    location: labelText(row.locationKey),
  };
  const excused = (Object.keys(EXCUSED_CODES) as Excuse[]).find((excuse) => EXCUSED_CODES[excuse] === row.status);
  if (excused !== undefined) result.excused = excused;
  if (row.kind !== null) {
    const kind = KIND_BY_CODE[row.kind];
    if (kind === undefined) throw new Error(`stored result has unknown kind ${row.kind}`);
    result.kind = kind;
  }
  if (row.statusCode !== null) result.statusCode = row.statusCode;
  const timings: PhaseTimings = {};
  if (row.dns !== null) timings.dns = row.dns;
  if (row.connect !== null) timings.connect = row.connect;
  if (row.tls !== null) timings.tls = row.tls;
  if (row.firstByte !== null) timings.firstByte = row.firstByte;
  if (row.transfer !== null) timings.transfer = row.transfer;
  if (Object.keys(timings).length > 0) result.timings = timings;
  if (row.error !== null) result.error = row.error;
  if (row.componentsKey !== null) result.components = parseComponents(labelText(row.componentsKey));
  if (row.conditionsKey !== null) result.conditions = parseConditions(labelText(row.conditionsKey));
  else if (row.conditions !== null) result.conditions = parseConditions(row.conditions);
  if (row.certExpiresAt !== null) result.certificateExpiresAt = row.certExpiresAt;
  return result;
}

/** The label keys a row refers to (to look up before `decodeResult`). */
export function rowLabelKeys(row: ResultRow): number[] {
  const keys = [row.locationKey];
  if (row.componentsKey !== null) keys.push(row.componentsKey);
  if (row.conditionsKey !== null) keys.push(row.conditionsKey);
  return keys;
}
