/**
 * `discord`: a Discord channel webhook. By default an embed coloured by what happened (red down, orange degraded,
 * green resolved, blue test) with the facts as fields; with `style: text` or a `template`, a plain message
 * (`content`, at most 2,000 characters, cut with `…`). Values are escaped for Discord's Markdown and mentions are
 * switched off (`allowed_mentions`), so a monitor's name cannot ping `@everyone`. The webhook is called with
 * `?wait=true`: Discord then answers only once the message is posted (and says why when it is not).
 */
import { z } from 'zod';
import { secret, text, urlWith } from '../../config/fields.js';
import { sendHttp } from '../http.js';
import type { Notification, NotifierType } from '../notifier.js';
import { escapeFor, render } from '../template.js';
import { checkTemplate, SAMPLE_NOTIFICATION } from './sample.js';
import { fitEscaped, message, type Tone, truncateEscaped, urlSecrets, withShortCause } from './shared.js';

/** Discord's limits: message content, embed title, description, field value. */
export const DISCORD_LIMITS = { content: 2000, title: 256, description: 4096, field: 1024 } as const;

export const discordSettings = z
  .strictObject({
    type: z.literal('discord').describe('A Discord channel webhook.'),
    url: secret(urlWith(['https:', 'http:'])).describe(
      'The webhook URL (`https://discord.com/api/webhooks/<id>/<token>`; a secret: it holds the token). A `thread_id` query parameter is kept.',
    ),
    style: z
      .enum(['embed', 'text'])
      .default('embed')
      .describe('`embed`: a card coloured by what happened, with the facts as fields; `text`: a plain message.'),
    template: text()
      .optional()
      .describe(
        'The message as Discord Markdown, a Mustache template (`{{headline}}`, `{{summary}}`, `{{monitor.name}}`, `{{cause}}`…); values are escaped for Markdown. Sent as plain text (cut at 2,000 characters).',
      ),
    username: text()
      .max(80, { error: 'must be at most 80 characters' })
      .optional()
      .describe("The name the message is posted under, instead of the webhook's."),
  })
  .superRefine((value, ctx) => {
    if (value.template === undefined) return;
    const problem = checkTemplate(value.template, (t) => render(t, SAMPLE_NOTIFICATION, 'markdown'));
    if (problem) ctx.addIssue({ code: 'custom', path: ['template'], message: problem });
  })
  .describe('Discord, through a channel webhook.');

export type DiscordSettings = z.output<typeof discordSettings>;

export const DISCORD_COLOURS: Record<Tone, number> = {
  down: 0xd92d20,
  degraded: 0xf79009,
  reminder: 0xd92d20,
  resolved: 0x12b76a,
  test: 0x2e90fa,
};

const esc = (value: string) => escapeFor(value, 'markdown');

/** The default message as an embed. */
export function discordEmbed(notification: Notification) {
  const words = message(notification);
  let description = fitEscaped(words.sentence, esc, 1000);
  if (words.cause) description += `\n\n**Cause**\n${fitEscaped(words.cause, esc, DISCORD_LIMITS.description - description.length - 20)}`;
  return {
    title: fitEscaped(words.title, esc, DISCORD_LIMITS.title),
    description,
    color: DISCORD_COLOURS[words.tone],
    ...(notification.url ? { url: notification.url } : {}),
    fields: words.facts.map(([name, value]) => ({ name, value: fitEscaped(value, esc, DISCORD_LIMITS.field), inline: true })),
    timestamp: new Date(notification.at).toISOString(),
    footer: { text: 'Vigil' },
  };
}

/** The default message as plain text. */
export function discordText(notification: Notification): string {
  const words = message(notification);
  const lines = [`**${esc(words.title)}**`, esc(words.sentence), ''];
  for (const [label, value] of words.facts) lines.push(`**${label}:** ${esc(value)}`);
  if (words.cause) lines.push('', '**Cause**', esc(words.cause));
  if (notification.url) lines.push('', `<${notification.url}>`);
  return truncateEscaped(lines.join('\n'), DISCORD_LIMITS.content);
}

/** The webhook URL with `wait=true` (other query parameters, such as `thread_id`, kept). */
export function discordUrl(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('wait', 'true');
  return parsed.toString();
}

export const discord: NotifierType<DiscordSettings> = {
  type: 'discord',
  settings: discordSettings,
  create: (config) => ({
    send: (notification, { signal }) => {
      const content =
        config.template !== undefined
          ? truncateEscaped(render(config.template, withShortCause(notification), 'markdown'), DISCORD_LIMITS.content)
          : config.style === 'text'
            ? discordText(notification)
            : undefined;
      return sendHttp({
        url: discordUrl(config.url),
        headers: { 'idempotency-key': notification.idempotencyKey },
        body: {
          ...(config.username === undefined ? {} : { username: config.username }),
          ...(content === undefined ? { embeds: [discordEmbed(notification)] } : { content }),
          allowed_mentions: { parse: [] },
        },
        signal,
        secrets: urlSecrets(config.url),
      });
    },
  }),
};
