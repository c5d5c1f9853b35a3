/**
 * Secrets never leave through the API. A monitor definition is returned with every field the schema marks
 * secret (`password`, `headers`, `body`, `auth`, database URLs, `ping_key`…) and every field with a secret-like
 * name replaced by `***`; credentials and secret-looking query parameters inside any other URL are replaced
 * too. A definition sent back with `***` where a secret was keeps the stored secret (`restoreRedacted`), so a
 * client can GET, edit and PUT a monitor without knowing its secrets.
 */
import { REDACTED, sanitizeMessage } from '@vigil/core';
import { formatDuration, formatPath, type MonitorConfig, monitorSchema, type PathSegment } from '../config/index.js';
import { schemaAt } from '../config/schema-walk.js';
import { unprocessable } from '../http/errors.js';
import { redactUrlText } from './redact-url.js';

export { REDACTED, redactUrlText };

/** Field names that are secret wherever they appear, whatever the schema says. */
const SECRET_KEY =
  /^(auth|pwd)$|pass(word|wd|phrase)?$|secret|token|api[_-]?key|access[_-]?key|private[_-]?key|authorization|cookie|credential|ping_key/i;
function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the schema marks the field secret; a path the schema walk cannot follow counts as secret. */
function isSecretField(path: readonly PathSegment[], definition: unknown): boolean {
  if (path.some((segment) => typeof segment === 'string' && segment in Object.prototype)) return true;
  try {
    return schemaAt(monitorSchema, path, definition).secret;
  } catch {
    return true;
  }
}

/** Every string and number inside a secret value becomes `***`; object keys and list lengths are kept. */
function redactAll(value: unknown): unknown {
  if (typeof value === 'string' || typeof value === 'number') return REDACTED;
  if (Array.isArray(value)) return value.map(redactAll);
  if (isRecord(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, redactAll(item)]));
  return value;
}

/** A copy of a monitor definition (either shape: as written, or as loaded) that holds no secret. */
export function redactDefinition(definition: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const visit = (value: unknown, path: PathSegment[]): unknown => {
    if (typeof value === 'string') return redactUrlText(value);
    if (Array.isArray(value)) return value.map((item, index) => visit(item, [...path, index]));
    if (!isRecord(value)) return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => {
        const at = [...path, key];
        const secret = SECRET_KEY.test(key) || isSecretField(at, definition);
        return [key, secret ? redactAll(item) : visit(item, at)];
      }),
    );
  };
  return visit(definition, []) as Record<string, unknown>;
}

/** A URL sent back with `***` parts: those parts taken from the stored URL. */
function restoreUrl(next: string, previous: unknown, path: readonly PathSegment[]): string {
  let url: URL;
  try {
    url = new URL(next);
  } catch {
    return next;
  }
  let old: URL | undefined;
  try {
    old = typeof previous === 'string' ? new URL(previous) : undefined;
  } catch {
    old = undefined;
  }
  const missing = () =>
    unprocessable(`${formatPath(path)}: the URL holds "${REDACTED}" but there is no stored value to keep; send it in full`);
  let changed = false;
  if (url.password === REDACTED) {
    if (!old?.password) throw missing();
    url.password = old.password;
    changed = true;
  }
  if (url.username === REDACTED) {
    if (!old?.username) throw missing();
    url.username = old.username;
    changed = true;
  }
  const params = [...url.searchParams];
  if (params.some(([, item]) => item === REDACTED)) {
    const oldParams = old?.searchParams;
    url.search = new URLSearchParams(
      params.map(([key, item]): [string, string] => {
        if (item !== REDACTED) return [key, item];
        const kept = oldParams?.get(key);
        if (kept === null || kept === undefined) throw missing();
        return [key, kept];
      }),
    ).toString();
    changed = true;
  }
  if (url.hash === `#${REDACTED}`) {
    if (!old?.hash) throw missing();
    url.hash = old.hash;
    changed = true;
  }
  return changed ? url.toString() : next;
}

/**
 * A definition sent back by a client with `***` in place of secrets (as the API returned it): each `***` is
 * replaced by the value at the same place in the stored definition. Throws 422 when there is none.
 */
