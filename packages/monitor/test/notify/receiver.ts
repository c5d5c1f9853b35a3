/**
 * Shared by the notifier tests: a local HTTP server standing in for Slack, PagerDuty & co. It records every
 * request (method, path, headers, body) and answers as the test says — a status, headers and a body, or nothing at
 * all (a hung receiver). A sample notification whose monitor name needs escaping everywhere.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { unusedPort } from '../../../core/test/support/net.js';
import { createNotifier, type ChannelSettings, channelSettings } from '../../src/notify/channels/index.js';
import type { Notification, Notifier, SendOutcome } from '../../src/notify/notifier.js';

export interface Received {
  method: string;
  /** Path and query. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The body as JSON, or undefined. */
  json: any;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: string | object;
}

/** What the receiver does with a request: an answer, or `'hang'` (never answers). */
export type Responder = (request: Received) => Answer | 'hang';

export interface Receiver {
  url: string;
  requests: Received[];
  /** Replaced by a test to answer differently. */
  respond: Responder;
  close(): Promise<void>;
}

export async function startReceiver(respond: Responder = () => ({ status: 200, body: 'ok' })): Promise<Receiver> {
  const receiver = { requests: [] as Received[], respond } as Receiver;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const received: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, json };
      receiver.requests.push(received);
      const answer = receiver.respond(received);
      if (answer === 'hang') return;
      const text = answer.body === undefined ? '' : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      res.writeHead(answer.status, {
        'content-type': typeof answer.body === 'object' ? 'application/json' : 'text/plain',
        ...answer.headers,
      });
      res.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  return receiver;
}

/** An address nothing listens on. */
export async function closedPortUrl(): Promise<string> {
  return `http://127.0.0.1:${await unusedPort()}`;
}

/** A monitor name with a character that means something to every target: HTML, Markdown, mrkdwn, JSON. */
export const NASTY_NAME = 'Shop <b>&"*_ API';

export const AT = Date.UTC(2025, 0, 15, 12, 0, 0);
export const SINCE = Date.UTC(2025, 0, 15, 11, 57, 0);

export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    idempotencyKey: 'shop-api/local/7/ops#1',
    alertKey: 'shop-api/local/7',
    kind: 'trigger',
    severity: 'critical',
    monitor: { id: 'shop-api', name: NASTY_NAME, type: 'http', group: 'Shop', target: 'https://shop.example.com/health' },
    location: 'local',
    state: 'unhealthy',
    cause: 'GET https://shop.example.com/health returned status 503 (expected 200-299)',
    at: AT,
    url: 'https://vigil.example.com/monitors/shop-api',
    ...overrides,
  };
}

/** A resolve of the sample alert, 3 minutes after it started. */
export const resolveOf = (overrides: Partial<Notification> = {}) =>
  sampleNotification({ kind: 'resolve', state: 'healthy', since: SINCE, idempotencyKey: 'shop-api/local/7/ops#resolve', ...overrides });

/** A notifier for settings as written in the configuration (defaults applied by the schema). */
export function notifierFor(settings: Record<string, unknown>, channel = 'ops'): Notifier {
  return createNotifier(channelSettings.parse(settings) as ChannelSettings, { channel });
}

export function send(notifier: Notifier, notification = sampleNotification(), timeoutMs = 5000): Promise<SendOutcome> {
  return notifier.send(notification, { signal: AbortSignal.timeout(timeoutMs) });
}
