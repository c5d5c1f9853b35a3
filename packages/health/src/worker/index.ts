export type { BullmqJobLike, BullmqWorkerLike, WatchBullmqWorkerOptions } from './bullmq.js';
export {
  DEFAULT_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS,
  DEFAULT_WORKER_HEALTHCHECK_HOST,
  DEFAULT_WORKER_HEALTHCHECK_PORT,
  WORKER_HEALTHCHECK_ENV,
} from './config.js';
export {
  type CurrentJob,
  type DiagnosticReport,
  type DiagnosticsOptions,
  diagnosticReport,
  formatDiagnosticReport,
  installDiagnostics,
} from './diagnostics.js';
export {
  type MetricsSource,
  startWorkerHealthServer,
  type WorkerHealthServer,
  type WorkerHealthServerOptions,
} from './server.js';
