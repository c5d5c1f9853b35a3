import type { FastifyInstance } from 'fastify';
import {
  createSalesInvoice,
  getSalesInvoice,
  type InvoiceFilter,
  listSalesInvoices,
  type NewSalesInvoice,
} from '../../shop/sales-invoices.js';
import type { AppDeps } from '../deps.js';
import { type JobRef, queueFollowUp } from '../enqueue.js';
import { errorBody } from '../errors.js';
import { date, type IdParams, idParams, lines, pageQuery } from '../schemas.js';

const newInvoice = {
  type: 'object',
  required: ['customer_id', 'lines'],
  additionalProperties: false,
  properties: {
    customer_id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
    posting_date: date,
    submit: { type: 'boolean' },
    lines,
  },
} as const;

const invoiceQuery = {
  ...pageQuery,
  properties: {
    ...pageQuery.properties,
    posting_date: date,
    customer_id: { type: 'integer', minimum: 1, maximum: 2_147_483_647 },
  },
} as const;

export function salesInvoiceRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { pool } = deps;

  app.post<{ Body: NewSalesInvoice }>('/api/sales-invoices', { schema: { body: newInvoice } }, async (request, reply) => {
    const invoice = await createSalesInvoice(pool, request.body);
    const jobs: { email: JobRef | null; stock: JobRef | null } = { email: null, stock: null };
    const warnings: string[] = [];
    // A draft neither sells stock nor goes to the customer: only submitted invoices have follow-up jobs.
    if (invoice.status === 'submitted') {
      const itemCodes = [...new Set(invoice.lines.map((line) => line.item_code))];
      const [email, stock] = await Promise.all([
        queueFollowUp(deps, 'send-invoice-email', { invoiceId: invoice.id }, `invoice-${invoice.id}-email`),
        queueFollowUp(deps, 'recompute-stock', { itemCodes }, `invoice-${invoice.id}-stock`),
      ]);
      jobs.email = email.job;
      jobs.stock = stock.job;
      for (const queued of [email, stock]) if (queued.warning) warnings.push(queued.warning);
    }
    return reply
      .code(201)
      .header('location', `/api/sales-invoices/${invoice.id}`)
      .send({ ...invoice, jobs, ...(warnings.length > 0 ? { warnings } : {}) });
  });

  app.get<{ Querystring: InvoiceFilter }>(
    '/api/sales-invoices',
    { schema: { querystring: invoiceQuery } },
    async (request) => ({ data: await listSalesInvoices(pool, request.query) }),
  );

  app.get<{ Params: IdParams }>('/api/sales-invoices/:id', { schema: { params: idParams } }, async (request, reply) => {
    const invoice = await getSalesInvoice(pool, request.params.id);
    return invoice ?? reply.code(404).send(errorBody(404, `sales invoice ${request.params.id} does not exist`));
  });
}
