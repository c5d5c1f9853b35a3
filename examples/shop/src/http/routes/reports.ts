import type { FastifyInstance } from 'fastify';
import { enqueue } from '../../jobs/queues.js';
import { listReports } from '../../shop/reports.js';
import type { AppDeps } from '../deps.js';
import { date } from '../schemas.js';

const summaryRequest = {
  type: 'object',
  additionalProperties: false,
  properties: { date },
} as const;

export function reportRoutes(app: FastifyInstance, { pool, queues }: AppDeps): void {
  // Reports are slow by nature: queued on `long`, answered with where to follow the job.
  app.post<{ Body: { date?: string } }>(
    '/api/reports/sales-summary',
    {
      schema: { body: summaryRequest },
      // The body is optional (default: today): a bare POST must not fail "body must be object".
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const job = await enqueue(queues, 'sales-summary', request.body.date ? { date: request.body.date } : {});
      return reply.code(202).send({ job: { queue: job.queueName, id: job.id } });
    },
  );

  app.get<{ Querystring: { limit: number } }>(
    '/api/reports',
    {
      schema: {
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: { limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 } },
        },
      },
    },
    async (request) => ({ data: await listReports(pool, request.query.limit) }),
  );
}
