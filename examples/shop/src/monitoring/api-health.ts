/**
 * The API's health: /api/health, /api/livez, /api/readyz and /api/metrics, with the seed's checks (database,
 * Redis, queues and workers, disk) and its business gauges (documents per doctype, sales today).
 */
import { bullmqCheck, createHealth, diskCheck, type Health, postgresCheck, redisCheck } from '@vigil/health';
import { type QueueMetrics, queueMetrics } from '@vigil/jobs';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { ShopConfig } from '../config.js';
import { QUEUE_NAMES } from '../jobs/definitions.js';
import type { ShopQueues } from '../jobs/queues.js';
import { SHOP_VERSION } from '../version.js';

export const API_HEALTH_PATHS = {
  health: '/api/health',
  livez: '/api/livez',
  readyz: '/api/readyz',
  metrics: '/api/metrics',
} as const;

/** Error kinds counted in vigil_errors_total{kind}, exported as 0 from the start so increase() sees the first. */
export const ERROR_KINDS = ['http_5xx', 'job_enqueue_failed'] as const;
export type ErrorKind = (typeof ERROR_KINDS)[number];

/** The seed's doctypes, as label values of shop_documents. */
export const DOCTYPES = ['sales_invoice', 'purchase_order', 'customer', 'item'] as const;

export interface ApiHealthDeps {
  config: ShopConfig;
  pool: pg.Pool;
  cache: Redis;
  /** The queues' own connection, so the queue check sees what enqueueing sees. */
  queueConnection: Redis;
  queues: ShopQueues;
}

export interface ApiHealth {
  health: Health;
  queueMetrics: QueueMetrics;
}

export function createApiHealth({ config, pool, cache, queueConnection, queues }: ApiHealthDeps): ApiHealth {
  const health = createHealth({
    service: { name: 'shop-api', version: SHOP_VERSION, versions: { node: process.version } },
    paths: API_HEALTH_PATHS,
    ...(config.healthToken ? { token: config.healthToken } : {}),
    metrics: {
      errorKinds: [...ERROR_KINDS],
      // The seed's scheduler_enabled: job schedulers exist when the worker registered them.
      schedulerEnabled: async () => {
        const counts = await Promise.all(QUEUE_NAMES.map((name) => queues[name].getJobSchedulersCount()));
        return counts.some((n) => n > 0);
      },
    },
    checks: [
      postgresCheck({ name: 'database', client: pool, degradedAboveMs: 250 }),
      // Non-critical: without the cache, item reads go to PostgreSQL and the API keeps serving.
      redisCheck({ name: 'redis_cache', client: cache, critical: false }),
      // Non-critical: dead workers or a backlog must raise an alert (degraded), but taking the API out of the
      // load balancer would not bring the workers back.
      bullmqCheck({
        name: 'queues',
        critical: false,
        connection: queueConnection,
        prefix: config.queuePrefix,
        queues: [
          { name: 'short', maxOldestWaitingSeconds: { degraded: 60, unhealthy: 600 } },
          { name: 'default', maxOldestWaitingSeconds: { degraded: 300, unhealthy: 1800 } },
          {
            name: 'long',
            maxOldestWaitingSeconds: { degraded: 1800, unhealthy: 7200 },
            maxRunTimeMs: { degraded: 15 * 60_000, unhealthy: 60 * 60_000 },
          },
        ],
      }),
      diskCheck({ name: 'disk', path: process.cwd() }),
    ],
  });

  // The seed's documents_total{doctype}: a gauge must not end in _total, hence shop_documents (docs/metrics.md).
  health.metrics.gauge({
    name: 'shop_documents',
    help: 'Documents per doctype.',
    labelNames: ['doctype'],
    // count(*) scans a table: with big tables, reuse the counts for a while.
    cacheTtlMs: config.metricsCacheMs,
    timeoutMs: 2000,
    collect: async () => {
      const { rows } = await pool.query<{ doctype: string; count: number }>(
        `SELECT 'sales_invoice' AS doctype, count(*)::int AS count FROM sales_invoices
         UNION ALL SELECT 'purchase_order', count(*)::int FROM purchase_orders
         UNION ALL SELECT 'customer', count(*)::int FROM customers
         UNION ALL SELECT 'item', count(*)::int FROM items`,
      );
      return rows.map((row) => ({ labels: { doctype: row.doctype }, value: row.count }));
    },
  });

  // The seed's sales_today_total: submitted invoices posted today (an indexed sum, cheap enough per scrape).
  health.metrics.gauge({
    name: 'shop_sales_today',
    help: "Grand total of today's submitted sales invoices, in the shop's currency.",
    timeoutMs: 2000,
    collect: async () => {
      const { rows } = await pool.query<{ total: number }>(
        `SELECT COALESCE(sum(grand_total), 0)::float8 AS total FROM sales_invoices
         WHERE posting_date = CURRENT_DATE AND status = 'submitted'`,
      );
      return rows[0]?.total ?? 0;
    },
  });

  // Jobs per queue and state, workers per queue, oldest waiting: read from Redis at scrape time.
  const metrics = queueMetrics({
    registry: health.metrics.registry,
    connection: queueConnection,
    prefix: config.queuePrefix,
    queues: QUEUE_NAMES,
  });

  return { health, queueMetrics: metrics };
}
