import { Worker } from 'node:worker_threads';
import { metricDefinition, sanitizeMessage } from '@vigil/core';
import { type BullmqWorkerLike, watchBullmqWorker, type WatchBullmqWorkerOptions } from './bullmq.js';
import { resolveWorkerConfig, type ResolvedWorkerConfig } from './config.js';
import { type CurrentJob, type DiagnosticsOptions, installDiagnostics } from './diagnostics.js';
import {
  type FromThread,
  type ListenerState,
  type QueueCounters,
  SHARED,
  type ThreadConfig,
  type ThreadMetricHelp,
  type ToThread,
} from './protocol.js';
import { threadScript } from './thread.js';

/** Anything with prom-client's `Registry#metrics()`: its text is appended to the sidecar's `/metrics`. */
export interface MetricsSource {
  metrics(): Promise<string> | string;
}

export interface WorkerHealthServerOptions {
  /** Default: `VIGIL_WORKER_HEALTHCHECK_ENABLED` (`false` or `0` turns the server off), else true. */
  enabled?: boolean;
  /** Default: `VIGIL_WORKER_HEALTHCHECK_PORT`, else 8001. 0 picks a free port (see `port` on the result). */
  port?: number;
  /**
   * Default: `VIGIL_WORKER_HEALTHCHECK_HOST`, else `127.0.0.1` (reachable from the same host only). In Kubernetes
   * the kubelet probes the pod IP: use `0.0.0.0` (or `::`) there.
   */
  host?: string;
  /**
   * `/health` is 503 while the event loop is blocked longer than this.
   * Default: `VIGIL_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS`, else 5.
   */
  eventLoopBlockThresholdSeconds?: number;
  /** How often the main thread writes its heartbeat. Default 100 ms. */
  heartbeatIntervalMs?: number;
  /** Installs the SIGUSR2 diagnostics (see `installDiagnostics`), listing the watched workers' current jobs. */
  diagnostics?: boolean | DiagnosticsOptions;
  /** More metrics for `/metrics`, e.g. the prom-client registry your queue metrics are registered in. */
  metrics?: MetricsSource;
  /** How long a scrape waits for `metrics` (a blocked main thread cannot answer: the last is served). Default 1 s. */
  metricsTimeoutMs?: number;
  /** Where the server reports its own trouble (a crashed thread, a failing `metrics`). Default stderr. */
  log?: (message: string) => void;
  /** Literal secrets to redact from listener reasons and diagnostics. */
  secrets?: readonly string[];
  /** Environment to read instead of `process.env` (tests). */
  env?: Readonly<Record<string, string | undefined>>;
}

export interface WorkerHealthServer {
  /** False when turned off (option or environment): every method is then a no-op. */
  readonly enabled: boolean;
  /** The port it listens on (the real one when 0 was asked); undefined when disabled. */
  readonly port: number | undefined;
  readonly host: string | undefined;
  /** `http://host:port`, undefined when disabled. */
  readonly url: string | undefined;
  /** Reports a health source: while any is unhealthy `/health` is 503 with its name and reason. */
  setListenerHealth(name: string, healthy: boolean, reason?: string): void;
  /** Drops a health source reported with `setListenerHealth`. */
  forgetListener(name: string): void;
  /**
   * Watches a BullMQ worker: unhealthy while its Redis connection is lost or it is closing; counts its jobs.
   * Returns a function that stops watching (and forgets the listener).
   */
  watchBullmqWorker(worker: BullmqWorkerLike, options?: WatchBullmqWorkerOptions): () => void;
  /** For job systems other than BullMQ: a job started. With an `id` it is listed as a current job. */
  jobStarted(job: { queue: string; id?: string; name?: string; startedAt?: number }): void;
  /** A job finished; `failed` counts in both `processed` and `failed`. */
  jobFinished(job: { queue: string; id?: string; outcome: 'completed' | 'failed' }): void;
  /** The jobs running now, as known from watched workers and `jobStarted`. */
  currentJobs(): CurrentJob[];
  /** `/health` turns 503 (`closing`) at once; then the server stops and the thread exits. */
  close(): Promise<void>;
}

const CLOSE_TIMEOUT_MS = 2000;

function workerHelp(name: string): string {
  const definition = metricDefinition(name);
  if (!definition || definition.source !== 'worker') {
    throw new Error(`${name} is not a metric of source "worker" in @vigil/core's METRICS catalogue`);
  }
  return definition.help;
}

