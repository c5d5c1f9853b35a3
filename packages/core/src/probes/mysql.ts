import { type Check, type CheckOptions, defineCheck } from '../check.js';
import {
  DEFAULT_DEGRADED_ABOVE_MS,
  failureResult,
  latencyResult,
  loadDriver,
  onAbort,
  once,
  since,
  targetSecrets,
  validateTarget,
} from '../drivers.js';
import { backstopDelay, failureCause } from '../net/deadline.js';
import type { Probe, ProbeContext, ProbeResult } from '../probe.js';

/** A mysql2 callback-API pool or connection (`mysql.createPool()`); recognised by its `promise()` method. */
export interface MysqlCallbackQueryable {
  query(sql: string, callback: (error: Error | null) => void): unknown;
  promise(): unknown;
}

/** A `mysql2/promise` pool or connection, whose `query()` returns a promise. */
export interface MysqlPromiseQueryable {
  query(sql: string): Promise<unknown>;
}

export interface MysqlCheckOptions {
  /** A mysql2 pool (recommended) or connection, callback or promise API. Give either this or `uri`. */
  client?: MysqlCallbackQueryable | MysqlPromiseQueryable;
  /** A connection URL (`mysql://user@host:3306/db`): each run opens a fresh connection and closes it. Needs `mysql2`. */
  uri?: string;
  /** The password when it is kept out of `uri`. */
  password?: string;
  /** A `SELECT 1` slower than this makes the check degraded. Default 500 ms. */
  degradedAboveMs?: number;
}

const TYPE = 'mysql';

/** `SELECT 1` through the given pool/connection, or through a fresh connection to `uri` (MySQL or MariaDB). */
export const mysqlProbe: Probe<MysqlCheckOptions> = async (options, context) => {
  const secrets = targetSecrets(options.uri, options.password);
  const degradedAboveMs = options.degradedAboveMs ?? DEFAULT_DEGRADED_ABOVE_MS;
  try {
    validateTarget('mysql', { ...options, url: options.uri }, 'uri');
    if (options.client) {
      const start = performance.now();
      await selectOne(options.client);
      return latencyResult(TYPE, since(start), degradedAboveMs);
    }
    return await viaUri(options.uri!, options.password, degradedAboveMs, context);
  } catch (error) {
    return failureResult(TYPE, failureCause(error, context.signal), secrets);
  }
};

function selectOne(client: MysqlCallbackQueryable | MysqlPromiseQueryable): Promise<unknown> {
  if (isCallbackApi(client)) {
    // Without a callback, a callback-API pool reports errors as an 'error' event, which would crash the process.
    return new Promise((resolve, reject) => {
      client.query('SELECT 1', (error) => (error ? reject(error) : resolve(undefined)));
    });
  }
  return client.query('SELECT 1');
}

function isCallbackApi(client: MysqlCallbackQueryable | MysqlPromiseQueryable): client is MysqlCallbackQueryable {
  return typeof (client as { promise?: unknown }).promise === 'function';
}

interface CoreConnection {
  connect(callback: (error: Error | null) => void): void;
  query(sql: string, callback: (error: Error | null) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  end(callback?: (error?: Error | null) => void): unknown;
  destroy(): void;
  stream?: { destroy?: () => void };
}

async function viaUri(
  uri: string,
  password: string | undefined,
  degradedAboveMs: number,
  context: ProbeContext,
): Promise<ProbeResult> {
  // The callback API hands back the connection at once, so an abort can close it while it is still connecting.
  const mysql = await loadDriver(() => import('mysql2'), 'mysql2', 'mysql');
  context.signal.throwIfAborted();
  const createConnection = mysql.createConnection ?? mysql.default.createConnection;
  const connection = createConnection({
    uri,
    // mysql2 lets explicit options win over the URI's.
    ...(password !== undefined ? { password } : {}),
    // Backstop only: the abort at the deadline closes the socket first, so the user sees Vigil's timeout.
    connectTimeout: backstopDelay(context.deadline),
  }) as unknown as CoreConnection;
  // Errors after the result (server gone, our own destroy) must not become an uncaught 'error' event.
  connection.on('error', () => {});
  // mysql2's destroy() only half-closes; a server that never answers would keep the socket open.
  const destroy = once(() => {
    connection.destroy();
    connection.stream?.destroy?.();
  });
  const stopListening = onAbort(context.signal, destroy);
  try {
    const connectStart = performance.now();
    await new Promise<void>((resolve, reject) => connection.connect((error) => (error ? reject(error) : resolve())));
    const connectMs = since(connectStart);
    const start = performance.now();
    await new Promise<void>((resolve, reject) =>
      connection.query('SELECT 1', (error) => (error ? reject(error) : resolve())),
    );
    const result = latencyResult(TYPE, since(start), degradedAboveMs, { connect_ms: connectMs });
    stopListening();
    // A polite COM_QUIT; not awaited, the result does not depend on it.
    connection.end(() => {});
    return result;
  } catch (error) {
    stopListening();
    destroy();
    throw error;
  }
}

/** A MySQL / MariaDB check: `SELECT 1` and its latency. Default name `mysql`. */
export function mysqlCheck(options: MysqlCheckOptions & CheckOptions): Check {
  validateTarget('mysql', { ...options, url: options.uri }, 'uri');
  const { client, uri, password, degradedAboveMs } = options;
  const probeOptions: MysqlCheckOptions = { client, uri, password, degradedAboveMs };
  return defineCheck(
    { kind: 'mysql', componentType: 'datastore' },
    options,
    (context) => mysqlProbe(probeOptions, context),
    targetSecrets(uri, password),
  );
}
