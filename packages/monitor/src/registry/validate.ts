/**
 * A monitor definition sent through the API, checked with the configuration's own schema (the same rules as an
 * entry of `monitors:` in vigil.yaml), plus the checks the configuration makes across fields. Problems are
 * `invalid` MonitorErrors listing every field at fault, values never quoted (a secret could be one).
 */
import type { z } from 'zod';
import {
  formatDuration,
  formatPath,
  type MonitorConfig,
  monitorSchema,
  type PathSegment,
  PROBING_TYPES,
  resolveMonitor,
  slugify,
  type VigilConfig,
} from '../config/index.js';
import { DEFAULT_MESSAGE, reportZodIssues } from '../config/report.js';
import { collectSecrets } from '../config/schema-walk.js';
import { type FieldIssue, invalidMonitor, quote } from './errors.js';

export type ParsedMonitor = z.output<typeof monitorSchema>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Keys named like a property every object inherits (`__proto__`, `constructor`…), anywhere in the value. */
function inheritedKeyPaths(value: unknown, path: PathSegment[] = []): PathSegment[][] {
  if (Array.isArray(value)) return value.flatMap((item, index) => inheritedKeyPaths(item, [...path, index]));
  if (!isRecord(value)) return [];
  return Object.entries(value).flatMap(([key, item]) =>
    key in Object.prototype ? [[...path, key]] : inheritedKeyPaths(item, [...path, key]),
  );
}

/** Issues without the configuration's reporter: unknown keys named, everything else generic (no value quoted). */
function plainIssues(issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.filter((s): s is PathSegment => typeof s !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: `unknown key ${quote(key)}` }));
    }
    return [{ path: formatPath(path), message: issue.message === DEFAULT_MESSAGE ? 'is invalid' : issue.message }];
  });
}

/** Validates a definition with the configuration's monitor schema; every problem at once. */
export function validateDefinition(input: unknown): ParsedMonitor {
  if (!isRecord(input)) {
    throw invalidMonitor([
      { path: '', message: 'expected a JSON object: a monitor definition like { "type": "http", "name": …, "url": … }' },
    ]);
  }
  // Refused before anything walks the value by key: such a key would resolve to Object.prototype members.
  const inherited = inheritedKeyPaths(input);
  if (inherited.length > 0) {
    throw invalidMonitor(inherited.map((path) => ({ path: formatPath(path), message: `unknown key ${quote(String(path.at(-1)))}` })));
  }
  const result = monitorSchema.safeParse(input, { error: () => DEFAULT_MESSAGE });
  if (result.success) return result.data;
  let issues: FieldIssue[];
  try {
    issues = reportZodIssues(result.error.issues, {
      schema: monitorSchema,
      data: input,
      positions: new Map(),
      secrets: collectSecrets(monitorSchema, input),
    }).map(({ path, message }) => ({ path, message }));
  } catch {
    issues = plainIssues(result.error.issues);
  }
  throw invalidMonitor(issues);
}

/** The id a definition gets: its own, or a slug of its name. */
export function definitionId(parsed: ParsedMonitor): string {
  const id = parsed.id ?? slugify(parsed.name);
  if (id === '') {
    throw invalidMonitor([{ path: 'name', message: 'no id can be derived from this name (it has no letters or digits): set id' }]);
  }
  return id;
}

/** The check `configSchema` makes across fields that a single monitor needs too: timeout below interval. */
export function checkTimeout(parsed: ParsedMonitor, defaults: VigilConfig['defaults']): void {
  if (!PROBING_TYPES.has(parsed.type)) return;
  const probing = parsed as ParsedMonitor & { interval?: number; timeout?: number };
  const interval = probing.interval ?? defaults.interval;
  const timeout = probing.timeout ?? defaults.timeout;
  if (timeout < interval) return;
  throw invalidMonitor([
    probing.timeout === undefined
      ? { path: 'interval', message: `must be longer than the timeout, ${formatDuration(timeout)} (defaults.timeout): set a shorter timeout` }
      : { path: 'timeout', message: `must be shorter than the interval, ${formatDuration(interval)}` },
  ]);
}

/** Validates and resolves a stored or submitted definition with the configuration's defaults. */
export function apiMonitorConfig(definition: unknown, defaults: VigilConfig['defaults']): MonitorConfig {
  return resolveMonitor(monitorSchema.parse(definition), defaults);
}
