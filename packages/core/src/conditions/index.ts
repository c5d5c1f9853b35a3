/**
 * Gatus-compatible conditions: `[STATUS] == 200`, `[BODY].status == UP`, `len([BODY].items) > 0`,
 * `[CERTIFICATE_EXPIRATION] > 48h`. Parse once with `parseCondition` (invalid conditions throw
 * `ConditionSyntaxError`), evaluate each observation with `evaluateCondition`. See docs/conditions.md.
 */
export {
  type AnyOperand,
  type Condition,
  CONDITION_OPERATORS,
  type ConditionOperand,
  type ConditionOperator,
  ConditionSyntaxError,
  type FunctionOperand,
  type LiteralOperand,
  parseCondition,
  type PatternOperand,
  type PlaceholderOperand,
} from './parse.js';
export {
  type ConditionResult,
  DEFAULT_MAX_WILDCARD_EVALUATIONS,
  evaluateCondition,
  type EvaluateConditionOptions,
} from './evaluate.js';
export { CONDITION_FUNCTIONS, type ConditionFunction, type Glob } from './functions.js';
export {
  CONDITION_PLACEHOLDERS,
  type ConditionContext,
  type ConditionPathSegment,
  type ConditionPlaceholder,
  DEFAULT_MAX_JSON_LENGTH,
} from './placeholders.js';
export {
  applyConditions,
  conditionsRead,
  type EvaluatedConditions,
  evaluateConditions,
  parseConditions,
} from './apply.js';
