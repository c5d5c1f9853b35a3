/**
 * The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json. Every schema in it is generated with zod's
 * `z.toJSONSchema`: the response bodies from api/schemas.ts (the types the JSON builders return), the monitor
 * definition from the configuration's own monitor schema. This file only says which route answers what. A test
 * walks the router and checks that every route is described here (and nothing else), compiles the document with
 * ajv, and validates real answers of every route against it.
 */
import { z } from 'zod';
import { isSecretSchema } from '../config/fields.js';
import { monitorSchema } from '../config/index.js';
import { json, type Reply, serializeJson } from '../http/json.js';
import { MONITOR_STATES } from '../model.js';
import { AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT } from './audit.js';
import { NOTIFICATIONS_DEFAULT_LIMIT, NOTIFICATIONS_MAX_LIMIT } from './notifications.js';
import { API_PREFIX, type ApiRouter, route, type RouteAccess } from './context.js';
import { EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT, eventJson, STREAM_KEEPALIVE_MS } from './events.js';
import { INCIDENTS_DEFAULT_LIMIT, INCIDENTS_MAX_LIMIT } from './incidents.js';
import { jobPaths } from './jobs-openapi.js';
import { RESULTS_DEFAULT_LIMIT, RESULTS_MAX_LIMIT } from './results.js';
import { PINGS_KEPT } from '../service/ping-intake.js';
import { AGENT_MONITORS_PATH, CLOCK_AHEAD_MAX_MS, RESULTS_PATH } from './agent.js';
import { LOCATION_PATTERN } from '../config/fields.js';
import { DELIVERY_STATUSES } from '../store/store.js';
import { REQUEST_SCHEMAS, RESPONSE_SCHEMAS } from './schemas.js';
import { STATUS_INCIDENTS_DEFAULT_LIMIT, STATUS_INCIDENTS_MAX_LIMIT } from './status-incidents.js';

type Json = Record<string, unknown>;
type SchemaName = keyof typeof RESPONSE_SCHEMAS | keyof typeof REQUEST_SCHEMAS | 'MonitorDefinition';

const SCHEMAS_URI = '#/components/schemas/';
const ref = (name: SchemaName): Json => ({ $ref: `${SCHEMAS_URI}${name}` });
const anyOf = (...names: SchemaName[]): Json => ({ anyOf: names.map(ref) });

function content(schema: Json): Json {
  return { 'application/json': { schema } };
}

function response(description: string, schema?: Json): Json {
  return schema ? { description, content: content(schema) } : { description };
}

const errorResponse = (description: string) => ({ $ref: `#/components/responses/${description}` });

const monitorId: Json = { $ref: '#/components/parameters/MonitorId' };
const statusIncidentId: Json = { $ref: '#/components/parameters/StatusIncidentId' };

function limit(defaultValue: number, max: number, order = 'newest first'): Json {
  return {
    name: 'limit',
    in: 'query',
    description: `How many, ${order} (1 to ${max}).`,
    schema: { type: 'integer', minimum: 1, maximum: max, default: defaultValue },
  };
}

function after(description: string, schema: Json = {}): Json {
  return {
    name: 'after',
    in: 'query',
    description: `Events after this cursor (an event \`id\`, or \`next\` of a page). ${description}`,
    schema: { type: 'integer', minimum: 0, ...schema },
  };
}

/**
 * Who may call, as each route's `access` says (api/context.ts; a test compares them): `public` routes are open to
 * anonymous callers (public monitors only) and to any token but an agent token; the others need a token whose scope
 * includes the role listed (OpenAPI 3.1 lets a bearer requirement list roles).
 */
export function securityFor(access: RouteAccess): Json[] {
  return access === 'public' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [access] }];
}

const READ_SECURITY = securityFor('public');
const WRITE_SECURITY = securityFor('write');
const TOKEN_SECURITY = securityFor('read');
const ADMIN_SECURITY = securityFor('admin');
const AGENT_SECURITY = securityFor('agent');

const writeErrors = {
  '401': errorResponse('Unauthorized'),
  '403': errorResponse('Forbidden'),
};

