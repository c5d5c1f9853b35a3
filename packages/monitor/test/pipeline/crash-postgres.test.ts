/**
 * `kill -9` at random moments while a target alternates up and down, on PostgreSQL (a private schema of the shared
 * test database, dropped afterwards): afterwards the results, state changes, incidents and states agree
 * (crash-support.ts says how). Uses the built CLI.
 */
import pg from 'pg';
import { afterAll, beforeAll, it } from 'vitest';
import { PostgresStore } from '../../src/store/postgres.js';
import { POSTGRES_URL } from '../../../../test/services.js';
import { tempDir } from '../support.js';
import { crashTest } from './crash-support.js';

const SCHEMA = `vigil_crash_${process.pid}_${Date.now().toString(36)}`;
let dir: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('crash-postgres');
});
afterAll(async () => {
  await dir.remove();
  const client = new pg.Client({ connectionString: POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
  } finally {
    await client.end();
  }
});

it('PostgreSQL: 200+ target flips, killed with -9 again and again: no incident open while up, no duplicate, none missing, no gap', async () => {
  const url = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${SCHEMA}`;
  await crashTest(dir.dir, url, async () => {
    const store = new PostgresStore(POSTGRES_URL, { schema: SCHEMA, poolSize: 3 });
    await store.migrate();
    return store;
  });
}, 180_000);
