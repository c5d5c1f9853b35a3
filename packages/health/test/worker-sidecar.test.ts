import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Worker } from 'bullmq';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { unusedPort } from '../../core/test/support/net.js';
import { type PrivateRedis, startPrivateRedis } from '../../core/test/support/private-redis.js';
import {
  type CurrentJob,
  diagnosticReport,
  formatDiagnosticReport,
  METRICS,
  startWorkerHealthServer,
  type WorkerHealthServer,
} from '../src/index.js';
import { checkMetrics, familyTypes, parseSamples, requirePromtool, valueOf } from './metrics-support.js';

const fixture = fileURLToPath(new URL('./fixtures/worker-sidecar.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../dist/worker/server.js', import.meta.url));
const root = fileURLToPath(new URL('../../../', import.meta.url));
const workerDoc = readFileSync(path.join(root, 'docs/worker.md'), 'utf8');

beforeAll(async () => {
  // The fixture is plain JavaScript running the build (Node 20 cannot run TypeScript sources).
  if (!existsSync(dist)) throw new Error(`missing ${dist}: run \`npm run build\` first`);
  await requirePromtool();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Reply {
  status: number;
  body: string;
  /** When the answer arrived (epoch ms). */
  at: number;
}

async function get(url: string, timeoutMs = 3000): Promise<Reply> {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  return { status: res.status, body: await res.text(), at: Date.now() };
}

/** Polls until `accept` holds for an answer; fails after `timeoutMs` with the last answer. */
async function until(url: string, accept: (reply: Reply) => boolean, timeoutMs: number): Promise<Reply> {
  const giveUp = Date.now() + timeoutMs;
  let last: Reply | string = 'no answer';
  for (;;) {
    try {
      const reply = await get(url);
      if (accept(reply)) return reply;
      last = reply;
    } catch (error) {
      last = String(error);
    }
    if (Date.now() > giveUp) throw new Error(`${url}: no matching answer within ${timeoutMs} ms; last: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

async function refused(url: string): Promise<boolean> {
  try {
    await get(url, 1000);
    return false;
  } catch (error) {
    return /ECONNREFUSED/.test(String((error as { cause?: unknown }).cause ?? error));
  }
}

// --- The sidecar in this process: the real thread, run from the TypeScript sources ---

describe('startWorkerHealthServer in process', () => {
  const servers: WorkerHealthServer[] = [];
  const start = async (...args: Parameters<typeof startWorkerHealthServer>) => {
    const server = await startWorkerHealthServer(...args);
    servers.push(server);
    return server;
  };
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => s.close()));
  });

  it('answers 200 HEALTHY, and 503 naming the listener (credentials redacted) until it reports healthy again', async () => {
    const server = await start({ port: 0 });
    expect(server.enabled).toBe(true);
    expect(server.host).toBe('127.0.0.1');
    expect(await get(`${server.url}/health`)).toMatchObject({ status: 200, body: '{"status":"HEALTHY"}' });

    server.setListenerHealth('payments', false, 'cannot reach amqp://worker:s3cret@rabbit:5672');
    const down = await until(`${server.url}/health`, (r) => r.status === 503, 2000);
    expect(JSON.parse(down.body)).toEqual({
      status: 'UNHEALTHY',
      reasons: ['listener "payments" unhealthy: cannot reach amqp://worker:***@rabbit:5672'],
    });

    server.setListenerHealth('payments', true);
    await until(`${server.url}/health`, (r) => r.status === 200, 2000);
    server.setListenerHealth('cache', false);
    await until(`${server.url}/health`, (r) => r.status === 503, 2000);
    server.forgetListener('cache');
    await until(`${server.url}/health`, (r) => r.status === 200, 2000);
  });

  it('options override the environment; the environment is read when options are absent', async () => {
    const fromOptions = await start({ port: 0, env: { VIGIL_WORKER_HEALTHCHECK_PORT: 'not a port' } });
    expect(fromOptions.port).toBeGreaterThan(0);

    const port = await unusedPort();
    const fromEnv = await start({ env: { VIGIL_WORKER_HEALTHCHECK_PORT: String(port) } });
    expect(fromEnv.port).toBe(port);
    expect((await get(`http://127.0.0.1:${port}/health`)).status).toBe(200);

    const off = await start({ env: { VIGIL_WORKER_HEALTHCHECK_ENABLED: 'false', VIGIL_WORKER_HEALTHCHECK_PORT: '0' } });
    expect(off).toMatchObject({ enabled: false, port: undefined, url: undefined });
    const off0 = await start({ env: { VIGIL_WORKER_HEALTHCHECK_ENABLED: '0' } });
    expect(off0.enabled).toBe(false);
    const forced = await start({ enabled: true, port: 0, env: { VIGIL_WORKER_HEALTHCHECK_ENABLED: 'false' } });
    expect(forced.enabled).toBe(true);
  });

  it('rejects unusable settings with the variable or option named', async () => {
    await expect(startWorkerHealthServer({ env: { VIGIL_WORKER_HEALTHCHECK_PORT: '80a' } })).rejects.toThrow(
      /VIGIL_WORKER_HEALTHCHECK_PORT must be a port number/,
    );
    await expect(
      startWorkerHealthServer({ port: 0, env: { VIGIL_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS: '-1' } }),
    ).rejects.toThrow(/VIGIL_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS must be a positive number/);
    await expect(startWorkerHealthServer({ env: { VIGIL_WORKER_HEALTHCHECK_ENABLED: 'maybe' } })).rejects.toThrow(
      /VIGIL_WORKER_HEALTHCHECK_ENABLED must be true or false/,
    );
  });

  it('rejects when the port is taken, saying so', async () => {
    const first = await start({ port: 0 });
    await expect(startWorkerHealthServer({ port: first.port! })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${first.port}: .*port is in use`),
    );
  });

  it('close() stops the server', async () => {
    const server = await start({ port: 0 });
    await server.close();
    expect(await refused(`${server.url}/health`)).toBe(true);
    await server.close(); // a second close is harmless
  });

  it('answers 404 elsewhere and 405 for other methods', async () => {
    const server = await start({ port: 0 });
    expect((await get(`${server.url}/`)).status).toBe(404);
    const post = await fetch(`${server.url}/health`, { method: 'POST' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });

  it('serves the job counters and current jobs the main thread reports', async () => {
    const server = await start({ port: 0 });
    server.jobStarted({ queue: 'emails', id: '7', name: 'welcome', startedAt: 1_700_000_000_000 });
    server.jobStarted({ queue: 'emails', id: '8', name: 'welcome' });
    server.jobFinished({ queue: 'emails', id: '8', outcome: 'failed' });
    server.jobStarted({ queue: 'reports' });
    expect(server.currentJobs()).toEqual([{ queue: 'emails', id: '7', name: 'welcome', startedAt: 1_700_000_000_000 }]);
    const { body } = await until(
      `${server.url}/metrics`,
      (r) => valueOf(r.body, 'vigil_worker_jobs_active', { queue: 'reports' }) === 1,
      2000,
    );
    expect(valueOf(body, 'vigil_worker_jobs_active', { queue: 'emails' })).toBe(1);
    expect(valueOf(body, 'vigil_worker_jobs_processed_total', { queue: 'emails' })).toBe(1);
    expect(valueOf(body, 'vigil_worker_jobs_failed_total', { queue: 'emails' })).toBe(1);
  });

  it('serves every catalogue metric of source "worker" with its type and labels, as docs/worker.md lists them', async () => {
    const server = await start({ port: 0 });
    server.setListenerHealth('bullmq:emails', true);
    server.jobStarted({ queue: 'emails', id: '1' });
    const { body } = await until(`${server.url}/metrics`, (r) => r.body.includes('vigil_worker_jobs_active{'), 2000);
    const workerMetrics = METRICS.filter((m) => m.source === 'worker');
    expect(workerMetrics.map((m) => m.name).sort()).toEqual([
      'vigil_worker_event_loop_lag_seconds',
      'vigil_worker_jobs_active',
      'vigil_worker_jobs_failed_total',
      'vigil_worker_jobs_processed_total',
      'vigil_worker_listener_up',
      'vigil_worker_up',
    ]);
    const types = familyTypes(body);
    const samples = parseSamples(body);
    const rows = new Map<string, { type: string; labels: string[] }>();
    for (const line of workerDoc.split('\n')) {
      const cells = line.split('|').map((c) => c.trim());
      const name = /^`(vigil_worker_[a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
      if (!name || cells.length < 5) continue;
      const labels = cells[3] === '—' ? [] : cells[3]!.split(',').map((l) => l.trim().replace(/^`|`$/g, ''));
      rows.set(name, { type: cells[2]!, labels });
    }
    for (const metric of workerMetrics) {
      expect(metric.state, metric.name).toBe('available');
      expect(types.get(metric.name), metric.name).toBe(metric.type);
      const own = samples.filter((s) => s.name === metric.name);
      expect(own.length, `${metric.name} has samples`).toBeGreaterThan(0);
      for (const sample of own) expect(Object.keys(sample.labels).sort()).toEqual([...metric.labels].sort());
      expect(rows.get(metric.name), `${metric.name} in docs/worker.md`).toEqual({
        type: metric.type,
        labels: [...metric.labels],
      });
    }
    expect([...rows.keys()].sort()).toEqual(workerMetrics.map((m) => m.name).sort());
  });

  it('watches a real BullMQ worker: healthy once connected, 503 "worker closed" after worker.close()', async () => {
    const redis = await startPrivateRedis();
    redises.push(redis);
    const server = await start({ port: 0 });
    const worker = new Worker('invoices', async () => 'done', { connection: { host: '127.0.0.1', port: redis.port } });
    worker.on('error', () => {});
    try {
      const unwatch = server.watchBullmqWorker(worker, { name: 'billing' });
      await until(`${server.url}/health`, (r) => r.status === 200, 5000);
      expect(valueOf((await get(`${server.url}/metrics`)).body, 'vigil_worker_listener_up', { listener: 'billing' })).toBe(1);
      await worker.close();
      const closed = await until(`${server.url}/health`, (r) => r.status === 503, 2000);
      expect(JSON.parse(closed.body).reasons).toEqual(['listener "billing" unhealthy: worker closed']);
      unwatch();
      await until(`${server.url}/health`, (r) => r.status === 200, 2000);
    } finally {
      await worker.close();
    }
  });

  it('formats a diagnostic report with the current jobs, redacting secrets', () => {
    const jobs: CurrentJob[] = [
      { queue: 'emails', id: '42', name: 'welcome', startedAt: 1_000, to: 'redis://app:hunter22@cache:6379' },
    ];
    const report = diagnosticReport({ currentJobs: () => jobs }, 'SIGUSR2');
    expect(report.currentJobs).toEqual(jobs);
    expect(report.javascriptStack[0]).toMatch(/diagnosticReport/);
    const text = formatDiagnosticReport(report, [], 13_500);
    expect(text).toContain('current jobs (1):');
    expect(text).toContain('queue "emails" job 42 "welcome" running for 12.5 s');
    expect(text).not.toContain('hunter22');
    const failing = diagnosticReport({
      currentJobs: () => {
        throw new Error('registry gone');
      },
    });
    expect(formatDiagnosticReport(failing)).toContain('current jobs: unknown (registry gone)');
  });
});

// --- A real worker process: the sidecar answers while its main thread is blocked ---

interface Child {
  child: ChildProcess;
  stdout: string[];
  stderr: () => string;
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<string>;
  send: (line: string) => void;
}

const children: ChildProcess[] = [];
const redises: PrivateRedis[] = [];
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await Promise.all(redises.splice(0).map((r) => r.kill()));
});
afterAll(async () => {
  await Promise.all(redises.splice(0).map((r) => r.kill()));
});

function startChild(env: Record<string, string>): Child {
  const child = spawn(process.execPath, [fixture], {
    env: { ...process.env, ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    stdout.push(...parts);
    for (const w of waiters) w();
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    for (const w of waiters) w();
  });
  const waitFor = (pattern: RegExp, timeoutMs = 10_000) =>
    new Promise<string>((resolve, reject) => {
      const check = () => {
        const line = stdout.find((l) => pattern.test(l));
        if (line === undefined) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(line);
      };
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no stdout line matching ${pattern}\nstdout:\n${stdout.join('\n')}\nstderr:\n${stderr}`));
      }, timeoutMs);
      waiters.add(check);
      check();
    });
  return { child, stdout, stderr: () => stderr, waitFor, send: (line) => child.stdin!.write(`${line}\n`) };
}

describe('the sidecar of a worker process', () => {
  it('answers 503 within threshold + 1 s of the loop blocking, while it is still blocked, and 200 after', async () => {
    const port = await unusedPort();
    const worker = startChild({
      VIGIL_WORKER_HEALTHCHECK_PORT: String(port),
      VIGIL_WORKER_HEALTHCHECK_EVENT_LOOP_BLOCK_THRESHOLD_SECONDS: '1',
    });
    expect(await worker.waitFor(/^LISTENING /)).toBe(`LISTENING ${port} 127.0.0.1`);
    const url = `http://127.0.0.1:${port}`;
    expect((await get(`${url}/health`)).status).toBe(200);
    const before = await get(`${url}/metrics`);
    expect(valueOf(before.body, 'fixture_value')).toBeGreaterThanOrEqual(1);

    worker.send('block 4000');
    const blockedAt = Number((await worker.waitFor(/^BLOCK START /)).split(' ')[2]);
    const blocked = await until(`${url}/health`, (r) => r.status === 503, 4000);
    const metrics = await get(`${url}/metrics`);
    const endLine = worker.stdout.find((l) => l.startsWith('BLOCK END '));
    // Both answers came from the thread while the main thread was still busy-waiting.
    expect(endLine, 'the loop was still blocked when the answers came').toBeUndefined();
    expect(blocked.at - blockedAt).toBeLessThanOrEqual(1000 + 1000);
    expect(JSON.parse(blocked.body)).toEqual({
      status: 'UNHEALTHY',
      reasons: [expect.stringMatching(/^event loop blocked for \d+\.\d s \(threshold 1 s\)$/)],
    });
    expect(metrics.status).toBe(200);
    expect(valueOf(metrics.body, 'vigil_worker_up')).toBe(0);
    expect(valueOf(metrics.body, 'vigil_worker_event_loop_lag_seconds')).toBeGreaterThan(1);
    // The main thread's own metrics cannot be collected now: the last ones are served.
    expect(valueOf(metrics.body, 'fixture_value')).toBe(valueOf(before.body, 'fixture_value'));
    expect(worker.stdout.find((l) => l.startsWith('BLOCK END ')), 'still blocked after the scrape').toBeUndefined();

    const endedAt = Number((await worker.waitFor(/^BLOCK END /, 6000)).split(' ')[2]);
    const recovered = await until(`${url}/health`, (r) => r.status === 200, 3000);
    expect(recovered.at - endedAt).toBeLessThan(1000);
    expect(recovered.body).toBe('{"status":"HEALTHY"}');
  });

  it('does nothing when VIGIL_WORKER_HEALTHCHECK_ENABLED is false', async () => {
    const port = await unusedPort();
    const worker = startChild({ VIGIL_WORKER_HEALTHCHECK_ENABLED: 'false', VIGIL_WORKER_HEALTHCHECK_PORT: String(port) });
    await worker.waitFor(/^DISABLED$/);
    expect(await refused(`http://127.0.0.1:${port}/health`)).toBe(true);
  });

  it('counts BullMQ jobs in promtool-clean /metrics, and SIGUSR2 logs the stuck job', async () => {
    const redis = await startPrivateRedis();
    redises.push(redis);
    const port = await unusedPort();
    const worker = startChild({
      VIGIL_WORKER_HEALTHCHECK_PORT: String(port),
      REDIS_PORT: String(redis.port),
      DIAGNOSTICS: '1',
    });
    await worker.waitFor(/^WORKER READY$/);
    const url = `http://127.0.0.1:${port}`;
    await until(`${url}/health`, (r) => r.status === 200, 5000);

    worker.send('job welcome ok');
    worker.send('job broken fail');
    worker.send('job hanging stuck');
    const stuckId = (await worker.waitFor(/^JOB ACTIVE \S+ hanging$/)).split(' ')[2];
    await worker.waitFor(/^JOB DONE /);
    await worker.waitFor(/^JOB FAILED /);
    const { body } = await until(
      `${url}/metrics`,
      (r) => valueOf(r.body, 'vigil_worker_jobs_processed_total', { queue: 'emails' }) === 2,
      3000,
    );
    expect(valueOf(body, 'vigil_worker_jobs_failed_total', { queue: 'emails' })).toBe(1);
    expect(valueOf(body, 'vigil_worker_jobs_active', { queue: 'emails' })).toBe(1);
    expect(valueOf(body, 'vigil_worker_listener_up', { listener: 'bullmq:emails' })).toBe(1);
    expect(valueOf(body, 'vigil_worker_up')).toBe(1);
    expect(await checkMetrics(body)).toEqual({ code: 0, findings: [] });

    worker.child.kill('SIGUSR2');
    const deadline = Date.now() + 5000;
    while (!worker.stderr().includes('JavaScript stack') && Date.now() < deadline) await sleep(50);
    const report = worker.stderr();
    expect(report).toContain('vigil worker diagnostics (SIGUSR2)');
    expect(report).toContain('current jobs (1):');
    expect(report).toMatch(new RegExp(`queue "emails" job ${stuckId} "hanging" running for \\d+\\.\\d s`));
    expect(report).toMatch(/JavaScript stack \(main thread, where the report was made\):\n\s+at /);
    // The listener replaced SIGUSR2's default action (terminate): the worker still serves.
    await sleep(200);
    expect(worker.child.exitCode).toBeNull();
    expect((await get(`${url}/health`)).status).toBe(200);
  });

  it('turns 503 naming the BullMQ listener when its Redis dies, and 200 once Redis is back on the same port', async () => {
    const redis = await startPrivateRedis();
    redises.push(redis);
    const port = await unusedPort();
    const worker = startChild({ VIGIL_WORKER_HEALTHCHECK_PORT: String(port), REDIS_PORT: String(redis.port) });
    await worker.waitFor(/^WORKER READY$/);
    const url = `http://127.0.0.1:${port}`;
    await until(`${url}/health`, (r) => r.status === 200, 5000);

    await redis.kill();
    const down = await until(`${url}/health`, (r) => r.status === 503, 5000);
    const reasons = (JSON.parse(down.body) as { reasons: string[] }).reasons;
    expect(reasons).toEqual([expect.stringMatching(/^listener "bullmq:emails" unhealthy: Redis connection lost/)]);
    const metrics = await get(`${url}/metrics`);
    expect(valueOf(metrics.body, 'vigil_worker_listener_up', { listener: 'bullmq:emails' })).toBe(0);

    await redis.start();
    await until(`${url}/health`, (r) => r.status === 200, 15_000);
  });
});

describe('docs/worker.md and docs/queues-nats.md', () => {
  it('every ```ts block type-checks against the real API', async () => {
    const dir = path.join(root, 'node_modules', '.cache', 'vigil-worker-doc-snippets');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    let count = 0;
    for (const doc of ['docs/worker.md', 'docs/queues-nats.md']) {
      const text = readFileSync(path.join(root, doc), 'utf8');
      for (const [, code] of text.matchAll(/```ts\n([\s\S]*?)```/g)) {
        // `export {}` keeps each snippet its own module.
        writeFileSync(path.join(dir, `${path.basename(doc, '.md')}-${++count}.ts`), `${code}\nexport {};\n`);
      }
    }
    expect(count).toBeGreaterThanOrEqual(5);
    writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
    writeFileSync(
      path.join(dir, 'tsconfig.json'),
      JSON.stringify({
        extends: path.join(root, 'tsconfig.base.json'),
        compilerOptions: {
          noEmit: true,
          paths: {
            '@vigil/core': [path.join(root, 'packages/core/src/index.ts')],
            '@vigil/health': [path.join(root, 'packages/health/src/index.ts')],
          },
        },
        include: ['*.ts'],
      }),
    );
    const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const output = await promisify(execFile)(process.execPath, [tsc, '-p', dir], { cwd: root }).then(
      () => '',
      (error: { stdout?: string }) => error.stdout ?? String(error),
    );
    expect(output).toBe('');
  }, 60_000);
});