function metricHelp(): ThreadMetricHelp {
  return {
    up: workerHelp('vigil_worker_up'),
    lag: workerHelp('vigil_worker_event_loop_lag_seconds'),
    listenerUp: workerHelp('vigil_worker_listener_up'),
    processed: workerHelp('vigil_worker_jobs_processed_total'),
    failed: workerHelp('vigil_worker_jobs_failed_total'),
    active: workerHelp('vigil_worker_jobs_active'),
  };
}

interface QueueState {
  processed: number;
  failed: number;
  /** Running jobs with an id, by id. */
  running: Map<string, CurrentJob>;
  /** Running jobs without an id. */
  anonymous: number;
}

const disabled: WorkerHealthServer = Object.freeze({
  enabled: false,
  port: undefined,
  host: undefined,
  url: undefined,
  setListenerHealth: () => {},
  forgetListener: () => {},
  watchBullmqWorker: () => () => {},
  jobStarted: () => {},
  jobFinished: () => {},
  currentJobs: () => [],
  close: async () => {},
});

/**
 * Starts the worker sidecar health server: `/health` and `/metrics` served from a `worker_thread`, so they answer
 * while the main event loop is blocked (and say so). Resolves once it listens; rejects when it cannot (port in use).
 */
export async function startWorkerHealthServer(options: WorkerHealthServerOptions = {}): Promise<WorkerHealthServer> {
  const config = resolveWorkerConfig(options);
  if (!config.enabled) return disabled;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const secrets = options.secrets ?? [];
  const sanitize = (message: string) => sanitizeMessage(message, secrets);

  const shared = new SharedArrayBuffer(SHARED.bytes);
  const heartbeat = new BigInt64Array(shared, 0, 1);
  const flags = new Int32Array(shared, SHARED.int32Offset, 1);
  const beat = () => Atomics.store(heartbeat, SHARED.heartbeat, process.hrtime.bigint());
  beat();

  const threadConfig: ThreadConfig = {
    host: config.host,
    port: config.port,
    thresholdMs: config.thresholdMs,
    heartbeatIntervalMs: config.heartbeatIntervalMs,
    shared,
    layout: SHARED,
    help: metricHelp(),
    extraMetrics: options.metrics !== undefined,
    extraMetricsTimeoutMs: options.metricsTimeoutMs ?? 1000,
  };
  const thread = new Worker(threadScript(), { eval: true, workerData: threadConfig });
  const send = (message: ToThread) => thread.postMessage(message);

  let address: { host: string; port: number };
  try {
    address = await listening(thread, config);
  } catch (error) {
    await thread.terminate();
    throw error;
  }
  // The sidecar never keeps the process alive: a worker that is done may exit.
  thread.unref();

  const listeners = new Map<string, ListenerState>();
  const queues = new Map<string, QueueState>();
  const unwatchers = new Set<() => void>();
  let jobsChanged = false;
  let closed: Promise<void> | undefined;

  const publishListeners = () => send({ type: 'listeners', listeners: [...listeners.values()] });
  const publishJobs = () => {
    jobsChanged = false;
    const counters: QueueCounters[] = [...queues].map(([queue, state]) => ({
      queue,
      processed: state.processed,
      failed: state.failed,
      active: state.running.size + state.anonymous,
    }));
    send({ type: 'jobs', queues: counters });
  };
  const queueState = (queue: string): QueueState => {
    let state = queues.get(queue);
    if (!state) {
      state = { processed: 0, failed: 0, running: new Map(), anonymous: 0 };
      queues.set(queue, state);
    }
    return state;
  };

  // Jobs can finish thousands of times a second: counters go to the thread with the heartbeat, not per job.
  const timer = setInterval(() => {
    beat();
    if (jobsChanged) publishJobs();
  }, config.heartbeatIntervalMs);
  timer.unref();

  let lastMetrics = '';
  thread.on('message', (message: FromThread) => {
    if (message.type !== 'collect' || options.metrics === undefined) return;
    const source = options.metrics;
    void Promise.resolve()
      .then(() => source.metrics())
      .then(
        (text) => {
          lastMetrics = text;
          send({ type: 'metrics', id: message.id, text });
        },
        (error: unknown) => {
          const reason = error instanceof Error ? error.message : String(error);
          log(`vigil worker health: extra metrics failed: ${sanitize(reason)}`);
          send({ type: 'metrics', id: message.id, text: lastMetrics });
        },
      );
  });
  thread.on('error', (error) => {
    log(`vigil worker health: the server thread failed: ${sanitize(error.message)}`);
  });

  const uninstallDiagnostics =
    options.diagnostics === undefined || options.diagnostics === false
      ? undefined
      : installDiagnostics({
          currentJobs: () => server.currentJobs(),
          secrets,
          ...(options.diagnostics === true ? {} : options.diagnostics),
        });

  const server: WorkerHealthServer = {
    enabled: true,
    port: address.port,
    host: address.host,
    url: `http://${address.host.includes(':') ? `[${address.host}]` : address.host}:${address.port}`,
    setListenerHealth(name, healthy, reason) {
      const state: ListenerState = {
        name,
        healthy,
        ...(!healthy && reason !== undefined ? { reason: sanitize(reason) } : {}),
      };
      const previous = listeners.get(name);
      if (previous && previous.healthy === state.healthy && previous.reason === state.reason) return;
      listeners.set(name, state);
      publishListeners();
    },
    forgetListener(name) {
      if (listeners.delete(name)) publishListeners();
    },
    watchBullmqWorker(worker, watchOptions = {}) {
      const name = watchOptions.name ?? `bullmq:${worker.name}`;
      const stop = watchBullmqWorker(worker, { ...server, sanitize }, { ...watchOptions, name });
      const unwatch = () => {
        if (!unwatchers.delete(unwatch)) return;
        stop();
        server.forgetListener(name);
      };
      unwatchers.add(unwatch);
      return unwatch;
    },
    jobStarted(job) {
      const state = queueState(job.queue);
      if (job.id === undefined) state.anonymous++;
      else {
        state.running.set(job.id, {
          queue: job.queue,
          id: job.id,
          ...(job.name !== undefined ? { name: job.name } : {}),
          startedAt: job.startedAt ?? Date.now(),
        });
      }
      jobsChanged = true;
    },
    jobFinished(job) {
      const state = queueState(job.queue);
      state.processed++;
      if (job.outcome === 'failed') state.failed++;
      // A failure of a job never seen starting (failed by BullMQ's stalled-job check) counts but was not running.
      if (job.id !== undefined) state.running.delete(job.id);
      else if (state.anonymous > 0) state.anonymous--;
      jobsChanged = true;
    },
    currentJobs() {
      return [...queues.values()].flatMap((state) => [...state.running.values()]).map((job) => ({ ...job }));
    },
    close() {
      closed ??= (async () => {
        Atomics.store(flags, SHARED.closing, 1);
        clearInterval(timer);
        uninstallDiagnostics?.();
        for (const unwatch of [...unwatchers]) unwatch();
        const exited = new Promise<void>((resolve) => thread.once('exit', () => resolve()));
        const done = new Promise<void>((resolve) => {
          thread.on('message', (message: FromThread) => {
            if (message.type === 'closed') resolve();
          });
        });
        send({ type: 'close' });
        let timeout: NodeJS.Timeout | undefined;
        await Promise.race([
          done,
          exited,
          new Promise<void>((resolve) => {
            timeout = setTimeout(resolve, CLOSE_TIMEOUT_MS);
          }),
        ]);
        clearTimeout(timeout);
        await thread.terminate();
      })();
      return closed;
    },
  };
  return server;
}

