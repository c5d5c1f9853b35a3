/**
 * /api/v1/status-incidents: incidents as status pages show them, written by people — a title, a lifecycle
 * (investigating → identified → monitoring → resolved), updates with their time and text, the monitors affected.
 * Anyone reads the published ones; token holders also see drafts; `write` tokens create, update, change and
 * delete them through the service (`StatusIncidentControl`), which validates and stores them with their audit
 * entry. Not the monitors' own incidents (/api/v1/incidents), which the checks record.
 */
import type { z } from 'zod';
import { badRequest, HttpError, notFound, quote } from '../http/errors.js';
import { json, noContent, type Reply } from '../http/json.js';
import { type FieldIssue, MonitorError } from '../registry/errors.js';
import type { MonitorImpact, StatusImpact, StatusIncident } from '../store/store.js';
import {
  actorOf,
  API_PREFIX,
  type ApiContext,
  type ApiRouter,
  intParam,
  isoTime,
  route,
  seesEverything,
  singleParam,
  visibleMonitors,
} from './context.js';
import {
  NewStatusIncidentSchema,
  StatusIncidentPatchSchema,
  type StatusIncidentJson,
  StatusIncidentUpdateRequestSchema,
} from './schemas.js';

export const STATUS_INCIDENTS_DEFAULT_LIMIT = 50;
export const STATUS_INCIDENTS_MAX_LIMIT = 1000;

const COLLECTION = `${API_PREFIX}/status-incidents`;
const incidentUrl = (id: number) => `${COLLECTION}/${id}`;

/** A monitor named by its id alone is affected as the incident is: `major` when it is major or critical. */
export function monitorImpactFor(impact: StatusImpact): MonitorImpact {
  return impact === 'critical' || impact === 'major' ? 'major' : 'degraded';
}

/**
 * A status incident as JSON. For anonymous callers (`visible`: the monitors they may see) the monitors are the
 * public ones only, and no update says who wrote it (token names are the operators' own business).
 */
export function statusIncidentJson(incident: StatusIncident, visible?: ReadonlySet<string>): StatusIncidentJson {
  return {
    id: incident.id,
    title: incident.title,
    status: incident.status,
    impact: incident.impact,
    published: incident.published,
    monitors: incident.monitors
      .filter((monitor) => visible === undefined || visible.has(monitor.id))
      .map(({ id, impact }) => ({ id, impact })),
    created_at: new Date(incident.createdAt).toISOString(),
    updated_at: new Date(incident.updatedAt).toISOString(),
    resolved_at: isoTime(incident.resolvedAt),
    source_incident: incident.sourceIncidentId ?? null,
    updates: incident.updates.map((update) => ({
      id: update.id,
      at: new Date(update.at).toISOString(),
      status: update.status,
      message: update.message,
      author: visible === undefined ? update.author : null,
    })),
  };
}

/** What an anonymous caller may see of monitors; undefined for token holders (everything). */
function visibleTo(ctx: ApiContext): ReadonlySet<string> | undefined {
  return seesEverything(ctx.caller) ? undefined : new Set(visibleMonitors(ctx).map((monitor) => monitor.id));
}

// ------------------------------------------------------------------------------------------------ request bodies

/** `monitors[1].impact`: a zod path as the messages name fields. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`),
    '',
  );
}

/** zod's issues as field problems: one per unknown key, the branch that almost matched for a union. */
function fieldIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: fieldPath([...path, key]), message: 'unknown key' }));
    }
    if (issue.code === 'invalid_union') {
      // A union branch whose own issues are deeper than "not this type" is what the caller meant.
      const meant = issue.errors.filter((branch) => !branch.every((inner) => inner.code === 'invalid_type' && inner.path.length === 0));
      if (meant.length === 1) return fieldIssues(meant[0] as z.core.$ZodIssue[], path);
    }
    if (path.length === 0 && issue.code === 'invalid_type') return [{ path: '', message: 'the body must be a JSON object' }];
    return [{ path: fieldPath(path), message: issue.message }];
  });
}

