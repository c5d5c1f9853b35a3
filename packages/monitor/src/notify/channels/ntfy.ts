/**
 * `ntfy`: a push notification through an ntfy server (ntfy.sh or your own), published as JSON to the server's
 * root: `{ topic, title, message, priority, tags, click }`. Priority by what happened: a critical trigger or
 * reminder is 5 (urgent), a warning one 4, an info one 3; a resolve or a test 3. Tags are emoji shortcodes ntfy
 * shows before the title. ntfy shows plain text, so nothing is escaped. On a public server the topic name is as
 * good as a password: it is treated as a secret.
 */
import { z } from 'zod';
import { secret, text, urlWith } from '../../config/fields.js';
import { sendHttp } from '../http.js';
import type { Notification, NotifierType } from '../notifier.js';
import { render } from '../template.js';
import { checkTemplate, SAMPLE_NOTIFICATION } from './sample.js';
import { authorizationHeader, message, truncate, type Tone, urlSecrets, withShortCause } from './shared.js';

export const ntfySettings = z
  .strictObject({
    type: z.literal('ntfy').describe('An ntfy push notification.'),
    url: urlWith(['https:', 'http:']).default('https://ntfy.sh').describe('The ntfy server.'),
    topic: secret(
      z.string().regex(/^[-_A-Za-z0-9]{1,64}$/, { error: 'expected a topic name: letters, digits, "-" and "_", at most 64' }),
    ).describe('The topic to publish to (a secret: on a public server, whoever knows it can read it).'),
    token: secret(text()).optional().describe('An access token (`tk_…`), sent as `Authorization: Bearer` (a secret).'),
    username: text().optional().describe('A user, for basic authentication (with `password`).'),
    password: secret(text()).optional().describe('The password of `username` (a secret).'),
    template: text()
      .optional()
      .describe(
        'The message body, a Mustache template (`{{summary}}`, `{{monitor.name}}`, `{{cause}}`…), plain text. Default: the sentence, the facts and the cause.',
      ),
  })
  .superRefine((value, ctx) => {
    if (value.token !== undefined && (value.username !== undefined || value.password !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['token'], message: 'use either token or username and password, not both' });
    }
    if ((value.username === undefined) !== (value.password === undefined)) {
      const missing = value.username === undefined ? 'username' : 'password';
      const set = missing === 'username' ? 'password' : 'username';
      ctx.addIssue({ code: 'custom', path: [missing], message: `is required with ${set}` });
    }
    if (value.template === undefined) return;
    const problem = checkTemplate(value.template, (t) => render(t, SAMPLE_NOTIFICATION, 'text'));
    if (problem) ctx.addIssue({ code: 'custom', path: ['template'], message: problem });
  })
  .describe('ntfy push notifications (ntfy.sh or a server of your own).');

export type NtfySettings = z.output<typeof ntfySettings>;

const TAGS: Record<Tone, string> = {
  down: 'rotating_light',
  degraded: 'warning',
  reminder: 'hourglass',
  resolved: 'white_check_mark',
  test: 'test_tube',
};

/** ntfy's priority (1 min … 5 urgent) for a notification. */
export function ntfyPriority(notification: Notification): number {
  if (notification.kind === 'resolve' || notification.kind === 'test') return 3;
  return notification.severity === 'critical' ? 5 : notification.severity === 'warning' ? 4 : 3;
}

/** The JSON that ntfy publishes. */
export function ntfyMessage(notification: Notification, topic: string, template?: string) {
  const words = message(notification);
  const lines = [words.sentence, '', ...words.facts.map(([label, value]) => `${label}: ${value}`)];
  if (words.cause) lines.push('', `Cause: ${words.cause}`);
  const body = template === undefined ? lines.join('\n') : render(template, withShortCause(notification), 'text');
  return {
    topic,
    title: truncate(words.title, 250),
    message: truncate(body, 3500),
    priority: ntfyPriority(notification),
    tags: [TAGS[words.tone]],
    ...(notification.url ? { click: notification.url } : {}),
  };
}

export const ntfy: NotifierType<NtfySettings> = {
  type: 'ntfy',
  settings: ntfySettings,
  create: (config) => {
    const authorization = authorizationHeader({ bearer: config.token, username: config.username, password: config.password });
    return {
      send: (notification, { signal }) =>
        sendHttp({
          url: config.url,
          headers: {
            'idempotency-key': notification.idempotencyKey,
            ...(authorization === undefined ? {} : { authorization }),
          },
          body: ntfyMessage(notification, config.topic, config.template),
          signal,
          secrets: [config.topic, config.token, config.password, authorization, ...urlSecrets(config.url).slice(2)],
        }),
    };
  },
};
