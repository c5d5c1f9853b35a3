/**
 * Durability of the SQLite store (WAL, synchronous=NORMAL): a child process writes batches through the built
 * code and is killed with SIGKILL mid-stream; every batch it reported as committed is in the database after
 * reopening it. Needs `npm run build` first (the child runs plain JavaScript from packages/monitor/dist).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { SqliteStore } from '../src/store/sqlite.js';

const DIST = fileURLToPath(new URL('../dist/store/index.js', import.meta.url));
const CHILD = fileURLToPath(new URL('./store/durability-child.mjs', import.meta.url));
const PER_BATCH = 200;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'vigil-store-kill-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('after kill -9, every batch reported committed is in the database', async () => {
  if (!existsSync(DIST)) {
    throw new Error(`${DIST} is missing: run \`npm run build\` before this test (the child process runs the built store)`);
  }
  const child = spawn(process.execPath, [CHILD, DIST, dir, String(PER_BATCH)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  let committed = -1;
  let killedAfter = -1;
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const match = /^committed (\d+)$/.exec(line);
    if (match) committed = Number(match[1]);
    // Kill while it is writing at full speed, once a good number of batches are in.
    if (committed >= 150 && killedAfter < 0) {
      killedAfter = committed;
      child.kill('SIGKILL');
    }
  }
  expect(await exited, `child failed: ${stderr}`).toBe('SIGKILL');
  expect(killedAfter).toBeGreaterThanOrEqual(150);

  const store = new SqliteStore(join(dir, 'vigil.db'));
  try {
    await store.migrate();
    const start = Date.UTC(2024, 0, 1);
    // Every reported batch is complete; a batch cut off by the kill is either absent or complete.
    const total = (await store.usage()).results;
    expect(total % PER_BATCH).toBe(0);
    expect(total).toBeGreaterThanOrEqual((committed + 1) * PER_BATCH);
    const perMonitor = await store.summary('monitor-3', start, start + (committed + 1) * PER_BATCH);
    expect(perMonitor.checks).toBe(((committed + 1) * PER_BATCH) / 10);
    const latest = await store.latestResults('monitor-0', 1);
    expect(latest[0]!.at).toBeGreaterThanOrEqual(start + committed * PER_BATCH);
  } finally {
    await store.close();
  }
});
