/**
 * /api/v1/monitors: list (filtered by group, tag, state), get, create, replace, delete, pause, resume, check now.
 * Monitors from configuration files are read-only here (409: edit the file); pausing works for both sources. What
 * a change may be is decided by the registry; its refusals become HTTP answers in api/errors.ts.
 */
import type { MonitorConfig } from '../config/index.js';
import { badRequest, quote } from '../http/errors.js';
import { json, noContent, type Reply } from '../http/json.js';
import { MONITOR_STATES, type MonitorState } from '../model.js';
import {
  API_PREFIX,
  actorOf,
  type ApiContext,
  type ApiRouter,
  findMonitor,
  isoTime,
  route,
  seesEverything,
  visibleMonitors,
} from './context.js';
import { describeTarget, redactDefinition, redactUrlText, restoreRedacted, targetTexts } from './redact.js';
import type { HeartbeatView } from '../heartbeat/index.js';
import type { AnyMonitorJson, HeartbeatJson, MonitorJson, PublicHeartbeatJson, PublicMonitorJson } from './schemas.js';
import type { MonitorView } from './types.js';
import { roundMs } from '../units.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Builds the view of a loaded monitor, for the service: `target` from `describeTarget`, the definition kept for
 * display (the API redacts it). `state` defaults to `paused` or `new`.
 */
export function monitorViewOf(
  monitor: MonitorConfig,
  options: {
    source: MonitorView['source'];
    state?: MonitorState;
    paused?: boolean;
    since?: number;
    lastCheckAt?: number;
    /** For API monitors, the stored definition (as submitted). Default: the loaded monitor. */
    definition?: Readonly<Record<string, unknown>>;
    heartbeat?: HeartbeatView;
    locations?: MonitorView['locations'];
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
    state: options.state ?? (paused ? 'paused' : 'new'),
    ...(options.since === undefined ? {} : { since: options.since }),
    ...(options.lastCheckAt === undefined ? {} : { lastCheckAt: options.lastCheckAt }),
    target: describeTarget(monitor),
    targetTexts: targetTexts(monitor),
    definition: options.definition ?? (monitor as unknown as Readonly<Record<string, unknown>>),
    ...(options.heartbeat ? { heartbeat: options.heartbeat } : {}),
    ...(options.locations ? { locations: options.locations } : {}),
  };
}

/** A heartbeat's state and pings, as anyone may see them (not its runs' output: that is the job's). */
function publicHeartbeatJson(view: HeartbeatView): PublicHeartbeatJson {
  return {
    state: view.state,
    last_ping_at: isoTime(view.lastPingAt ?? undefined),
    next_expected_at: isoTime(view.nextExpectedAt ?? undefined),
    late_at: isoTime(view.lateAt ?? undefined),
    running: view.running,
  };
}

function heartbeatJson(view: HeartbeatView): HeartbeatJson {
  return {
    ...publicHeartbeatJson(view),
    run_started_at: isoTime(view.runStartedAt ?? undefined),
    last_duration_ms: view.lastDurationMs === null ? null : roundMs(view.lastDurationMs),
    last_exit_status: view.lastExitStatus,
    last_message: view.lastMessage,
    last_message_at: isoTime(view.lastMessageAt ?? undefined),
    slug: view.slug,
  };
}

/**
 * A monitor as JSON. Anonymous callers get what a public status page shows; token holders also get the
 * source, the target and (with `definition`) the redacted definition.
 */
