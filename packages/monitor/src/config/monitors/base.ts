/**
 * Fields every monitor has, and the fields of monitors that actively probe a target on an interval.
 * A monitor type is one file in this folder that spreads these into a strict object; `index.ts` lists the types.
 */
import { z } from 'zod';
import { monitorAlerts } from '../alert-rules.js';
import { condition, PLACEHOLDERS_FILLED, type ProbingTypeName } from '../conditions.js';
import { duration } from '../duration.js';
import { locationName, text } from '../fields.js';

export const ID_PATTERN = /^[a-z0-9_-]+$/;
const ID_MAX = 64;

/** The `type` field of a monitor type: the discriminator, with the type's description. */
export function monitorType<const T extends string>(type: T, description: string) {
  return z.literal(type).describe(description);
}

/** Fields of every monitor type. */
export const commonFields = {
  name: text()
    .max(200, { error: 'must be at most 200 characters' })
    .describe('Name shown on the status page and in alerts. Unique across all configuration files.'),
  id: z
    .string()
    .regex(ID_PATTERN, { error: 'expected lowercase letters, digits, "-" and "_" only' })
    .max(ID_MAX, { error: `must be at most ${ID_MAX} characters` })
    .optional()
    .describe(
      'Stable identifier used in URLs, the API and stored results (`[a-z0-9_-]`). Default: derived from `name` ("Shop API" → `shop-api`). Set it to rename a monitor without losing its history.',
    ),
  public: z.boolean().default(false).describe('Shown to anonymous visitors of the status page and the API.'),
  group: text().optional().describe('Group on the status page, e.g. "Shop" or "Databases".'),
  tags: z.array(text()).default([]).describe('Free-form labels for filtering in the API and dashboard.'),
  description: z.string().optional().describe('A sentence for the status page and alert messages.'),
  paused: z.boolean().default(false).describe('Loaded but not checked (state `paused`, never counted as downtime).'),
  alerts: monitorAlerts,
  depends_on: z
    .array(text())
    .optional()
    .describe(
      "Monitors this one depends on, by id (a database, a network path). While one of them is down, this monitor's new alerts are held back (its resolves are not); a cycle is refused.",
    ),
};

/** Fields of monitors that probe a target on an interval (all but heartbeats); conditions as `type` fills them. */
export function probeFields(type: ProbingTypeName) {
  return {
    interval: duration({ min: 1000 })
      .optional()
      .describe('Time between checks (at least 1s). Default: `defaults.interval`.'),
    timeout: duration({ allowZero: false })
      .optional()
      .describe('Time one check may take before it fails; must be shorter than `interval`. Default: `defaults.timeout`.'),
    retries: z
      .int({ error: 'expected a whole number' })
      .min(0, { error: 'must be zero or more' })
      .optional()
      .describe(
        'Failed checks in a row before the monitor goes down; until then its state is `pending`. Default: `defaults.retries`.',
      ),
    locations: z
      .array(locationName())
      .min(1, { error: 'must list at least one location' })
      .refine((names) => new Set(names).size === names.length, { error: 'lists a location twice' })
      .optional()
      .describe(
        'Where it is checked from: the server\'s own `location` and agents\' (`vigil agent --location NAME`, docs/agents.md), e.g. `[local, eu-west]`. A list without the server\'s location is checked by agents only. Default: the server\'s `location` only.',
      ),
    quorum: z
      .int({ error: 'expected a whole number' })
      .min(1, { error: 'must be at least 1' })
      .optional()
      .describe(
        'With several `locations`: how many must find the monitor down for it to be down (and alert). When fewer do, it is degraded, naming them. Default: a majority (2 of 2 or 3, 3 of 4 or 5).',
      ),
    conditions: z
      .array(condition(type))
      .default([])
      .describe(
        `Gatus-style conditions that must all hold, e.g. \`[STATUS] == 200\`, \`[BODY].status == UP\`, \`[RESPONSE_TIME] < 300\`. Checked when the configuration loads; a ${type} monitor fills ${PLACEHOLDERS_FILLED[type].map((p) => `\`[${p}]\``).join(', ')}.`,
      ),
  };
}

/** The id derived from a name: lowercase ASCII, runs of other characters become `-`. Empty when nothing is left. */
export function slugify(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, ID_MAX)
    .replace(/-+$/, '');
}
