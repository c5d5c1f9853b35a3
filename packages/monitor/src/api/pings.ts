/**
 * A heartbeat's ping log (`/api/v1/monitors/:id/pings`): the last pings as received, newest first, with their method,
 * user agent, address and body. For token holders only: addresses and job output are not for a public page.
 */
import { sanitizeMessage } from '@vigil/core';
import { json, type Reply } from '../http/json.js';
import { MonitorError } from '../registry/errors.js';
import { PINGS_KEPT } from '../service/ping-intake.js';
import type { StoredPing } from '../store/store.js';
import { API_PREFIX, type ApiContext, type ApiRouter, findMonitor, intParam, route } from './context.js';
import type { PingJson } from './schemas.js';

export const PINGS_DEFAULT_LIMIT = PINGS_KEPT;

export function pingJson(ping: StoredPing): PingJson {
  return {
    id: ping.id,
    at: new Date(ping.at).toISOString(),
    kind: ping.kind,
    exit_status: ping.exitStatus ?? null,
    rid: ping.rid ?? null,
    method: ping.method,
    note: ping.note ?? null,
    user_agent: ping.userAgent ?? null,
    remote_address: ping.remoteAddress ?? null,
    // Stored masked already; masked again in case the rules learnt something since.
    body: ping.body === undefined ? null : sanitizeMessage(ping.body),
  };
}

async function listPings(ctx: ApiContext): Promise<Reply> {
  const monitor = findMonitor(ctx, ctx.params.id as string);
  if (monitor.type !== 'heartbeat') {
    throw new MonitorError('not_found', `monitor "${monitor.id}" is not a heartbeat: only heartbeats are pinged`);
  }
  const limit = intParam(ctx.query, 'limit', { default: PINGS_DEFAULT_LIMIT, min: 1, max: PINGS_KEPT });
  const before = ctx.query.has('before') ? intParam(ctx.query, 'before', { default: 0, min: 1, max: Number.MAX_SAFE_INTEGER }) : undefined;
  const pings = await ctx.deps.store.recentPings(monitor.id, limit, before);
  return json(200, { monitor: monitor.id, pings: pings.map(pingJson) });
}

export function registerPingRoutes(router: ApiRouter): void {
  router.add('GET', `${API_PREFIX}/monitors/:id/pings`, route('read', listPings));
}
