/**
 * Opens the store a configuration names: `sqlite` (default; `<data>/vigil.db` unless a path is given) or a
 * `postgres://` URL. The schema is created or upgraded before the store is returned.
 */
import { dirname, join, resolve } from 'node:path';
import { ensurePrivateDir, ensurePrivateFile } from './private-files.js';
import type { PostgresStoreOptions } from './postgres.js';
import type { SqliteStoreOptions } from './sqlite.js';
import type { Store } from './store.js';

/** `storage:` as written in a configuration file, or as the config loader resolves it. */
export type StoreConfig =
  | string
  | { type: 'sqlite'; path?: string | undefined }
  | { type: 'postgres'; url: string; schema?: string | undefined };

export interface OpenStoreOptions extends SqliteStoreOptions, Omit<PostgresStoreOptions, keyof SqliteStoreOptions> {
  /** The server's data directory (`server.data`): holds `vigil.db` unless the SQLite path is given. */
  dataDir: string;
  /** Run `migrate` before returning the store. Default true. */
  migrate?: boolean;
  /** Told when the SQLite database or its directory can be read by other users. Default: nowhere. */
  onWarning?: (message: string) => void;
}

const POSTGRES_URL = /^postgres(ql)?:\/\//i;

/** Splits a `schema` query parameter (Vigil's, not libpq's) off a PostgreSQL URL. */
export function splitSchema(url: string): { url: string; schema?: string } {
  const parsed = new URL(url);
  const schema = parsed.searchParams.get('schema') ?? undefined;
  if (schema === undefined) return { url };
  parsed.searchParams.delete('schema');
  return { url: parsed.toString(), schema };
}

function normalise(config: StoreConfig): Exclude<StoreConfig, string> {
  if (typeof config !== 'string') return config;
  if (config === 'sqlite') return { type: 'sqlite' };
  if (POSTGRES_URL.test(config)) return { type: 'postgres', url: config };
  throw new Error('storage: expected "sqlite" or a postgres:// URL');
}

export async function openStore(config: StoreConfig, options: OpenStoreOptions): Promise<Store> {
  const { dataDir, migrate = true, onWarning = () => undefined, ...rest } = options;
  const storage = normalise(config);
  let store: Store;
  if (storage.type === 'sqlite') {
    const path = storage.path === ':memory:' ? ':memory:' : resolve(storage.path ?? join(dataDir, 'vigil.db'));
    if (path !== ':memory:') {
      ensurePrivateDir(dirname(path), onWarning);
      ensurePrivateFile(path, onWarning);
    }
    // Each backend (and its driver: a native module, a pool) is loaded only when used.
    const { SqliteStore } = await import('./sqlite.js');
    store = new SqliteStore(path, rest);
  } else {
    const { url, schema } = splitSchema(storage.url);
    const { PostgresStore } = await import('./postgres.js');
    store = new PostgresStore(url, { ...rest, schema: rest.schema ?? storage.schema ?? schema });
  }
  if (migrate) {
    try {
      await store.migrate();
    } catch (error) {
      await store.close().catch(() => undefined);
      throw error;
    }
  }
  return store;
}
