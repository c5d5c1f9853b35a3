/** Shared by the monitor-type tests: monitors built by the real configuration schema, and one check of them. */
import { configSchema, type MonitorOfType } from '../../src/config/index.js';
import { probeMonitor, type ProbeMonitorContext } from '../../src/monitors/index.js';
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

/** One check, as the service runs it: its timeout (from the monitor, or `timeoutMs`) enforced by `probeMonitor`. */
export async function check(
  target: ProbingMonitor,
  context: Partial<ProbeMonitorContext> = {},
): Promise<ProbeOutcome & { wallMs: number }> {
  const start = performance.now();
  const now = context.now ?? Date.now;
  const outcome = await probeMonitor(target, {
    signal: context.signal ?? new AbortController().signal,
    deadline: context.deadline ?? now() + (context.timeoutMs ?? target.timeout),
    now,
    ...(context.timeoutMs !== undefined ? { timeoutMs: context.timeoutMs } : {}),
  });
  return { ...outcome, wallMs: performance.now() - start };
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
