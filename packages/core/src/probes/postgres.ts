import { type Check, type CheckOptions, defineCheck } from '../check.js';
import {
  DEFAULT_DEGRADED_ABOVE_MS,
  failureResult,
  latencyResult,
  loadDriver,
  onAbort,
  since,
  targetSecrets,
  validateTarget,
} from '../drivers.js';
import { backstopDelay, failureCause } from '../net/deadline.js';
import type { Probe, ProbeContext, ProbeResult } from '../probe.js';

/** What the check needs from a pg `Pool` or `Client` (structural, so `pg` stays an optional peer). */
export interface PostgresQueryable {
  query(text: string): Promise<unknown>;
}

export interface PostgresCheckOptions {
  /**
   * A pg `Pool` (recommended: the check then also notices an exhausted pool) or a connected pg `Client`.
   * Give either this or `connectionString`.
   */
  client?: PostgresQueryable;
  /** A connection URL: each run opens a fresh connection and closes it. Needs the `pg` package. */
  connectionString?: string;
  /** The password when it is kept out of `connectionString`. */
  password?: string;
  /** A `SELECT 1` slower than this makes the check degraded. Default 500 ms. */
  degradedAboveMs?: number;
}

const TYPE = 'postgresql';

/** `SELECT 1` through the given pool/client, or through a fresh connection to `connectionString`. */
export const postgresProbe: Probe<PostgresCheckOptions> = async (options, context) => {
  const secrets = targetSecrets(options.connectionString, options.password);
  const degradedAboveMs = options.degradedAboveMs ?? DEFAULT_DEGRADED_ABOVE_MS;
  try {
    validateTarget('postgres', { ...options, url: options.connectionString }, 'connectionString');
    if (options.client) {
      const start = performance.now();
      await options.client.query('SELECT 1');
      return latencyResult(TYPE, since(start), degradedAboveMs);
    }
    return await viaConnectionString(options.connectionString!, options.password, degradedAboveMs, context);
  } catch (error) {
    return failureResult(TYPE, failureCause(error, context.signal), secrets);
  }
};

async function viaConnectionString(
  connectionString: string,
  password: string | undefined,
  degradedAboveMs: number,
  context: ProbeContext,
): Promise<ProbeResult> {
  const pg = await loadDriver(() => import('pg'), 'pg', 'postgres');
  context.signal.throwIfAborted();
  const Client = pg.Client ?? pg.default.Client;
  const client = new Client({
    connectionString: withPassword(connectionString, password),
    // Backstop only: an abort at the deadline destroys the socket first (see below).
    connectionTimeoutMillis: backstopDelay(context.deadline),
  });
  // A socket error after the result (or after a timeout) must not become an uncaught 'error' event.
  client.on('error', () => {});
  let closed = false;
  const end = () => {
    if (closed) return;
    closed = true;
    void client.end().catch(() => {});
  };
  // On abort, close now: pg's end() only half-closes a connection still in its handshake, which a server that
  // never answers would keep open. pg has no public destroy(), hence its connection's socket.
  const destroy = () => {
    const stream = (client as unknown as { connection?: { stream?: { destroy?: () => void } } }).connection?.stream;
    if (!closed && typeof stream?.destroy === 'function') {
      closed = true;
      stream.destroy();
    }
    end();
  };
  const stopListening = onAbort(context.signal, destroy);
  try {
    const connectStart = performance.now();
    await client.connect();
    const connectMs = since(connectStart);
    const start = performance.now();
    await client.query('SELECT 1');
    return latencyResult(TYPE, since(start), degradedAboveMs, { connect_ms: connectMs });
  } finally {
    stopListening();
    end();
  }
}

/**
 * pg lets a `password` query parameter win over the URL's (empty) password, whereas a `password` config field
 * next to `connectionString` is overwritten by it.
 */
function withPassword(connectionString: string, password: string | undefined): string {
  if (password === undefined) return connectionString;
  const url = new URL(connectionString);
  url.searchParams.set('password', password);
  return url.toString();
}

/** A PostgreSQL check: `SELECT 1` and its latency. Default name `postgres`. */
export function postgresCheck(options: PostgresCheckOptions & CheckOptions): Check {
  validateTarget('postgres', { ...options, url: options.connectionString }, 'connectionString');
  const { client, connectionString, password, degradedAboveMs } = options;
  const probeOptions: PostgresCheckOptions = { client, connectionString, password, degradedAboveMs };
  return defineCheck(
    { kind: 'postgres', componentType: 'datastore' },
    options,
    (context) => postgresProbe(probeOptions, context),
    targetSecrets(connectionString, password),
  );
}
