import type { Health } from '@vigil/health';
import type pg from 'pg';
import type { ItemCache } from '../cache/item-cache.js';
import type { ShopQueues } from '../jobs/queues.js';

/** What the routes use. */
export interface AppDeps {
  pool: pg.Pool;
  itemCache: ItemCache;
  queues: ShopQueues;
  health: Health;
}
