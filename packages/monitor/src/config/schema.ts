/**
 * The one schema of a Vigil configuration: validates a merged configuration, fills in defaults, derives monitor
 * ids and resolves per-monitor intervals, timeouts and retries. The JSON Schema and docs/config.md are generated
 * from it. Monitor types live in `monitors/`, one file each.
 */
import { join } from 'node:path';
import { z } from 'zod';
import { alertsSection } from './alerts.js';
import { maintenanceSection } from './maintenance.js';
import { duration, formatDuration } from './duration.js';
import { hasScheme, host, isAddressOrRange, locationName, origin, port, secret, text, urlWith } from './fields.js';
import { heartbeatsSection } from './heartbeats.js';
import { slugify } from './monitors/base.js';
import { heartbeatPingId, heartbeatSlug } from './monitors/heartbeat.js';
import { monitorSchema, PROBING_TYPES } from './monitors/index.js';
import { statusIncidentsSection, statusPagesSection } from './status-pages.js';

export const STORAGE_EXPECTED =
  'expected "sqlite", a postgres:// URL, or a mapping like { type: sqlite, path: ./data/vigil.db }';

const server = z
  .strictObject({
    host: host().default('127.0.0.1').describe('Address the HTTP server listens on (`0.0.0.0` for every interface).'),
    port: port().default(3939).describe('Port of the HTTP server (API, status page, pings, /metrics).'),
    data: text().default('./data').describe('Directory for the SQLite database and other state.'),
    public_url: urlWith(['http:', 'https:'])
      .optional()
      .describe('The URL people reach this server at, used in links in alerts and ping instructions.'),
    ping_body_limit: z
      .int({ error: 'expected a whole number of bytes' })
      .min(0, { error: 'must be zero or more' })
      .max(10_000_000, { error: 'must be at most 10000000 (10 MB)' })
      .default(100_000)
      .describe(
        "Bytes of a heartbeat ping's body kept (the job's output; the rest is read and dropped). Every ping answer says it in the `Ping-Body-Limit` header, as Healthchecks.io's does.",
      ),
    trusted_proxies: z
      .array(z.string().refine(isAddressOrRange, { error: 'expected an IP address or a CIDR range like "10.0.0.0/8"' }))
      .default([])
      .describe(
        'Reverse proxies (IP addresses or CIDR ranges) whose `X-Forwarded-For` header names the client: the address kept with each heartbeat ping. From anyone else the header is ignored. Default: none.',
      ),
  })
  .prefault({})
  .describe('The HTTP server of `vigil serve`.');

const location = locationName()
  .default('local')
  .describe(
    'Where this instance checks from, stored with every result, state and state change (`local` by default). Agents (`vigil agent --location NAME`, docs/agents.md) check from other places: a monitor says where with `locations`.',
  );

const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'];

const sqliteStorage = z.strictObject({
  type: z.literal('sqlite').describe('Embedded SQLite (WAL), the default.'),
  path: text().optional().describe('Database file. Default: `<server.data>/vigil.db`.'),
});

const postgresStorage = z.strictObject({
  type: z.literal('postgres').describe('PostgreSQL, for larger installations and several instances.'),
  url: secret(urlWith(POSTGRES_SCHEMES)).describe('Connection URL, e.g. `postgres://vigil@db:5432/vigil`.'),
});

export type StorageConfig = { type: 'sqlite'; path: string } | { type: 'postgres'; url: string };

// One string schema (not a union of `sqlite` and a URL) so that a wrong string gets the message that lists
// every accepted form; the JSON Schema still shows both forms.
const storageString = z
  .string()
  .refine((value) => value === 'sqlite' || hasScheme(value, POSTGRES_SCHEMES), { error: STORAGE_EXPECTED })
  .meta({ anyOf: [{ const: 'sqlite' }, { pattern: '^(postgres|postgresql)://' }] });