function invalidBody(issues: readonly FieldIssue[]): HttpError {
  const listed = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
  return new HttpError(400, 'bad_request', `invalid status incident: ${listed.join('; ')}`, {}, issues);
}

/** Keys that belong to another route, and where to send them. */
type Hints = Readonly<Record<string, string>>;

async function body<S extends z.ZodType>(ctx: ApiContext, schema: S, hints: Hints = {}): Promise<z.output<S>> {
  const parsed = schema.safeParse(await ctx.json());
  if (parsed.success) return parsed.data;
  const issues = fieldIssues(parsed.error.issues).map((issue) =>
    issue.message === 'unknown key' && hints[issue.path] !== undefined ? { ...issue, message: hints[issue.path] as string } : issue,
  );
  throw invalidBody(issues);
}

type MonitorsInput = ReadonlyArray<string | { id: string; impact?: MonitorImpact | undefined }>;

/** Monitors as the store keeps them: each once, with its impact (derived from the incident's when not given). */
function affectedMonitors(input: MonitorsInput, impact: StatusImpact): Array<{ id: string; impact: MonitorImpact }> {
  const seen = new Set<string>();
  const issues: FieldIssue[] = [];
  const monitors = input.map((item, index) => {
    const monitor = typeof item === 'string' ? { id: item, impact: monitorImpactFor(impact) } : { id: item.id, impact: item.impact ?? monitorImpactFor(impact) };
    if (seen.has(monitor.id)) issues.push({ path: `monitors[${index}]`, message: `${quote(monitor.id)} is listed twice` });
    seen.add(monitor.id);
    return monitor;
  });
  if (issues.length > 0) throw invalidBody(issues);
  return monitors;
}

/** The service's refusals: an invalid change (an unknown monitor) is a 400 naming the field; the rest as usual. */
async function viaService<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof MonitorError && error.code === 'invalid') {
      throw error.issues && error.issues.length > 0 ? invalidBody(error.issues) : new HttpError(400, 'bad_request', error.message);
    }
    throw error;
  }
}

// ------------------------------------------------------------------------------------------------------- routes

const noSuchIncident = (raw: string) => notFound(`no status incident with id ${quote(raw, 30)}`);

/** The incident of the `:id` parameter; a draft does not exist for anonymous callers. */
async function findIncident(ctx: ApiContext): Promise<StatusIncident> {
  const raw = ctx.params.id as string;
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  const incident = Number.isSafeInteger(id) && id > 0 ? await ctx.deps.store.statusIncident(id) : undefined;
  if (incident === undefined || (!incident.published && !seesEverything(ctx.caller))) throw noSuchIncident(raw);
  return incident;
}

/** An instant of a query parameter: ISO 8601, a date (midnight UTC) or a date and time with its offset. */
function timeParam(ctx: ApiContext, name: string): number | undefined {
  const raw = singleParam(ctx.query, name);
  if (raw === undefined || raw === '') return undefined;
  const shape = /^\d{4}-\d\d-\d\d(T\d\d:\d\d(:\d\d(\.\d{1,9})?)?(Z|[+-]\d\d:?\d\d))?$/;
  const at = shape.test(raw) ? Date.parse(raw) : Number.NaN;
  if (!Number.isFinite(at)) {
    throw badRequest(`${name} must be an ISO 8601 time such as 2025-01-15T12:00:00Z (or a date), not ${quote(raw, 40)}`);
  }
  return at;
}

