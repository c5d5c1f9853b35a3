/**
 * Evaluates a parsed condition against what a probe observed, and describes the result the way Gatus does:
 * the condition as written when it holds, and with each resolved value in parentheses when it does not —
 * `[STATUS] (500) == 200`, `len([BODY].items) (0) > 0`, `[BODY].missing (INVALID) == UP`.
 */
import { errorMessage } from '../probe.js';
import { type Glob, hasValue, lengthOf, matchesAny, matchGlob } from './functions.js';
import {
  type Condition,
  type ConditionOperand,
  type ConditionOperator,
  parseCondition,
  type PlaceholderOperand,
} from './parse.js';
import { type ConditionContext, lookupBody, resolvePlaceholder } from './placeholders.js';
import { compareValues, formatGoDuration, valuesEqual } from './values.js';

export interface EvaluateConditionOptions {
  /** Show resolved values when the condition holds too (Gatus `resolve-successful-conditions`). Default false. */
  resolveSuccessful?: boolean;
  /** Show resolved values when the condition fails (Gatus `dont-resolve-failed-conditions`, inverted). Default true. */
  resolveFailed?: boolean;
  /** Bodies longer than this are not parsed as JSON. Default `DEFAULT_MAX_JSON_LENGTH` (10 MiB). */
  maxJsonLength?: number;
  /** `[*]` expansions evaluated at most, over all elements and nested wildcards. Default 100 000. */
  maxWildcardEvaluations?: number;
}

export interface ConditionResult {
  success: boolean;
  /** The condition as written, or with resolved values in parentheses (see `EvaluateConditionOptions`). */
  output: string;
}

export const DEFAULT_MAX_WILDCARD_EVALUATIONS = 100_000;

/** Gatus truncates a value compared with `pat()` to this many characters. */
const PATTERN_SHOWN_LENGTH = 25;
/** Any other resolved value is cut here, so a huge body cannot flood results and alerts. */
const VALUE_SHOWN_LENGTH = 200;
/** Failing `[*]` elements listed in the output; the rest are counted. */
const FAILURES_SHOWN = 5;

const ORDERING: ReadonlySet<ConditionOperator> = new Set(['<', '<=', '>', '>=']);

type Side =
  | { readonly kind: 'value'; readonly value: string; readonly shown?: string }
  | { readonly kind: 'invalid' }
  | { readonly kind: 'pattern'; readonly glob: Glob }
  | { readonly kind: 'any'; readonly values: readonly string[] };

const INVALID: Side = Object.freeze({ kind: 'invalid' });

function resolveSide(
  operand: ConditionOperand,
  context: ConditionContext,
  ordering: boolean,
  maxJsonLength: number | undefined,
): Side {
  switch (operand.kind) {
    case 'literal':
      return { kind: 'value', value: operand.text };
    case 'pat':
      return { kind: 'pattern', glob: operand.glob };
    case 'any':
      return { kind: 'any', values: operand.values };
    case 'len': {
      const { name, path } = operand.argument;
      const length = lengthOf(name, path, context, maxJsonLength);
      return length.ok ? { kind: 'value', value: length.value, shown: length.value } : INVALID;
    }
    case 'has': {
      const { name, path } = operand.argument;
      const value = String(hasValue(name, path, context, maxJsonLength));
      return { kind: 'value', value, shown: value };
    }
    case 'placeholder': {
      const resolved = resolvePlaceholder(operand.name, operand.path, context, maxJsonLength);
      if (!resolved.ok) return INVALID;
      // Like Gatus, expirations compared with < > <= >= are shown as durations (`336h`), not milliseconds.
      const asDuration =
        ordering && (operand.name === 'CERTIFICATE_EXPIRATION' || operand.name === 'DOMAIN_EXPIRATION');
      return {
        kind: 'value',
        value: resolved.value,
        shown: asDuration ? formatGoDuration(Number(resolved.value)) : resolved.value,
      };
    }
  }
}

