/**
 * Everything configurable, read once from the environment. A bad value stops the process with one line naming
 * the variable, rather than surfacing later as a confusing driver error.
 */
import { fileURLToPath } from 'node:url';

export interface ShopConfig {
  host: string;
  /** The API's port (0: any free port, reported when listening). */
  port: number;
  databaseUrl: string;
  redisUrl: string;
  /** PostgreSQL schema holding the shop's tables (created if missing). */
  schema: string;
  /** BullMQ key prefix, so several shops (or test runs) can share one Redis. */
  queuePrefix: string;
  /** Insert example data on the first start. */
  seed: boolean;
  /** Register the hourly/daily job schedulers (worker). */
  schedulers: boolean;
  /** How long readiness fails before the API stops accepting (give load balancers time to notice). */
  shutdownDelayMs: number;
  /** Bearer token that shows check details in /api/health; without one, details stay hidden. */
  healthToken: string | undefined;
  /** How long a count of documents is reused between scrapes. */
  metricsCacheMs: number;
  /** JSON-lines job log written by the worker, or undefined when turned off. */
  jobLogFile: string | undefined;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

type Env = Record<string, string | undefined>;

const DEFAULT_JOB_LOG = fileURLToPath(new URL('../logs/jobs.json.log', import.meta.url));

export function readConfig(env: Env = process.env): ShopConfig {
  return {
    host: text(env, 'SHOP_HOST', '127.0.0.1'),
    port: port(env, 'SHOP_PORT', 8000),
    databaseUrl: url(env, 'DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/test', ['postgres:', 'postgresql:']),
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']),
    schema: identifier(env, 'SHOP_SCHEMA', 'shop'),
    queuePrefix: matching(env, 'SHOP_QUEUE_PREFIX', 'bull', /^[A-Za-z0-9_.-]{1,64}$/, 'letters, digits, _ . - (1-64)'),
    seed: flag(env, 'SHOP_SEED', true),
    schedulers: flag(env, 'SHOP_SCHEDULERS', true),
    shutdownDelayMs: milliseconds(env, 'SHOP_SHUTDOWN_DELAY_MS', 1000),
    healthToken: env.SHOP_HEALTH_TOKEN || undefined,
    metricsCacheMs: milliseconds(env, 'SHOP_METRICS_CACHE_MS', 15_000),
    jobLogFile: jobLog(env),
  };
}

function text(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

function port(env: Env, name: string, fallback: number): number {
  const raw = text(env, name, String(fallback));
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65_535) throw new ConfigError(`${name} must be a port number (0-65535), got "${raw}"`);
  return value;
}

function milliseconds(env: Env, name: string, fallback: number): number {
  const raw = text(env, name, String(fallback));
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 600_000) {
    throw new ConfigError(`${name} must be a number of milliseconds (0-600000), got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name, String(fallback)).toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

function url(env: Env, name: string, fallback: string, protocols: string[]): string {
  const raw = text(env, name, fallback);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    // The raw value may hold a password: say what is wrong without echoing it.
    throw new ConfigError(`${name} is not a valid URL (expected ${protocols[0]}//host:port/…)`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function identifier(env: Env, name: string, fallback: string): string {
  // Interpolated into SQL as an identifier, so only plain lower-case names are accepted.
  return matching(env, name, fallback, /^[a-z_][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _');
}

function matching(env: Env, name: string, fallback: string, pattern: RegExp, expected: string): string {
  const value = text(env, name, fallback);
  if (!pattern.test(value)) throw new ConfigError(`${name} must be ${expected}, got "${value}"`);
  return value;
}

function jobLog(env: Env): string | undefined {
  const raw = env.SHOP_JOB_LOG;
  if (raw === undefined || raw === '') return DEFAULT_JOB_LOG;
  return ['off', 'false', '0', 'no'].includes(raw.toLowerCase()) ? undefined : raw;
}