/** Waits for the thread to listen; rejects with a message naming the address when it cannot. */
function listening(thread: Worker, config: ResolvedWorkerConfig): Promise<{ host: string; port: number }> {
  const where = `${config.host}:${config.port}`;
  return new Promise((resolve, reject) => {
    const onMessage = (message: FromThread) => {
      if (message.type === 'listening') {
        cleanup();
        resolve({ host: message.host, port: message.port });
      } else if (message.type === 'failed') {
        cleanup();
        const hint =
          message.code === 'EADDRINUSE'
            ? ': the port is in use (set VIGIL_WORKER_HEALTHCHECK_PORT, or port: 0 for a free one)'
            : '';
        reject(new Error(`worker health server cannot listen on ${where}: ${message.message}${hint}`));
      }
    };
    const onError = (error: Error) => {
      cleanup();
      reject(new Error(`worker health server thread failed to start: ${error.message}`));
    };
    const onExit = (code: number) => {
      cleanup();
      reject(new Error(`worker health server thread exited (code ${code}) before listening on ${where}`));
    };
    const cleanup = () => {
      thread.off('message', onMessage);
      thread.off('error', onError);
      thread.off('exit', onExit);
    };
    thread.on('message', onMessage);
    thread.on('error', onError);
    thread.on('exit', onExit);
  });
}
