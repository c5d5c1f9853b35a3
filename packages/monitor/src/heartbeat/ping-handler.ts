/**
 * The ping endpoint, in Healthchecks.io's URL forms so existing crontabs only change their base URL:
 *
 *   /ping/<key>               success          /ping/<key>/fail   failure
 *   /ping/<key>/start         a run starts     /ping/<key>/log    a message, no state change
 *   /ping/<key>/<0-255>       exit status: 0 is a success, anything else a failure
 *
 * and the same under a slug: `/ping/<ping-key>/<slug>[/start|/fail|/log|/<0-255>]`, where `<ping-key>` is a key of
 * slug URLs (`heartbeats.ping_key` or a group's), and `?create=1` creates the heartbeat on its first ping (201).
 *
 * GET, HEAD and POST (the body is the job's output), `?rid=<uuid>` to pair a `/start` with its end ping. Answers
 * are plain text like Healthchecks.io's: `OK`, `not found` (an unknown key, and nothing else is said about
 * keys), and 400 for a malformed exit status or rid. Any origin may ping (`Access-Control-Allow-Origin: *`):
 * the key in the URL is the credential. Every answer says how much of a body is kept (`Ping-Body-Limit`, bytes), as
 * Healthchecks.io's does, so that scripts can send just the tail of their output.
 *
 * `OK` means stored: the answer waits until the ping's result is committed. When the store does not answer within
 * `storeWaitMs`, the answer is 503 (the result is kept and stored when the store is back; a retried ping is
 * another ping, which is harmless).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SLUG_PATTERN, type PingMethod } from '../config/monitors/heartbeat.js';
import { clientAddress, type TrustedProxies } from '../http/client-address.js';
import { describeError, type Logger, silentLogger } from '../log/logger.js';
import { decidePing } from './ping-filter.js';
import type { HeartbeatPing, HeartbeatTracker } from './tracker.js';

/** A ping as the endpoint received it. */
export interface ReceivedPing {
  /** A heartbeat's `ping_key` (or id), or `<scope key>/<slug>` for a slug URL. */
  key: string;
  ping: HeartbeatPing;
  method: PingMethod;
  userAgent?: string;
  /** The client (`X-Forwarded-For` read only from trusted proxies). */
  remoteAddress?: string;
  /** `?create=1` on a slug URL. */
  create?: { scopeKey: string; slug: string };
}

/** Stored (200), created and stored (201), or refused with a reason (a limit reached, an id taken). */
export type PingOutcome = { status: 200 | 201 } | { status: 403 | 409; message: string };

/** Where pings go: the service, or a bare tracker (`trackerReceiver`). */
export interface PingReceiver {
  /** Whether a key is a key of slug URLs: `/ping/<it>/<x>` then names a slug, not an action. */
  isScopeKey(key: string): boolean;
  /** False for a heartbeat that does not exist (404); else resolves once what the ping changed is stored. */
  receive(ping: ReceivedPing): false | Promise<PingOutcome>;
}

/** Pings straight to a tracker, its filters applied (no slug scopes, no ping log, no creation). */
export function trackerReceiver(tracker: Pick<HeartbeatTracker, 'ping' | 'configOf'>): PingReceiver {
  return {
    isScopeKey: () => false,
    receive: ({ key, ping, method }) => {
      const config = tracker.configOf(key);
      if (config === undefined) return false;
      const decision = decidePing(config, ping, method);
      if ('ignored' in decision) return Promise.resolve({ status: 200 });
      const stored = tracker.ping(key, decision.ping);
      return stored === false ? false : stored.then(() => ({ status: 200 }));
    },
  };
}

export interface PingHandlerOptions {
  /** Bytes of a request body kept (the rest is read and dropped), said in `Ping-Body-Limit`. Default 100,000. */
  maxBodyBytes?: number;
  /** How long a ping waits for its result to be stored before the answer is 503. Default 10,000 ms. */
  storeWaitMs?: number;
  /** Proxies whose `X-Forwarded-For` names the client. Default: none. */
  trustedProxies?: TrustedProxies;
  logger?: Logger;
}

export type PingHandler = (req: IncomingMessage, res: ServerResponse, next?: () => void) => void;

const PREFIX = '/ping';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const METHODS = 'GET, HEAD, POST, OPTIONS';
/** A user agent is kept to this many characters. */
const USER_AGENT_MAX = 300;
const BASE_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
} as const;

type ParsedPing = { key: string; ping: Omit<HeartbeatPing, 'body'>; create?: { scopeKey: string; slug: string } };
type Parsed = ({ ok: true } & ParsedPing) | { ok: false; status: 400 | 404; message: string };

/**
 * The ping a path and query ask for, checked without looking at the key (errors say nothing about keys).
 * `isScopeKey` tells a slug URL (`/ping/<scope key>/<slug>/…`) from a key's (`/ping/<key>/<action>`).
 */
