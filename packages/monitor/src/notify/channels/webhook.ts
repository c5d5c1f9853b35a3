/**
 * `webhook`: a JSON body to any URL — by default the notification itself (snake_case fields), or a Mustache
 * template of the body, its values escaped as JSON string content. `Idempotency-Key` carries the notification's
 * key, so a receiver can drop a message it already took.
 */
import { z } from 'zod';
import { secret, text, urlWith } from '../../config/fields.js';
import { sendHttp } from '../http.js';
import type { Notification, NotifierType } from '../notifier.js';
import { render } from '../template.js';
import { checkTemplate, SAMPLE_NOTIFICATION } from './sample.js';
import { urlSecrets } from './shared.js';

export const webhookSettings = z
  .strictObject({
    type: z.literal('webhook').describe('A JSON POST to any URL.'),
    url: secret(urlWith(['http:', 'https:'])).describe('Where to send (a secret: it often holds a token).'),
    method: z.enum(['POST', 'PUT']).default('POST').describe('The HTTP method.'),
    headers: secret(z.record(z.string(), z.string()))
      .default({})
      .describe('Extra request headers, e.g. `Authorization: Bearer ${HOOK_TOKEN}`.'),
    template: text()
      .optional()
      .describe(
        'The body as a Mustache template (`{{summary}}`, `{{monitor.name}}`, `{{cause}}`, `{{at_iso}}`…); values are escaped as JSON string content. Default: the notification as JSON.',
      ),
  })
  .superRefine((value, ctx) => {
    if (value.template === undefined) return;
    const problem = checkTemplate(value.template, (t) => JSON.parse(render(t, SAMPLE_NOTIFICATION, 'json')));
    if (problem) ctx.addIssue({ code: 'custom', path: ['template'], message: problem });
  })
  .describe('A generic webhook.');

export type WebhookSettings = z.output<typeof webhookSettings>;

/** The default body: the notification, as JSON with snake_case names. */
export function notificationJson(notification: Notification) {
  return {
    kind: notification.kind,
    severity: notification.severity,
    idempotency_key: notification.idempotencyKey,
    alert_key: notification.alertKey,
    monitor: {
      id: notification.monitor.id,
      name: notification.monitor.name,
      type: notification.monitor.type,
      group: notification.monitor.group ?? null,
      target: notification.monitor.target ?? null,
    },
    location: notification.location,
    state: notification.state,
    cause: notification.cause ?? null,
    at: new Date(notification.at).toISOString(),
    since: notification.since === undefined ? null : new Date(notification.since).toISOString(),
    url: notification.url ?? null,
    children: notification.children ?? [],
    certificate:
      notification.certificate === undefined
        ? null
        : { expires_at: new Date(notification.certificate.expiresAt).toISOString(), days_left: notification.certificate.daysLeft },
  };
}

export const webhook: NotifierType<WebhookSettings> = {
  type: 'webhook',
  settings: webhookSettings,
  create: (config) => ({
    send: (notification, { signal }) =>
      sendHttp({
        url: config.url,
        method: config.method,
        headers: { ...config.headers, 'idempotency-key': notification.idempotencyKey },
        body: config.template === undefined ? notificationJson(notification) : render(config.template, notification, 'json'),
        signal,
        // A token in the URL's path or query is masked too, should the receiver echo the request back.
        secrets: [...Object.values(config.headers), ...urlSecrets(config.url)],
      }),
  }),
};
