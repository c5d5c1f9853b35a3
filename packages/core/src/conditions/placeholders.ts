/**
 * Placeholders (`[STATUS]`, `[BODY].data[0].id`, …): what a probe observed, and how each resolves to the string
 * a condition compares. The body is parsed as JSON lazily, once per context, and only up to a size cap; paths
 * walk own properties only, so `[BODY].__proto__` or `[BODY].constructor` find nothing unless the JSON has them.
 */

/** Placeholder names, as written between brackets (case-insensitive in conditions). */
export const CONDITION_PLACEHOLDERS = [
  'STATUS',
  'RESPONSE_TIME',
  'BODY',
  'CONNECTED',
  'IP',
  'DNS_RCODE',
  'CERTIFICATE_EXPIRATION',
  'DOMAIN_EXPIRATION',
] as const;
export type ConditionPlaceholder = (typeof CONDITION_PLACEHOLDERS)[number];

export function isConditionPlaceholder(name: string): name is ConditionPlaceholder {
  return (CONDITION_PLACEHOLDERS as readonly string[]).includes(name);
}

/**
 * What a probe observed, for conditions to test. Anything missing resolves as Gatus resolves it: numbers to `0`,
 * strings to `""`, `[CONNECTED]` to `false`, `[BODY]` to an empty body.
 */
export interface ConditionContext {
  /** HTTP status code (`[STATUS]`). */
  status?: number;
  /** The raw response body (`[BODY]`); parsed as JSON on first use by a `[BODY]` path, at most once. */
  body?: string;
  /** `[RESPONSE_TIME]`, in milliseconds (truncated to a whole number). */
  responseTimeMs?: number;
  /** `[CERTIFICATE_EXPIRATION]`: time left before the TLS certificate expires, in milliseconds. */
  certificateExpirationMs?: number;
  /** `[CONNECTED]`: whether a connection could be established. */
  connected?: boolean;
  /** `[DNS_RCODE]`: `NOERROR`, `NXDOMAIN`, `SERVFAIL`, … */
  dnsRcode?: string;
  /** `[IP]`: the address the target resolved to. */
  ip?: string;
  /** `[DOMAIN_EXPIRATION]`: time left before the domain registration expires, in milliseconds. */
  domainExpirationMs?: number;
}

/** One step of a `[BODY]` path: `.key`, `[0]`, or `[*]` (every element). */
export type ConditionPathSegment =
  | { readonly kind: 'key'; readonly key: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'wildcard' };

/** Bodies longer than this (in UTF-16 code units) are not parsed as JSON: `[BODY].path` finds nothing. */
export const DEFAULT_MAX_JSON_LENGTH = 10 * 1024 * 1024;

/** Deeper JSON than this is not formatted (a hostile body must not exhaust the stack). */
const MAX_FORMAT_DEPTH = 256;

export type Resolution = { readonly ok: true; readonly value: string } | { readonly ok: false };
export type Lookup = { readonly found: true; readonly value: unknown } | { readonly found: false };

const UNRESOLVED: Resolution = Object.freeze({ ok: false });
const NOT_FOUND: Lookup = Object.freeze({ found: false });

type ParsedBody = { readonly json: true; readonly value: unknown } | { readonly json: false };
const NOT_JSON: ParsedBody = Object.freeze({ json: false });

const parsedBodies = new WeakMap<ConditionContext, { body: string; maxLength: number; parsed: ParsedBody }>();

/** The body as JSON, parsed at most once per context (and again only if `context.body` changes). */
export function bodyJson(context: ConditionContext, maxLength: number = DEFAULT_MAX_JSON_LENGTH): ParsedBody {
  const body = context.body;
  if (typeof body !== 'string') return NOT_JSON;
  const cached = parsedBodies.get(context);
  if (cached && cached.body === body && cached.maxLength === maxLength) return cached.parsed;
  let parsed: ParsedBody = NOT_JSON;
  if (body.length <= maxLength) {
    try {
      parsed = { json: true, value: JSON.parse(body) as unknown };
    } catch {
      parsed = NOT_JSON;
    }
  }
  parsedBodies.set(context, { body, maxLength, parsed });
  return parsed;
}

