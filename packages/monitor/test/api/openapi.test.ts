/**
 * The OpenAPI document stays in sync with the router: every route is documented (and nothing else), with its
 * path parameters; every reference resolves; and real responses of every route match the documented status
 * codes and schemas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiRouter, openApiDocument } from '../../src/api/index.js';
import { httpDefinition, NOW, startApi, type TestApi } from './harness.js';

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

/** Enough of JSON Schema for the documented response shapes: type, properties, required, items, enum, refs. */
function validate(schema: any, value: unknown, at = '$'): string[] {
  const s = resolve(schema);
  const problems: string[] = [];
  if (s.oneOf || s.anyOf) {
    const options = s.oneOf ?? s.anyOf;
    return options.some((option: any) => validate(option, value, at).length === 0) ? [] : [`${at}: no option matches`];
  }
  if (s.type !== undefined) {
    const types: string[] = Array.isArray(s.type) ? s.type : [s.type];
    const actual =
      value === null
        ? 'null'
        : Array.isArray(value)
          ? 'array'
          : Number.isInteger(value)
            ? 'integer'
            : typeof value;
    const ok = types.some((t) => t === actual || (t === 'number' && actual === 'integer'));
    if (!ok) return [`${at}: expected ${types.join('|')}, got ${actual}`];
  }
  if (s.enum && !s.enum.includes(value)) problems.push(`${at}: ${JSON.stringify(value)} not in enum`);
  if (s.format === 'date-time' && typeof value === 'string' && Number.isNaN(Date.parse(value))) {
    problems.push(`${at}: not a date-time`);
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) problems.push(`${at}: below minimum`);
    if (s.maximum !== undefined && value > s.maximum) problems.push(`${at}: above maximum`);
  }
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const key of s.required ?? []) if (!(key in value)) problems.push(`${at}: missing ${key}`);
    for (const [key, item] of Object.entries(value)) {
      const extra = typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
      const property = s.properties?.[key] ?? extra;
      if (property) problems.push(...validate(property, item, `${at}.${key}`));
      else if (s.properties && s.additionalProperties === undefined && !(key in s.properties)) {
        problems.push(`${at}: undocumented property ${key}`);
      }
    }
  }
  if (Array.isArray(value) && s.items) value.forEach((item, i) => problems.push(...validate(s.items, item, `${at}[${i}]`)));
  return problems;
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1 with a bearer security scheme', () => {
    expect(doc.openapi).toBe('3.1.0');
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents every route of the router, with its path parameters, and nothing else', () => {
    const routes = createApiRouter().routes;
    expect(routes.length).toBeGreaterThanOrEqual(11);
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
      // Writes need a token; reads may be anonymous.
      const write = route.method !== 'GET';
      expect(operation.security, `${route.method} ${route.pattern}`).toEqual(
        write ? [{ bearerAuth: [] }] : [{}, { bearerAuth: [] }],
      );
      if (write) expect(Object.keys(operation.responses)).toContain('401');
      if (route.method === 'POST' || route.method === 'PUT') {
        if (operation.requestBody) {
          expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['413', '415', '422']));
        }
      }
    }
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
});

describe('responses match the document', () => {
  let api: TestApi;

  beforeAll(async () => {
    api = await startApi();
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
    await api.store.openIncident({
      monitorId: 'shop-api',
      status: 'unhealthy',
      startedAt: NOW - 120_000,
      cause: 'timeout',
    });
  });

  afterAll(() => api.close());

  const cases: Array<{ method: string; path: string; pattern: string; auth?: boolean; json?: unknown }> = [
    { method: 'GET', path: '/api/v1/monitors', pattern: '/api/v1/monitors' },
    { method: 'GET', path: '/api/v1/monitors', pattern: '/api/v1/monitors', auth: true },
    { method: 'GET', path: '/api/v1/monitors?state=nope', pattern: '/api/v1/monitors' },
    { method: 'POST', path: '/api/v1/monitors', pattern: '/api/v1/monitors', auth: true, json: httpDefinition() },
    { method: 'POST', path: '/api/v1/monitors', pattern: '/api/v1/monitors', auth: true, json: { type: 'http' } },
    { method: 'POST', path: '/api/v1/monitors', pattern: '/api/v1/monitors', json: httpDefinition() },
    { method: 'GET', path: '/api/v1/monitors/checkout', pattern: '/api/v1/monitors/{id}', auth: true },
    { method: 'GET', path: '/api/v1/monitors/shop-api', pattern: '/api/v1/monitors/{id}' },
    { method: 'GET', path: '/api/v1/monitors/orders-db', pattern: '/api/v1/monitors/{id}' },
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
    },
    { method: 'POST', path: '/api/v1/monitors/shop-api/pause', pattern: '/api/v1/monitors/{id}/pause', auth: true },
    { method: 'POST', path: '/api/v1/monitors/shop-api/resume', pattern: '/api/v1/monitors/{id}/resume', auth: true },
    { method: 'GET', path: '/api/v1/monitors/shop-api/results', pattern: '/api/v1/monitors/{id}/results' },
    { method: 'GET', path: '/api/v1/monitors/shop-api/results?limit=0', pattern: '/api/v1/monitors/{id}/results' },
    { method: 'GET', path: '/api/v1/monitors/shop-api/uptime', pattern: '/api/v1/monitors/{id}/uptime' },
    { method: 'GET', path: '/api/v1/signals?monitor=shop-api', pattern: '/api/v1/signals' },
    { method: 'GET', path: '/api/v1/incidents', pattern: '/api/v1/incidents' },
    { method: 'GET', path: '/api/v1/incidents?monitor=nope', pattern: '/api/v1/incidents' },
    { method: 'GET', path: '/api/v1/openapi.json', pattern: '/api/v1/openapi.json' },
    { method: 'DELETE', path: '/api/v1/monitors/shop-api', pattern: '/api/v1/monitors/{id}', auth: true },
    { method: 'DELETE', path: '/api/v1/monitors/checkout', pattern: '/api/v1/monitors/{id}', auth: true },
  ];

  it.each(cases)('$method $path (token: $auth)', async ({ method, path, pattern, auth, json }) => {
    const response = await api.request(path, {
      method,
      ...(auth ? { token: api.token } : {}),
      ...(json === undefined ? {} : { json }),
    });
    const operation = doc.paths[pattern][method.toLowerCase()];
    const documented = operation.responses[String(response.status)];
    expect(documented, `status ${response.status} of ${method} ${pattern} is not documented`).toBeDefined();
    const schema = resolve(documented).content?.['application/json']?.schema;
    if (response.status === 204) {
      expect(response.text).toBe('');
      return;
    }
    expect(schema, `no schema for ${response.status}`).toBeDefined();
    expect(validate(schema, response.body)).toEqual([]);
  });

  it('the schema check itself catches wrong shapes', () => {
    const monitor = { $ref: '#/components/schemas/Monitor' };
    expect(validate(monitor, { id: 1 })).toContain('$.id: expected string, got integer');
    expect(validate(monitor, { id: 'x' })).toContain('$: missing name');
    expect(validate({ $ref: '#/components/schemas/Uptime' }, { '1h': { uptime: 2 } })).toContain(
      '$.1h.uptime: above maximum',
    );
    expect(validate({ $ref: '#/components/schemas/Incident' }, { id: 1, surprise: true })).toContain(
      '$: undocumented property surprise',
    );
  });

  it('serves the document itself', async () => {
    const response = await api.request('/api/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
