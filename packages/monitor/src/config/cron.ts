/**
 * Validation of cron expressions for heartbeat schedules: five fields (minute, hour, day of month, month, day of
 * week) with `*`, lists, ranges, steps and month/day names, or a macro such as `@daily`. Only validation lives
 * here; computing the next run belongs to the heartbeat scheduler.
 */

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: string[];
  /** Value of names[0]. */
  nameBase?: number;
}

const FIELDS: FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS, nameBase: 1 },
  // 7 is Sunday too, as in Vixie cron.
  { name: 'day of week', min: 0, max: 7, names: DAYS, nameBase: 0 },
];

function value(token: string, spec: FieldSpec): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const index = spec.names?.indexOf(token.toLowerCase()) ?? -1;
  return index >= 0 ? index + (spec.nameBase ?? 0) : undefined;
}

function checkField(field: string, spec: FieldSpec): string | undefined {
  for (const part of field.split(',')) {
    const [range = '', step, extra] = part.split('/');
    if (extra !== undefined || range === '') return `invalid ${spec.name} "${part}"`;
    if (step !== undefined && !(/^\d+$/.test(step) && Number(step) > 0))
      return `invalid step "/${step}" in the ${spec.name}`;
    if (range === '*') continue;
    const bounds = range.split('-');
    if (bounds.length > 2) return `invalid ${spec.name} "${part}"`;
    const numbers = bounds.map((token) => value(token, spec));
    for (const [i, n] of numbers.entries()) {
      if (n === undefined || n < spec.min || n > spec.max) {
        return `${spec.name} "${bounds[i]}" is out of range (${spec.min}-${spec.max})`;
      }
    }
    const [from = 0, to = from] = numbers as number[];
    if (from > to) return `range "${range}" in the ${spec.name} goes backwards`;
  }
  return undefined;
}

/** A message saying what is wrong, or undefined for a valid expression. */
export function cronError(expression: string): string | undefined {
  const trimmed = expression.trim();
  if (trimmed.startsWith('@')) {
    return MACROS.has(trimmed.toLowerCase()) ? undefined : `unknown macro "${trimmed}" (use ${[...MACROS].join(', ')})`;
  }
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) {
    return `expected 5 fields (minute hour day-of-month month day-of-week), got ${fields.length}`;
  }
  for (const [i, field] of fields.entries()) {
    const problem = checkField(field, FIELDS[i] as FieldSpec);
    if (problem) return problem;
  }
  return undefined;
}
