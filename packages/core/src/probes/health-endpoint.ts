/**
 * `health`: an http check of a health endpoint that reads the answer — Vigil's own JSON (the seed shape),
 * `application/health+json`, a Spring Boot actuator, or Kubernetes `?verbose` text — and records each
 * component's status. A degraded component makes the result degraded; the error names the failing components
 * (`unhealthy: database, redis_cache`). A 503 whose body can be read is read: the body says why.
 */
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import { since } from '../drivers.js';
import type { Probe, ProbeContext, ProbeResult } from '../probe.js';
import { aggregateStatus, isStatus, type Status, worstOf } from '../status.js';
import {
  type BodyVerdict,
  runHttpExchange,
  httpFailureResult,
  type HttpProbeOptions,
  judgeHttpExchange,
  type PreparedHttp,
  prepareHttp,
} from './http.js';

export const HEALTH_FORMATS = ['auto', 'vigil', 'health+json', 'spring', 'kubernetes'] as const;
export type HealthFormat = (typeof HEALTH_FORMATS)[number];

export interface HealthEndpointProbeOptions extends HttpProbeOptions {
  /** The shape of the answer; default `auto` (detected from the content type and the body). */
  format?: HealthFormat;
}

export interface HealthEndpointCheckOptions extends HealthEndpointProbeOptions, CheckOptions {}

/** One component of a health answer. */
export interface HealthComponent {
  status: Status;
  /** False for a component the endpoint marks non-critical (Vigil JSON `critical: false`). */
  critical: boolean;
}

/** A health answer, understood. */
export interface ParsedHealth {
  format: Exclude<HealthFormat, 'auto'>;
  /** The endpoint's own overall status. */
  status: Status;
  components: Record<string, HealthComponent>;
  /** A free-text explanation the answer carries (health+json `output`). */
  output?: string;
}

/** Why a health answer could not be understood. */
export interface HealthParseError {
  error: string;
}

const FORMAT_NAMES: Record<Exclude<HealthFormat, 'auto'>, string> = {
  vigil: 'Vigil health JSON',
  'health+json': 'application/health+json',
  spring: 'Spring Boot actuator JSON',
  kubernetes: 'Kubernetes ?verbose text',
};

/** Accepts JSON and text; asks for nothing special, so an app answers in its default format. */
const ACCEPT = 'application/json, application/health+json;q=0.9, text/plain;q=0.8, */*;q=0.5';

const VIGIL_STATUSES = new Set(['healthy', 'degraded', 'unhealthy']);
const HEALTH_JSON_STATUS: Record<string, Status> = {
  pass: 'healthy',
  ok: 'healthy',
  up: 'healthy',
  warn: 'degraded',
  fail: 'unhealthy',
  error: 'unhealthy',
  down: 'unhealthy',
};
const SPRING_STATUS: Record<string, Status> = {
  UP: 'healthy',
  DOWN: 'unhealthy',
  OUT_OF_SERVICE: 'unhealthy',
  // Spring ranks UNKNOWN below UP; Vigil cannot call "unknown" healthy, so it is a warning.
  UNKNOWN: 'degraded',
};