const storage = z
  .union([storageString, z.discriminatedUnion('type', [sqliteStorage, postgresStorage])], { error: STORAGE_EXPECTED })
  .transform((value) =>
    value === 'sqlite'
      ? { type: 'sqlite' as const, path: undefined }
      : typeof value === 'string'
        ? { type: 'postgres' as const, url: value }
        : value,
  )
  .prefault('sqlite')
  .describe(
    'Where results are stored: `sqlite` (default, `<server.data>/vigil.db`), a `postgres://` URL, or `{ type: sqlite, path }` / `{ type: postgres, url }`.',
  );

const retention = z
  .strictObject({
    raw: duration({ min: 3_600_000 }).prefault('7d').describe('How long every single result is kept.'),
    hourly: duration({ min: 3_600_000 }).prefault('90d').describe('How long hourly rollups are kept.'),
    daily: duration({ min: 3_600_000 }).prefault('730d').describe('How long daily rollups are kept.'),
  })
  .superRefine((value, ctx) => {
    if (value.hourly < value.raw) {
      ctx.addIssue({
        code: 'custom',
        path: ['hourly'],
        message: `must not be shorter than raw (${formatDuration(value.raw)})`,
      });
    }
    if (value.daily < value.hourly) {
      ctx.addIssue({
        code: 'custom',
        path: ['daily'],
        message: `must not be shorter than hourly (${formatDuration(value.hourly)})`,
      });
    }
  })
  .prefault({})
  .describe('How long results and rollups are kept (uptime bars need 90 days of hourly and daily data).');

const api = z
  .strictObject({
    cors: z
      .strictObject({
        origins: z
          .array(origin())
          .default([])
          .describe('Origins allowed to call the API from a browser, e.g. a status page on another host; `*` for any.'),
      })
      .prefault({})
      .describe('Cross-origin requests.'),
  })
  .prefault({})
  .describe('The REST API under /api/v1.');

const metrics = z
  .strictObject({
    public: z
      .enum(['public-monitors', 'all'])
      .default('public-monitors')
      .describe(
        'What an anonymous scrape of `/metrics` shows of the monitors: the public ones (`public-monitors`), or every one (`all`, for a Prometheus on a private network that cannot send a token). A scrape with an API token shows every monitor.',
      ),
  })
  .prefault({})
  .describe('The `/metrics` endpoint of `vigil serve`.');

const cluster = z
  .strictObject({
    lease: duration({ min: 1000 })
      .prefault('15s')
      .describe(
        'How long an instance keeps a monitor without renewing its lease. When an instance stops answering, its monitors are checked by the others within this plus their interval (at once when its process died: PostgreSQL sees its connection close). Renewed every third of it.',
      ),
  })
  .prefault({})
  .describe('Several `vigil serve` instances on one PostgreSQL divide the monitors between them (docs/scaling.md). Read at start.');

const scheduler = z
  .strictObject({
    concurrency: z
      .int({ error: 'expected a whole number' })
      .min(1, { error: 'must be at least 1' })
      .default(256)
      .describe('Checks running at once, in total.'),
    per_host_concurrency: z
      .int({ error: 'expected a whole number' })
      .min(1, { error: 'must be at least 1' })
      .default(16)
      .describe('Checks running at once against one host.'),
    coalesce: duration()
      .refine((ms) => ms <= 1000 && Number.isInteger(ms), { error: 'must be a whole number of milliseconds, at most 1s' })
      .prefault('100ms')
      .describe(
        'Wake on a grid of this period and start every check due by then together (each up to this much after its slot): fewer wake-ups of the process for many monitors, at the cost of that lateness. `0s` wakes at each due time. docs/benchmarks.md measures it. Read at start.',
      ),
  })
  .prefault({})
  .describe('Limits of the scheduler.');

const defaults = z
  .strictObject({
    interval: duration({ min: 1000 }).prefault('60s').describe('Time between checks of a monitor (at least 1s).'),
    timeout: duration({ allowZero: false })
      .prefault('10s')
      .describe('Time one check may take; shorter than the interval.'),
    retries: z
      .int({ error: 'expected a whole number' })
      .min(0, { error: 'must be zero or more' })
      .default(0)
      .describe('Failed checks in a row before a monitor goes down.'),
  })
  .prefault({})
  .describe('Values for monitors that do not set their own.');

