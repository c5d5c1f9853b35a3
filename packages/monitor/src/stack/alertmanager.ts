/**
 * `alertmanager.yml`: routes by severity — critical to every channel, repeated every 30 minutes; warning to e-mail
 * and Slack every 4 hours; info to the webhook only, once a day (a channel left out by --receivers is skipped, and
 * a severity left with no channel falls back to the warning one).
 *
 * No secret is written: the SMTP password, the Slack webhook URL and the webhook's bearer token are read from
 * files under /run/secrets, which docker-compose.yml mounts from ./secrets (ignored by git). Alertmanager reads
 * them when it sends. The webhook URL itself is in the file (Alertmanager 0.25, as Debian ships it, has no
 * `url_file` for webhooks; 0.26 added it), so it must not carry a token: the token goes in the bearer secret.
 */
import { GENERATED_NOTICE, yamlFile } from './format.js';
import type { Channel, StackOptions } from './options.js';

/** The secret file each channel needs, by compose secret name; mounted at /run/secrets/<name>. */
export const CHANNEL_SECRETS: Record<Channel, { name: string; what: string }> = {
  email: { name: 'smtp_password', what: 'the SMTP password of the --email-from account' },
  slack: { name: 'slack_api_url', what: 'the Slack incoming-webhook URL (https://hooks.slack.com/services/…)' },
  webhook: { name: 'webhook_token', what: 'the bearer token the webhook receiver expects' },
};

export const secretPath = (name: string) => `/run/secrets/${name}`;

/** The secret files the chosen channels need, in channel order. */
export function alertmanagerSecrets(options: StackOptions): { name: string; what: string }[] {
  return options.receivers.channels.map((channel) => CHANNEL_SECRETS[channel]);
}

/** Which channels each severity goes to. */
export function severityChannels(options: StackOptions): Record<'critical' | 'warning' | 'info', Channel[]> {
  const chosen = options.receivers.channels;
  const pick = (wanted: Channel[], fallback: Channel[]) => {
    const found = chosen.filter((channel) => wanted.includes(channel));
    return found.length > 0 ? found : fallback;
  };
  const warning = pick(['email', 'slack'], chosen);
  return { critical: chosen, warning, info: pick(['webhook'], warning) };
}

export function alertmanagerFile(options: StackOptions): string {
  const r = options.receivers;
  const chosen = new Set(r.channels);
  const configs = (channels: Channel[]) => ({
    ...(channels.includes('email') ? { email_configs: [{ to: r.emailTo, send_resolved: true }] } : {}),
    ...(channels.includes('slack')
      ? {
          slack_configs: [
            {
              channel: r.slackChannel,
              send_resolved: true,
              title: '[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.severity }})',
              text: '{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\n{{ end }}',
            },
          ],
        }
      : {}),
    ...(channels.includes('webhook')
      ? {
          webhook_configs: [
            {
              url: r.webhookUrl,
              send_resolved: true,
              http_config: {
                authorization: { type: 'Bearer', credentials_file: secretPath(CHANNEL_SECRETS.webhook.name) },
              },
            },
          ],
        }
      : {}),
  });
  const routes = severityChannels(options);
  const config = {
    global: {
      resolve_timeout: '5m',
      ...(chosen.has('email')
        ? {
            smtp_smarthost: r.smtpSmarthost,
            smtp_from: r.emailFrom,
            smtp_auth_username: r.emailFrom,
            smtp_auth_password_file: secretPath(CHANNEL_SECRETS.email.name),
            smtp_require_tls: true,
          }
        : {}),
      ...(chosen.has('slack') ? { slack_api_url_file: secretPath(CHANNEL_SECRETS.slack.name) } : {}),
    },
    route: {
      receiver: 'warning',
      group_by: ['alertname', 'job'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: [
        { matchers: ['severity="critical"'], receiver: 'critical', repeat_interval: '30m' },
        { matchers: ['severity="info"'], receiver: 'info', repeat_interval: '24h' },
      ],
    },
    receivers: [
      { name: 'critical', ...configs(routes.critical) },
      { name: 'warning', ...configs(routes.warning) },
      { name: 'info', ...configs(routes.info) },
    ],
  };
  const files = alertmanagerSecrets(options)
    .map((secret) => secret.name)
    .join(', ');
  return yamlFile(config, [
    GENERATED_NOTICE,
    `No secret here: Alertmanager reads them from /run/secrets (${files}), which docker-compose.yml mounts`,
    'from ./secrets, ignored by git (see README.md). Check it with: amtool check-config alertmanager.yml',
  ]);
}