/** The errors of a body validated with zod (api/schemas.ts): 400 with `error.issues`, never 422. */
const zodBodyErrors = {
  '400': response('The body is not valid JSON, or not a valid request: `error.issues` lists each problem (an unknown monitor too).', ref('Error')),
  '413': errorResponse('PayloadTooLarge'),
  '415': errorResponse('UnsupportedMediaType'),
};

const bodyErrors = {
  '400': errorResponse('BadRequest'),
  '413': errorResponse('PayloadTooLarge'),
  '415': errorResponse('UnsupportedMediaType'),
  '422': errorResponse('Unprocessable'),
};

function monitorDefinitionSchema(): Json {
  const generated = z.toJSONSchema(monitorSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'any',
    override: ({ zodSchema, jsonSchema }) => {
      if (isSecretSchema(zodSchema)) jsonSchema.writeOnly = true;
    },
  }) as Json;
  const { $schema: _ignored, ...schema } = generated;
  return {
    ...schema,
    description:
      'A monitor definition: the same shape as an entry of `monitors:` in vigil.yaml (durations as "30s", …). `id` defaults to a slug of `name`. Secret fields are returned as "***"; sending "***" back keeps the stored value.',
  };
}

/**
 * `components.schemas` for the response bodies: one `z.toJSONSchema` call over a registry of api/schemas.ts, so
 * a schema used inside another (a Result in a ResultList) is a `$ref` to its component.
 */
function responseSchemas(): Record<string, Json> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(RESPONSE_SCHEMAS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `${SCHEMAS_URI}${id}`,
    // What zod adds to say two standard things its own way: the regular expression of its ISO datetime (the
    // format says it) and the bounds of a safe integer.
    override: ({ jsonSchema }) => {
      if (jsonSchema.format === 'date-time') delete jsonSchema.pattern;
      if (jsonSchema.minimum === Number.MIN_SAFE_INTEGER) delete jsonSchema.minimum;
      if (jsonSchema.maximum === Number.MAX_SAFE_INTEGER) delete jsonSchema.maximum;
    },
  });
  // Components are parts of the document, not schema resources of their own: no `$schema`, no `$id`.
  return Object.fromEntries(
    Object.entries(schemas).map(([id, { $schema: _schema, $id: _id, ...schema }]) => [id, schema as Json]),
  );
}

/** `components.schemas` for the request bodies validated with zod: what they accept (`io: 'input'`, defaults shown). */
function requestSchemas(): Record<string, Json> {
  return Object.fromEntries(
    Object.entries(REQUEST_SCHEMAS).map(([id, zodSchema]) => {
      const { $schema: _schema, ...schema } = z.toJSONSchema(zodSchema, { target: 'draft-2020-12', io: 'input' }) as Json;
      return [id, schema];
    }),
  );
}

/** An event of the stream, made by the builder the stream uses: the example cannot drift from what is sent. */
function streamExample(): string {
  const at = Date.UTC(2025, 0, 15, 12, 0, 0);
  const event = eventJson({
    id: 42,
    monitorId: 'shop-api',
    location: 'local',
    seq: 3,
    from: 'healthy',
    to: 'unhealthy',
    at,
    reason: 'HTTP 503',
    resultAt: at,
    incidentId: 7,
  });
  return `id: ${event.id}\nevent: state-change\ndata: ${serializeJson(event)}\n\n`;
}

const STREAM_DESCRIPTION =
  'Server-sent events, one per state change as it is committed, oldest first: `id:` is the event\'s cursor, ' +
  '`event: state-change`, and `data:` a `StateChangeEvent` (#/components/schemas/StateChangeEvent) as JSON on one ' +
  `line. Lines starting with \`:\` are comments (a keep-alive every ${STREAM_KEEPALIVE_MS / 1000} s). The stream ` +
  'starts after `Last-Event-ID` (sent by EventSource when it reconnects), else after `?after=` (`0`: from the ' +
  'oldest event kept), else from now.';

