/**
 * The events feed over HTTP, for token holders: `GET /api/v1/events?after=<cursor>` pages through the state
 * changes (oldest first), and `GET /api/v1/events/stream` sends them as server-sent events as they are committed,
 * resuming after `Last-Event-ID` (or `?after=`) — from the first kept with `after=0`, from now without either.
 */
import type { ServerResponse } from 'node:http';
import { sanitizeMessage } from '@vigil/core';
import { badRequest, quote } from '../http/errors.js';
import { EVENT_STREAM_HEADERS, startEventStream } from '../http/event-stream.js';
import { json, type Reply, serializeJson } from '../http/json.js';
import type { StateChangeEvent } from '../model.js';
import { API_PREFIX, type ApiContext, type ApiRouter, intParam, isoTime, route, singleParam } from './context.js';
import type { StateChangeEventJson } from './schemas.js';

export const EVENTS_DEFAULT_LIMIT = 100;
export const EVENTS_MAX_LIMIT = 1000;
export { STREAM_KEEPALIVE_MS } from '../http/event-stream.js';

export function eventJson(event: StateChangeEvent): StateChangeEventJson {
  return {
    id: event.id,
    monitor: event.monitorId,
    location: event.location,
    seq: event.seq,
    from: event.from,
    to: event.to,
    at: new Date(event.at).toISOString(),
    reason: event.reason === undefined ? null : sanitizeMessage(event.reason),
    result_at: isoTime(event.resultAt),
    incident: event.incidentId ?? null,
  };
}

/** A cursor: a whole number, 0 or more. */
function cursor(raw: string | undefined, name: string): number | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = /^\d{1,15}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isSafeInteger(value)) throw badRequest(`${name} must be an event id (a whole number), not ${quote(raw, 30)}`);
  return value;
}

async function listEvents(ctx: ApiContext): Promise<Reply> {
  const after = cursor(singleParam(ctx.query, 'after'), 'after') ?? 0;
  const limit = intParam(ctx.query, 'limit', { default: EVENTS_DEFAULT_LIMIT, min: 1, max: EVENTS_MAX_LIMIT });
  const monitor = singleParam(ctx.query, 'monitor');
  const events = await ctx.deps.store.events({ after, limit, ...(monitor ? { monitorId: monitor } : {}) });
  return json(200, { events: events.map(eventJson), next: events.at(-1)?.id ?? after });
}

function streamEvents(ctx: ApiContext): Reply {
  const header = ctx.req.headers['last-event-id'];
  const resumeFrom = cursor(typeof header === 'string' ? header : undefined, 'Last-Event-ID');
  const after = resumeFrom ?? cursor(singleParam(ctx.query, 'after'), 'after') ?? ctx.deps.feed.head;
  return {
    status: 200,
    headers: { ...EVENT_STREAM_HEADERS },
    stream: (res) => follow(res, ctx, after),
  };
}

function follow(res: ServerResponse, ctx: ApiContext, after: number): void {
  startEventStream(res, 2000, `following state changes after ${after}`);
  const subscription = ctx.deps.feed.subscribe(
    after,
    (events) => {
      if (res.destroyed) return;
      res.write(events.map((event) => `id: ${event.id}\nevent: state-change\ndata: ${serializeJson(eventJson(event))}\n\n`).join(''));
    },
    () => res.end(),
  );
  res.on('close', () => subscription.close());
}

export function registerEventRoutes(router: ApiRouter): void {
  router
    .add('GET', `${API_PREFIX}/events`, route('read', listEvents))
    .add('GET', `${API_PREFIX}/events/stream`, route('read', streamEvents));
}
