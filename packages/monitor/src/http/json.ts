/**
 * JSON responses. Every answer of the API, errors included, is `application/json` with `nosniff` and a
 * restrictive CSP, so no text from a request can ever be rendered as HTML by a browser.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';

/** What a route handler returns; the dispatcher adds CORS and the common headers. */
export interface Reply {
  status: number;
  /** Serialised as JSON; absent for 204 and for HEAD requests. */
  body?: unknown;
  headers?: Readonly<Record<string, string>>;
  /** A streamed answer (server-sent events): called with the response once the headers are written. */
  stream?: (res: ServerResponse) => void;
}

export const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const COMMON_HEADERS: Readonly<Record<string, string>> = {
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};

const UNSAFE = /[<>&\u2028\u2029]/g;

/**
 * `JSON.stringify` with `<`, `>`, `&`, U+2028 and U+2029 written as `\uXXXX` escapes: the same JSON value,
 * but inert if a response is ever embedded in HTML or sniffed as a script.
 */
export function serializeJson(value: unknown): string {
  return JSON.stringify(value).replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function json(status: number, body: unknown, headers?: Readonly<Record<string, string>>): Reply {
  return headers ? { status, body, headers } : { status, body };
}

export function noContent(headers?: Readonly<Record<string, string>>): Reply {
  return headers ? { status: 204, headers } : { status: 204 };
}

/** The `{ "error": { "code", "message" } }` body of an HttpError (with `issues` for field problems). */
export function errorReply(error: HttpError): Reply {
  const body = {
    error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
  };
  return { status: error.status, body, headers: error.headers };
}

export const internalErrorReply = (): Reply =>
  errorReply(new HttpError(500, 'internal_error', 'internal error: the server logged the details'));

/** Writes a reply; HEAD requests get the headers only. */
export function writeReply(
  req: IncomingMessage,
  res: ServerResponse,
  reply: Reply,
  extraHeaders: Readonly<Record<string, string>> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const headers: Record<string, string | number> = { ...COMMON_HEADERS, ...extraHeaders, ...reply.headers };
  if (reply.stream !== undefined) {
    res.writeHead(reply.status, headers);
    if (req.method === 'HEAD') res.end();
    else reply.stream(res);
    return;
  }
  let payload: Buffer | undefined;
  if (reply.body !== undefined && reply.status !== 204 && reply.status !== 304) {
    payload = Buffer.from(serializeJson(reply.body), 'utf8');
    headers['Content-Type'] = JSON_CONTENT_TYPE;
    headers['Content-Length'] = payload.length;
  }
  res.writeHead(reply.status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
}
