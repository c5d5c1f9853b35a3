/**
 * When a monitor alerts, as a rule: given in `alerts.defaults`, per group in `alerts.groups`, and per monitor in
 * its `alerts:` — each level overrides the fields it sets. `resolveAlertRule` (config/alerts.ts) merges them.
 */
import { z } from 'zod';
import { duration } from './duration.js';
import { text } from './fields.js';

export const SEVERITY_VALUES = ['critical', 'warning', 'info'] as const;

const count = (what: string) =>
  z.int({ error: 'expected a whole number' }).min(1, { error: 'must be at least 1' }).describe(what);

/** Every field optional: what one level of configuration sets. */
export const alertRuleFields = {
  enabled: z.boolean().optional().describe('Whether the monitor alerts at all. Default: true.'),
  failure_threshold: count(
    'Failed checks in a row before an alert is sent (counted apart from `retries`; the monitor must also be down). Default: 3.',
  ).optional(),
  success_threshold: count('Passed checks in a row before the alert is resolved. Default: 2.').optional(),
  send_resolved: z.boolean().optional().describe('Send a message when the alert is resolved. Default: true.'),
  remind_every: duration()
    .optional()
    .describe('While the alert lasts, send a reminder this often (checked at each failed check); `0` for none. Default: none.'),
  severity: z.enum(SEVERITY_VALUES).optional().describe('`critical`, `warning` or `info`: chooses the channels through `alerts.routes`. Default: critical.'),
  on_degraded: z.boolean().optional().describe('Alert when the monitor is degraded too, not only down. Default: false.'),
  channels: z
    .array(text())
    .optional()
    .describe('Channels to notify, by name (`alerts.channels`), instead of those routed for the severity.'),
  escalate_after: duration()
    .optional()
    .describe('An alert nobody has acknowledged after this long also goes to `escalate_to` (checked at each failed check); `0` for never. Default: never.'),
  escalate_to: z.array(text()).optional().describe('The channels an unacknowledged alert escalates to, by name.'),
  certificate_days: z
    .array(z.int({ error: 'expected a whole number of days' }).min(1, { error: 'must be at least 1 day' }))
    .optional()
    .describe('Warn when the certificate of an https, health or tls monitor expires within these many days, once each per certificate; `[]` for never. Default: [14, 3].'),
};

export const alertRule = z.strictObject(alertRuleFields);
export type AlertRuleInput = z.output<typeof alertRule>;

/** A rule with every field decided. */
export interface AlertRule {
  enabled: boolean;
  failureThreshold: number;
  successThreshold: number;
  sendResolved: boolean;
  /** 0: no reminders. */
  remindEveryMs: number;
  severity: (typeof SEVERITY_VALUES)[number];
  onDegraded: boolean;
  /** Channel names. */
  channels: readonly string[];
  /** 0: never. */
  escalateAfterMs: number;
  escalateTo: readonly string[];
  certificateDays: readonly number[];
}

export const DEFAULT_RULE: Omit<AlertRule, 'channels'> = {
  escalateAfterMs: 0,
  escalateTo: [],
  certificateDays: [14, 3],
  enabled: true,
  failureThreshold: 3,
  successThreshold: 2,
  sendResolved: true,
  remindEveryMs: 0,
  severity: 'critical',
  onDegraded: false,
};

/** `alerts:` of a monitor: a rule, or `false` to never alert. */
export const monitorAlerts = z
  .union([z.literal(false), alertRule])
  .optional()
  .describe('When this monitor alerts (overrides `alerts.defaults` and its group\'s rule), or `false` for never.');
