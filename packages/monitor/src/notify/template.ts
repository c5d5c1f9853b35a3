/**
 * Message texts: Mustache templates (logic-less, so a template in a configuration file cannot run code) rendered
 * over one view of the notification, with the escaping the target needs — JSON string content for JSON bodies,
 * Slack's mrkdwn entities, HTML for mail and Teams, Markdown for Discord, none for plain text. `{{name}}` is
 * escaped for the target; `{{{name}}}` is not (for values that are already in the target's format).
 */
import Mustache from 'mustache';
import type { Notification } from './notifier.js';

export type Escaping = 'json' | 'slack' | 'html' | 'markdown' | 'text';

const HTML: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

const ESCAPES: Record<Escaping, (value: string) => string> = {
  // The inside of a JSON string: the template provides the quotes.
  json: (value) => JSON.stringify(value).slice(1, -1),
  // Slack: only &, < and > are control characters in mrkdwn text.
  slack: (value) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  html: (value) => value.replace(/[&<>"']/g, (c) => HTML[c] ?? c),
  // Discord and Telegram Markdown: characters that would start formatting or a link.
  markdown: (value) => value.replace(/[\\`*_~|[\]()>#@]/g, (c) => `\\${c}`),
  text: (value) => value,
};

/** A value escaped for `escaping`, as `{{name}}` escapes it: for messages built in code rather than from a template. */
export function escapeFor(value: string, escaping: Escaping): string {
  return ESCAPES[escaping](value);
}

/** `3m 20s`, `2h 5m`, `1d 4h`: how long an alert lasted. */
export function spokenDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return s % 60 === 0 ? `${m}m` : `${m}m ${s % 60}s`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

const HEADLINES = {
  trigger: 'DOWN',
  resolve: 'RESOLVED',
  reminder: 'STILL DOWN',
  escalation: 'ESCALATED',
  certificate: 'CERTIFICATE',
  test: 'TEST',
} as const;

/** What templates see: the notification's fields, plus words and times ready to show. */
export function notificationView(notification: Notification) {
  const down = notification.since === undefined ? undefined : spokenDuration(notification.at - notification.since);
  const headline = notification.kind === 'trigger' && notification.state === 'degraded' ? 'DEGRADED' : HEADLINES[notification.kind];
  const certificate = notification.certificate;
  const summary =
    notification.kind === 'certificate' && certificate !== undefined
      ? `The certificate of ${notification.monitor.name} expires in ${certificate.daysLeft} day${certificate.daysLeft === 1 ? '' : 's'} (${new Date(certificate.expiresAt).toISOString().slice(0, 10)})`
      : notification.kind === 'test'
      ? `Test message from Vigil for ${notification.monitor.name}`
      : notification.kind === 'resolve'
        ? `${notification.monitor.name} is up again${down ? ` after ${down}` : ''}`
        : notification.kind === 'reminder' || notification.kind === 'escalation'
          ? `${notification.monitor.name} is still down${down ? ` (for ${down})` : ''}${notification.kind === 'escalation' ? ' and nobody has acknowledged it' : ''}`
          : `${notification.monitor.name} is ${notification.state === 'degraded' ? 'degraded' : 'down'}`;
  return {
    ...notification,
    headline,
    summary,
    cause: notification.cause ?? '',
    at_iso: new Date(notification.at).toISOString(),
    since_iso: notification.since === undefined ? '' : new Date(notification.since).toISOString(),
    duration: down ?? '',
    firing: notification.kind === 'trigger' || notification.kind === 'reminder' || notification.kind === 'escalation',
    children: notification.children ?? [],
    certificate_expires_iso: certificate === undefined ? '' : new Date(certificate.expiresAt).toISOString(),
    days_left: certificate?.daysLeft ?? '',
    children_text: (notification.children ?? []).join(', '),
    resolved: notification.kind === 'resolve',
  };
}

export type NotificationView = ReturnType<typeof notificationView>;

/** Renders a template over the notification, escaping values for `escaping`. */
export function render(template: string, notification: Notification, escaping: Escaping): string {
  return Mustache.render(template, notificationView(notification), {}, { escape: ESCAPES[escaping] });
}

/** Whether a template parses; the reason when it does not (checked when the configuration loads). */
export function templateProblem(template: string): string | undefined {
  try {
    Mustache.parse(template);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
