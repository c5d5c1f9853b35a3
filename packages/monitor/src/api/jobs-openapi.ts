/**
 * The /api/v1/jobs paths of the OpenAPI document (api/openapi.ts spreads them into its `paths`), beside the routes
 * they describe (api/jobs.ts). The answers' schemas are the components generated from api/job-schemas.ts.
 */
import { API_PREFIX } from './context.js';
import { JOB_STATES } from './job-schemas.js';
import {
  JOBS_DEFAULT_LIMIT,
  JOBS_MAX_LIMIT,
  MAX_QUEUE_PARAMS,
  PROGRESS_DEFAULT_LIMIT,
  PROGRESS_MAX_LIMIT,
  SCHEDULES_DEFAULT_LIMIT,
  SCHEDULES_MAX_LIMIT,
} from './jobs.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const errorResponse = (name: string): Json => ({ $ref: `#/components/responses/${name}` });
const response = (description: string, schema?: Json): Json =>
  schema ? { description, content: { 'application/json': { schema } } } : { description };

// As `securityFor` of api/openapi.ts says it: a token whose scope includes the one listed.
const READ = [{ bearerAuth: ['read'] }];
const WRITE = [{ bearerAuth: ['write'] }];

const connection: Json = {
  name: 'connection',
  in: 'path',
  required: true,
  description: 'The connection: the id of a `redis` monitor of the configuration (listed by `GET /api/v1/jobs`).',
  schema: { type: 'string' },
};

const queues: Json = {
  name: 'queue',
  in: 'query',
  description: `Only these queues (repeatable, at most ${MAX_QUEUE_PARAMS}). Default: every queue found under the prefix.`,
  schema: { type: 'array', items: { type: 'string' }, maxItems: MAX_QUEUE_PARAMS },
  style: 'form',
  explode: true,
};

function limit(defaultValue: number, max: number, order: string): Json {
  return {
    name: 'limit',
    in: 'query',
    description: `How many, ${order} (1 to ${max}).`,
    schema: { type: 'integer', minimum: 1, maximum: max, default: defaultValue },
  };
}

const redisUnavailable = response(
  'Redis could not be read in time (`redis_unavailable`): down, refusing the credentials, slow or hung. The message names the server, its password hidden.',
  ref('Error'),
);

const noConnection = response('No such connection (`not_found`).', ref('Error'));

/** The errors every read of a connection may answer. */
const readErrors = {
  '400': errorResponse('BadRequest'),
  '401': errorResponse('Unauthorized'),
  '404': noConnection,
  '502': redisUnavailable,
};

const jobPath: Json[] = [
  connection,
  { name: 'queue', in: 'path', required: true, description: 'The queue.', schema: { type: 'string' } },
  { name: 'job', in: 'path', required: true, description: 'The job id.', schema: { type: 'string' } },
];

const actionErrors = {
  '400': errorResponse('BadRequest'),
  '401': errorResponse('Unauthorized'),
  '403': errorResponse('Forbidden'),
  '404': response('No such connection, or no such job in the queue (`not_found`).', ref('Error')),
  '409': response('The job is not failed (waiting, active, completed…), or belongs to a job scheduler (`conflict`).', ref('Error')),
  '502': redisUnavailable,
};

export function jobPaths(): Record<string, Json> {
  const at = `${API_PREFIX}/jobs`;
  return {
    [at]: {
      get: {
        operationId: 'listJobConnections',
        summary: 'The Redis connections whose background jobs (BullMQ) can be looked at: the `redis` monitors (token holders only)',
        security: READ,
        responses: { '200': response('The connections.', ref('JobConnectionList')), '401': errorResponse('Unauthorized') },
      },
    },
    [`${at}/{connection}/queues`]: {
      get: {
        operationId: 'listJobQueues',
        summary: 'The queues with their jobs counted per state, workers and job schedulers, as `vigil queues` shows them',
        security: READ,
        parameters: [connection, queues],
        responses: { '200': response('The queues.', ref('JobQueueList')), ...readErrors },
      },
    },
    [`${at}/{connection}/workers`]: {
      get: {
        operationId: 'listJobWorkers',
        summary: 'The workers: busy or idle, the job each runs, recent successes and failures, as `vigil workers` shows them',
        security: READ,
        parameters: [connection, queues],
        responses: { '200': response('The workers.', ref('JobWorkerList')), ...readErrors },
      },
    },
    [`${at}/{connection}/jobs`]: {
      get: {
        operationId: 'listJobs',
        summary: 'The jobs of a queue in one state, with their arguments, error and times, as `vigil jobs` shows them',
        security: READ,
        parameters: [
          connection,
          { name: 'queue', in: 'query', required: true, description: 'The queue.', schema: { type: 'string' } },
          {
            name: 'state',
            in: 'query',
            required: true,
            description: "The jobs' BullMQ state.",
            schema: { type: 'string', enum: [...JOB_STATES] },
          },
          limit(JOBS_DEFAULT_LIMIT, JOBS_MAX_LIMIT, 'waiting and active jobs oldest first, finished ones newest first'),
        ],
        responses: { '200': response('The jobs.', ref('JobList')), ...readErrors },
      },
    },
    [`${at}/{connection}/schedules`]: {
      get: {
        operationId: 'listSchedulerRuns',
        summary: 'The scheduled job log: recent runs of job schedulers, Complete or Failed, as `vigil schedules` shows it',
        security: READ,
        parameters: [
          connection,
          queues,
          { name: 'scheduler', in: 'query', description: 'Only the runs of this job scheduler.', schema: { type: 'string' } },
          limit(SCHEDULES_DEFAULT_LIMIT, SCHEDULES_MAX_LIMIT, 'newest first'),
        ],
        responses: { '200': response('The runs.', ref('SchedulerRunList')), ...readErrors },
      },
    },
    [`${at}/{connection}/progress`]: {
      get: {
        operationId: 'listJobProgress',
        summary: 'The progress of the active jobs (what `job.updateProgress()` last set), as `vigil progress` shows it',
        security: READ,
        parameters: [connection, queues, limit(PROGRESS_DEFAULT_LIMIT, PROGRESS_MAX_LIMIT, 'per queue, longest-running first')],
        responses: { '200': response('The active jobs.', ref('JobProgressList')), ...readErrors },
      },
    },
    [`${at}/{connection}/queues/{queue}/jobs/{job}/retry`]: {
      post: {
        operationId: 'retryJob',
        summary: 'Retry a failed job: it goes back to waiting, and a worker runs it again',
        security: WRITE,
        parameters: jobPath,
        responses: { '200': response('Retried; `state` is its state now.', ref('JobAction')), ...actionErrors },
      },
    },
    [`${at}/{connection}/queues/{queue}/jobs/{job}`]: {
      delete: {
        operationId: 'removeJob',
        summary: 'Remove a failed job',
        security: WRITE,
        parameters: jobPath,
        responses: { '204': response('Removed.'), ...actionErrors },
      },
    },
  };
}
