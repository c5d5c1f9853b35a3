/**
 * The published JSON Schema of vigil.yaml, generated from the zod schema (the input side: what may be written,
 * e.g. durations as "30s" or seconds). Editors use it through a first line
 * `# yaml-language-server: $schema=<path or URL of vigil.schema.json>`.
 */
import { z } from 'zod';
import { isSecretSchema } from './fields.js';
import { configSchema } from './schema.js';

export const CONFIG_SCHEMA_ID = 'urn:vigil:config:v1';
/** Where the generated file is committed, relative to the repository root. */
export const CONFIG_SCHEMA_PATH = 'packages/monitor/schema/vigil.schema.json';
/** Command that regenerates the schema and docs/config.md. */
export const CONFIG_GENERATE_COMMAND = 'npm run config:generate';

export type JsonSchema = Record<string, unknown>;

/**
 * What a `${VAR}` reference looks like to an editor, which sees the file before substitution: accepted wherever
 * a number, a boolean, an enum or a patterned string (URL, duration) goes.
 */
export const ENV_REFERENCE: JsonSchema = { type: 'string', pattern: '\\$\\{' };

const isObject = (value: unknown): value is JsonSchema =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const ANNOTATIONS = ['description', 'default', 'writeOnly'];

function allowEnvReference(schema: JsonSchema): JsonSchema {
  if (isObject(schema.properties) || schema.type === 'object' || schema.type === 'array' || 'const' in schema)
    return schema;
  if (Array.isArray(schema.anyOf)) return { ...schema, anyOf: [...schema.anyOf, ENV_REFERENCE] };
  const scalar = schema.type === 'integer' || schema.type === 'number' || schema.type === 'boolean';
  if (!scalar && !Array.isArray(schema.enum) && !(schema.type === 'string' && typeof schema.pattern === 'string'))
    return schema;
  const annotations = Object.fromEntries(Object.entries(schema).filter(([key]) => ANNOTATIONS.includes(key)));
  const rest = Object.fromEntries(Object.entries(schema).filter(([key]) => !ANNOTATIONS.includes(key)));
  return { ...annotations, anyOf: [rest, ENV_REFERENCE] };
}

/** Applies `allowEnvReference` to every value position (properties, items, map values), not to union members. */
function withEnvReferences(schema: JsonSchema): JsonSchema {
  const out: JsonSchema = { ...schema };
  if (isObject(schema.properties)) {
    out.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([key, value]) => [
        key,
        isObject(value) ? allowEnvReference(withEnvReferences(value)) : value,
      ]),
    );
  }
  for (const key of ['items', 'additionalProperties'] as const) {
    const value = schema[key];
    if (isObject(value)) out[key] = allowEnvReference(withEnvReferences(value));
  }
  for (const key of ['anyOf', 'oneOf'] as const) {
    const value = schema[key];
    if (Array.isArray(value)) out[key] = value.map((member) => (isObject(member) ? withEnvReferences(member) : member));
  }
  return out;
}

export function buildConfigJsonSchema(): JsonSchema {
  const generated = z.toJSONSchema(configSchema, {
    target: 'draft-07',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ zodSchema, jsonSchema }) => {
      if (isSecretSchema(zodSchema)) jsonSchema.writeOnly = true;
    },
  }) as JsonSchema;
  const { $schema, ...rest } = withEnvReferences(generated);
  return {
    $schema,
    $id: CONFIG_SCHEMA_ID,
    title: 'Vigil configuration',
    ...rest,
  };
}

/** The file content of vigil.schema.json. */
export function renderConfigJsonSchema(): string {
  return `${JSON.stringify(buildConfigJsonSchema(), null, 2)}\n`;
}
