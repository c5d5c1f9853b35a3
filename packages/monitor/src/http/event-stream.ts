/**
 * Server-sent event streams (the API's events feed, a status page's live updates): the headers, and what every
 * stream does once they are sent — it outlives the server's request timeout, says how soon to reconnect, and sends
 * a comment line every 15 s so that proxies do not close it while idle.
 */
import type { ServerResponse } from 'node:http';

export const EVENT_STREAM_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  'x-accel-buffering': 'no',
};

export const STREAM_KEEPALIVE_MS = 15_000;

/** After the headers: the reconnect delay (and a first comment, when given), then the keep-alive until it closes. */
export function startEventStream(res: ServerResponse, retryMs: number, comment?: string): void {
  res.socket?.setTimeout(0);
  res.write(`retry: ${retryMs}\n${comment === undefined ? '' : `: ${comment}\n`}\n`);
  const keepalive = setInterval(() => res.write(': keep-alive\n\n'), STREAM_KEEPALIVE_MS);
  keepalive.unref();
  res.on('close', () => clearInterval(keepalive));
}