function buildDocument(): Json {
  const m = `${API_PREFIX}/monitors`;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil API',
      version: '1',
      description:
        'Monitors, results, uptime, incidents, status page incidents, state changes and the audit log of a `vigil serve` instance. Anonymous callers see public monitors only. An API token (`vigil token create --name NAME --scope SCOPE`, sent as `Authorization: Bearer <token>`) has one scope, which includes the ones before it: `read` sees every monitor, its target and definition (secrets as "***") and the events feed; `write` may also create, change, delete, pause, resume and check monitors, write status page incidents, schedule maintenance windows and send test notifications; `admin` may also read the audit log and manage tokens, and call the agent endpoints. An `agent` token (for `vigil agent`) may only call the agent endpoints — the monitors of its location and `POST /results` — and is refused everywhere else, public routes included. A request its token\'s scope does not cover is answered 403 `forbidden`. Errors are `{ "error": { "code", "message" } }` (`Error`).',
    },
    paths: {
      [m]: {
        get: {
          operationId: 'listMonitors',
          summary: 'List monitors',
          security: READ_SECURITY,
          parameters: [
            {
              name: 'group',
              in: 'query',
              description: 'Only this group (repeat for several).',
              schema: { type: 'string' },
            },
            {
              name: 'tag',
              in: 'query',
              description: 'Only monitors with this tag (repeat: all must match).',
              schema: { type: 'string' },
            },
            {
              name: 'state',
              in: 'query',
              description: `Only these states (comma-separated or repeated): ${MONITOR_STATES.join(', ')}.`,
              schema: { type: 'string' },
              example: 'unhealthy,degraded',
            },
          ],
          responses: {
            '200': response(
              'The monitors the caller may see: `Monitor` for token holders, `PublicMonitor` for anonymous callers.',
              ref('MonitorList'),
            ),
            '400': errorResponse('BadRequest'),
          },
        },
        post: {
          operationId: 'createMonitor',
          summary: 'Create a monitor',
          security: WRITE_SECURITY,
          requestBody: { required: true, content: content(ref('MonitorDefinition')) },
          responses: {
            '201': {
              ...response('Created; `Location` is its URL.', ref('MonitorWithDefinition')),
              headers: { Location: { schema: { type: 'string' } } },
            },
            ...writeErrors,
            ...bodyErrors,
            '409': errorResponse('Conflict'),
          },
        },
      },
      [`${m}/{id}`]: {
        get: {
          operationId: 'getMonitor',
          summary: 'Get a monitor (with its redacted definition for token holders)',
          security: READ_SECURITY,
          parameters: [monitorId],
          responses: {
            '200': response(
              'The monitor: with its redacted definition for token holders, `PublicMonitor` for anonymous callers.',
              anyOf('MonitorWithDefinition', 'PublicMonitor'),
            ),
            '404': errorResponse('NotFound'),
          },
        },
        put: {
          operationId: 'replaceMonitor',
          summary: 'Replace the definition of a monitor created through the API',
          security: WRITE_SECURITY,
          parameters: [monitorId],
          requestBody: { required: true, content: content(ref('MonitorDefinition')) },
          responses: {
            '200': response('The monitor after the change.', ref('MonitorWithDefinition')),
            ...writeErrors,
            ...bodyErrors,
            '404': errorResponse('NotFound'),
            '409': errorResponse('Conflict'),
          },
        },
        delete: {
          operationId: 'deleteMonitor',
          summary: 'Delete a monitor created through the API',
          security: WRITE_SECURITY,
          parameters: [monitorId],
          responses: {
            '204': response('Deleted.'),
            ...writeErrors,
            '404': errorResponse('NotFound'),
            '409': errorResponse('Conflict'),
          },
        },
      },
      [`${m}/{id}/pause`]: {
        post: {
          operationId: 'pauseMonitor',
          summary: 'Pause a monitor (config-file monitors too)',
          security: WRITE_SECURITY,
          parameters: [monitorId],
          responses: {
            '200': response('The monitor, paused.', ref('MonitorWithDefinition')),
            ...writeErrors,
            '404': errorResponse('NotFound'),
          },
        },
      },
      [`${m}/{id}/resume`]: {
        post: {
          operationId: 'resumeMonitor',
          summary: 'Resume a paused monitor',
          security: WRITE_SECURITY,
          parameters: [monitorId],
          responses: {
            '200': response('The monitor, resumed.', ref('MonitorWithDefinition')),
            ...writeErrors,
            '404': errorResponse('NotFound'),
            '409': errorResponse('Conflict'),
          },
        },
      },
      [`${m}/{id}/check`]: {
        post: {
          operationId: 'checkMonitorNow',
          summary: "Run a monitor's check now, outside its schedule (which keeps its phase)",
          description:
            'The result goes through the same pipeline as a scheduled check (stored, state, incident, alerts): read it from `/monitors/{id}/results`, `/events` or the monitor. When a check of the monitor is already queued or running, nothing more is done (still 202). Recorded in the audit log (`monitor.check`).',
          security: WRITE_SECURITY,
          parameters: [monitorId],
          responses: {
            '202': response('The check is queued (or was already running).', ref('CheckQueued')),
            ...writeErrors,
            '404': errorResponse('NotFound'),
            '409': response(
              'A heartbeat (its pings tell its state: there is no check to run), or a paused monitor (`conflict`: resume it first; `paused_in_config`: paused by its definition).',
              ref('Error'),
            ),
          },
        },
      },
      [`${m}/{id}/results`]: {
        get: {
          operationId: 'listResults',
          summary: 'Latest results of a monitor, newest first',
          security: READ_SECURITY,
          parameters: [monitorId, limit(RESULTS_DEFAULT_LIMIT, RESULTS_MAX_LIMIT)],
          responses: {
            '200': response('The results.', ref('ResultList')),
            '400': errorResponse('BadRequest'),
            '404': errorResponse('NotFound'),
          },
        },
      },
      [`${m}/{id}/pings`]: {
        get: {
          operationId: 'listPings',
          summary: "A heartbeat's last pings, newest first",
          description: `Every ping as it was received (the last ${PINGS_KEPT} per heartbeat): what it did, its method, user agent, client address and body. Ignored pings (a \`methods\` or \`keywords\` filter) are listed too, with the reason in \`note\`. Page with \`before\` (the \`id\` of the last ping of the previous page).`,
          security: TOKEN_SECURITY,
          parameters: [
            monitorId,
            limit(PINGS_KEPT, PINGS_KEPT),
            {
              name: 'before',
              in: 'query',
              required: false,
              description: 'Only pings with a smaller id.',
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          responses: {
            '200': response('The pings.', ref('PingList')),
            '400': errorResponse('BadRequest'),
            '401': errorResponse('Unauthorized'),
            '403': errorResponse('Forbidden'),
            '404': errorResponse('NotFound'),
          },
        },
      },
      [`${m}/{id}/uptime`]: {
        get: {
          operationId: 'getUptime',
          summary: 'Uptime and latency over 1h, 24h, 7d, 30d and 90d',
          security: READ_SECURITY,
          parameters: [monitorId],
          responses: { '200': response('One summary per window.', ref('Uptime')), '404': errorResponse('NotFound') },
        },
      },
      [`${API_PREFIX}/signals`]: {
        get: {
          operationId: 'listSignals',
          summary: 'Latest results of a monitor (the same as /monitors/{id}/results)',
          security: READ_SECURITY,
          parameters: [
            {
              name: 'monitor',
              in: 'query',
              required: true,
              description: 'The monitor id.',
              schema: { type: 'string' },
            },
            limit(RESULTS_DEFAULT_LIMIT, RESULTS_MAX_LIMIT),
          ],
          responses: {
            '200': response('The results.', ref('ResultList')),
            '400': errorResponse('BadRequest'),
            '404': errorResponse('NotFound'),
          },
        },
      },
      [`${API_PREFIX}/incidents`]: {
        get: {
          operationId: 'listIncidents',
          summary: 'Incidents, newest first',
          security: READ_SECURITY,
          parameters: [
            {
              name: 'monitor',
              in: 'query',
              description: 'Only this monitor. Default: every monitor the caller may see.',
              schema: { type: 'string' },
            },
            limit(INCIDENTS_DEFAULT_LIMIT, INCIDENTS_MAX_LIMIT),
          ],
          responses: {
            '200': response('The incidents.', ref('IncidentList')),
            '400': errorResponse('BadRequest'),
            '404': errorResponse('NotFound'),
          },
        },
      },
      [`${API_PREFIX}/incidents/{id}/acknowledge`]: {
        post: {
          operationId: 'acknowledgeIncident',
          summary: "Acknowledge an open incident: its alert's reminders and escalation stop, the checks go on",
          security: WRITE_SECURITY,
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: 'The incident id.',
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          responses: {
            '200': response('The incident, acknowledged (an incident acknowledged before is returned as it is).', ref('Incident')),
            ...writeErrors,
            '404': errorResponse('NotFound'),
            '409': errorResponse('Conflict'),
          },
        },
      },
      [`${API_PREFIX}/status-incidents`]: {
        get: {
          operationId: 'listStatusIncidents',
          summary: 'Status page incidents, newest first, with their updates (drafts for token holders only)',
          security: READ_SECURITY,
          parameters: [
            {
              name: 'before',
              in: 'query',
              description: 'Incidents created before this id (`next` of the previous page).',
              schema: { type: 'integer', minimum: 1 },
            },
            {
              name: 'since',
              in: 'query',
              description: 'Only incidents still open, or resolved at or after this time (ISO 8601, or a date: midnight UTC).',
              schema: { type: 'string' },
              example: '2025-01-01T00:00:00Z',
            },
            limit(STATUS_INCIDENTS_DEFAULT_LIMIT, STATUS_INCIDENTS_MAX_LIMIT),
          ],
          responses: {
            '200': response(
              'The incidents: published ones for anonymous callers (their public monitors only, no authors), drafts too for token holders.',
              ref('StatusIncidentList'),
            ),
            '400': errorResponse('BadRequest'),
          },
        },
        post: {
          operationId: 'createStatusIncident',
          summary: 'Write a status page incident, with its first update',
          security: WRITE_SECURITY,
          requestBody: { required: true, content: content(ref('NewStatusIncident')) },
          responses: {
            '201': {
              ...response('Created; `Location` is its URL.', ref('StatusIncident')),
              headers: { Location: { schema: { type: 'string' } } },
            },
            ...writeErrors,
            ...zodBodyErrors,
          },
        },
      },
      [`${API_PREFIX}/status-incidents/{id}`]: {
        get: {
          operationId: 'getStatusIncident',
          summary: 'One status page incident with its updates',
          security: READ_SECURITY,
          parameters: [statusIncidentId],
          responses: {
            '200': response('The incident (for anonymous callers: public monitors only, no authors).', ref('StatusIncident')),
            '404': response('No such status incident, or a draft and the caller has no token.', ref('Error')),
          },
        },
        patch: {
          operationId: 'changeStatusIncident',
          summary: 'Change the title, impact, monitors or publication of a status page incident',
          security: WRITE_SECURITY,
          parameters: [statusIncidentId],
          requestBody: { required: true, content: content(ref('StatusIncidentPatch')) },
          responses: {
            '200': response('The incident after the change.', ref('StatusIncident')),
            ...writeErrors,
            ...zodBodyErrors,
            '404': response('No such status incident.', ref('Error')),
          },
        },
        delete: {
          operationId: 'deleteStatusIncident',
          summary: 'Delete a status page incident and its updates',
          security: WRITE_SECURITY,
          parameters: [statusIncidentId],
          responses: {
            '204': response('Deleted.'),
            ...writeErrors,
            '404': response('No such status incident.', ref('Error')),
          },
        },
      },
      [`${API_PREFIX}/status-incidents/{id}/updates`]: {
        post: {
          operationId: 'addStatusIncidentUpdate',
          summary: 'Add an update to a status page incident (how its status changes: `resolved` resolves it)',
          security: WRITE_SECURITY,
          parameters: [statusIncidentId],
          requestBody: { required: true, content: content(ref('StatusIncidentUpdateRequest')) },
          responses: {
            '201': response('The incident with the new update.', ref('StatusIncident')),
            ...writeErrors,
            ...zodBodyErrors,
            '404': response('No such status incident.', ref('Error')),
          },
        },
      },
      [`${API_PREFIX}/maintenance`]: {
        get: {
          operationId: 'listMaintenance',
          summary: "Maintenance windows on now or coming: the configuration's (read-only) and those scheduled through the API",
          security: TOKEN_SECURITY,
          responses: {
            '200': response('The windows by start; a weekly or cron window of the configuration with its current or next span.', ref('MaintenanceList')),
            '401': errorResponse('Unauthorized'),
          },
        },
        post: {
          operationId: 'createMaintenance',
          summary: 'Schedule a one-off maintenance window (applied at once: a window that has started puts its monitors in maintenance)',
          security: WRITE_SECURITY,
          requestBody: { required: true, content: content(ref('NewMaintenance')) },
          responses: {
            '201': response('Scheduled.', ref('MaintenanceWindow')),
            ...writeErrors,
            ...zodBodyErrors,
          },
        },
      },
      [`${API_PREFIX}/maintenance/{id}`]: {
        delete: {
          operationId: 'deleteMaintenance',
          summary: 'Delete a maintenance window scheduled through the API (one that is on ends now: its monitors are checked as usual again)',
          security: WRITE_SECURITY,
          parameters: [
            {
              name: 'id',
              in: 'path',
              required: true,
              description: "The window's id (windows of the configuration have none: change the configuration).",
              schema: { type: 'integer', minimum: 1 },
            },
          ],
          responses: {
            '204': response('Deleted.'),
            ...writeErrors,
            '404': response('No such maintenance window.', ref('Error')),
          },
        },
      },
      [`${API_PREFIX}/events`]: {
        get: {
          operationId: 'listEvents',
          summary: 'State changes, oldest first, from a cursor (token holders only)',
          security: TOKEN_SECURITY,
          parameters: [
            after('Default: from the oldest event kept.', { default: 0 }),
            limit(EVENTS_DEFAULT_LIMIT, EVENTS_MAX_LIMIT, 'oldest first'),
            {
              name: 'monitor',
              in: 'query',
              description: 'Only this monitor.',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': response('A page of events; pass `next` as `after` for the following one.', ref('EventPage')),
            '400': errorResponse('BadRequest'),
            '401': errorResponse('Unauthorized'),
          },
        },
      },
      [`${API_PREFIX}/events/stream`]: {
        get: {
          operationId: 'streamEvents',
          summary: 'State changes as server-sent events, as they are committed (token holders only)',
          security: TOKEN_SECURITY,
          parameters: [
            {
              name: 'Last-Event-ID',
              in: 'header',
              description: 'Resume after this event id (EventSource sends it when it reconnects). Wins over `after`.',
              schema: { type: 'integer', minimum: 0 },
            },
            after('`0`: from the oldest event kept. Default: from now.'),
          ],
          responses: {
            '200': {
              description: STREAM_DESCRIPTION,
              content: { 'text/event-stream': { schema: { type: 'string' }, example: streamExample() } },
            },
            '400': errorResponse('BadRequest'),
            '401': errorResponse('Unauthorized'),
          },
        },
      },
      [`${API_PREFIX}/notifications`]: {
        get: {
          operationId: 'listNotifications',
          summary: 'Alert notifications and their delivery attempts, newest first (token holders only)',
          security: TOKEN_SECURITY,
          parameters: [
            {
              name: 'before',
              in: 'query',
              description: 'Notifications older than this id (`next` of the previous page).',
              schema: { type: 'integer', minimum: 1 },
            },
            limit(NOTIFICATIONS_DEFAULT_LIMIT, NOTIFICATIONS_MAX_LIMIT),
            { name: 'monitor', in: 'query', description: 'Only this monitor.', schema: { type: 'string' } },
            {
              name: 'status',
              in: 'query',
              description: 'Only this status.',
              schema: { type: 'string', enum: [...DELIVERY_STATUSES] },
            },
          ],
          responses: {
            '200': response('A page of notifications.', ref('NotificationPage')),
            '400': errorResponse('BadRequest'),
            '401': errorResponse('Unauthorized'),
          },
        },
      },
      [`${API_PREFIX}/audit`]: {
        get: {
          operationId: 'listAudit',
          summary: 'Who changed what, newest first (admin tokens only)',
          security: ADMIN_SECURITY,
          parameters: [
            {
              name: 'before',
              in: 'query',
              description: 'Entries older than this id (`next` of the previous page).',
              schema: { type: 'integer', minimum: 1 },
            },
            limit(AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT),
            {
              name: 'subject',
              in: 'query',
              description: 'Only changes of this monitor (or token id).',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': response('A page of the audit log.', ref('AuditPage')),
            '400': errorResponse('BadRequest'),
            ...writeErrors,
          },
        },
      },
      [`${API_PREFIX}/tokens`]: {
        get: {
          operationId: 'listTokens',
          summary: 'API tokens, without their secrets (admin tokens only)',
          security: ADMIN_SECURITY,
          responses: { '200': response('The tokens.', ref('TokenList')), ...writeErrors },
        },
        post: {
          operationId: 'createToken',
          summary: 'Create an API token; its secret is in this answer only (admin tokens only)',
          security: ADMIN_SECURITY,
          requestBody: { required: true, content: content(ref('NewToken')) },
          responses: {
            '201': response('Created: `token` is the secret, shown this once (only its hash is stored).', ref('CreatedToken')),
            ...writeErrors,
            ...zodBodyErrors,
            '409': response('A token with this name exists (`conflict`).', ref('Error')),
          },
        },
      },
      [`${API_PREFIX}/tokens/{id}`]: {
        delete: {
          operationId: 'revokeToken',
          summary: "Revoke an API token, the caller's own included: it is refused (401) from the next request on (admin tokens only)",
          security: ADMIN_SECURITY,
          parameters: [
            { name: 'id', in: 'path', required: true, description: 'The token id (`tok_…`).', schema: { type: 'string' } },
          ],
          responses: {
            '204': response('Revoked.'),
            ...writeErrors,
            '404': response('No such token.', ref('Error')),
          },
        },
      },
      [`${API_PREFIX}/channels`]: {
        get: {
          operationId: 'listChannels',
          summary: 'The notification channels of the configuration: names and types, never their settings (token holders only)',
          security: TOKEN_SECURITY,
          responses: { '200': response('The channels.', ref('ChannelList')), '401': errorResponse('Unauthorized') },
        },
      },
      [`${API_PREFIX}/channels/{name}/test`]: {
        post: {
          operationId: 'testChannel',
          summary: 'Send a test message through a channel now, as `vigil notify test` does',
          description:
            "Nothing is written to the notifications outbox. The send has a deadline (the alerts' `send_timeout`, at most 15 s): a receiver that does not answer in time is a 502.",
          security: WRITE_SECURITY,
          parameters: [
            { name: 'name', in: 'path', required: true, description: 'The channel, by its name in `alerts.channels`.', schema: { type: 'string' } },
          ],
          responses: {
            '200': response('Delivered.', ref('TestDelivery')),
            ...writeErrors,
            '404': response('No such channel.', ref('Error')),
            '502': response(
              "Not delivered (`delivery_failed`): the message says what the receiver answered or why it could not be reached, the channel's URL and keys masked.",
              ref('Error'),
            ),
          },
        },
      },
      [AGENT_MONITORS_PATH]: {
        get: {
          operationId: 'listAgentMonitors',
          summary: 'The monitors an agent of a location checks, with their full definitions, secrets included (agent and admin tokens only)',
          description:
            'For `vigil agent --location NAME`: the probing monitors whose `locations` include NAME and that are not paused, as the server loaded them (defaults applied, durations in milliseconds, `${ENV}` substituted) — secrets included, since the agent runs them: an agent token is as sensitive as the configuration file. Answered with an `ETag`; sent back in `If-None-Match`, it makes the answer a bodiless 304 while nothing changed.',
          security: AGENT_SECURITY,
          parameters: [
            {
              name: 'location',
              in: 'query',
              required: true,
              description: "The agent's location: not the server's own.",
              schema: { type: 'string', pattern: LOCATION_PATTERN.source },
            },
            {
              name: 'If-None-Match',
              in: 'header',
              description: 'The `ETag` of the last answer: 304 when the monitors are still the same.',
              schema: { type: 'string' },
            },
          ],
          responses: {
            '200': { ...response('The monitors.', ref('AgentMonitorList')), headers: { ETag: { schema: { type: 'string' } } } },
            '304': { description: 'Nothing changed since the `ETag` given in `If-None-Match`.', headers: { ETag: { schema: { type: 'string' } } } },
            '400': errorResponse('BadRequest'),
            ...writeErrors,
            '422': response("The location is the server's own (`invalid_request`).", ref('Error')),
          },
        },
      },
      [RESULTS_PATH]: {
        post: {
          operationId: 'postResults',
          summary: 'Send the results an agent checked (agent and admin tokens only)',
          description: `The results go through the check pipeline of the agent's location, as the server's own go through its own: states, incidents, events and alerts follow, under that location. Answered once every result is stored. A result not newer than the last one recorded for its monitor at that location is skipped as already stored, so a batch sent again after an unclear failure counts nothing twice. Each monitor's results must be oldest first, at most ${CLOCK_AHEAD_MAX_MS / 60_000} minutes ahead of the server's clock.`,
          security: AGENT_SECURITY,
          requestBody: { required: true, content: content(ref('AgentResults')) },
          responses: {
            '200': response('Stored.', ref('ResultsAccepted')),
            ...writeErrors,
            ...zodBodyErrors,
            '422': response(
              "Nothing stored: the location is the server's own, or some results were refused (`invalid_request`) — a monitor not checked from this location (`results.N.monitor`), a time out of order or ahead of the server's clock (`results.N.at`); `error.issues` names each.",
              ref('Error'),
            ),
          },
        },
      },
      ...jobPaths(),
      [`${API_PREFIX}/openapi.json`]: {
        get: {
          operationId: 'getOpenApi',
          summary: 'This document',
          security: READ_SECURITY,
          responses: { '200': response('The OpenAPI 3.1 document.', { type: 'object' }) },
        },
      },
    },
    components: {
      securitySchemes: {
        bearerAuth: {
          type: 'http',
          scheme: 'bearer',
          description:
            'An API token from `vigil token create --name NAME --scope read|write|admin|agent` (`vgl_…`). A requirement lists the scope it needs; `admin` includes `write`, which includes `read`; `agent` is for the agent endpoints only, which `admin` may call too.',
        },
      },
      parameters: {
        MonitorId: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The monitor id (`[a-z0-9_-]`).',
          schema: { type: 'string' },
        },
        StatusIncidentId: {
          name: 'id',
          in: 'path',
          required: true,
          description: 'The status incident id.',
          schema: { type: 'integer', minimum: 1 },
        },
      },
      responses: {
        BadRequest: response('A query parameter or the body is malformed.', ref('Error')),
        Unauthorized: {
          ...response('No token, or an invalid or revoked one.', ref('Error')),
          headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
        },
        Forbidden: response("The token's scope does not cover this request (`forbidden`): it needs the scope listed in `security`.", ref('Error')),
        NotFound: response('No such monitor, or one the caller may not see.', ref('Error')),
        Conflict: response(
          'The id or name is taken (`conflict`), the monitor comes from a configuration file (`read_only`), or it is paused by its definition (`paused_in_config`).',
          ref('Error'),
        ),
        PayloadTooLarge: response('The body is larger than the limit (1 MiB by default).', ref('Error')),
        UnsupportedMediaType: response('The body is not `application/json` (UTF-8).', ref('Error')),
        Unprocessable: response('The body is not a valid monitor definition; `error.issues` lists each problem.', ref('Error')),
      },
      schemas: {
        ...responseSchemas(),
        ...requestSchemas(),
        MonitorDefinition: monitorDefinitionSchema(),
      },
    },
  };
}

let cached: Json | undefined;

/** The document (built once). */
export function openApiDocument(): Json {
  cached ??= buildDocument();
  return cached;
}

export function registerOpenApiRoute(router: ApiRouter): void {
  router.add('GET', `${API_PREFIX}/openapi.json`, route('public', (): Reply => json(200, openApiDocument())));
}
