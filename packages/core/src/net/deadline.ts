/**
 * The deadline of a probe belongs to its caller: the caller aborts the probe's signal when it passes (`runProbe`
 * for @vigil/health's checks, the scheduler for the monitor's), and that abort is what users see. The backstop
 * here only protects a direct caller whose signal never aborts: a socket or driver call is given up a little
 * after the deadline, so nothing is held for ever. Drivers that take a timeout of their own get the same margin,
 * so that the caller's abort always comes first.
 */
import type { ProbeContext } from '../probe.js';

/** How long after the deadline a probe gives up by itself when its signal has not aborted. */
export const DEADLINE_BACKSTOP_MS = 500;

/** Calls `fail` {@link DEADLINE_BACKSTOP_MS} after the deadline (unless cleared first). */
export function deadlineBackstop(context: ProbeContext, fail: (error: Error) => void): NodeJS.Timeout {
  const timer = setTimeout(
    () => fail(new Error('no answer by the deadline')),
    backstopDelay(context.deadline),
  );
  timer.unref?.();
  return timer;
}

/** Milliseconds from now until the backstop: the time left to the deadline plus the margin. */
export function backstopDelay(deadline: number): number {
  return Math.max(1, Math.ceil(deadline - Date.now())) + DEADLINE_BACKSTOP_MS;
}

/**
 * What to report for a probe's failure: once its signal has aborted, the abort's reason (`timed out after N ms`,
 * set by the caller that owns the deadline), whatever the driver made of the abort ("cancelled", "ABORT_ERR").
 */
export function failureCause(error: unknown, signal: AbortSignal): unknown {
  return signal.aborted ? signal.reason : error;
}
