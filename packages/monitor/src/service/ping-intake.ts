/**
 * The service's side of the ping endpoint: finds the heartbeat a ping names (by key or by slug), applies its
 * filters, creates it on a first `?create=1` ping, logs every ping (the last 100 per heartbeat, with its method,
 * user agent, address and body) and hands what counts to the heartbeat's owner.
 */
import { sanitizeMessage } from '@vigil/core';
import type { AlertRuleInput } from '../config/alert-rules.js';
import { formatDuration } from '../config/duration.js';
import { type AutoCreateConfig, pingScopes, type PingScope } from '../config/heartbeats.js';
import { slugify } from '../config/monitors/base.js';
import type { VigilConfig } from '../config/schema.js';
import { decidePing } from '../heartbeat/ping-filter.js';
import type { PingOutcome, PingReceiver, ReceivedPing } from '../heartbeat/ping-handler.js';
import type { HeartbeatPing, HeartbeatTracker } from '../heartbeat/tracker.js';
import { describeError, type Logger } from '../log/logger.js';
import { MonitorError } from '../registry/errors.js';
import type { Actor, PingRecord, Store } from '../store/store.js';

/** Pings kept per heartbeat in its log. */
export const PINGS_KEPT = 100;

/** Who creates a heartbeat on its first ping, in the audit log. */
const PING_ACTOR: Actor = { name: 'ping' };

export interface PingIntakeDeps {
  heartbeats: Pick<HeartbeatTracker, 'configOf'>;
  store: Pick<Store, 'recordPing'>;
  config: () => VigilConfig;
  now: () => number;
  /** Takes a ping that counts: here when this instance owns the heartbeat, else through the others' inbox. */
  take: (monitorId: string, key: string, ping: HeartbeatPing) => false | Promise<void>;
  /** Creates an API monitor (as `POST /api/v1/monitors` does). */
  create: (definition: Record<string, unknown>, actor: Actor) => Promise<unknown>;
  /** Heartbeats answering under a key of slug URLs. */
  heartbeatsUnder: (scopeKey: string) => number;
  logger: Logger;
}

