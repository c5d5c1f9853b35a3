import type { ProbeContext, ProbeResult } from './probe.js';
import { sanitizeMessage } from './sanitize.js';

/** health+json `componentType`: `datastore`, `system`, `component`, or any URI. */
export type ComponentType = 'datastore' | 'system' | 'component' | (string & {});

/** What every check factory accepts besides its probe's own options. */
export interface CheckOptions {
  /** Name in `/health` and `/readyz/<name>`; defaults to the probe kind (`postgres`, `redis`, `disk`…). */
  name?: string;
  /** A non-critical check can make the whole at most `degraded`, and `/readyz` ignores it. Default true. */
  critical?: boolean;
  /** Enforced by Vigil, not by the driver. Default 2000 ms. */
  timeoutMs?: number;
  /** Results, failures included, are reused this long; concurrent callers share one run. Default 1000 ms. */
  cacheTtlMs?: number;
  /** Overrides the probe kind's component type in health+json. */
  componentType?: ComponentType;
  /** health+json `componentId`, e.g. a database host or a UUID. */
  componentId?: string;
}

/** A named, configured probe ready to run. */
export interface Check {
  readonly name: string;
  readonly critical: boolean;
  readonly timeoutMs: number;
  readonly cacheTtlMs: number;
  readonly componentType: ComponentType;
  readonly componentId?: string;
  /** The probe kind, e.g. `postgres`. */
  readonly kind: string;
  run(context: ProbeContext): Promise<ProbeResult>;
  /** Redacts the secrets this check knows (passwords, URL credentials) from any message. */
  sanitize(message: string): string;
}

export const DEFAULT_TIMEOUT_MS = 2000;
export const DEFAULT_CACHE_TTL_MS = 1000;
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

const NAME = /^[A-Za-z0-9_.:-]{1,100}$/;

/**
 * Builds a check from a probe kind's defaults, the user's options and the probe's run function.
 * Probe files call this from their factory (`postgresCheck`, `diskCheck`…).
 */
export function defineCheck(
  kind: { kind: string; componentType: ComponentType },
  options: CheckOptions,
  run: (context: ProbeContext) => Promise<ProbeResult>,
  secrets: Iterable<string | undefined> = [],
): Check {
  const name = options.name ?? kind.kind;
  if (!NAME.test(name)) {
    throw new TypeError(`check name "${name}" is invalid: use 1-100 letters, digits, '_', '.', ':' or '-'`);
  }
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Above 2^31-1 ms (or Infinity) setTimeout fires after 1 ms: every run would time out at once.
  if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
    throw new TypeError(
      `check "${name}": timeoutMs must be a positive number of milliseconds, at most ${MAX_TIMEOUT_MS}`,
    );
  }
  const cacheTtlMs = options.cacheTtlMs ?? DEFAULT_CACHE_TTL_MS;
  if (!(cacheTtlMs >= 0)) throw new TypeError(`check "${name}": cacheTtlMs must be zero or more milliseconds`);
  const knownSecrets = [...secrets].filter((s): s is string => typeof s === 'string' && s.length > 0);
  return {
    name,
    kind: kind.kind,
    critical: options.critical ?? true,
    timeoutMs,
    cacheTtlMs,
    componentType: options.componentType ?? kind.componentType,
    ...(options.componentId !== undefined ? { componentId: options.componentId } : {}),
    run,
    sanitize: (message) => sanitizeMessage(message, knownSecrets),
  };
}
