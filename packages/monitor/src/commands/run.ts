/**
 * `vigil run [options] <slug-or-key> -- <command> [args…]`: runs a cron job and reports it to a heartbeat, in the
 * ping URLs of docs/heartbeats.md.
 *
 * The command starts at once (no shell, stdin inherited, its output passed through as it comes) while
 * `/start?rid=<uuid>` is sent; when it ends, `/<exit status>?rid=…` (or `/fail?rid=…` when it was killed by a signal
 * or could not be started) is sent with the end of its output as the body, after the start ping has settled.
 *
 * The job matters more than its ping:
 * - `vigil run` exits with the command's status, always: 128+N when a signal N killed it, 127 when it was not
 *   found and 126 when it could not be started otherwise, as shells say it. A ping that fails prints one
 *   `vigil run: ping … failed: …` line on stderr (the URL's key masked) and changes nothing else.
 * - No ping URL (neither `--ping-url` nor `VIGIL_PING_URL`, or a malformed one) is said on stderr, and the command
 *   runs anyway, without pings: cron's environment is not the shell's, and a missing variable must not skip a
 *   backup. Only a malformed command line (no `--`, a bad option value) exits 2 without running anything.
 *
 * Pings are retried on network errors, timeouts, 5xx and 429 (after 1 s, 2 s, 4 s … at most 30 s apart) for
 * `--retry-for`, each attempt given `--timeout`; another answer (4xx) is final. The start ping is retried while the
 * command runs; once it has ended only the end ping is (so that `vigil run` ends at most `--retry-for` plus one
 * `--timeout` after the command).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import type { Readable } from 'node:stream';
import type { Command } from 'commander';
import { formatDuration, parseDuration } from '../config/duration.js';
import { VIGIL_VERSION } from '../service/version.js';

export const RUN_DEFAULT_LOG_BYTES = 10_000;
export const RUN_DEFAULT_RETRY_FOR = '60s';
export const RUN_DEFAULT_TIMEOUT = '10s';
/** What a server may keep of a body at most (`server.ping_body_limit`). */
const MAX_LOG_BYTES = 10_000_000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;
/** How long the command's output may stay open after it exited (a process it left in the background holds it). */
const OUTPUT_GRACE_MS = 1000;
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT'] as const;
const USAGE = 'vigil run [options] <slug-or-key> -- <command> [args…]';

export interface RunFlags {
  pingUrl?: string;
  /** `?create=1` on every ping: the heartbeat is created by the first (a slug under a key with `heartbeats.create`). */
  create?: boolean;
  logBytes?: string;
  retryFor?: string;
  timeout?: string;
}

interface RunSettings {
  logBytes: number;
  retryForMs: number;
  timeoutMs: number;
}

class UsageError extends Error {}

function parseSettings(flags: RunFlags): RunSettings {
  const duration = (flag: string, text: string | undefined, fallback: string, allowZero: boolean): number => {
    const ms = parseDuration(text ?? fallback);
    if (ms === undefined || (!allowZero && ms <= 0)) {
      throw new UsageError(`${flag}: expected a duration like "30s" or "2m", got ${JSON.stringify(text)}`);
    }
    return ms;
  };
  let logBytes = RUN_DEFAULT_LOG_BYTES;
  if (flags.logBytes !== undefined) {
    logBytes = Number(flags.logBytes);
    if (!/^\d+$/.test(flags.logBytes.trim()) || logBytes > MAX_LOG_BYTES) {
      throw new UsageError(`--log-bytes: expected a whole number of bytes from 0 to ${MAX_LOG_BYTES}, got ${JSON.stringify(flags.logBytes)}`);
    }
  }
  return {
    logBytes,
    retryForMs: duration('--retry-for', flags.retryFor, RUN_DEFAULT_RETRY_FOR, true),
    timeoutMs: duration('--timeout', flags.timeout, RUN_DEFAULT_TIMEOUT, false),
  };
}

/** The ping URL of the heartbeat (the suffixes go after it), or why there is none. Never says the URL itself. */
export function pingBase(target: string, flag: string | undefined, env: NodeJS.ProcessEnv): { base: URL } | { problem: string } {
  let text: string;
  let from: string;
  if (/^https?:\/\//i.test(target)) {
    text = target;
    from = 'the ping URL given as <slug-or-key>';
  } else {
    const configured = flag ?? env.VIGIL_PING_URL;
    from = flag === undefined ? 'VIGIL_PING_URL' : '--ping-url';
    if (configured === undefined || configured.trim() === '') {
      return {
        problem:
          'no ping URL: set VIGIL_PING_URL (e.g. VIGIL_PING_URL=https://vigil.example.com/ping) or give --ping-url, or give the full ping URL instead of the slug or key',
      };
    }
    const segments = target.split('/').filter((segment) => segment !== '');
    if (segments.length === 0) return { problem: 'no slug or key: expected the heartbeat\'s slug or ping key after the options' };
    text = `${configured.trim().replace(/\/+$/, '')}/${segments.map(encodeURIComponent).join('/')}`;
  }
  let base: URL;
  try {
    base = new URL(text);
  } catch {
    return { problem: `${from} is not a valid URL: expected one like https://vigil.example.com/ping` };
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    return { problem: `${from}: expected an http:// or https:// URL, like https://vigil.example.com/ping` };
  }
  if (base.username !== '' || base.password !== '') return { problem: `${from} must not hold credentials (user:password@)` };
  base.hash = '';
  return { base };
}

