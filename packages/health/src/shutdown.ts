import type { IncomingMessage, ServerResponse } from 'node:http';
import { sanitizeMessage } from '@vigil/core';
import type { Health } from './health.js';

/** What shutdown needs from a server; `node:http` and `node:https` servers (Express, Fastify's `.server`) fit. */
export interface ShutdownServer {
  readonly listening: boolean;
  close(callback?: (error?: Error) => void): unknown;
  closeIdleConnections(): void;
  closeAllConnections(): void;
  prependListener(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
  removeListener(event: 'request', listener: (req: IncomingMessage, res: ServerResponse) => void): unknown;
}

export interface ShutdownLogger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** May return a promise (of anything, e.g. ioredis' `quit()` resolving to 'OK'); it is awaited. */
export type CleanupHook = () => unknown;

export interface ShutdownResult {
  /** The signal name, or the reason given to `shutdown()`. */
  reason: string;
  /** 0 when everything went fine; 1 when draining timed out or a hook failed or timed out. */
  exitCode: 0 | 1;
  drainTimedOut: boolean;
  /** Names of the cleanup hooks (or `onShutdown`) that threw, rejected or timed out. */
  failedHooks: string[];
  durationMs: number;
}

export interface GracefulShutdownOptions {
  /** Its readiness turns 503 as soon as shutdown begins; liveness stays 200. */
  health: Pick<Health, 'beginShutdown'>;
  /** Servers to drain. Optional for workers that only need cleanup. */
  server?: ShutdownServer | readonly ShutdownServer[];
  /** Default `['SIGTERM', 'SIGINT']`. */
  signals?: readonly NodeJS.Signals[];
  /** Time for load balancers to see readiness fail before the servers stop accepting. Default 5000. */
  delayMs?: number;
  /** How long in-flight requests may take to finish before their connections are cut. Default 10000. */
  drainTimeoutMs?: number;
  /** Run one after another, in order, after draining (close pools, flush queues). */
  cleanup?: CleanupHook | readonly CleanupHook[];
  /** Per hook. Default 5000. */
  cleanupTimeoutMs?: number;
  /** Call `process.exit` with the result's code at the end. Default true. */
  exit?: boolean;
  /** Default `console`. Messages carry no error details beyond a sanitized message. */
  logger?: ShutdownLogger;
  /** Literal secrets to redact from logged hook errors (URL credentials and `password=` pairs always are). */
  secrets?: readonly string[];
  /** Called last, before exiting, under `cleanupTimeoutMs`; a failure makes the exit code 1. */
  onShutdown?: (result: ShutdownResult) => unknown;
}

export interface GracefulShutdownHandle {
  readonly shuttingDown: boolean;
  /** Starts shutdown (or joins the one under way). With `exit: true` the process exits before this resolves. */
  shutdown(reason?: string): Promise<ShutdownResult>;
  /** Removes the signal and request listeners; a shutdown already under way goes on. */
  uninstall(): void;
}

interface Tracker {
  server: ShutdownServer;
  active: Set<ServerResponse>;
  onIdle: Array<() => void>;
  listener: (req: IncomingMessage, res: ServerResponse) => void;
}

type Phase = 'running' | 'delay' | 'drain' | 'cleanup';

const TIMED_OUT = Symbol('timed out');
// setTimeout treats anything larger as 1 ms.
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Graceful shutdown for Kubernetes-style rollouts. On the first signal: readiness fails at once; for `delayMs` the
 * servers keep accepting and answering (responses carry `Connection: close` so keep-alive clients reconnect through
 * the load balancer); then the servers stop accepting, idle connections close, in-flight requests get up to
 * `drainTimeoutMs`, and the remaining connections are cut; then cleanup hooks run and the process exits 0, or 1 when
 * draining timed out or a hook failed. Later signals are ignored, except a second SIGINT (with `exit: true`), which
 * exits at once with 130, so Ctrl+C twice still stops a local run.
 */
export function installGracefulShutdown(options: GracefulShutdownOptions): GracefulShutdownHandle {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const delayMs = duration('delayMs', options.delayMs ?? 5000);
  const drainTimeoutMs = duration('drainTimeoutMs', options.drainTimeoutMs ?? 10_000);
  const cleanupTimeoutMs = duration('cleanupTimeoutMs', options.cleanupTimeoutMs ?? 5000);
  const hooks = list(options.cleanup);
  const exit = options.exit ?? true;
  const logger = options.logger ?? console;
  const secrets = options.secrets ?? [];
  let phase: Phase = 'running';
  let current: Promise<ShutdownResult> | undefined;
  let installed = true;

  const trackers: Tracker[] = list(options.server).map((server) => {
    const tracker: Tracker = { server, active: new Set(), onIdle: [], listener: () => {} };
    tracker.listener = (_req, res) => {
      if (phase !== 'running') closeAfterResponse(res);
      tracker.active.add(res);
      res.once('close', () => {
        tracker.active.delete(res);
        // A response whose headers went out before draining left its keep-alive socket open; it is idle now.
        if (phase === 'drain') setImmediate(() => server.closeIdleConnections());
        if (tracker.active.size === 0) for (const resolve of tracker.onIdle.splice(0)) resolve();
      });
    };
    // Prepended so the header is set before the app's handler can send headers synchronously.
    server.prependListener('request', tracker.listener);
    return tracker;
  });

  const inFlight = () => trackers.reduce((n, t) => n + t.active.size, 0);

  const drain = async (): Promise<boolean> => {
    if (trackers.length === 0) return true;
    const closed = trackers.map(
      (t) =>
        new Promise<void>((resolve) => {
          for (const res of t.active) closeAfterResponse(res);
          // close() calls back once every connection is gone; a server closed elsewhere waits for its requests.
          if (t.server.listening) t.server.close(() => resolve());
          else if (t.active.size === 0) resolve();
          else t.onIdle.push(resolve);
          t.server.closeIdleConnections();
        }),
    );
    logger.info(
      `stopped accepting connections; waiting up to ${drainTimeoutMs} ms for ${inFlight()} request(s) in flight`,
    );
    const drained = (await deadline(Promise.all(closed), drainTimeoutMs)) !== TIMED_OUT;
    if (!drained) logger.warn(`drain timed out after ${drainTimeoutMs} ms; cutting ${inFlight()} request(s) off`);
    for (const t of trackers) t.server.closeAllConnections();
    return drained;
  };

  const runHook = async (name: string, hook: () => unknown): Promise<boolean> => {
    try {
      const outcome = await deadline(
        Promise.resolve().then(hook), // turns a synchronous throw into a rejection
        cleanupTimeoutMs,
      );
      if (outcome !== TIMED_OUT) return true;
      logger.error(`${name} timed out after ${cleanupTimeoutMs} ms`);
    } catch (error) {
      logger.error(`${name} failed: ${describeError(error, secrets)}`);
    }
    return false;
  };

  const run = async (reason: string): Promise<ShutdownResult> => {
    const started = performance.now();
    const result: ShutdownResult = { reason, exitCode: 0, drainTimedOut: false, failedHooks: [], durationMs: 0 };
    let broken = false;
    try {
      options.health.beginShutdown();
      phase = 'delay';
      for (const t of trackers) for (const res of t.active) closeAfterResponse(res);
      logger.info(`shutting down (${reason}): readiness fails now; servers stop accepting in ${delayMs} ms`);
      // Deliberately not unref'd: the sequence must finish even if nothing else keeps the loop alive.
      await sleep(delayMs);
      phase = 'drain';
      result.drainTimedOut = !(await drain());
      phase = 'cleanup';
      for (const [i, hook] of hooks.entries()) {
        const label = hook.name || `#${i + 1}`;
        if (!(await runHook(`cleanup hook "${label}"`, hook))) result.failedHooks.push(label);
      }
      result.exitCode = result.drainTimedOut || result.failedHooks.length > 0 ? 1 : 0;
      result.durationMs = Math.round(performance.now() - started);
      const onShutdown = options.onShutdown;
      if (onShutdown && !(await runHook('onShutdown', () => onShutdown({ ...result })))) {
        result.failedHooks.push('onShutdown');
      }
    } catch (error) {
      broken = true;
      logger.error(`shutdown failed: ${describeError(error, secrets)}`);
    }
    result.exitCode = broken || result.drainTimedOut || result.failedHooks.length > 0 ? 1 : 0;
    result.durationMs = Math.round(performance.now() - started);
    logger.info(`shutdown complete in ${result.durationMs} ms (exit code ${result.exitCode})`);
    if (exit) process.exit(result.exitCode);
    // Later signals get Node's default behaviour again, so a process that lingers can still be stopped.
    uninstall();
    return result;
  };

  const shutdown = (reason = 'shutdown()'): Promise<ShutdownResult> => {
    current ??= run(reason);
    return current;
  };

  const onSignal = (signal: NodeJS.Signals) => {
    if (!current) {
      void shutdown(signal);
      return;
    }
    if (signal === 'SIGINT' && exit) {
      logger.warn('second SIGINT: exiting now without finishing shutdown');
      process.exit(130);
    }
    logger.warn(`${signal} received while shutting down; ignored`);
  };

  const uninstall = () => {
    if (!installed) return;
    installed = false;
    for (const signal of signals) process.removeListener(signal, onSignal);
    for (const t of trackers) t.server.removeListener('request', t.listener);
  };

  for (const signal of signals) process.on(signal, onSignal);

  return {
    get shuttingDown() {
      return current !== undefined;
    },
    shutdown,
    uninstall,
  };
}

function closeAfterResponse(res: ServerResponse): void {
  // Node then ends the socket after this response instead of keeping it alive for the next request.
  if (!res.headersSent) res.setHeader('connection', 'close');
}

function duration(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0 || value > MAX_TIMER_MS) {
    throw new RangeError(`${name} must be between 0 and ${MAX_TIMER_MS} ms, got ${value}`);
  }
  return value;
}

function list<T>(value: T | readonly T[] | undefined): T[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? [...(value as readonly T[])] : [value as T];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Races `promise` against a timer that is cleared as soon as either settles. */
async function deadline<T>(promise: Promise<T>, ms: number): Promise<T | typeof TIMED_OUT> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(resolve, ms, TIMED_OUT);
  });
  try {
    return await Promise.race([promise, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/** Name and sanitized message only: error objects can carry configs, headers or connection strings. */
function describeError(error: unknown, secrets: readonly string[]): string {
  const text =
    error instanceof Error
      ? `${error.name}: ${error.message}`
      : typeof error === 'string'
        ? error
        : `non-Error value (${typeof error})`;
  const clean = sanitizeMessage(text.replace(/[\r\n]+/g, ' '), secrets);
  return clean.length > 500 ? `${clean.slice(0, 500)}…` : clean;
}
