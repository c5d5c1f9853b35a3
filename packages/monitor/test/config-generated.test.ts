/**
 * The files generated from the schema — the JSON Schema for editors and docs/config.md — are committed; this
 * fails when either is stale. The JSON Schema accepts what the loader accepts (checked with a small validator
 * for the keywords it uses) and every field in it has a description.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

/** Validates `data` against the subset of JSON Schema the generator emits; returns the problems. */
function validate(schema: JsonSchema, data: unknown, path = '$'): string[] {
  const problems: string[] = [];
  const fail = (message: string) => problems.push(`${path}: ${message}`);
  const types: Record<string, (v: unknown) => boolean> = {
    string: (v) => typeof v === 'string',
    number: (v) => typeof v === 'number',
    integer: (v) => Number.isInteger(v),
    boolean: (v) => typeof v === 'boolean',
    array: Array.isArray,
    object: isObject,
  };
  if (typeof schema.type === 'string' && !types[schema.type]?.(data)) return [`${path}: expected ${schema.type}`];
  if ('const' in schema && schema.const !== data) fail(`expected ${JSON.stringify(schema.const)}`);
  if (Array.isArray(schema.enum) && !schema.enum.includes(data)) fail(`expected one of ${schema.enum.join(', ')}`);
  if (typeof data === 'string') {
    if (typeof schema.pattern === 'string' && !new RegExp(schema.pattern).test(data))
      fail(`does not match ${schema.pattern}`);
    if (typeof schema.minLength === 'number' && data.length < schema.minLength) fail('too short');
  }
  if (typeof data === 'number') {
    if (typeof schema.minimum === 'number' && data < schema.minimum) fail('too small');
    if (typeof schema.maximum === 'number' && data > schema.maximum) fail('too big');
  }
  if (Array.isArray(data)) {
    if (typeof schema.minItems === 'number' && data.length < schema.minItems) fail('too few items');
    if (isObject(schema.items))
      data.forEach((item, i) => problems.push(...validate(schema.items as JsonSchema, item, `${path}[${i}]`)));
  }
  if (isObject(data)) {
    const properties = isObject(schema.properties) ? schema.properties : {};
    for (const key of Array.isArray(schema.required) ? schema.required : []) if (!(key in data)) fail(`missing ${key}`);
    for (const [key, value] of Object.entries(data)) {
      const property = properties[key];
      if (isObject(property)) problems.push(...validate(property, value, `${path}.${key}`));
      else if (schema.additionalProperties === false) fail(`unknown key ${key}`);
      else if (isObject(schema.additionalProperties))
        problems.push(...validate(schema.additionalProperties, value, `${path}.${key}`));
    }
  }
  const passing = (list: unknown) =>
    Array.isArray(list) ? list.filter(isObject).filter((s) => validate(s, data, path).length === 0).length : -1;
  if (Array.isArray(schema.anyOf) && passing(schema.anyOf) === 0) fail('matches none of anyOf');
  if (Array.isArray(schema.oneOf) && passing(schema.oneOf) !== 1) fail(`matches ${passing(schema.oneOf)} of oneOf`);
  return problems;
}

describe('the JSON Schema', () => {
  const schema = buildConfigJsonSchema();

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
      'storage',
      'retention',
      'api',
      'scheduler',
      'defaults',
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
    expect(validate(schema, parse(text))).toEqual([]);
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
    expect(validate(schema, withReferences)).toEqual([]);
    // A reference is not a monitor type.
    expect(validate(schema, { monitors: [{ name: 'a', type: '${TYPE}', host: 'h', port: 1 }] })).toEqual([
      '$.monitors[0]: matches 0 of oneOf',
    ]);
  });

  test('rejects what the loader rejects: unknown keys, a wrong type, an unknown monitor type', () => {
    expect(validate(schema, { server: { hots: 'x' } })).toEqual(['$.server: unknown key hots']);
    expect(validate(schema, { server: { port: 'x' } })).toEqual(['$.server.port: matches none of anyOf']);
    expect(validate(schema, { monitors: [{ name: 'a', type: 'htp' }] })).toEqual(['$.monitors[0]: matches 0 of oneOf']);
    expect(validate(schema, { defaults: { interval: 'fast' } })).toEqual([
      '$.defaults.interval: matches none of anyOf',
    ]);
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
