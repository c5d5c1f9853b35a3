import { type Check, type CheckOptions, defineCheck } from '../check.js';
import {
  DEFAULT_DEGRADED_ABOVE_MS,
  failureResult,
  latencyResult,
  loadDriver,
  MissingDriverError,
  onAbort,
  once,
  randomToken,
  since,
  targetSecrets,
  validateTarget,
} from '../drivers.js';
import { backstopDelay, failureCause } from '../net/deadline.js';
import type { Probe, ProbeContext, ProbeResult } from '../probe.js';

/** What the check needs from an ioredis client. */
export interface IoRedisLike {
  ping(): Promise<unknown>;
  set(key: string, value: string, expiryMode: 'EX', seconds: number): Promise<unknown>;
  get(key: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

/** What the check needs from a node-redis (v4/v5) client; recognised by `isOpen`. */
export interface NodeRedisLike {
  readonly isOpen: boolean;
  ping(): Promise<unknown>;
  set(key: string, value: string, options: { EX: number }): Promise<unknown>;
  get(key: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

export interface RedisCheckOptions {
  /** An ioredis or node-redis client (your app's, so the check sees what it sees). Give either this or `url`. */
  client?: IoRedisLike | NodeRedisLike;
  /** A `redis://` URL: each run opens a fresh connection and closes it. Uses ioredis, else node-redis. */
  url?: string;
  /** The password when it is kept out of `url`. */
  password?: string;
  /** Which driver `url` uses; default ioredis when it is installed, else node-redis (`redis`). */
  driver?: 'ioredis' | 'node-redis';
  /** After PING, SET a random key (30 s expiry), GET it back and DEL it. Default true. */
  roundTrip?: boolean;
  /** Commands slower than this (all together) make the check degraded. Default 500 ms. */
  degradedAboveMs?: number;
}

const TYPE = 'redis';
/** The probe deletes its key; the expiry only matters if the DEL never arrives. */
const KEY_TTL_S = 30;

/** A uniform view of both clients. */
interface Commands {
  ping(): Promise<unknown>;
  setWithExpiry(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<unknown>;
  del(key: string): Promise<unknown>;
}

function commandsOf(client: IoRedisLike | NodeRedisLike): Commands {
  if ('isOpen' in client) {
    return {
      ping: () => client.ping(),
      setWithExpiry: (key, value) => client.set(key, value, { EX: KEY_TTL_S }),
      get: (key) => client.get(key),
      del: (key) => client.del(key),
    };
  }
  return {
    ping: () => client.ping(),
    setWithExpiry: (key, value) => client.set(key, value, 'EX', KEY_TTL_S),
    get: (key) => client.get(key),
    del: (key) => client.del(key),
  };
}

/** PING, then (by default) a SET/GET/DEL round trip on a key of its own. */
export const redisProbe: Probe<RedisCheckOptions> = async (options, context) => {
  const secrets = targetSecrets(options.url, options.password);
  const degradedAboveMs = options.degradedAboveMs ?? DEFAULT_DEGRADED_ABOVE_MS;
  const roundTrip = options.roundTrip ?? true;
  try {
    validateTarget('redis', options, 'url');
    if (options.client) {
      const latencyMs = await exercise(commandsOf(options.client), roundTrip);
      return latencyResult(TYPE, latencyMs, degradedAboveMs);
    }
    return await viaUrl(options, roundTrip, degradedAboveMs, context);
  } catch (error) {
    return failureResult(TYPE, failureCause(error, context.signal), secrets);
  }
};

/** Runs the commands; returns how long they took. */
async function exercise(commands: Commands, roundTrip: boolean): Promise<number> {
  const start = performance.now();
  const pong = await commands.ping();
  if (String(pong) !== 'PONG') throw new Error(`PING answered ${JSON.stringify(String(pong))}`);
  if (roundTrip) {
    const key = `vigil:health:${randomToken()}`;
    const value = randomToken();
    await commands.setWithExpiry(key, value);
    const read = await commands.get(key);
    await commands.del(key);
    // A value that does not come back means writes are lost (e.g. a read-only replica behind a proxy).
    if (read === null || read === undefined || String(read) !== value) {
      throw new Error('SET/GET round trip returned a different value');
    }
  }
  return since(start);
}

interface UrlClient {
  commands: Commands;
  connect(): Promise<unknown>;
  /** Closes the connection: after the run, or at once on abort. */
  close(): void;
}

async function viaUrl(
  options: RedisCheckOptions,
  roundTrip: boolean,
  degradedAboveMs: number,
  context: ProbeContext,
): Promise<ProbeResult> {
  const client = await openClient(options, context);
  const close = once(() => client.close());
  const stopListening = onAbort(context.signal, close);
  try {
    const connectStart = performance.now();
    await client.connect();
    const connectMs = since(connectStart);
    const latencyMs = await exercise(client.commands, roundTrip);
    return latencyResult(TYPE, latencyMs, degradedAboveMs, { connect_ms: connectMs });
  } finally {
    stopListening();
    close();
  }
}

async function openClient(options: RedisCheckOptions, context: ProbeContext): Promise<UrlClient> {
  const url = options.url!;
  const password = options.password;
  // Backstop only: the abort at the deadline closes the client first, so the user sees Vigil's timeout.
  const connectTimeout = backstopDelay(context.deadline);
  const driver = options.driver ?? ((await hasIoRedis()) ? 'ioredis' : 'node-redis');
  context.signal.throwIfAborted();

  if (driver === 'ioredis') {
    const ioredis = await loadDriver(() => import('ioredis'), 'ioredis', 'redis');
    const Redis = ioredis.Redis ?? ioredis.default;
    const client = new Redis(url, {
      ...(password !== undefined ? { password } : {}),
      lazyConnect: true,
      // PING is the readiness test; ioredis's INFO-based one needs a permission PING does not.
      enableReadyCheck: false,
      connectTimeout,
      // One attempt, no queueing: a down server must fail this run, not be retried behind it.
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
      // disconnect() ends the socket gracefully and destroys it after this long.
      disconnectTimeout: 100,
    });
    // Without a listener ioredis logs "Unhandled error event"; and its promises reject with a bare
    // "Connection is closed." while the cause (ECONNREFUSED, WRONGPASS…) only reaches this event.
    let cause: unknown;
    client.on('error', (error: unknown) => {
      cause = error;
    });
    const explain = (error: unknown) => {
      throw cause !== undefined && error instanceof Error && /connection is closed/i.test(error.message)
        ? cause
        : error;
    };
    const commands = commandsOf(client);
    return {
      commands: {
        ping: () => commands.ping().catch(explain),
        setWithExpiry: (key, value) => commands.setWithExpiry(key, value).catch(explain),
        get: (key) => commands.get(key).catch(explain),
        del: (key) => commands.del(key).catch(explain),
      },
      connect: () => client.connect().catch(explain),
      close: () => client.disconnect(),
    };
  }

  const redis = await loadDriver(() => import('redis'), 'redis', 'redis').catch((error: unknown) => {
    // Neither driver: name both, ioredis first since it is the default.
    if (error instanceof MissingDriverError && options.driver === undefined) {
      throw new MissingDriverError('ioredis or redis', 'redis');
    }
    throw error;
  });
  const createClient = redis.createClient ?? redis.default.createClient;
  const client = createClient({
    url,
    ...(password !== undefined ? { password } : {}),
    socket: { connectTimeout, reconnectStrategy: false },
    disableOfflineQueue: true,
  });
  // node-redis emits 'error' for socket errors and rejects connect() as well; the rejection is what we report.
  client.on('error', () => {});
  // v5 has destroy(); v4 only disconnect(). Both drop the socket without waiting for replies.
  const closable = client as unknown as { destroy?: () => void; disconnect?: () => Promise<void> };
  return {
    commands: commandsOf(client as unknown as NodeRedisLike),
    connect: () => client.connect(),
    close: () => {
      if (!client.isOpen) return;
      try {
        if (typeof closable.destroy === 'function') closable.destroy();
        else void closable.disconnect?.().catch(() => {});
      } catch {
        // Already closed.
      }
    },
  };
}

let ioredisAvailable: Promise<boolean> | undefined;

function hasIoRedis(): Promise<boolean> {
  ioredisAvailable ??= loadDriver(() => import('ioredis'), 'ioredis', 'redis').then(
    () => true,
    (error: unknown) => {
      if (error instanceof MissingDriverError) return false;
      // Only "not installed" is cached; another failure (a broken install) is reported by this run.
      ioredisAvailable = undefined;
      throw error;
    },
  );
  return ioredisAvailable;
}

/** A Redis check: PING and a SET/GET round trip, with latency. Default name `redis`. */
export function redisCheck(options: RedisCheckOptions & CheckOptions): Check {
  validateTarget('redis', options, 'url');
  const { client, url, password, driver, roundTrip, degradedAboveMs } = options;
  const probeOptions: RedisCheckOptions = { client, url, password, driver, roundTrip, degradedAboveMs };
  return defineCheck(
    { kind: 'redis', componentType: 'datastore' },
    options,
    (context) => redisProbe(probeOptions, context),
    targetSecrets(url, password),
  );
}
