/**
 * The answers of /api/v1/jobs (api/jobs.ts), defined once as in api/schemas.ts (which lists them among the
 * components of the OpenAPI document): the builders return these types, the document is generated from them.
 */
import type { BullmqJobState } from '@vigil/jobs';
import { z } from 'zod';

const time = z.iso.datetime();
const count = z.int().min(0);
const seconds = z.number().min(0);

/** BullMQ's states of a job, as `?state=` takes them. */
export const JOB_STATES = [
  'waiting',
  'prioritized',
  'delayed',
  'waiting-children',
  'active',
  'completed',
  'failed',
] as const satisfies readonly BullmqJobState[];

const connectionId = z.string().meta({ description: 'The connection: the id of a `redis` monitor of the configuration.' });
const prefix = z.string().meta({ description: "BullMQ's key prefix on this connection (the monitor's `bullmq_prefix`)." });
const complete = z.boolean().meta({
  description: 'False when the search for queues stopped early (a very large Redis): name them with `?queue=`.',
});
const queueNames = z.array(z.string()).meta({ description: 'The queues looked at: those named with `?queue=`, or every queue found under the prefix.' });

export const JobConnectionSchema = z
  .object({
    id: connectionId,
    name: z.string().meta({ description: "The monitor's name." }),
    target: z.string().meta({ description: 'The Redis URL, its password replaced by `***`.' }),
    prefix,
  })
  .meta({ description: 'A Redis whose background jobs can be looked at: one per `redis` monitor of the configuration.' });

export const JobConnectionListSchema = z.object({
  connections: z.array(JobConnectionSchema).meta({ description: 'In configuration order.' }),
});

export const JobQueueSchema = z
  .object({
    name: z.string(),
    exists: z.boolean().meta({ description: 'False when no BullMQ key exists for it (a queue named with `?queue=` that was never used).' }),
    paused: z.boolean(),
    counts: z
      .object({
        waiting: count,
        prioritized: count,
        delayed: count,
        active: count,
        waiting_children: count.meta({ description: 'Jobs waiting for their children (flows).' }),
        completed: count,
        failed: count,
      })
      .meta({ description: 'Jobs per BullMQ state.' }),
    backlog: count.meta({ description: 'Jobs ready to run now: waiting, prioritized, and delayed ones already due.' }),
    oldest_waiting_seconds: seconds.meta({ description: 'How long the oldest job ready to run has waited; 0 when none waits.' }),
    workers: count.nullable().meta({ description: 'Connected workers; null when the Redis server refuses CLIENT LIST.' }),
    schedulers: count.meta({ description: 'Job schedulers (and legacy repeatable jobs) of the queue.' }),
  })
  .meta({ description: 'A queue with its jobs counted per state.' });

export const JobQueueListSchema = z.object({
  connection: connectionId,
  prefix,
  complete,
  queues: z.array(JobQueueSchema).meta({ description: 'By name.' }),
});

export const JobWorkerSchema = z
  .object({
    queue: z.string(),
    name: z.string().nullable().meta({ description: "The Worker's `name` option; null for unnamed workers (one entry for all of them)." }),
    status: z.enum(['busy', 'idle']),
    connections: count.meta({ description: 'Redis connections of the workers with this name.' }),
    current_jobs: z
      .array(
        z.object({
          id: z.string(),
          name: z.string().nullable(),
          started_at: time.nullable(),
          running_seconds: seconds.nullable(),
        }),
      )
      .meta({ description: 'The jobs it runs now.' }),
    successful_jobs: count.meta({ description: 'Completed jobs among the recent finished ones BullMQ keeps (`window`).' }),
    failed_jobs: count.meta({ description: 'Failed jobs among the same.' }),
    total_working_seconds: seconds.meta({ description: 'Time those jobs ran.' }),
    connected_seconds: seconds.meta({ description: 'Since its oldest connection opened.' }),
    window: z
      .object({
        jobs: count.meta({ description: 'Finished jobs of the queue the figures are taken from.' }),
        since: time.nullable().meta({ description: 'When the oldest of them ended.' }),
      })
      .meta({ description: 'The figures cover these jobs, not the lifetime of the worker.' }),
  })
  .meta({ description: 'A BullMQ worker (a name on a queue): busy or idle, what it runs, what it did recently.' });

export const JobWorkerListSchema = z.object({
  connection: connectionId,
  prefix,
  queues: queueNames,
  complete,
  workers: z.array(JobWorkerSchema).meta({ description: 'Queue by queue.' }),
});

