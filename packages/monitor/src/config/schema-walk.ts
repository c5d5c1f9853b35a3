/**
 * Finds the schema that describes a value at a path of the data (following optional, default and pipe
 * wrappers, and picking the union member that fits the data), to know which keys an object allows and whether
 * a field is secret. Reads zod's own schema definitions (`_zod.def`).
 */
import { secretsInUrl } from '@vigil/core';
import type { z } from 'zod';
import type { PathSegment } from './errors.js';
import { isSecretSchema } from './fields.js';

type Schema = z.core.$ZodType;

interface Def {
  type: string;
  shape?: Record<string, Schema>;
  element?: Schema;
  innerType?: Schema;
  in?: Schema;
  out?: Schema;
  options?: Schema[];
  discriminator?: string;
  valueType?: Schema;
  values?: unknown[];
}

const defOf = (schema: Schema): Def => schema._zod.def as unknown as Def;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const WRAPPERS = new Set(['optional', 'nullable', 'default', 'prefault', 'readonly', 'catch', 'nonoptional']);

/** The schemas a value passes through, outermost first, down to a non-wrapper (unions resolved with the data). */
function layers(schema: Schema, data: unknown): Schema[] {
  const out: Schema[] = [];
  let current: Schema | undefined = schema;
  while (current) {
    out.push(current);
    const def = defOf(current);
    if (WRAPPERS.has(def.type)) current = def.innerType;
    else if (def.type === 'pipe') current = def.in && defOf(def.in).type === 'transform' ? def.out : def.in;
    else if (def.type === 'lazy') current = (current._zod as unknown as { innerType: Schema }).innerType;
    else if (def.type === 'union') current = pickOption(def, data);
    else current = undefined;
  }
  return out;
}

/** The kind of data a schema takes after unwrapping: object, array, record, or scalar. */
function kinds(schema: Schema): Set<string> {
  const def = defOf(schema);
  if (WRAPPERS.has(def.type)) return def.innerType ? kinds(def.innerType) : new Set();
  if (def.type === 'pipe') return kinds((def.in && defOf(def.in).type === 'transform' ? def.out : def.in) as Schema);
  if (def.type === 'union') return new Set((def.options ?? []).flatMap((option) => [...kinds(option)]));
  return new Set([
    def.type === 'object' || def.type === 'record' ? 'object' : def.type === 'array' ? 'array' : 'scalar',
  ]);
}

function literalValues(schema: Schema | undefined): unknown[] {
  if (!schema) return [];
  const def = defOf(schema);
  if (def.type === 'literal') return def.values ?? [];
  return WRAPPERS.has(def.type) ? literalValues(def.innerType) : [];
}

function pickOption(def: Def, data: unknown): Schema | undefined {
  const options = def.options ?? [];
  const kind = isRecord(data) ? 'object' : Array.isArray(data) ? 'array' : 'scalar';
  const fitting = options.filter((option) => kinds(option).has(kind));
  if (def.discriminator && isRecord(data)) {
    const tag = data[def.discriminator];
    const match = fitting.find((option) =>
      literalValues(defOf(option).shape?.[def.discriminator as string]).includes(tag),
    );
    if (match) return match;
  }
  return fitting[0];
}

export interface SchemaAtPath {
  /** The layers of the schema at the path, outermost first; empty when the path leaves the schema. */
  layers: Schema[];
  /** Whether the value or something around it is marked secret. */
  secret: boolean;
}

function child(schemaLayers: Schema[], segment: PathSegment): Schema | undefined {
  const last = schemaLayers.at(-1);
  if (!last) return undefined;
  const def = defOf(last);
  // Own keys only: a key like `constructor` must not resolve to an Object.prototype member.
  if (def.type === 'object') {
    return typeof segment === 'string' && def.shape && Object.hasOwn(def.shape, segment) ? def.shape[segment] : undefined;
  }
  if (def.type === 'array') return typeof segment === 'number' ? def.element : undefined;
  if (def.type === 'record') return def.valueType;
  return undefined;
}

const valueAt = (data: unknown, segment: PathSegment): unknown =>
  (isRecord(data) || Array.isArray(data)) && Object.hasOwn(data, segment)
    ? (data as Record<PathSegment, unknown>)[segment]
    : undefined;

export function schemaAt(root: Schema, path: readonly PathSegment[], data: unknown): SchemaAtPath {
  let current = layers(root, data);
  let secret = current.some(isSecretSchema);
  let value = data;
  for (const segment of path) {
    const next = child(current, segment);
    value = valueAt(value, segment);
    if (!next) return { layers: [], secret };
    current = layers(next, value);
    secret ||= current.some(isSecretSchema);
  }
  return { layers: current, secret };
}

/** Keys an object at this path allows (for "did you mean"). */
export function knownKeys(at: SchemaAtPath): string[] {
  const last = at.layers.at(-1);
  const shape = last && defOf(last).type === 'object' ? defOf(last).shape : undefined;
  return shape ? Object.keys(shape) : [];
}

/**
 * Every secret string in the data: values of fields marked secret, and passwords inside URLs anywhere.
 * Messages are scrubbed of these as a last line of defence.
 */
export function collectSecrets(root: Schema, data: unknown): string[] {
  const found = new Set<string>();
  const all = (value: unknown) => {
    if (typeof value === 'string') found.add(value);
    else if (Array.isArray(value)) value.forEach(all);
    else if (isRecord(value)) Object.values(value).forEach(all);
  };
  const visit = (schema: Schema | undefined, value: unknown, inSecret: boolean) => {
    const schemaLayers = schema ? layers(schema, value) : [];
    const secret = inSecret || schemaLayers.some(isSecretSchema);
    if (secret) return all(value);
    if (typeof value === 'string') for (const password of secretsInUrl(value)) found.add(password);
    if (Array.isArray(value)) value.forEach((item, i) => visit(child(schemaLayers, i), item, false));
    else if (isRecord(value))
      for (const [key, item] of Object.entries(value)) visit(child(schemaLayers, key), item, false);
  };
  visit(root, data, false);
  return [...found].filter((s) => s.length > 0);
}
