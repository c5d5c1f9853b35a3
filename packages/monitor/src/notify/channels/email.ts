/**
 * `email`: a mail through an SMTP server (nodemailer), with a plain-text and an HTML part (values HTML-escaped)
 * and a subject such as `[DOWN] Shop API` or `[RESOLVED] Shop API`. Each message has a Message-ID derived from
 * the notification's idempotency key — a retried message keeps it, so mailboxes that drop duplicates do — and an
 * `X-Vigil-Idempotency-Key` header; a trigger's Message-ID is derived from the alert's key instead, and its
 * reminders and resolve refer to it (`In-Reply-To`, `References`), so a mail client shows an alert as one thread.
 *
 * Outcomes: SMTP replies 4xx and lost or refused connections are transient; 5xx replies (a refused recipient or
 * sender, failed authentication), TLS certificate failures and settings the server does not take are permanent.
 * The password never appears in an error. The send stops, and the connection closes, when the signal aborts.
 */
import { createHash } from 'node:crypto';
import { sanitizeMessage } from '@vigil/core';
import { z } from 'zod';
import { host, port, secret, text } from '../../config/fields.js';
import type { Notification, NotifierType, SendOutcome } from '../notifier.js';
import { lazily } from '../../lazily.js';
import { escapeFor } from '../template.js';
import { message, type Tone } from './shared.js';

// nodemailer (about 1 MB of code) is loaded on the first mail sent, not when `vigil serve` starts.
const loadMailer = lazily(() => import('nodemailer'));

/** Nodemailer's own timeouts, under the caller's signal: connecting, the server's greeting, silence on the socket. */
export const SMTP_TIMEOUTS = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 20_000 } as const;

const ADDRESS = /^(?:[^<>\r\n]*<[^\s@<>]+@[^\s@<>]+>|[^\s@<>]+@[^\s@<>]+)$/;
const address = () =>
  z.string().regex(ADDRESS, { error: 'expected a mail address, e.g. "ops@example.com" or "Vigil <vigil@example.com>"' });

export const emailSettings = z
  .strictObject({
    type: z.literal('email').describe('Mail, through an SMTP server.'),
    host: host().describe('The SMTP server.'),
    port: port().default(587).describe('Its port: 587 (submission, STARTTLS), 465 (TLS from the start) or 25.'),
    secure: z
      .boolean()
      .optional()
      .describe('TLS from the start of the connection (implicit TLS). Default: true on port 465, otherwise false (see `starttls`).'),
    starttls: z
      .enum(['required', 'opportunistic', 'never'])
      .optional()
      .describe(
        'On a connection that is not `secure`: `required` (fail unless the server upgrades to TLS), `opportunistic` (upgrade when the server offers it) or `never`. Default: required when a username is set (a password never crosses the network in clear), otherwise opportunistic.',
      ),
    tls_reject_unauthorized: z
      .boolean()
      .default(true)
      .describe("Refuse a server certificate that is not valid for `host` (set false only for a server you trust with a self-signed certificate)."),
    username: text().optional().describe('The user to authenticate as (with `password`).'),
    password: secret(text()).optional().describe('The password of `username` (a secret).'),
    from: address().describe('The sender: `vigil@example.com` or `Vigil <vigil@example.com>`.'),
    to: z.array(address()).min(1, { error: 'expected at least one recipient' }).describe('The recipients.'),
  })
  .superRefine((value, ctx) => {
    if ((value.username === undefined) !== (value.password === undefined)) {
      const missing = value.username === undefined ? 'username' : 'password';
      const set = missing === 'username' ? 'password' : 'username';
      ctx.addIssue({ code: 'custom', path: [missing], message: `is required with ${set}` });
    }
    if (value.starttls !== undefined && (value.secure ?? value.port === 465)) {
      ctx.addIssue({
        code: 'custom',
        path: ['starttls'],
        message: 'applies only to connections that are not secure (this one uses TLS from the start)',
      });
    }
  })
  .describe('Mail through SMTP, as plain text and HTML.');

export type EmailSettings = z.output<typeof emailSettings>;

const html = (value: string) => escapeFor(value, 'html');

