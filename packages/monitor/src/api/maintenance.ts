/**
 * /api/v1/maintenance: maintenance windows — during one, the monitors it covers send no alert and their failures
 * count as maintenance, not downtime. `read` tokens list the windows that are on or coming, those of the
 * configuration (read-only: change the `maintenance` section) and those scheduled through the API; `write` tokens
 * schedule one-off windows and delete them (deleting one that is on ends it: its monitors are checked as usual
 * again). The service (`MaintenanceControl`) validates, stores with the audit entry, and applies at once.
 */
import type { z } from 'zod';
import { HttpError, notFound, quote } from '../http/errors.js';
import { json, noContent, type Reply } from '../http/json.js';
import { type FieldIssue, MonitorError } from '../registry/errors.js';
import { actorOf, API_PREFIX, type ApiContext, type ApiRouter, isoTime, route } from './context.js';
import { type MaintenanceWindowJson, NewMaintenanceSchema } from './schemas.js';
import type { MaintenanceControl, MaintenanceEntry } from './types.js';

const COLLECTION = `${API_PREFIX}/maintenance`;

export function maintenanceJson(entry: MaintenanceEntry): MaintenanceWindowJson {
  return {
    id: entry.id ?? null,
    source: entry.source,
    title: entry.title,
    message: entry.message ?? null,
    starts_at: new Date(entry.start).toISOString(),
    ends_at: new Date(entry.end).toISOString(),
    ongoing: entry.active,
    monitors: [...entry.monitors],
    groups: [...entry.groups],
    all_monitors: entry.allMonitors,
    schedule: entry.schedule,
    created_at: isoTime(entry.createdAt),
    author: entry.author ?? null,
  };
}

function invalidWindow(issues: readonly FieldIssue[]): HttpError {
  const listed = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
  return new HttpError(400, 'bad_request', `invalid maintenance window: ${listed.join('; ')}`, {}, issues);
}

/** `monitors[1]`: a zod path as the messages name fields. */
function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text === '' ? String(key) : `${text}.${String(key)}`), '');
}

function bodyIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: fieldPath([...issue.path, key]), message: 'unknown key' }));
    if (issue.path.length === 0 && issue.code === 'invalid_type') return [{ path: '', message: 'the body must be a JSON object' }];
    return [{ path: fieldPath(issue.path), message: issue.message }];
  });
}

async function listMaintenance(ctx: ApiContext): Promise<Reply> {
  return json(200, { maintenance: ctx.deps.maintenance.list().map(maintenanceJson) });
}

async function createMaintenance(ctx: ApiContext): Promise<Reply> {
  const parsed = NewMaintenanceSchema.safeParse(await ctx.json());
  if (!parsed.success) throw invalidWindow(bodyIssues(parsed.error.issues));
  const input = parsed.data;
  try {
    const created = await ctx.deps.maintenance.create(
      {
        title: input.title,
        ...(input.message === undefined ? {} : { message: input.message }),
        startsAt: Date.parse(input.starts_at),
        endsAt: Date.parse(input.ends_at),
        monitors: input.monitors,
        groups: input.groups,
      },
      actorOf(ctx.caller),
    );
    return json(201, maintenanceJson(created));
  } catch (error) {
    // The service's refusals name the field: a 400 like the body's own problems.
    if (error instanceof MonitorError && error.code === 'invalid') {
      throw error.issues && error.issues.length > 0 ? invalidWindow(error.issues) : new HttpError(400, 'bad_request', error.message);
    }
    throw error;
  }
}

async function deleteMaintenance(ctx: ApiContext): Promise<Reply> {
  const raw = ctx.params.id as string;
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  // Windows of the configuration have no number: they are changed in the configuration.
  if (!Number.isSafeInteger(id) || id < 1) {
    throw notFound(`no maintenance window with id ${quote(raw, 30)}: windows of the configuration are changed in its maintenance section`);
  }
  await ctx.deps.maintenance.remove(id, actorOf(ctx.caller));
  return noContent();
}

/** When the API is mounted without a service that runs windows: none listed, none scheduled. */
export const NO_MAINTENANCE: MaintenanceControl = {
  list: () => [],
  create: () => Promise.reject(new MonitorError('read_only', 'this server does not schedule maintenance windows through the API')),
  remove: (id) => Promise.reject(new MonitorError('not_found', `no maintenance window ${id}`)),
};

export function registerMaintenanceRoutes(router: ApiRouter): void {
  router
    .add('GET', COLLECTION, route('read', listMaintenance))
    .add('POST', COLLECTION, route('write', createMaintenance))
    .add('DELETE', `${COLLECTION}/:id`, route('write', deleteMaintenance));
}
