import type { FastifyInstance } from 'fastify';
import { createCustomer, getCustomer, listCustomers, type NewCustomer } from '../../shop/customers.js';
import type { AppDeps } from '../deps.js';
import { errorBody } from '../errors.js';
import { type IdParams, idParams, type PageQuery, pageQuery } from '../schemas.js';

const newCustomer = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 140 },
    email: { type: 'string', format: 'email', maxLength: 254 },
  },
} as const;

export function customerRoutes(app: FastifyInstance, { pool }: AppDeps): void {
  app.post<{ Body: NewCustomer }>('/api/customers', { schema: { body: newCustomer } }, async (request, reply) => {
    const customer = await createCustomer(pool, request.body);
    return reply.code(201).header('location', `/api/customers/${customer.id}`).send(customer);
  });

  app.get<{ Querystring: PageQuery }>('/api/customers', { schema: { querystring: pageQuery } }, async (request) => ({
    data: await listCustomers(pool, request.query),
  }));

  app.get<{ Params: IdParams }>('/api/customers/:id', { schema: { params: idParams } }, async (request, reply) => {
    const customer = await getCustomer(pool, request.params.id);
    return customer ?? reply.code(404).send(errorBody(404, `customer ${request.params.id} does not exist`));
  });
}
