/**
 * Gatus-compatible condition lines (`[STATUS] == 200`), checked with the core parser when the config loads — and
 * against what the monitor's type observes: a condition on a placeholder the type never fills (`[DNS_RCODE]` on an
 * http monitor, `[DOMAIN_EXPIRATION]` anywhere yet) could never hold, and is refused with the ones it does fill.
 */
import { type ConditionPlaceholder, ConditionSyntaxError, parseCondition } from '@vigil/core';
import { z } from 'zod';

/** The placeholders a monitor type fills, by type (heartbeats take no conditions). */
export const PLACEHOLDERS_FILLED = {
  http: ['STATUS', 'BODY', 'RESPONSE_TIME', 'CONNECTED', 'IP', 'CERTIFICATE_EXPIRATION'],
  health: ['STATUS', 'BODY', 'RESPONSE_TIME', 'CONNECTED', 'IP', 'CERTIFICATE_EXPIRATION'],
  tcp: ['RESPONSE_TIME', 'CONNECTED', 'IP'],
  dns: ['DNS_RCODE', 'BODY', 'IP', 'RESPONSE_TIME', 'CONNECTED'],
  tls: ['CERTIFICATE_EXPIRATION', 'RESPONSE_TIME', 'CONNECTED', 'IP'],
  postgres: ['RESPONSE_TIME', 'CONNECTED'],
  mysql: ['RESPONSE_TIME', 'CONNECTED'],
  redis: ['RESPONSE_TIME', 'CONNECTED'],
  rabbitmq: ['RESPONSE_TIME', 'CONNECTED'],
} as const satisfies Record<string, readonly ConditionPlaceholder[]>;

export type ProbingTypeName = keyof typeof PLACEHOLDERS_FILLED;

/** A condition of a monitor of `type`: it parses, and reads only placeholders that type fills. */
export function condition(type: ProbingTypeName) {
  const fills: readonly ConditionPlaceholder[] = PLACEHOLDERS_FILLED[type];
  return z.string().superRefine((line, ctx) => {
    let placeholders: readonly ConditionPlaceholder[];
    try {
      placeholders = parseCondition(line).placeholders;
    } catch (error) {
      if (!(error instanceof ConditionSyntaxError)) throw error;
      // The reporter turns `column` into a position in the file when the condition sits on one line.
      ctx.addIssue({
        code: 'custom',
        message: `invalid condition "${line}": ${error.reason}`,
        params: error.column === undefined ? {} : { column: error.column },
      });
      return;
    }
    const never = placeholders.filter((placeholder) => !fills.includes(placeholder));
    if (never.length === 0) return;
    const shown = (list: readonly string[]) => list.map((name) => `[${name}]`).join(', ');
    ctx.addIssue({
      code: 'custom',
      message: `condition "${line}" could never hold: a ${type} monitor never fills ${shown(never)} (it fills ${shown(fills)})`,
    });
  });
}
