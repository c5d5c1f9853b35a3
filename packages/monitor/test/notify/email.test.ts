/**
 * The `email` notifier against a real SMTP server (the `smtp-server` package) on a random port: the message as
 * received (envelope, subject, from/to, the text and HTML parts, the idempotency header, threading), with and
 * without authentication and TLS, and the outcome of each kind of failure — 550 permanent, 451 transient, a
 * refused login, a certificate that is not trusted, nothing listening, a server that never greets — with the
 * password in no error.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';
import { hangingTcpServer } from '../../../core/test/support/net.js';
import { closedPortUrl, NASTY_NAME, notifierFor, resolveOf, sampleNotification, send } from './receiver.js';

interface Received {
  from: string;
  to: string[];
  user?: string;
  secure: boolean;
  raw: string;
}

interface TestSmtp {
  port: number;
  messages: Received[];
  close(): Promise<void>;
}

const servers: TestSmtp[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => server.close()));
});

/** An SMTP server on a random loopback port that keeps what it receives. */
async function startSmtp(options: SMTPServerOptions = {}): Promise<TestSmtp> {
  const messages: Received[] = [];
  const server = new SMTPServer({
    logger: false,
    authOptional: true,
    disableReverseLookup: true,
    onData(stream, session: SMTPServerSession, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          ...(session.user === undefined ? {} : { user: String(session.user) }),
          secure: session.secure,
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback(null, 'OK: message queued' as unknown as undefined);
      });
    },
    ...options,
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const smtp: TestSmtp = {
    port: (server.server.address() as AddressInfo).port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
  servers.push(smtp);
  return smtp;
}

/** Headers (lowercase names, unfolded) and body of a MIME entity. */
function entity(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers: Record<string, string> = {};
  for (const line of head.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = decodeHeader(line.slice(colon + 1).trim());
  }
  return { headers, body: raw.slice(split + 4) };
}

/** A header with RFC 2047 encoded words (`=?UTF-8?Q?…?=`) decoded. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, mode: string, text: string) =>
      mode.toUpperCase() === 'B' ? Buffer.from(text, 'base64').toString('utf8') : decode(text.replace(/_/g, ' '), 'quoted-printable'),
    );
}

function decode(body: string, encoding = '7bit'): string {
  if (/base64/i.test(encoding)) return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (/quoted-printable/i.test(encoding)) {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => `%${hex}`);
    return decodeURIComponent(bytes.replace(/%(?![0-9A-F]{2})/gi, '%25'));
  }
  return body;
}

/** A multipart/alternative message: its headers, text part and HTML part. */
function parseMail(raw: string) {
  const { headers, body } = entity(raw);
  const boundary = /boundary="?([^";]+)"?/.exec(headers['content-type'] ?? '')?.[1];
  expect(headers['content-type']).toMatch(/^multipart\/alternative/);
  const parts = body
    .split(`--${boundary}`)
    .slice(1, -1)
    // The CRLF before a boundary belongs to the boundary.
    .map((part) => entity(part.replace(/^\r\n/, '').replace(/\r\n$/, '')));
  const part = (type: string) => {
    const found = parts.find((p) => p.headers['content-type']?.startsWith(type));
    return found ? decode(found.body, found.headers['content-transfer-encoding']).replace(/\r\n/g, '\n') : undefined;
  };
  return { headers, text: part('text/plain'), html: part('text/html') };
}

const base = (port: number, extra: Record<string, unknown> = {}) => ({
  type: 'email',
  host: '127.0.0.1',
  port,
  from: 'Vigil <vigil@example.com>',
  to: ['ops@example.com', 'Oncall <oncall@example.com>'],
  ...extra,
});

const PASSWORD = 'smtp-Secret-Pass-0123';

