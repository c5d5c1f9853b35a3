import { randomUUID } from 'node:crypto';
import { errorMessage, type ProbeResult } from './probe.js';
import { sanitizeMessage, secretsInUrl } from './sanitize.js';

/**
 * Drivers (pg, mysql2, ioredis, redis) are optional peer dependencies: they are imported only when a check
 * connects by URL, so an app that never uses a kind does not need its driver.
 */

/** Thrown when an optional driver is not installed. */
export class MissingDriverError extends Error {
  constructor(
    readonly packageName: string,
    check: string,
  ) {
    super(`install ${packageName} to use the ${check} check`);
    this.name = 'MissingDriverError';
  }
}

/**
 * Runs `load` (a literal `() => import('pg')`, so bundlers and types see the specifier) and turns
 * "package not found" into a {@link MissingDriverError}; any other failure is rethrown as is.
 */
export async function loadDriver<T>(load: () => Promise<T>, packageName: string, check: string): Promise<T> {
  try {
    return await load();
  } catch (error) {
    if (isModuleNotFound(error, packageName)) throw new MissingDriverError(packageName, check);
    throw error;
  }
}

function isModuleNotFound(error: unknown, packageName: string): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  const notFound =
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /cannot find (package|module)|failed to (load|resolve)/i.test(error.message);
  // Only the driver itself: a broken dependency of an installed driver must not read as "not installed".
  return notFound && new RegExp(`['"/\\s]${escapeRegExp(packageName)}(['"/\\s]|$)`).test(error.message);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** A random hex token for keys that must not collide with other runs or processes. */
export function randomToken(): string {
  return randomUUID().replaceAll('-', '');
}

// --- Shared by the datastore probes (postgres, mysql, redis) ---

/** Default for `degradedAboveMs`: a datastore round trip slower than this is a warning. */
export const DEFAULT_DEGRADED_ABOVE_MS = 500;

/** Runs `close` once when `signal` aborts (at once if it already has); returns a function that stops listening. */
export function onAbort(signal: AbortSignal, close: () => void): () => void {
  if (signal.aborted) {
    close();
    return () => {};
  }
  signal.addEventListener('abort', close, ONCE);
  return () => signal.removeEventListener('abort', close);
}

const ONCE = { once: true } as const;

/** `fn` at most once: closing paths (abort, finally) race, and drivers dislike a second end(). */
export function once<Args extends unknown[]>(fn: (...args: Args) => void): (...args: Args) => void {
  let done = false;
  return (...args: Args) => {
    if (done) return;
    done = true;
    fn(...args);
  };
}

/** Milliseconds since `start` (a `performance.now()` value), two decimals. */
export function since(start: number): number {
  return Math.round((performance.now() - start) * 100) / 100;
}

/** healthy, or degraded when `latencyMs` is above the threshold; reports `responseTime`. */
export function latencyResult(
  type: string,
  latencyMs: number,
  degradedAboveMs: number,
  extra: Record<string, unknown> = {},
): ProbeResult {
  const slow = latencyMs > degradedAboveMs;
  return {
    status: slow ? 'degraded' : 'healthy',
    details: { type, latency_ms: latencyMs, ...extra },
    measurements: [{ measurement: 'responseTime', value: latencyMs, unit: 'ms' }],
    ...(slow ? { error: `responded in ${latencyMs} ms (degraded above ${degradedAboveMs} ms)` } : {}),
  };
}

/** unhealthy with the driver's message, secrets removed. */
export function failureResult(type: string, error: unknown, secrets: readonly (string | undefined)[]): ProbeResult {
  return { status: 'unhealthy', details: { type }, error: sanitizeMessage(errorMessage(error), secrets) };
}

/**
 * Validates "a client or a URL" options once, in the factory, so mistakes fail at startup rather than as an
 * unhealthy check. A password may come from the URL or from `password`, not both: which one a driver would
 * prefer differs between drivers.
 */
export function validateTarget(
  check: string,
  options: { client?: unknown; url?: string | undefined; password?: string | undefined; degradedAboveMs?: number },
  urlKey: string,
): void {
  const hasClient = options.client !== undefined && options.client !== null;
  const hasUrl = typeof options.url === 'string' && options.url.length > 0;
  if (hasClient === hasUrl) throw new TypeError(`${check} check: pass either \`client\` or \`${urlKey}\``);
  if (options.password !== undefined && !hasUrl) {
    throw new TypeError(`${check} check: \`password\` is only used with \`${urlKey}\``);
  }
  if (options.password !== undefined && secretsInUrl(options.url).length > 0) {
    throw new TypeError(`${check} check: the password is both in \`${urlKey}\` and in \`password\`; keep one`);
  }
  if (options.degradedAboveMs !== undefined && !(options.degradedAboveMs >= 0)) {
    throw new TypeError(`${check} check: degradedAboveMs must be zero or more milliseconds`);
  }
}

/** The secrets a URL-mode check knows about, for `defineCheck` and the probe's own messages. */
export function targetSecrets(url: string | undefined, password: string | undefined): string[] {
  return [...(password ? [password] : []), ...secretsInUrl(url)];
}
