/**
 * /api/v1/monitors: list (filtered by group, tag, state), get, create, replace, delete, pause, resume.
 * Monitors from configuration files are read-only here (409: edit the file); pausing works for both sources.
 */
import { type z } from 'zod';
import {
  formatDuration,
  formatIssue,
  formatPath,
  type MonitorConfig,
  monitorSchema,
  type PathSegment,
  PROBING_TYPES,
  slugify,
} from '../config/index.js';
import { DEFAULT_MESSAGE, reportZodIssues } from '../config/report.js';
import { collectSecrets } from '../config/schema-walk.js';
import { badRequest, conflict, type FieldIssue, type HttpError, quote, unprocessable } from '../http/errors.js';
import { json, noContent, type Reply } from '../http/json.js';
import type { MonitorState } from '../model.js';
import {
  API_PREFIX,
  type ApiContext,
  type ApiRouter,
  findMonitor,
  isoTime,
  seesEverything,
  visibleMonitors,
} from './context.js';
import { describeTarget, redactDefinition, redactUrlText, restoreRedacted } from './redact.js';
import type { MonitorDefinition, MonitorView } from './types.js';

export const MONITOR_STATES: readonly MonitorState[] = [
  'healthy',
  'degraded',
  'unhealthy',
  'pending',
  'maintenance',
  'paused',
];

type ParsedMonitor = z.output<typeof monitorSchema>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the view of a loaded monitor, for the service: `target` from `describeTarget`, the definition kept for
 * display (the API redacts it). `state` defaults to `paused` or `pending`.
 */
export function monitorViewOf(
  monitor: MonitorConfig,
  options: {
    source: MonitorView['source'];
    state?: MonitorState;
    paused?: boolean;
    lastCheckAt?: number;
    /** For API monitors, the stored definition (as submitted). Default: the loaded monitor. */
    definition?: Readonly<Record<string, unknown>>;
  },
): MonitorView {
  const paused = options.paused ?? monitor.paused;
  return {
    id: monitor.id,
    name: monitor.name,
    type: monitor.type,
    ...(monitor.group === undefined ? {} : { group: monitor.group }),
    tags: monitor.tags,
    ...(monitor.description === undefined ? {} : { description: monitor.description }),
    public: monitor.public,
    source: options.source,
    paused,
    ...('interval' in monitor ? { intervalMs: monitor.interval } : {}),
    state: options.state ?? (paused ? 'paused' : 'pending'),
    ...(options.lastCheckAt === undefined ? {} : { lastCheckAt: options.lastCheckAt }),
    target: describeTarget(monitor),
    definition: options.definition ?? (monitor as unknown as Readonly<Record<string, unknown>>),
  };
}

/**
 * A monitor as JSON. Anonymous callers get what a public status page shows; token holders also get the
 * source, the target and (with `definition`) the redacted definition.
 */
export function monitorJson(monitor: MonitorView, ctx: ApiContext, withDefinition = false): Record<string, unknown> {
  const shown: Record<string, unknown> = {
    id: monitor.id,
    name: monitor.name,
    type: monitor.type,
    group: monitor.group ?? null,
    tags: [...monitor.tags],
    description: monitor.description ?? null,
    public: monitor.public,
    paused: monitor.paused,
    state: monitor.state,
    interval_ms: monitor.intervalMs ?? null,
    last_check_at: isoTime(monitor.lastCheckAt),
  };
  if (!seesEverything(ctx.caller)) return shown;
  shown.source = monitor.source;
  shown.target = redactUrlText(monitor.target);
  if (withDefinition) shown.definition = monitor.definition ? redactDefinition(monitor.definition) : null;
  return shown;
}