export function restoreRedacted(
  next: Readonly<Record<string, unknown>>,
  previous: Readonly<Record<string, unknown>> | undefined,
): Record<string, unknown> {
  const visit = (value: unknown, old: unknown, path: PathSegment[]): unknown => {
    if (value === REDACTED) {
      if (old === undefined || old === null || isRecord(old) || Array.isArray(old)) {
        throw unprocessable(
          `${formatPath(path)}: is "${REDACTED}" (a redacted secret) but there is no stored value to keep; ` +
            'send the value',
          [{ path: formatPath(path), message: 'redacted value with nothing stored to keep' }],
        );
      }
      return old;
    }
    if (typeof value === 'string') return value.includes(REDACTED) ? restoreUrl(value, old, path) : value;
    if (Array.isArray(value)) {
      return value.map((item, index) => visit(item, Array.isArray(old) ? old[index] : undefined, [...path, index]));
    }
    if (isRecord(value)) {
      return Object.fromEntries(
        Object.entries(value).map(([key, item]) => [
          key,
          visit(item, isRecord(old) && Object.hasOwn(old, key) ? old[key] : undefined, [...path, key]),
        ]),
      );
    }
    return value;
  };
  return visit(next, previous, []) as Record<string, unknown>;
}

const hostPort = (host: string, port: number) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** `postgres://monitor:pw@db:5432/app?sslmode=require` → `postgres://db:5432/app`: no user info, no query. */
function connectionTarget(value: string): string {
  try {
    const url = new URL(value);
    const path = url.pathname && url.pathname !== '/' ? url.pathname : '';
    return `${url.protocol}//${url.host}${path}`;
  } catch {
    return sanitizeMessage(value);
  }
}

/**
 * What a monitor checks, for display (`MonitorView.target`): a URL, host:port, query or schedule, never a
 * secret (no password, no secret query value, no ping key).
 */
export function describeTarget(monitor: MonitorConfig): string {
  switch (monitor.type) {
    case 'http':
    case 'health':
      return `${monitor.method === 'GET' ? '' : `${monitor.method} `}${redactUrlText(monitor.url)}`;
    case 'tcp':
    case 'tls':
      return hostPort(monitor.host, monitor.port);
    case 'dns':
      return `${monitor.query_name} ${monitor.record_type}${monitor.resolver ? ` @${monitor.resolver}` : ''}`;
    case 'postgres':
    case 'mysql':
    case 'redis':
    case 'rabbitmq': {
      const queue = monitor.type === 'rabbitmq' && monitor.queue ? ` queue ${monitor.queue}` : '';
      return `${connectionTarget(monitor.url)}${queue}`;
    }
    case 'heartbeat': {
      const { schedule } = monitor;
      const when =
        schedule.cron !== undefined
          ? `cron "${schedule.cron}" (${schedule.timezone ?? 'UTC'})`
          : `every ${formatDuration(schedule.period ?? 0)}`;
      return `heartbeat ${when}, grace ${formatDuration(schedule.grace)}`;
    }
    default:
      return (monitor as { type: string }).type;
  }
}

/** Every text that names what a monitor checks: its URL, host, host:port, DNS name and resolver. */
export function targetTexts(monitor: MonitorConfig): string[] {
  const texts: string[] = [];
  const fromUrl = (value: string) => {
    texts.push(value, redactUrlText(value), connectionTarget(value));
    try {
      const url = new URL(value);
      texts.push(url.origin, url.host, url.hostname.replace(/^\[|\]$/g, ''));
    } catch {
      // Validated by the configuration.
    }
  };
  switch (monitor.type) {
    case 'http':
    case 'health':
    case 'postgres':
    case 'mysql':
    case 'redis':
    case 'rabbitmq':
      fromUrl(monitor.url);
      break;
    case 'tcp':
    case 'tls':
      texts.push(hostPort(monitor.host, monitor.port), monitor.host);
      if (monitor.type === 'tls' && monitor.server_name !== undefined) texts.push(monitor.server_name);
      break;
    case 'dns':
      texts.push(monitor.query_name);
      if (monitor.resolver !== undefined) texts.push(monitor.resolver, monitor.resolver.replace(/:\d+$/, ''));
      break;
    default:
      break;
  }
  return [...new Set(texts.filter((text) => text.length >= 3))].sort((a, b) => b.length - a.length);
}

const HIDDEN = 'the target';
/** IPv4 and bracketed IPv6 addresses, with a port: what a refused connection names. */
const ADDRESS = /\b\d{1,3}(?:\.\d{1,3}){3}(?::\d{1,5})?\b|\[[0-9a-f:.]+\](?::\d{1,5})?/gi;

/**
 * A text (an error, a condition's output) without what a caller may not see of the target: every text of
 * `targetTexts` and every IP address become "the target". For anonymous callers, to whom the target is hidden.
 */
export function hideTargets(text: string, texts: readonly string[]): string {
  let out = text;
  for (const target of texts) out = out.split(target).join(HIDDEN);
  return out.replace(ADDRESS, HIDDEN);
}
