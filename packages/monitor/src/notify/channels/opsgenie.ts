/**
 * `opsgenie`: Opsgenie's Alert API. A trigger or a reminder creates an alert with the alert's key as `alias`
 * (Opsgenie counts a repeat against the open alert instead of opening another); a resolve closes it by alias.
 * Priority by severity: critical P1, warning P3, info P5. A test creates a P5 alert that says it is a test and
 * closes it at once. Opsgenie takes requests asynchronously: 202 is delivered (to Opsgenie); 422 and other 4xx
 * are permanent, 429 and 5xx transient.
 */
import { z } from 'zod';
import { secret, text, urlWith } from '../../config/fields.js';
import { sendHttp } from '../http.js';
import type { Notification, NotifierType, SendOutcome, Severity } from '../notifier.js';
import { joinUrl, message, truncate } from './shared.js';

export const OPSGENIE_PRIORITIES: Record<Severity, 'P1' | 'P3' | 'P5'> = { critical: 'P1', warning: 'P3', info: 'P5' };

export const opsgenieSettings = z
  .strictObject({
    type: z.literal('opsgenie').describe('Opsgenie, through the Alert API.'),
    api_key: secret(text()).describe('The key of an API integration (a secret); sent as `Authorization: GenieKey <key>`.'),
    url: urlWith(['https:', 'http:'])
      .default('https://api.opsgenie.com')
      .describe('The API server: `https://api.opsgenie.com`, or `https://api.eu.opsgenie.com` for an EU account.'),
    tags: z
      .array(text().max(50, { error: 'must be at most 50 characters' }))
      .default([])
      .describe('Tags added to every alert, besides `vigil` and the severity.'),
  })
  .describe('Opsgenie alerts, created by triggers and closed by resolves.');

export type OpsgenieSettings = z.output<typeof opsgenieSettings>;

/** The body that creates (or repeats) the alert. */
export function opsgenieAlert(notification: Notification, extraTags: readonly string[] = []) {
  const words = message(notification);
  const description = [words.sentence, '', ...words.facts.map(([label, value]) => `${label}: ${value}`)];
  if (words.cause) description.push('', 'Cause:', words.cause);
  if (notification.url) description.push('', notification.url);
  const details: Record<string, string> = {
    monitor: notification.monitor.name,
    monitor_id: notification.monitor.id,
    type: notification.monitor.type,
    location: notification.location,
    state: notification.state,
  };
  if (notification.monitor.group !== undefined) details.group = notification.monitor.group;
  if (notification.monitor.target !== undefined) details.target = notification.monitor.target;
  if (notification.since !== undefined) details.down_since = new Date(notification.since).toISOString();
  if (notification.url !== undefined) details.url = notification.url;
  const tags = [...new Set(['vigil', notification.severity, ...(notification.kind === 'test' ? ['test'] : []), ...extraTags])];
  return {
    message: truncate(`[${words.headline}] ${words.sentence}`, 130),
    alias: truncate(notification.alertKey, 512),
    description: truncate(description.join('\n'), 15_000),
    priority: OPSGENIE_PRIORITIES[notification.severity],
    tags: tags.slice(0, 20),
    entity: truncate(notification.monitor.name, 512),
    source: 'Vigil',
    details,
  };
}

/** Where to close an alert by alias. */
export function opsgenieCloseUrl(base: string, alias: string): string {
  return joinUrl(base, `v2/alerts/${encodeURIComponent(truncate(alias, 512))}/close?identifierType=alias`);
}

export const opsgenie: NotifierType<OpsgenieSettings> = {
  type: 'opsgenie',
  settings: opsgenieSettings,
  create: (config) => {
    const headers = (key: string) => ({ authorization: `GenieKey ${config.api_key}`, 'idempotency-key': key });
    const create = (notification: Notification, signal: AbortSignal) =>
      sendHttp({
        url: joinUrl(config.url, 'v2/alerts'),
        headers: headers(notification.idempotencyKey),
        body: opsgenieAlert(notification, config.tags),
        signal,
        secrets: [config.api_key],
      });
    const close = (notification: Notification, signal: AbortSignal, key: string) =>
      sendHttp({
        url: opsgenieCloseUrl(config.url, notification.alertKey),
        headers: headers(key),
        body: { source: 'Vigil', note: message(notification).sentence },
        signal,
        secrets: [config.api_key],
      });
    return {
      send: async (notification, { signal }): Promise<SendOutcome> => {
        if (notification.kind === 'resolve') return close(notification, signal, notification.idempotencyKey);
        const created = await create(notification, signal);
        if (notification.kind !== 'test' || created.outcome !== 'delivered') return created;
        const closed = await close(notification, signal, `${notification.idempotencyKey}/close`);
        if (closed.outcome === 'delivered') return { ...created, response: `test alert created and closed (alias ${notification.alertKey})` };
        return {
          ...created,
          response: `test alert created, but closing it failed (close it in Opsgenie, alias ${notification.alertKey}): ${closed.error}`,
        };
      },
    };
  },
};
