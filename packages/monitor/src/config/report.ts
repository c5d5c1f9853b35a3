/**
 * Turns zod issues into configuration problems: the position in the source file, the field path as written
 * there, and a message that says what was expected and what was found — never a secret.
 */
import { sanitizeMessage } from '@vigil/core';
import type { z } from 'zod';
import { type ConfigIssue, didYouMean, formatPath, formatPosition, type PathSegment } from './errors.js';
import { knownKeys, schemaAt } from './schema-walk.js';
import { type Located, pathKey } from './source.js';

/** Returned by the per-parse error map: "no message of its own", so one is written here from the issue. */
export const DEFAULT_MESSAGE = '\u0000';

export interface ReportContext {
  schema: z.core.$ZodType;
  /** The merged data that was validated. */
  data: unknown;
  positions: ReadonlyMap<string, Located>;
  /** Literal secrets to scrub from every message. */
  secrets: readonly string[];
}

export interface LocatedIssue extends ConfigIssue {
  mergedPath: PathSegment[];
  fileIndex: number;
}

type Issue = z.core.$ZodIssue;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function valueAt(data: unknown, path: readonly PathSegment[]): unknown {
  let value = data;
  for (const segment of path) {
    if (!isRecord(value) && !Array.isArray(value)) return undefined;
    value = (value as Record<PathSegment, unknown>)[segment];
  }
  return value;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping',
  record: 'a mapping',
  null: 'null',
};

function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 80 ? `${value.slice(0, 77)}...` : value);
  if (Array.isArray(value)) return 'a list';
  if (isRecord(value)) return 'a mapping';
  return String(value);
}

interface Where {
  located?: Located;
  /** True when `located` is the value at the path itself, not an ancestor. */
  exact: boolean;
  local: PathSegment[];
}

function locate(positions: ReadonlyMap<string, Located>, path: readonly PathSegment[]): Where {
  for (let n = path.length; n >= 0; n--) {
    const located = positions.get(pathKey(path.slice(0, n)));
    if (located) return { located, exact: n === path.length, local: [...located.local, ...path.slice(n)] };
  }
  return { exact: false, local: [...path] };
}

