/**
 * Parses a Gatus-style condition (`[STATUS] == 200`, `len([BODY].items) > 0`, `[BODY].name == pat(john*)`) into
 * a tree, once, when the configuration is loaded. Anything Gatus would evaluate to a silent failure — an unknown
 * placeholder or function, unbalanced brackets, a missing operator or side, a malformed pattern — is rejected
 * here with a `ConditionSyntaxError` that says what is wrong and at which column.
 *
 * Grammar (operators must be surrounded by whitespace, as in Gatus):
 *
 *   condition   = operand WS operator WS operand
 *   operator    = "==" | "!=" | "<" | "<=" | ">" | ">="
 *   operand     = placeholder | ("len" | "has") "(" placeholder ")" | "pat(" glob ")" | "any(" value ("," value)* ")"
 *               | literal
 *   placeholder = "[" NAME "]" | "[BODY]" path
 *   path        = ("." key | "[" index "]" | "[*]")*
 *
 * A literal is everything else, taken as written (it may contain spaces), with balanced brackets.
 */
import { CONDITION_FUNCTIONS, compileGlob, type Glob } from './functions.js';
import {
  CONDITION_PLACEHOLDERS,
  type ConditionPathSegment,
  type ConditionPlaceholder,
  isConditionPlaceholder,
} from './placeholders.js';

export const CONDITION_OPERATORS = ['==', '!=', '<', '<=', '>', '>='] as const;
export type ConditionOperator = (typeof CONDITION_OPERATORS)[number];

/** `[NAME]` or `[BODY].path`. `text` is the operand as written (trimmed). */
export interface PlaceholderOperand {
  readonly kind: 'placeholder';
  readonly text: string;
  readonly name: ConditionPlaceholder;
  readonly path: readonly ConditionPathSegment[];
}
/** `len(placeholder)` or `has(placeholder)`. */
export interface FunctionOperand {
  readonly kind: 'len' | 'has';
  readonly text: string;
  readonly argument: PlaceholderOperand;
}
/** `pat(glob)`. */
export interface PatternOperand {
  readonly kind: 'pat';
  readonly text: string;
  readonly glob: Glob;
}
/** `any(a, b, …)`. */
export interface AnyOperand {
  readonly kind: 'any';
  readonly text: string;
  readonly values: readonly string[];
}
/** A value taken as written. */
export interface LiteralOperand {
  readonly kind: 'literal';
  readonly text: string;
}
export type ConditionOperand = PlaceholderOperand | FunctionOperand | PatternOperand | AnyOperand | LiteralOperand;

/** A parsed condition; build it with `parseCondition`. */
export interface Condition {
  /** The condition as written (trimmed). */
  readonly text: string;
  readonly left: ConditionOperand;
  readonly operator: ConditionOperator;
  readonly right: ConditionOperand;
  /** The placeholders it reads, e.g. to know whether a probe must read the body or resolve the IP. */
  readonly placeholders: readonly ConditionPlaceholder[];
}

const MAX_QUOTED_LENGTH = 200;

/** Thrown by `parseCondition` for an invalid condition. */
export class ConditionSyntaxError extends Error {
  /** The condition as given. */
  readonly condition: string;
  /** What is wrong, without the condition or the column. */
  readonly reason: string;
  /** 1-based column of the problem, when it has a place. */
  readonly column: number | undefined;

  constructor(condition: string, reason: string, column?: number) {
    const quoted = condition.length > MAX_QUOTED_LENGTH ? `${condition.slice(0, MAX_QUOTED_LENGTH)}…` : condition;
    super(`invalid condition "${quoted}": ${reason}${column === undefined ? '' : ` at column ${column}`}`);
    this.name = 'ConditionSyntaxError';
    this.condition = condition;
    this.reason = reason;
    this.column = column;
  }
}

