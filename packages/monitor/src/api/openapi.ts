/**
 * The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json. A test walks the router and checks that
 * every route is described here (and nothing else), with its path parameters. The monitor definition schema
 * is generated from the configuration's own monitor schema, so it cannot drift from what is validated.
 */
import { z } from 'zod';
import { isSecretSchema } from '../config/fields.js';
import { monitorSchema } from '../config/index.js';
import { json, type Reply } from '../http/json.js';
import { API_PREFIX, type ApiRouter } from './context.js';
import { INCIDENTS_DEFAULT_LIMIT, INCIDENTS_MAX_LIMIT } from './incidents.js';
import { MONITOR_STATES } from './monitors.js';
import { RESULTS_DEFAULT_LIMIT, RESULTS_MAX_LIMIT } from './results.js';
import { UPTIME_WINDOWS } from './uptime.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const nullable = (type: string, extra: Json = {}): Json => ({ type: [type, 'null'], ...extra });

function content(schema: Json): Json {
  return { 'application/json': { schema } };
}

function response(description: string, schema?: Json): Json {
  return schema ? { description, content: content(schema) } : { description };
}

const errorResponse = (description: string) => ({ $ref: `#/components/responses/${description}` });

const monitorId: Json = { $ref: '#/components/parameters/MonitorId' };

function limit(defaultValue: number, max: number): Json {
  return {
    name: 'limit',
    in: 'query',
    description: `How many, newest first (1 to ${max}).`,
    schema: { type: 'integer', minimum: 1, maximum: max, default: defaultValue },
  };
}

/** Reads are open to anonymous callers (public monitors only); writes need a token. */
const READ_SECURITY = [{}, { bearerAuth: [] }];
const WRITE_SECURITY = [{ bearerAuth: [] }];

