/**
 * The OpenAPI document stays in sync with the router: every route is documented (and nothing else), with its
 * path parameters; every reference resolves; every schema in it compiles with ajv (JSON Schema 2020-12, strict);
 * and real responses of every route, errors included, are validated by ajv against the documented schema of
 * their route and status.
 */
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AgentControl, createApiRouter, openApiDocument } from '../../src/api/index.js';
import type { ProbingMonitor } from '../../src/monitors/types.js';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ERROR_CODES, REQUEST_SCHEMAS, RESPONSE_SCHEMAS } from '../../src/api/schemas.js';
import { REPO } from '../support.js';
import { MONITOR_STATES } from '../../src/model.js';
import { httpDefinition, NOW, startApi, type TestApi } from './harness.js';
import { seedChange, seedIncident } from '../store/seed.js';

// ajv-formats is CommonJS: imported from ESM, its default is `module.exports`, whose `default` is the plugin.
const addFormats = ajvFormats.default;

const doc = openApiDocument() as any;
const METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'];
const toOpenApiPath = (pattern: string) => pattern.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

function resolve(node: any): any {
  if (node && typeof node === 'object' && typeof node.$ref === 'string') {
    const target = node.$ref
      .replace(/^#\//, '')
      .split('/')
      .reduce((at: any, key: string) => at?.[key], doc);
    if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
    return resolve(target);
  }
  return node;
}

function operations(): Array<{ path: string; method: string; operation: any }> {
  return Object.entries(doc.paths as Record<string, any>).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => METHODS.includes(method))
      .map(([method, operation]) => ({ path, method, operation })),
  );
}

/** A JSON pointer (RFC 6901) to `keys` in the document. */
const pointer = (...keys: string[]) => keys.map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

/**
 * ajv for OpenAPI 3.1: its schemas are JSON Schema 2020-12, compiled in strict mode (an unknown keyword throws).
 * The document itself is registered as one resource so that its `#/components/...` references resolve; ajv
 * compiles the root when a reference into it is resolved, so the fields of an OpenAPI document are declared as
 * keywords without validation (their values are not schemas, and ajv does not descend into them).
 */
const DOCUMENT_ID = 'https://vigil.invalid/api/v1/openapi.json';
const OPENAPI_DOCUMENT_FIELDS = ['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs'];
const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats(ajv);
ajv.addVocabulary(OPENAPI_DOCUMENT_FIELDS);
ajv.addSchema(doc, DOCUMENT_ID);

/** The validator of the schema at `at` (a JSON pointer into the document). */
function validatorAt(at: string): ValidateFunction {
  const validate = ajv.getSchema(`${DOCUMENT_ID}#${at.split('/').map(encodeURIComponent).join('/')}`);
  if (!validate) throw new Error(`no schema at ${at}`);
  return validate;
}

/** Every schema in the document: the components, and the `schema` of each parameter, header and media type. */
function schemaLocations(): string[] {
  const found = Object.keys(doc.components.schemas).map((name) => pointer('components', 'schemas', name));
  const visit = (node: unknown, at: string[]): void => {
    if (Array.isArray(node)) node.forEach((item, i) => visit(item, [...at, String(i)]));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'schema' && value && typeof value === 'object') found.push(pointer(...at, key));
        else visit(value, [...at, key]);
      }
    }
  };
  visit(doc.paths, ['paths']);
  const { schemas: _schemas, ...components } = doc.components;
  visit(components, ['components']);
  return found;
}

/** What ajv found wrong, one line each (`<instance path>: <message>`); empty when `value` is valid. */
function problems(validate: ValidateFunction, value: unknown): string[] {
  if (validate(value)) return [];
  return (validate.errors ?? []).map((e: ErrorObject) => {
    const detail = e.keyword === 'additionalProperties' ? ` (${String(e.params.additionalProperty)})` : '';
    return `${e.instancePath || '/'}: ${e.message ?? e.keyword}${detail}`;
  });
}

const componentValidator = (name: string) => validatorAt(pointer('components', 'schemas', name));