const OPERATOR_CHARS = '=!<>';
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;
const FUNCTION_CALL = /^([A-Za-z_][A-Za-z0-9_]*)\s*\(/;
const PLACEHOLDER = /^\[([A-Za-z_][A-Za-z0-9_]*)\]/;

function isSpace(c: string | undefined): boolean {
  return c !== undefined && /\s/.test(c);
}

function isOperator(token: string): token is ConditionOperator {
  return (CONDITION_OPERATORS as readonly string[]).includes(token);
}

interface OperatorToken {
  readonly token: string;
  readonly start: number;
  readonly end: number;
}

class Parser {
  constructor(private readonly source: string) {}

  fail(reason: string, index?: number): never {
    throw new ConditionSyntaxError(this.source, reason, index === undefined ? undefined : index + 1);
  }

  /**
   * Finds the index of the bracket that closes the one at `open` (within `end`), or fails. Inside `[…]` only `]`
   * counts, so a glob class like `[^)]` or a key never unbalances anything; `\` escapes the next character.
   */
  closing(open: number, end: number): number {
    const stack: Array<{ char: string; at: number }> = [];
    for (let i = open; i < end; i++) {
      const c = this.source[i];
      if (c === '\\') {
        i++;
        continue;
      }
      const top = stack.at(-1);
      if (top?.char === '[') {
        if (c === ']') stack.pop();
      } else if (c === '(' || c === '[') {
        stack.push({ char: c, at: i });
      } else if (c === ')') {
        if (top === undefined) this.fail('unexpected ")" without a matching "("', i);
        stack.pop();
      } else if (c === ']') {
        this.fail('unexpected "]" without a matching "["', i);
      }
      if (stack.length === 0) return i;
    }
    const unclosed = stack.at(-1)!;
    return this.fail(`unclosed "${unclosed.char}"`, unclosed.at);
  }

  /** Operator tokens at bracket depth 0: runs of `=!<>`, and whether whitespace surrounds each. */
  operators(): { spaced: OperatorToken[]; glued: OperatorToken[] } {
    const spaced: OperatorToken[] = [];
    const glued: OperatorToken[] = [];
    const text = this.source;
    for (let i = 0; i < text.length; ) {
      const c = text[i]!;
      if (c === '\\') {
        i += 2;
      } else if (c === '(' || c === '[') {
        i = this.closing(i, text.length) + 1;
      } else if (c === ')') {
        this.fail('unexpected ")" without a matching "("', i);
      } else if (c === ']') {
        this.fail('unexpected "]" without a matching "["', i);
      } else if (OPERATOR_CHARS.includes(c)) {
        let end = i;
        while (end < text.length && OPERATOR_CHARS.includes(text[end]!)) end++;
        const token = { token: text.slice(i, end), start: i, end };
        const before = i === 0 || isSpace(text[i - 1]);
        const after = end === text.length || isSpace(text[end]);
        if (before && after) spaced.push(token);
        else if (isOperator(token.token)) glued.push(token);
        i = end;
      } else {
        i++;
      }
    }
    return { spaced, glued };
  }

  parse(): Condition {
    const text = this.source;
    if (text.trim() === '') this.fail('the condition is empty');
    const { spaced, glued } = this.operators();
    const first = spaced[0];
    if (first === undefined) {
      const hint = glued[0];
      if (hint !== undefined) this.fail(`operator "${hint.token}" must be surrounded by spaces`, hint.start);
      this.fail(`missing operator (one of ${CONDITION_OPERATORS.join(', ')})`);
    }
    if (!isOperator(first.token)) this.fail(`unknown operator "${first.token}"`, first.start);
    const second = spaced[1];
    if (second !== undefined) this.fail(`unexpected second operator "${second.token}"`, second.start);

    const operator = first.token;
    const left = this.operand(0, first.start, () => `missing value on the left of "${operator}"`, first.start);
    const right = this.operand(first.end, text.length, () => `missing value on the right of "${operator}"`, first.start);

    for (const [side, other] of [
      [left, right],
      [right, left],
    ] as const) {
      if (side.operand.kind !== 'pat' && side.operand.kind !== 'any') continue;
      if (operator !== '==' && operator !== '!=') {
        this.fail(`${side.operand.kind}() can only be used with == or !=`, side.start);
      }
      if (other.operand.kind === 'pat' || other.operand.kind === 'any') {
        this.fail(`${side.operand.kind}() cannot be compared with ${other.operand.kind}()`, other.start);
      }
    }

    const placeholders = new Set<ConditionPlaceholder>();
    for (const { operand } of [left, right]) {
      if (operand.kind === 'placeholder') placeholders.add(operand.name);
      if (operand.kind === 'len' || operand.kind === 'has') placeholders.add(operand.argument.name);
    }
    return {
      text: text.trim(),
      left: left.operand,
      operator,
      right: right.operand,
      placeholders: [...placeholders],
    };
  }

  /** Trims [start, end) and parses what is left as one operand. */
  operand(
    start: number,
    end: number,
    missing: () => string,
    missingAt: number,
  ): { operand: ConditionOperand; start: number } {
    while (start < end && isSpace(this.source[start])) start++;
    while (end > start && isSpace(this.source[end - 1])) end--;
    if (start === end) this.fail(missing(), missingAt);
    return { operand: this.value(start, end), start };
  }

  value(start: number, end: number): ConditionOperand {
    const text = this.source.slice(start, end);
    const call = FUNCTION_CALL.exec(text);
    // `name(` is always a call; `name (` only for a known function, so `OK (cached)` stays a literal.
    if (call && (!/\s/.test(call[0]) || (CONDITION_FUNCTIONS as readonly string[]).includes(call[1]!))) {
      return this.call(call[1]!, start, start + call[0].length - 1, end);
    }
    if (PLACEHOLDER.test(text)) return this.placeholder(start, end);
    return { kind: 'literal', text };
  }

  call(name: string, start: number, open: number, end: number): ConditionOperand {
    const text = this.source.slice(start, end);
    if (!(CONDITION_FUNCTIONS as readonly string[]).includes(name)) {
      const lower = name.toLowerCase();
      const hint = (CONDITION_FUNCTIONS as readonly string[]).includes(lower)
        ? ` (function names are lowercase: ${lower})`
        : ` (one of ${CONDITION_FUNCTIONS.join(', ')})`;
      this.fail(`unknown function "${name}"${hint}`, start);
    }
    const close = this.closing(open, end);
    if (close !== end - 1) this.fail(`unexpected "${this.source[close + 1]}" after ${name}(…)`, close + 1);
    let innerStart = open + 1;
    let innerEnd = close;
    while (innerStart < innerEnd && isSpace(this.source[innerStart])) innerStart++;
    while (innerEnd > innerStart && isSpace(this.source[innerEnd - 1])) innerEnd--;
    const inner = this.source.slice(innerStart, innerEnd);

    switch (name) {
      case 'len':
      case 'has': {
        if (inner === '') this.fail(`${name}() needs a placeholder, e.g. ${name}([BODY].items)`, open);
        if (!PLACEHOLDER.test(inner)) {
          this.fail(`${name}() takes a placeholder such as [BODY].items, not "${inner}"`, innerStart);
        }
        return { kind: name, text, argument: this.placeholder(innerStart, innerEnd) };
      }
      case 'pat': {
        if (inner === '') this.fail('pat() needs a pattern, e.g. pat(*ok*)', open);
        const compiled = compileGlob(inner);
        if (!compiled.ok) this.fail(compiled.reason, innerStart + compiled.offset);
        return { kind: 'pat', text, glob: compiled.glob };
      }
      case 'any': {
        if (inner === '') this.fail('any() needs at least one value, e.g. any(200, 201)', open);
        const values: string[] = [];
        let at = innerStart;
        for (const raw of inner.split(',')) {
          const value = raw.trim();
          const valueAt = at + raw.length - raw.trimStart().length;
          if (value === '') this.fail('empty value in any()', valueAt);
          if (PLACEHOLDER.test(value) || FUNCTION_CALL.test(value)) {
            this.fail(`any() takes plain values, not "${value}"`, valueAt);
          }
          values.push(value);
          at += raw.length + 1;
        }
        return { kind: 'any', text, values };
      }
      default:
        return this.fail(`unknown function "${name}"`, start);
    }
  }

  placeholder(start: number, end: number): PlaceholderOperand {
    const text = this.source.slice(start, end);
    const match = PLACEHOLDER.exec(text)!;
    const name = match[1]!.toUpperCase();
    if (!isConditionPlaceholder(name)) {
      this.fail(`unknown placeholder "${match[0]}" (one of ${CONDITION_PLACEHOLDERS.map((p) => `[${p}]`).join(', ')})`, start);
    }
    const path: ConditionPathSegment[] = [];
    let i = start + match[0].length;
    if (i < end && name !== 'BODY') this.fail(`[${name}] cannot be followed by a path; only [BODY] can`, i);
    while (i < end) {
      const c = this.source[i];
      if (c === '.') {
        let j = i + 1;
        while (j < end && !'.[]'.includes(this.source[j]!)) j++;
        if (j === i + 1) this.fail('empty key in path', i);
        path.push({ kind: 'key', key: this.source.slice(i + 1, j) });
        i = j;
      } else if (c === '[') {
        const close = this.closing(i, end);
        const index = this.source.slice(i + 1, close).trim();
        if (index === '*') path.push({ kind: 'wildcard' });
        else if (/^\d+$/.test(index)) path.push({ kind: 'index', index: Number(index) });
        else this.fail(`array index must be a number or *, not "${index}"`, i + 1);
        i = close + 1;
      } else {
        const word = IDENTIFIER.exec(this.source.slice(i, end))?.[0] ?? c;
        this.fail(`unexpected "${word}" after ${this.source.slice(start, i)} (a key needs a "." before it)`, i);
      }
    }
    return { kind: 'placeholder', text, name, path };
  }
}

/**
 * Parses a condition. Throws `ConditionSyntaxError` (with the reason and the column) when it is invalid, so the
 * configuration that holds it can be rejected when it is loaded rather than fail every check.
 */
export function parseCondition(text: string): Condition {
  if (typeof text !== 'string') {
    throw new ConditionSyntaxError(String(text), `a condition must be a string, not ${typeof text}`);
  }
  return new Parser(text).parse();
}
