/**
 * Monitor types by name (a new type is one file and one line in the registry below), and a monitor prepared for
 * checking: its type's `prepare` once, then checks that never reject, end at the caller's signal, and have secrets
 * removed from everything their outcome says. The caller (the scheduler, `vigil check`) owns the deadline.
 */
import type { SchedulableMonitor } from '../scheduler/scheduler.js';
import { type Condition, errorMessage, parseConditions, type ProbeResult, sanitizeMessage } from '@vigil/core';
import type { MonitorConfig } from '../config/index.js';
import { dns } from './dns.js';
import { health } from './health.js';
import { http } from './http.js';
import { mysql } from './mysql.js';
import { elapsedSince, toOutcome } from './outcome.js';
import { postgres } from './postgres.js';
import { rabbitmq } from './rabbitmq.js';
import { redis } from './redis.js';
import { tcp } from './tcp.js';
import { tls } from './tls.js';
import type { MonitorKind, MonitorProbeContext, PreparedProbe, ProbeOutcome, ProbingMonitor } from './types.js';

export type { MonitorKind, MonitorProbeContext, PreparedProbe, ProbeOutcome, ProbingMonitor } from './types.js';

/** The kind of each probing type. */
export type MonitorKinds = { readonly [T in ProbingMonitor['type']]: MonitorKind<Extract<ProbingMonitor, { type: T }>> };

/** Every probing type must be listed: the mapped type makes a missing one a compile error. */
export const MONITOR_KINDS: MonitorKinds = { http, health, tcp, dns, tls, postgres, mysql, redis, rabbitmq };

function kindOf<M extends ProbingMonitor>(
  monitor: M,
  registry: Partial<MonitorKinds> = MONITOR_KINDS,
): MonitorKind<M> | undefined {
  const kinds: Partial<Record<string, MonitorKind<ProbingMonitor>>> = registry as unknown as Record<
    string,
    MonitorKind<ProbingMonitor>
  >;
  // `type` comes from the configuration, but a caller in JavaScript could hand over anything.
  return Object.hasOwn(kinds, monitor.type) ? (kinds[monitor.type] as MonitorKind<M>) : undefined;
}

/** Whether monitors of this type are probed (all but heartbeats). */
export function isProbingMonitor(monitor: MonitorConfig): monitor is ProbingMonitor {
  return Object.hasOwn(MONITOR_KINDS, monitor.type);
}

/** The host a monitor's checks go to, lower-case (for per-host concurrency limits); undefined when none. */
export function monitorHost(monitor: MonitorConfig): string | undefined {
  if (!isProbingMonitor(monitor)) return undefined;
  try {
    return kindOf(monitor)?.host(monitor);
  } catch {
    return undefined;
  }
}

/** What a monitor's checks are aimed at, safe to show: `GET https://shop.example.com/`, `db:5432`. */
export function monitorTarget(monitor: ProbingMonitor): string {
  try {
    return kindOf(monitor)?.target(monitor) ?? monitor.type;
  } catch {
    return monitor.type;
  }
}

/** Values that must never appear in the outcome of this monitor. */
export function monitorSecrets(monitor: ProbingMonitor): string[] {
  try {
    return kindOf(monitor)?.secrets(monitor) ?? [];
  } catch {
    return [];
  }
}

/** A monitor ready to be checked: prepared once per configuration version, checked at every slot. */
export interface PreparedMonitor {
  readonly monitor: ProbingMonitor;
  /** Checks once. Never rejects: a probe that throws, or ignores its signal, gives an `unhealthy` outcome. */
  check(context: MonitorProbeContext): Promise<ProbeOutcome>;
}

/** A prepared monitor as the scheduler runs it, in `vigil serve` and in `vigil agent`. */
export interface ScheduledProbe extends SchedulableMonitor {
  readonly monitor: PreparedMonitor;
}

/**
 * Prepares a monitor's checks: its type's `prepare` (parsed URL, headers, conditions…) runs here once, not at every
 * check. A monitor its type refuses (options the probe rejects, an unknown type) is prepared too: each of its
 * checks is `unhealthy` with the reason.
 */
