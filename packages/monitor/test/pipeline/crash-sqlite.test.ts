/**
 * `kill -9` at random moments while a target alternates up and down, on SQLite: afterwards the results, state
 * changes, incidents and states agree (crash-support.ts says how). Uses the built CLI.
 */
import { afterAll, beforeAll, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite.js';
import { tempDir } from '../support.js';
import { crashTest, SQLITE_FILE } from './crash-support.js';

let dir: { dir: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await tempDir('crash-sqlite');
});
afterAll(async () => {
  await dir.remove();
});

it('SQLite: 200+ target flips, killed with -9 again and again: no incident open while up, no duplicate, none missing, no gap', async () => {
  await crashTest(dir.dir, 'sqlite', async () => {
    const store = new SqliteStore(SQLITE_FILE(dir.dir));
    await store.migrate();
    return store;
  });
}, 180_000);
