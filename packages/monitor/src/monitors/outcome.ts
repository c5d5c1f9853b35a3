/**
 * From a core probe's result to a stored outcome, shared by the monitor-type files: the monitor's conditions are
 * applied here, with @vigil/core's one engine (`applyConditions`), on the monitor's clock — the probes are given
 * none, so nothing is evaluated twice.
 */
import {
  applyConditions,
  type Condition,
  type ProbeFacts,
  type ProbeResult,
  REDACTED,
  redactUrl,
  round2,
  sanitizeMessage,
  secretsInUrl,
} from '@vigil/core';
import type { PhaseTimings } from '../model.js';
import type { ProbeOutcome } from './types.js';

/** Milliseconds since `start` (a `performance.now()` value), two decimals. */
export function elapsedSince(start: number): number {
  return round2(performance.now() - start);
}

function phaseTimings(facts: ProbeFacts | undefined): PhaseTimings | undefined {
  const timings = facts?.timings;
  if (!timings) return undefined;
  let out: PhaseTimings | undefined;
  for (const phase of PHASES) {
    const value = timings[phase];
    if (value !== undefined) (out ??= {})[phase] = value;
  }
  return out;
}

const PHASES = ['dns', 'connect', 'tls', 'firstByte', 'transfer'] as const;

/**
 * A probe result, timed by the caller, with the monitor's conditions applied (`applyConditions`: a failing one
 * makes a result that is not already unhealthy unhealthy, its failure first in the error).
 */
export function toOutcome(
  result: ProbeResult,
  latencyMs: number,
  conditions: readonly Condition[],
  now: number,
): ProbeOutcome {
  const { status, error, facts } = applyConditions(result, conditions, latencyMs, now);
  const timings = phaseTimings(facts);
  const components = facts?.components;
  // Property by property, in this order, not spreads: this runs for every check.
  const outcome: ProbeOutcome = { status, latencyMs: round2(latencyMs) };
  if (facts?.statusCode !== undefined) outcome.statusCode = facts.statusCode;
  if (timings !== undefined) outcome.timings = timings;
  if (error !== undefined) outcome.error = error;
  if (components !== undefined && Object.keys(components).length > 0) outcome.components = { ...components };
  if (facts?.conditions !== undefined) outcome.conditions = facts.conditions;
  if (facts?.certificateExpiresAt !== undefined) outcome.certificateExpiresAt = facts.certificateExpiresAt;
  return outcome;
}

/**
 * The datastore probes (postgres, mysql, redis) report durations in `details`, not facts: `connect_ms` (connection
 * and authentication) becomes the connect phase, `latency_ms` (the query or PING) the first-byte phase — the time
 * from the request sent to its answer, as for HTTP. `[CONNECTED]` is true once a session answered.
 */
export function datastoreFacts(result: ProbeResult): ProbeFacts {
  const connectMs = result.details?.connect_ms;
  const queryMs = result.details?.latency_ms;
  const connected = result.status !== 'unhealthy';
  return {
    ...result.facts,
    connected: result.facts?.connected ?? connected,
    ...(connected
      ? {
          timings: {
            ...(typeof connectMs === 'number' ? { connect: connectMs } : {}),
            ...(typeof queryMs === 'number' ? { firstByte: queryMs } : {}),
          },
        }
      : {}),
  };
}

/**
 * {@link toOutcome} for a datastore probe: its durations become phase timings, and, once it answered, its latency
 * is connection plus round trip — not the wall time, which includes loading the driver on a first check.
 */
export function datastoreOutcome(
  result: ProbeResult,
  wallMs: number,
  conditions: readonly Condition[],
  now: number,
): ProbeOutcome {
  const facts = datastoreFacts(result);
  const { connect, firstByte } = facts.timings ?? {};
  const latencyMs = connect !== undefined && firstByte !== undefined ? connect + firstByte : wallMs;
  return toOutcome({ ...result, facts }, latencyMs, conditions, now);
}

/** The host of a URL, lower-case and without IPv6 brackets; undefined when it cannot be parsed. */
export function urlHost(url: string): string | undefined {
  try {
    return bareHost(new URL(url).hostname) || undefined;
  } catch {
    return undefined;
  }
}

/** `[::1]` → `::1`, lower-case. */
export function bareHost(host: string): string {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare.toLowerCase();
}

/** A URL safe to show: no password, no token as user name, no `?password=` (patterns of `sanitizeMessage`). */
export function shownUrl(url: string): string {
  return sanitizeMessage(redactUrl(url));
}

const SECRET_PARAM = /pass|pwd|secret|token|key|auth/i;

/**
 * A connection URL safe to show. Its user name is kept (`postgres://app@db/app`: a database user is not a secret,
 * unlike a token in an https URL); the password and secret-looking parameters are not.
 */
export function shownConnectionUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = REDACTED;
    for (const key of [...parsed.searchParams.keys()]) {
      if (SECRET_PARAM.test(key)) parsed.searchParams.set(key, REDACTED);
    }
    // `***` in the query would be percent-encoded: shown as written.
    return parsed.toString().replaceAll(encodeURIComponent(REDACTED), REDACTED);
  } catch {
    return sanitizeMessage(url);
  }
}

/** `db:5432`, `[::1]:443`. */
export function hostPort(host: string, port: number): string {
  const bare = bareHost(host);
  return `${bare.includes(':') ? `[${bare}]` : bare}:${port}`;
}

/** The secrets of a connection URL and a separate password. */
export function connectionSecrets(url: string, password: string | undefined): string[] {
  return [...secretsInUrl(url), ...(password !== undefined ? [password] : [])];
}
