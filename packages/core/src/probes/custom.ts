import { type Check, type CheckOptions, defineCheck } from '../check.js';
import type { Probe, ProbeContext, ProbeResult } from '../probe.js';
import { isStatus } from '../status.js';

/**
 * What a custom check function may return: a full result, a boolean (true = healthy), or nothing (healthy).
 * Throwing makes the check unhealthy with the error's message.
 */
// `void` lets `async () => { await ping(); }` be a check as written.
export type CustomCheckReturn = ProbeResult | boolean | undefined | void;

export interface CustomProbeOptions {
  fn: (context: ProbeContext) => CustomCheckReturn | Promise<CustomCheckReturn>;
}

export const customProbe: Probe<CustomProbeOptions> = async ({ fn }, context) => {
  const value = await fn(context);
  if (value === undefined || value === true) return { status: 'healthy' };
  if (value === false) return { status: 'unhealthy', error: 'check returned false' };
  if (typeof value === 'object' && value !== null && isStatus(value.status)) return value;
  return { status: 'unhealthy', error: 'check returned an invalid result (expected { status, details? })' };
};

/** A check from your own function, e.g. a scheduler's last run or a feature flag service. */
export function customCheck(name: string, fn: CustomProbeOptions['fn'], options: CheckOptions = {}): Check {
  return defineCheck({ kind: 'custom', componentType: 'component' }, { ...options, name }, (context) =>
    customProbe({ fn }, context),
  );
}
