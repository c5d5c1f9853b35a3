/**
 * Reaching the Redis of BullMQ queues, for the job views of the command line (`vigil queues`, `workers`, `jobs`,
 * `schedules`, `progress`, `doctor`) and of the REST API (/api/v1/jobs): where the queues are (a target, its
 * password hidden), a deadline over every access, queue discovery, and errors as one line naming the server.
 */
import {
  type BullmqRedis,
  DEFAULT_BULLMQ_PREFIX,
  errorMessage,
  openBullmqRedis,
  redactUrl,
  sanitizeMessage,
  secretsInUrl,
} from '@vigil/core';
import { formatDuration } from '../config/index.js';

/** The time Redis has to answer, over a whole view or action. */
export const DEFAULT_TIMEOUT_MS = 5000;

/** A problem with what was asked (a flag, a queue name). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Redis could not be read: the message is one line, says where (password hidden) and what to do. */
export class RedisError extends Error {
  override readonly name = 'RedisError';
}

/** Where the queues are, with everything needed to show it safely. */
export interface RedisTarget {
  url: string;
  password?: string;
  /** The URL with its password replaced, for messages. */
  shown: string;
  /** Literal secrets to scrub from any message. */
  secrets: string[];
  prefix: string;
  /** The queues asked for; undefined: discover them. */
  queues: string[] | undefined;
  timeoutMs: number;
}

/** What BullMQ accepts as a queue name here: no spaces or `:` (a `:` would be read as another prefix's key). */
export const QUEUE_NAME = /^[^\s:]{1,200}$/;
export const QUEUE_NAME_RULE = "no spaces or ':', 1-200 characters";
/** What is accepted as a BullMQ key prefix. */
export const BULLMQ_PREFIX = /^[^\s]{1,100}$/;

export function isRedisUrl(url: string): boolean {
  try {
    const parsed = new URL(url);
    return (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') && parsed.hostname !== '';
  } catch {
    return false;
  }
}

export function checkQueueName(name: string, where: string): string {
  if (!QUEUE_NAME.test(name)) {
    throw new UsageError(`${where}: queue name ${JSON.stringify(name)} is invalid (${QUEUE_NAME_RULE})`);
  }
  return name;
}

export function redisTargetOf(
  source: { url: string; password?: string; prefix?: string; queues?: readonly string[]; timeoutMs: number },
  where = '--redis',
  prefixWhere = '--prefix',
): RedisTarget {
  if (!isRedisUrl(source.url)) {
    const got = JSON.stringify(sanitizeMessage(source.url));
    throw new UsageError(`${where}: expected a redis:// or rediss:// URL, got ${got}`);
  }
  const prefix = source.prefix ?? DEFAULT_BULLMQ_PREFIX;
  if (!BULLMQ_PREFIX.test(prefix)) throw new UsageError(`${prefixWhere}: expected 1-100 characters without spaces`);
  const queues = source.queues === undefined ? undefined : [...new Set(source.queues)];
  return {
    url: source.url,
    ...(source.password !== undefined ? { password: source.password } : {}),
    shown: redactUrl(source.url),
    secrets: [...secretsInUrl(source.url), ...(source.password !== undefined ? [source.password] : [])],
    prefix,
    queues,
    timeoutMs: source.timeoutMs,
  };
}

/**
 * Opens a connection (`open`), runs `use` with it and closes it, all within the target's timeout: a Redis that
 * accepts the connection and never answers cannot hang the caller. A connection opened after the deadline is closed
 * at once. Every failure becomes a RedisError with one line naming the server (password hidden), except those
 * `passThrough` accepts (a refusal of the action, not a failure of Redis).
 */
export async function withinDeadline<C extends { close(): void }, T>(
  target: RedisTarget,
  open: () => Promise<C>,
  use: (connection: C) => Promise<T>,
  passThrough: (error: unknown) => boolean = () => false,
): Promise<T> {
  let connection: C | undefined;
  let finished = false;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(
        new RedisError(
          `Redis at ${target.shown} did not answer within ${formatDuration(target.timeoutMs)} ` +
            '(is it overloaded, or is something other than Redis listening there?)',
        ),
      );
    }, target.timeoutMs);
  });
  try {
    return await Promise.race([
      (async () => {
        const opened = await open();
        connection = opened;
        // Opened after the deadline: nobody will use it.
        if (finished) opened.close();
        return use(opened);
      })(),
      expired,
    ]);
  } catch (error) {
    if (error instanceof RedisError || error instanceof UsageError || passThrough(error)) throw error;
    throw new RedisError(explainRedisError(error, target));
  } finally {
    finished = true;
    clearTimeout(timer);
    connection?.close();
  }
}

