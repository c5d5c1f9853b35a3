import type pg from 'pg';

/** A pool or a client checked out of it (inside a transaction): both run queries the same way. */
export type Db = pg.Pool | pg.PoolClient;

/** PostgreSQL error codes the shop turns into HTTP answers. */
export const PG_UNIQUE_VIOLATION = '23505';

export function pgCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