describe('email', () => {
  it('sends a text and an HTML part, a clear subject and the idempotency header', async () => {
    const smtp = await startSmtp({ hideSTARTTLS: true });
    const outcome = await send(notifierFor(base(smtp.port), 'mail-ops'));
    expect(outcome).toEqual({ outcome: 'delivered', response: '250 OK: message queued' });
    expect(smtp.messages).toHaveLength(1);
    const received = smtp.messages[0]!;
    expect(received).toMatchObject({ from: 'vigil@example.com', to: ['ops@example.com', 'oncall@example.com'], secure: false });
    const mail = parseMail(received.raw);
    expect(mail.headers).toMatchObject({
      subject: `[DOWN] ${NASTY_NAME}`,
      from: 'Vigil <vigil@example.com>',
      to: 'ops@example.com, Oncall <oncall@example.com>',
      'x-vigil-idempotency-key': 'shop-api/local/7/ops#1',
      'x-vigil-alert-key': 'shop-api/local/7',
      'x-vigil-monitor': 'shop-api',
      'x-vigil-kind': 'trigger',
      'auto-submitted': 'auto-generated',
    });
    expect(mail.headers['message-id']).toMatch(/^<alert\.[0-9a-f]{32}@example\.com>$/);
    expect(mail.text).toBe(
      [
        `DOWN: ${NASTY_NAME} is down`,
        '',
        `Monitor:  ${NASTY_NAME} (http)`,
        'Group:    Shop',
        'Location: local',
        'Target:   https://shop.example.com/health',
        'At:       2025-01-15 12:00:00 UTC',
        '',
        'Cause:',
        '  GET https://shop.example.com/health returned status 503 (expected 200-299)',
        '',
        'Open in Vigil: https://vigil.example.com/monitors/shop-api',
        '',
        '-- ',
        'Sent by Vigil.',
        '',
      ].join('\n'),
    );
    const escaped = 'Shop &lt;b&gt;&amp;&quot;*_ API';
    expect(mail.html).toContain(`<h2 style="margin:0 0 8px;color:#d92d20">[DOWN] ${escaped}</h2>`);
    expect(mail.html).toContain(`<td style="padding:2px 0">${escaped} (http)</td>`);
    expect(mail.html).toContain('<a href="https://vigil.example.com/monitors/shop-api">Open in Vigil</a>');
    expect(mail.html).not.toContain('<b>&');
  });

  it('a resolve says it recovered, for how long, in the thread of its trigger', async () => {
    const smtp = await startSmtp({ hideSTARTTLS: true });
    const notifier = notifierFor(base(smtp.port));
    await send(notifier);
    await send(notifier, resolveOf());
    const [trigger, resolve] = smtp.messages.map((m) => parseMail(m.raw));
    expect(resolve!.headers.subject).toBe(`[RESOLVED] ${NASTY_NAME}`);
    expect(resolve!.text).toMatch(new RegExp(`^RESOLVED: Shop .* API recovered after 3m\n`));
    expect(resolve!.text).toContain('Lasted:');
    expect(resolve!.headers['x-vigil-idempotency-key']).toBe('shop-api/local/7/ops#resolve');
    expect(resolve!.headers['message-id']).not.toBe(trigger!.headers['message-id']);
    expect(resolve!.headers['in-reply-to']).toBe(trigger!.headers['message-id']);
    expect(resolve!.headers.references).toBe(trigger!.headers['message-id']);
    // A retried message keeps its Message-ID.
    await send(notifier, resolveOf());
    expect(parseMail(smtp.messages[2]!.raw).headers['message-id']).toBe(resolve!.headers['message-id']);
  });

  it('authenticates after STARTTLS (required by default with a username)', async () => {
    const smtp = await startSmtp({
      onAuth(auth, _session, callback) {
        if (auth.username === 'vigil' && auth.password === PASSWORD) return callback(null, { user: 'vigil' });
        return callback(new Error('Invalid username or password'));
      },
    });
    const outcome = await send(
      notifierFor(base(smtp.port, { username: 'vigil', password: PASSWORD, tls_reject_unauthorized: false })),
    );
    expect(outcome.outcome).toBe('delivered');
    expect(smtp.messages[0]).toMatchObject({ user: 'vigil', secure: true });
  });

  it('TLS from the start on a secure server', async () => {
    const smtp = await startSmtp({ secure: true });
    const outcome = await send(notifierFor(base(smtp.port, { secure: true, tls_reject_unauthorized: false })));
    expect(outcome.outcome).toBe('delivered');
    expect(smtp.messages[0]!.secure).toBe(true);
  });

  it('a refused login is permanent, and the password is not in the error even when the server repeats it', async () => {
    const smtp = await startSmtp({
      onAuth(auth, _session, callback) {
        const error = Object.assign(new Error(`Bad credentials: ${auth.password}`), { responseCode: 535 });
        callback(error);
      },
    });
    const outcome = await send(notifierFor(base(smtp.port, { username: 'vigil', password: PASSWORD, tls_reject_unauthorized: false })));
    expect(outcome).toMatchObject({ outcome: 'permanent' });
    expect(outcome.outcome !== 'delivered' && outcome.error).toMatch(/^the mail server refused the message: .*535/);
    expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
    expect(smtp.messages).toEqual([]);
  });

  it("a server certificate that is not trusted is permanent, and names the setting", async () => {
    const smtp = await startSmtp({ authOptional: true });
    const outcome = await send(notifierFor(base(smtp.port, { starttls: 'required' })));
    expect(outcome).toMatchObject({ outcome: 'permanent' });
    expect(outcome.outcome !== 'delivered' && outcome.error).toMatch(/certificate.*tls_reject_unauthorized/);
  });

  it('STARTTLS required of a server without it is permanent', async () => {
    const smtp = await startSmtp({ disabledCommands: ['STARTTLS'] });
    const outcome = await send(notifierFor(base(smtp.port, { starttls: 'required' })));
    expect(outcome).toEqual({ outcome: 'permanent', error: 'the mail server refused the message: 500 Error: command not recognized' });
    expect(smtp.messages).toEqual([]);
  });

  it('550 for a recipient is permanent; 451 for the data is transient', async () => {
    const rejecting = await startSmtp({
      hideSTARTTLS: true,
      onRcptTo(_address, _session, callback) {
        callback(Object.assign(new Error('5.1.1 Mailbox unavailable'), { responseCode: 550 }));
      },
    });
    const refused = await send(notifierFor(base(rejecting.port)));
    expect(refused).toMatchObject({ outcome: 'permanent' });
    expect(refused.outcome !== 'delivered' && refused.error).toMatch(/550 5\.1\.1 Mailbox unavailable/);

    const busy = await startSmtp({
      hideSTARTTLS: true,
      onData(stream, _session, callback) {
        stream.resume();
        stream.on('end', () => callback(Object.assign(new Error('4.3.0 Try again later'), { responseCode: 451 })));
      },
    });
    const later = await send(notifierFor(base(busy.port)));
    expect(later).toMatchObject({ outcome: 'transient' });
    expect(later.outcome !== 'delivered' && later.error).toMatch(/451 4\.3\.0 Try again later/);
  });

  it('one refused recipient of two: delivered, the refusal named', async () => {
    const smtp = await startSmtp({
      hideSTARTTLS: true,
      onRcptTo(address, _session, callback) {
        if (address.address === 'oncall@example.com') return callback(Object.assign(new Error('no such user'), { responseCode: 550 }));
        callback();
      },
    });
    const outcome = await send(notifierFor(base(smtp.port)));
    expect(outcome).toMatchObject({ outcome: 'delivered' });
    expect(outcome.outcome === 'delivered' && outcome.response).toMatch(/refused recipients: oncall@example\.com$/);
    expect(smtp.messages[0]!.to).toEqual(['ops@example.com']);
  });

  it('nothing listening is transient', async () => {
    const port = Number(new URL(await closedPortUrl()).port);
    const outcome = await send(notifierFor(base(port, { username: 'vigil', password: PASSWORD })));
    expect(outcome).toMatchObject({ outcome: 'transient' });
    expect(outcome.outcome !== 'delivered' && outcome.error).toMatch(/^could not reach the mail server \(/);
    expect(JSON.stringify(outcome)).not.toContain(PASSWORD);
  });

  it('a server that never greets: transient when the signal aborts, and the connection is closed', async () => {
    const hung = await hangingTcpServer();
    try {
      const started = Date.now();
      const outcome = await send(notifierFor(base(hung.port)), sampleNotification(), 400);
      expect(outcome).toEqual({ outcome: 'transient', error: 'no answer from the mail server within the time allowed' });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(hung.accepted()).toBe(1);
      await expect.poll(() => hung.clientSockets(), { timeout: 2000 }).toBe(0);
    } finally {
      await hung.close();
    }
  });
});
