/**
 * Probing a monitor once: dispatch by type through the registry below (a new type is one file and one line),
 * the monitor's timeout enforced by `runProbe` whatever the driver does, and secrets removed from everything the
 * outcome says. `probeMonitor` never rejects.
 */
import { runProbe, sanitizeMessage } from '@vigil/core';
import type { MonitorConfig } from '../config/index.js';
import { dns } from './dns.js';
import { health } from './health.js';
import { http } from './http.js';
import { mysql } from './mysql.js';
import { evaluateConditions } from './outcome.js';
import { postgres } from './postgres.js';
import { rabbitmq } from './rabbitmq.js';
import { redis } from './redis.js';
import { tcp } from './tcp.js';
import { tls } from './tls.js';
import type { MonitorKind, MonitorProbeContext, ProbeOutcome, ProbingMonitor } from './types.js';

export type { MonitorKind, MonitorProbeContext, MonitorProber, ProbeOutcome, ProbingMonitor } from './types.js';

type Registry = { [T in ProbingMonitor['type']]: MonitorKind<Extract<ProbingMonitor, { type: T }>> };

/** Every probing type must be listed: the mapped type makes a missing one a compile error. */
const MONITOR_KINDS: Registry = { http, health, tcp, dns, tls, postgres, mysql, redis, rabbitmq };

function kindOf<M extends ProbingMonitor>(monitor: M): MonitorKind<M> | undefined {
  const kinds: Partial<Record<string, MonitorKind<ProbingMonitor>>> = MONITOR_KINDS as unknown as Record<
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

export interface ProbeMonitorContext extends MonitorProbeContext {
  /** Overrides the monitor's `timeout` (milliseconds). The context's deadline, when sooner, wins. */
  timeoutMs?: number;
}

/**
 * Checks a monitor once. The outcome is `unhealthy` with `timed out after N ms` at the timeout (the probe's signal
 * is aborted so its sockets close), `aborted` when the context's signal aborts, and the probe's sanitized message
 * when it throws. Conditions are recorded on every outcome. Never rejects.
 */
export async function probeMonitor(monitor: ProbingMonitor, context: ProbeMonitorContext): Promise<ProbeOutcome> {
  const secrets = monitorSecrets(monitor);
  const sanitize = (message: string) => sanitizeMessage(message, secrets);
  const now = context.now;
  const conditions = Array.isArray(monitor.conditions) ? monitor.conditions : [];
  const kind = kindOf(monitor);
  if (kind === undefined) {
    return {
      status: 'unhealthy',
      latencyMs: 0,
      error: `monitors of type "${String((monitor as { type?: unknown }).type)}" are not probed`,
    };
  }
  const timeoutMs = effectiveTimeout(monitor, context);

  let completed: ProbeOutcome | undefined;
  const observation = await runProbe(
    async (probeContext) => {
      // The probe's deadline is on the real clock (drivers compare it with Date.now()); `now` is for judging.
      const outcome = await kind.probe(monitor, { signal: probeContext.signal, deadline: probeContext.deadline, now });
      completed = outcome;
      return { status: outcome.status, details: { outcome } };
    },
    { timeoutMs, signal: context.signal, sanitize },
  );

  // Only the probe's own result carries the outcome; a timeout, an abort or a throw does not.
  const fromProbe = observation.details?.outcome === completed ? completed : undefined;
  if (fromProbe !== undefined) return sanitizeOutcome(fromProbe, sanitize);

  // A caller's reason says why (the scheduler's reads `timed out after N ms`); runProbe only knows "aborted". A bare
  // abort()'s DOMException says nothing more.
  const reason: unknown = context.signal.reason;
  const told = reason instanceof Error && !(reason instanceof DOMException) && reason.message !== '';
  const error = observation.error === 'aborted' && told ? reason.message : observation.error;
  // As Gatus does after a failed request: every condition is evaluated against what is known (not connected).
  const evaluated = evaluateConditions(conditions, { connected: false }, observation.durationMs, now());
  return sanitizeOutcome(
    {
      status: 'unhealthy',
      latencyMs: observation.durationMs,
      error: error ?? 'the check failed',
      ...(conditions.length > 0 ? { conditions: evaluated.outcomes } : {}),
    },
    sanitize,
  );
}

const DEADLINE_SLACK_MS = 50;

function effectiveTimeout(monitor: ProbingMonitor, context: ProbeMonitorContext): number {
  let timeoutMs = context.timeoutMs ?? monitor.timeout;
  if (!(typeof timeoutMs === 'number' && timeoutMs > 0)) timeoutMs = 10_000;
  if (Number.isFinite(context.deadline)) {
    const left = context.deadline - context.now();
    // A deadline a few milliseconds sooner is the same timeout (time passed since it was set): keep the round
    // figure, which is what the user configured and what the error message shows.
    if (left < timeoutMs - DEADLINE_SLACK_MS) timeoutMs = Math.max(1, left);
  }
  return timeoutMs;
}

/** Errors and condition outputs can echo what a server sent back (an echoed header, a URL): redacted. */
function sanitizeOutcome(outcome: ProbeOutcome, sanitize: (message: string) => string): ProbeOutcome {
  return {
    ...outcome,
    ...(outcome.error !== undefined ? { error: sanitize(outcome.error) } : {}),
    ...(outcome.conditions !== undefined
      ? { conditions: outcome.conditions.map((c) => ({ ...c, output: sanitize(c.output) })) }
      : {}),
  };
}
