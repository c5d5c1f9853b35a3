/**
 * The Store contract against PostgreSQL, in private schemas of the shared `test` database (one per store, named
 * after this run, all dropped afterwards), plus what only PostgreSQL has.
 */
import pg from 'pg';
import { afterAll, describe, expect, test } from 'vitest';
import { openStore, splitSchema } from '../src/store/open.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SKETCH_LOWER_BOUNDS, sketchBucket } from '../src/store/sketch.js';
import { POSTGRES_MIGRATIONS } from '../src/store/migrations/postgres.js';
import { describeStore, T0 } from './store/describe-store.js';
import { expectMigratedV1, v1Data } from './store/migration.js';
import { POSTGRES_URL } from '../../../test/services.js';

const URL = POSTGRES_URL;
const RUN = `vigil_test_${process.pid}_${Date.now().toString(36)}`;
const schemas: string[] = [];
const newSchema = () => {
  const schema = `${RUN}_${schemas.length + 1}`;
  schemas.push(schema);
  return schema;
};

afterAll(async () => {
  const client = new pg.Client({ connectionString: URL });
  await client.connect();
  try {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  } finally {
    await client.end();
  }
});

describeStore('postgres', async (options) => {
  const schema = newSchema();
  const store = new PostgresStore(URL, { ...options, schema, poolSize: 4 });
  await store.migrate();
  return {
    store,
    reopen: async () => {
      const again = new PostgresStore(URL, { ...options, schema, poolSize: 4 });
      await again.migrate();
      return again;
    },
  };
});

describe('PostgreSQL specifics', () => {
  test('the database buckets latencies exactly like the sketch', async () => {
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    try {
      const { rows } = await client.query<{ latency: number; bucket: number }>(
        'SELECT latency, width_bucket(latency, $1::integer[]) AS bucket FROM generate_series(0, 700000, 7) AS latency',
        [SKETCH_LOWER_BOUNDS.slice(1)],
      );
      const mismatches = rows.filter((row) => row.bucket !== sketchBucket(row.latency));
      expect(rows.length).toBe(100_001);
      expect(mismatches).toEqual([]);
    } finally {
      await client.end();
    }
  });

  test('openStore takes a URL, with the schema from the options or a ?schema= parameter; migrating twice at once is safe', async () => {
    const fromOption = newSchema();
    const fromUrl = newSchema();
    const [a, b] = await Promise.all([
      openStore(URL, { dataDir: '/nonexistent', schema: fromOption }),
      openStore({ type: 'postgres', url: URL, schema: fromOption }, { dataDir: '/nonexistent' }),
    ]);
    const c = await openStore(`${URL}${URL.includes('?') ? '&' : '?'}schema=${fromUrl}`, { dataDir: '/nonexistent' });
    try {
      expect([a.kind, b.kind, c.kind]).toEqual(['postgres', 'postgres', 'postgres']);
      await a.appendResults([{ monitorId: 'api', at: T0, status: 'healthy', latencyMs: 1, location: 'local' }]);
      expect(await b.latestResults('api', 5)).toHaveLength(1);
      expect(await c.latestResults('api', 5)).toHaveLength(0);
      expect((c as PostgresStore).schema).toBe(fromUrl);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
    expect(splitSchema('postgres://u:p@h:5432/db?schema=x&sslmode=disable')).toEqual({
      url: 'postgres://u:p@h:5432/db?sslmode=disable',
      schema: 'x',
    });
    expect(() => new PostgresStore(URL, { schema: 'bad"name' })).toThrow(/schema name/);
  });

  test('a schema of the first version is migrated: states kept, an incident left open closed, pauses kept', async () => {
    const schema = newSchema();
    const client = new pg.Client({ connectionString: URL });
    await client.connect();
    try {
      const [v1] = POSTGRES_MIGRATIONS;
      await client.query(`CREATE SCHEMA "${schema}"`);
      await client.query(
        `CREATE TABLE "${schema}".schema_version (version integer PRIMARY KEY, description text NOT NULL, applied_at bigint NOT NULL)`,
      );
      await client.query(v1!.sql(`"${schema}"`));
      await client.query(`INSERT INTO "${schema}".schema_version VALUES (1, $1, 0)`, [v1!.description]);
      for (const statement of v1Data(`"${schema}".`)) await client.query(statement);
    } finally {
      await client.end();
    }
    const store = new PostgresStore(URL, { schema, poolSize: 3 });
    try {
      expect(await store.migrate()).toEqual({ from: 1, to: POSTGRES_MIGRATIONS.at(-1)!.version });
      await expectMigratedV1(store);
    } finally {
      await store.close();
    }
  });

  test('only one process maintains a schema at a time', async () => {
    const schema = newSchema();
    const a = new PostgresStore(URL, { schema, poolSize: 3 });
    const b = new PostgresStore(URL, { schema, poolSize: 3 });
    try {
      await a.migrate();
      await b.migrate();
      await a.appendResults([{ monitorId: 'api', at: T0, status: 'healthy', latencyMs: 1, location: 'local' }]);
      const retention = { rawMs: 86_400_000, hourlyMs: 86_400_000 * 90, dailyMs: 86_400_000 * 730 };
      const reports = await Promise.all([a.maintain(T0 + 86_400_000, retention), b.maintain(T0 + 86_400_000, retention)]);
      expect(reports.filter((r) => r.ran).length).toBeGreaterThanOrEqual(1);
      expect(reports.reduce((n, r) => n + r.hoursRolledUp, 0)).toBe(1);
      expect((await a.summary('api', T0, T0 + 86_400_000)).checks).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
