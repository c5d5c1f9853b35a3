import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Job } from 'bullmq';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { attachJobLog, type JobLogLine } from '../src/index.js';
import { sharedRedisWorld, until } from './support.js';

const world = sharedRedisWorld();
afterEach(() => world.reset());
afterAll(() => world.dispose());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-job-log-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let n = 0;
const logFile = () => path.join(dir, `monitor-${++n}.json.log`);

const readLines = (file: string): JobLogLine[] =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as JobLogLine);

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

async function shop(job: Job): Promise<string> {
  if (job.name === 'charge-card') throw new Error('card declined: password=hunter2\n    at charge (pay.js:1:1)');
  await sleep(job.name === 'slow-report' ? 120 : 10);
  return 'ok';
}

describe('attachJobLog', () => {
  it('appends one JSON line per finished attempt with duration, wait, name, queue and the scheduled flag', async () => {
    const file = logFile();
    const queue = world.newQueue('shop');
    const worker = world.newWorker(queue, shop, { name: 'shop-worker-1' });
    const log = attachJobLog(worker, { file, app: 'shop' });

    await queue.add('slow-report', { month: 11 });
    await queue.add('charge-card', { order: 17 }, { attempts: 2 });
    await queue.upsertJobScheduler('stock', { every: 60_000 }, { name: 'sync-stock' });
    await until(async () => (await queue.getCompletedCount()) === 2 && (await queue.getFailedCount()) === 1);
    await log.close();

    const lines = readLines(file);
    expect(lines).toHaveLength(4); // report, scheduled sync, and two attempts at the card
    for (const line of lines) {
      expect(line).toMatchObject({ transaction_type: 'job', app: 'shop', uuid: expect.stringMatching(UUID) });
      expect(Date.parse(line.timestamp)).not.toBeNaN();
      expect(line.job.queue).toBe(queue.name);
      expect(line.job.worker).toBe('shop-worker-1');
      expect(line.job.wait_ms).toBeGreaterThanOrEqual(0);
    }
    const report = lines.find((l) => l.job.name === 'slow-report')!;
    expect(report).toMatchObject({ status: 'completed', job: { scheduled: false, scheduler: null, attempt: 1 } });
    expect(report.duration_ms).toBeGreaterThanOrEqual(110);
    expect(report.error).toBeUndefined();

    const sync = lines.find((l) => l.job.name === 'sync-stock')!;
    expect(sync).toMatchObject({ status: 'completed', job: { scheduled: true, scheduler: 'stock' } });

    const card = lines.filter((l) => l.job.name === 'charge-card');
    expect(card.map((l) => [l.status, l.job.attempt])).toEqual([
      ['retrying', 1],
      ['failed', 2],
    ]);
    // First line of the message only, the secret redacted.
    expect(card[1]!.error).toBe('card declined: password=***');
    expect(new Set(lines.map((l) => l.uuid)).size).toBe(4);
  });

  it('measures the wait from when a delayed job was due, not from when it was added', async () => {
    const file = logFile();
    const queue = world.newQueue();
    const log = attachJobLog(world.newWorker(queue, shop), { file, app: 'shop' });
    await queue.add('later', {}, { delay: 300 });
    await until(async () => (await queue.getCompletedCount()) === 1);
    await log.close();
    const [line] = readLines(file);
    expect(line!.job.wait_ms).toBeLessThan(250);
  });

  it('keeps lines whole when two workers (as two processes would) append to the same file', async () => {
    const file = logFile();
    const queue = world.newQueue();
    const logs = [1, 2].map((i) =>
      attachJobLog(world.newWorker(queue, async () => 'x'.repeat(10), { name: `w${i}`, concurrency: 20 }), {
        file,
        app: `shop-${i}`,
      }),
    );
    await queue.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: `job-${i % 5}`, data: { i } })));
    await until(async () => (await queue.getCompletedCount()) === 200, 15_000);
    await Promise.all(logs.map((l) => l.close()));
    const lines = readLines(file); // throws on a torn line
    expect(lines).toHaveLength(200);
    expect(new Set(lines.map((l) => l.job.id)).size).toBe(200);
  });

  it('can be analysed with the jq commands of docs/jobs.md', async () => {
    const queue = world.newQueue('shop');
    const file = path.join(dir, 'monitor.json.log');
    const log = attachJobLog(world.newWorker(queue, shop, { concurrency: 5 }), { file, app: 'shop' });
    await queue.addBulk([
      { name: 'slow-report', data: {} },
      { name: 'slow-report', data: {} },
      { name: 'send-email', data: {} },
      { name: 'charge-card', data: {} },
    ]);
    await queue.upsertJobScheduler('stock', { every: 60_000 }, { name: 'sync-stock' });
    await until(async () => (await queue.getCompletedCount()) === 4 && (await queue.getFailedCount()) === 1);
    await log.close();

    const commands = docsJqCommands();
    expect(commands).toHaveLength(4);
    const [slowest, failures, late, perHour] = await Promise.all(commands.map((command) => sh(command, dir)));

    const rows = JSON.parse(slowest!) as { job: string; runs: number; avg_ms: number; max_ms: number }[];
    expect(rows[0]).toMatchObject({ job: 'slow-report', runs: 2 });
    expect(rows[0]!.avg_ms).toBeGreaterThanOrEqual(110);
    expect(rows.map((r) => r.job).sort()).toEqual(['charge-card', 'send-email', 'slow-report', 'sync-stock']);
    expect(JSON.parse(failures!)).toMatchObject({ job: 'charge-card', error: 'card declined: password=***' });
    expect(JSON.parse(late!)).toEqual([]);
    expect(perHour!.trim()).toMatch(/^1 \d{4}-\d{2}-\d{2}T\d{2}$/);
  });

  it('reports a write failure without affecting the job, and stops logging once closed', async () => {
    const errors: Error[] = [];
    const queue = world.newQueue();
    const worker = world.newWorker(queue, shop);
    const broken = attachJobLog(worker, { file: path.join(dir, 'missing', 'x.log'), app: 'shop', onError: (e) => errors.push(e) });
    const file = logFile();
    const log = attachJobLog(worker, { file, app: 'shop' });
    await queue.add('send-email', {});
    await until(async () => (await queue.getCompletedCount()) === 1);
    await broken.flush();
    expect(errors.map((e) => (e as NodeJS.ErrnoException).code)).toEqual(['ENOENT']);
    await Promise.all([broken.close(), log.close()]);

    await queue.add('send-email', {});
    await until(async () => (await queue.getCompletedCount()) === 2);
    expect(readLines(file)).toHaveLength(1);
  });
});

/** The `jq` commands of the job-log section of docs/jobs.md (a command may continue on the following lines). */
function docsJqCommands(): string[] {
  const doc = fs.readFileSync(new URL('../../../docs/jobs.md', import.meta.url), 'utf8');
  const block = [...doc.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]!).find((b) => b.includes('jq '))!;
  const commands: string[] = [];
  for (const line of block.split('\n')) {
    if (line.startsWith('jq ')) commands.push(line);
    else if (line.trim() !== '' && !line.startsWith('#') && commands.length > 0) commands.push(`${commands.pop()!}\n${line}`);
  }
  return commands;
}

async function sh(command: string, cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)('sh', ['-c', command], { cwd });
  return stdout;
}