async function listStatusIncidents(ctx: ApiContext): Promise<Reply> {
  const limit = intParam(ctx.query, 'limit', { default: STATUS_INCIDENTS_DEFAULT_LIMIT, min: 1, max: STATUS_INCIDENTS_MAX_LIMIT });
  const before = intParam(ctx.query, 'before', { default: Number.MAX_SAFE_INTEGER, min: 1, max: Number.MAX_SAFE_INTEGER });
  const since = timeParam(ctx, 'since');
  const visible = visibleTo(ctx);
  const incidents = await ctx.deps.store.statusIncidents({
    limit,
    before,
    ...(since === undefined ? {} : { since }),
    ...(visible === undefined ? {} : { publishedOnly: true }),
  });
  return json(200, {
    incidents: incidents.map((incident) => statusIncidentJson(incident, visible)),
    next: incidents.length === limit ? (incidents.at(-1)?.id ?? null) : null,
  });
}

async function getStatusIncident(ctx: ApiContext): Promise<Reply> {
  return json(200, statusIncidentJson(await findIncident(ctx), visibleTo(ctx)));
}

async function createStatusIncident(ctx: ApiContext): Promise<Reply> {
  const input = await body(ctx, NewStatusIncidentSchema);
  const monitors = affectedMonitors(input.monitors, input.impact);
  const created = await viaService(() =>
    ctx.deps.statusIncidents.create(
      {
        title: input.title,
        status: input.status,
        impact: input.impact,
        monitors,
        published: input.published,
        message: input.message,
      },
      actorOf(ctx.caller),
    ),
  );
  return json(201, statusIncidentJson(created), { Location: incidentUrl(created.id) });
}

async function addUpdate(ctx: ApiContext): Promise<Reply> {
  const incident = await findIncident(ctx);
  const input = await body(ctx, StatusIncidentUpdateRequestSchema);
  const updated = await viaService(() =>
    ctx.deps.statusIncidents.update(
      incident.id,
      // Without a status, the store keeps the current one (read in the same transaction).
      { ...(input.status === undefined ? {} : { status: input.status }), message: input.message },
      actorOf(ctx.caller),
    ),
  );
  return json(201, statusIncidentJson(updated));
}

const VIA_UPDATES = 'change it with an update: POST /api/v1/status-incidents/{id}/updates with { "status", "message" }';

async function patchStatusIncident(ctx: ApiContext): Promise<Reply> {
  const incident = await findIncident(ctx);
  const input = await body(ctx, StatusIncidentPatchSchema, { status: VIA_UPDATES, message: VIA_UPDATES });
  if (input.title === undefined && input.impact === undefined && input.monitors === undefined && input.published === undefined) {
    throw invalidBody([
      { path: '', message: `nothing to change: send title, impact, monitors or published (the status: ${VIA_UPDATES})` },
    ]);
  }
  const change = {
    ...(input.title === undefined ? {} : { title: input.title }),
    ...(input.impact === undefined ? {} : { impact: input.impact }),
    ...(input.monitors === undefined ? {} : { monitors: affectedMonitors(input.monitors, input.impact ?? incident.impact) }),
    ...(input.published === undefined ? {} : { published: input.published }),
  };
  const updated = await viaService(() => ctx.deps.statusIncidents.update(incident.id, change, actorOf(ctx.caller)));
  return json(200, statusIncidentJson(updated));
}

async function deleteStatusIncident(ctx: ApiContext): Promise<Reply> {
  const incident = await findIncident(ctx);
  await viaService(() => ctx.deps.statusIncidents.remove(incident.id, actorOf(ctx.caller)));
  return noContent();
}

export function registerStatusIncidentRoutes(router: ApiRouter): void {
  router
    .add('GET', COLLECTION, route('public', listStatusIncidents))
    .add('POST', COLLECTION, route('write', createStatusIncident))
    .add('GET', `${COLLECTION}/:id`, route('public', getStatusIncident))
    .add('PATCH', `${COLLECTION}/:id`, route('write', patchStatusIncident))
    .add('DELETE', `${COLLECTION}/:id`, route('write', deleteStatusIncident))
    .add('POST', `${COLLECTION}/:id/updates`, route('write', addUpdate));
}