/** The URL of one ping: `suffix` appended to the base's path, the run id in the query. */
export function pingUrl(base: URL, suffix: string, rid: string): URL {
  const url = new URL(base.href);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}/${suffix}`;
  url.searchParams.set('rid', rid);
  return url;
}

/** The path up to the credential: up to `/ping/` (or `/` when there is none), and the path after it, the secret. */
function splitPath(base: URL): { shown: string; secret: string } {
  const at = base.pathname.indexOf('/ping/');
  const shown = at >= 0 ? base.pathname.slice(0, at + '/ping/'.length) : '/';
  return { shown, secret: base.pathname.slice(shown.length) };
}

/** What the path after `/ping/` holds is a credential: `https://host/ping/…/start`. */
export function shownPingUrl(base: URL, suffix: string): string {
  return `${base.protocol}//${base.host}${splitPath(base).shown}…/${suffix}`;
}

/** `text` with the secret part of the ping URL masked, should an error message quote it. */
function scrub(text: string, base: URL): string {
  const { secret } = splitPath(base);
  const encoded = secret.replace(/\/+$/, '');
  let out = text;
  for (const form of new Set([encoded, safeDecode(encoded)])) if (form.length > 0) out = out.split(form).join('…');
  return out;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** The last bytes of the command's output (stdout and stderr as they came), at most `max`. */
export class OutputTail {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly max: number) {}

  push(chunk: Buffer): void {
    if (this.max === 0 || chunk.length === 0) return;
    if (chunk.length >= this.max) {
      this.chunks = [Buffer.from(chunk.subarray(chunk.length - this.max))];
      this.size = this.max;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - (this.chunks[0] as Buffer).length >= this.max) {
      this.size -= (this.chunks.shift() as Buffer).length;
    }
  }

  /** The last `limit` bytes at most, cut at UTF-8 character boundaries. */
  last(limit: number): Buffer {
    const all = Buffer.concat(this.chunks, this.size);
    return utf8Whole(all.subarray(Math.max(0, all.length - Math.max(0, limit))));
  }
}

/** Drops a character cut in two at either end. */
export function utf8Whole(bytes: Buffer): Buffer {
  let start = 0;
  while (start < bytes.length && start < 3 && ((bytes[start] as number) & 0xc0) === 0x80) start += 1;
  let end = bytes.length;
  for (let back = 1; back <= 4 && end - back >= start; back += 1) {
    const byte = bytes[end - back] as number;
    if ((byte & 0xc0) === 0x80) continue;
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    if (length > back) end -= back;
    break;
  }
  return bytes.subarray(start, end);
}

type Ended =
  | { how: 'exit'; code: number }
  | { how: 'signal'; signal: NodeJS.Signals; code: number }
  | { how: 'not-started'; message: string; code: number };

function notStarted(file: string, error: unknown): Ended {
  const code = (error as NodeJS.ErrnoException).code;
  const reason =
    code === 'ENOENT' ? 'not found (ENOENT)' : code === 'EACCES' ? 'permission denied (EACCES)' : error instanceof Error ? error.message : String(error);
  return { how: 'not-started', message: `could not start ${file}: ${reason}`, code: code === 'ENOENT' ? 127 : 126 };
}

