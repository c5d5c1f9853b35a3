/**
 * Every kind of notifier, one file each. A new kind is a file with a `NotifierType` and a line here: the
 * configuration schema (and so the JSON Schema and docs/config.md) picks it up.
 */
import { z } from 'zod';
import type { Notifier, NotifierContext, NotifierType } from '../notifier.js';
import { alertmanager, alertmanagerSettings } from './alertmanager.js';
import { discord, discordSettings } from './discord.js';
import { email, emailSettings } from './email.js';
import { ntfy, ntfySettings } from './ntfy.js';
import { opsgenie, opsgenieSettings } from './opsgenie.js';
import { pagerduty, pagerdutySettings } from './pagerduty.js';
import { slack, slackSettings } from './slack.js';
import { teams, teamsSettings } from './teams.js';
import { telegram, telegramSettings } from './telegram.js';
import { webhook, webhookSettings } from './webhook.js';

/** Every kind, for building notifiers. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each kind has its own settings type
export const NOTIFIER_TYPES: readonly NotifierType<any>[] = [
  webhook,
  slack,
  discord,
  teams,
  telegram,
  email,
  pagerduty,
  opsgenie,
  ntfy,
  alertmanager,
];

/** The settings of one channel: one of the notifier kinds, told apart by `type` (each kind's schema, listed). */
export const channelSettings = z
  .discriminatedUnion('type', [
    webhookSettings,
    slackSettings,
    discordSettings,
    teamsSettings,
    telegramSettings,
    emailSettings,
    pagerdutySettings,
    opsgenieSettings,
    ntfySettings,
    alertmanagerSettings,
  ])
  .describe(`A channel: \`type\` is one of ${NOTIFIER_TYPES.map((kind) => `\`${kind.type}\``).join(', ')}.`);

export type ChannelSettings = z.output<typeof channelSettings>;

/** The notifier for a channel's settings. */
export function createNotifier(settings: ChannelSettings, context: NotifierContext): Notifier {
  const kind = NOTIFIER_TYPES.find((candidate) => candidate.type === settings.type) as unknown as
    | NotifierType<ChannelSettings>
    | undefined;
  if (kind === undefined) throw new Error(`unknown notifier type ${settings.type}`);
  return kind.create(settings, context);
}
