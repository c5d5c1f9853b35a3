export type { QueueSource, QueuesSource, RedisConnection } from './connection.js';
export {
  type JobException,
  type BullmqJobState,
  type JobStatus,
  type JobView,
  type ListJobsOptions,
  listJobs,
} from './jobs.js';
export { attachJobLog, type JobLog, type JobLogLine, type JobLogOptions } from './job-log.js';
export {
  DEFAULT_JOB_DURATION_BUCKETS,
  type QueueMetrics,
  type QueueMetricsOptions,
  queueMetrics,
} from './metrics.js';
export {
  type ActiveProgress,
  activeProgress,
  type ActiveProgressOptions,
  type ProgressUpdate,
  type ProgressWatch,
  type WatchProgressOptions,
  watchProgress,
} from './progress.js';
export { type QueueInfo, queueInfo } from './queues.js';
export { type SchedulerLogEntry, type SchedulerLogOptions, schedulerLog } from './schedulers.js';
export { type ListWorkersOptions, listWorkers, type WorkerJob, type WorkerView } from './workers.js';