function holds(left: Side, operator: ConditionOperator, right: Side): boolean {
  if (left.kind === 'invalid' || right.kind === 'invalid') return false;
  if (left.kind === 'value' && right.kind === 'value') {
    switch (operator) {
      case '==':
        return valuesEqual(left.value, right.value);
      case '!=':
        return !valuesEqual(left.value, right.value);
      default: {
        const order = compareValues(left.value, right.value);
        if (order === undefined) return false;
        if (operator === '<') return order < 0;
        if (operator === '<=') return order <= 0;
        if (operator === '>') return order > 0;
        return order >= 0;
      }
    }
  }
  // One side is pat() or any(); the parser guarantees the other is a value and the operator == or !=.
  const matcher = left.kind === 'value' ? right : left;
  const other = left.kind === 'value' ? left : right;
  if (other.kind !== 'value') return false;
  let found: boolean;
  if (matcher.kind === 'pattern') found = matchGlob(matcher.glob, other.value);
  else if (matcher.kind === 'any') found = matchesAny(matcher.values, other.value);
  else return false;
  if (operator === '==') return found;
  if (operator === '!=') return !found;
  return false;
}

/** At most `max` characters (code points), then Gatus's `...(truncated)`. */
function truncate(text: string, max: number): string {
  let i = 0;
  for (let n = 0; i < text.length && n < max; n++) i += text.codePointAt(i)! > 0xffff ? 2 : 1;
  return i < text.length ? `${text.slice(0, i)}...(truncated)` : text;
}

/** Control characters from a response never reach a terminal, a log line or an alert raw. */
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f]/g, (c) => {
    if (c === '\n') return '\\n';
    if (c === '\r') return '\\r';
    if (c === '\t') return '\\t';
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
}

function describe(operand: ConditionOperand, side: Side, comparedWithPattern: boolean): string {
  if (side.kind === 'invalid') return `${operand.text} (INVALID)`;
  if (side.kind !== 'value' || side.shown === undefined || side.shown === operand.text) return operand.text;
  const shown = truncate(side.shown, comparedWithPattern ? PATTERN_SHOWN_LENGTH : VALUE_SHOWN_LENGTH);
  return `${operand.text} (${printable(shown)})`;
}

interface Outcome {
  success: boolean;
  /** Outputs to show: one, or the first failing `[*]` elements. */
  outputs: string[];
  /** How many outputs there were in all (failing elements beyond `FAILURES_SHOWN` are only counted). */
  count: number;
}

interface Run {
  context: ConditionContext;
  options: EvaluateConditionOptions;
  remaining: number;
  exhausted: boolean;
}

function evaluateOne(condition: Condition, run: Run): Outcome {
  const { context, options } = run;
  const ordering = ORDERING.has(condition.operator);
  const left = resolveSide(condition.left, context, ordering, options.maxJsonLength);
  const right = resolveSide(condition.right, context, ordering, options.maxJsonLength);
  const success = holds(left, condition.operator, right);
  const resolve = success ? options.resolveSuccessful === true : options.resolveFailed !== false;
  const output = resolve
    ? `${describe(condition.left, left, right.kind === 'pattern')} ${condition.operator} ${describe(
        condition.right,
        right,
        left.kind === 'pattern',
      )}`
    : condition.text;
  return { success, outputs: [output], count: 1 };
}

function placeholderOf(operand: ConditionOperand): PlaceholderOperand | undefined {
  if (operand.kind === 'placeholder') return operand;
  if (operand.kind === 'len' || operand.kind === 'has') return operand.argument;
  return undefined;
}

interface WildcardSite {
  side: 'left' | 'right';
  placeholder: PlaceholderOperand;
  segment: number;
}