export const sections = {
  server,
  location,
  storage,
  retention,
  api,
  metrics,
  scheduler,
  cluster,
  defaults,
  heartbeats: heartbeatsSection,
  alerts: alertsSection,
  maintenance: maintenanceSection,
  status_pages: statusPagesSection,
  status_incidents: statusIncidentsSection,
};

type ParsedMonitor = z.output<typeof monitorSchema>;
type ResolveMonitor<M> = 'interval' extends keyof M
  ? Omit<M, 'id' | 'interval' | 'timeout' | 'retries'> & {
      id: string;
      interval: number;
      timeout: number;
      retries: number;
    }
  : Omit<M, 'id'> & { id: string };

/** One monitor after loading: defaults applied, `id` set, durations in milliseconds. */
export type MonitorConfig = ParsedMonitor extends infer M ? (M extends unknown ? ResolveMonitor<M> : never) : never;
export type MonitorOfType<T extends MonitorConfig['type']> = Extract<MonitorConfig, { type: T }>;

/** A loaded configuration: every default filled in, every duration in milliseconds. */
export interface VigilConfig {
  server: z.output<typeof server>;
  location: string;
  storage: StorageConfig;
  retention: z.output<typeof retention>;
  api: z.output<typeof api>;
  metrics: z.output<typeof metrics>;
  scheduler: z.output<typeof scheduler>;
  cluster: z.output<typeof cluster>;
  heartbeats: z.output<typeof heartbeatsSection>;
  defaults: z.output<typeof defaults>;
  alerts: z.output<typeof alertsSection>;
  maintenance: z.output<typeof maintenanceSection>;
  status_pages: z.output<typeof statusPagesSection>;
  status_incidents: z.output<typeof statusIncidentsSection>;
  monitors: MonitorConfig[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const ms = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

/**
 * Checks across monitors and sections. It runs even when other parts are invalid, so it reads the value
 * defensively: a field that failed is still raw input here.
 */
function crossCheck(value: unknown, ctx: z.RefinementCtx): void {
  if (!isRecord(value)) return;
  const defaultValues = isRecord(value.defaults) ? value.defaults : {};
  const defaultInterval = ms(defaultValues.interval);
  const defaultTimeout = ms(defaultValues.timeout);
  const defaultsClash =
    defaultInterval !== undefined && defaultTimeout !== undefined && defaultTimeout >= defaultInterval;
  if (defaultsClash) {
    ctx.addIssue({
      code: 'custom',
      path: ['defaults', 'timeout'],
      message: `must be shorter than defaults.interval (${formatDuration(defaultInterval)})`,
    });
  }
  checkChannelNames(value, ctx);
  checkDependencies(value, ctx);
  checkStatusPageMonitors(value, ctx);
  checkPingScopes(value, ctx);
  const monitors = Array.isArray(value.monitors) ? value.monitors : [];
  const ids = new Map<string, number>();
  const pingIds = new Map<string, { index: number; keyed: boolean }>();
  monitors.forEach((monitor: unknown, index) => {
    if (!isRecord(monitor)) return;
    const at = (...rest: string[]) => ['monitors', index, ...rest];
    if (typeof monitor.quorum === 'number') {
      const count = Array.isArray(monitor.locations) ? monitor.locations.length : 1;
      if (monitor.quorum > count) {
        ctx.addIssue({
          code: 'custom',
          path: at('quorum'),
          message: `is ${monitor.quorum}, more than the ${count} location${count === 1 ? '' : 's'} it is checked from: at most ${count}`,
        });
      }
    }
    const given = typeof monitor.id === 'string' ? monitor.id : undefined;
    const id = given ?? (typeof monitor.name === 'string' ? slugify(monitor.name) : undefined);
    if (id === '') {
      ctx.addIssue({
        code: 'custom',
        path: at('name'),
        message: 'no id can be derived from this name (it has no letters or digits): set id',
      });
    } else if (id !== undefined) {
      const first = ids.get(id);
      if (first === undefined) ids.set(id, index);
      else {
        ctx.addIssue({
          code: 'custom',
          path: at(given === undefined ? 'name' : 'id'),
          message:
            given === undefined
              ? `derives the id "${id}", already used by monitors[${first}] ({related}): set a distinct id`
              : `id "${id}" is already used by monitors[${first}] ({related})`,
          params: { related: ['monitors', first] },
        });
      }
    }
    if (typeof monitor.type === 'string' && PROBING_TYPES.has(monitor.type)) {
      const interval = ms(monitor.interval) ?? defaultInterval;
      const timeout = ms(monitor.timeout) ?? defaultTimeout;
      if (interval !== undefined && timeout !== undefined && timeout >= interval) {
        if (monitor.timeout !== undefined) {
          const from = monitor.interval === undefined ? ' (defaults.interval)' : '';
          ctx.addIssue({
            code: 'custom',
            path: at('timeout'),
            message: `must be shorter than the interval, ${formatDuration(interval)}${from}`,
          });
        } else if (monitor.interval !== undefined) {
          ctx.addIssue({
            code: 'custom',
            path: at('interval'),
            message: `must be longer than the timeout, ${formatDuration(timeout)} (defaults.timeout): set a shorter timeout on this monitor`,
          });
        }
      }
    }
    if (monitor.type === 'heartbeat' && id) {
      const pingKey = typeof monitor.ping_key === 'string' ? monitor.ping_key : undefined;
      const pingId = heartbeatPingId({ id, ping_key: pingKey });
      const first = pingIds.get(pingId);
      if (first === undefined) pingIds.set(pingId, { index, keyed: pingKey !== undefined });
      else if (pingKey !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: at('ping_key'),
          message: `is already the ping id of monitors[${first.index}] ({related})`,
          params: { related: ['monitors', first.index] },
        });
      } else if (first.keyed) {
        // Two monitors without a key and the same id are a duplicate id, reported as such; this is a key taken.
        ctx.addIssue({
          code: 'custom',
          path: at(monitor.id === undefined ? 'name' : 'id'),
          message: `gives this monitor's ping id, which is already the ping_key of monitors[${first.index}] ({related}): set a ping_key on this monitor`,
          params: { related: ['monitors', first.index] },
        });
      }
    }
  });
}