function listMonitors(ctx: ApiContext): Reply {
  const group = ctx.query.getAll('group');
  const tags = ctx.query.getAll('tag');
  const states = ctx.query
    .getAll('state')
    .flatMap((value) => value.split(','))
    .map((value) => value.trim())
    .filter((value) => value !== '');
  const unknown = states.find((state) => !(MONITOR_STATES as readonly string[]).includes(state));
  if (unknown !== undefined) {
    throw badRequest(`unknown state ${quote(unknown, 40)}: expected one of ${MONITOR_STATES.join(', ')}`);
  }
  const monitors = visibleMonitors(ctx).filter(
    (monitor) =>
      (group.length === 0 || group.includes(monitor.group ?? '')) &&
      tags.every((tag) => monitor.tags.includes(tag)) &&
      (states.length === 0 || states.includes(monitor.state)),
  );
  return json(200, { monitors: monitors.map((monitor) => monitorJson(monitor, ctx)) });
}

function getMonitor(ctx: ApiContext): Reply {
  return json(200, monitorJson(findMonitor(ctx, ctx.params.id as string), ctx, true));
}

/** Keys named like a property every object inherits (`__proto__`, `constructor`…), anywhere in the value. */
function inheritedKeyPaths(value: unknown, path: PathSegment[] = []): PathSegment[][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => inheritedKeyPaths(item, [...path, index]));
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key in Object.prototype ? [[...path, key]] : inheritedKeyPaths(item, [...path, key]),
  );
}

/** Issues without the configuration's reporter: unknown keys named, everything else generic (no value quoted). */
function plainIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: `unknown key ${quote(key)}` }));
    }
    return [{ path: formatPath(path), message: issue.message === DEFAULT_MESSAGE ? 'is invalid' : issue.message }];
  });
}

/** Validates a definition with the configuration's monitor schema; 422 listing every problem. */
export function validateDefinition(input: Readonly<Record<string, unknown>>): ParsedMonitor {
  // Refused before anything walks the value by key: such a key would resolve to Object.prototype members.
  const inherited = inheritedKeyPaths(input);
  if (inherited.length > 0) {
    const issues = inherited.map((path) => ({
      path: formatPath(path),
      message: `unknown key ${quote(String(path.at(-1)))}`,
    }));
    throw unprocessable(
      `invalid monitor definition: ${issues.map((issue) => formatIssue(issue)).join('; ')}`,
      issues,
      'invalid_monitor',
    );
  }
  const result = monitorSchema.safeParse(input, { error: () => DEFAULT_MESSAGE });
  if (result.success) return result.data;
  let issues: FieldIssue[];
  try {
    issues = reportZodIssues(result.error.issues, {
      schema: monitorSchema,
      data: input,
      positions: new Map(),
      secrets: collectSecrets(monitorSchema, input),
    }).map(({ path, message }) => ({ path, message }));
  } catch {
    issues = plainIssues(result.error.issues);
  }
  throw unprocessable(
    `invalid monitor definition: ${issues.map((issue) => formatIssue(issue)).join('; ')}`,
    issues,
    'invalid_monitor',
  );
}

/** The checks `configSchema` does across fields that a single monitor needs too. */
function checkTimeout(ctx: ApiContext, monitor: ParsedMonitor): void {
  if (!PROBING_TYPES.has(monitor.type)) return;
  const probing = monitor as ParsedMonitor & { interval?: number; timeout?: number };
  const interval = probing.interval ?? ctx.deps.defaults?.interval;
  const timeout = probing.timeout ?? ctx.deps.defaults?.timeout;
  if (interval === undefined || timeout === undefined || timeout < interval) return;
  const path = probing.timeout === undefined ? 'interval' : 'timeout';
  const message =
    path === 'timeout'
      ? `must be shorter than the interval, ${formatDuration(interval)}`
      : `must be longer than the timeout, ${formatDuration(timeout)} (defaults.timeout): set a shorter timeout`;
  throw unprocessable(`invalid monitor definition: ${path}: ${message}`, [{ path, message }], 'invalid_monitor');
}

function checkNameFree(ctx: ApiContext, name: string, id: string): void {
  const other = ctx.deps.monitors().find((monitor) => monitor.name === name && monitor.id !== id);
  if (other) throw conflict(`a monitor named ${quote(name)} already exists (id ${quote(other.id)}): names are unique`);
}

async function readDefinition(ctx: ApiContext): Promise<Record<string, unknown>> {
  const input = await ctx.json();
  if (!isRecord(input)) {
    throw unprocessable('expected a JSON object: a monitor definition like { "type": "http", "name": …, "url": … }');
  }
  return input;
}

