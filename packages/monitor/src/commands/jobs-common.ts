/**
 * What `vigil workers`, `jobs`, `queues`, `schedules`, `progress` and `doctor` share: the Redis flags, readable
 * tables and times, and errors as one line. The connection with a deadline over the whole command and queue
 * discovery are in src/jobs/redis.ts (the REST API uses them too), re-exported here.
 */
import type { Command, CommanderError } from 'commander';
import { type BullmqRedis, DEFAULT_BULLMQ_PREFIX } from '@vigil/core';
import { ConfigError, type Env, formatDuration, parseDuration } from '../config/index.js';
import {
  checkQueueName,
  DEFAULT_TIMEOUT_MS,
  discoverQueues,
  readRedis,
  RedisError,
  type RedisTarget,
  redisTargetOf,
  UsageError,
} from '../jobs/redis.js';

// Shared with the REST API (src/jobs/redis.ts); exported here too, for the commands.
export {
  checkQueueName,
  DEFAULT_TIMEOUT_MS,
  type Discovery,
  discoverQueues,
  isRedisUrl,
  readRedis,
  RedisError,
  type RedisTarget,
  redisTargetOf,
  UsageError,
} from '../jobs/redis.js';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/** Exit codes of the views: 0 shown, 1 Redis could not be read, 2 a mistake on the command line. */
export const VIEW_EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface JobsCommandOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /**
   * Receives the exit code. Default: sets `process.exitCode`, and exits at once on a command-line mistake that
   * commander reports. When given, such a mistake also rejects `parseAsync` (commander must not go on).
   */
  exit?: (code: number) => void;
  /** `REDIS_URL` and `${ENV}` in configuration files come from here. Default `process.env`. */
  env?: Env;
  /** Clock for "3m ago". Default `Date.now`. */
  now?: () => number;
  /** Stops `progress --follow` (default: Ctrl-C, i.e. SIGINT, or SIGTERM). */
  signal?: AbortSignal;
}

export interface CommandIO {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  exit: (code: number) => void;
  env: Env;
  now: () => number;
}

export function commandIO(options: JobsCommandOptions): CommandIO {
  return {
    stdout: options.stdout ?? ((text: string) => void process.stdout.write(text)),
    stderr: options.stderr ?? ((text: string) => void process.stderr.write(text)),
    exit: options.exit ?? ((code: number) => void (process.exitCode = code)),
    env: options.env ?? process.env,
    now: options.now ?? Date.now,
  };
}

/** Commander's own errors (unknown option, bad choice) in the CLI's one-line form, with the command's usage code. */
export function handleCommanderErrors(
  command: Command,
  options: JobsCommandOptions,
  io: CommandIO,
  usageCode: number,
): Command {
  return command
    .configureOutput({
      writeOut: io.stdout,
      writeErr: io.stderr,
      outputError: (message, write) => write(`vigil: ${message.replace(/^error: /, '')}`),
    })
    .exitOverride((error: CommanderError) => {
      const code = error.exitCode === 0 ? 0 : usageCode;
      if (options.exit === undefined) process.exit(code);
      options.exit(code);
      throw error;
    });
}

/** Runs an action: its result is the exit code; an error becomes one line on stderr, never a stack trace. */
export async function runAction(
  io: CommandIO,
  codes: { failed: number; usage: number },
  action: () => Promise<number>,
): Promise<void> {
  let code: number;
  try {
    code = await action();
  } catch (error) {
    // A configuration error lists its problems one per line (`file:line:col: field: message`); others are one line.
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`vigil: ${error instanceof ConfigError ? message : oneLine(message)}\n`);
    code = error instanceof UsageError || error instanceof ConfigError ? codes.usage : codes.failed;
  }
  io.exit(code);
}

export function printJson(io: CommandIO, value: unknown): number {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
  return VIEW_EXIT.ok;
}

// --- Flags ---

export interface SourceFlags {
  redis?: string;
  prefix?: string;
  queue?: string[];
  timeout?: string;
  json?: boolean;
}

// No default value: commander would print `(default: [])` in the help.
export const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** `--redis`, `--prefix`, `--queue`, `--timeout`, `--json`; no commander defaults: `REDIS_URL` may hold a password. */
export function addSourceOptions(command: Command): Command {
  return command
    .option('--redis <url>', `Redis URL (default: $REDIS_URL, else ${DEFAULT_REDIS_URL})`)
    .option('--prefix <prefix>', `BullMQ key prefix (default: ${DEFAULT_BULLMQ_PREFIX})`)
    .option('--queue <name>', 'a queue to look at (repeatable; default: every queue found under the prefix)', collect)
    .option(
      '--timeout <duration>',
      `time Redis has to answer, e.g. 5s or 500ms (default: ${formatDuration(DEFAULT_TIMEOUT_MS)})`,
    )
    .option('--json', 'print JSON');
}

export function parseTimeout(text: string | undefined, flag = '--timeout'): number {
  if (text === undefined) return DEFAULT_TIMEOUT_MS;
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`${flag}: expected a duration like "5s" or "500ms", got "${text}"`);
  }
  return ms;
}

/** A whole number from 1 to max, from a flag. */
export function parseCount(text: string | undefined, flag: string, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !(n >= 1 && n <= max)) {
    throw new UsageError(`${flag}: expected a whole number from 1 to ${max}, got "${text}"`);
  }
  return n;
}

/** The target the flags describe: `--redis`, else `REDIS_URL`, else the local Redis. */
export function redisTarget(flags: SourceFlags, env: Env): RedisTarget {
  const queues = flags.queue?.map((name) => checkQueueName(name, '--queue'));
  return redisTargetOf({
    url: flags.redis ?? env.REDIS_URL ?? DEFAULT_REDIS_URL,
    ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
    ...(queues !== undefined ? { queues } : {}),
    timeoutMs: parseTimeout(flags.timeout),
  });
}