/** `depends_on` names monitors of the configuration, and never leads back to the monitor itself. */
function checkDependencies(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const monitors = Array.isArray(value.monitors) ? value.monitors : [];
  const idOf = (monitor: unknown): string | undefined => {
    if (!isRecord(monitor)) return undefined;
    if (typeof monitor.id === 'string') return monitor.id;
    return typeof monitor.name === 'string' ? slugify(monitor.name) : undefined;
  };
  const ids = monitors.map(idOf);
  const edges = new Map<string, string[]>();
  monitors.forEach((monitor: unknown, index) => {
    const id = ids[index];
    if (!isRecord(monitor) || id === undefined || !Array.isArray(monitor.depends_on)) return;
    const parents: string[] = [];
    monitor.depends_on.forEach((parent: unknown, at) => {
      if (typeof parent !== 'string') return;
      if (parent === id) {
        ctx.addIssue({ code: 'custom', path: ['monitors', index, 'depends_on', at], message: 'a monitor cannot depend on itself' });
      } else if (!ids.includes(parent)) {
        ctx.addIssue({ code: 'custom', path: ['monitors', index, 'depends_on', at], message: `no monitor with id "${parent}" in the configuration` });
      } else parents.push(parent);
    });
    edges.set(id, parents);
  });
  // A cycle is reported once, at the first monitor of it in the file.
  const reported = new Set<string>();
  monitors.forEach((_monitor: unknown, index) => {
    const id = ids[index];
    if (id === undefined || reported.has(id)) return;
    const cycle = findCycle(id, edges);
    if (cycle === undefined) return;
    for (const member of cycle) reported.add(member);
    ctx.addIssue({ code: 'custom', path: ['monitors', index, 'depends_on'], message: `a cycle of dependencies: ${[...cycle, cycle[0]].join(' → ')}` });
  });
}

