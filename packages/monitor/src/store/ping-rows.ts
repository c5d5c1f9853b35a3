/** Input checks and row ↔ record conversions of the heartbeat ping log (`pings`), shared by both backends. */
import { PING_KINDS, type PingRecord, type StoredPing } from './store.js';

// Every kind the type allows is in the list, and the other way round.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const _kindsMatch: Same<(typeof PING_KINDS)[number], PingRecord['kind']> = true;
void _kindsMatch;

/** The columns written by `recordPing`, in `pingValues` order. */
export const PING_INSERT_COLUMNS = 'monitor_id, at, kind, exit_status, rid, method, note, user_agent, remote_address, body';

/** The columns of `pings` as a `PingRow`. */
export const PING_COLUMNS =
  'id, monitor_id AS "monitorId", at, kind, exit_status AS "exitStatus", rid, method, note, user_agent AS "userAgent", remote_address AS "remoteAddress", body';

export interface PingRow {
  id: number;
  monitorId: string;
  at: number;
  kind: string;
  exitStatus: number | null;
  rid: string | null;
  method: string;
  note: string | null;
  userAgent: string | null;
  remoteAddress: string | null;
  body: string | null;
}

/** PostgreSQL text cannot hold NUL: both stores keep U+FFFD in its place, so they read back the same text. */
const text = (value: unknown): string => String(value).replaceAll('\u0000', '\uFFFD');
const optionalText = (value: unknown): string | null => (value === undefined || value === null ? null : text(value));

/** How many pings a heartbeat keeps, checked. */
export function checkKeep(keep: number): number {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`a ping log keeps a whole number ≥ 1 of pings, got ${keep}`);
  return keep;
}

/** `recentPings`' cursor: ids below it (every id when undefined). */
export function pingCursor(before: number | undefined): number {
  if (before === undefined) return Number.MAX_SAFE_INTEGER;
  if (typeof before !== 'number' || Number.isNaN(before)) throw new RangeError(`a ping log page starts before an id, got ${String(before)}`);
  return Math.max(0, Math.min(Math.ceil(before), Number.MAX_SAFE_INTEGER));
}

/** A ping's values, checked, in `PING_INSERT_COLUMNS` order. */
export function pingValues(ping: PingRecord): Array<string | number | null> {
  if (typeof ping.monitorId !== 'string' || ping.monitorId === '') throw new TypeError(`a ping needs its monitor's id`);
  if (typeof ping.at !== 'number' || !Number.isFinite(ping.at)) throw new RangeError(`a ping's time must be epoch milliseconds, got ${String(ping.at)}`);
  if (!(PING_KINDS as readonly unknown[]).includes(ping.kind)) {
    throw new TypeError(`a ping's kind is one of ${PING_KINDS.join(', ')}, got ${JSON.stringify(ping.kind)}`);
  }
  if (ping.exitStatus !== undefined && !(Number.isInteger(ping.exitStatus) && ping.exitStatus >= 0 && ping.exitStatus <= 255)) {
    throw new RangeError(`a ping's exit status is a whole number from 0 to 255, got ${String(ping.exitStatus)}`);
  }
  if (typeof ping.method !== 'string' || ping.method === '') throw new TypeError(`a ping needs its HTTP method`);
  return [
    ping.monitorId,
    Math.round(ping.at),
    ping.kind,
    ping.exitStatus ?? null,
    optionalText(ping.rid),
    text(ping.method),
    optionalText(ping.note),
    optionalText(ping.userAgent),
    optionalText(ping.remoteAddress),
    optionalText(ping.body),
  ];
}

/** A stored ping; absent values (NULL) are left out. */
export function pingFrom(row: PingRow): StoredPing {
  return {
    id: Number(row.id),
    monitorId: row.monitorId,
    at: Number(row.at),
    kind: row.kind as StoredPing['kind'],
    ...(row.exitStatus === null ? {} : { exitStatus: Number(row.exitStatus) }),
    ...(row.rid === null ? {} : { rid: row.rid }),
    method: row.method,
    ...(row.note === null ? {} : { note: row.note }),
    ...(row.userAgent === null ? {} : { userAgent: row.userAgent }),
    ...(row.remoteAddress === null ? {} : { remoteAddress: row.remoteAddress }),
    ...(row.body === null ? {} : { body: row.body }),
  };
}
