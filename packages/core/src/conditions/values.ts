/**
 * How resolved condition values compare: numbers (and Go-style durations) numerically, everything else as
 * strings. Every function here is total: bad input yields `undefined` or a string comparison, never an error.
 */

/** Longer strings are never numbers or durations (keeps parsing of hostile values cheap). */
const MAX_NUMERIC_LENGTH = 100;

/** Milliseconds per Go duration unit (`time.ParseDuration`). */
const UNIT_MS: Readonly<Record<string, number>> = {
  ns: 1e-6,
  us: 1e-3,
  'µs': 1e-3, // U+00B5 micro sign
  'μs': 1e-3, // U+03BC Greek mu
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

/**
 * Parses a Go duration (`48h`, `1h30m`, `500ms`, `1.5h`, `-2m`, `0`) into whole milliseconds, truncated toward
 * zero like Go's `Duration.Milliseconds()`. Every number needs a unit except a bare `0`. Undefined when `text` is
 * not a duration.
 */
export function parseGoDuration(text: string): number | undefined {
  if (text.length === 0 || text.length > MAX_NUMERIC_LENGTH) return undefined;
  let i = 0;
  let sign = 1;
  if (text[0] === '+' || text[0] === '-') {
    sign = text[0] === '-' ? -1 : 1;
    i = 1;
  }
  if (text.slice(i) === '0') return 0;
  if (i >= text.length) return undefined;
  let total = 0;
  while (i < text.length) {
    const numberStart = i;
    while (isDigit(text[i])) i++;
    const integerDigits = i - numberStart;
    let fractionDigits = 0;
    if (text[i] === '.') {
      i++;
      const fractionStart = i;
      while (isDigit(text[i])) i++;
      fractionDigits = i - fractionStart;
    }
    if (integerDigits === 0 && fractionDigits === 0) return undefined;
    const number = Number(text.slice(numberStart, i));
    const unitStart = i;
    while (i < text.length && text[i] !== '.' && !isDigit(text[i])) i++;
    const unit = UNIT_MS[text.slice(unitStart, i)];
    if (unit === undefined) return undefined;
    total += number * unit;
  }
  const ms = Math.trunc(sign * total);
  return Number.isFinite(ms) ? ms + 0 : undefined; // `+ 0` turns -0 into 0
}

/**
 * Formats milliseconds the way Gatus shows durations: truncated to whole seconds, without zero trailing
 * components (`336h`, `1h30m`, `1h0m15s`, `45s`, `0s`).
 */
export function formatGoDuration(ms: number): string {
  if (!Number.isFinite(ms)) return String(ms);
  const totalSeconds = Math.trunc(Math.abs(ms) / 1000);
  if (totalSeconds === 0) return '0s';
  const sign = ms < 0 ? '-' : '';
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds % 60;
  let text = '';
  if (hours > 0) text += `${hours}h`;
  if (minutes > 0 || (hours > 0 && seconds > 0)) text += `${minutes}m`;
  if (seconds > 0) text += `${seconds}s`;
  return sign + text;
}

/** A value that compares numerically: exact integers as bigint, everything else as a double. */
export type Numeric = { kind: 'int'; value: bigint } | { kind: 'float'; value: number };

const INTEGER = /^([+-]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|\d+)$/;
const FLOAT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * The number a resolved value stands for: a decimal, hexadecimal (`0x1F`), octal (`0o17`) or binary (`0b101`)
 * integer, a decimal float, or a Go duration (in milliseconds). Undefined for anything else.
 */
export function toNumeric(text: string): Numeric | undefined {
  if (text.length === 0 || text.length > MAX_NUMERIC_LENGTH) return undefined;
  const integer = INTEGER.exec(text);
  if (integer) {
    const magnitude = BigInt(integer[2]!);
    return { kind: 'int', value: integer[1] === '-' ? -magnitude : magnitude };
  }
  if (FLOAT.test(text)) {
    const value = Number(text);
    return Number.isFinite(value) ? { kind: 'float', value } : undefined;
  }
  const ms = parseGoDuration(text);
  return ms === undefined ? undefined : { kind: 'int', value: BigInt(ms) };
}

function compareNumeric(a: Numeric, b: Numeric): number {
  if (a.kind === 'int' && b.kind === 'int') return a.value < b.value ? -1 : a.value > b.value ? 1 : 0;
  const x = Number(a.value);
  const y = Number(b.value);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `==`: numerically when both sides are numbers (or durations), otherwise as exact strings. */
export function valuesEqual(a: string, b: string): boolean {
  if (a === b) return true;
  const x = toNumeric(a);
  const y = toNumeric(b);
  return x !== undefined && y !== undefined && compareNumeric(x, y) === 0;
}

/**
 * `<`, `<=`, `>`, `>=`: numerically when both sides are numbers (or durations), as strings when neither is.
 * Undefined when only one side is a number: such an ordering means nothing, and the condition fails.
 */
export function compareValues(a: string, b: string): number | undefined {
  const x = toNumeric(a);
  const y = toNumeric(b);
  if (x !== undefined && y !== undefined) return compareNumeric(x, y);
  if (x !== undefined || y !== undefined) return undefined;
  return a < b ? -1 : a > b ? 1 : 0;
}
