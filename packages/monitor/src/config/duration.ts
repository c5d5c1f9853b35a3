/**
 * Durations in the configuration: `"500ms"`, `"30s"`, `"5m"`, `"1h"`, `"1d"`, combinations such as `"1h30m"`, or a
 * plain number of seconds. Parsed values are milliseconds.
 */
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
type Unit = keyof typeof UNIT_MS;

/** The pattern the JSON Schema publishes for duration strings (the docs recognise durations by it too). */
export const DURATION_PATTERN = '^(\\d+(\\.\\d+)?(ms|s|m|h|d))+$';
const DURATION_RE = new RegExp(DURATION_PATTERN);
const PART_RE = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;

export const DURATION_EXPECTED = 'expected a duration like "30s" or "5m"';

/** Milliseconds, or undefined when the input is not a duration. */
export function parseDuration(input: string | number): number | undefined {
  if (typeof input === 'number') {
    return Number.isFinite(input) && input >= 0 ? Math.round(input * 1000) : undefined;
  }
  const text = input.trim();
  if (!DURATION_RE.test(text)) return undefined;
  let total = 0;
  for (const [, amount, unit] of text.matchAll(PART_RE)) total += Number(amount) * UNIT_MS[unit as Unit];
  return Math.round(total);
}

/** `90000` → `"1m30s"`; the shortest exact spelling, for messages and docs. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = ms;
  let out = '';
  for (const unit of ['d', 'h', 'm', 's', 'ms'] as const) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}

export interface DurationOptions {
  /** Smallest accepted value, in milliseconds. Default: zero. */
  min?: number;
  /** Whether zero is accepted when `min` is not given. Default true. */
  allowZero?: boolean;
}

/** A duration field: accepts a string or a number of seconds, yields milliseconds. */
export function duration(options: DurationOptions = {}) {
  const min = options.min ?? 0;
  const allowZero = options.allowZero ?? true;
  return z
    .union(
      [
        z.string().regex(DURATION_RE, { error: DURATION_EXPECTED }),
        z.number().min(0, { error: 'must not be negative' }),
      ],
      { error: DURATION_EXPECTED },
    )
    .transform((value) => parseDuration(value) ?? 0)
    .pipe(
      z
        .number()
        .min(min, { error: `must be at least ${formatDuration(min)}` })
        .refine((ms) => allowZero || ms > 0, { error: 'must be longer than zero' }),
    );
}
