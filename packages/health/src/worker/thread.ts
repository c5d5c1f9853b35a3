import type * as Http from 'node:http';
import type * as WorkerThreads from 'node:worker_threads';
import type { FromThread, ListenerState, QueueCounters, ThreadConfig, ToThread } from './protocol.js';

/** The modules the thread uses, required by the preamble of its script (the function itself imports nothing). */
export interface ThreadModules {
  http: typeof Http;
  workerThreads: typeof WorkerThreads;
}

/**
 * The sidecar thread's script: `sidecarThread` is serialised with `Function.prototype.toString` and run with
 * `eval: true`, so the same code runs from the build and from the TypeScript sources under vitest (a worker
 * cannot load a `.ts` file). It must therefore stay self-contained: no imports, no helpers from outside it.
 */
export function threadScript(): string {
  return [
    "'use strict';",
    // Bundlers that keep function names (esbuild --keep-names) wrap functions in a `__name` helper of their own.
    'var __name = (target) => target;',
    "const modules = { http: require('node:http'), workerThreads: require('node:worker_threads') };",
    `(${sidecarThread.toString()})(modules);`,
  ].join('\n');
}

/**
 * Serves `/health` and `/metrics` from its own event loop, so it answers while the main thread is blocked. It
 * reads the main thread's heartbeat and closing flag from shared memory; listener states and job counters come as
 * messages, which a blocked main thread cannot send, so the last ones received are kept.
 */
export function sidecarThread({ http, workerThreads }: ThreadModules): void {
  const config = workerThreads.workerData as ThreadConfig;
  const port = workerThreads.parentPort!;
  const post = (message: FromThread) => port.postMessage(message);
  const heartbeat = new BigInt64Array(config.shared, 0, 1);
  const flags = new Int32Array(config.shared, config.layout.int32Offset, 1);

  let listeners: ListenerState[] = [];
  let queues: QueueCounters[] = [];
  let extraText = '';
  let nextCollect = 1;
  const pendingCollects = new Map<number, (text: string) => void>();

  /** How late the main thread's heartbeat is beyond its period, in ms (0 when on time). */
  const lagMs = (): number => {
    const sinceBeatMs = Number(process.hrtime.bigint() - Atomics.load(heartbeat, config.layout.heartbeat)) / 1e6;
    return Math.max(0, sinceBeatMs - config.heartbeatIntervalMs);
  };

  const verdict = (): { healthy: boolean; reasons: string[]; lagMs: number } => {
    const reasons: string[] = [];
    const lag = lagMs();
    if (Atomics.load(flags, config.layout.closing) === 1) reasons.push('closing');
    if (lag > config.thresholdMs) {
      reasons.push(
        `event loop blocked for ${(lag / 1000).toFixed(1)} s (threshold ${config.thresholdMs / 1000} s)`,
      );
    }
    for (const listener of listeners) {
      if (!listener.healthy) {
        reasons.push(`listener "${listener.name}" unhealthy${listener.reason ? `: ${listener.reason}` : ''}`);
      }
    }
    return { healthy: reasons.length === 0, reasons, lagMs: lag };
  };

  const label = (value: string) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
  const family = (name: string, type: string, help: string, samples: string[]) =>
    [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples].join('\n');

  const metricsText = (extra: string): string => {
    const state = verdict();
    const { help } = config;
    const perQueue = (pick: (q: QueueCounters) => number) =>
      queues.map((q) => `{queue="${label(q.queue)}"} ${pick(q)}`);
    const lines = [
      family('vigil_worker_up', 'gauge', help.up, [`vigil_worker_up ${state.healthy ? 1 : 0}`]),
      family('vigil_worker_event_loop_lag_seconds', 'gauge', help.lag, [
        `vigil_worker_event_loop_lag_seconds ${Math.round(state.lagMs) / 1000}`,
      ]),
      family(
        'vigil_worker_listener_up',
        'gauge',
        help.listenerUp,
        listeners.map((l) => `vigil_worker_listener_up{listener="${label(l.name)}"} ${l.healthy ? 1 : 0}`),
      ),
      family(
        'vigil_worker_jobs_processed_total',
        'counter',
        help.processed,
        perQueue((q) => q.processed).map((s) => `vigil_worker_jobs_processed_total${s}`),
      ),
      family(
        'vigil_worker_jobs_failed_total',
        'counter',
        help.failed,
        perQueue((q) => q.failed).map((s) => `vigil_worker_jobs_failed_total${s}`),
      ),
      family(
        'vigil_worker_jobs_active',
        'gauge',
        help.active,
        perQueue((q) => q.active).map((s) => `vigil_worker_jobs_active${s}`),
      ),
    ];
    const tail = extra.trim();
    return `${lines.join('\n')}\n${tail === '' ? '' : `${tail}\n`}`;
  };

  /** The main thread's extra metrics: fresh when it answers in time, else the last ones it sent. */
  const collectExtra = (): Promise<string> => {
    if (!config.extraMetrics || Atomics.load(flags, config.layout.closing) === 1) return Promise.resolve(extraText);
    const id = nextCollect++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        pendingCollects.delete(id);
        resolve(extraText);
      }, config.extraMetricsTimeoutMs);
      pendingCollects.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      post({ type: 'collect', id });
    });
  };

  const send = (res: Http.ServerResponse, status: number, type: string, body: string, head: boolean) => {
    res.writeHead(status, {
      'content-type': type,
      'cache-control': 'no-store',
      'content-length': Buffer.byteLength(body),
    });
    res.end(head ? undefined : body);
  };
  const json = 'application/json; charset=utf-8';

  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const head = req.method === 'HEAD';
    if (path !== '/health' && path !== '/metrics') {
      send(res, 404, json, JSON.stringify({ error: 'not found: use /health or /metrics' }), head);
      return;
    }
    if (req.method !== 'GET' && !head) {
      res.setHeader('allow', 'GET, HEAD');
      send(res, 405, json, JSON.stringify({ error: 'method not allowed' }), false);
      return;
    }
    if (path === '/health') {
      const state = verdict();
      const body = state.healthy
        ? { status: 'HEALTHY' }
        : { status: 'UNHEALTHY', reasons: state.reasons };
      send(res, state.healthy ? 200 : 503, json, JSON.stringify(body), head);
      return;
    }
    void collectExtra().then((extra) => {
      send(res, 200, 'text/plain; version=0.0.4; charset=utf-8', metricsText(extra), head);
    });
  });
  // Probes and scrapers reconnect each time; idle sockets must not hold the thread open at close.
  server.keepAliveTimeout = 1000;
  server.on('error', (error: NodeJS.ErrnoException) => {
    post({ type: 'failed', message: error.message, ...(error.code !== undefined ? { code: error.code } : {}) });
  });

  port.on('message', (message: ToThread) => {
    if (message.type === 'listeners') listeners = message.listeners;
    else if (message.type === 'jobs') queues = message.queues;
    else if (message.type === 'metrics') {
      extraText = message.text;
      pendingCollects.get(message.id)?.(message.text);
      pendingCollects.delete(message.id);
    } else if (message.type === 'close') {
      server.close(() => {
        post({ type: 'closed' });
        port.close();
      });
      server.closeAllConnections();
    }
  });

  server.listen(config.port, config.host, () => {
    const address = server.address();
    const bound = typeof address === 'object' && address !== null ? address.port : config.port;
    post({ type: 'listening', host: config.host, port: bound });
  });
}
