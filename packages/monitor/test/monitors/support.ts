/** Shared by the monitor-type tests: monitors built by the real configuration schema, and one check of them. */
import { configSchema, type MonitorOfType } from '../../src/config/index.js';
import { prepareMonitor } from '../../src/monitors/index.js';
import { RunAbortedError } from '../../src/scheduler/scheduler.js';
import type { ProbeOutcome, ProbingMonitor } from '../../src/monitors/types.js';

export type ProbingType = ProbingMonitor['type'];

/**
 * A monitor as `vigil serve` would load it from YAML (`fields` as written there, durations as text), with every
 * default of the schema applied. Throws with zod's issues when the fields are invalid.
 */
export function monitor<T extends ProbingType>(type: T, fields: Record<string, unknown>): MonitorOfType<T> {
  const parsed = configSchema.parse({ monitors: [{ type, name: `test ${type}`, interval: '1m', ...fields }] });
  const loaded = parsed.monitors[0];
  if (loaded?.type !== type) throw new Error(`expected a ${type} monitor`);
  return loaded as MonitorOfType<T>;
}

/** How a test check is run: the scheduler's parts of the context (all optional). */
export interface CheckContext {
  /** Aborts the check from outside (as a pause or shutdown would). */
  signal?: AbortSignal;
  /** Milliseconds until the deadline. Default: the monitor's timeout. */
  timeoutMs?: number;
  now?: () => number;
}

/**
 * One check, as the service runs it: prepared, with a signal that aborts at the deadline with the scheduler's own
 * reason (`timed out after N ms`) — the deadline belongs to the caller, as in the scheduler.
 */
export async function check(target: ProbingMonitor, context: CheckContext = {}): Promise<ProbeOutcome & { wallMs: number }> {
  const start = performance.now();
  const now = context.now ?? Date.now;
  const timeoutMs = context.timeoutMs ?? target.timeout;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new RunAbortedError('timeout', target.id, timeoutMs)), timeoutMs);
  const onOuter = () => controller.abort(context.signal?.reason);
  context.signal?.addEventListener('abort', onOuter, { once: true });
  try {
    const outcome = await prepareMonitor(target).check({ signal: controller.signal, deadline: Date.now() + timeoutMs, now });
    return { ...outcome, wallMs: performance.now() - start };
  } finally {
    clearTimeout(timer);
    context.signal?.removeEventListener('abort', onOuter);
  }
}

/** Open TCP sockets of this process (client and server side). */
export function tcpSockets(): number {
  return process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
}

/** Waits until `condition` holds (sockets close a tick after a result), failing after `ms`. */
export async function eventually(condition: () => boolean, ms = 2000): Promise<void> {
  const giveUp = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > giveUp) throw new Error(`still not true after ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Asserts that no secret appears anywhere in what a check produced. */
export function leaked(outcome: unknown, secrets: readonly string[]): string[] {
  const text = JSON.stringify(outcome);
  return secrets.filter((secret) => text.includes(secret));
}
