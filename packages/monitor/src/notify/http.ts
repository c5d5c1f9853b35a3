/**
 * Sending to an HTTP receiver, as most notifiers do: a request within the caller's signal, and the answer judged
 * the same way for all — 2xx delivered; 408, 425, 429 and 5xx (or no answer) transient, with `Retry-After`
 * honoured; any other 4xx permanent (the settings are wrong: retrying will not help). Errors name the status and
 * the start of the receiver's answer, never the URL (a webhook URL is a secret).
 */
import { sanitizeMessage } from '@vigil/core';
import type { SendOutcome } from './notifier.js';

/** How much of a receiver's answer is kept (shown by `vigil notify test` and in the delivery's record). */
export const RESPONSE_KEPT = 500;

const TRANSIENT_STATUS = new Set([408, 425, 429]);

export interface HttpSend {
  url: string;
  method?: 'POST' | 'PUT';
  headers?: Record<string, string>;
  /** A string is sent as it is; anything else as JSON. */
  body: unknown;
  signal: AbortSignal;
  /** Values that must never appear in an error (tokens in headers, in the body). */
  secrets?: readonly (string | undefined)[];
}

/** Seconds or an HTTP date, as milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now = Date.now()): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const seconds = Number(header.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

function shown(text: string, secrets: readonly (string | undefined)[]): string {
  const trimmed = text.length > RESPONSE_KEPT ? `${text.slice(0, RESPONSE_KEPT)}…` : text;
  // eslint-disable-next-line no-control-regex -- control characters of an answer never reach a log line as they are
  return sanitizeMessage(trimmed, secrets).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** The network error's code (ECONNREFUSED, ENOTFOUND…) or its cause, without the URL. */
function networkError(error: unknown, signal: AbortSignal, secrets: readonly (string | undefined)[]): string {
  if (signal.aborted) return 'no answer within the time allowed';
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `could not reach the receiver (${cause.code})`;
  if (cause?.message) return `could not reach the receiver (${shown(cause.message, secrets)})`;
  return 'could not reach the receiver';
}

export async function sendHttp(request: HttpSend): Promise<SendOutcome> {
  const secrets = [request.url, ...(request.secrets ?? [])];
  const body = typeof request.body === 'string' ? request.body : JSON.stringify(request.body);
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method ?? 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'vigil-notifier',
        ...request.headers,
      },
      body,
      signal: request.signal,
      redirect: 'error',
    });
  } catch (error) {
    return { outcome: 'transient', error: networkError(error, request.signal, secrets) };
  }
  let text = '';
  try {
    text = await response.text();
  } catch (error) {
    if (response.ok) return { outcome: 'delivered', status: response.status };
    return { outcome: 'transient', error: networkError(error, request.signal, secrets), status: response.status };
  }
  const answer = shown(text, secrets);
  if (response.ok) return { outcome: 'delivered', status: response.status, ...(answer ? { response: answer } : {}) };
  const error = `the receiver answered HTTP ${response.status}${answer ? `: ${answer}` : ''}`;
  if (response.status >= 500 || TRANSIENT_STATUS.has(response.status)) {
    const wait = retryAfterMs(response.headers.get('retry-after'));
    return { outcome: 'transient', error, status: response.status, ...(wait === undefined ? {} : { retryAfterMs: wait }) };
  }
  return { outcome: 'permanent', error, status: response.status };
}