/** Own keys only: a status of `constructor` must not find Object.prototype's. */
function lookup(map: Record<string, Status>, key: string): Status | undefined {
  return Object.hasOwn(map, key) ? map[key] : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Any status word Vigil recognises; something else is a warning rather than a pass. */
function anyStatus(value: unknown): Status {
  if (typeof value !== 'string') return 'degraded';
  if (isStatus(value)) return value;
  return lookup(SPRING_STATUS, value) ?? lookup(HEALTH_JSON_STATUS, value.toLowerCase()) ?? 'degraded';
}

function parseVigil(json: Record<string, unknown>): ParsedHealth | HealthParseError {
  if (!isStatus(json.status)) return { error: 'expected a "status" of healthy, degraded or unhealthy' };
  const components: Record<string, HealthComponent> = {};
  if (isObject(json.checks)) {
    for (const [name, check] of Object.entries(json.checks)) {
      if (!isObject(check)) continue;
      components[name] = { status: anyStatus(check.status), critical: check.critical !== false };
    }
  }
  return { format: 'vigil', status: json.status, components };
}

function parseHealthJson(json: Record<string, unknown>): ParsedHealth | HealthParseError {
  const status = typeof json.status === 'string' ? lookup(HEALTH_JSON_STATUS, json.status.toLowerCase()) : undefined;
  if (status === undefined) return { error: 'expected a "status" of pass, warn or fail' };
  const components: Record<string, HealthComponent> = {};
  if (isObject(json.checks)) {
    for (const [key, entries] of Object.entries(json.checks)) {
      // Keys are `component:measurement`; a component name may itself contain ':' (Vigil allows it).
      const colon = key.lastIndexOf(':');
      const name = colon > 0 ? key.slice(0, colon) : key;
      for (const entry of Array.isArray(entries) ? entries : [entries]) {
        if (!isObject(entry)) continue;
        const entryStatus =
          typeof entry.status === 'string'
            ? (lookup(HEALTH_JSON_STATUS, entry.status.toLowerCase()) ?? 'degraded')
            : 'degraded';
        const previous = components[name];
        components[name] = { status: previous ? worstOf(previous.status, entryStatus) : entryStatus, critical: true };
      }
    }
  }
  const output = typeof json.output === 'string' && json.output.length > 0 ? json.output : undefined;
  return { format: 'health+json', status, components, ...(output !== undefined ? { output } : {}) };
}

function parseSpring(json: Record<string, unknown>): ParsedHealth | HealthParseError {
  if (typeof json.status !== 'string' || json.status.length === 0) {
    return { error: 'expected a "status" of UP, DOWN, OUT_OF_SERVICE or UNKNOWN' };
  }
  const status = lookup(SPRING_STATUS, json.status) ?? 'degraded';
  const components: Record<string, HealthComponent> = {};
  // Boot 2.2+: `components`; 2.0-2.1: `details`; 1.x: indicators beside `status`.
  const source = isObject(json.components) ? json.components : isObject(json.details) ? json.details : json;
  for (const [name, component] of Object.entries(source)) {
    if (!isObject(component) || typeof component.status !== 'string') continue;
    components[name] = { status: lookup(SPRING_STATUS, component.status) ?? 'degraded', critical: true };
  }
  return { format: 'spring', status, components };
}

const KUBERNETES_LINE = /^\[([+-])\]\s*(\S+)\s*(.*)$/;

function parseKubernetes(text: string): ParsedHealth | HealthParseError {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  if (lines.length === 1 && lines[0]!.toLowerCase() === 'ok')
    return { format: 'kubernetes', status: 'healthy', components: {} };
  const components: Record<string, HealthComponent> = {};
  let failedLine = false;
  let matched = 0;
  for (const line of lines) {
    const match = KUBERNETES_LINE.exec(line);
    if (match) {
      matched++;
      components[match[2]!] = { status: match[1] === '+' ? 'healthy' : 'unhealthy', critical: true };
    } else if (/\bcheck failed\b/i.test(line)) {
      failedLine = true;
    }
  }
  if (matched === 0) return { error: 'expected "ok" or lines like "[+]name ok" and "[-]name failed"' };
  const anyFailed = Object.values(components).some((c) => c.status === 'unhealthy');
  return { format: 'kubernetes', status: anyFailed || failedLine ? 'unhealthy' : 'healthy', components };
}

function detectJsonFormat(
  json: Record<string, unknown>,
  contentType: string,
): Exclude<HealthFormat, 'auto' | 'kubernetes'> | undefined {
  const status = json.status;
  if (typeof status !== 'string') return undefined;
  if (VIGIL_STATUSES.has(status)) return 'vigil';
  // `UP` is Spring's and (in lower case) health+json's: the content type decides.
  if (
    contentType.includes('application/health+json') &&
    lookup(HEALTH_JSON_STATUS, status.toLowerCase()) !== undefined
  ) {
    return 'health+json';
  }
  if (lookup(SPRING_STATUS, status) !== undefined || isObject(json.components)) return 'spring';
  if (lookup(HEALTH_JSON_STATUS, status.toLowerCase()) !== undefined) return 'health+json';
  return undefined;
}

/**
 * Reads a health endpoint's answer in the given format (or detects it). Never throws: an answer that cannot be
 * read is a {@link HealthParseError} saying why.
 */
export function parseHealthAnswer(
  body: string,
  contentType: string | undefined,
  format: HealthFormat = 'auto',
): ParsedHealth | HealthParseError {
  const type = (contentType ?? '').toLowerCase();
  const trimmed = body.trim();
  if (trimmed.length === 0) return { error: 'health endpoint answered an empty body' };
  if (format === 'kubernetes') {
    const parsed = parseKubernetes(trimmed);
    return 'error' in parsed
      ? { error: `health endpoint answered no ${FORMAT_NAMES.kubernetes}: ${parsed.error}` }
      : parsed;
  }
  const looksJson =
    type.includes('json') || trimmed.startsWith('{') || (trimmed.startsWith('[') && !/^\[[+-]\]/.test(trimmed));
  if (format === 'auto' && !looksJson) {
    const parsed = parseKubernetes(trimmed);
    if (!('error' in parsed)) return parsed;
    return {
      error: `health endpoint answered neither JSON nor Kubernetes ?verbose text${type ? ` (content-type ${type.split(';')[0]})` : ''}`,
    };
  }
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    return { error: 'health endpoint answered invalid JSON' };
  }
  if (!isObject(json)) return { error: 'health endpoint answered JSON that is not an object' };
  const chosen = format === 'auto' ? detectJsonFormat(json, type) : format;
  if (chosen === undefined) {
    return {
      error:
        'health endpoint answered JSON in no known format (expected a "status" of healthy/degraded/unhealthy, pass/warn/fail or UP/DOWN)',
    };
  }
  const parsed =
    chosen === 'vigil' ? parseVigil(json) : chosen === 'spring' ? parseSpring(json) : parseHealthJson(json);
  return 'error' in parsed ? { error: `health endpoint answered no ${FORMAT_NAMES[chosen]}: ${parsed.error}` } : parsed;
}

