/**
 * `http`: one request to a URL, made with node:http / node:https directly (fetch does not expose the phases), on
 * a fresh connection each time so the DNS, connect, TLS, first-byte and transfer timings are real. The status,
 * the body (keyword, regex, conditions), the response time and the certificate are judged; what was observed is
 * returned as facts for the monitor and for conditions.
 *
 * The request, its redirects and its judging are exported for `health` (and the RabbitMQ management API), which
 * read the same exchange differently. The helpers every network probe shares live in `../net/` and
 * `../conditions/apply.ts`.
 */
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import { applyConditions, type Condition, conditionsRead, parseConditions } from '../conditions/index.js';
import { onAbort, since } from '../drivers.js';
import { deadlineBackstop } from '../net/deadline.js';
import { certificateExpiryProblem, earliestCertificateExpiry, validateExpiryThresholds } from '../net/certificate.js';
import { bareHost, timedLookup } from '../net/lookup.js';
import {
  errorMessage,
  type Probe,
  type ProbeContext,
  type ProbeFacts,
  type ProbeResult,
  type ProbeTimings,
  round2,
} from '../probe.js';
import { redactUrl, sanitizeMessage, secretsInUrl } from '../sanitize.js';
import { type Status, worstOf } from '../status.js';

/** An inclusive range of status codes, as the monitor's configuration yields it. */
export interface StatusRange {
  min: number;
  max: number;
}

/** One status (`204`), a class (`'2xx'`), a range (`'200-299'` or `{ min, max }`), or a list of these. */
export type ExpectedStatus = number | string | StatusRange | ReadonlyArray<number | string | StatusRange>;

/** Credentials sent with the request: exactly one of `basic` or `bearer`. */
export interface HttpAuth {
  basic?: { username: string; password: string };
  /** Sent as `Authorization: Bearer <token>`. */
  bearer?: string;
}

/** Certificate checks for https URLs. */
export interface HttpTlsOptions {
  /** Accept invalid, expired or self-signed certificates and a wrong host name. Expiry is still checked. */
  skipVerify?: boolean;
  /** Degraded when the earliest certificate of the chain expires in fewer days than this. Default: not checked. */
  expiryDegradedDays?: number;
  /** Unhealthy when it expires in fewer days than this. Default: not checked (an expired one always is). */
  expiryUnhealthyDays?: number;
  /** Trusted CA certificates (PEM) instead of Node's bundled ones, e.g. for an internal CA. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
}

export interface HttpProbeOptions {
  /** Credentials in the URL (`https://user:pass@host`) are sent as basic auth and redacted everywhere. */
  url: string | URL;
  /** Default `GET`. */
  method?: string;
  headers?: Record<string, string>;
  /** Request body, sent as given (set `content-type` in `headers`). */
  body?: string | Uint8Array;
  auth?: HttpAuth;
  /**
   * Default `'200-399'` (a redirect answers, but is not followed unless `followRedirects` is set) — unless a
   * condition tests `[STATUS]`: then that condition decides, and every status passes this check.
   */
  expectedStatus?: ExpectedStatus;
  /** Follow up to 10 redirects and judge the final response. Default false (the monitor's default is true). */
  followRedirects?: boolean;
  /** Degraded when the whole exchange (headers, and the body when it is read) takes longer than this. */
  degradedAboveMs?: number;
  /**
   * Read at most this many bytes of the body; the rest is not downloaded (the connection is closed) and
   * `facts.bodyTruncated` is set. When unset the body is read (up to {@link DEFAULT_MAX_BODY_BYTES}) only if
   * `keyword`, `regex` or a `[BODY]` condition needs it; otherwise it is not read at all.
   */
  maxBodyBytes?: number;
  /** What a body longer than `maxBodyBytes` means: `truncate` (default: judge its start) or `fail` (unhealthy). */
  bodyTooLarge?: 'truncate' | 'fail';
  /** Healthy only when the body contains this text (or, with `invert`, does not). */
  keyword?: string;
  /** Healthy only when the body matches this regular expression (or, with `invert`, does not). */
  regex?: string | RegExp;
  invert?: boolean;
  /** Gatus conditions that must all hold (`[STATUS] == 200`, `[BODY].status == UP`); a failing one is unhealthy. */
  conditions?: ReadonlyArray<string | Condition>;
  tls?: HttpTlsOptions;
  /** Connect over IPv4 or IPv6 only. Default: whichever the resolver offers (both are tried). */
  ipVersion?: 4 | 6;
  /**
   * Reuse connections between checks (HTTP keep-alive) instead of opening a fresh one each time: about half the
   * CPU per request, at the price of the DNS, connect and TLS timings, which are only measured when a connection is
   * opened. A kept connection the server has meanwhile closed is retried once on a fresh one. Default false.
   */
  keepAlive?: boolean;
}

