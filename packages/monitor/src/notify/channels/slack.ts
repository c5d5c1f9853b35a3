/**
 * `slack`: a Slack incoming webhook. The default message is Block Kit — a headline, the facts as fields, the cause
 * and a button to the monitor — with a mrkdwn `text` that notifications and old clients show. With `template`,
 * the message is that mrkdwn text alone. Values are escaped for mrkdwn (`&`, `<`, `>`: no link or mention can be
 * injected through a monitor's name or a cause).
 */
import { z } from 'zod';
import { secret, text, urlWith } from '../../config/fields.js';
import { sendHttp } from '../http.js';
import type { Notification, NotifierType } from '../notifier.js';
import { escapeFor, render } from '../template.js';
import { checkTemplate, SAMPLE_NOTIFICATION } from './sample.js';
import { fitEscaped, message, type Tone, urlSecrets, withShortCause } from './shared.js';

export const slackSettings = z
  .strictObject({
    type: z.literal('slack').describe('A Slack incoming webhook.'),
    url: secret(urlWith(['https:', 'http:'])).describe(
      'The incoming webhook URL (`https://hooks.slack.com/services/…`; a secret: it is the token).',
    ),
    template: text()
      .optional()
      .describe(
        'The message as Slack mrkdwn, a Mustache template (`{{headline}}`, `{{summary}}`, `{{monitor.name}}`, `{{cause}}`, `{{duration}}`, `{{url}}`…); values are escaped for mrkdwn. Default: a Block Kit message with the facts and the cause.',
      ),
  })
  .superRefine((value, ctx) => {
    if (value.template === undefined) return;
    const problem = checkTemplate(value.template, (t) => render(t, SAMPLE_NOTIFICATION, 'slack'));
    if (problem) ctx.addIssue({ code: 'custom', path: ['template'], message: problem });
  })
  .describe('Slack, through an incoming webhook.');

export type SlackSettings = z.output<typeof slackSettings>;

const EMOJI: Record<Tone, string> = {
  down: ':red_circle:',
  degraded: ':large_orange_circle:',
  reminder: ':red_circle:',
  resolved: ':large_green_circle:',
  test: ':large_blue_circle:',
};

const esc = (value: string) => escapeFor(value, 'slack');

/** The default message: Block Kit, with a mrkdwn fallback `text`. */
export function slackMessage(notification: Notification) {
  const words = message(notification);
  const headline = `${EMOJI[words.tone]} *${esc(words.title)}*`;
  const blocks: unknown[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `${headline}\n${fitEscaped(words.sentence, esc, 2500)}` } },
    {
      type: 'section',
      fields: words.facts.map(([label, value]) => ({ type: 'mrkdwn', text: `*${label}*\n${fitEscaped(value, esc, 1900)}` })),
    },
  ];
  if (words.cause) {
    const quoted = fitEscaped(words.cause, esc, 2800)
      .split('\n')
      .map((line) => `>${line}`)
      .join('\n');
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: `*Cause*\n${quoted}` } });
  }
  if (notification.url) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: 'Open in Vigil' }, url: notification.url }],
    });
  }
  return { text: `${EMOJI[words.tone]} *${esc(words.headline)}* ${fitEscaped(words.sentence, esc, 2500)}`, blocks };
}

export const slack: NotifierType<SlackSettings> = {
  type: 'slack',
  settings: slackSettings,
  create: (config) => ({
    send: (notification, { signal }) =>
      sendHttp({
        url: config.url,
        headers: { 'idempotency-key': notification.idempotencyKey },
        body:
          config.template === undefined
            ? slackMessage(notification)
            : { text: render(config.template, withShortCause(notification), 'slack') },
        signal,
        secrets: urlSecrets(config.url),
      }),
  }),
};
