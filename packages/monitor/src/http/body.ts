/**
 * Request bodies: JSON only, UTF-8 only, bounded in size. The checks run before anything is parsed: a wrong
 * media type is 415, a body over the limit is 413 (from Content-Length when declared, else while streaming).
 */
import type { IncomingMessage } from 'node:http';
import { badRequest, HttpError, quote } from './errors.js';

export const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Deeper JSON is refused: every walk of the value (validation, redaction) would overflow the stack. */
export const MAX_JSON_DEPTH = 64;

/** `Connection: close` on a refused upload: the rest of it is not read, so the connection cannot be reused. */
const CLOSE = { Connection: 'close' } as const;

function tooLarge(limit: number): HttpError {
  return new HttpError(413, 'payload_too_large', `request body is larger than the limit of ${limit} bytes`, CLOSE);
}

/** Throws 415 unless the body is declared as `application/json` (charset, if any, utf-8) and not compressed. */
export function checkJsonContentType(req: IncomingMessage): void {
  const header = req.headers['content-type'];
  const [mediaType = '', ...params] = (header ?? '').split(';').map((part) => part.trim());
  if (mediaType.toLowerCase() !== 'application/json') {
    throw new HttpError(
      415,
      'unsupported_media_type',
      header === undefined
        ? 'request body must be JSON: send Content-Type: application/json'
        : `request body must be JSON: send Content-Type: application/json, not ${quote(header)}`,
    );
  }
  for (const param of params) {
    const [name = '', value = ''] = param.split('=').map((part) => part.trim().toLowerCase());
    if (name === 'charset' && value.replace(/^"|"$/g, '') !== 'utf-8') {
      throw new HttpError(415, 'unsupported_media_type', 'request body must be UTF-8 (charset=utf-8)');
    }
  }
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.trim().toLowerCase() !== 'identity') {
    throw new HttpError(415, 'unsupported_media_type', 'compressed request bodies are not supported');
  }
}

/** Throws 413 when Content-Length already says the body is over the limit. */
export function checkDeclaredLength(req: IncomingMessage, limit: number): void {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) throw tooLarge(limit);
}

/** Reads the raw body, at most `limit` bytes; beyond that, stops reading and throws 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  checkDeclaredLength(req, limit);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) {
        // Keep draining (and discarding) so the 413 can be written; the connection closes after it.
        req.resume();
        reject(error);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) finish(tooLarge(limit));
      else chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (error: Error) => finish(badRequest(`request body could not be read: ${error.message}`));
    const onAborted = () => finish(badRequest('request body was cut off'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** The nesting depth of a parsed JSON value, without recursion; stops counting past `max`. */
export function jsonDepth(value: unknown, max = MAX_JSON_DEPTH): number {
  let deepest = 0;
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [item, depth] = stack.pop() as [unknown, number];
    if (typeof item !== 'object' || item === null) continue;
    deepest = Math.max(deepest, depth);
    if (deepest > max) return deepest;
    for (const child of Array.isArray(item) ? item : Object.values(item)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/**
 * The body as JSON: 415 for another media type, 413 over the limit, 400 for an empty body, invalid UTF-8,
 * invalid JSON or JSON nested deeper than 64 levels. The parser's own message is not returned: it quotes the input, which may hold a secret.
 */
export async function readJsonBody(req: IncomingMessage, limit = DEFAULT_BODY_LIMIT): Promise<unknown> {
  checkJsonContentType(req);
  const raw = await readBody(req, limit);
  let text: string;
  try {
    text = decoder.decode(raw);
  } catch {
    throw badRequest('request body is not valid UTF-8');
  }
  if (text.trim() === '') throw badRequest('request body is empty: send a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (error) {
    const position = /position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
    throw badRequest(`request body is not valid JSON${position === undefined ? '' : ` (at character ${position})`}`);
  }
  if (jsonDepth(value) > MAX_JSON_DEPTH) {
    throw badRequest(`request body is nested too deeply (more than ${MAX_JSON_DEPTH} levels)`);
  }
  return value;
}