// --- Redis ---

/** The queues asked for, or those found; a warning when the search stopped early; an error when there are none. */
export async function queuesOf(client: BullmqRedis, target: RedisTarget, io: CommandIO): Promise<string[]> {
  if (target.queues !== undefined) return target.queues;
  const { queues, complete } = await discoverQueues(client, target.prefix);
  if (!complete) {
    io.stderr(`vigil: stopped looking for queues after ${queues.length} (a large Redis): name them with --queue\n`);
  }
  if (queues.length === 0) {
    throw new RedisError(
      `no BullMQ queues under prefix "${target.prefix}" at ${target.shown}: check --prefix, or name them with --queue`,
    );
  }
  return queues;
}

/**
 * Reads one view in one Redis connection: the queues (named, or found under the prefix) and what `read` makes of
 * them. The queues come back too, for the message when the view is empty.
 */
export async function readQueueView<T>(
  target: RedisTarget,
  io: CommandIO,
  read: (client: BullmqRedis, queues: string[]) => Promise<T>,
): Promise<{ queues: string[]; view: T }> {
  return readRedis(target, async (client) => {
    const queues = await queuesOf(client, target, io);
    return { queues, view: await read(client, queues) };
  });
}

/**
 * Prints a view as every view command does: `--json` as is, an empty list as one line on stderr (`vigil: <empty>
 * queue(s) <names>`, e.g. `no failed jobs in`; exit 0 all the same), anything else as its table.
 */
export function showView<T>(
  io: CommandIO,
  json: boolean | undefined,
  view: { items: readonly T[]; queues: readonly string[]; empty: string; table: (items: readonly T[]) => string },
): number {
  if (json) return printJson(io, view.items);
  if (view.items.length === 0) {
    const where = `${view.queues.length === 1 ? 'queue' : 'queues'} ${listing(view.queues)}`;
    io.stderr(`vigil: ${view.empty} ${where}\n`);
    return VIEW_EXIT.ok;
  }
  io.stdout(view.table(view.items));
  return VIEW_EXIT.ok;
}

// --- Text ---

export interface Column {
  header: string;
  align?: 'left' | 'right';
  /** Longer cells are cut, ending in `…`. */
  max?: number;
}

// Control characters (ANSI escapes, newlines) in job data or errors must not reach the terminal as such.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]+/g;

export function cell(value: string, max?: number): string {
  const flat = value.replace(CONTROL, ' ');
  return max !== undefined && flat.length > max ? `${flat.slice(0, Math.max(0, max - 1))}…` : flat;
}

export function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').replace(CONTROL, ' ');
}

/** Aligned columns separated by two spaces, headers first; no trailing spaces. */
export function renderTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const cells = [
    columns.map((c) => c.header),
    ...rows.map((row) => columns.map((c, i) => cell(row[i] ?? '', c.max))),
  ];
  const widths = columns.map((_, i) => Math.max(...cells.map((row) => row[i]!.length)));
  const last = columns.length - 1;
  return cells
    .map((row) =>
      row
        .map((text, i) => {
          if (columns[i]?.align === 'right') return text.padStart(widths[i]!);
          return i === last ? text : text.padEnd(widths[i]!);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n')
    .concat('\n');
}

/** `32ms`, `1.5s`, `12s`, `3m 4s`, `2h 5m`, `3d 2h`: two units at most. */
export function span(seconds: number): string {
  if (!Number.isFinite(seconds)) return '-';
  const s = Math.max(0, seconds);
  if (s < 1) return `${Math.round(s * 1000)}ms`;
  if (s < 10) return `${Math.round(s * 10) / 10}s`;
  if (s < 60) return `${Math.floor(s)}s`;
  const parts: [number, string][] = [
    [Math.floor(s / 86_400), 'd'],
    [Math.floor((s % 86_400) / 3600), 'h'],
    [Math.floor((s % 3600) / 60), 'm'],
    [Math.floor(s % 60), 's'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n], i) => i === 0 || n > 0)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}

/** `just now`, `12s ago`, `3m ago`, `2h ago`, `4d ago` (`in 3m` for the future); `-` when unknown. */
export function ago(iso: string | null | undefined, now: number): string {
  if (!iso) return '-';
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '-';
  const seconds = (now - at) / 1000;
  const size = Math.abs(seconds);
  if (size < 1) return 'just now';
  const amount =
    size < 60
      ? `${Math.floor(size)}s`
      : size < 3600
        ? `${Math.floor(size / 60)}m`
        : size < 86_400
          ? `${Math.floor(size / 3600)}h`
          : `${Math.floor(size / 86_400)}d`;
  return seconds >= 0 ? `${amount} ago` : `in ${amount}`;
}

/** An ISO time to the second, for logs: `2026-11-22 09:40:47`. */
export function isoSeconds(iso: string | null | undefined): string {
  if (!iso) return '-';
  return iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z');
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

/** `a, b and c`, or the first few and `and N more`. */
export function listing(items: readonly string[], max = 6): string {
  if (items.length <= 1) return items.join('');
  if (items.length > max) return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/** Progress as set by `job.updateProgress()`: a number as a percentage, anything else as compact JSON. */
export function progressText(progress: unknown): string {
  if (progress === null || progress === undefined) return '-';
  if (typeof progress === 'number') return `${progress}%`;
  return typeof progress === 'string' ? progress : JSON.stringify(progress);
}
