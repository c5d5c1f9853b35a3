/**
 * The shop's worker process: `node dist/worker.js`. One BullMQ worker per queue (short, default, long), the job
 * schedulers, the JSON job log, and the @vigil/health sidecar on VIGIL_WORKER_HEALTHCHECK_PORT (8001). SIGTERM
 * lets running jobs finish before it exits.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { installGracefulShutdown, sanitizeMessage } from '@vigil/health';
import { attachJobLog, type JobLog } from '@vigil/jobs';
import { Worker } from 'bullmq';
import { cacheNamespace, ItemCache } from './cache/item-cache.js';
import { readConfig, type ShopConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { CONCURRENCY, QUEUE_NAMES } from './jobs/definitions.js';
import { processorFor } from './jobs/processors.js';
import { closeQueues, createQueues } from './jobs/queues.js';
import { syncSchedulers } from './jobs/schedulers.js';
import { failStart, reportReady, stopWithLauncher } from './lifecycle.js';
import { startWorkerMonitoring } from './monitoring/worker-monitoring.js';
import { connectPostgres, connectRedis, createPool } from './startup.js';

const NAME = 'shop-worker';
/** Running jobs get this long to finish on shutdown. */
const JOB_DRAIN_MS = 30_000;

async function main(config: ShopConfig): Promise<void> {
  const pool = createPool(config, NAME);
  await connectPostgres(pool, config);
  // BullMQ workers block on Redis and must retry forever: maxRetriesPerRequest null is required.
  const connection = await connectRedis(config, NAME, { maxRetriesPerRequest: null });
  // The API migrates too; whichever starts first creates the tables (serialized by an advisory lock).
  await migrate(pool, config.schema, { seed: false });

  const monitoring = await startWorkerMonitoring(config, pool, connection);
  const cache = new ItemCache(connection, cacheNamespace(config.schema));
  const workerName = `${NAME}-${process.pid}`;
  const logs: JobLog[] = [];
  if (config.jobLogFile) await mkdir(path.dirname(config.jobLogFile), { recursive: true });

  const workers = QUEUE_NAMES.map((queue) => {
    const worker = new Worker(queue, processorFor(queue, { pool, cache }), {
      connection,
      prefix: config.queuePrefix,
      concurrency: CONCURRENCY[queue],
      name: workerName,
    });
    worker.on('error', (error) => console.error(`worker ${queue}: ${sanitizeMessage(error.message)}`));
    worker.on('completed', (job) => {
      const ms = job.finishedOn && job.processedOn ? ` in ${job.finishedOn - job.processedOn} ms` : '';
      console.log(`${queue}: ${job.name} ${job.id} completed${ms}`);
    });
    worker.on('failed', (job, error) => {
      const retry = job && !job.finishedOn ? ' (will retry)' : '';
      console.error(`${queue}: ${job?.name ?? 'job'} ${job?.id ?? ''} failed${retry}: ${sanitizeMessage(error.message)}`);
    });
    monitoring.watch(worker);
    if (config.jobLogFile) logs.push(attachJobLog(worker, { file: config.jobLogFile, app: 'shop' }));
    return worker;
  });

  const queues = createQueues(connection, config.queuePrefix);
  const schedules = await syncSchedulers(queues, config.schedulers);

  const shutdown = installGracefulShutdown({
    health: monitoring.health,
    // Nothing balances load onto a worker: stop at once, but let running jobs finish.
    delayMs: 0,
    cleanupTimeoutMs: JOB_DRAIN_MS,
    cleanup: [
      async function closeWorkers() {
        await Promise.all(workers.map((worker) => worker.close()));
      },
      async function closeJobLogs() {
        await Promise.all(logs.map((log) => log.close()));
      },
      async function closeSidecar() {
        await monitoring.close();
      },
      async function stopQueues() {
        await closeQueues(queues);
      },
      async function closeRedis() {
        await connection.quit();
      },
      async function closePostgres() {
        await pool.end();
      },
    ],
  });
  stopWithLauncher(shutdown);

  const url = monitoring.sidecar.url ?? null;
  console.log(
    `${NAME} consuming ${QUEUE_NAMES.map((q) => `${q} (×${CONCURRENCY[q]})`).join(', ')} as ${workerName}; ` +
      (url ? `health on ${url}/health and /metrics` : 'health sidecar off (VIGIL_WORKER_HEALTHCHECK_ENABLED)'),
  );
  for (const line of schedules) console.log(`job scheduler ${line}`);
  if (config.jobLogFile) console.log(`job log: ${config.jobLogFile}`);
  reportReady({ type: 'ready', service: 'worker', url });
}

let config: ShopConfig | undefined;
try {
  config = readConfig();
  await main(config);
} catch (error) {
  failStart(NAME, error, config);
}