/** Copies the command's output to ours as it comes, keeping its tail; a reader of ours that went away closes it. */
function passThrough(from: Readable, to: NodeJS.WriteStream, tail: OutputTail): void {
  let broken = false;
  to.on('error', () => {
    // `vigil run … | head -1`: the command gets the EPIPE it would have got without vigil run.
    broken = true;
    from.destroy();
  });
  from.on('data', (chunk: Buffer) => {
    tail.push(chunk);
    if (broken) return;
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('error', () => undefined);
}

function closed(stream: Readable | null): Promise<void> {
  if (!stream || stream.destroyed || stream.readableEnded) return Promise.resolve();
  return new Promise((resolve) => {
    stream.once('end', resolve);
    stream.once('close', resolve);
  });
}

/** Runs the command; resolves when it ended (and its output did, or `OUTPUT_GRACE_MS` passed). */
function runCommand(file: string, args: readonly string[], tail: OutputTail): Promise<Ended> {
  return new Promise((resolve) => {
    let child: ChildProcess;
    try {
      child = spawn(file, args, { stdio: ['inherit', 'pipe', 'pipe'] });
    } catch (error) {
      resolve(notStarted(file, error));
      return;
    }
    const forward = FORWARDED_SIGNALS.map((signal) => {
      const handler = () => void child.kill(signal);
      process.on(signal, handler);
      return () => process.off(signal, handler);
    });
    // Once the command has ended, a signal stops vigil run as usual.
    const release = () => forward.forEach((off) => off());
    if (child.stdout) passThrough(child.stdout, process.stdout, tail);
    if (child.stderr) passThrough(child.stderr, process.stderr, tail);
    child.on('error', (error) => {
      if (child.pid !== undefined) return; // a failed kill: the command runs on
      release();
      resolve(notStarted(file, error));
    });
    child.on('exit', (code, signal) => {
      release();
      const ended: Ended =
        signal !== null ? { how: 'signal', signal, code: 128 + (os.constants.signals[signal] ?? 0) } : { how: 'exit', code: code ?? 1 };
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((done) => (timer = setTimeout(done, OUTPUT_GRACE_MS)));
      void Promise.race([Promise.all([closed(child.stdout), closed(child.stderr)]), grace]).then(() => {
        clearTimeout(timer);
        resolve(ended);
      });
    });
  });
}

type Answer = { ok: true; bodyLimit: number | undefined } | { ok: false; retry: boolean; reason: string };

function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${formatDuration(timeoutMs)}`;
  const cause = (error as { cause?: unknown }).cause;
  const first = cause instanceof AggregateError ? (cause.errors[0] as unknown) : cause;
  if (first instanceof Error) return first.message || (first as NodeJS.ErrnoException).code || first.name;
  return error instanceof Error ? error.message : String(error);
}

async function attempt(url: URL, body: Buffer | undefined, timeoutMs: number): Promise<Answer> {
  try {
    // POST even without a body: a heartbeat may count POST pings only (`methods: [POST]`).
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'User-Agent': `vigil-run/${VIGIL_VERSION}`, 'Content-Type': 'text/plain; charset=utf-8' },
      body: body ?? '',
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = (await response.text()).trim().slice(0, 200);
    if (response.ok) {
      const limit = response.headers.get('ping-body-limit');
      return { ok: true, bodyLimit: limit !== null && /^\d+$/.test(limit.trim()) ? Number(limit) : undefined };
    }
    const hint = response.status === 404 ? ' (check the slug or key, and the ping URL)' : '';
    return {
      ok: false,
      retry: response.status >= 500 || response.status === 429,
      reason: `HTTP ${response.status}${text === '' ? '' : ` ${text}`}${hint}`,
    };
  } catch (error) {
    return { ok: false, retry: true, reason: describeFetchError(error, timeoutMs) };
  }
}

function sleepUnless(ms: number, stop: AbortSignal | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    if (stop?.aborted) return resolve(false);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      stop?.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    stop?.addEventListener('abort', onAbort, { once: true });
  });
}

interface PingOptions {
  settings: RunSettings;
  /** No more attempts once aborted (the one under way finishes). */
  stop?: AbortSignal;
  stderr: (text: string) => void;
}

/**
 * One ping, retried on network errors, timeouts, 5xx and 429: attempts 1 s, 3 s, 7 s, 15 s, 31 s, 61 s … after the
 * first (waits doubling up to 30 s), none starting later than `retryForMs` after it. A failure is said once.
 */
async function sendPing(base: URL, suffix: string, rid: string, body: Buffer | undefined, options: PingOptions): Promise<Answer> {
  const { retryForMs, timeoutMs } = options.settings;
  const url = pingUrl(base, suffix, rid);
  const started = Date.now();
  let wait = FIRST_RETRY_MS;
  let nextAt = 0;
  let attempts = 0;
  for (;;) {
    attempts += 1;
    const answer = await attempt(url, body, timeoutMs);
    if (answer.ok) return answer;
    nextAt += wait;
    wait = Math.min(wait * 2, MAX_RETRY_MS);
    const retry =
      answer.retry &&
      nextAt <= retryForMs &&
      Date.now() - started <= retryForMs &&
      (await sleepUnless(Math.max(0, started + nextAt - Date.now()), options.stop));
    if (!retry) {
      const reason = scrub(answer.reason, base);
      const tries = attempts > 1 ? ` (${attempts} attempts in ${formatDuration(Math.round((Date.now() - started) / 1000) * 1000)})` : '';
      const gaveUp = answer.retry && options.stop?.aborted ? ', not retried: the command has ended' : '';
      options.stderr(`vigil run: ping ${shownPingUrl(base, suffix)} failed: ${reason}${tries}${gaveUp}\n`);
      return answer;
    }
  }
}

/** The body of the end ping: what ended the command, then the end of its output, within `limit` bytes. */
function endPing(ended: Ended, tail: OutputTail, limit: number): { suffix: string; body: Buffer } {
  if (ended.how === 'exit') return { suffix: String(ended.code), body: tail.last(limit) };
  const head = Buffer.from(ended.how === 'signal' ? `killed by signal ${ended.signal}\n` : ended.message);
  if (ended.how === 'not-started') return { suffix: 'fail', body: utf8Whole(head.subarray(0, limit)) };
  return { suffix: 'fail', body: Buffer.concat([utf8Whole(head.subarray(0, limit)), tail.last(limit - head.length)]) };
}

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  stderr?: (text: string) => void;
}

/** Runs `command` with its pings; resolves to the exit status `vigil run` should end with. */
export async function runWithPings(target: string, command: readonly string[], flags: RunFlags, options: RunOptions = {}): Promise<number> {
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const settings = parseSettings(flags);
  const [file, ...args] = command as [string, ...string[]];
  const where = pingBase(target, flags.pingUrl, options.env ?? process.env);
  if ('problem' in where) stderr(`vigil run: ${where.problem}; running the command without pings\n`);
  const base = 'base' in where ? where.base : undefined;
  if (base && flags.create) base.searchParams.set('create', '1');
  const rid = randomUUID();
  const tail = new OutputTail(settings.logBytes);
  const ending = runCommand(file, args, tail);
  const commandEnded = new AbortController();
  const started = base ? sendPing(base, 'start', rid, undefined, { settings, stop: commandEnded.signal, stderr }) : undefined;
  const ended = await ending;
  commandEnded.abort();
  if (ended.how === 'not-started') stderr(`vigil run: ${ended.message}\n`);
  const startAnswer = await started;
  if (base) {
    const serverLimit = startAnswer?.ok ? startAnswer.bodyLimit : undefined;
    const { suffix, body } = endPing(ended, tail, Math.min(settings.logBytes, serverLimit ?? Number.POSITIVE_INFINITY));
    await sendPing(base, suffix, rid, body, { settings, stderr });
  }
  return ended.code;
}

/** Whether the command line had `--` right before the command (commander drops it). */
function separated(command: Command, words: readonly string[]): boolean {
  let root = command;
  while (root.parent) root = root.parent;
  const raw = (root as unknown as { rawArgs?: string[] }).rawArgs ?? process.argv;
  const at = raw.indexOf('--');
  if (at < 0) return false;
  const after = raw.slice(at + 1);
  return after.length === words.length && after.every((word, i) => word === words[i]);
}

export function registerRunCommand(program: Command): Command {
  return program
    .command('run')
    .description(
      'run a command (a cron job) and report it to a heartbeat: /start when it starts, its exit status and the end of its output when it ends; exits with its status',
    )
    .usage('[options] <slug-or-key> -- <command> [args…]')
    .argument('<slug-or-key>', "the heartbeat's ping key or slug, appended to --ping-url / VIGIL_PING_URL; or its full ping URL (http:// or https://)")
    .argument('<command...>', 'the command and its arguments, after --; run without a shell')
    .option('--ping-url <url>', 'the base of the ping URLs, e.g. https://vigil.example.com/ping (env VIGIL_PING_URL)')
    .option('--create', 'create the heartbeat on its first ping if it does not exist (?create=1: a slug under a key whose heartbeats.create is set)')
    .option('--log-bytes <n>', `bytes of the end of the output sent with the end ping (default ${RUN_DEFAULT_LOG_BYTES}; at most the server's Ping-Body-Limit)`)
    .option('--retry-for <duration>', `how long a failed ping is retried, e.g. 30s or 2m (default ${RUN_DEFAULT_RETRY_FOR})`)
    .option('--timeout <duration>', `how long one attempt of a ping may take (default ${RUN_DEFAULT_TIMEOUT})`)
    // A command line commander refuses (a missing argument, an unknown option) exits 2 too: nothing was run.
    .exitOverride((error) => process.exit(error.exitCode === 0 ? 0 : 2))
    .action(async (target: string, words: string[], flags: RunFlags, command: Command) => {
      try {
        if (!separated(command, words)) throw new UsageError(`put -- before the command, so that its options stay its own: ${USAGE}`);
        process.exitCode = await runWithPings(target, words, flags);
      } catch (error) {
        if (!(error instanceof UsageError)) throw error;
        process.stderr.write(`vigil run: ${error.message}\n`);
        process.exitCode = 2;
      }
    });
}
