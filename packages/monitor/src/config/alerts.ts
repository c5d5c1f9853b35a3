/**
 * The `alerts` section: the channels (each a notifier with its settings), which channels each severity goes to,
 * the default rule and a rule per group. A monitor's own `alerts:` overrides its group's rule, which overrides the
 * defaults (config/alert-rules.ts).
 */
import { z } from 'zod';
import { channelSettings } from '../notify/channels/index.js';
import { type AlertRule, alertRule, DEFAULT_RULE, SEVERITY_VALUES } from './alert-rules.js';
import { duration } from './duration.js';
import { text } from './fields.js';

const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const alertsSection = z
  .strictObject({
    channels: z
      .record(
        z.string().regex(CHANNEL_NAME, { error: 'expected a channel name: lowercase letters, digits, "-" and "_"' }),
        channelSettings,
      )
      .default({})
      .describe('Where notifications go, by name: `ops-slack: { type: slack, url: ${SLACK_WEBHOOK_URL} }`.'),
    routes: z
      .strictObject(
        Object.fromEntries(
          SEVERITY_VALUES.map((severity) => [severity, z.array(text()).optional().describe(`Channels for ${severity} alerts.`)]),
        ) as Record<
        (typeof SEVERITY_VALUES)[number],
        z.ZodOptional<z.ZodArray<ReturnType<typeof text>>>
      >,
      )
      .default({})
      .describe('The channels each severity goes to: `critical: [pager, ops-slack]`. A severity without a route sends nothing.'),
    defaults: alertRule.default({}).describe('The rule of every monitor, unless its group or itself says otherwise.'),
    groups: z
      .record(text(), alertRule)
      .default({})
      .describe('A rule per monitor group (the `group` of monitors), over the defaults.'),
    send_timeout: duration({ allowZero: false })
      .prefault('10s')
      .describe('How long one attempt to send may take before it counts as failed (and is tried again).'),
    per_channel_per_minute: z
      .int({ error: 'expected a whole number' })
      .min(1, { error: 'must be at least 1' })
      .default(30)
      .describe('Messages one channel sends per minute at most; the rest wait their turn (none is dropped).'),
  })
  .prefault({})
  .describe('Alerting: channels, routes by severity, and when monitors alert.');

export type AlertsConfig = z.output<typeof alertsSection>;

/** The rule a monitor alerts by: defaults, then its group's rule, then its own. */
export function resolveAlertRule(
  alerts: AlertsConfig,
  monitor: { group?: string | undefined; alerts?: false | z.output<typeof alertRule> | undefined },
): AlertRule {
  const levels = [alerts.defaults, monitor.group === undefined ? undefined : alerts.groups[monitor.group]];
  const own = monitor.alerts;
  const merged = { ...DEFAULT_RULE, channels: undefined as readonly string[] | undefined };
  for (const level of [...levels, own === false ? undefined : own]) {
    if (level === undefined) continue;
    if (level.enabled !== undefined) merged.enabled = level.enabled;
    if (level.failure_threshold !== undefined) merged.failureThreshold = level.failure_threshold;
    if (level.success_threshold !== undefined) merged.successThreshold = level.success_threshold;
    if (level.send_resolved !== undefined) merged.sendResolved = level.send_resolved;
    if (level.remind_every !== undefined) merged.remindEveryMs = level.remind_every;
    if (level.severity !== undefined) merged.severity = level.severity;
    if (level.on_degraded !== undefined) merged.onDegraded = level.on_degraded;
    if (level.channels !== undefined) merged.channels = level.channels;
    if (level.escalate_after !== undefined) merged.escalateAfterMs = level.escalate_after;
    if (level.escalate_to !== undefined) merged.escalateTo = level.escalate_to;
    if (level.certificate_days !== undefined) merged.certificateDays = level.certificate_days;
  }
  if (own === false) merged.enabled = false;
  return { ...merged, channels: merged.channels ?? alerts.routes[merged.severity] ?? [] };
}