export const JobSchema = z
  .object({
    id: z.string(),
    queue: z.string(),
    state: z.enum(JOB_STATES),
    name: z.string(),
    arguments: z.string().meta({ description: 'The job data as JSON, cut to 2000 characters (ending in `…` when cut).' }),
    exception: z
      .object({
        message: z.string().meta({ description: 'The error of the last failed attempt (`failedReason`).' }),
        location: z.string().nullable().meta({ description: 'The first `at …` line of its stack trace.' }),
      })
      .nullable()
      .meta({ description: 'Why the last attempt failed; null when none did.' }),
    attempts: count.meta({ description: 'Attempts that ended (completed or failed).' }),
    worker: z.string().nullable().meta({ description: 'The named worker that ran its last attempt.' }),
    scheduler: z.string().nullable().meta({ description: 'The job scheduler that created it; null for a job added directly.' }),
    progress: z.unknown().meta({ description: 'What `job.updateProgress()` last set (a number or an object); null when never set.' }),
    created_at: time.nullable(),
    started_at: time.nullable().meta({ description: 'When its last attempt started.' }),
    ended_at: time.nullable(),
  })
  .meta({ description: 'A BullMQ job.' });

export const JobListSchema = z.object({
  connection: connectionId,
  prefix,
  queue: z.string(),
  state: z.enum(JOB_STATES),
  jobs: z.array(JobSchema).meta({
    description: 'Waiting, prioritized, delayed, waiting-children and active jobs oldest first; completed and failed ones newest first.',
  }),
});

export const SchedulerRunSchema = z
  .object({
    scheduler: z.string().meta({ description: 'The job scheduler id (`upsertJobScheduler(id, …)`).' }),
    queue: z.string(),
    job_id: z.string(),
    job: z.string().meta({ description: 'The name of the job the scheduler creates.' }),
    status: z.enum(['Complete', 'Failed']),
    started_at: time.nullable(),
    ended_at: time.nullable(),
    duration_ms: z.number().min(0).nullable(),
    error: z.string().nullable().meta({ description: 'The error of a failed run.' }),
  })
  .meta({ description: 'One run of a job scheduler (the scheduled job log).' });

export const SchedulerRunListSchema = z.object({
  connection: connectionId,
  prefix,
  queues: queueNames,
  complete,
  runs: z.array(SchedulerRunSchema).meta({
    description: 'Newest first, among the finished jobs BullMQ keeps (runs removed by `removeOnComplete` / `removeOnFail` are not).',
  }),
});

export const JobProgressSchema = z
  .object({
    queue: z.string(),
    id: z.string(),
    name: z.string().nullable(),
    worker: z.string().nullable(),
    started_at: time.nullable(),
    progress: z.unknown().meta({ description: 'What `job.updateProgress()` last set (a number or an object); null when never set.' }),
  })
  .meta({ description: 'An active job and its progress.' });

export const JobProgressListSchema = z.object({
  connection: connectionId,
  prefix,
  queues: queueNames,
  complete,
  jobs: z.array(JobProgressSchema).meta({ description: 'The longest-running first, queue by queue.' }),
});

export const JobActionSchema = z
  .object({
    connection: connectionId,
    queue: z.string(),
    id: z.string(),
    state: z.string().meta({ description: 'Its BullMQ state now: `waiting` (or already `active`, …).' }),
  })
  .meta({ description: 'A failed job, retried.' });

/** Listed in RESPONSE_SCHEMAS (api/schemas.ts): components of the OpenAPI document, by name. */
export const JOB_RESPONSE_SCHEMAS = {
  JobConnection: JobConnectionSchema,
  JobConnectionList: JobConnectionListSchema,
  JobQueue: JobQueueSchema,
  JobQueueList: JobQueueListSchema,
  JobWorker: JobWorkerSchema,
  JobWorkerList: JobWorkerListSchema,
  Job: JobSchema,
  JobList: JobListSchema,
  SchedulerRun: SchedulerRunSchema,
  SchedulerRunList: SchedulerRunListSchema,
  JobProgress: JobProgressSchema,
  JobProgressList: JobProgressListSchema,
  JobAction: JobActionSchema,
} as const satisfies Record<string, z.ZodType>;

export type JobConnectionListJson = z.output<typeof JobConnectionListSchema>;
export type JobQueueJson = z.output<typeof JobQueueSchema>;
export type JobQueueListJson = z.output<typeof JobQueueListSchema>;
export type JobWorkerJson = z.output<typeof JobWorkerSchema>;
export type JobWorkerListJson = z.output<typeof JobWorkerListSchema>;
export type JobJson = z.output<typeof JobSchema>;
export type JobListJson = z.output<typeof JobListSchema>;
export type SchedulerRunJson = z.output<typeof SchedulerRunSchema>;
export type SchedulerRunListJson = z.output<typeof SchedulerRunListSchema>;
export type JobProgressJson = z.output<typeof JobProgressSchema>;
export type JobProgressListJson = z.output<typeof JobProgressListSchema>;
export type JobActionJson = z.output<typeof JobActionSchema>;