export function reportZodIssues(issues: readonly Issue[], context: ReportContext): LocatedIssue[] {
  const out: LocatedIssue[] = [];

  const push = (path: PathSegment[], message: string, onKey = false, textColumn?: number) => {
    const where = locate(context.positions, path);
    let position = where.exact && onKey && where.located?.key ? where.located.key : where.located?.value;
    let text = message;
    if (textColumn !== undefined) {
      const offset = where.exact ? where.located?.textOffset : undefined;
      if (position && offset !== undefined)
        position = { ...position, column: position.column + offset + textColumn - 1 };
      else text += ` (column ${textColumn} of the text)`;
    }
    let scrubbed = text;
    for (const secret of context.secrets) if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('***');
    out.push({
      ...(position ?? {}),
      path: formatPath(where.local),
      message: scrubbed,
      mergedPath: path,
      fileIndex: where.located?.fileIndex ?? 0,
    });
  };

  /** `, got "fast"`, or why the value is not shown, plus where a substituted value came from. */
  const got = (path: PathSegment[], expectedString = false): string => {
    const value = valueAt(context.data, path);
    if (value === undefined) return '';
    const where = locate(context.positions, path);
    const variables = where.exact ? (where.located?.variables ?? []) : [];
    const from = variables.map((name) => `\${${name}}`).join(', ');
    const secret = schemaAt(context.schema, path, context.data).secret;
    const shown = show(value);
    const hidden = secret || sanitizeMessage(shown) !== shown;
    const what = hidden ? ` (value not shown: ${secret ? 'secret' : 'it contains credentials'})` : `, got ${shown}`;
    if (from && expectedString && (typeof value === 'number' || typeof value === 'boolean')) {
      return `${what}; unquoted, ${from} was read as a ${typeof value}: quote it ("${from}") to keep a string`;
    }
    return `${what}${from ? ` (from ${from})` : ''}`;
  };

  const related = (message: string, issue: Issue): string => {
    const params = issue.code === 'custom' ? issue.params : undefined;
    const relatedPath = params?.related as PathSegment[] | undefined;
    if (!relatedPath) return message;
    const where = locate(context.positions, relatedPath);
    return message.replace('{related}', where.located ? formatPosition(where.located.value) : formatPath(relatedPath));
  };

  const convert = (issue: Issue, prefix: PathSegment[]) => {
    const path = [...prefix, ...issue.path.filter((s): s is PathSegment => typeof s !== 'symbol')];
    const own = issue.message === DEFAULT_MESSAGE ? undefined : related(issue.message, issue);

    switch (issue.code) {
      case 'unrecognized_keys': {
        const known = knownKeys(schemaAt(context.schema, path, context.data));
        for (const key of issue.keys) {
          const suggestion = didYouMean(key, known);
          const hint = suggestion
            ? ` (did you mean "${suggestion}"?)`
            : known.length > 0 && known.length <= 16
              ? `; expected one of: ${known.join(', ')}`
              : '';
          push([...path, key], `unknown key "${key}"${hint}`, true);
        }
        return;
      }
      case 'invalid_union': {
        if (issue.discriminator !== undefined && issue.errors.length === 0 && 'options' in issue) {
          const options = (issue.options ?? []).map(String);
          const value = valueAt(context.data, path);
          if (value === undefined) {
            push(path, `is required: one of ${options.join(', ')}`);
          } else {
            const suggestion = typeof value === 'string' ? didYouMean(value, options) : undefined;
            const what = path[0] === 'monitors' ? `monitor ${issue.discriminator}` : issue.discriminator;
            push(
              path,
              `unknown ${what} ${show(value)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; expected one of: ${options.join(', ')}`,
            );
          }
          return;
        }
        // When exactly one member got past the shape of the value, its problems are the useful ones.
        const deeper = issue.errors.filter((branch) =>
          branch.some((inner) => inner.path.length > 0 || inner.code === 'invalid_union'),
        );
        if (deeper.length === 1) {
          for (const inner of deeper[0] ?? []) convert(inner, path);
          return;
        }
        push(path, `${own ?? 'does not match any of the accepted forms'}${got(path)}`);
        return;
      }
      case 'invalid_type': {
        const value = valueAt(context.data, path);
        if (value === undefined) push(path, 'is required');
        else
          push(
            path,
            `${own ?? `expected ${TYPE_NAMES[issue.expected] ?? issue.expected}`}${got(path, issue.expected === 'string')}`,
          );
        return;
      }
      case 'too_small':
      case 'too_big': {
        if (own) return push(path, `${own}${issue.origin === 'array' || issue.origin === 'string' ? '' : got(path)}`);
        const limit = Number(issue.code === 'too_small' ? issue.minimum : issue.maximum);
        const small = issue.code === 'too_small';
        if (issue.origin === 'array' || issue.origin === 'string') {
          const unit = issue.origin === 'array' ? 'item' : 'character';
          const message =
            small && limit === 1
              ? 'must not be empty'
              : `must have at ${small ? 'least' : 'most'} ${limit} ${unit}${limit === 1 ? '' : 's'}`;
          return push(path, message);
        }
        const bound =
          issue.inclusive === false ? (small ? 'greater than' : 'less than') : small ? 'at least' : 'at most';
        return push(path, `must be ${bound} ${limit}${got(path)}`);
      }
      case 'invalid_value': {
        const values = issue.values.map((v) => JSON.stringify(v));
        const value = valueAt(context.data, path);
        const suggestion =
          typeof value === 'string'
            ? didYouMean(
                value,
                issue.values.filter((v): v is string => typeof v === 'string'),
              )
            : undefined;
        const expected = own ?? `expected ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}`;
        return push(path, `${expected}${got(path)}${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
      }
      case 'invalid_format':
        return push(
          path,
          `${own ?? `expected ${issue.format === 'regex' ? `text matching ${issue.pattern}` : `a valid ${issue.format}`}`}${got(path)}`,
        );
      default: {
        const message = own ?? 'is invalid';
        const column =
          issue.code === 'custom' && typeof issue.params?.column === 'number' ? issue.params.column : undefined;
        return push(path, /^expected /.test(message) ? `${message}${got(path)}` : message, false, column);
      }
    }
  };

  for (const issue of issues) convert(issue, []);
  return out;
}