const COLOURS: Record<Tone, string> = {
  down: '#d92d20',
  degraded: '#f79009',
  reminder: '#d92d20',
  resolved: '#12b76a',
  test: '#2e90fa',
};

/** The subject: `[DOWN] Shop API`, on one line. */
export function emailSubject(notification: Notification): string {
  return message(notification).title.replace(/[\r\n]+/g, ' ');
}

export function emailText(notification: Notification): string {
  const words = message(notification);
  const width = Math.max(...words.facts.map(([label]) => label.length)) + 2;
  const lines = [`${words.headline}: ${words.sentence}`, ''];
  for (const [label, value] of words.facts) lines.push(`${`${label}:`.padEnd(width)}${value}`);
  if (words.cause) lines.push('', 'Cause:', ...words.cause.split('\n').map((line) => `  ${line}`));
  if (notification.url) lines.push('', `Open in Vigil: ${notification.url}`);
  lines.push('', '-- ', 'Sent by Vigil.');
  return `${lines.join('\n')}\n`;
}

export function emailHtml(notification: Notification): string {
  const words = message(notification);
  const rows = words.facts
    .map(
      ([label, value]) =>
        `<tr><th align="left" style="padding:2px 12px 2px 0;color:#555;font-weight:normal">${html(label)}</th><td style="padding:2px 0">${html(value)}</td></tr>`,
    )
    .join('\n');
  const parts = [
    '<!doctype html>',
    `<html><head><meta charset="utf-8"><title>${html(words.title)}</title></head>`,
    '<body style="font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;font-size:14px;color:#111">',
    `<h2 style="margin:0 0 8px;color:${COLOURS[words.tone]}">${html(words.title)}</h2>`,
    `<p style="margin:0 0 12px">${html(words.sentence)}</p>`,
    `<table cellspacing="0" cellpadding="0">\n${rows}\n</table>`,
  ];
  if (words.cause) {
    parts.push(
      '<p style="margin:12px 0 4px"><strong>Cause</strong></p>',
      `<pre style="margin:0;padding:8px;background:#f4f4f5;white-space:pre-wrap">${html(words.cause)}</pre>`,
    );
  }
  if (notification.url) parts.push(`<p style="margin:12px 0"><a href="${html(notification.url)}">Open in Vigil</a></p>`);
  parts.push('<p style="margin:16px 0 0;color:#888;font-size:12px">Sent by Vigil.</p>', '</body></html>');
  return `${parts.join('\n')}\n`;
}

/** The domain of the sender's address, for Message-IDs. */
function senderDomain(from: string): string {
  const domain = /@([^\s@<>]+)>?\s*$/.exec(from)?.[1];
  return domain && /^[A-Za-z0-9.-]+$/.test(domain) ? domain : 'vigil.invalid';
}

const digest = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 32);

