/**
 * `alertmanager`: posts the alert to a Prometheus Alertmanager (`POST /api/v2/alerts`), which then groups,
 * silences, inhibits and routes it with the rest of your alerts. One alert per Vigil alert, told apart by its
 * labels — `alertname: VigilMonitorDown`, `monitor`, `monitor_name`, `severity`, `location`, `group` (when the
 * monitor has one), `alert` (the alert's key) and the channel's own `labels` — which stay the same from trigger to
 * resolve, so Alertmanager sees one alert that fires and then resolves.
 *
 * `endsAt`: Alertmanager resolves an alert by itself at its `endsAt`, or `resolve_timeout` (5 minutes by
 * default) after the last post when there is none. Vigil posts a trigger once, reminders every `remind_every`,
 * and a resolve when the monitor recovers, so a trigger or a reminder sets `endsAt` to `ends_after` (24 hours by
 * default) after it: the alert stays firing until Vigil resolves it (`endsAt` = the recovery time), and if Vigil
 * itself stops, it still ends in the end. For an alert that may last longer than `ends_after`, set `remind_every`
 * below it: each reminder pushes `endsAt` on. A test posts `alertname: VigilTest`, which ends by itself after
 * five minutes.
 */
import { z } from 'zod';
import { duration } from '../../config/duration.js';
import { secret, text, urlWith } from '../../config/fields.js';
import { sendHttp } from '../http.js';
import type { Notification, NotifierType } from '../notifier.js';
import { authorizationHeader, joinUrl, message, urlSecrets } from './shared.js';

export const ALERTNAME = 'VigilMonitorDown';
export const TEST_ALERTNAME = 'VigilTest';
/** How long a test alert fires. */
export const TEST_ALERT_MS = 5 * 60_000;

const RESERVED_LABELS = new Set(['alertname', 'monitor', 'monitor_name', 'severity', 'location', 'group', 'alert']);
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

export const alertmanagerSettings = z
  .strictObject({
    type: z.literal('alertmanager').describe('A Prometheus Alertmanager.'),
    url: urlWith(['http:', 'https:']).describe(
      "The Alertmanager's address, e.g. `http://127.0.0.1:9093` (with its `--web.route-prefix`, if it has one).",
    ),
    username: text().optional().describe('A user, for basic authentication (with `password`).'),
    password: secret(text()).optional().describe('The password of `username` (a secret).'),
    bearer_token: secret(text()).optional().describe('A token sent as `Authorization: Bearer` (a secret), e.g. for a proxy in front.'),
    labels: z
      .record(z.string(), text())
      .default({})
      .describe('Labels added to every alert, for routing (`team: ops`). Vigil\'s own labels cannot be overridden.'),
    ends_after: duration({ min: 60_000 })
      .default(86_400_000)
      .describe(
        "How long after a trigger or a reminder the alert ends by itself if Vigil does not resolve it (its `endsAt`): a safety net should Vigil stop. Keep the monitors' `remind_every` below it for alerts that can last longer. Default: 24h.",
      ),
  })
  .superRefine((value, ctx) => {
    if (value.bearer_token !== undefined && (value.username !== undefined || value.password !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['bearer_token'], message: 'use either bearer_token or username and password, not both' });
    }
    if ((value.username === undefined) !== (value.password === undefined)) {
      const missing = value.username === undefined ? 'username' : 'password';
      const set = missing === 'username' ? 'password' : 'username';
      ctx.addIssue({ code: 'custom', path: [missing], message: `is required with ${set}` });
    }
    for (const name of Object.keys(value.labels)) {
      if (!LABEL_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['labels', name],
          message: `"${name}" is not a label name: letters, digits and "_", not starting with a digit`,
        });
      } else if (RESERVED_LABELS.has(name)) {
        ctx.addIssue({ code: 'custom', path: ['labels', name], message: `"${name}" is one of Vigil's own labels` });
      }
    }
  })
  .describe('Prometheus Alertmanager: Vigil\'s alerts routed, grouped and silenced with the others.');

export type AlertmanagerSettings = z.output<typeof alertmanagerSettings>;

/** The one alert posted for a notification. */
export function alertmanagerAlert(
  notification: Notification,
  options: { endsAfterMs: number; labels?: Record<string, string> } = { endsAfterMs: 86_400_000 },
) {
  const words = message(notification);
  const test = notification.kind === 'test';
  const startsAt = notification.since ?? notification.at;
  const endsAt =
    notification.kind === 'resolve'
      ? notification.at
      : notification.at + (test ? TEST_ALERT_MS : options.endsAfterMs);
  return {
    labels: {
      ...options.labels,
      alertname: test ? TEST_ALERTNAME : notification.kind === 'certificate' ? 'VigilCertificateExpiring' : ALERTNAME,
      monitor: notification.monitor.id,
      monitor_name: notification.monitor.name,
      severity: notification.severity,
      location: notification.location,
      ...(notification.monitor.group ? { group: notification.monitor.group } : {}),
      alert: notification.alertKey,
    },
    annotations: {
      summary: words.sentence,
      ...(words.cause ? { description: words.cause } : {}),
      ...(notification.monitor.target ? { target: notification.monitor.target } : {}),
    },
    startsAt: new Date(Math.min(startsAt, endsAt)).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    ...(notification.url ? { generatorURL: notification.url } : {}),
  };
}

export const alertmanager: NotifierType<AlertmanagerSettings> = {
  type: 'alertmanager',
  settings: alertmanagerSettings,
  create: (config) => {
    const authorization = authorizationHeader({ bearer: config.bearer_token, username: config.username, password: config.password });
    return {
      send: (notification, { signal }) =>
        sendHttp({
          url: joinUrl(config.url, 'api/v2/alerts'),
          headers: {
            'idempotency-key': notification.idempotencyKey,
            ...(authorization === undefined ? {} : { authorization }),
          },
          body: [alertmanagerAlert(notification, { endsAfterMs: config.ends_after, labels: config.labels })],
          signal,
          secrets: [config.password, config.bearer_token, authorization, ...urlSecrets(config.url).slice(2)],
        }),
    };
  },
};
