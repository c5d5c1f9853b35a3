/**
 * The condition functions: `len(…)` and `has(…)` wrap a placeholder; `pat(…)` and `any(…)` stand on the other
 * side of `==` / `!=`.
 *
 * `pat` is a glob with Go `filepath.Match` syntax (as Gatus uses): `*` any run of characters, `?` one character,
 * `[a-z]` / `[^0-9]` a class, `\` escapes. It is compiled once at parse time and matched without regular
 * expressions, in O(pattern × input) time at worst, so no pattern and no body can make it backtrack
 * exponentially.
 */
import {
  bodyJson,
  bodyText,
  characterLength,
  type ConditionContext,
  type ConditionPathSegment,
  type ConditionPlaceholder,
  formatJsonValue,
  lookupBody,
  type Resolution,
  resolvePlaceholder,
} from './placeholders.js';
import { valuesEqual } from './values.js';

/** The names a condition may call. */
export const CONDITION_FUNCTIONS = ['len', 'has', 'pat', 'any'] as const;
export type ConditionFunction = (typeof CONDITION_FUNCTIONS)[number];

// ---------------------------------------------------------------------------------------------- len / has

/**
 * `len(placeholder)`: elements of an array, characters of a string, characters of the minified JSON of an object,
 * characters of the value of anything else. `len([BODY])` counts the elements of a JSON array body, the
 * characters of any other body. Unresolved when the path leads nowhere.
 */
export function lengthOf(
  name: ConditionPlaceholder,
  path: readonly ConditionPathSegment[],
  context: ConditionContext,
  maxJsonLength?: number,
): Resolution {
  if (name === 'BODY') {
    if (path.length === 0) {
      const text = bodyText(context);
      if (text.startsWith('[') && text.endsWith(']')) {
        const parsed = bodyJson(context, maxJsonLength);
        if (parsed.json && Array.isArray(parsed.value)) return { ok: true, value: String(parsed.value.length) };
      }
      return { ok: true, value: String(characterLength(text)) };
    }
    const lookup = lookupBody(context, path, maxJsonLength);
    if (!lookup.found) return { ok: false };
    if (Array.isArray(lookup.value)) return { ok: true, value: String(lookup.value.length) };
    const text = formatJsonValue(lookup.value);
    return text === undefined ? { ok: false } : { ok: true, value: String(characterLength(text)) };
  }
  const resolved = resolvePlaceholder(name, path, context, maxJsonLength);
  return resolved.ok ? { ok: true, value: String(characterLength(resolved.value)) } : resolved;
}

/**
 * `has(placeholder)`: for a `[BODY]` path, whether it leads to a value (`null` counts as absent); for `[BODY]`,
 * whether the body is not blank; for any other placeholder, whether it resolves to a non-empty string.
 */
export function hasValue(
  name: ConditionPlaceholder,
  path: readonly ConditionPathSegment[],
  context: ConditionContext,
  maxJsonLength?: number,
): boolean {
  if (name === 'BODY') {
    return path.length === 0 ? bodyText(context) !== '' : lookupBody(context, path, maxJsonLength).found;
  }
  const resolved = resolvePlaceholder(name, path, context, maxJsonLength);
  return resolved.ok && resolved.value !== '';
}

// ---------------------------------------------------------------------------------------------------- any

/** `any(a, b, …) == value`: whether one of the options equals the value (numerically when both are numbers). */
export function matchesAny(options: readonly string[], value: string): boolean {
  return options.some((option) => valuesEqual(option, value));
}

// ---------------------------------------------------------------------------------------------------- pat

type GlobToken =
  | { readonly kind: 'star' }
  | { readonly kind: 'one' }
  | { readonly kind: 'char'; readonly code: number }
  | { readonly kind: 'class'; readonly negated: boolean; readonly ranges: ReadonlyArray<readonly [number, number]> };

/** A compiled `pat(…)` pattern. */
export interface Glob {
  readonly source: string;
  readonly tokens: readonly GlobToken[];
}

export type GlobCompilation =
  | { readonly ok: true; readonly glob: Glob }
  /** `offset`: where in the pattern (UTF-16 index) the problem is. */
  | { readonly ok: false; readonly reason: string; readonly offset: number };

/** Compiles a glob with Go `filepath.Match` syntax; malformed patterns are reported, not silently unmatched. */
export function compileGlob(source: string): GlobCompilation {
  const tokens: GlobToken[] = [];
  let i = 0;
  const next = (): number => {
    const code = source.codePointAt(i)!;
    i += code > 0xffff ? 2 : 1;
    return code;
  };
  const fail = (reason: string, offset: number): GlobCompilation => ({ ok: false, reason, offset });

  while (i < source.length) {
    const start = i;
    const c = source[i];
    if (c === '*') {
      i++;
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (c === '?') {
      i++;
      tokens.push({ kind: 'one' });
    } else if (c === '\\') {
      i++;
      if (i >= source.length) return fail('pattern ends with an escape "\\"', start);
      tokens.push({ kind: 'char', code: next() });
    } else if (c === '[') {
      i++;
      let negated = false;
      if (source[i] === '^') {
        negated = true;
        i++;
      }
      const ranges: Array<readonly [number, number]> = [];
      // One class member, possibly escaped; `-` and `]` must be escaped (as in Go).
      const member = (): number | string => {
        if (i >= source.length) return `unclosed "[" in pattern`;
        if (source[i] === '-' || source[i] === ']') return `"${source[i]}" must be escaped in a character class`;
        if (source[i] === '\\') {
          i++;
          if (i >= source.length) return `unclosed "[" in pattern`;
        }
        return next();
      };
      for (;;) {
        if (i >= source.length) return fail('unclosed "[" in pattern', start);
        if (source[i] === ']' && ranges.length > 0) {
          i++;
          break;
        }
        const memberAt = i;
        const low = member();
        if (typeof low === 'string') return fail(low, memberAt);
        let high = low;
        if (source[i] === '-') {
          i++;
          const highAt = i;
          const h = member();
          if (typeof h === 'string') return fail(h, highAt);
          if (h < low) return fail(`reversed range in character class`, memberAt);
          high = h;
        }
        ranges.push([low, high]);
      }
      tokens.push({ kind: 'class', negated, ranges });
    } else {
      tokens.push({ kind: 'char', code: next() });
    }
  }
  return { ok: true, glob: { source, tokens } };
}

function matchesOne(token: GlobToken, code: number): boolean {
  switch (token.kind) {
    case 'one':
      return true;
    case 'char':
      return token.code === code;
    case 'class': {
      const inside = token.ranges.some(([low, high]) => code >= low && code <= high);
      return inside !== token.negated;
    }
    case 'star':
      return false;
  }
}

/**
 * Whether the whole input matches the glob. Greedy matching that remembers only the last `*`: when a later
 * token fails, that star absorbs one more character and matching resumes — linear in the input for each
 * pattern position, never exponential.
 */
export function matchGlob(glob: Glob, input: string): boolean {
  const tokens = glob.tokens;
  let t = 0;
  let i = 0;
  let starToken = -1;
  let starInput = 0;
  while (i < input.length) {
    const code = input.codePointAt(i)!;
    const width = code > 0xffff ? 2 : 1;
    const token = tokens[t];
    if (token?.kind === 'star') {
      starToken = t++;
      starInput = i;
      continue;
    }
    if (token !== undefined && matchesOne(token, code)) {
      t++;
      i += width;
      continue;
    }
    if (starToken < 0) return false;
    t = starToken + 1;
    starInput += input.codePointAt(starInput)! > 0xffff ? 2 : 1;
    i = starInput;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}