export function monitorJson(monitor: MonitorView, ctx: ApiContext, withDefinition = false): AnyMonitorJson {
  const shown: PublicMonitorJson = {
    id: monitor.id,
    name: monitor.name,
    type: monitor.type,
    group: monitor.group ?? null,
    tags: [...monitor.tags],
    description: monitor.description ?? null,
    public: monitor.public,
    paused: monitor.paused,
    state: monitor.state,
    state_since: isoTime(monitor.since),
    interval_ms: monitor.intervalMs ?? null,
    last_check_at: isoTime(monitor.lastCheckAt),
    heartbeat: monitor.heartbeat ? publicHeartbeatJson(monitor.heartbeat) : null,
    locations: monitor.locations ? monitor.locations.map(({ location, state }) => ({ location, state })) : null,
  };
  if (!seesEverything(ctx.caller)) return shown;
  const full: MonitorJson = {
    ...shown,
    source: monitor.source,
    target: redactUrlText(monitor.target),
    heartbeat: monitor.heartbeat ? heartbeatJson(monitor.heartbeat) : null,
  };
  if (!withDefinition) return full;
  return { ...full, definition: monitor.definition ? redactDefinition(monitor.definition) : null };
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

function viewAfterChange(ctx: ApiContext, id: string): MonitorView {
  const view = ctx.deps.monitors().find((monitor) => monitor.id === id);
  if (!view) throw new Error(`monitor ${id} is not listed by monitors() after a change`);
  return view;
}

const monitorUrl = (id: string) => `${API_PREFIX}/monitors/${encodeURIComponent(id)}`;

async function createMonitor(ctx: ApiContext): Promise<Reply> {
  const created = await ctx.deps.control.create(await ctx.json(), actorOf(ctx.caller));
  const id = created.config.id;
  return json(201, monitorJson(viewAfterChange(ctx, id), ctx, true), { Location: monitorUrl(id) });
}

async function replaceMonitor(ctx: ApiContext): Promise<Reply> {
  const id = ctx.params.id as string;
  const current = findMonitor(ctx, id);
  const input = await ctx.json();
  // Secrets were shown as "***": sent back unchanged, they keep the stored value.
  const restored = isRecord(input) && current.definition ? restoreRedacted(input, current.definition) : input;
  await ctx.deps.control.replace(id, restored, actorOf(ctx.caller));
  return json(200, monitorJson(viewAfterChange(ctx, id), ctx, true));
}

async function deleteMonitor(ctx: ApiContext): Promise<Reply> {
  const monitor = findMonitor(ctx, ctx.params.id as string);
  await ctx.deps.control.remove(monitor.id, actorOf(ctx.caller));
  return noContent();
}

function setPaused(paused: boolean) {
  return async (ctx: ApiContext): Promise<Reply> => {
    const monitor = findMonitor(ctx, ctx.params.id as string);
    if (paused) await ctx.deps.control.pause(monitor.id, actorOf(ctx.caller));
    else await ctx.deps.control.resume(monitor.id, actorOf(ctx.caller));
    return json(200, monitorJson(viewAfterChange(ctx, monitor.id), ctx, true));
  };
}

/**
 * Runs the monitor's check now, outside its schedule; 202 once it is queued (or already running). Its result comes
 * through the same pipeline as a scheduled one's: read it from /results, /events or the monitor's state.
 */
async function checkNow(ctx: ApiContext): Promise<Reply> {
  const monitor = findMonitor(ctx, ctx.params.id as string);
  await ctx.deps.control.checkNow(monitor.id, actorOf(ctx.caller));
  return json(202, { queued: true });
}

export function registerMonitorRoutes(router: ApiRouter): void {
  router
    .add('GET', `${API_PREFIX}/monitors`, route('public', listMonitors))
    .add('POST', `${API_PREFIX}/monitors`, route('write', createMonitor))
    .add('GET', `${API_PREFIX}/monitors/:id`, route('public', getMonitor))
    .add('PUT', `${API_PREFIX}/monitors/:id`, route('write', replaceMonitor))
    .add('DELETE', `${API_PREFIX}/monitors/:id`, route('write', deleteMonitor))
    .add('POST', `${API_PREFIX}/monitors/:id/pause`, route('write', setPaused(true)))
    .add('POST', `${API_PREFIX}/monitors/:id/resume`, route('write', setPaused(false)))
    .add('POST', `${API_PREFIX}/monitors/:id/check`, route('write', checkNow));
}
