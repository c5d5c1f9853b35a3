import type { CheckResult } from '../model.js';
import type { ProbeOutcome } from '../monitors/types.js';

/**
 * A probe's outcome as the result of one check: who, when and where added to it.
 *
 * Built with `Object.assign({}, …)`, not `{ ...outcome, monitorId, at, location }`: in Node 20's V8 a spread
 * followed by properties the spread did not have gives every object a hidden class of its own (a Map and a
 * DescriptorArray, about 300 bytes in the old generation, and megamorphic reads of every field). Each monitor keeps
 * its latest result, so 10,000 monitors kept 10,000 hidden classes (docs/benchmarks.md).
 */
export function checkResult(outcome: ProbeOutcome, monitorId: string, at: number, location: string): CheckResult {
  return Object.assign({}, outcome, { monitorId, at, location });
}