export function parsePingPath(pathname: string, search: URLSearchParams, isScopeKey: (key: string) => boolean = () => false): Parsed {
  const rest = pathname.slice(PREFIX.length + 1).replace(/\/$/, '');
  const segments = rest.split('/');
  let key = segments.shift() ?? '';
  let create: ParsedPing['create'];
  if (key !== '' && isScopeKey(key)) {
    const slug = segments.shift() ?? '';
    if (!SLUG_PATTERN.test(slug)) return { ok: false, status: 404, message: 'not found' };
    if (search.get('create') === '1') create = { scopeKey: key, slug };
    key = `${key}/${slug}`;
  }
  const [action, ...extra] = segments;
  if (key === '' || extra.length > 0) return { ok: false, status: 404, message: 'not found' };
  const ping: Omit<HeartbeatPing, 'body'> = { action: 'success' };
  if (action === 'start' || action === 'fail' || action === 'log') ping.action = action;
  else if (action !== undefined) {
    if (!/^-?\d+$/.test(action)) return { ok: false, status: 404, message: 'not found' };
    const status = Number(action);
    if (status > 255 || action.startsWith('-')) {
      return { ok: false, status: 400, message: 'invalid exit status: expected 0 to 255' };
    }
    ping.action = status === 0 ? 'success' : 'fail';
    ping.exitStatus = status;
  }
  const rids = search.getAll('rid');
  if (rids.length > 0) {
    const rid = rids[0] ?? '';
    if (rids.length > 1 || !UUID.test(rid)) return { ok: false, status: 400, message: 'invalid rid: expected a UUID' };
    ping.rid = rid.toLowerCase();
  }
  return { ok: true, key, ping, ...(create ? { create } : {}) };
}

/** The body, at most `limit` bytes of it (the rest is drained, so the connection stays usable). */
function readTruncated(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      if (size >= limit) return;
      const part = chunk.subarray(0, limit - size);
      chunks.push(part);
      size += part.length;
    });
    req.on('end', () => resolve(Buffer.concat(chunks, size).toString('utf8')));
    // A request cut off mid-body is not a ping: the job's curl will retry it.
    req.on('aborted', () => resolve(undefined));
    req.on('error', () => resolve(undefined));
  });
}


export function createPingHandler(receiver: PingReceiver, options: PingHandlerOptions = {}): PingHandler {
  const maxBodyBytes = options.maxBodyBytes ?? 100_000;
  const storeWaitMs = options.storeWaitMs ?? 10_000;
  const logger = options.logger ?? silentLogger;
  const trusted = options.trustedProxies ?? (() => false);
  const headers = {
    ...BASE_HEADERS,
    'Ping-Body-Limit': String(maxBodyBytes),
    // A script in a browser may read it too.
    'Access-Control-Expose-Headers': 'Ping-Body-Limit',
  };
  /** Plain text without a trailing newline: Healthchecks.io answers exactly `OK`, and scripts compare it. */
  const answer = (req: IncomingMessage, res: ServerResponse, status: number, body: string, extra = {}): void => {
    res.writeHead(status, {
      ...headers,
      'Content-Type': 'text/plain; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      ...extra,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
  return (req, res, next) => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      if (next) next();
      else answer(req, res, 404, 'not found');
      return;
    }
    if (url.pathname !== PREFIX && !url.pathname.startsWith(`${PREFIX}/`)) {
      if (next) next();
      else answer(req, res, 404, 'not found');
      return;
    }
    const method = req.method ?? 'GET';
    if (method === 'OPTIONS') {
      res.writeHead(204, {
        ...headers,
        'Access-Control-Allow-Methods': METHODS,
        'Access-Control-Allow-Headers': 'Content-Type',
        'Access-Control-Max-Age': '600',
      });
      res.end();
      return;
    }
    if (method !== 'GET' && method !== 'HEAD' && method !== 'POST') {
      req.resume();
      answer(req, res, 405, 'method not allowed', { Allow: METHODS });
      return;
    }
    const parsed = parsePingPath(url.pathname, url.searchParams, (key) => receiver.isScopeKey(key));
    if (!parsed.ok) {
      req.resume();
      answer(req, res, parsed.status, parsed.message);
      return;
    }
    void readTruncated(req, maxBodyBytes).then((body) => {
      if (body === undefined) {
        if (!res.headersSent && !res.destroyed) answer(req, res, 400, 'request body was cut off');
        return;
      }
      const userAgent = req.headers['user-agent']?.slice(0, USER_AGENT_MAX);
      const remoteAddress = clientAddress(req, trusted);
      const received: ReceivedPing = {
        key: parsed.key,
        ping: body === '' ? parsed.ping : { ...parsed.ping, body },
        method: method as PingMethod,
        ...(userAgent ? { userAgent } : {}),
        ...(remoteAddress ? { remoteAddress } : {}),
        ...(parsed.create ? { create: parsed.create } : {}),
      };
      let stored: false | Promise<PingOutcome>;
      try {
        stored = receiver.receive(received);
      } catch (error) {
        logger.error({ event: 'ping_failed', error: describeError(error) }, 'a ping could not be taken');
        answer(req, res, 500, 'internal error');
        return;
      }
      if (stored === false) {
        answer(req, res, 404, 'not found');
        return;
      }
      void untilStored(stored, storeWaitMs).then(
        (outcome) => {
          if (res.destroyed || res.headersSent) return;
          if (outcome === undefined) {
            logger.warn({ event: 'ping_not_stored_yet', waitedMs: storeWaitMs }, 'a ping is taken but not stored yet: the store does not answer');
            answer(req, res, 503, 'not stored yet: retry');
          } else if ('message' in outcome) answer(req, res, outcome.status, outcome.message);
          else answer(req, res, outcome.status, outcome.status === 201 ? 'Created' : 'OK');
        },
        (error: unknown) => {
          logger.error({ event: 'ping_failed', error: describeError(error) }, 'a ping could not be stored');
          if (!res.destroyed && !res.headersSent) answer(req, res, 503, 'not stored: retry');
        },
      );
    });
  };
}

/** What `stored` resolves to, or undefined if `ms` pass first; rejects with its error. */
function untilStored<T>(stored: Promise<T>, ms: number): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve(undefined), ms);
    timer.unref();
    stored.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