/**
 * Opens a connection, runs `read` with it and closes it. The timeout covers everything (connecting, discovery, the
 * reads): a Redis that accepts the connection and never answers cannot hang the command. Every failure becomes a
 * RedisError with one line naming the server (password hidden).
 */
export async function readRedis<T>(target: RedisTarget, read: (client: BullmqRedis) => Promise<T>): Promise<T> {
  return withinDeadline(
    target,
    () =>
      openBullmqRedis(target.url, {
        ...(target.password !== undefined ? { password: target.password } : {}),
        connectTimeoutMs: target.timeoutMs,
      }),
    async (opened) => {
      await opened.ready;
      return read(opened.client);
    },
  );
}

/** What went wrong, in words that say what to do; never the password. */
export function explainRedisError(error: unknown, target: RedisTarget): string {
  const message = sanitizeMessage(errorMessage(error), target.secrets);
  const at = `Redis at ${target.shown}`;
  if (/ECONNREFUSED/.test(message)) return `cannot connect to ${at}: connection refused (is Redis running there?)`;
  if (/ENOTFOUND|EAI_AGAIN/.test(message)) return `cannot connect to ${at}: host not found (${message})`;
  if (/ETIMEDOUT/.test(message)) return `cannot connect to ${at}: timed out (${message})`;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return `${at} refused the credentials: ${message} (check the password in the URL)`;
  }
  return `cannot read ${at}: ${message}`;
}

/** Sends one command; throws its error. */
async function command(client: BullmqRedis, args: (string | number)[]): Promise<unknown> {
  const replies = await client.pipeline([args]).exec();
  const [error, reply] = replies?.[0] ?? [new Error('Redis returned no result'), undefined];
  if (error) throw error;
  return reply;
}

/** SCAN budget: enough for a million keys, few enough that a huge Redis cannot keep the command busy. */
const SCAN_COUNT = 1000;
const MAX_SCAN_CALLS = 1000;
const MAX_QUEUES = 1000;

/** `*`, `?`, `[`, `]` and `\` are glob characters for SCAN MATCH: a prefix containing them must match itself. */
const escapeGlob = (text: string) => text.replace(/[*?[\]\\]/g, (c) => `\\${c}`);

export interface Discovery {
  queues: string[];
  /** False when the scan budget or the queue cap stopped it early. */
  complete: boolean;
}

/**
 * The queues under a prefix: BullMQ writes `<prefix>:<queue>:meta` when a queue is created or a job added. SCAN
 * (never KEYS) with MATCH, bounded, so a large Redis is not blocked.
 */
export async function discoverQueues(client: BullmqRedis, prefix: string): Promise<Discovery> {
  const pattern = `${escapeGlob(prefix)}:*:meta`;
  const found = new Set<string>();
  let cursor = '0';
  let calls = 0;
  do {
    const reply = await command(client, ['scan', cursor, 'MATCH', pattern, 'COUNT', SCAN_COUNT]);
    const [next, keys] = Array.isArray(reply) ? reply : [];
    cursor = String(next ?? '0');
    for (const key of Array.isArray(keys) ? keys : []) {
      const queue = String(key).slice(prefix.length + 1, -':meta'.length);
      // A `:` would be another prefix's key (`bull:a:b:meta` seen from prefix `bull`), not a queue of this one.
      if (QUEUE_NAME.test(queue)) found.add(queue);
    }
    calls++;
  } while (cursor !== '0' && calls < MAX_SCAN_CALLS && found.size < MAX_QUEUES);
  const queues = [...found].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)).slice(0, MAX_QUEUES);
  return { queues, complete: cursor === '0' && found.size <= MAX_QUEUES };
}
