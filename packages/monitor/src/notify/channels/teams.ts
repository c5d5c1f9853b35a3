/**
 * `teams`: Microsoft Teams through a workflow webhook (Power Automate / Workflows, "When a Teams webhook request is
 * received" — the successor of the retired Office 365 connectors). The body is a message with one Adaptive Card
 * (version 1.4): a coloured headline, the sentence, the facts as a FactSet, the cause, and a button to the
 * monitor. TextBlock and FactSet texts are read as a Markdown subset (bold, italic, lists, links), so values are
 * escaped with backslashes; line breaks become paragraph breaks, which a TextBlock needs to show them.
 */
import { z } from 'zod';
import { secret, urlWith } from '../../config/fields.js';
import { sendHttp } from '../http.js';
import type { Notification, NotifierType } from '../notifier.js';
import { fitEscaped, message, type Tone, urlSecrets } from './shared.js';

export const teamsSettings = z
  .strictObject({
    type: z.literal('teams').describe('A Microsoft Teams workflow webhook.'),
    url: secret(urlWith(['https:', 'http:'])).describe(
      'The URL of the workflow\'s "When a Teams webhook request is received" trigger (a secret: its `sig` parameter is the key).',
    ),
  })
  .describe('Microsoft Teams, through a workflow (Power Automate) webhook that posts an Adaptive Card.');

export type TeamsSettings = z.output<typeof teamsSettings>;

/**
 * Text for an Adaptive Card TextBlock or Fact: the Markdown subset's characters (`\`, `*`, `_`, `[`, `]`, `` ` ``,
 * `~`) escaped, list markers at the start of a line (`-`, `+`, `1.`) too, and line breaks doubled.
 */
export function escapeAdaptiveCard(value: string): string {
  return value
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .map((line) =>
      line
        .replace(/[\\*_[\]`~]/g, (c) => `\\${c}`)
        .replace(/^(\s*)([-+])(?=\s|$)/, '$1\\$2')
        .replace(/^(\s*\d+)\.(?=\s|$)/, '$1\\.'),
    )
    .join('\n\n');
}

const COLOURS: Record<Tone, string> = {
  down: 'Attention',
  degraded: 'Warning',
  reminder: 'Attention',
  resolved: 'Good',
  test: 'Accent',
};

/** The Adaptive Card of a notification. */
export function teamsCard(notification: Notification) {
  const words = message(notification);
  const body: unknown[] = [
    {
      type: 'TextBlock',
      text: fitEscaped(words.title, escapeAdaptiveCard, 300),
      size: 'Large',
      weight: 'Bolder',
      color: COLOURS[words.tone],
      wrap: true,
    },
    { type: 'TextBlock', text: fitEscaped(words.sentence, escapeAdaptiveCard, 1000), wrap: true },
    {
      type: 'FactSet',
      facts: words.facts.map(([title, value]) => ({ title, value: fitEscaped(value, escapeAdaptiveCard, 1000) })),
    },
  ];
  if (words.cause) {
    body.push(
      { type: 'TextBlock', text: 'Cause', weight: 'Bolder', wrap: true, spacing: 'Medium' },
      { type: 'TextBlock', text: fitEscaped(words.cause, escapeAdaptiveCard, 3000), fontType: 'Monospace', wrap: true },
    );
  }
  return {
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    type: 'AdaptiveCard',
    version: '1.4',
    body,
    ...(notification.url ? { actions: [{ type: 'Action.OpenUrl', title: 'Open in Vigil', url: notification.url }] } : {}),
    msteams: { width: 'Full' },
  };
}

/** The request body: a message with the card as its one attachment. */
export function teamsMessage(notification: Notification) {
  return {
    type: 'message',
    attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', contentUrl: null, content: teamsCard(notification) }],
  };
}

export const teams: NotifierType<TeamsSettings> = {
  type: 'teams',
  settings: teamsSettings,
  create: (config) => ({
    send: (notification, { signal }) =>
      sendHttp({
        url: config.url,
        headers: { 'idempotency-key': notification.idempotencyKey },
        body: teamsMessage(notification),
        signal,
        secrets: urlSecrets(config.url),
      }),
  }),
};
