/**
 * The files generated from the schema — the JSON Schema for editors and docs/config.md — are committed; this
 * fails when either is stale. The JSON Schema accepts what the loader accepts (checked with ajv, in strict mode)
 * and every field in it has a description.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, test } from 'vitest';
import {
  buildConfigJsonSchema,
  CONFIG_DOCS_PATH,
  CONFIG_GENERATE_COMMAND,
  CONFIG_SCHEMA_ID,
  CONFIG_SCHEMA_PATH,
  type JsonSchema,
  MONITOR_TYPE_NAMES,
  renderConfigDocs,
  renderConfigJsonSchema,
} from '../src/config/index.js';

const root = new URL('../../../', import.meta.url);
const read = (path: string) => {
  try {
    return readFileSync(fileURLToPath(new URL(path, root)), 'utf8');
  } catch {
    return undefined;
  }
};

describe('generated files are up to date', () => {
  test.each([
    [CONFIG_SCHEMA_PATH, renderConfigJsonSchema],
    [CONFIG_DOCS_PATH, renderConfigDocs],
  ])('%s', (path, render) => {
    const committed = read(path);
    const stale = committed !== render();
    expect(stale, `${path} is stale: run \`${CONFIG_GENERATE_COMMAND}\` and commit the result`).toBe(false);
  });
});

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Compiles `schema` with ajv (draft-07, the schema's `$schema`) in strict mode: an unknown keyword throws. */
function compile(schema: JsonSchema): ValidateFunction {
  return new Ajv({ strict: true, allErrors: true }).compile(schema);
}

/**
 * The problems ajv finds in `data`, one line each: `<instance path>: <ajv's message>`. A failed anyOf/oneOf is
 * reported once, without the failures of its branches.
 */
function problems(validateWith: ValidateFunction, data: unknown): string[] {
  if (validateWith(data)) return [];
  const errors: ErrorObject[] = validateWith.errors ?? [];
  const unions = errors.filter((e) => e.keyword === 'anyOf' || e.keyword === 'oneOf').map((e) => `${e.schemaPath}/`);
  return errors
    .filter((e) => !unions.some((union) => e.schemaPath.startsWith(union)))
    .map((e) => {
      const where = e.instancePath === '' ? '/' : e.instancePath;
      if (e.keyword === 'additionalProperties') return `${where}: unknown key ${String(e.params.additionalProperty)}`;
      if (e.keyword === 'oneOf') {
        const passing = (e.params.passingSchemas as number[] | null) ?? [];
        return `${where}: matches ${passing.length} of oneOf`;
      }
      if (e.keyword === 'anyOf') return `${where}: matches none of anyOf`;
      return `${where}: ${e.message ?? e.keyword}`;
    });
}

describe('the JSON Schema', () => {
  const schema = buildConfigJsonSchema();
  const validateConfig = compile(schema);
  const validate = (data: unknown) => problems(validateConfig, data);

  test('has an id, a title and every section', () => {
    expect(schema).toMatchObject({
      $schema: 'http://json-schema.org/draft-07/schema#',
      $id: CONFIG_SCHEMA_ID,
      title: 'Vigil configuration',
      type: 'object',
      additionalProperties: false,
    });
    expect(Object.keys(schema.properties as object)).toEqual([
      'server',
      'location',
      'storage',
      'retention',
      'api',
      'metrics',
      'scheduler',
      'cluster',
      'defaults',
      'heartbeats',
      'alerts',
      'maintenance',
      'status_pages',
      'status_incidents',
      'monitors',
    ]);
    const monitors = (schema.properties as Record<string, JsonSchema>).monitors as JsonSchema;
    const types = ((monitors.items as JsonSchema).oneOf as JsonSchema[]).map(
      (t) => (t.properties as Record<string, JsonSchema>).type?.const,
    );
    expect(types).toEqual(MONITOR_TYPE_NAMES);
  });

  test('every field has a description', () => {
    const missing: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${path}/${i}`));
      if (!isObject(node)) return;
      if (isObject(node.properties)) {
        for (const [key, property] of Object.entries(node.properties)) {
          if (!isObject(property) || typeof property.description !== 'string' || property.description.length < 5) {
            missing.push(`${path}/properties/${key}`);
          }
        }
      }
      for (const [key, value] of Object.entries(node)) walk(value, `${path}/${key}`);
    };
    walk(schema, '#');
    expect(missing).toEqual([]);
  });

  test('secret fields are marked writeOnly', () => {
    const text = JSON.stringify(schema);
    expect(text.match(/"writeOnly":true/g)?.length).toBeGreaterThanOrEqual(10);
  });

  const documents: Array<[string, string]> = [
    ['examples/vigil.yaml', read('examples/vigil.yaml') ?? ''],
    ['full.yaml fixture', read('packages/monitor/test/fixtures/config/full.yaml') ?? ''],
  ];
  test.each(documents)('accepts %s', (_name, text) => {
    expect(text).not.toBe('');
    // The example's substitutions are written where strings go; the schema sees them as written.
    expect(validate(parse(text))).toEqual([]);
  });

  test('accepts ${VAR} references where a number, a boolean, an enum, a URL or a duration goes', () => {
    const withReferences = {
      server: { port: '${PORT}' },
      storage: '${STORAGE}',
      defaults: { interval: '${INTERVAL}', retries: '${RETRIES}' },
      monitors: [
        { name: 'db', type: 'postgres', url: '${DATABASE_URL}', paused: '${PAUSED}' },
        { name: 'api', type: 'http', url: 'http://${HOST}/', method: '${METHOD}', accepted_status: ['${STATUS}'] },
      ],
    };
    expect(validate(withReferences)).toEqual([]);
    // A reference is not a monitor type.
    expect(validate({ monitors: [{ name: 'a', type: '${TYPE}', host: 'h', port: 1 }] })).toEqual([
      '/monitors/0: matches 0 of oneOf',
    ]);
  });

  test('rejects what the loader rejects: unknown keys, a wrong type, an unknown monitor type', () => {
    expect(validate({ server: { hots: 'x' } })).toEqual(['/server: unknown key hots']);
    expect(validate({ server: { port: 'x' } })).toEqual(['/server/port: matches none of anyOf']);
    expect(validate({ monitors: [{ name: 'a', type: 'htp' }] })).toEqual(['/monitors/0: matches 0 of oneOf']);
    expect(validate({ defaults: { interval: 'fast' } })).toEqual(['/defaults/interval: matches none of anyOf']);
  });
});

test('the example tells editors where the schema is, and the path resolves', () => {
  const example = read('examples/vigil.yaml') ?? '';
  const match = /^# yaml-language-server: \$schema=(\S+)$/m.exec(example);
  expect(match?.[1]).toBe('../packages/monitor/schema/vigil.schema.json');
  const schema = JSON.parse(readFileSync(fileURLToPath(new URL(match?.[1] ?? '', new URL('examples/', root))), 'utf8'));
  expect(schema.$id).toBe(CONFIG_SCHEMA_ID);
});

test('docs/config.md documents every monitor type and field', () => {
  const docs = renderConfigDocs();
  for (const type of MONITOR_TYPE_NAMES) expect(docs).toContain(`### \`type: ${type}\``);
  for (const field of [
    '`server.port`',
    '`retention.raw`',
    '`schedule.cron`',
    '`tls.skip_verify`',
    '`accepted_status`',
    '`query_name`',
  ]) {
    expect(docs).toContain(field);
  }
});