/** The documented answer of an operation for a status: where its JSON schema is, and its media types. */
function documentedResponse(pattern: string, method: string, status: number) {
  const node = doc.paths[pattern]?.[method]?.responses?.[String(status)];
  if (node === undefined) return undefined;
  const at = typeof node.$ref === 'string' ? (node.$ref as string).slice(1) : pointer('paths', pattern, method, 'responses', String(status));
  const response = resolve(node);
  return {
    mediaTypes: Object.keys(response.content ?? {}),
    jsonSchemaAt: response.content?.['application/json'] ? `${at}${pointer('content', 'application/json', 'schema')}` : undefined,
  };
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with a bearer security scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every route of the router, with its path parameters, and nothing else', () => {
    const routes = createApiRouter().routes;
    expect(routes.length).toBeGreaterThanOrEqual(13);
    const documented = new Set(operations().map(({ path, method }) => `${method.toUpperCase()} ${path}`));
    const routed = new Set(routes.map((r) => `${r.method} ${toOpenApiPath(r.pattern)}`));
    expect([...routed].filter((r) => !documented.has(r)), 'routes missing from the document').toEqual([]);
    expect([...documented].filter((d) => !routed.has(d)), 'documented operations without a route').toEqual([]);

    for (const route of routes) {
      const operation = doc.paths[toOpenApiPath(route.pattern)][route.method.toLowerCase()];
      const pathParams = [...route.pattern.matchAll(/:([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]);
      const declared = (operation.parameters ?? [])
        .map(resolve)
        .filter((p: any) => p.in === 'path')
        .map((p: any) => {
          expect(p.required, `${route.pattern} ${p.name}`).toBe(true);
          return p.name;
        });
      expect(declared.sort(), `${route.method} ${route.pattern}`).toEqual(pathParams.sort());
      // The document says who may call as the route enforces it: anyone, or a token with the scope listed.
      const access = route.handler.access;
      expect(operation.security, `${route.method} ${route.pattern}`).toEqual(
        access === 'public' ? [{}, { bearerAuth: [] }] : [{ bearerAuth: [access] }],
      );
      if (access !== 'public') expect(Object.keys(operation.responses)).toContain('401');
      if (access === 'write' || access === 'admin') expect(Object.keys(operation.responses)).toContain('403');
      if (route.method === 'POST' || route.method === 'PUT' || route.method === 'PATCH') {
        if (operation.requestBody) {
          // A monitor definition is refused with 422 (`error.issues`); a body validated with zod with 400.
          expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['400', '413', '415']));
          const ref = operation.requestBody.content['application/json'].schema.$ref as string;
          if (ref.endsWith('/MonitorDefinition')) expect(Object.keys(operation.responses)).toContain('422');
        }
      }
    }
  });

  it('lists the same error codes as docs/api.md, which explains each', () => {
    const doc = readFileSync(path.join(REPO, 'docs/api.md'), 'utf8');
    const table = doc.slice(doc.indexOf('| status | `code` | when |'), doc.indexOf('Markup in messages'));
    const documented = [...table.matchAll(/^\| \d{3} \| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect([...documented].sort()).toEqual([...ERROR_CODES].sort());
  });

  it('has unique operation ids and no dangling reference', () => {
    const ids = operations().map(({ operation }) => operation.operationId);
    expect(new Set(ids).size).toBe(ids.length);
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) node.forEach(visit);
      else if (node && typeof node === 'object') {
        if (typeof (node as any).$ref === 'string' && (node as any).$ref.startsWith('#/')) resolve(node);
        Object.values(node).forEach(visit);
      }
    };
    visit(doc);
  });

  it('has only valid JSON Schema 2020-12, which ajv compiles in strict mode', () => {
    const locations = schemaLocations();
    expect(locations.length).toBeGreaterThan(Object.keys(doc.components.schemas).length);
    for (const at of locations) {
      const schema = at.split('/').slice(1).reduce((node: any, key) => node[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
      expect(ajv.validateSchema(schema), `${at}: ${ajv.errorsText(ajv.errors)}`).toBe(true);
      expect(() => validatorAt(at), at).not.toThrow();
    }
  });

  it('generates the response schemas from the zod schemas of api/schemas.ts', () => {
    expect(Object.keys(doc.components.schemas).sort()).toEqual(
      [...Object.keys(RESPONSE_SCHEMAS), ...Object.keys(REQUEST_SCHEMAS), 'MonitorDefinition'].sort(),
    );
    for (const name of ['PublicMonitor', 'Monitor', 'MonitorWithDefinition']) {
      expect(doc.components.schemas[name].properties.state.enum, name).toEqual([...MONITOR_STATES]);
    }
    expect(doc.components.schemas.StateChangeEvent.properties.to.enum).toEqual([...MONITOR_STATES]);
    expect(doc.components.schemas.Result.properties.at).toMatchObject({ type: 'string', format: 'date-time' });
    // A component used inside another is referenced, not copied.
    expect(doc.components.schemas.ResultList.properties.results.items).toEqual({ $ref: '#/components/schemas/Result' });
  });

  it('generates the monitor definition from the configuration schema, secrets writeOnly', () => {
    const definition = doc.components.schemas.MonitorDefinition;
    const members = definition.oneOf ?? definition.anyOf;
    const types = members.map((m: any) => m.properties.type.const);
    expect(types).toEqual(['http', 'health', 'tcp', 'dns', 'tls', 'postgres', 'mysql', 'redis', 'rabbitmq', 'heartbeat']);
    const postgres = members.find((m: any) => m.properties.type.const === 'postgres');
    expect(postgres.properties.url.writeOnly).toBe(true);
    expect(postgres.properties.password.writeOnly).toBe(true);
    const http = members[0];
    expect(http.properties.headers.writeOnly).toBe(true);
    expect(http.properties.name.writeOnly).toBeUndefined();
  });

  it('documents the event stream as text/event-stream, with an example whose data is a StateChangeEvent', () => {
    const ok = doc.paths['/api/v1/events/stream'].get.responses['200'];
    expect(Object.keys(ok.content)).toEqual(['text/event-stream']);
    expect(ok.description).toContain('event: state-change');
    expect(ok.description).toContain('StateChangeEvent');
    const example: string = ok.content['text/event-stream'].example;
    expect(example).toMatch(/^id: 42\nevent: state-change\ndata: \{.*\}\n\n$/);
    const data = JSON.parse(/^data: (.*)$/m.exec(example)?.[1] ?? '');
    expect(problems(componentValidator('StateChangeEvent'), data)).toEqual([]);
  });
});

