/**
 * The worker's monitoring: the @vigil/health sidecar (`/health` and `/metrics` on VIGIL_WORKER_HEALTHCHECK_PORT,
 * default 8001, served from a worker thread so they answer while a job blocks the event loop), watching each
 * BullMQ worker; and, appended to its `/metrics`, this process's checks (database, Redis), Node.js metrics and
 * the job counters and run times of @vigil/jobs.
 */
import {
  createHealth,
  type Health,
  postgresCheck,
  redisCheck,
  secretsInUrl,
  startWorkerHealthServer,
  type WorkerHealthServer,
} from '@vigil/health';
import { queueMetrics } from '@vigil/jobs';
import type { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { ShopConfig } from '../config.js';
import { QUEUE_NAMES } from '../jobs/definitions.js';
import { SHOP_VERSION } from '../version.js';

export interface WorkerMonitoring {
  /** Its checks and metrics (no HTTP server of its own: the sidecar serves them). */
  health: Health;
  sidecar: WorkerHealthServer;
  /** The sidecar's health follows the worker's Redis connection; its jobs are counted and timed. */
  watch(worker: Worker): void;
  /** Stops watching and closes the sidecar (call after the workers closed). */
  close(): Promise<void>;
}

export async function startWorkerMonitoring(
  config: ShopConfig,
  pool: pg.Pool,
  connection: Redis,
): Promise<WorkerMonitoring> {
  const health = createHealth({
    service: { name: 'shop-worker', version: SHOP_VERSION, versions: { node: process.version } },
    // Nothing serves these paths: only the metrics are used, through the sidecar.
    paths: { health: false, livez: false, readyz: false, metrics: false },
    checks: [
      postgresCheck({ name: 'database', client: pool }),
      // The workers' own connection: if it cannot PING, they cannot take jobs either.
      redisCheck({ name: 'redis_queue', client: connection, roundTrip: false }),
    ],
  });
  const metrics = queueMetrics({
    registry: health.metrics.registry,
    connection,
    prefix: config.queuePrefix,
    queues: QUEUE_NAMES,
  });

  // Port, host, threshold and on/off come from VIGIL_WORKER_HEALTHCHECK_* (see docs/worker.md).
  const sidecar = await startWorkerHealthServer({
    // SIGUSR2 prints the running jobs and a stack trace: the seed's stuck-worker debugging.
    diagnostics: true,
    metrics: { metrics: async () => (await health.metrics.scrape()).body },
    secrets: [...secretsInUrl(config.databaseUrl), ...secretsInUrl(config.redisUrl)],
  });

  const unwatch: (() => void)[] = [];
  return {
    health,
    sidecar,
    watch(worker) {
      unwatch.push(sidecar.watchBullmqWorker(worker), metrics.instrumentWorker(worker));
    },
    async close() {
      // Closing first: /health says 503 "closing" rather than healthy once the listeners are forgotten.
      await sidecar.close();
      for (const stop of unwatch.splice(0)) stop();
      metrics.close();
    },
  };
}
