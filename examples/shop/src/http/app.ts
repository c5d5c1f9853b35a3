/** The shop's HTTP API on Fastify, with @vigil/health's endpoints under /api. */
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyHealth } from '@vigil/health';
import { QUEUE_NAMES } from '../jobs/definitions.js';
import { API_HEALTH_PATHS } from '../monitoring/api-health.js';
import { SHOP_VERSION } from '../version.js';
import type { AppDeps } from './deps.js';
import { formatValidationErrors, handleError, handleNotFound } from './errors.js';
import { customerRoutes } from './routes/customers.js';
import { itemRoutes } from './routes/items.js';
import { jobRoutes } from './routes/jobs.js';
import { purchaseOrderRoutes } from './routes/purchase-orders.js';
import { reportRoutes } from './routes/reports.js';
import { salesInvoiceRoutes } from './routes/sales-invoices.js';

const ENDPOINTS = [
  'GET  /api/health  /api/livez  /api/readyz  /api/metrics',
  'POST /api/customers          GET /api/customers  /api/customers/:id',
  'POST /api/items              GET /api/items      /api/items/:code',
  'POST /api/sales-invoices     GET /api/sales-invoices  /api/sales-invoices/:id',
  'POST /api/purchase-orders    GET /api/purchase-orders  /api/purchase-orders/:id',
  'POST /api/reports/sales-summary   GET /api/reports',
  `GET  /api/jobs/:queue/:id    (queues: ${QUEUE_NAMES.join(', ')})`,
];

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    // Errors are logged by handleError; a line per request would drown the example's console.
    logger: false,
    // Refuse unknown fields with a 400 instead of silently dropping them.
    ajv: { customOptions: { removeAdditional: false } },
    schemaErrorFormatter: formatValidationErrors,
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);

  // The seed's error counter: every 5xx the API answers, except the health endpoints' own 503s (which say
  // "unhealthy", not "the API failed").
  const healthRoutes = new Set<string>([...Object.values(API_HEALTH_PATHS), `${API_HEALTH_PATHS.readyz}/:name`]);
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 500 && !healthRoutes.has(request.routeOptions.url ?? '')) {
      deps.health.metrics.countError('http_5xx');
    }
  });

  await app.register(fastifyHealth, { health: deps.health });
  app.get('/', async () => ({ name: 'Vigil example shop', version: SHOP_VERSION, endpoints: ENDPOINTS }));
  customerRoutes(app, deps);
  itemRoutes(app, deps);
  salesInvoiceRoutes(app, deps);
  purchaseOrderRoutes(app, deps);
  reportRoutes(app, deps);
  jobRoutes(app, deps);
  return app;
}
