/**
 * Incidents (periods during which a monitor was not healthy), newest first, for one monitor or for every
 * monitor the caller may see.
 */
import { sanitizeMessage } from '@vigil/core';
import { notFound, quote } from '../http/errors.js';
import { json, type Reply } from '../http/json.js';
import { hideTargets } from './redact.js';
import type { Incident } from '../model.js';
import {
  actorOf,
  API_PREFIX,
  type ApiContext,
  type ApiRouter,
  findMonitor,
  intParam,
  isoTime,
  seesEverything,
  singleParam,
  visibleMonitors,
  route,
} from './context.js';
import type { IncidentJson } from './schemas.js';

export const INCIDENTS_DEFAULT_LIMIT = 50;
export const INCIDENTS_MAX_LIMIT = 1000;
/** Anonymous callers: rows read (then filtered to public monitors) stop growing here. */
const SCAN_LIMIT = 20_000;

/** One incident as JSON; with `hidden` (the target's texts), what names the target leaves its cause. */
export function incidentJson(incident: Incident, hidden?: readonly string[]): IncidentJson {
  return {
    id: incident.id,
    monitor: incident.monitorId,
    status: incident.status,
    started_at: new Date(incident.startedAt).toISOString(),
    ended_at: isoTime(incident.endedAt),
    cause:
      incident.cause === undefined
        ? null
        : hidden
          ? hideTargets(sanitizeMessage(incident.cause), hidden)
          : sanitizeMessage(incident.cause),
    acknowledged_at: isoTime(incident.acknowledged?.at),
    acknowledged_by: hidden ? null : (incident.acknowledged?.by ?? null),
  };
}

/** Incidents of the monitors in `visible`: reads more rows until enough pass the filter or none are left. */
async function visibleIncidents(ctx: ApiContext, visible: ReadonlySet<string>, limit: number): Promise<Incident[]> {
  let scan = limit;
  for (;;) {
    const rows = await ctx.deps.store.incidents({ limit: scan });
    const kept = rows.filter((incident) => visible.has(incident.monitorId));
    if (kept.length >= limit || rows.length < scan || scan >= SCAN_LIMIT) return kept.slice(0, limit);
    scan = Math.min(scan * 4, SCAN_LIMIT);
  }
}

async function incidents(ctx: ApiContext): Promise<Reply> {
  const limit = intParam(ctx.query, 'limit', { default: INCIDENTS_DEFAULT_LIMIT, min: 1, max: INCIDENTS_MAX_LIMIT });
  const id = singleParam(ctx.query, 'monitor');
  let rows: Incident[];
  if (id !== undefined && id !== '') {
    rows = await ctx.deps.store.incidents({ monitorId: findMonitor(ctx, id).id, limit });
  } else if (seesEverything(ctx.caller)) {
    rows = await ctx.deps.store.incidents({ limit });
  } else {
    const visible = new Set(visibleMonitors(ctx).map((monitor) => monitor.id));
    rows = visible.size === 0 ? [] : await visibleIncidents(ctx, visible, limit);
  }
  // Anonymous callers see public monitors' incidents, without what names their targets.
  const hidden = seesEverything(ctx.caller) ? undefined : new Map(visibleMonitors(ctx).map((m) => [m.id, m.targetTexts]));
  return json(200, { incidents: rows.slice(0, limit).map((incident) => incidentJson(incident, hidden?.get(incident.monitorId) ?? (hidden ? [] : undefined))) });
}

/** Someone is on it: the alert's reminders and escalation stop; the checks go on. */
async function acknowledgeIncident(ctx: ApiContext): Promise<Reply> {
  const raw = ctx.params.id as string;
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  const incident = Number.isSafeInteger(id) ? await ctx.deps.store.incident(id) : undefined;
  // An incident of a monitor the caller may not see does not exist for it.
  if (incident === undefined || !ctx.deps.monitors().some((m) => m.id === incident.monitorId)) {
    throw notFound(`no incident with id ${quote(raw, 30)}`);
  }
  findMonitor(ctx, incident.monitorId);
  const acknowledged = await ctx.deps.control.acknowledge(incident.id, actorOf(ctx.caller));
  return json(200, incidentJson(acknowledged));
}

export function registerIncidentRoutes(router: ApiRouter): void {
  router
    .add('GET', `${API_PREFIX}/incidents`, route('public', incidents))
    .add('POST', `${API_PREFIX}/incidents/:id/acknowledge`, route('write', acknowledgeIncident));
}