export function prepareMonitor(monitor: ProbingMonitor, kinds: Partial<MonitorKinds> = MONITOR_KINDS): PreparedMonitor {
  const sanitize = secretSanitizer(monitor);
  const kind = kindOf(monitor, kinds);
  let conditions: Condition[] = [];
  let probe: PreparedProbe;
  try {
    if (kind === undefined) {
      throw new Error(`monitors of type "${String((monitor as { type?: unknown }).type)}" are not probed`);
    }
    conditions = parseConditions(Array.isArray(monitor.conditions) ? monitor.conditions : []);
    probe = kind.prepare(monitor, conditions);
  } catch (error) {
    const refused = sanitize(errorMessage(error));
    probe = () => Promise.resolve({ status: 'unhealthy', latencyMs: 0, error: refused });
  }
  return new Prepared(monitor, probe, conditions, sanitize);
}

/**
 * A class, not a closure: every monitor keeps one for as long as it runs, and a closure with its context costs about
 * twice the object (docs/benchmarks.md, issue 16).
 */
class Prepared implements PreparedMonitor {
  constructor(
    readonly monitor: ProbingMonitor,
    private readonly probe: PreparedProbe,
    private readonly conditions: readonly Condition[],
    private readonly sanitize: (message: string) => string,
  ) {}

  check(context: MonitorProbeContext): Promise<ProbeOutcome> {
    const start = performance.now();
    let work: Promise<ProbeOutcome>;
    try {
      work = this.probe(context);
    } catch (error) {
      work = Promise.reject(error);
    }
    // `then`, not an async function: one promise fewer for every check.
    return settledOrAborted(work, context.signal).then(
      (outcome) => sanitizeOutcome(outcome, this.sanitize),
      (error: unknown) => {
        // The probe threw, or ignored its signal: what is known is that it did not answer.
        const failed: ProbeResult = { status: 'unhealthy', error: errorMessage(error), facts: { connected: false } };
        return sanitizeOutcome(toOutcome(failed, elapsedSince(start), this.conditions, context.now()), this.sanitize);
      },
    );
  }
}

/** One check of a monitor, prepared for this check only (`vigil check`; the service prepares once). */
export function probeMonitor(monitor: ProbingMonitor, context: MonitorProbeContext): Promise<ProbeOutcome> {
  return prepareMonitor(monitor).check(context);
}

/**
 * The probe's own outcome, or — when the signal aborts and the probe does not settle within the same turn of the
 * event loop (it ignores its signal) — a rejection with the signal's reason (`timed out after N ms`). A probe that
 * honours the signal settles first, with what it saw (the phases reached, whether it connected).
 */
function settledOrAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  // One promise and one listener per check (this runs for every check): no `finally`, no options object.
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => setImmediate(() => reject(signal.reason ?? new Error('aborted')));
    if (signal.aborted) {
      onAbort();
      work.then(resolve, reject);
      return;
    }
    signal.addEventListener('abort', onAbort, ONCE);
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

const ONCE = { once: true } as const;

/** Without secrets of its own, a monitor shares one sanitizer (the patterns for credentials still apply). */
const sanitizeWithoutSecrets = (message: string): string => sanitizeMessage(message);

function secretSanitizer(monitor: ProbingMonitor): (message: string) => string {
  const secrets = monitorSecrets(monitor);
  if (secrets.length === 0) return sanitizeWithoutSecrets;
  return (message) => sanitizeMessage(message, secrets);
}

/** Errors and condition outputs can echo what a server sent back (an echoed header, a URL): redacted. */
function sanitizeOutcome(outcome: ProbeOutcome, sanitize: (message: string) => string): ProbeOutcome {
  // Most checks pass with nothing to redact: the outcome as it is, not a copy.
  if (outcome.error === undefined && outcome.conditions === undefined) return outcome;
  return {
    ...outcome,
    ...(outcome.error !== undefined ? { error: sanitize(outcome.error) } : {}),
    ...(outcome.conditions !== undefined
      ? { conditions: outcome.conditions.map((c) => ({ ...c, output: sanitize(c.output) })) }
      : {}),
  };
}
