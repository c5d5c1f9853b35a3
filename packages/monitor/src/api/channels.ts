/**
 * /api/v1/channels: the notification channels of the configuration — their names and types, never their settings
 * (URLs, keys, passwords) — and a test message through one of them, sent now as `vigil notify test` sends it:
 * 200 with the receiver's status when delivered, 502 `delivery_failed` with the receiver's error (the channel's
 * secrets masked) when not. The send has a deadline: a receiver that never answers is a 502, not a hung request.
 */
import { HttpError, notFound, quote } from '../http/errors.js';
import { json, type Reply } from '../http/json.js';
import { API_PREFIX, type ApiContext, type ApiRouter, route } from './context.js';
import type { ChannelJson, TestDeliveryJson } from './schemas.js';

const COLLECTION = `${API_PREFIX}/channels`;

function listChannels(ctx: ApiContext): Reply {
  const channels: ChannelJson[] = ctx.deps.channels.list().map(({ name, type }) => ({ name, type }));
  return json(200, { channels });
}

async function testChannel(ctx: ApiContext): Promise<Reply> {
  const name = ctx.params.name as string;
  const delivery = await ctx.deps.channels.test(name);
  if (delivery === undefined) throw notFound(`no channel named ${quote(name)}: the channels are listed by GET ${COLLECTION}`);
  if (!delivery.delivered) {
    throw new HttpError(502, 'delivery_failed', `the test message through ${quote(name)} was not delivered: ${delivery.error}`);
  }
  const body: TestDeliveryJson = { delivered: true, status: delivery.status ?? null, duration_ms: delivery.durationMs };
  return json(200, body);
}

export function registerChannelRoutes(router: ApiRouter): void {
  router
    .add('GET', COLLECTION, route('read', listChannels))
    .add('POST', `${COLLECTION}/:name/test`, route('write', testChannel));
}