const writeErrors = {
  '401': errorResponse('Unauthorized'),
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

function buildDocument(): Json {
  const m = `${API_PREFIX}/monitors`;
  return {
    openapi: '3.1.0',
    info: {
      title: 'Vigil API',
      version: '1',
      description:
        'Monitors, results, uptime and incidents of a `vigil serve` instance. Anonymous callers see public monitors only; an API token (`vigil token create --name NAME`, sent as `Authorization: Bearer <token>`) sees every monitor and may write. Errors are `{ "error": { "code", "message" } }`.',
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
              description: 'Only these states (comma-separated or repeated).',
              schema: { type: 'string' },
              example: 'unhealthy,degraded',
            },
          ],
          responses: {
            '200': response('The monitors the caller may see.', ref('MonitorList')),
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
              ...response('Created; `Location` is its URL.', ref('Monitor')),
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
          responses: { '200': response('The monitor.', ref('Monitor')), '404': errorResponse('NotFound') },
        },
        put: {
          operationId: 'replaceMonitor',
          summary: 'Replace the definition of a monitor created through the API',
          security: WRITE_SECURITY,
          parameters: [monitorId],
          requestBody: { required: true, content: content(ref('MonitorDefinition')) },
          responses: {
            '200': response('The monitor after the change.', ref('Monitor')),
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
            '200': response('The monitor, paused.', ref('Monitor')),
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
            '200': response('The monitor, resumed.', ref('Monitor')),
            ...writeErrors,
            '404': errorResponse('NotFound'),
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
          description: 'An API token from `vigil token create --name NAME` (`vgl_…`).',
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
      },
      responses: {
        BadRequest: response('A query parameter or the body is malformed.', ref('Error')),
        Unauthorized: {
          ...response('No token, or an invalid or revoked one.', ref('Error')),
          headers: { 'WWW-Authenticate': { schema: { type: 'string' } } },
        },
        NotFound: response('No such monitor, or one the caller may not see.', ref('Error')),
        Conflict: response('The id or name is taken, or the monitor comes from a configuration file.', ref('Error')),
        PayloadTooLarge: response('The body is larger than the limit (1 MiB by default).', ref('Error')),
        UnsupportedMediaType: response('The body is not `application/json` (UTF-8).', ref('Error')),
        Unprocessable: response('The monitor definition is invalid; `error.issues` lists each problem.', ref('Error')),
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', examples: ['not_found', 'unauthorized', 'invalid_monitor'] },
                message: { type: 'string' },
                issues: {
                  type: 'array',
                  items: {
                    type: 'object',
                    required: ['path', 'message'],
                    properties: { path: { type: 'string' }, message: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
        Monitor: {
          type: 'object',
          required: [
            'id',
            'name',
            'type',
            'group',
            'tags',
            'description',
            'public',
            'paused',
            'state',
            'interval_ms',
            'last_check_at',
          ],
          properties: {
            id: { type: 'string' },
            name: { type: 'string' },
            type: { type: 'string' },
            group: nullable('string'),
            tags: { type: 'array', items: { type: 'string' } },
            description: nullable('string'),
            public: { type: 'boolean' },
            paused: { type: 'boolean' },
            state: { type: 'string', enum: [...MONITOR_STATES] },
            interval_ms: nullable('number'),
            last_check_at: nullable('string', { format: 'date-time' }),
            source: {
              type: 'string',
              enum: ['config', 'api'],
              description: 'Token holders only. `config` monitors are read-only through the API.',
            },
            target: { type: 'string', description: 'Token holders only. What is checked, credentials redacted.' },
            definition: {
              ...nullable('object'),
              description: 'Token holders only, single monitor: the definition with secrets replaced by "***".',
            },
          },
        },
        MonitorList: {
          type: 'object',
          required: ['monitors'],
          properties: { monitors: { type: 'array', items: ref('Monitor') } },
        },
        MonitorDefinition: monitorDefinitionSchema(),
        Result: {
          type: 'object',
          required: ['at', 'status', 'latency_ms', 'location'],
          properties: {
            at: { type: 'string', format: 'date-time' },
            status: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] },
            latency_ms: { type: 'number' },
            status_code: nullable('integer'),
            timings: {
              ...nullable('object'),
              properties: Object.fromEntries(
                ['dns_ms', 'connect_ms', 'tls_ms', 'first_byte_ms', 'transfer_ms'].map((k) => [k, { type: 'number' }]),
              ),
            },
            error: nullable('string'),
            components: {
              ...nullable('object'),
              additionalProperties: { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] },
            },
            conditions: {
              ...nullable('array'),
              items: {
                type: 'object',
                required: ['condition', 'success', 'output'],
                properties: { condition: { type: 'string' }, success: { type: 'boolean' }, output: { type: 'string' } },
              },
            },
            certificate_expires_at: nullable('string', { format: 'date-time' }),
            location: { type: 'string' },
          },
        },
        ResultList: {
          type: 'object',
          required: ['monitor', 'results'],
          properties: { monitor: { type: 'string' }, results: { type: 'array', items: ref('Result') } },
        },
        UptimeWindow: {
          type: 'object',
          required: ['uptime', 'checks', 'failures', 'latency_avg_ms', 'latency_p95_ms'],
          properties: {
            uptime: nullable('number', {
              minimum: 0,
              maximum: 1,
              description: 'Up (healthy or degraded) checks ÷ checks; null without checks.',
            }),
            checks: { type: 'integer' },
            failures: { type: 'integer' },
            latency_avg_ms: nullable('number'),
            latency_p95_ms: nullable('number'),
          },
        },
        Uptime: {
          type: 'object',
          required: Object.keys(UPTIME_WINDOWS),
          properties: Object.fromEntries(Object.keys(UPTIME_WINDOWS).map((name) => [name, ref('UptimeWindow')])),
        },
        Incident: {
          type: 'object',
          required: ['id', 'monitor', 'status', 'started_at', 'ended_at', 'cause'],
          properties: {
            id: { type: 'integer' },
            monitor: { type: 'string' },
            status: { type: 'string', enum: ['degraded', 'unhealthy'] },
            started_at: { type: 'string', format: 'date-time' },
            ended_at: nullable('string', { format: 'date-time', description: 'null while it lasts.' }),
            cause: nullable('string'),
          },
        },
        IncidentList: {
          type: 'object',
          required: ['incidents'],
          properties: { incidents: { type: 'array', items: ref('Incident') } },
        },
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
  router.add('GET', `${API_PREFIX}/openapi.json`, (): Reply => json(200, openApiDocument()));
}