describe('responses match the document', () => {
  let api: TestApi;

  // An agent of eu-west checks shop-api (the real agent endpoints run against a real server in test/agent).
  const agents: AgentControl = {
    ownLocation: 'local',
    monitorsAt: (location) =>
      location === 'eu-west' ? [{ config: api.service.registry.get('shop-api')?.config as ProbingMonitor, paused: false }] : [],
    record: (_location, results) => Promise.resolve({ accepted: results.length, skipped: 0 }),
  };
  const agentResult = (monitor: string) => ({ monitor, at: new Date(NOW - 1000).toISOString(), status: 'healthy', latency_ms: 12.5, status_code: 200, timings: { connect_ms: 1 }, error: null });

  beforeAll(async () => {
    api = await startApi({
      agents,
      // Two channels: one that delivers, one whose receiver refuses.
      channels: {
        list: () => [
          { name: 'hook', type: 'webhook' },
          { name: 'down', type: 'slack' },
        ],
        test: async (name) =>
          name === 'hook'
            ? { delivered: true, status: 200, durationMs: 12 }
            : name === 'down'
              ? { delivered: false, error: 'the receiver answered HTTP 500: busy', status: 500, durationMs: 7 }
              : undefined,
      },
    });
    await api.store.appendResults([
      {
        monitorId: 'shop-api',
        at: NOW - 60_000,
        status: 'healthy',
        latencyMs: 42,
        statusCode: 200,
        timings: { dns: 1, connect: 2, firstByte: 30 },
        components: { db: 'healthy' },
        conditions: [{ condition: '[STATUS] == 200', success: true, output: '[STATUS] (200) == 200' }],
        certificateExpiresAt: NOW + 86_400_000,
        location: 'local',
      },
      {
        monitorId: 'shop-api',
        at: NOW - 120_000,
        status: 'unhealthy',
        latencyMs: 10_000,
        error: 'timeout',
        location: 'local',
      },
    ]);
    // An incident that ended (three state changes: new → unhealthy → healthy), and one that lasts.
    await seedIncident(api.store, {
      monitorId: 'shop-api',
      status: 'unhealthy',
      startedAt: NOW - 120_000,
      endedAt: NOW - 60_000,
      cause: 'timeout',
    });
    await seedChange(api.store, 'orders-db', 'degraded', NOW - 30_000, 'slow queries');
    // A notification sent twice: a transient failure, then delivered.
    const payload = {
      idempotencyKey: 'shop-api/local/1/ops',
      alertKey: 'shop-api/local/1',
      kind: 'trigger',
      severity: 'critical',
      monitor: { id: 'shop-api', name: 'Shop API', type: 'http' },
      location: 'local',
      state: 'unhealthy',
      cause: 'timeout',
      at: NOW - 60_000,
    };
    await api.store.commit([
      {
        monitorId: 'shop-api',
        location: 'local',
        results: [],
        state: { monitorId: 'shop-api', location: 'local', state: 'unhealthy', consecutiveFailures: 3, seq: 2, alert: { seq: 1, bad: 3, good: 0 } },
        step: {
          at: NOW - 60_000,
          notifications: [
            { idempotencyKey: 'shop-api/local/1/ops', monitorId: 'shop-api', location: 'local', alertSeq: 1, channel: 'ops', kind: 'trigger', payload, createdAt: NOW - 60_000 },
          ],
        },
      },
    ]);
    const [first] = await api.store.claimNotifications({ now: NOW - 59_000, leaseMs: 10_000, limit: 1 });
    await api.store.finishNotification(first!, { attempt: 1, at: NOW - 59_000, outcome: 'transient', status: 503, error: 'the receiver answered HTTP 503', durationMs: 20 }, { status: 'pending', nextAttemptAt: NOW - 50_000 });
    const [second] = await api.store.claimNotifications({ now: NOW - 50_000, leaseMs: 10_000, limit: 1 });
    await api.store.finishNotification(second!, { attempt: 2, at: NOW - 50_000, outcome: 'delivered', status: 200, response: 'ok', durationMs: 15 }, { status: 'delivered' });
  });

  afterAll(() => api.close());

  const SI = '/api/v1/status-incidents';
  const MW = '/api/v1/maintenance';
  const cases: Array<{
    method: string;
    path: string;
    pattern: string;
    auth?: boolean | 'read';
    json?: unknown;
    status?: number;
  }> = [
    { method: 'GET', path: '/api/v1/monitors', pattern: '/api/v1/monitors' },
    { method: 'GET', path: '/api/v1/monitors', pattern: '/api/v1/monitors', auth: true },
    { method: 'GET', path: '/api/v1/monitors?state=nope', pattern: '/api/v1/monitors', status: 400 },
    { method: 'POST', path: '/api/v1/monitors', pattern: '/api/v1/monitors', auth: true, json: httpDefinition(), status: 201 },
    { method: 'POST', path: '/api/v1/monitors', pattern: '/api/v1/monitors', auth: true, json: { type: 'http' }, status: 422 },
    { method: 'POST', path: '/api/v1/monitors', pattern: '/api/v1/monitors', json: httpDefinition(), status: 401 },
    { method: 'GET', path: '/api/v1/monitors/checkout', pattern: '/api/v1/monitors/{id}', auth: true },
    { method: 'GET', path: '/api/v1/monitors/shop-api', pattern: '/api/v1/monitors/{id}' },
    { method: 'GET', path: '/api/v1/monitors/orders-db', pattern: '/api/v1/monitors/{id}', status: 404 },
    {
      method: 'PUT',
      path: '/api/v1/monitors/checkout',
      pattern: '/api/v1/monitors/{id}',
      auth: true,
      json: httpDefinition({ interval: '2m' }),
    },
    {
      method: 'PUT',
      path: '/api/v1/monitors/shop-api',
      pattern: '/api/v1/monitors/{id}',
      auth: true,
      json: httpDefinition(),
      status: 409,
    },
    { method: 'POST', path: '/api/v1/monitors/shop-api/pause', pattern: '/api/v1/monitors/{id}/pause', auth: true },
    { method: 'POST', path: '/api/v1/monitors/shop-api/resume', pattern: '/api/v1/monitors/{id}/resume', auth: true },
    { method: 'GET', path: '/api/v1/monitors/shop-api/results', pattern: '/api/v1/monitors/{id}/results' },
    { method: 'GET', path: '/api/v1/monitors/shop-api/results?limit=0', pattern: '/api/v1/monitors/{id}/results', status: 400 },
    { method: 'GET', path: '/api/v1/monitors/shop-api/uptime', pattern: '/api/v1/monitors/{id}/uptime' },
    { method: 'GET', path: '/api/v1/signals?monitor=shop-api', pattern: '/api/v1/signals' },
    { method: 'GET', path: '/api/v1/incidents', pattern: '/api/v1/incidents' },
    { method: 'GET', path: '/api/v1/incidents', pattern: '/api/v1/incidents', auth: true },
    { method: 'GET', path: '/api/v1/incidents?monitor=nope', pattern: '/api/v1/incidents', status: 404 },
    { method: 'GET', path: '/api/v1/events', pattern: '/api/v1/events', auth: true },
    { method: 'GET', path: '/api/v1/events?after=1&limit=1&monitor=shop-api', pattern: '/api/v1/events', auth: true },
    { method: 'GET', path: '/api/v1/events?after=soon', pattern: '/api/v1/events', auth: true, status: 400 },
    { method: 'GET', path: '/api/v1/events', pattern: '/api/v1/events', status: 401 },
    { method: 'GET', path: '/api/v1/events/stream', pattern: '/api/v1/events/stream', status: 401 },
    { method: 'GET', path: '/api/v1/openapi.json', pattern: '/api/v1/openapi.json' },
    { method: 'POST', path: '/api/v1/monitors/shop-api/pause', pattern: '/api/v1/monitors/{id}/pause', auth: 'read', status: 403 },
    { method: 'GET', path: '/api/v1/notifications', pattern: '/api/v1/notifications', auth: true },
    { method: 'GET', path: '/api/v1/notifications?status=dead&monitor=shop-api&limit=5', pattern: '/api/v1/notifications', auth: true },
    { method: 'GET', path: '/api/v1/notifications?status=lost', pattern: '/api/v1/notifications', auth: true, status: 400 },
    { method: 'GET', path: '/api/v1/notifications', pattern: '/api/v1/notifications', status: 401 },
    { method: 'GET', path: '/api/v1/audit', pattern: '/api/v1/audit', auth: true },
    { method: 'GET', path: '/api/v1/audit?limit=1&subject=shop-api', pattern: '/api/v1/audit', auth: true },
    { method: 'GET', path: '/api/v1/audit?before=x', pattern: '/api/v1/audit', auth: true, status: 400 },
    { method: 'GET', path: '/api/v1/audit', pattern: '/api/v1/audit', auth: 'read', status: 403 },
    { method: 'GET', path: '/api/v1/audit', pattern: '/api/v1/audit', status: 401 },
    { method: 'GET', path: '/api/v1/status-incidents', pattern: SI },
    { method: 'POST', path: '/api/v1/status-incidents', pattern: SI, auth: true, json: { title: 'Checkout errors', message: 'Looking into it.', monitors: ['shop-api', { id: 'orders-db', impact: 'partial' }] }, status: 201 },
    { method: 'POST', path: '/api/v1/status-incidents', pattern: SI, auth: true, json: { title: 'Draft', message: 'Not yet.', published: false }, status: 201 },
    { method: 'POST', path: '/api/v1/status-incidents', pattern: SI, auth: true, json: { title: '', message: 'x', status: 'fixed' }, status: 400 },
    { method: 'POST', path: '/api/v1/status-incidents', pattern: SI, auth: true, json: { title: 'x', message: 'x', monitors: ['nope'] }, status: 400 },
    { method: 'POST', path: '/api/v1/status-incidents', pattern: SI, json: { title: 'x', message: 'x' }, status: 401 },
    { method: 'POST', path: '/api/v1/status-incidents', pattern: SI, auth: 'read', json: { title: 'x', message: 'x' }, status: 403 },
    { method: 'GET', path: '/api/v1/status-incidents', pattern: SI },
    { method: 'GET', path: '/api/v1/status-incidents?limit=1&since=2025-01-01', pattern: SI, auth: 'read' },
    { method: 'GET', path: '/api/v1/status-incidents?since=yesterday', pattern: SI, status: 400 },
    { method: 'GET', path: '/api/v1/status-incidents/1', pattern: `${SI}/{id}` },
    { method: 'GET', path: '/api/v1/status-incidents/1', pattern: `${SI}/{id}`, auth: true },
    { method: 'GET', path: '/api/v1/status-incidents/2', pattern: `${SI}/{id}`, status: 404 },
    { method: 'POST', path: '/api/v1/status-incidents/1/updates', pattern: `${SI}/{id}/updates`, auth: true, json: { status: 'resolved', message: 'Fixed.' }, status: 201 },
    { method: 'POST', path: '/api/v1/status-incidents/1/updates', pattern: `${SI}/{id}/updates`, auth: true, json: { status: 'identified' }, status: 400 },
    { method: 'POST', path: '/api/v1/status-incidents/99/updates', pattern: `${SI}/{id}/updates`, auth: true, json: { message: 'x' }, status: 404 },
    { method: 'PATCH', path: '/api/v1/status-incidents/2', pattern: `${SI}/{id}`, auth: true, json: { published: true, monitors: ['shop-api'] } },
    { method: 'PATCH', path: '/api/v1/status-incidents/2', pattern: `${SI}/{id}`, auth: true, json: {}, status: 400 },
    { method: 'PATCH', path: '/api/v1/status-incidents/99', pattern: `${SI}/{id}`, auth: true, json: { title: 'x' }, status: 404 },
    { method: 'DELETE', path: '/api/v1/status-incidents/2', pattern: `${SI}/{id}`, auth: true, status: 204 },
    { method: 'DELETE', path: '/api/v1/status-incidents/2', pattern: `${SI}/{id}`, auth: true, status: 404 },
    { method: 'DELETE', path: '/api/v1/status-incidents/1', pattern: `${SI}/{id}`, status: 401 },
    { method: 'GET', path: MW, pattern: MW, auth: 'read' },
    { method: 'GET', path: MW, pattern: MW, status: 401 },
    { method: 'POST', path: MW, pattern: MW, auth: true, json: { title: 'Upgrade', message: 'Orders wait.', starts_at: '2025-01-15T12:00:00Z', ends_at: '2025-01-15T14:00:00+01:00', monitors: ['shop-api'], groups: ['Databases'] }, status: 201 },
    { method: 'POST', path: MW, pattern: MW, auth: true, json: { title: '', starts_at: 'soon', ends_at: '2025-01-15T14:00:00Z' }, status: 400 },
    { method: 'POST', path: MW, pattern: MW, auth: true, json: { title: 'x', starts_at: '2025-01-15T12:00:00Z', ends_at: '2025-01-15T14:00:00Z', monitors: ['nope'] }, status: 400 },
    { method: 'POST', path: MW, pattern: MW, auth: 'read', json: { title: 'x' }, status: 403 },
    { method: 'GET', path: MW, pattern: MW, auth: true },
    { method: 'DELETE', path: `${MW}/1`, pattern: `${MW}/{id}`, auth: 'read', status: 403 },
    { method: 'DELETE', path: `${MW}/1`, pattern: `${MW}/{id}`, auth: true, status: 204 },
    { method: 'DELETE', path: `${MW}/1`, pattern: `${MW}/{id}`, auth: true, status: 404 },
    { method: 'DELETE', path: '/api/v1/monitors/shop-api', pattern: '/api/v1/monitors/{id}', auth: true, status: 409 },
    { method: 'DELETE', path: '/api/v1/monitors/checkout', pattern: '/api/v1/monitors/{id}', auth: true, status: 204 },
    { method: 'POST', path: '/api/v1/monitors/shop-api/check', pattern: '/api/v1/monitors/{id}/check', auth: true, status: 202 },
    { method: 'POST', path: '/api/v1/monitors/nightly-backup/check', pattern: '/api/v1/monitors/{id}/check', auth: true, status: 409 },
    { method: 'POST', path: '/api/v1/monitors/nope/check', pattern: '/api/v1/monitors/{id}/check', auth: true, status: 404 },
    { method: 'POST', path: '/api/v1/monitors/shop-api/check', pattern: '/api/v1/monitors/{id}/check', auth: 'read', status: 403 },
    { method: 'GET', path: '/api/v1/tokens', pattern: '/api/v1/tokens', auth: true },
    { method: 'GET', path: '/api/v1/tokens', pattern: '/api/v1/tokens', auth: 'read', status: 403 },
    { method: 'GET', path: '/api/v1/tokens', pattern: '/api/v1/tokens', status: 401 },
    { method: 'POST', path: '/api/v1/tokens', pattern: '/api/v1/tokens', auth: true, json: { name: 'ci', scope: 'write' }, status: 201 },
    { method: 'POST', path: '/api/v1/tokens', pattern: '/api/v1/tokens', auth: true, json: { name: 'ci', scope: 'read' }, status: 409 },
    { method: 'POST', path: '/api/v1/tokens', pattern: '/api/v1/tokens', auth: true, json: { name: '', scope: 'root' }, status: 400 },
    { method: 'DELETE', path: '/api/v1/tokens/tok_000000000000', pattern: '/api/v1/tokens/{id}', auth: true, status: 404 },
    { method: 'GET', path: '/api/v1/channels', pattern: '/api/v1/channels', auth: 'read' },
    { method: 'POST', path: '/api/v1/channels/hook/test', pattern: '/api/v1/channels/{name}/test', auth: true },
    { method: 'POST', path: '/api/v1/channels/down/test', pattern: '/api/v1/channels/{name}/test', auth: true, status: 502 },
    { method: 'POST', path: '/api/v1/channels/nope/test', pattern: '/api/v1/channels/{name}/test', auth: true, status: 404 },
    { method: 'POST', path: '/api/v1/channels/hook/test', pattern: '/api/v1/channels/{name}/test', auth: 'read', status: 403 },
    { method: 'GET', path: '/api/v1/agent/monitors?location=eu-west', pattern: '/api/v1/agent/monitors', auth: true },
    { method: 'GET', path: '/api/v1/agent/monitors', pattern: '/api/v1/agent/monitors', auth: true, status: 400 },
    { method: 'GET', path: '/api/v1/agent/monitors?location=local', pattern: '/api/v1/agent/monitors', auth: true, status: 422 },
    { method: 'GET', path: '/api/v1/agent/monitors?location=eu-west', pattern: '/api/v1/agent/monitors', auth: 'read', status: 403 },
    { method: 'GET', path: '/api/v1/agent/monitors?location=eu-west', pattern: '/api/v1/agent/monitors', status: 401 },
    { method: 'POST', path: '/api/v1/results', pattern: '/api/v1/results', auth: true, json: { location: 'eu-west', results: [agentResult('shop-api')] } },
    { method: 'POST', path: '/api/v1/results', pattern: '/api/v1/results', auth: true, json: { location: 'eu-west', results: [agentResult('orders-db')] }, status: 422 },
    { method: 'POST', path: '/api/v1/results', pattern: '/api/v1/results', auth: true, json: { location: 'eu-west', results: [{ monitor: 'shop-api' }] }, status: 400 },
    { method: 'POST', path: '/api/v1/results', pattern: '/api/v1/results', auth: 'read', json: { location: 'eu-west', results: [] }, status: 403 },
  ];

  it.each(cases)('$method $path (token: $auth)', async ({ method, path, pattern, auth, json, status }) => {
    const response = await api.request(path, {
      method,
      ...(auth === 'read' ? { token: api.readToken } : auth ? { token: api.token } : {}),
      ...(json === undefined ? {} : { json }),
    });
    expect(response.status, response.text).toBe(status ?? 200);
    const documented = documentedResponse(pattern, method.toLowerCase(), response.status);
    expect(documented, `status ${response.status} of ${method} ${pattern} is not documented`).toBeDefined();
    if (response.status === 204) {
      expect(response.text).toBe('');
      expect(documented?.mediaTypes).toEqual([]);
      return;
    }
    expect(documented?.mediaTypes).toEqual([response.headers.get('content-type')?.split(';')[0]]);
    expect(documented?.jsonSchemaAt, `no schema for ${response.status}`).toBeDefined();
    expect(problems(validatorAt(documented?.jsonSchemaAt as string), response.body)).toEqual([]);
  });

  it('GET /api/v1/notifications shows the seeded notification with both attempts', async () => {
    const response = await api.request('/api/v1/notifications', { token: api.readToken });
    expect(response.body.notifications).toEqual([
      expect.objectContaining({
        idempotency_key: 'shop-api/local/1/ops',
        status: 'delivered',
        kind: 'trigger',
        next_attempt_at: null,
        attempts: [
          expect.objectContaining({ attempt: 1, outcome: 'transient', status: 503, error: 'the receiver answered HTTP 503' }),
          expect.objectContaining({ attempt: 2, outcome: 'delivered', status: 200, response: 'ok' }),
        ],
      }),
    ]);
  });

  it('GET /api/v1/events finds the seeded changes', async () => {
    const response = await api.request('/api/v1/events?monitor=shop-api', { token: api.token });
    expect(response.body.events.slice(0, 2)).toMatchObject([
      { monitor: 'shop-api', from: 'new', to: 'unhealthy', reason: 'timeout' },
      { monitor: 'shop-api', from: 'unhealthy', to: 'healthy', reason: null },
    ]);
  });

  it('GET /api/v1/events/stream sends events whose data is a documented StateChangeEvent', async () => {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), 5000);
    try {
      const response = await fetch(`${api.url}/api/v1/events/stream?after=0`, {
        headers: { Authorization: `Bearer ${api.token}` },
        signal: controller.signal,
      });
      expect(response.status).toBe(200);
      // The seeded changes were written straight to the store: wake the feed as the check pipeline's commit does.
      api.feed.wake();
      expect(documentedResponse('/api/v1/events/stream', 'get', 200)?.mediaTypes).toEqual([
        response.headers.get('content-type')?.split(';')[0],
      ]);
      const reader = (response.body as ReadableStream<Uint8Array>).getReader();
      const decoder = new TextDecoder();
      let text = '';
      const events = () => text.split('\n\n').filter((block) => block.includes('event: state-change\n'));
      while (events().length < 3) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value, { stream: true });
      }
      const validate = componentValidator('StateChangeEvent');
      const blocks = events().slice(0, 3);
      expect(blocks).toHaveLength(3);
      for (const block of blocks) {
        const [, id] = /^id: (\d+)$/m.exec(block) ?? [];
        const [, data = ''] = /^data: (.*)$/m.exec(block) ?? [];
        const event = JSON.parse(data);
        expect(problems(validate, event), block).toEqual([]);
        expect(event.id).toBe(Number(id));
      }
    } finally {
      clearTimeout(timer);
      controller.abort();
    }
  });

  it('the schema check itself catches wrong shapes', () => {
    const monitor = componentValidator('PublicMonitor');
    expect(problems(monitor, { id: 1 })).toContain('/id: must be string');
    expect(problems(monitor, { id: 'x' })).toContain("/: must have required property 'name'");
    expect(problems(componentValidator('UptimeWindow'), { uptime: 2, checks: 1, failures: 0, excused: 0, latency_avg_ms: null, latency_p95_ms: null })).toEqual([
      '/uptime: must be <= 1',
      '/uptime: must be null',
      '/uptime: must match a schema in anyOf',
    ]);
    const incident = {
      id: 1,
      monitor: 'm',
      status: 'unhealthy',
      started_at: '2025-01-15T12:00:00.000Z',
      ended_at: null,
      cause: null,
      acknowledged_at: null,
      acknowledged_by: null,
    };
    expect(problems(componentValidator('Incident'), incident)).toEqual([]);
    expect(problems(componentValidator('Incident'), { ...incident, surprise: true })).toEqual([
      '/: must NOT have additional properties (surprise)',
    ]);
    expect(problems(componentValidator('Incident'), { ...incident, started_at: 'yesterday' })).toContain(
      '/started_at: must match format "date-time"',
    );
    expect(problems(componentValidator('Error'), { error: { code: 'teapot', message: 'x' } })).toContain(
      '/error/code: must be equal to one of the allowed values',
    );
  });

  it('serves the document itself', async () => {
    const response = await api.request('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