export function createPingIntake(deps: PingIntakeDeps): PingReceiver {
  let scopesOf: VigilConfig | undefined;
  let scopes = new Map<string, PingScope>();
  const scopeMap = (): Map<string, PingScope> => {
    const config = deps.config();
    if (config !== scopesOf) {
      scopesOf = config;
      scopes = new Map(pingScopes(config.heartbeats).map((scope) => [scope.key, scope]));
    }
    return scopes;
  };
  /** First pings to a slug being created, so that two at once create it once. */
  const creating = new Map<string, Promise<PingOutcome | undefined>>();

  const log = (record: PingRecord): Promise<void> =>
    deps.store.recordPing(record, PINGS_KEPT).then(
      () => undefined,
      (error: unknown) => {
        // The ping's effect matters more than its log line: a log that cannot be written is reported, not fatal.
        deps.logger.error({ event: 'ping_log_failed', monitorId: record.monitorId, error: describeError(error) }, 'a ping could not be logged');
      },
    );

  const take = (received: ReceivedPing, created: boolean): false | Promise<PingOutcome> => {
    const config = deps.heartbeats.configOf(received.key);
    if (config === undefined) return false;
    const at = deps.now();
    const decision = config.paused ? { ignored: 'paused in its configuration' } : decidePing(config, received.ping, received.method);
    const { ping } = received;
    const record: PingRecord = {
      monitorId: config.id,
      at,
      kind: 'ignored' in decision ? 'ignored' : kindOf(decision.ping),
      method: received.method,
      ...(ping.exitStatus === undefined ? {} : { exitStatus: ping.exitStatus }),
      ...(ping.rid === undefined ? {} : { rid: ping.rid }),
      ...('ignored' in decision ? { note: decision.ignored } : decision.ping.reason ? { note: decision.ping.reason } : {}),
      ...(received.userAgent === undefined ? {} : { userAgent: received.userAgent }),
      ...(received.remoteAddress === undefined ? {} : { remoteAddress: received.remoteAddress }),
      ...(ping.body === undefined || ping.body === '' ? {} : { body: sanitizeMessage(ping.body) }),
    };
    const logged = log(record);
    const status = created ? 201 : 200;
    if ('ignored' in decision) return logged.then(() => ({ status }));
    const taken = deps.take(config.id, received.key, decision.ping);
    if (taken === false) return logged.then(() => ({ status }));
    return Promise.all([taken, logged]).then(() => ({ status }));
  };

  const create = async (received: ReceivedPing, scope: PingScope, settings: AutoCreateConfig): Promise<PingOutcome | undefined> => {
    const slug = received.create?.slug ?? '';
    // Asked again since: another ping may have created it meanwhile.
    if (deps.heartbeats.configOf(received.key) !== undefined) return undefined;
    if (deps.heartbeatsUnder(scope.key) >= settings.limit) {
      const where = scope.group === undefined ? 'heartbeats.create.limit' : `heartbeats.groups.${scope.group}.create.limit`;
      return { status: 403, message: `limit reached: this key has ${settings.limit} heartbeats, the most ${where} allows` };
    }
    try {
      await deps.create(definitionFor(slug, scope, settings), PING_ACTOR);
    } catch (error) {
      if (error instanceof MonitorError && (error.code === 'conflict' || error.code === 'invalid')) {
        return { status: 409, message: `cannot create "${slug}": ${error.message}` };
      }
      throw error;
    }
    deps.logger.info({ event: 'heartbeat_created', slug, group: scope.group }, 'a heartbeat was created by its first ping');
    return undefined;
  };

  const takeCreated = (received: ReceivedPing, created: boolean): Promise<PingOutcome> => {
    const taken = take(received, created);
    if (taken === false) throw new Error(`heartbeat ${received.create?.slug ?? ''} was created but the tracker does not know it`);
    return taken;
  };

  return {
    isScopeKey: (key) => scopeMap().has(key),
    receive: (received) => {
      const known = take(received, false);
      if (known !== false || received.create === undefined) return known;
      const scope = scopeMap().get(received.create.scopeKey);
      const settings = scope?.create;
      if (scope === undefined || settings === undefined) return false;
      let pending = creating.get(received.key);
      if (pending === undefined) {
        pending = create(received, scope, settings).finally(() => creating.delete(received.key));
        creating.set(received.key, pending);
        return pending.then((refused) => refused ?? takeCreated(received, true));
      }
      // Another first ping is creating it: this one counts once it exists.
      return pending.then((refused) => refused ?? takeCreated(received, false));
    },
  };
}

function kindOf(ping: HeartbeatPing): PingRecord['kind'] {
  if (ping.action === 'success' && ping.exitStatus !== undefined && ping.exitStatus !== 0) return 'fail';
  return ping.action;
}

/** A heartbeat definition as the API takes it (durations as text): named by its slug, in the key's group. */
function definitionFor(slug: string, scope: PingScope, settings: AutoCreateConfig): Record<string, unknown> {
  const schedule = settings.schedule;
  return {
    type: 'heartbeat',
    name: slug,
    id: slugify(slug),
    slug,
    ...(scope.group === undefined ? {} : { group: scope.group }),
    ...(settings.tags.length > 0 ? { tags: settings.tags } : {}),
    schedule: {
      ...(schedule.period === undefined ? {} : { period: formatDuration(schedule.period) }),
      ...(schedule.cron === undefined ? {} : { cron: schedule.cron }),
      ...(schedule.timezone === undefined ? {} : { timezone: schedule.timezone }),
      grace: formatDuration(schedule.grace),
    },
    ...(settings.max_runtime === undefined ? {} : { max_runtime: formatDuration(settings.max_runtime) }),
    ...(settings.alerts === undefined ? {} : { alerts: alertsDefinition(settings.alerts) }),
  };
}

function alertsDefinition(alerts: false | AlertRuleInput): false | Record<string, unknown> {
  if (alerts === false) return false;
  const { remind_every, escalate_after, ...rest } = alerts;
  return {
    ...rest,
    ...(remind_every === undefined ? {} : { remind_every: formatDuration(remind_every) }),
    ...(escalate_after === undefined ? {} : { escalate_after: formatDuration(escalate_after) }),
  };
}