/** Message-ID, and the trigger's Message-ID the others refer to, for a notification sent to a channel. */
export function emailIds(notification: Notification, channel: string, from: string) {
  const domain = senderDomain(from);
  const thread = `<alert.${digest(`${channel}\n${notification.alertKey}`)}@${domain}>`;
  if (notification.kind === 'trigger') return { messageId: thread };
  const messageId = `<${digest(`${channel}\n${notification.idempotencyKey}`)}@${domain}>`;
  return notification.kind === 'test' ? { messageId } : { messageId, inReplyTo: thread, references: thread };
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EPROXY', 'ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const CERTIFICATE = /certificate|self[- ]signed|altname|Hostname\/IP does not match|unable to verify/i;

interface MailError {
  code?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

/** An error of nodemailer as an outcome; `secrets` scrubbed from what it says. */
export function mailOutcome(error: unknown, signal: AbortSignal, secrets: readonly (string | undefined)[]): SendOutcome {
  const e = (typeof error === 'object' && error !== null ? error : { message: String(error) }) as MailError;
  const said = (value: string) =>
    // eslint-disable-next-line no-control-regex -- control characters of an answer never reach a log line as they are
    sanitizeMessage(value.length > 500 ? `${value.slice(0, 500)}…` : value, secrets).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (signal.aborted || e.code === 'EABORT') return { outcome: 'transient', error: 'no answer from the mail server within the time allowed' };
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    const reply = said(e.response ?? e.message ?? String(e.responseCode));
    const error = `the mail server refused the message: ${reply}`;
    const permanent = e.responseCode >= 500 && e.responseCode !== 503;
    return { outcome: permanent ? 'permanent' : 'transient', error };
  }
  const text = said(e.message ?? 'unknown error');
  if (CERTIFICATE.test(text)) {
    return { outcome: 'permanent', error: `the mail server's certificate was refused (${text}): see tls_reject_unauthorized` };
  }
  if (e.code === 'ETLS') return { outcome: 'transient', error: `TLS with the mail server failed: ${text}` };
  if (e.code !== undefined && CONNECTION_CODES.has(e.code)) {
    return { outcome: 'transient', error: `could not reach the mail server (${e.code}${text ? `: ${text}` : ''})` };
  }
  if (e.code === 'EAUTH' || e.code === 'ENOAUTH' || e.code === 'EENVELOPE' || e.code === 'EMESSAGE' || e.code === 'EREQUIRETLS') {
    return { outcome: 'permanent', error: `the mail server did not take the message: ${text}` };
  }
  return { outcome: 'transient', error: `sending the mail failed${e.code ? ` (${e.code})` : ''}: ${text}` };
}

const addressText = (value: string | { address?: string }) => (typeof value === 'string' ? value : (value.address ?? ''));

export const email: NotifierType<EmailSettings> = {
  type: 'email',
  settings: emailSettings,
  create: (config, context) => {
    const secure = config.secure ?? config.port === 465;
    const starttls = config.starttls ?? (config.username !== undefined ? 'required' : 'opportunistic');
    const credentials =
      config.username !== undefined && config.password !== undefined ? { user: config.username, pass: config.password } : undefined;
    const secrets = credentials
      ? [
          credentials.pass,
          Buffer.from(credentials.pass).toString('base64'),
          Buffer.from(`\u0000${credentials.user}\u0000${credentials.pass}`).toString('base64'),
          encodeURIComponent(credentials.pass),
        ]
      : [];
    return {
      send: async (notification, { signal }) => {
        if (signal.aborted) return { outcome: 'transient', error: 'no answer from the mail server within the time allowed' };
        const options = {
          host: config.host,
          port: config.port,
          secure,
          requireTLS: !secure && starttls === 'required',
          ignoreTLS: !secure && starttls === 'never',
          ...(credentials ? { auth: credentials } : {}),
          tls: { rejectUnauthorized: config.tls_reject_unauthorized, servername: config.host },
          ...SMTP_TIMEOUTS,
          // After a send, or an abort, nodemailer half-closes the connection: a server that never closes its side
          // would keep the socket for 5 seconds by default.
          socketCloseTimeout: 1000,
          disableFileAccess: true,
          disableUrlAccess: true,
          logger: false,
        };
        const { default: nodemailer } = await loadMailer();
        const transport = nodemailer.createTransport(options);
        const ids = emailIds(notification, context.channel, config.from);
        // nodemailer 10 takes a signal per message: it ends the send and closes the connection when aborted.
        const mail = {
          from: config.from,
          to: config.to,
          subject: emailSubject(notification),
          text: emailText(notification),
          html: emailHtml(notification),
          ...ids,
          headers: {
            'X-Vigil-Idempotency-Key': notification.idempotencyKey,
            'X-Vigil-Alert-Key': notification.alertKey,
            'X-Vigil-Monitor': notification.monitor.id,
            'X-Vigil-Kind': notification.kind,
            'Auto-Submitted': 'auto-generated',
          },
          signal,
        };
        try {
          const info = await transport.sendMail(mail as Parameters<typeof transport.sendMail>[0]);
          const refused = info.rejected.map(addressText).filter(Boolean);
          const response = sanitizeMessage(String(info.response ?? ''), secrets).trim();
          return {
            outcome: 'delivered',
            response: refused.length > 0 ? `${response}; refused recipients: ${refused.join(', ')}` : response,
          };
        } catch (error) {
          return mailOutcome(error, signal, secrets);
        } finally {
          transport.close();
        }
      },
    };
  },
};