export interface HttpCheckOptions extends HttpProbeOptions, CheckOptions {}

/** The monitor's default body limit, and the limit when the body is needed but none is given. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
/** Redirects followed at most. */
export const MAX_REDIRECTS = 10;
/** Every status: what is accepted when no range is given and a condition tests `[STATUS]`. */
export const ANY_STATUS: StatusRange = Object.freeze({ min: 100, max: 599 });

const SENSITIVE_HEADER = /authorization|cookie|token|secret|key|password/i;
/** Headers that must not follow a redirect to another origin. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie', 'proxy-authorization'];
const USER_AGENT = 'Vigil health check';

function addTimings(total: ProbeTimings, hop: ProbeTimings): ProbeTimings {
  const out: ProbeTimings = { ...total };
  for (const key of ['dns', 'connect', 'tls', 'firstByte', 'transfer'] as const) {
    const value = hop[key];
    if (value !== undefined) out[key] = round2((out[key] ?? 0) + value);
  }
  return out;
}

// --- Preparing a request ---

function statusMatcher(expected: ExpectedStatus): (status: number) => boolean {
  const items: ReadonlyArray<number | string | StatusRange> =
    typeof expected === 'object' && !Array.isArray(expected)
      ? [expected as StatusRange]
      : typeof expected === 'number' || typeof expected === 'string'
        ? [expected]
        : (expected as ReadonlyArray<number | string | StatusRange>);
  if (items.length === 0) throw new TypeError('http: expectedStatus must not be empty');
  const ranges = items.map((item): [number, number] => {
    if (typeof item === 'object') {
      if (Number.isInteger(item.min) && Number.isInteger(item.max) && item.min <= item.max) return [item.min, item.max];
      throw new TypeError(`http: expectedStatus range ${JSON.stringify(item)} must have whole min <= max`);
    }
    const text = String(item).trim();
    let match = /^([1-5])xx$/i.exec(text);
    if (match) return [Number(match[1]) * 100, Number(match[1]) * 100 + 99];
    match = /^(\d{3})\s*-\s*(\d{3})$/.exec(text);
    if (match && Number(match[1]) <= Number(match[2])) return [Number(match[1]), Number(match[2])];
    if (/^\d{3}$/.test(text)) return [Number(text), Number(text)];
    throw new TypeError(`http: expectedStatus "${text}" is not a status, a class like '2xx' or a range like '200-299'`);
  });
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}

function describeExpected(expected: ExpectedStatus): string {
  const items = Array.isArray(expected) ? (expected as ReadonlyArray<number | string | StatusRange>) : [expected];
  return items
    .map((item) =>
      typeof item === 'object' && item !== null
        ? (item as StatusRange).min === (item as StatusRange).max
          ? String((item as StatusRange).min)
          : `${(item as StatusRange).min}-${(item as StatusRange).max}`
        : String(item),
    )
    .join(', ');
}

interface BodyMatch {
  test(body: string): boolean;
  /** `contain "ok"` / `match /ok/`. */
  what: string;
  invert: boolean;
}

/** Everything decided once, before the first run. */
export interface PreparedHttp {
  /** Without credentials. */
  url: URL;
  /** Where a request for `url` goes (worked out once, not per check). */
  target: RequestTarget;
  /** Safe to show. */
  shownUrl: string;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  accepts: (status: number) => boolean;
  expected: string;
  degradedAboveMs?: number;
  /** Undefined: the body is not read. */
  maxBodyBytes?: number;
  failWhenTruncated: boolean;
  match?: BodyMatch;
  conditions: readonly Condition[];
  followRedirects: boolean;
  tls: HttpTlsOptions;
  family?: 4 | 6;
  keepAlive: boolean;
  secrets: readonly string[];
}

// A prepared probe lives as long as its monitor: one string for a method or a URL written the same way, not a copy
// per monitor (docs/benchmarks.md, issue 16).
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];
const sharedMethod = (method: string): string => METHODS.find((known) => known === method) ?? method;
const sharedText = (text: string, same: string): string => (text === same ? same : text);
const NONE: readonly never[] = Object.freeze([]);
const sharedList = <T>(list: readonly T[]): readonly T[] => (list.length === 0 ? NONE : list);