/** The body as Gatus sees `[BODY]`: trimmed text, empty when there is none. */
export function bodyText(context: ConditionContext): string {
  return typeof context.body === 'string' ? context.body.trim() : '';
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Walks a path through parsed JSON. Keys match own properties only; `null` counts as absent (as in Gatus).
 * A wildcard segment finds nothing here: the evaluator expands wildcards into indexes first.
 */
export function walkJson(root: unknown, path: readonly ConditionPathSegment[]): Lookup {
  let current = root;
  for (const segment of path) {
    if (segment.kind === 'key') {
      if (!isObject(current) || !Object.hasOwn(current, segment.key)) return NOT_FOUND;
      current = current[segment.key];
    } else if (segment.kind === 'index') {
      if (!Array.isArray(current) || segment.index >= current.length) return NOT_FOUND;
      current = current[segment.index] as unknown;
    } else {
      return NOT_FOUND;
    }
    if (current === null || current === undefined) return NOT_FOUND;
  }
  return current === null || current === undefined ? NOT_FOUND : { found: true, value: current };
}

/** `[BODY]<path>` looked up in the body parsed as JSON. */
export function lookupBody(
  context: ConditionContext,
  path: readonly ConditionPathSegment[],
  maxJsonLength?: number,
): Lookup {
  const parsed = bodyJson(context, maxJsonLength);
  return parsed.json ? walkJson(parsed.value, path) : NOT_FOUND;
}

class TooDeepError extends Error {}

/** Minified JSON with sorted keys, as Go's `json.Marshal` writes a map. */
function sortedJson(value: unknown, depth: number): string {
  if (depth > MAX_FORMAT_DEPTH) throw new TooDeepError();
  if (Array.isArray(value)) return `[${value.map((item: unknown) => sortedJson(item, depth + 1)).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${sortedJson(value[key], depth + 1)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** Go's `%v`: `[a b c]` for slices, `map[k:v]` for maps, `<nil>` for null. */
function goValue(value: unknown, depth: number): string {
  if (depth > MAX_FORMAT_DEPTH) throw new TooDeepError();
  if (value === null || value === undefined) return '<nil>';
  if (Array.isArray(value)) return `[${value.map((item: unknown) => goValue(item, depth + 1)).join(' ')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).sort();
    return `map[${keys.map((key) => `${key}:${goValue(value[key], depth + 1)}`).join(' ')}]`;
  }
  return String(value);
}

/**
 * The string a JSON value resolves to: strings as they are, numbers and booleans as written, arrays as Go prints
 * them (`[a b c]`), objects as minified JSON with sorted keys. Undefined when too deeply nested to format.
 */
export function formatJsonValue(value: unknown): string | undefined {
  try {
    if (typeof value === 'string') return value;
    if (isObject(value)) return sortedJson(value, 0);
    return goValue(value, 0);
  } catch (error) {
    if (error instanceof TooDeepError || error instanceof RangeError) return undefined;
    throw error;
  }
}

/** Length in characters (code points), without copying the string. */
export function characterLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    // A high surrogate followed by a low surrogate is one character.
    if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

function wholeNumber(value: number | undefined): string {
  return value !== undefined && Number.isFinite(value) ? String(Math.trunc(value) + 0) : '0';
}

/** A placeholder without a path, or `[BODY]` with one, resolved to the string conditions compare. */
export function resolvePlaceholder(
  name: ConditionPlaceholder,
  path: readonly ConditionPathSegment[],
  context: ConditionContext,
  maxJsonLength?: number,
): Resolution {
  switch (name) {
    case 'STATUS':
      return { ok: true, value: wholeNumber(context.status) };
    case 'RESPONSE_TIME':
      return { ok: true, value: wholeNumber(context.responseTimeMs) };
    case 'CERTIFICATE_EXPIRATION':
      return { ok: true, value: wholeNumber(context.certificateExpirationMs) };
    case 'DOMAIN_EXPIRATION':
      return { ok: true, value: wholeNumber(context.domainExpirationMs) };
    case 'CONNECTED':
      return { ok: true, value: String(context.connected === true) };
    case 'IP':
      return { ok: true, value: typeof context.ip === 'string' ? context.ip : '' };
    case 'DNS_RCODE':
      return { ok: true, value: typeof context.dnsRcode === 'string' ? context.dnsRcode : '' };
    case 'BODY': {
      if (path.length === 0) return { ok: true, value: bodyText(context) };
      const lookup = lookupBody(context, path, maxJsonLength);
      if (!lookup.found) return UNRESOLVED;
      const value = formatJsonValue(lookup.value);
      return value === undefined ? UNRESOLVED : { ok: true, value };
    }
  }
}
