/**
 * `pagerduty`: PagerDuty Events API v2. An alert's trigger and its reminders are `trigger` events with the alert's
 * key as `dedup_key` (PagerDuty adds a reminder to the open incident rather than opening another); its resolve is
 * a `resolve` event with the same key. A test (`vigil notify test`) opens an incident of severity `info`, its
 * summary saying it is a test, and resolves it at once: the whole path is exercised (the on-call person is
 * notified as for a real incident of that urgency) and nothing is left open. 202 is delivered; 400 (an invalid
 * event or routing key) is permanent; 429 and 5xx are transient.
 */
import { z } from 'zod';
import { secret, text, urlWith } from '../../config/fields.js';
import { type HttpSend, sendHttp } from '../http.js';
import type { Notification, NotifierType, SendOutcome } from '../notifier.js';
import { message, truncate } from './shared.js';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';

export const pagerdutySettings = z
  .strictObject({
    type: z.literal('pagerduty').describe('PagerDuty, through the Events API v2.'),
    routing_key: secret(text()).describe(
      'The integration key of an "Events API v2" integration of a service, or of an event orchestration (a secret).',
    ),
    url: urlWith(['https:', 'http:'])
      .default(PAGERDUTY_EVENTS_URL)
      .describe('The Events API endpoint (a proxy, or a test double).'),
  })
  .describe('PagerDuty incidents, opened by triggers and resolved by resolves.');

export type PagerdutySettings = z.output<typeof pagerdutySettings>;

/** The affected system, as PagerDuty's `source` wants it: the target's host, else the target, else the monitor. */
function source(notification: Notification): string {
  const target = notification.monitor.target;
  if (target === undefined || target === '') return notification.monitor.id;
  try {
    const host = new URL(target).host;
    if (host) return host;
  } catch {
    // not a URL: the target as it is
  }
  return target;
}

/** The `trigger` event of a notification (trigger, reminder, test). */
export function pagerdutyTrigger(notification: Notification, routingKey: string) {
  const words = message(notification);
  const firstCause = words.cause.split('\n')[0] ?? '';
  const summary = `[${words.headline}] ${words.sentence}${firstCause ? `: ${firstCause}` : ''}`;
  return {
    routing_key: routingKey,
    event_action: 'trigger' as const,
    dedup_key: notification.alertKey,
    payload: {
      summary: truncate(summary, 1024),
      source: truncate(source(notification), 255),
      severity: notification.severity,
      timestamp: new Date(notification.at).toISOString(),
      component: notification.monitor.id,
      ...(notification.monitor.group === undefined ? {} : { group: notification.monitor.group }),
      class: notification.monitor.type,
      custom_details: {
        monitor: notification.monitor.name,
        monitor_id: notification.monitor.id,
        type: notification.monitor.type,
        location: notification.location,
        state: notification.state,
        ...(notification.monitor.target === undefined ? {} : { target: notification.monitor.target }),
        ...(words.cause ? { cause: words.cause } : {}),
        ...(notification.since === undefined ? {} : { down_since: new Date(notification.since).toISOString() }),
        ...(notification.url === undefined ? {} : { url: notification.url }),
      },
    },
    client: 'Vigil',
    ...(notification.url === undefined ? {} : { client_url: notification.url, links: [{ href: notification.url, text: 'Open in Vigil' }] }),
  };
}

/** The `resolve` event of an alert. */
export function pagerdutyResolve(notification: Notification, routingKey: string) {
  return { routing_key: routingKey, event_action: 'resolve' as const, dedup_key: notification.alertKey };
}

export const pagerduty: NotifierType<PagerdutySettings> = {
  type: 'pagerduty',
  settings: pagerdutySettings,
  create: (config) => {
    const post = (notification: Notification, body: unknown, signal: AbortSignal, key = notification.idempotencyKey) => {
      const request: HttpSend = {
        url: config.url,
        headers: { 'idempotency-key': key },
        body,
        signal,
        secrets: [config.routing_key],
      };
      return sendHttp(request);
    };
    return {
      send: async (notification, { signal }): Promise<SendOutcome> => {
        if (notification.kind === 'resolve') return post(notification, pagerdutyResolve(notification, config.routing_key), signal);
        const opened = await post(notification, pagerdutyTrigger(notification, config.routing_key), signal);
        if (notification.kind !== 'test' || opened.outcome !== 'delivered') return opened;
        const resolved = await post(
          notification,
          pagerdutyResolve(notification, config.routing_key),
          signal,
          `${notification.idempotencyKey}/resolve`,
        );
        if (resolved.outcome === 'delivered') {
          return { ...opened, response: `test incident opened and resolved (dedup_key ${notification.alertKey})` };
        }
        return {
          ...opened,
          response: `test incident opened, but resolving it failed (resolve it in PagerDuty, dedup_key ${notification.alertKey}): ${resolved.error}`,
        };
      },
    };
  },
};