/** A cycle through `start` in the dependency graph, as the monitors in it, or undefined. */
function findCycle(start: string, edges: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const path: string[] = [];
  const seen = new Set<string>();
  const visit = (id: string): string[] | undefined => {
    if (id === start && path.length > 0) return [...path];
    if (seen.has(id)) return undefined;
    seen.add(id);
    path.push(id);
    for (const parent of edges.get(id) ?? []) {
      const found = visit(parent);
      if (found) return found;
    }
    path.pop();
    return undefined;
  };
  return visit(start);
}

/** A status page section names monitors of the configuration, and public ones (others would never be shown). */
/**
 * Slug URLs: a key that creates has a key, the keys are distinct (from each other and from heartbeats' own keys),
 * and no two heartbeats answer the same slug under one key.
 */
function checkPingScopes(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const section = isRecord(value.heartbeats) ? value.heartbeats : {};
  const topKey = typeof section.ping_key === 'string' ? section.ping_key : undefined;
  if (section.create !== undefined && topKey === undefined) {
    ctx.addIssue({ code: 'custom', path: ['heartbeats', 'create'], message: 'needs heartbeats.ping_key: heartbeats are created through /ping/<ping_key>/<slug>?create=1' });
  }
  const keys = new Map<string, Array<string | number>>();
  if (topKey !== undefined) keys.set(topKey, ['heartbeats', 'ping_key']);
  const groups = isRecord(section.groups) ? section.groups : {};
  const groupKeys = new Map<string, string>();
  for (const [group, settings] of Object.entries(groups)) {
    if (!isRecord(settings) || typeof settings.ping_key !== 'string') continue;
    const path = ['heartbeats', 'groups', group, 'ping_key'];
    const first = keys.get(settings.ping_key);
    if (first !== undefined) {
      ctx.addIssue({ code: 'custom', path, message: `is the same key as ${first.join('.')}: each key must be distinct` });
    } else keys.set(settings.ping_key, path);
    groupKeys.set(group, settings.ping_key);
  }
  const monitors = Array.isArray(value.monitors) ? value.monitors : [];
  const slugs = new Map<string, number>();
  monitors.forEach((monitor: unknown, index) => {
    if (!isRecord(monitor) || monitor.type !== 'heartbeat' || typeof monitor.name !== 'string') return;
    if (typeof monitor.ping_key === 'string' && keys.has(monitor.ping_key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['monitors', index, 'ping_key'],
        message: `is the same key as ${keys.get(monitor.ping_key)?.join('.')}: a heartbeat's own key must differ from the keys of slug URLs`,
      });
    }
    const group = typeof monitor.group === 'string' ? monitor.group : undefined;
    const scope = (group === undefined ? undefined : groupKeys.get(group)) ?? topKey;
    if (scope === undefined) return;
    const slug = heartbeatSlug({ name: monitor.name, slug: typeof monitor.slug === 'string' ? monitor.slug : undefined });
    const where = `${scope}/${slug}`;
    const first = slugs.get(where);
    if (first === undefined) slugs.set(where, index);
    else {
      ctx.addIssue({
        code: 'custom',
        path: ['monitors', index, monitor.slug === undefined ? 'name' : 'slug'],
        message: `gives the slug "${slug}", already the slug of monitors[${first}] ({related}) under the same ping key: set a distinct slug`,
        params: { related: ['monitors', first] },
      });
    }
  });
}