/** The first `[*]`, left side first (as Gatus expands the first one in the text). */
function findWildcard(condition: Condition): WildcardSite | undefined {
  for (const side of ['left', 'right'] as const) {
    const placeholder = placeholderOf(condition[side]);
    const segment = placeholder?.path.findIndex((s) => s.kind === 'wildcard') ?? -1;
    if (placeholder !== undefined && segment >= 0) return { side, placeholder, segment };
  }
  return undefined;
}

const FIRST_WILDCARD = /\[\s*\*\s*\]/;

/** The condition with its first `[*]` replaced by `[index]`, in the tree and in the text. */
function withIndex(condition: Condition, site: WildcardSite, index: number): Condition {
  const replace = (text: string): string => text.replace(FIRST_WILDCARD, `[${index}]`);
  const argument: PlaceholderOperand = {
    ...site.placeholder,
    text: replace(site.placeholder.text),
    path: site.placeholder.path.map((s, i) => (i === site.segment ? { kind: 'index', index } : s)),
  };
  const operand = condition[site.side];
  const expanded: ConditionOperand =
    operand.kind === 'len' || operand.kind === 'has' ? { ...operand, text: replace(operand.text), argument } : argument;
  const left = site.side === 'left' ? expanded : condition.left;
  const right = site.side === 'right' ? expanded : condition.right;
  return { ...condition, left, right, text: `${left.text} ${condition.operator} ${right.text}` };
}

/**
 * `[BODY].items[*].status == UP` holds when it holds for every element; an empty or missing array fails.
 * Only failing elements are reported.
 */
function evaluate(condition: Condition, run: Run): Outcome {
  const site = findWildcard(condition);
  if (site === undefined) {
    run.remaining--;
    return evaluateOne(condition, run);
  }
  const array = lookupBody(run.context, site.placeholder.path.slice(0, site.segment), run.options.maxJsonLength);
  if (!array.found || !Array.isArray(array.value) || array.value.length === 0) {
    return { success: false, outputs: [`${condition.text} (no elements matched)`], count: 1 };
  }
  const length = array.value.length;
  const failures: string[] = [];
  let failed = 0;
  for (let i = 0; i < length; i++) {
    if (run.remaining <= 0) {
      run.exhausted = true;
      return { success: false, outputs: [], count: 0 };
    }
    const element = evaluate(withIndex(condition, site, i), run);
    if (run.exhausted) return element;
    if (!element.success) {
      failed += element.count;
      for (const output of element.outputs) if (failures.length < FAILURES_SHOWN) failures.push(output);
    }
  }
  if (failed > 0) return { success: false, outputs: failures, count: failed };
  const output = run.options.resolveSuccessful === true ? `${condition.text} (${length} elements)` : condition.text;
  return { success: true, outputs: [output], count: 1 };
}

/**
 * Evaluates a condition against a probe's observation. Never throws for a parsed condition: missing values
 * resolve as in Gatus, unresolvable `[BODY]` paths make the condition fail with `(INVALID)` in the output.
 * A string is parsed first, and then may throw `ConditionSyntaxError`.
 */
export function evaluateCondition(
  condition: Condition | string,
  context: ConditionContext = {},
  options: EvaluateConditionOptions = {},
): ConditionResult {
  const parsed = typeof condition === 'string' ? parseCondition(condition) : condition;
  const limit = options.maxWildcardEvaluations ?? DEFAULT_MAX_WILDCARD_EVALUATIONS;
  const run: Run = { context, options, remaining: limit, exhausted: false };
  try {
    const outcome = evaluate(parsed, run);
    if (run.exhausted) {
      return { success: false, output: `${parsed.text} (too many elements: more than ${limit} evaluations)` };
    }
    const hidden = outcome.count - outcome.outputs.length;
    const output = outcome.outputs.join('; ') + (hidden > 0 ? `; … and ${hidden} more` : '');
    return { success: outcome.success, output };
  } catch (error) {
    // Defensive: a monitor must record a failure, not crash, whatever the response held.
    return { success: false, output: `${parsed.text} (evaluation failed: ${errorMessage(error)})` };
  }
}
