/** The Store contract against SQLite, plus what only SQLite has: the file, its pragmas, rows without padding. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { VigilConfig } from '../src/config/index.js';
import { openStore, type StoreConfig } from '../src/store/open.js';
import { SqliteStore } from '../src/store/sqlite.js';
import { SQLITE_MIGRATIONS } from '../src/store/migrations/sqlite.js';
import { describeStore, T0 } from './store/describe-store.js';
import { expectMigratedV1, v1Data } from './store/migration.js';

let dir: string;
let count = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-store-sqlite-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describeStore('sqlite', async (options) => {
  const path = join(dir, `store-${++count}.db`);
  const store = new SqliteStore(path, options);
  await store.migrate();
  return {
    store,
    reopen: async () => {
      const again = new SqliteStore(path, options);
      await again.migrate();
      return again;
    },
  };
});

// The config loader's resolved `storage` section is what openStore takes.
const fromConfig: (storage: VigilConfig['storage']) => StoreConfig = (storage) => storage;

describe('SQLite specifics', () => {
  test('openStore puts vigil.db in the data directory, in WAL mode with synchronous=NORMAL', async () => {
    const dataDir = join(dir, 'data', 'nested');
    const store = await openStore('sqlite', { dataDir });
    await store.appendResults([{ monitorId: 'api', at: T0, status: 'healthy', latencyMs: 1, location: 'local' }]);
    const db = new Database(join(dataDir, 'vigil.db'), { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      const version = db.prepare('SELECT max(version) AS v FROM schema_version').get() as { v: number };
      expect(version.v).toBeGreaterThanOrEqual(1);
      // The view resolves dictionary keys for people reading the file by hand.
      expect(db.prepare('SELECT monitor_id, location, status, latency FROM results_view').all()).toEqual([
        { monitor_id: 'api', location: 'local', status: 0, latency: 1 },
      ]);
    } finally {
      db.close();
      await store.close();
    }
    // synchronous is per connection: check the store's own.
    const raw = new SqliteStore(join(dataDir, 'vigil.db'));
    expect((raw as unknown as { db: Database.Database }).db.pragma('synchronous', { simple: true })).toBe(1);
    await raw.close();
  });

  test('openStore with an explicit path and with :memory:', async () => {
    const path = join(dir, 'elsewhere', 'custom.db');
    const store = await openStore(fromConfig({ type: 'sqlite', path }), { dataDir: join(dir, 'unused') });
    expect(store.kind).toBe('sqlite');
    await store.close();
    const again = await openStore({ type: 'sqlite', path }, { dataDir: join(dir, 'unused') });
    const latest = SQLITE_MIGRATIONS.at(-1)!.version;
    expect(await again.migrate()).toEqual({ from: latest, to: latest });
    await again.close();
    const memory = await openStore({ type: 'sqlite', path: ':memory:' }, { dataDir: dir });
    await memory.ping();
    await memory.close();
    await expect(openStore('mysql://x', { dataDir: dir })).rejects.toThrow(/sqlite.*postgres/);
  });

  test('a database of the first schema version is migrated: states kept, an incident left open closed, pauses kept', async () => {
    const path = join(dir, 'v1.db');
    const db = new Database(path);
    const [v1] = SQLITE_MIGRATIONS;
    db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, description TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    db.exec(v1!.sql);
    db.prepare('INSERT INTO schema_version VALUES (1, ?, 0)').run(v1!.description);
    for (const statement of v1Data('')) db.exec(statement);
    db.close();
    const store = new SqliteStore(path);
    try {
      expect(await store.migrate()).toEqual({ from: 1, to: SQLITE_MIGRATIONS.at(-1)!.version });
      await expectMigratedV1(store);
    } finally {
      await store.close();
    }
  });

  test('a database from a newer Vigil is refused with a clear message', async () => {
    const path = join(dir, 'future.db');
    const store = new SqliteStore(path);
    await store.migrate();
    await store.close();
    const db = new Database(path);
    db.prepare("INSERT INTO schema_version VALUES (99, 'future', 0)").run();
    db.close();
    const old = new SqliteStore(path);
    await expect(old.migrate()).rejects.toThrow(/schema version 99, newer than this Vigil/);
    await old.close();
  });
});