function checkStatusPageMonitors(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const monitors = (Array.isArray(value.monitors) ? value.monitors : []).filter(isRecord);
  const byId = new Map(monitors.map((monitor) => [typeof monitor.id === 'string' ? monitor.id : typeof monitor.name === 'string' ? slugify(monitor.name) : '', monitor]));
  const pages = Array.isArray(value.status_pages) ? value.status_pages : [];
  pages.forEach((page: unknown, pageIndex) => {
    if (!isRecord(page) || !Array.isArray(page.sections)) return;
    page.sections.forEach((section: unknown, sectionIndex) => {
      if (!isRecord(section) || !Array.isArray(section.monitors)) return;
      section.monitors.forEach((id: unknown, at) => {
        if (typeof id !== 'string') return;
        const path = ['status_pages', pageIndex, 'sections', sectionIndex, 'monitors', at];
        const monitor = byId.get(id);
        if (monitor === undefined) ctx.addIssue({ code: 'custom', path, message: `no monitor with id "${id}" in the configuration` });
        else if (monitor.public !== true) ctx.addIssue({ code: 'custom', path, message: `monitor "${id}" is not public: set public: true on it to show it on a status page` });
      });
    });
  });
}

/** Every channel a route or a rule names must be one of `alerts.channels`. */
function checkChannelNames(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const alerts = isRecord(value.alerts) ? value.alerts : {};
  const channels = isRecord(alerts.channels) ? Object.keys(alerts.channels) : [];
  const known = channels.length === 0 ? 'none is defined in alerts.channels' : `defined: ${channels.join(', ')}`;
  const check = (names: unknown, path: Array<string | number>) => {
    if (!Array.isArray(names)) return;
    names.forEach((name, index) => {
      if (typeof name === 'string' && !channels.includes(name)) {
        ctx.addIssue({ code: 'custom', path: [...path, index], message: `no channel named "${name}" (${known})` });
      }
    });
  };
  const routes = isRecord(alerts.routes) ? alerts.routes : {};
  for (const [severity, names] of Object.entries(routes)) check(names, ['alerts', 'routes', severity]);
  const checkRule = (rule: unknown, path: Array<string | number>) => {
    if (!isRecord(rule)) return;
    check(rule.channels, [...path, 'channels']);
    check(rule.escalate_to, [...path, 'escalate_to']);
  };
  checkRule(alerts.defaults, ['alerts', 'defaults']);
  const groups = isRecord(alerts.groups) ? alerts.groups : {};
  for (const [group, rule] of Object.entries(groups)) checkRule(rule, ['alerts', 'groups', group]);
  const monitors = Array.isArray(value.monitors) ? value.monitors : [];
  monitors.forEach((monitor: unknown, index) => {
    if (isRecord(monitor)) checkRule(monitor.alerts, ['monitors', index, 'alerts']);
  });
}

/** A parsed monitor with `id` derived and interval, timeout and retries taken from the defaults when unset. */
export function resolveMonitor(monitor: ParsedMonitor, defaultValues: VigilConfig['defaults']): MonitorConfig {
  const id = monitor.id ?? slugify(monitor.name);
  if (!PROBING_TYPES.has(monitor.type)) return { ...monitor, id } as MonitorConfig;
  const probing = monitor as ParsedMonitor & { interval?: number; timeout?: number; retries?: number };
  return {
    ...monitor,
    id,
    interval: probing.interval ?? defaultValues.interval,
    timeout: probing.timeout ?? defaultValues.timeout,
    retries: probing.retries ?? defaultValues.retries,
  } as MonitorConfig;
}

export const configSchema = z
  .strictObject({
    ...sections,
    monitors: z
      .array(monitorSchema)
      .default([])
      .describe('The monitors. Files are merged by concatenating their lists.'),
  })
  .superRefine(crossCheck, { when: () => true })
  .transform((parsed): VigilConfig => ({
    ...parsed,
    storage:
      parsed.storage.type === 'sqlite'
        ? { type: 'sqlite', path: parsed.storage.path ?? join(parsed.server.data, 'vigil.db') }
        : parsed.storage,
    monitors: parsed.monitors.map((monitor) => resolveMonitor(monitor, parsed.defaults)),
  }))
  .describe('Configuration of `vigil serve`.');