function viewAfterChange(ctx: ApiContext, id: string): MonitorView {
  const view = ctx.deps.monitors().find((monitor) => monitor.id === id);
  if (!view) throw new Error(`monitor ${id} is not listed by monitors() after a change`);
  return view;
}

const monitorUrl = (id: string) => `${API_PREFIX}/monitors/${encodeURIComponent(id)}`;

async function createMonitor(ctx: ApiContext): Promise<Reply> {
  const input = await readDefinition(ctx);
  const parsed = validateDefinition(input);
  const id = parsed.id ?? slugify(parsed.name);
  if (id === '') {
    const message = 'no id can be derived from this name (it has no letters or digits): set id';
    throw unprocessable(`invalid monitor definition: name: ${message}`, [{ path: 'name', message }], 'invalid_monitor');
  }
  checkTimeout(ctx, parsed);
  const existing = ctx.deps.monitors().find((monitor) => monitor.id === id);
  if (existing) {
    const where = existing.source === 'config' ? ' in a configuration file' : '';
    throw conflict(`a monitor with id ${quote(id)} already exists${where}: choose another id`);
  }
  checkNameFree(ctx, parsed.name, id);
  await ctx.deps.control.create({ ...input, id } as MonitorDefinition);
  const view = viewAfterChange(ctx, id);
  return json(201, monitorJson(view, ctx, true), { Location: monitorUrl(id) });
}

function readOnly(monitor: MonitorView): HttpError {
  return conflict(
    `monitor ${quote(monitor.id)} is defined in a configuration file and is read-only through the API: ` +
      'edit the file and reload (SIGHUP) to change or remove it',
    'read_only',
  );
}

async function replaceMonitor(ctx: ApiContext): Promise<Reply> {
  const id = ctx.params.id as string;
  const current = findMonitor(ctx, id);
  if (current.source === 'config') throw readOnly(current);
  const input = await readDefinition(ctx);
  if (input.id !== undefined && input.id !== id) {
    const message = `cannot be changed (it is ${quote(id)}, from the URL); create a new monitor instead`;
    throw unprocessable(`invalid monitor definition: id: ${message}`, [{ path: 'id', message }], 'invalid_monitor');
  }
  const stored = (await ctx.deps.store.listMonitors()).find((monitor) => monitor.id === id)?.definition;
  const restored = restoreRedacted(input, isRecord(stored) ? stored : current.definition);
  const parsed = validateDefinition(restored);
  checkTimeout(ctx, parsed);
  checkNameFree(ctx, parsed.name, id);
  await ctx.deps.control.update(id, { ...restored, id } as MonitorDefinition);
  return json(200, monitorJson(viewAfterChange(ctx, id), ctx, true));
}

async function deleteMonitor(ctx: ApiContext): Promise<Reply> {
  const monitor = findMonitor(ctx, ctx.params.id as string);
  if (monitor.source === 'config') throw readOnly(monitor);
  await ctx.deps.control.remove(monitor.id);
  return noContent();
}

function setPaused(paused: boolean) {
  return async (ctx: ApiContext): Promise<Reply> => {
    const monitor = findMonitor(ctx, ctx.params.id as string);
    if (paused) await ctx.deps.control.pause(monitor.id);
    else await ctx.deps.control.resume(monitor.id);
    return json(200, monitorJson(viewAfterChange(ctx, monitor.id), ctx, true));
  };
}

export function registerMonitorRoutes(router: ApiRouter): void {
  router
    .add('GET', `${API_PREFIX}/monitors`, listMonitors)
    .add('POST', `${API_PREFIX}/monitors`, createMonitor)
    .add('GET', `${API_PREFIX}/monitors/:id`, getMonitor)
    .add('PUT', `${API_PREFIX}/monitors/:id`, replaceMonitor)
    .add('DELETE', `${API_PREFIX}/monitors/:id`, deleteMonitor)
    .add('POST', `${API_PREFIX}/monitors/:id/pause`, setPaused(true))
    .add('POST', `${API_PREFIX}/monitors/:id/resume`, setPaused(false));
}
