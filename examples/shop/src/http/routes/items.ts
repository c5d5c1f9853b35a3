import type { FastifyInstance } from 'fastify';
import { createItem, getItem, listItems, type NewItem } from '../../shop/items.js';
import type { AppDeps } from '../deps.js';
import { errorBody } from '../errors.js';
import { itemCode, MAX_PRICE, type PageQuery, pageQuery } from '../schemas.js';

const newItem = {
  type: 'object',
  required: ['code', 'name', 'price'],
  additionalProperties: false,
  properties: {
    code: itemCode,
    name: { type: 'string', minLength: 1, maxLength: 140 },
    price: { type: 'number', minimum: 0, maximum: MAX_PRICE },
    opening_qty: { type: 'integer', minimum: 0, maximum: 1_000_000 },
  },
} as const;

export function itemRoutes(app: FastifyInstance, { pool, itemCache }: AppDeps): void {
  app.post<{ Body: NewItem }>('/api/items', { schema: { body: newItem } }, async (request, reply) => {
    const item = await createItem(pool, request.body);
    return reply.code(201).header('location', `/api/items/${encodeURIComponent(item.code)}`).send(item);
  });

  app.get<{ Querystring: PageQuery }>('/api/items', { schema: { querystring: pageQuery } }, async (request) => ({
    data: await listItems(pool, request.query),
  }));

  // Cached in Redis: `x-cache` says whether this answer came from it (hit), from PostgreSQL (miss), or from
  // PostgreSQL because Redis could not be asked (bypass).
  app.get<{ Params: { code: string } }>(
    '/api/items/:code',
    { schema: { params: { type: 'object', required: ['code'], properties: { code: itemCode } } } },
    async (request, reply) => {
      const { code } = request.params;
      const cached = await itemCache.get(code);
      reply.type('application/json; charset=utf-8');
      if (typeof cached === 'string') return reply.header('x-cache', 'hit').send(cached);
      const item = await getItem(pool, code);
      if (!item) return reply.code(404).send(errorBody(404, `item ${code} does not exist`));
      const json = JSON.stringify(item);
      if (cached === undefined) await itemCache.set(code, json);
      return reply.header('x-cache', cached === undefined ? 'miss' : 'bypass').send(json);
    },
  );
}
