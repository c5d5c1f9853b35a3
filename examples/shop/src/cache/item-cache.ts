/**
 * Item lookups cached in Redis for a minute: the API reads items on every page, they change rarely. The cache
 * is an optimization, never a dependency: when Redis fails, reads go to PostgreSQL.
 */
import type { Redis } from 'ioredis';

export const ITEM_CACHE_TTL_SECONDS = 60;

export class ItemCache {
  constructor(
    private readonly redis: Redis,
    /** Separates shops sharing a Redis (one per schema). */
    private readonly namespace: string,
    private readonly ttlSeconds = ITEM_CACHE_TTL_SECONDS,
  ) {}

  private key(code: string): string {
    return `${this.namespace}:item:${code}`;
  }

  /** The cached JSON, `undefined` on a miss, `null` when Redis could not be asked. */
  async get(code: string): Promise<string | undefined | null> {
    try {
      return (await this.redis.get(this.key(code))) ?? undefined;
    } catch {
      return null;
    }
  }

  async set(code: string, json: string): Promise<void> {
    await this.redis.set(this.key(code), json, 'EX', this.ttlSeconds).catch(() => {});
  }

  /** Drops entries whose item changed (the worker's stock recompute); a failure only delays freshness by the TTL. */
  async invalidate(codes: readonly string[]): Promise<void> {
    if (codes.length === 0) return;
    await this.redis.del(...codes.map((code) => this.key(code))).catch(() => {});
  }
}

export function cacheNamespace(schema: string): string {
  return `shop:${schema}`;
}