/** Validates and prepares the options (throws `TypeError` for a mistake); `http` and `health` share it. */
export function prepareHttp(
  options: HttpProbeOptions,
  defaults: { expectedStatus?: ExpectedStatus; readBody?: boolean; accept?: string } = {},
): PreparedHttp {
  const raw = String(options.url);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new TypeError(`http: invalid url "${sanitizeMessage(raw)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`http: url must be http or https, got "${parsed.protocol}"`);
  }
  const method = sharedMethod((options.method ?? 'GET').toUpperCase());
  if (!/^[A-Z]+$/.test(method)) throw new TypeError(`http: invalid method "${method}"`);
  if (options.degradedAboveMs !== undefined && !(options.degradedAboveMs >= 0)) {
    throw new TypeError('http: degradedAboveMs must be zero or more milliseconds');
  }
  if (options.maxBodyBytes !== undefined && !(Number.isInteger(options.maxBodyBytes) && options.maxBodyBytes >= 0)) {
    throw new TypeError('http: maxBodyBytes must be a whole number of bytes, zero or more');
  }
  if (options.keyword !== undefined && options.regex !== undefined) {
    throw new TypeError('http: set keyword or regex, not both');
  }
  if (options.invert && options.keyword === undefined && options.regex === undefined) {
    throw new TypeError('http: invert needs a keyword or a regex');
  }
  const tlsOptions = options.tls ?? {};
  validateExpiryThresholds('http', {
    degradedDays: tlsOptions.expiryDegradedDays,
    unhealthyDays: tlsOptions.expiryUnhealthyDays,
  });
  const conditions = parseConditions(options.conditions);
  // As in Gatus: a condition on [STATUS] says which statuses are fine; the default range would contradict it.
  const expected =
    options.expectedStatus ?? (conditionsRead(conditions, 'STATUS') ? ANY_STATUS : (defaults.expectedStatus ?? '200-399'));
  const accepts = statusMatcher(expected);

  const secrets = secretsInUrl(raw);
  const headers: Record<string, string> = { 'user-agent': USER_AGENT, accept: defaults.accept ?? '*/*' };
  for (const [name, value] of Object.entries(options.headers ?? {})) {
    headers[name.toLowerCase()] = value;
    if (SENSITIVE_HEADER.test(name)) secrets.push(value);
  }
  const setAuthorization = (value: string, secret: string) => {
    if (headers.authorization === undefined) headers.authorization = value;
    secrets.push(secret);
  };
  if (options.auth !== undefined) {
    const { basic, bearer } = options.auth;
    if ((basic === undefined) === (bearer === undefined))
      throw new TypeError('http: auth takes exactly one of basic or bearer');
    if (basic) {
      const encoded = Buffer.from(`${basic.username}:${basic.password}`, 'utf8').toString('base64');
      setAuthorization(`Basic ${encoded}`, encoded);
      secrets.push(basic.password);
    } else if (bearer !== undefined) {
      setAuthorization(`Bearer ${bearer}`, bearer);
    }
  }
  // Credentials in the URL are sent the way a browser would, and never shown.
  if (parsed.username || parsed.password) {
    const encoded = Buffer.from(
      `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`,
      'utf8',
    ).toString('base64');
    setAuthorization(`Basic ${encoded}`, encoded);
    parsed.username = '';
    parsed.password = '';
  }
  const body = options.body === undefined ? undefined : Buffer.from(options.body);

  let match: BodyMatch | undefined;
  if (options.keyword !== undefined) {
    const keyword = options.keyword;
    match = { test: (text) => text.includes(keyword), what: `contain "${shorten(keyword)}"`, invert: !!options.invert };
  } else if (options.regex !== undefined) {
    let regex: RegExp;
    try {
      regex = typeof options.regex === 'string' ? new RegExp(options.regex) : options.regex;
    } catch (error) {
      throw new TypeError(`http: invalid regex: ${errorMessage(error)}`);
    }
    // A global or sticky regex keeps state between tests; a copy without those flags does not.
    const stateless = new RegExp(regex.source, regex.flags.replace(/[gy]/g, ''));
    match = {
      test: (text) => stateless.test(text),
      what: `match /${shorten(regex.source)}/`,
      invert: !!options.invert,
    };
  }
  const needsBody =
    defaults.readBody === true ||
    match !== undefined ||
    conditions.some((c) => c.placeholders.includes('BODY')) ||
    options.maxBodyBytes !== undefined;
  return {
    url: parsed,
    target: requestTarget(parsed),
    shownUrl: sharedText(redactUrl(raw), parsed.href),
    method,
    headers,
    ...(body !== undefined ? { body } : {}),
    accepts,
    expected: describeExpected(expected),
    ...(options.degradedAboveMs !== undefined ? { degradedAboveMs: options.degradedAboveMs } : {}),
    ...(needsBody ? { maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES } : {}),
    failWhenTruncated: options.bodyTooLarge === 'fail',
    ...(match !== undefined ? { match } : {}),
    conditions: sharedList(conditions),
    followRedirects: options.followRedirects ?? false,
    tls: tlsOptions,
    ...(options.ipVersion !== undefined ? { family: options.ipVersion } : {}),
    keepAlive: options.keepAlive === true,
    secrets: sharedList(secrets),
  };
}

function shorten(text: string, max = 100): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

// --- One exchange (with redirects) ---

/** What came back: the final response of the redirect chain. */
export interface HttpExchange {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  /** Undefined when the body was not read. */
  body?: string;
  bodyTruncated: boolean;
  /** Summed over redirects. */
  timings: ProbeTimings;
  ip?: string;
  /** Earliest over every TLS connection of the chain. */
  certificateExpiresAt?: number;
  redirects: number;
  /** The URL of the final response, safe to show. */
  finalUrl: string;
  /** The whole exchange, redirects and body included. */
  latencyMs: number;
}

/** A failed exchange, with what was seen before it failed. */
export class HttpExchangeError extends Error {
  constructor(
    message: string,
    readonly facts: ProbeFacts,
  ) {
    super(message);
    this.name = 'HttpExchangeError';
  }
}

interface Hop {
  statusCode: number;
  headers: http.IncomingHttpHeaders;
  body?: string;
  bodyTruncated: boolean;
  timings: ProbeTimings;
  ip?: string;
  certificateExpiresAt?: number;
}

/** Where a request for a URL goes, as node:http takes it. */
export interface RequestTarget {
  hostname: string;
  port: string | number;
  path: string;
  /** False for an IP address: net never looks one up. */
  lookup: boolean;
}

function requestTarget(url: URL): RequestTarget {
  const hostname = bareHost(url.hostname);
  return {
    hostname,
    port: url.port || (url.protocol === 'https:' ? 443 : 80),
    path: `${url.pathname}${url.search}`,
    lookup: net.isIP(hostname) === 0,
  };
}

interface HopRequest {
  url: URL;
  method: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** Read the body (up to this many bytes) or not. */
  maxBodyBytes?: number;
  /** On a fresh connection even when keep-alive is on (the retry after a kept connection turned out closed). */
  fresh?: boolean;
}

/**
 * How long a kept connection may stay idle before it is closed: below the 5 s after which Node servers (and
 * Apache) close idle connections, so that a kept connection is rarely found closed by the server.
 */
const KEEP_ALIVE_IDLE_MS = 4_000;

let keepAliveAgents: { http: http.Agent; https: https.Agent } | undefined;

/**
 * The agents shared by every probe with `keepAlive` (TLS options are part of an https agent's pool key, so one
 * serves every certificate setting). Most recently used connections first, so that few stay open.
 */
function keepAliveAgent(isHttps: boolean): http.Agent {
  const options = { keepAlive: true, timeout: KEEP_ALIVE_IDLE_MS, scheduling: 'lifo' as const };
  keepAliveAgents ??= { http: new http.Agent(options), https: new https.Agent(options) };
  return isHttps ? keepAliveAgents.https : keepAliveAgents.http;
}

let freshAgents: { http: http.Agent; https: https.Agent } | undefined;

/**
 * The agents of probes without `keepAlive`: a new connection for every request, closed after it (`agent: false`
 * does the same, but builds a whole Agent for every request, a kilobyte of garbage per check). No TLS session is
 * cached: every handshake is a full one, as on a connection of its own.
 */
function freshAgent(isHttps: boolean): http.Agent {
  freshAgents ??= { http: new http.Agent({ keepAlive: false }), https: new https.Agent({ keepAlive: false, maxCachedSessions: 0 }) };
  return isHttps ? freshAgents.https : freshAgents.http;
}

/** Errors that mean a kept connection was closed by the server before (or as) the request was sent. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

class HopError extends Error {
  constructor(
    readonly reason: unknown,
    readonly facts: ProbeFacts,
  ) {
    super(errorMessage(reason));
  }
}

/**
 * One request, on a fresh connection unless keep-alive is on. Resolves with the response (and the body, if
 * asked), rejects with a HopError. The socket is destroyed when the signal aborts, when the deadline passes, when
 * the body limit is reached, and after the response — except, with keep-alive, after a response read to its end,
 * when the connection goes back to the pool. Nothing else outlives the call.
 */
function requestOnce(hop: HopRequest, prepared: PreparedHttp, context: ProbeContext): Promise<Hop> {
  return new Promise<Hop>((resolve, reject) => {
    const start = performance.now();
    const timings: ProbeTimings = {};
    let lookupEnd: number | undefined;
    let connectAt: number | undefined;
    let secureAt: number | undefined;
    let responseAt: number | undefined;
    let ip: string | undefined;
    let certificateExpiresAt: number | undefined;
    const isHttps = hop.url.protocol === 'https:';
    const keepAlive = prepared.keepAlive && hop.fresh !== true;
    let reused = false;
    let response: http.IncomingMessage | undefined;

    const facts = (): ProbeFacts => ({
      ...(response?.statusCode !== undefined ? { statusCode: response.statusCode } : {}),
      connected: connectAt !== undefined || reused,
      timings: { ...timings },
      ...(ip !== undefined ? { ip } : {}),
      ...(certificateExpiresAt !== undefined ? { certificateExpiresAt } : {}),
    });

    // Built property by property (no spreads): this runs for every check, and node:http copies it again.
    // A redirect's URL is worked out here; the prepared URL's was worked out once.
    const target = hop.url === prepared.url ? prepared.target : requestTarget(hop.url);
    const requestOptions: https.RequestOptions = {
      protocol: hop.url.protocol,
      hostname: target.hostname,
      port: target.port,
      path: target.path,
      method: hop.method,
      headers: hop.body !== undefined ? { ...hop.headers, 'content-length': String(hop.body.length) } : hop.headers,
      // By default a fresh connection each time: timings are real, and nothing is kept between runs.
      agent: keepAlive ? keepAliveAgent(isHttps) : freshAgent(isHttps),
    };
    // An IP address is never looked up (net skips the lookup): no timing function to make.
    if (target.lookup) {
      requestOptions.lookup = timedLookup((ms) => {
        lookupEnd = performance.now();
        timings.dns = ms;
      });
    }
    if (prepared.family !== undefined) requestOptions.family = prepared.family;
    if (isHttps) {
      requestOptions.rejectUnauthorized = prepared.tls.skipVerify !== true;
      if (prepared.tls.ca !== undefined) requestOptions.ca = prepared.tls.ca as string | Buffer | Array<string | Buffer>;
    }

    let settled = false;
    let stopListening: () => void = () => {};
    // Armed first, so every way out below can clear it; `fail` is only called from the timer.
    const deadlineTimer = deadlineBackstop(context, (error) => fail(error));
    const req = (isHttps ? https : http).request(requestOptions);

    // Called once: `fail` and `succeed` check `settled` first.
    const cleanup = (keepConnection: boolean) => {
      stopListening();
      clearTimeout(deadlineTimer);
      if (keepConnection) return;
      response?.destroy();
      req.destroy();
    };
    const fail = (error: unknown) => {
      if (settled) return;
      settled = true;
      cleanup(false);
      const code = (error as NodeJS.ErrnoException | undefined)?.code;
      if (reused && response === undefined && !context.signal.aborted && STALE_CONNECTION.has(code ?? '')) {
        // The server closed the kept connection just as it was reused: not the target's fault, try a fresh one.
        requestOnce({ ...hop, fresh: true }, prepared, context).then(resolve, reject);
        return;
      }
      reject(new HopError(error, facts()));
    };
    const succeed = (value: Hop, keepConnection = false) => {
      if (settled) return;
      settled = true;
      cleanup(keepAlive && keepConnection);
      resolve(value);
    };

    stopListening = onAbort(context.signal, () =>
      fail(context.signal.reason instanceof Error ? context.signal.reason : new Error('aborted')),
    );

    req.on('socket', (socket) => {
      if (req.reusedSocket) {
        // A kept connection: already connected (no phase to time), and listeners added to it would pile up.
        reused = true;
        ip = socket.remoteAddress;
        return;
      }
      socket.once('connect', () => {
        connectAt = performance.now();
        timings.connect = round2(connectAt - (lookupEnd ?? start));
        ip = socket.remoteAddress;
      });
      if (isHttps) {
        socket.once('secureConnect', () => {
          secureAt = performance.now();
          if (connectAt !== undefined) timings.tls = round2(secureAt - connectAt);
          certificateExpiresAt = earliestCertificateExpiry((socket as TLSSocket).getPeerCertificate(true));
        });
      }
    });
    req.on('error', fail);
    req.on('response', (res) => {
      response = res;
      responseAt = performance.now();
      if (reused && isHttps) {
        certificateExpiresAt = earliestCertificateExpiry((res.socket as TLSSocket).getPeerCertificate(true));
      }
      const ready = secureAt ?? connectAt ?? start;
      timings.firstByte = round2(responseAt - ready);
      const hopResult = (body?: string, truncated = false): Hop => {
        // `timings` itself, not a copy: nothing changes it once the hop has settled.
        const hopValue: Hop = { statusCode: res.statusCode ?? 0, headers: res.headers, bodyTruncated: truncated, timings };
        if (body !== undefined) hopValue.body = body;
        if (ip !== undefined) hopValue.ip = ip;
        if (certificateExpiresAt !== undefined) hopValue.certificateExpiresAt = certificateExpiresAt;
        return hopValue;
      };
      const status = res.statusCode ?? 0;
      const isRedirect = prepared.followRedirects && status >= 300 && status < 400 && res.headers.location;
      const limit = hop.maxBodyBytes;
      if (hop.method === 'HEAD' && keepAlive && !isRedirect) {
        // No body follows: the connection goes back to the pool once the (empty) response ends.
        res.once('end', () => succeed(hopResult(), true));
        res.once('error', fail);
        res.resume();
        return;
      }
      if (limit === undefined || isRedirect || hop.method === 'HEAD') {
        // The body is not wanted: closing the connection is cheaper than draining it, and never waits.
        succeed(hopResult());
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      const finish = (truncated: boolean) => {
        timings.transfer = round2(performance.now() - (responseAt ?? start));
        // Read to its end, the connection can serve the next check (with keep-alive); cut short, it cannot.
        succeed(hopResult(Buffer.concat(chunks, bytes).toString('utf8'), truncated), !truncated);
      };
      res.on('data', (chunk: Buffer) => {
        if (settled) return;
        const room = limit - bytes;
        if (chunk.length > room) {
          if (room > 0) chunks.push(chunk.subarray(0, room));
          bytes += Math.max(0, room);
          // Stop downloading: the rest of a 1 GB body is never read.
          finish(true);
          return;
        }
        chunks.push(chunk);
        bytes += chunk.length;
      });
      res.on('end', () => finish(false));
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('the connection closed before the body was complete'));
      });
    });
    req.end(hop.body);
  });
}

const REDIRECT_TO_GET = new Set([301, 302, 303]);

/** The request, following redirects when asked to. Rejects with an {@link HttpExchangeError}. */
export async function runHttpExchange(prepared: PreparedHttp, context: ProbeContext): Promise<HttpExchange> {
  const start = performance.now();
  let url = prepared.url;
  let method = prepared.method;
  let headers = prepared.headers;
  let body = prepared.body;
  let timings: ProbeTimings = {};
  let certificateExpiresAt: number | undefined;
  for (let redirects = 0; ; redirects++) {
    let hop: Hop;
    try {
      const request: HopRequest = { url, method, headers };
      if (body !== undefined) request.body = body;
      if (prepared.maxBodyBytes !== undefined) request.maxBodyBytes = prepared.maxBodyBytes;
      hop = await requestOnce(request, prepared, context);
    } catch (error) {
      const hopFacts = error instanceof HopError ? error.facts : {};
      const expiry = minDefined(certificateExpiresAt, hopFacts.certificateExpiresAt);
      const where =
        redirects > 0
          ? ` (after ${redirects} redirect${redirects === 1 ? '' : 's'}, at ${redactUrl(url.toString())})`
          : '';
      throw new HttpExchangeError(
        `${prepared.method} ${prepared.shownUrl} failed${where}: ${errorMessage(error instanceof HopError ? error.reason : error)}`,
        {
          ...hopFacts,
          timings: addTimings(timings, hopFacts.timings ?? {}),
          ...(expiry !== undefined ? { certificateExpiresAt: expiry } : {}),
        },
      );
    }
    // The first hop's timings are the sums so far (each hop's timings are its own object).
    timings = redirects === 0 ? hop.timings : addTimings(timings, hop.timings);
    certificateExpiresAt = minDefined(certificateExpiresAt, hop.certificateExpiresAt);
    const location = hop.headers.location;
    if (!prepared.followRedirects || hop.statusCode < 300 || hop.statusCode >= 400 || !location) {
      const exchange: HttpExchange = {
        statusCode: hop.statusCode,
        headers: hop.headers,
        bodyTruncated: hop.bodyTruncated,
        timings,
        redirects,
        finalUrl: redirects === 0 ? prepared.shownUrl : redactUrl(url.toString()),
        latencyMs: since(start),
      };
      if (hop.body !== undefined) exchange.body = hop.body;
      if (hop.ip !== undefined) exchange.ip = hop.ip;
      if (certificateExpiresAt !== undefined) exchange.certificateExpiresAt = certificateExpiresAt;
      return exchange;
    }
    const facts: ProbeFacts = {
      statusCode: hop.statusCode,
      connected: true,
      timings,
      ...(hop.ip !== undefined ? { ip: hop.ip } : {}),
      ...(certificateExpiresAt !== undefined ? { certificateExpiresAt } : {}),
    };
    if (redirects >= MAX_REDIRECTS) {
      throw new HttpExchangeError(
        `${prepared.method} ${prepared.shownUrl} failed: more than ${MAX_REDIRECTS} redirects`,
        facts,
      );
    }
    let next: URL;
    try {
      next = new URL(location, url);
    } catch {
      throw new HttpExchangeError(`${prepared.method} ${prepared.shownUrl} failed: invalid redirect location`, facts);
    }
    if (next.protocol !== 'http:' && next.protocol !== 'https:') {
      throw new HttpExchangeError(
        `${prepared.method} ${prepared.shownUrl} failed: redirected to a ${next.protocol.replace(/:$/, '')} URL`,
        facts,
      );
    }
    // As browsers do: 303 (and 301/302 after a POST) become a GET without a body.
    if ((hop.statusCode === 303 && method !== 'HEAD') || (REDIRECT_TO_GET.has(hop.statusCode) && method === 'POST')) {
      method = 'GET';
      body = undefined;
      headers = withoutHeaders(headers, ['content-type', 'content-length']);
    }
    // Credentials stay with the origin they were given for.
    if (next.origin !== url.origin) headers = withoutHeaders(headers, CREDENTIAL_HEADERS);
    if (next.username || next.password) {
      next.username = '';
      next.password = '';
    }
    url = next;
  }
}

function withoutHeaders(headers: Record<string, string>, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !names.includes(name)));
}

function minDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

// --- Judging the exchange ---

/** What a caller that understands the body (the `health` probe) adds to the verdict. */
export interface BodyVerdict {
  status: Status;
  /** Why it is not healthy. */
  message?: string;
  /** True when the body was understood, so it explains an unexpected status code (a 503 with reasons). */
  explainsStatus: boolean;
  details?: Record<string, unknown>;
  components?: Record<string, Status>;
}

interface Problem {
  status: Exclude<Status, 'healthy'>;
  message: string;
}

/** The verdict on an exchange: status, body, certificate, response time, then conditions. */
export function judgeHttpExchange(
  prepared: PreparedHttp,
  ex: HttpExchange,
  verdict?: BodyVerdict,
  now: number = Date.now(),
): ProbeResult {
  const problems: Problem[] = [];
  // Property by property, not spreads: this runs for every check.
  const facts: ProbeFacts = { statusCode: ex.statusCode, timings: ex.timings, connected: true };
  if (ex.ip !== undefined) facts.ip = ex.ip;
  if (ex.body !== undefined) {
    facts.body = ex.body;
    facts.bodyTruncated = ex.bodyTruncated;
  }
  if (ex.certificateExpiresAt !== undefined) facts.certificateExpiresAt = ex.certificateExpiresAt;
  if (verdict?.components !== undefined) facts.components = verdict.components;
  const target = `${prepared.method} ${prepared.shownUrl}`;

  const statusAccepted = prepared.accepts(ex.statusCode);
  // A health endpoint's 503 with a body that names what failed: the body is the better explanation.
  const explained = verdict !== undefined && verdict.explainsStatus && verdict.status !== 'healthy';
  if (!statusAccepted) {
    problems.push({
      status: 'unhealthy',
      message:
        explained && verdict.message !== undefined
          ? `${verdict.message} (status ${ex.statusCode})`
          : `${target} returned status ${ex.statusCode} (expected ${prepared.expected})`,
    });
  }
  if (verdict !== undefined && verdict.status !== 'healthy' && !(explained && !statusAccepted)) {
    problems.push({ status: verdict.status, message: verdict.message ?? `the endpoint reports ${verdict.status}` });
  }
  if (ex.bodyTruncated && prepared.failWhenTruncated) {
    problems.push({ status: 'unhealthy', message: `the body is larger than ${prepared.maxBodyBytes} bytes` });
  }
  if (prepared.match && ex.body !== undefined) {
    const found = prepared.match.test(ex.body);
    if (found === prepared.match.invert) {
      const within = ex.bodyTruncated ? ` (in its first ${prepared.maxBodyBytes} bytes)` : '';
      problems.push({
        status: 'unhealthy',
        message: `the body ${found ? 'does' : 'does not'} ${prepared.match.what}${within}`,
      });
    }
  }
  if (ex.certificateExpiresAt !== undefined) {
    const problem = certificateExpiryProblem(
      ex.certificateExpiresAt,
      { degradedDays: prepared.tls.expiryDegradedDays, unhealthyDays: prepared.tls.expiryUnhealthyDays },
      now,
    );
    if (problem) problems.push(problem);
  }
  if (prepared.degradedAboveMs !== undefined && ex.latencyMs > prepared.degradedAboveMs) {
    problems.push({
      status: 'degraded',
      message: `${target} took ${ex.latencyMs} ms (above ${prepared.degradedAboveMs} ms)`,
    });
  }

  let status: Status = 'healthy';
  for (const problem of problems) status = worstOf(status, problem.status);
  const details: Record<string, unknown> = {
    status_code: ex.statusCode,
    url: prepared.shownUrl,
    latency_ms: ex.latencyMs,
  };
  if (ex.redirects > 0) {
    details.redirects = ex.redirects;
    details.final_url = ex.finalUrl;
  }
  if (ex.certificateExpiresAt !== undefined) {
    details.certificate_expires_at = new Date(ex.certificateExpiresAt).toISOString();
  }
  if (verdict?.details !== undefined) Object.assign(details, verdict.details);
  const result: ProbeResult = {
    status,
    details,
    measurements: [{ measurement: 'responseTime', value: ex.latencyMs, unit: 'ms' }],
    facts,
  };
  if (problems.length > 0) {
    // Unhealthy problems first, then degraded ones.
    const ordered = [
      ...problems.filter((p) => p.status === 'unhealthy'),
      ...problems.filter((p) => p.status === 'degraded'),
    ];
    if (ordered.length > 0) result.error = ordered.map((p) => p.message).join('; ');
  }
  return applyConditions(result, prepared.conditions, ex.latencyMs, now);
}

/** The result of a failed exchange: unhealthy, with what was seen (conditions still recorded). */
export function httpFailureResult(
  prepared: PreparedHttp,
  error: unknown,
  durationMs: number,
  now: number = Date.now(),
): ProbeResult {
  const facts = error instanceof HttpExchangeError ? error.facts : { connected: false };
  const message =
    error instanceof HttpExchangeError
      ? error.message
      : `${prepared.method} ${prepared.shownUrl} failed: ${errorMessage(error)}`;
  return applyConditions(
    { status: 'unhealthy', details: { url: prepared.shownUrl }, error: message, facts },
    prepared.conditions,
    durationMs,
    now,
  );
}

/** Runs a prepared request (see `prepareHttp`) and judges it; for callers that prepare once and run often. */
export function runHttpProbe(prepared: PreparedHttp, context: ProbeContext): Promise<ProbeResult> {
  const start = performance.now();
  const now = context.now ?? Date.now;
  // `then`, not `async`/`await`: one promise fewer for every check.
  return runHttpExchange(prepared, context).then(
    (exchange) => {
      try {
        return judgeHttpExchange(prepared, exchange, undefined, now());
      } catch (error) {
        return httpFailureResult(prepared, error, since(start), now());
      }
    },
    (error: unknown) => httpFailureResult(prepared, error, since(start), now()),
  );
}

/** A request to a URL, judged on its status, body, certificate, response time and conditions. */
export const httpProbe: Probe<HttpProbeOptions> = (options, context) => runHttpProbe(prepareHttp(options), context);

/** An HTTP dependency answers with an expected status. */
export function httpCheck(options: HttpCheckOptions): Check {
  const prepared = prepareHttp(options);
  return defineCheck(
    { kind: 'http', componentType: 'component' },
    options,
    (context) => runHttpProbe(prepared, context),
    prepared.secrets,
  );
}
