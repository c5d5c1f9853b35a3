/**
 * Every notifier kind in the configuration: a minimal `alerts.channels` entry loads with its defaults; a wrong
 * one is refused as `file:line:col: field: message`, and a secret value is never in that message.
 */
import { describe, expect, test } from 'vitest';
import { ConfigError, formatIssue, parseConfigSources } from '../../src/config/index.js';
import { NOTIFIER_TYPES } from '../../src/notify/channels/index.js';

function load(yaml: string, env: Record<string, string> = {}) {
  return parseConfigSources([{ file: 'vigil.yaml', text: yaml }], { env }).config;
}

function problems(yaml: string, env: Record<string, string> = {}): string[] {
  try {
    load(yaml, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.issues.map(formatIssue);
  }
  throw new Error('expected the configuration to be rejected');
}

/** `alerts.channels` with one channel `name` of the given lines (indented under it). */
const channel = (name: string, ...lines: string[]) => `alerts:\n  channels:\n    ${name}:\n      ${lines.join('\n      ')}\n`;

describe('a minimal channel of each kind loads, with its defaults', () => {
  const minimal: Array<[string, string[], Record<string, unknown>]> = [
    ['webhook', ['type: webhook', 'url: https://hooks.example.com/x'], { method: 'POST', headers: {} }],
    ['slack', ['type: slack', 'url: https://hooks.slack.com/services/T0/B0/xyz'], {}],
    ['discord', ['type: discord', 'url: https://discord.com/api/webhooks/1/abc'], { style: 'embed' }],
    ['teams', ['type: teams', 'url: https://prod-00.westus.logic.azure.com/workflows/x/triggers/manual/paths/invoke?sig=abc'], {}],
    ['telegram', ['type: telegram', 'bot_token: "123456:ABC-def_ghi"', 'chat_id: -1001234567890'], { api_url: 'https://api.telegram.org' }],
    [
      'email',
      ['type: email', 'host: smtp.example.com', 'from: vigil@example.com', 'to: [ops@example.com]'],
      { port: 587, tls_reject_unauthorized: true },
    ],
    ['pagerduty', ['type: pagerduty', 'routing_key: R0123456789abcdef0123456789abcde'], { url: 'https://events.pagerduty.com/v2/enqueue' }],
    ['opsgenie', ['type: opsgenie', 'api_key: 00000000-0000-0000-0000-000000000000'], { url: 'https://api.opsgenie.com', tags: [] }],
    ['ntfy', ['type: ntfy', 'topic: vigil-alerts'], { url: 'https://ntfy.sh' }],
    ['alertmanager', ['type: alertmanager', 'url: http://127.0.0.1:9093'], { labels: {}, ends_after: 86_400_000 }],
  ];

  test('every kind is listed here', () => {
    expect(minimal.map(([type]) => type).sort()).toEqual(NOTIFIER_TYPES.map((kind) => kind.type).sort());
  });

  test.each(minimal)('%s', (type, lines, defaults) => {
    const config = load(channel('ops', ...lines));
    expect(config.alerts.channels.ops).toMatchObject({ type, ...defaults });
  });

  test('secrets come from the environment', () => {
    const config = load(channel('chat', 'type: slack', 'url: ${SLACK_WEBHOOK_URL}'), {
      SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T0/B0/fromenv',
    });
    expect(config.alerts.channels.chat).toEqual({ type: 'slack', url: 'https://hooks.slack.com/services/T0/B0/fromenv' });
  });
});

describe('a wrong channel is refused with the file, line, column and field; never a secret', () => {
  const cases: Array<[string, string, string[], (string | string[])?]> = [
    [
      'slack: not a URL',
      channel('chat', 'type: slack', 'url: hooks-slack-Secret-123'),
      ['vigil.yaml:5:12: alerts.channels.chat.url: expected an https:// or http:// URL (value not shown: secret)'],
      'hooks-slack-Secret-123',
    ],
    [
      'slack: a template that does not parse',
      channel('chat', 'type: slack', 'url: https://hooks.slack.com/services/T/B/Secret123456', 'template: "{{#firing}}down"'),
      ['vigil.yaml:6:17: alerts.channels.chat.template: invalid template: Unclosed section "firing" at 15'],
      'Secret123456',
    ],
    [
      'a type that does not exist',
      channel('chat', 'type: slak', 'url: https://hooks.slack.com/services/T/B/x'),
      [
        'vigil.yaml:4:13: alerts.channels.chat.type: unknown type "slak" (did you mean "slack"?); expected one of: webhook, slack, discord, teams, telegram, email, pagerduty, opsgenie, ntfy, alertmanager',
      ],
    ],
    [
      'discord: an unknown style and a long username',
      channel('chat', 'type: discord', 'url: https://discord.com/api/webhooks/1/Secret-dc-123', 'style: fancy', `username: ${'x'.repeat(81)}`),
      [
        'vigil.yaml:6:14: alerts.channels.chat.style: expected one of "embed", "text", got "fancy"',
        'vigil.yaml:7:17: alerts.channels.chat.username: must be at most 80 characters',
      ],
      'Secret-dc-123',
    ],
    [
      'teams: a missing URL',
      channel('chat', 'type: teams'),
      ['vigil.yaml:4:7: alerts.channels.chat.url: is required'],
    ],
    [
      'telegram: a malformed token, a chat id that is not one',
      channel('tg', 'type: telegram', 'bot_token: tg-Secret-Token-123', 'chat_id: 1.5'),
      [
        'vigil.yaml:5:18: alerts.channels.tg.bot_token: expected a bot token like "123456789:AAH…" (from @BotFather) (value not shown: secret)',
        'vigil.yaml:6:16: alerts.channels.tg.chat_id: expected a chat id (a number) or a channel username ("@name"), got 1.5',
      ],
      'tg-Secret-Token-123',
    ],
    [
      'email: a password without a username, a sender that is not an address, no recipient',
      channel('mail', 'type: email', 'host: smtp.example.com', 'from: vigil', 'to: []', 'password: Mail-Secret-Pass-1'),
      [
        'vigil.yaml:4:7: alerts.channels.mail.username: is required with password',
        'vigil.yaml:6:13: alerts.channels.mail.from: expected a mail address, e.g. "ops@example.com" or "Vigil <vigil@example.com>", got "vigil"',
        'vigil.yaml:7:11: alerts.channels.mail.to: expected at least one recipient',
      ],
      'Mail-Secret-Pass-1',
    ],
    [
      'email: starttls on a connection that is TLS from the start, a port out of range',
      channel('mail', 'type: email', 'host: smtp.example.com', 'port: 465', 'starttls: required', 'from: a@example.com', 'to: [b@example.com]'),
      [
        'vigil.yaml:7:17: alerts.channels.mail.starttls: applies only to connections that are not secure (this one uses TLS from the start)',
      ],
    ],
    [
      'pagerduty: no routing key',
      channel('pager', 'type: pagerduty'),
      ['vigil.yaml:4:7: alerts.channels.pager.routing_key: is required'],
    ],
    [
      'pagerduty: a URL that is not HTTP, an unknown key',
      channel('pager', 'type: pagerduty', 'routing_key: PD-Secret-Key-123', 'url: ftp://events.example.com', 'routing: x'),
      [
        'vigil.yaml:6:12: alerts.channels.pager.url: expected an https:// or http:// URL, got "ftp://events.example.com"',
        'vigil.yaml:7:7: alerts.channels.pager.routing: unknown key "routing" (did you mean "routing_key"?)',
      ],
      'PD-Secret-Key-123',
    ],
    [
      'opsgenie: an empty key, a long tag',
      channel('genie', 'type: opsgenie', 'api_key: ""', `tags: [${'t'.repeat(51)}]`),
      [
        'vigil.yaml:5:16: alerts.channels.genie.api_key: must not be empty',
        'vigil.yaml:6:14: alerts.channels.genie.tags[0]: must be at most 50 characters',
      ],
    ],
    [
      'ntfy: a topic that is not one; a token and a password',
      channel('push', 'type: ntfy', 'topic: "ntfy secret/topic"', 'token: tk_Secret_123', 'username: u', 'password: Ntfy-Pass-123'),
      [
        'vigil.yaml:5:14: alerts.channels.push.topic: expected a topic name: letters, digits, "-" and "_", at most 64 (value not shown: secret)',
        'vigil.yaml:6:14: alerts.channels.push.token: use either token or username and password, not both',
      ],
      ['ntfy secret/topic', 'tk_Secret_123', 'Ntfy-Pass-123'],
    ],
    [
      'alertmanager: Vigil\'s own label, a bad label name, a short ends_after, a username alone',
      channel('am', 'type: alertmanager', 'url: http://127.0.0.1:9093', 'username: vigil', 'labels: { alertname: x, "1bad": y }', 'ends_after: 10s'),
      [
        'vigil.yaml:4:7: alerts.channels.am.password: is required with username',
        `vigil.yaml:7:28: alerts.channels.am.labels.alertname: "alertname" is one of Vigil's own labels`,
        'vigil.yaml:7:39: alerts.channels.am.labels["1bad"]: "1bad" is not a label name: letters, digits and "_", not starting with a digit',
        'vigil.yaml:8:19: alerts.channels.am.ends_after: must be at least 1m, got "10s"',
      ],
    ],
  ];

  test.each(cases)('%s', (_name, yaml, expected, secretValue) => {
    const found = problems(yaml);
    expect(found).toEqual(expected);
    for (const secretText of [secretValue ?? []].flat()) expect(found.join('\n')).not.toContain(secretText);
  });
});
