import type { FastifyInstance } from 'fastify';
import {
  createPurchaseOrder,
  getPurchaseOrder,
  listPurchaseOrders,
  type NewPurchaseOrder,
} from '../../shop/purchase-orders.js';
import type { AppDeps } from '../deps.js';
import { queueFollowUp } from '../enqueue.js';
import { errorBody } from '../errors.js';
import { date, type IdParams, idParams, lines, type PageQuery, pageQuery } from '../schemas.js';

const newOrder = {
  type: 'object',
  required: ['supplier', 'lines'],
  additionalProperties: false,
  properties: {
    supplier: { type: 'string', minLength: 1, maxLength: 140 },
    transaction_date: date,
    schedule_date: date,
    lines,
  },
} as const;

export function purchaseOrderRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { pool } = deps;

  app.post<{ Body: NewPurchaseOrder }>('/api/purchase-orders', { schema: { body: newOrder } }, async (request, reply) => {
    const order = await createPurchaseOrder(pool, request.body);
    // What is on order changes the projected stock of its items.
    const itemCodes = [...new Set(order.lines.map((line) => line.item_code))];
    const stock = await queueFollowUp(deps, 'recompute-stock', { itemCodes }, `purchase-order-${order.id}-stock`);
    return reply
      .code(201)
      .header('location', `/api/purchase-orders/${order.id}`)
      .send({ ...order, jobs: { stock: stock.job }, ...(stock.warning ? { warnings: [stock.warning] } : {}) });
  });

  app.get<{ Querystring: PageQuery }>('/api/purchase-orders', { schema: { querystring: pageQuery } }, async (request) => ({
    data: await listPurchaseOrders(pool, request.query),
  }));

  app.get<{ Params: IdParams }>('/api/purchase-orders/:id', { schema: { params: idParams } }, async (request, reply) => {
    const order = await getPurchaseOrder(pool, request.params.id);
    return order ?? reply.code(404).send(errorBody(404, `purchase order ${request.params.id} does not exist`));
  });
}