const NAMES_SHOWN = 10;

function listNames(names: string[]): string {
  const shown = names.slice(0, NAMES_SHOWN).join(', ');
  return names.length > NAMES_SHOWN ? `${shown} and ${names.length - NAMES_SHOWN} more` : shown;
}

/** The verdict on a parsed answer: worst of the endpoint's status and its components (criticality respected). */
export function healthVerdict(parsed: ParsedHealth): BodyVerdict {
  const entries = Object.entries(parsed.components);
  const status = worstOf(parsed.status, aggregateStatus(entries.map(([, c]) => c)));
  const unhealthy = entries.filter(([, c]) => c.status === 'unhealthy').map(([name]) => name);
  const degraded = entries.filter(([, c]) => c.status === 'degraded').map(([name]) => name);
  const parts: string[] = [];
  if (unhealthy.length > 0) parts.push(`unhealthy: ${listNames(unhealthy)}`);
  if (degraded.length > 0) parts.push(`degraded: ${listNames(degraded)}`);
  if (parts.length === 0 && status !== 'healthy') {
    parts.push(`the endpoint reports ${status}${parsed.output ? `: ${parsed.output.slice(0, 200)}` : ''}`);
  }
  return {
    status,
    ...(parts.length > 0 ? { message: parts.join('; ') } : {}),
    explainsStatus: true,
    details: { format: parsed.format, endpoint_status: parsed.status },
    components: Object.fromEntries(entries.map(([name, c]) => [name, c.status])),
  };
}

/** A health endpoint's request and format, checked once (see `prepareHealthEndpoint`). */
export interface PreparedHealth {
  http: PreparedHttp;
  format: HealthFormat;
}

/** Validates the options once (throws `TypeError` for a mistake), for {@link runHealthEndpoint}. */
export function prepareHealthEndpoint(options: HealthEndpointProbeOptions): PreparedHealth {
  const format = options.format ?? 'auto';
  if (!HEALTH_FORMATS.includes(format))
    throw new TypeError(`health: format must be one of ${HEALTH_FORMATS.join(', ')}`);
  return {
    // A health endpoint answers 2xx when serving; a redirect is not an answer.
    http: prepareHttp(options, { expectedStatus: '2xx', readBody: true, accept: ACCEPT }),
    format,
  };
}

/** Polls a prepared health endpoint and reads its answer. */
export async function runHealthEndpoint(prepared: PreparedHealth, context: ProbeContext): Promise<ProbeResult> {
  const start = performance.now();
  const now = context.now ?? Date.now;
  try {
    const ex = await runHttpExchange(prepared.http, context);
    let verdict: BodyVerdict;
    const contentType = typeof ex.headers['content-type'] === 'string' ? ex.headers['content-type'] : undefined;
    const parsed = parseHealthAnswer(ex.body ?? '', contentType, prepared.format);
    if ('error' in parsed) {
      const cut = ex.bodyTruncated
        ? ` (the body was cut at ${prepared.http.maxBodyBytes} bytes: raise maxBodyBytes)`
        : '';
      verdict = { status: 'unhealthy', message: `${parsed.error}${cut}`, explainsStatus: false };
    } else {
      verdict = healthVerdict(parsed);
    }
    return judgeHttpExchange(prepared.http, ex, verdict, now());
  } catch (error) {
    return httpFailureResult(prepared.http, error, since(start), now());
  }
}

/** Polls a health endpoint and reads its answer. */
export const healthEndpointProbe: Probe<HealthEndpointProbeOptions> = (options, context) =>
  runHealthEndpoint(prepareHealthEndpoint(options), context);

/** Another service's health endpoint, read component by component. Default name `health`. */
export function healthEndpointCheck(options: HealthEndpointCheckOptions): Check {
  const prepared = prepareHealthEndpoint(options);
  return defineCheck(
    { kind: 'health', componentType: 'component' },
    options,
    (context) => runHealthEndpoint(prepared, context),
    prepared.http.secrets,
  );
}
