/**
 * The shop's API process: `node dist/api.js`. Fastify on SHOP_HOST:SHOP_PORT (127.0.0.1:8000), PostgreSQL
 * (DATABASE_URL, schema SHOP_SCHEMA, migrated and seeded on start), Redis (REDIS_URL) for the item cache and the
 * BullMQ queues, @vigil/health under /api, graceful shutdown on SIGTERM/SIGINT.
 */
import type { AddressInfo } from 'node:net';
import { installGracefulShutdown, redactUrl } from '@vigil/health';
import { cacheNamespace, ItemCache } from './cache/item-cache.js';
import { readConfig, type ShopConfig } from './config.js';
import { migrate } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { closeQueues, createQueues } from './jobs/queues.js';
import { failStart, reportReady, stopWithLauncher } from './lifecycle.js';
import { createApiHealth } from './monitoring/api-health.js';
import { connectPostgres, connectRedis, createPool, listenFailure } from './startup.js';

const NAME = 'shop-api';

async function main(config: ShopConfig): Promise<void> {
  const pool = createPool(config, NAME);
  await connectPostgres(pool, config);
  // Requests must not wait on a Redis outage: one retry, then the command fails (the cache falls back to SQL).
  const cache = await connectRedis(config, `${NAME}-cache`, { maxRetriesPerRequest: 1 });
  const queueConnection = await connectRedis(config, `${NAME}-queues`, { maxRetriesPerRequest: 1 });
  const { seeded } = await migrate(pool, config.schema, { seed: config.seed });

  const queues = createQueues(queueConnection, config.queuePrefix);
  const { health, queueMetrics } = createApiHealth({ config, pool, cache, queueConnection, queues });
  const app = await buildApp({ pool, itemCache: new ItemCache(cache, cacheNamespace(config.schema)), queues, health });
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    throw listenFailure(error, config.host, config.port, 'SHOP_PORT');
  }

  const shutdown = installGracefulShutdown({
    health,
    server: app.server,
    delayMs: config.shutdownDelayMs,
    cleanup: [
      async function stopQueues() {
        await closeQueues(queues);
        queueMetrics.close();
      },
      async function closeRedis() {
        await Promise.all([cache.quit(), queueConnection.quit()]);
      },
      async function closePostgres() {
        await pool.end();
      },
    ],
  });
  stopWithLauncher(shutdown);

  const { port } = app.server.address() as AddressInfo;
  const url = `http://${config.host}:${port}`;
  console.log(
    `${NAME} listening on ${url} (PostgreSQL ${redactUrl(config.databaseUrl)} schema ${config.schema}` +
      `${seeded ? ', example data inserted' : ''}; Redis ${redactUrl(config.redisUrl)} prefix ${config.queuePrefix})`,
  );
  reportReady({ type: 'ready', service: 'api', url });
}

let config: ShopConfig | undefined;
try {
  config = readConfig();
  await main(config);
} catch (error) {
  failStart(NAME, error, config);
}
