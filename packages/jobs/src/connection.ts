import { type BullmqRedis, DEFAULT_BULLMQ_PREFIX, openBullmqRedis } from '@vigil/core';

/** An ioredis client (e.g. the one your queues use; never closed here) or a `redis://` / `rediss://` URL. */
export type RedisConnection = BullmqRedis | string;

/** Where the queues live: what every view takes. */
export interface QueueSource {
  connection: RedisConnection;
  /** The password when it is kept out of the URL. */
  password?: string;
  /** BullMQ's key prefix. Default `bull`. */
  prefix?: string;
}

/** A view over several queues. */
export interface QueuesSource extends QueueSource {
  queues: readonly string[];
}

/** Runs `read` with a client: the given one, or a connection to the URL opened for this call and closed after. */
export async function withRedis<T>(source: QueueSource, read: (client: BullmqRedis) => Promise<T>): Promise<T> {
  const { connection } = source;
  if (typeof connection !== 'string') {
    if (typeof connection?.pipeline !== 'function') {
      throw new TypeError('connection must be an ioredis client or a redis:// URL');
    }
    return read(connection);
  }
  if (!/^rediss?:\/\//.test(connection)) throw new TypeError('connection must be an ioredis client or a redis:// URL');
  const opened = await openBullmqRedis(connection, source.password !== undefined ? { password: source.password } : {});
  try {
    await opened.ready;
    return await read(opened.client);
  } finally {
    opened.close();
  }
}

export function prefixOf(source: QueueSource): string {
  return source.prefix ?? DEFAULT_BULLMQ_PREFIX;
}

/** `<prefix>:<queue>:<type>`: BullMQ's key for a queue's list/set (`wait`, `active`…) or for a job id. */
export function keyOf(prefix: string, queue: string, type: string): string {
  return `${prefix}:${queue}:${type}`;
}

export function validQueues(queues: readonly string[] | undefined): readonly string[] {
  if (!Array.isArray(queues) || queues.length === 0) throw new TypeError('queues must list at least one queue');
  for (const queue of queues) {
    if (typeof queue !== 'string' || !/^[^\s:]{1,200}$/.test(queue)) {
      throw new TypeError(`queue name ${JSON.stringify(queue)} is invalid (no spaces or ':', 1-200 chars)`);
    }
  }
  return queues;
}

export function positiveInteger(value: number | undefined, fallback: number, what: string, max = 100_000): number {
  const n = value ?? fallback;
  if (!(Number.isInteger(n) && n > 0 && n <= max)) throw new TypeError(`${what} must be an integer from 1 to ${max}`);
  return n;
}

type Reply = [Error | null, unknown];

/** Sends one pipeline; throws the first command error (naming the command), else returns the replies. */
export async function pipeline(client: BullmqRedis, commands: (string | number)[][]): Promise<unknown[]> {
  if (commands.length === 0) return [];
  const replies: Reply[] | null = await client.pipeline(commands).exec();
  if (!replies || replies.length !== commands.length) throw new Error('Redis returned no result for the pipeline');
  return replies.map(([error, reply], i) => {
    if (error) throw new Error(`${String(commands[i]![0]).toUpperCase()} ${String(commands[i]![1])}: ${error.message}`);
    return reply;
  });
}

export function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value)) return value.toString();
  return String(value);
}

export function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => text(v) ?? '') : [];
}

/** A number field of a job hash, or null when absent. */
export function numberOrNull(value: string | null | undefined): number | null {
  if (value === null || value === undefined || value === '') return null;
  const n = Number(value);
  return Number.isFinite(n) ? n : null;
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/**
 * HMGET of the same fields for many jobs of one queue, in one pipeline; a job removed meanwhile comes back as
 * null.
 */
export async function jobFields<F extends string>(
  client: BullmqRedis,
  prefix: string,
  jobs: readonly { queue: string; id: string }[],
  fields: readonly F[],
): Promise<(Record<F, string | null> | null)[]> {
  const replies = await pipeline(
    client,
    jobs.map(({ queue, id }) => ['hmget', keyOf(prefix, queue, id), ...fields]),
  );
  return replies.map((reply) => {
    const values = Array.isArray(reply) ? reply.map(text) : [];
    if (values.every((v) => v === null)) return null;
    return Object.fromEntries(fields.map((field, i) => [field, values[i] ?? null])) as Record<F, string | null>;
  });
}
