/**
 * `telegram`: a message from a Telegram bot (Bot API `sendMessage`) to a chat, a group or a channel, formatted
 * with Telegram's HTML (`parse_mode: HTML`, values HTML-escaped). The bot token is in the request's path: it is
 * kept out of every error. Telegram's refusals (`{ ok: false, description }`) are permanent, except 429 (too many
 * messages: transient, after `parameters.retry_after`); a group that became a supergroup is named with its new
 * chat id.
 */
import { z } from 'zod';
import { secret, text, urlWith } from '../../config/fields.js';
import { sendHttp } from '../http.js';
import type { Notification, NotifierType, SendOutcome } from '../notifier.js';
import { escapeFor, render } from '../template.js';
import { checkTemplate, SAMPLE_NOTIFICATION } from './sample.js';
import { answerJson, joinUrl, message, type Tone, truncate, withShortCause } from './shared.js';

export const telegramSettings = z
  .strictObject({
    type: z.literal('telegram').describe('A Telegram bot message.'),
    bot_token: secret(
      z.string().regex(/^\d+:[A-Za-z0-9_-]+$/, { error: 'expected a bot token like "123456789:AAH…" (from @BotFather)' }),
    ).describe('The bot\'s token, from @BotFather (a secret).'),
    chat_id: z
      .union([z.int({ error: 'expected a chat id' }), text()], { error: 'expected a chat id (a number) or a channel username ("@name")' })
      .describe('The chat to post in: a number (groups are negative: `-1001234567890`) or `@channelusername`.'),
    message_thread_id: z
      .int({ error: 'expected a topic id' })
      .optional()
      .describe('The topic of a forum supergroup to post in.'),
    api_url: urlWith(['https:', 'http:'])
      .default('https://api.telegram.org')
      .describe('The Bot API server (a local Bot API server, or a test double).'),
    template: text()
      .optional()
      .describe(
        'The message in Telegram\'s HTML (`<b>`, `<i>`, `<code>`, `<pre>`, `<a href="…">`), a Mustache template (`{{headline}}`, `{{summary}}`, `{{monitor.name}}`, `{{cause}}`…); values are HTML-escaped.',
      ),
  })
  .superRefine((value, ctx) => {
    if (value.template === undefined) return;
    const problem = checkTemplate(value.template, (t) => render(t, SAMPLE_NOTIFICATION, 'html'));
    if (problem) ctx.addIssue({ code: 'custom', path: ['template'], message: problem });
  })
  .describe('Telegram, through a bot.');

export type TelegramSettings = z.output<typeof telegramSettings>;

const EMOJI: Record<Tone, string> = { down: '🔴', degraded: '🟠', reminder: '🔴', resolved: '🟢', test: '🔵' };

const esc = (value: string) => escapeFor(value, 'html');

/** The default message, in Telegram's HTML. */
export function telegramText(notification: Notification): string {
  const words = message(notification);
  const lines = [`${EMOJI[words.tone]} <b>${esc(words.title)}</b>`, esc(words.sentence), ''];
  for (const [label, value] of words.facts) lines.push(`<b>${esc(label)}:</b> ${esc(value)}`);
  if (words.cause) lines.push('', `<pre>${esc(truncate(words.cause, 1500))}</pre>`);
  if (notification.url) lines.push('', `<a href="${esc(notification.url)}">Open in Vigil</a>`);
  return lines.join('\n');
}

/** Telegram's answer to a refused message, read from sendHttp's outcome: a clear error, 429 with its wait. */
function telegramOutcome(sent: SendOutcome): SendOutcome {
  if (sent.outcome === 'delivered') {
    const answer = sent.response ? answerJson(`the receiver answered HTTP 200: ${sent.response}`) : undefined;
    const id = (answer?.result as { message_id?: unknown } | undefined)?.message_id;
    return typeof id === 'number' ? { ...sent, response: `message ${id}` } : sent;
  }
  const answer = answerJson(sent.error);
  if (!answer || sent.status === undefined) return sent;
  const description = typeof answer.description === 'string' ? answer.description : `HTTP ${sent.status}`;
  const parameters = (answer.parameters ?? {}) as { retry_after?: unknown; migrate_to_chat_id?: unknown };
  const migrated =
    typeof parameters.migrate_to_chat_id === 'number' ? ` (the group is now a supergroup: set chat_id: ${parameters.migrate_to_chat_id})` : '';
  const error = `Telegram refused the message (HTTP ${sent.status}): ${description}${migrated}`;
  if (sent.outcome === 'transient') {
    const wait =
      sent.retryAfterMs ?? (typeof parameters.retry_after === 'number' ? Math.round(parameters.retry_after * 1000) : undefined);
    return { outcome: 'transient', error, status: sent.status, ...(wait === undefined ? {} : { retryAfterMs: wait }) };
  }
  return { outcome: 'permanent', error, status: sent.status };
}

export const telegram: NotifierType<TelegramSettings> = {
  type: 'telegram',
  settings: telegramSettings,
  create: (config) => ({
    send: async (notification, { signal }) => {
      const text =
        config.template === undefined ? telegramText(notification) : render(config.template, withShortCause(notification), 'html');
      const sent = await sendHttp({
        url: joinUrl(config.api_url, `bot${config.bot_token}/sendMessage`),
        headers: { 'idempotency-key': notification.idempotencyKey },
        body: {
          chat_id: config.chat_id,
          ...(config.message_thread_id === undefined ? {} : { message_thread_id: config.message_thread_id }),
          text,
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
        },
        signal,
        secrets: [config.bot_token],
      });
      return telegramOutcome(sent);
    },
  }),
};
