/**
 * Validation of cron expressions for heartbeat schedules, by croner's own pattern parser with the options the
 * heartbeat scheduler runs them with (../heartbeat/schedule.ts), so what loads is what runs: five fields (minute,
 * hour, day of month, month, day of week; no seconds, no years) or a macro such as `@daily`. croner's complaint
 * is turned into a message naming the field and the value it is about. Only validation lives here; computing the
 * next run belongs to the heartbeat scheduler.
 */
import { CronPattern } from 'croner';

/** The macros croner knows (its `@reboot` has no meaning for a schedule). */
const MACROS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];

interface Field {
  name: string;
  /** The values it takes, for messages. */
  range: string;
}

const FIELDS: readonly Field[] = [
  { name: 'minute', range: '0-59' },
  { name: 'hour', range: '0-23' },
  { name: 'day of month', range: '1-31' },
  { name: 'month', range: '1-12 or jan-dec' },
  // 7 is Sunday too, as in Vixie cron.
  { name: 'day of week', range: '0-7 or sun-sat' },
];

/** croner's complaint about a 5-field pattern (without its "CronPattern: " prefix), or undefined if it runs. */
function cronerError(pattern: string): string | undefined {
  try {
    // The parsing options of createSchedule (../heartbeat/schedule.ts); the time zone does not change validity.
    new CronPattern(pattern, undefined, { mode: '5-part', fixedTimeRule: 'no-wildcard' });
    return undefined;
  } catch (error) {
    return (error instanceof Error ? error.message : String(error)).replace(/^CronPattern:\s*/, '');
  }
}

/** `value` alone in field `index`, every other field `*`, as croner sees it. */
function fieldError(index: number, value: string): string | undefined {
  return cronerError(FIELDS.map((_, i) => (i === index ? value : '*')).join(' '));
}

/** What croner's `reason` means for a value of `field`, in words a crontab author uses. */
function explain(reason: string, field: Field): string {
  if (/^Invalid value for /.test(reason)) return `is out of range (${field.range})`;
  if (/contains illegal characters|is not a number|has to stand alone/.test(reason)) {
    return `is not a valid value (${field.range})`;
  }
  if (/illegal stepping: 0$/.test(reason)) return 'has a step of 0';
  if (/steps cannot be greater than maximum/.test(reason)) return `has a step larger than the field (${field.range})`;
  if (/From value is larger than to value/.test(reason)) return 'is a range that goes backwards';
  if (/stepping with (numeric|missing) prefix/.test(reason)) {
    return 'has a step without "*" or a range before it (write */n or a-b/n)';
  }
  if (/illegal (lower |upper )?range/.test(reason)) return 'is not a valid range (write a-b)';
  if (/illegal stepping/.test(reason)) return 'is not a valid step (write */n or a-b/n)';
  if (/nth weekday out of range/.test(reason)) return 'is out of range: the nth weekday is #1 to #5';
  return `is not valid: ${reason.replace(/^Syntax error,\s*/, '')}`;
}

/** The message for the first value croner rejects in `fields`, or undefined if none is wrong on its own. */
function locate(fields: readonly string[]): string | undefined {
  for (const [index, value] of fields.entries()) {
    const field = FIELDS[index] as Field;
    for (const part of value.split(',')) {
      if (part === '') return `${field.name} "${value}" has an empty list entry`;
      const reason = fieldError(index, part);
      if (reason === undefined) continue;
      // Out of range: name the bound that is, as in `55-61`.
      const bound = /^Invalid value for /.test(reason)
        ? part
            .split('/')[0]
            ?.split('-')
            .find((token) => fieldError(index, token) !== undefined)
        : undefined;
      return `${field.name} "${bound ?? part}" ${explain(reason, field)}`;
    }
    const reason = fieldError(index, value);
    if (reason !== undefined) return `${field.name} "${value}" ${explain(reason, field)}`;
  }
  return undefined;
}

/** A message saying what is wrong, or undefined for an expression a heartbeat schedule runs. */
export function cronError(expression: string): string | undefined {
  const trimmed = expression.trim();
  const reason = cronerError(trimmed);
  if (reason === undefined) return undefined;
  if (trimmed.startsWith('@')) return `unknown macro "${trimmed}" (use ${MACROS.join(', ')})`;
  const fields = trimmed.split(/\s+/);
  if (fields.length !== 5) {
    return `expected 5 fields (minute hour day-of-month month day-of-week), got ${trimmed === '' ? 0 : fields.length}`;
  }
  return locate(fields) ?? reason;
}
