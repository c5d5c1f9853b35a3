/**
 * Conditions applied to what a probe observed: the one place where a list of conditions is evaluated against
 * facts, where a failing condition makes a result unhealthy, and where the failure text is written. The probes
 * of @vigil/health (`httpCheck`, `tcpCheck`, …) and the monitor's checks both go through here.
 */
import { conditionContext, type ProbeConditionOutcome, type ProbeFacts, type ProbeResult } from '../probe.js';
import { evaluateCondition } from './evaluate.js';
import { type Condition, parseCondition } from './parse.js';
import type { ConditionPlaceholder } from './placeholders.js';

/** Conditions given as text are parsed once (a `ConditionSyntaxError` says which one is wrong). */
export function parseConditions(conditions: ReadonlyArray<string | Condition> | undefined): Condition[] {
  return (conditions ?? []).map((c) => (typeof c === 'string' ? parseCondition(c) : c));
}

/**
 * Whether any of the conditions reads the placeholder. A condition on `[STATUS]` (or `[DNS_RCODE]`) says which
 * answers are fine, so a probe's default expectation for it (2xx, NOERROR) steps aside, as in Gatus.
 */
export function conditionsRead(conditions: ReadonlyArray<Condition>, placeholder: ConditionPlaceholder): boolean {
  return conditions.some((condition) => condition.placeholders.includes(placeholder));
}

export interface EvaluatedConditions {
  /** Each condition's outcome, in order. */
  outcomes: ProbeConditionOutcome[];
  /** `condition failed: [STATUS] (500) == 200` when one or more failed; undefined when all hold. */
  failure?: string;
}

/**
 * Evaluates every condition against the facts (`[RESPONSE_TIME]` is `durationMs`, `[CERTIFICATE_EXPIRATION]` is
 * measured at `now`). One context serves them all, so a JSON body is parsed once.
 */
export function evaluateConditions(
  conditions: readonly Condition[],
  facts: ProbeFacts | undefined,
  durationMs: number,
  now: number = Date.now(),
): EvaluatedConditions {
  const context = conditionContext(facts, durationMs, now);
  const outcomes = conditions.map((condition): ProbeConditionOutcome => {
    const { success, output } = evaluateCondition(condition, context);
    return { condition: condition.text, success, output };
  });
  const failed = outcomes.filter((o) => !o.success).map((o) => o.output);
  if (failed.length === 0) return { outcomes };
  return { outcomes, failure: `${failed.length === 1 ? 'condition' : 'conditions'} failed: ${failed.join('; ')}` };
}

/**
 * A result with its conditions applied: each outcome recorded in `facts.conditions`, and a result that is not
 * already unhealthy made unhealthy when one fails — the failure first in the error, the result's own reason
 * (a degraded result's "slow", "certificate expiring") after it. An unhealthy result keeps its own error: it is
 * the cause.
 */
export function applyConditions(
  result: ProbeResult,
  conditions: readonly Condition[],
  durationMs: number,
  now: number = Date.now(),
): ProbeResult {
  if (conditions.length === 0) return result;
  const { outcomes, failure } = evaluateConditions(conditions, result.facts, durationMs, now);
  const facts: ProbeFacts = { ...result.facts, conditions: outcomes };
  if (failure === undefined || result.status === 'unhealthy') return { ...result, facts };
  return {
    ...result,
    status: 'unhealthy',
    error: result.error !== undefined ? `${failure}; ${result.error}` : failure,
    facts,
  };
}
