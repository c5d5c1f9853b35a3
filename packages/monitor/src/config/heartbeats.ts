/**
 * The `heartbeats` section: ping keys for slug URLs (`/ping/<ping-key>/<slug>`, one key for the configuration and
 * one per group if wanted) and auto-provisioning (`?create=1`), as Healthchecks.io's projects have them.
 */
import { z } from 'zod';
import { monitorAlerts } from './alert-rules.js';
import { duration } from './duration.js';
import { secret, text } from './fields.js';
import { heartbeatSchedule, heartbeatSlug } from './monitors/heartbeat.js';

const pingKey = () =>
  secret(z.string().regex(/^[A-Za-z0-9_-]{16,128}$/, { error: 'expected 16 to 128 letters, digits, "-" or "_"' }));

const autoCreate = z
  .strictObject({
    limit: z
      .int({ error: 'expected a whole number' })
      .min(1, { error: 'must be at least 1' })
      .default(100)
      .describe('The most heartbeats this key may have (configured ones included): a ping that would create more is refused with 403.'),
    schedule: heartbeatSchedule
      .prefault({ period: '1d' })
      .describe('The schedule of a heartbeat created by a ping. Default: `{ period: 1d, grace: 1h }`.'),
    max_runtime: duration({ allowZero: false }).optional().describe('`max_runtime` of a created heartbeat.'),
    alerts: monitorAlerts,
    tags: z.array(text()).default([]).describe('Tags of a created heartbeat, e.g. `[auto]`.'),
  })
  .describe(
    'Create a heartbeat on the first ping to an unknown slug with `?create=1` (answered 201), with these settings; stored like one created through the API. Unset: `?create=1` creates nothing.',
  );

const scope = {
  create: autoCreate.optional(),
};

export const heartbeatsSection = z
  .strictObject({
    ping_key: pingKey()
      .optional()
      .describe(
        'Enables slug URLs: `/ping/<ping_key>/<slug>` pings the heartbeat with that `slug` (heartbeats of a group with its own key answer under that key instead). A secret: at least 16 characters, e.g. from `openssl rand -hex 16`, or `${ENV}`.',
      ),
    ...scope,
    groups: z
      .record(
        text(),
        z
          .strictObject({
            ping_key: pingKey().describe("The key of this group's slug URLs."),
            ...scope,
          })
          .describe('A key of its own for the heartbeats whose `group` is this name.'),
      )
      .default({})
      .describe('Ping keys per group (by `group` name): a team can be given its own key. A heartbeat created under a group key gets that group.'),
  })
  .prefault({})
  .describe('Slug ping URLs and heartbeats created by their first ping (docs/heartbeats.md).');

export type HeartbeatsConfig = z.output<typeof heartbeatsSection>;
export type AutoCreateConfig = z.output<typeof autoCreate>;

/** One key of slug URLs and what it may create. `group` is unset for the top-level key. */
export interface PingScope {
  key: string;
  group?: string;
  create?: AutoCreateConfig;
}

/** The keys of slug URLs, top-level first. */
export function pingScopes(config: HeartbeatsConfig): PingScope[] {
  const scopes: PingScope[] = [];
  if (config.ping_key !== undefined) scopes.push({ key: config.ping_key, ...(config.create ? { create: config.create } : {}) });
  for (const [group, settings] of Object.entries(config.groups)) {
    scopes.push({ key: settings.ping_key, group, ...(settings.create ? { create: settings.create } : {}) });
  }
  return scopes;
}

/** The key a heartbeat's slug URL uses: its group's, else the top-level one; undefined when neither is set. */
export function scopeKeyOf(config: HeartbeatsConfig, group: string | undefined): string | undefined {
  if (group !== undefined) {
    const own = config.groups[group]?.ping_key;
    if (own !== undefined) return own;
  }
  return config.ping_key;
}

/** `<scope key>/<slug>`: what a heartbeat's slug URL holds after `/ping/`; undefined when slug URLs are off for it. */
export function slugKeyOf(config: HeartbeatsConfig, monitor: { name: string; group?: string | undefined; slug?: string | undefined }): string | undefined {
  const scope = scopeKeyOf(config, monitor.group);
  return scope === undefined ? undefined : `${scope}/${heartbeatSlug(monitor)}`;
}
