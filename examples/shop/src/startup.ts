/**
 * Connecting at start, with one-line errors a person can act on ("is PostgreSQL running? set DATABASE_URL")
 * instead of a driver's stack trace, and never a password.
 */
import { redactUrl, sanitizeMessage, secretsInUrl } from '@vigil/health';
import { Redis, type RedisOptions } from 'ioredis';
import pg from 'pg';
import { ConfigError, type ShopConfig } from './config.js';

/** An error meant for the console as is: one line, no stack. */
export class StartupError extends Error {
  override readonly name = 'StartupError';
}

const CONNECT_TIMEOUT_MS = 5000;

/** A pool whose connections use the shop's schema, so queries name tables without qualifying them. */
export function createPool(config: ShopConfig, applicationName: string): pg.Pool {
  const pool = new pg.Pool({
    connectionString: config.databaseUrl,
    // The schema name is validated as a plain identifier (config.ts), so it is safe in this option.
    options: `-c search_path=${config.schema}`,
    application_name: applicationName,
    max: 10,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // An idle connection dropped by the server (a restart) must not crash the process; the next query reconnects.
  pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${safe(error, config.databaseUrl)}`));
  return pool;
}

/** The first query, so an unreachable database fails the start with a clear reason. */
export async function connectPostgres(pool: pg.Pool, config: ShopConfig): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    throw new StartupError(
      `cannot connect to PostgreSQL at ${redactUrl(config.databaseUrl)}: ${postgresReason(error, config.databaseUrl)}`,
    );
  }
}

/**
 * A connected ioredis client. `options` are the client's own (BullMQ workers need `maxRetriesPerRequest: null`);
 * the first connection is tried once, so an unreachable Redis fails the start instead of retrying forever.
 */
export async function connectRedis(config: ShopConfig, name: string, options: RedisOptions = {}): Promise<Redis> {
  const client = new Redis(config.redisUrl, {
    connectionName: name,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...options,
    lazyConnect: true,
  });
  // ioredis reports the cause (ECONNREFUSED…) only on 'error'; connect() itself rejects with "Connection is closed".
  let cause: unknown;
  const remember = (error: unknown) => {
    cause = error;
  };
  client.on('error', remember);
  const retry = client.options.retryStrategy;
  client.options.retryStrategy = () => null;
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const reason = safe(cause ?? error, config.redisUrl);
    throw new StartupError(`cannot connect to Redis at ${redactUrl(config.redisUrl)}: ${reason} (is it running? set REDIS_URL)`);
  }
  // Once up, reconnect as configured when Redis restarts; errors meanwhile are logged once per outage.
  client.options.retryStrategy = retry;
  client.off('error', remember);
  let down = false;
  client.on('error', (error: unknown) => {
    if (!down) console.error(`Redis connection ${name} lost: ${safe(error, config.redisUrl)}; reconnecting`);
    down = true;
  });
  client.on('ready', () => {
    down = false;
  });
  return client;
}

/** The one line to print when starting failed. */
export function describeStartupFailure(error: unknown, config?: ShopConfig): string {
  if (error instanceof StartupError || error instanceof ConfigError) return error.message;
  const secrets = config ? [...secretsInUrl(config.databaseUrl), ...secretsInUrl(config.redisUrl)] : [];
  return sanitizeMessage(firstLine(error), secrets);
}

/** Explains a failed `listen()`; `variable` is the setting that chooses the port. */
export function listenFailure(error: unknown, host: string, port: number, variable: string): StartupError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new StartupError(`port ${port} on ${host} is already in use: set ${variable} to a free port`);
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
    return new StartupError(`cannot listen on ${host}:${port}: no such local address (check SHOP_HOST)`);
  }
  return new StartupError(`cannot listen on ${host}:${port}: ${firstLine(error)}`);
}

function postgresReason(error: unknown, url: string): string {
  const code = (error as { code?: string } | undefined)?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused (is it running? set DATABASE_URL)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'unknown host (check DATABASE_URL)';
    case '28P01':
    case '28000':
      return 'authentication failed (check the user and password in DATABASE_URL)';
    case '3D000':
      return `${safe(error, url)} (create it, or point DATABASE_URL at another database)`;
    default:
      return `${safe(error, url)} (is it running? set DATABASE_URL)`;
  }
}

function safe(error: unknown, url: string): string {
  return sanitizeMessage(firstLine(error), secretsInUrl(url));
}

function firstLine(error: unknown): string {
  // AggregateError (several addresses refused) carries its reasons in `errors`, with an empty message.
  if (error instanceof AggregateError && !error.message && error.errors.length > 0) return firstLine(error.errors[0]);
  const message = error instanceof Error ? error.message : String(error);
  const line = message.split('\n')[0]?.trim();
  if (line) return line;
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
}
