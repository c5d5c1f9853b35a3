import type { FastifyInstance } from 'fastify';
import { QUEUE_NAMES, type QueueName } from '../../jobs/definitions.js';
import type { AppDeps } from '../deps.js';
import { errorBody } from '../errors.js';

const jobParams = {
  type: 'object',
  required: ['queue', 'id'],
  properties: {
    queue: { type: 'string', enum: QUEUE_NAMES },
    id: { type: 'string', minLength: 1, maxLength: 200 },
  },
} as const;

const iso = (ms: number | undefined) => (ms ? new Date(ms).toISOString() : null);

/** A queued job's state, so a client (or a curl) can follow what its request started. */
export function jobRoutes(app: FastifyInstance, { queues }: AppDeps): void {
  app.get<{ Params: { queue: QueueName; id: string } }>(
    '/api/jobs/:queue/:id',
    { schema: { params: jobParams } },
    async (request, reply) => {
      const { queue, id } = request.params;
      // State first, then the job: a job that finishes in between is then read with its result. The other way
      // round, the answer could say "completed" with the result of a moment before (none).
      const state = await queues[queue].getJobState(id);
      const job = state === 'unknown' ? undefined : await queues[queue].getJob(id);
      if (!job) return reply.code(404).send(errorBody(404, `no job ${id} on queue ${queue} (finished jobs are kept for a day)`));
      return {
        id: job.id,
        name: job.name,
        queue: job.queueName,
        state,
        progress: job.progress,
        attempts_made: job.attemptsMade,
        data: job.data as unknown,
        returnvalue: job.returnvalue as unknown,
        failed_reason: job.failedReason || null,
        created_at: iso(job.timestamp),
        processed_at: iso(job.processedOn),
        finished_at: iso(job.finishedOn),
      };
    },
  );
}
