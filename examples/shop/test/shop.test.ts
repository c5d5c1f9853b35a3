import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkMetrics, requirePromtool, valueOf } from '../../../packages/health/test/metrics-support.js';
import {
  cleanUp,
  DATABASE_URL,
  killAll,
  launch,
  occupyPort,
  query,
  REDIS_URL,
  requireBuild,
  type Running,
  unusedPort,
  until,
} from './support.js';

const RUN = randomUUID().replaceAll('-', '').slice(0, 10);
const SCHEMA = `shop_test_${RUN}`;
const PREFIX = `shop-test-${RUN}`;
const QUEUES = ['default', 'short', 'long'] as const;
const TOKEN = `token-${RUN}`;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'vigil-shop-'));
const JOB_LOG = path.join(tmp, 'jobs.json.log');

/** Everything a run needs to be isolated: its own schema, BullMQ prefix, ports and job log. */
const ENV = {
  DATABASE_URL,
  REDIS_URL,
  SHOP_HOST: '127.0.0.1',
  SHOP_PORT: '0',
  VIGIL_WORKER_HEALTHCHECK_PORT: '0',
  SHOP_SCHEMA: SCHEMA,
  SHOP_QUEUE_PREFIX: PREFIX,
  SHOP_SHUTDOWN_DELAY_MS: '0',
  // Every scrape counts again, so a document created just before shows up.
  SHOP_METRICS_CACHE_MS: '0',
  SHOP_HEALTH_TOKEN: TOKEN,
  SHOP_JOB_LOG: JOB_LOG,
};

const auth = { authorization: `Bearer ${TOKEN}` };

beforeAll(async () => {
  requireBuild();
  await requirePromtool();
});

afterAll(async () => {
  killAll();
  await cleanUp(SCHEMA, PREFIX, QUEUES);
  rmSync(tmp, { recursive: true, force: true });
});

interface Answer<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

async function call<T = any>(base: string, method: string, url: string, body?: unknown): Promise<Answer<T>> {
  const res = await fetch(`${base}${url}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  const json = res.headers.get('content-type')?.includes('json') ? (JSON.parse(text) as T) : (text as T);
  return { status: res.status, headers: res.headers, body: json };
}

describe('the shop API and worker, against PostgreSQL and Redis', () => {
  let api: Running;
  let worker: Running;
  let base: string;
  let sidecar: string;
  let invoice: any;

  beforeAll(async () => {
    api = launch('api', ENV);
    worker = launch('worker', ENV);
    [base, sidecar] = await Promise.all([api.ready, worker.ready]);
  });

  it('creates its schema and the example data on first start', async () => {
    expect(api.output()).toContain(`schema ${SCHEMA}, example data inserted`);
    const tables = await query<{ table_name: string }>(
      'SELECT table_name FROM information_schema.tables WHERE table_schema = $1 ORDER BY table_name',
      [SCHEMA],
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining(['customers', 'items', 'purchase_orders', 'sales_invoice_lines', 'sales_invoices']),
    );
    const customers = await call(base, 'GET', '/api/customers');
    expect(customers.body.data.map((c: { name: string }) => c.name)).toEqual([
      'Asha Traders',
      'Blue Lotus Cafe',
      'Walk-in Customer',
    ]);
    const seeded = await call(base, 'GET', '/api/items/ICE-VAN');
    // Opening 120, 10 sold by the seeded invoice, 50 on the seeded purchase order.
    expect(seeded.body).toMatchObject({ code: 'ICE-VAN', price: 4.5, stock_qty: 110, projected_qty: 160 });
  });

  it('creates a customer, an item and a sales invoice with its totals, and queues its jobs', async () => {
    const customer = await call(base, 'POST', '/api/customers', { name: 'Gelato Corner', email: 'shop@gelato.example' });
    expect(customer.status).toBe(201);
    expect(customer.headers.get('location')).toBe(`/api/customers/${customer.body.id}`);
    expect(customer.body).toMatchObject({ name: 'Gelato Corner', email: 'shop@gelato.example' });

    const item = await call(base, 'POST', '/api/items', { code: 'ICE-PIS', name: 'Pistachio, 1 l', price: 5.9, opening_qty: 40 });
    expect(item.status).toBe(201);
    expect(item.body).toMatchObject({ code: 'ICE-PIS', price: 5.9, stock_qty: 40 });

    const created = await call(base, 'POST', '/api/sales-invoices', {
      customer_id: customer.body.id,
      lines: [
        { item_code: 'ICE-PIS', qty: 3 },
        { item_code: 'CONE-12', qty: 2, rate: 0.1 },
        { item_code: 'CONE-12', qty: 1, rate: 0.2 },
      ],
    });
    expect(created.status).toBe(201);
    invoice = created.body;
    // 3 × 5.90 + 2 × 0.10 + 0.20, in cents: no 0.30000000000000004.
    expect(invoice).toMatchObject({ status: 'submitted', total_qty: 6, grand_total: 18.1, customer_name: 'Gelato Corner' });
    expect(invoice.posting_date).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(invoice.lines.map((l: { amount: number }) => l.amount)).toEqual([17.7, 0.2, 0.2]);
    expect(invoice.jobs).toEqual({
      email: { queue: 'short', id: `invoice-${invoice.id}-email` },
      stock: { queue: 'default', id: `invoice-${invoice.id}-stock` },
    });
    expect(invoice.warnings).toBeUndefined();

    const fetched = await call(base, 'GET', `/api/sales-invoices/${invoice.id}`);
    expect(fetched.body).toMatchObject({ id: invoice.id, grand_total: 18.1, lines: invoice.lines });
    const listed = await call(base, 'GET', `/api/sales-invoices?customer_id=${customer.body.id}`);
    expect(listed.body.data.map((i: { id: number }) => i.id)).toEqual([invoice.id]);
  });

  it('runs the queued jobs in the worker: the e-mail goes out, stock is recomputed, the cache refreshed', async () => {
    const emailJob = await until(async () => {
      const job = await call(base, 'GET', `/api/jobs/short/invoice-${invoice.id}-email`);
      return job.body.state === 'completed' ? job.body : undefined;
    }, 'the e-mail job');
    expect(emailJob.returnvalue).toEqual({ status: 'sent', recipient: 'shop@gelato.example' });
    const sent = await call(base, 'GET', `/api/sales-invoices/${invoice.id}`);
    expect(sent.body.emailed_at).not.toBeNull();
    const outbox = await query<{ recipient: string }>(`SELECT recipient FROM "${SCHEMA}".email_outbox WHERE invoice_id = $1`, [
      invoice.id,
    ]);
    expect(outbox).toEqual([{ recipient: 'shop@gelato.example' }]);

    await until(async () => {
      const job = await call(base, 'GET', `/api/jobs/default/invoice-${invoice.id}-stock`);
      return job.body.state === 'completed' ? true : undefined;
    }, 'the stock job');
    // The job dropped the cached entry: the next read comes from PostgreSQL with the new stock, then from Redis.
    const fresh = await call(base, 'GET', '/api/items/ICE-PIS');
    expect(fresh.headers.get('x-cache')).toBe('miss');
    expect(fresh.body).toMatchObject({ stock_qty: 37, projected_qty: 37 });
    const cached = await call(base, 'GET', '/api/items/ICE-PIS');
    expect(cached.headers.get('x-cache')).toBe('hit');
    expect(cached.body).toEqual(fresh.body);
  });

  it('generates a report on the long queue', async () => {
    // No body: today's summary.
    const queued = await call(base, 'POST', '/api/reports/sales-summary');
    expect(queued.status).toBe(202);
    expect(queued.body.job.queue).toBe('long');
    await until(async () => {
      const job = await call(base, 'GET', `/api/jobs/long/${queued.body.job.id}`);
      return job.body.state === 'completed' ? true : undefined;
    }, 'the report job');
    const reports = await call(base, 'GET', '/api/reports');
    expect(reports.body.data[0]).toMatchObject({
      kind: 'sales_summary',
      period: invoice.posting_date,
      data: { invoices: 1, grand_total: 18.1, total_qty: 6, top_items: [{ code: 'ICE-PIS', qty: 3, amount: 17.7 }, {}] },
    });
  });

  it('rejects invalid input with a 400 that names the field', async () => {
    const cases: [url: string, body: unknown, message: string | RegExp][] = [
      ['/api/customers', {}, 'body.name is required'],
      ['/api/customers', { name: 'X', email: 'not-an-email' }, 'body.email must be a valid email'],
      ['/api/customers', { name: 'X', vip: true }, 'body has an unknown property "vip"'],
      ['/api/items', { code: 'A B', name: 'x', price: 1 }, /^body\.code must match pattern/],
      ['/api/items', { code: 'NEG', name: 'x', price: -1 }, 'body.price must be >= 0'],
      ['/api/sales-invoices', { customer_id: 1 }, 'body.lines is required'],
      ['/api/sales-invoices', { customer_id: 1, lines: [] }, 'body.lines must NOT have fewer than 1 items'],
      [
        '/api/sales-invoices',
        { customer_id: 1, lines: [{ item_code: 'ICE-VAN', qty: 0 }] },
        'body.lines[0].qty must be >= 1',
      ],
      [
        '/api/sales-invoices',
        { customer_id: 1, posting_date: '22/11/2026', lines: [{ item_code: 'ICE-VAN', qty: 1 }] },
        'body.posting_date must be a date (YYYY-MM-DD) from 1900 to 2999',
      ],
      // Valid for Ajv's date format, refused by PostgreSQL: must be a 400, not a 500.
      [
        '/api/sales-invoices',
        { customer_id: 1, posting_date: '0000-01-01', lines: [{ item_code: 'ICE-VAN', qty: 1 }] },
        'body.posting_date must be a date (YYYY-MM-DD) from 1900 to 2999',
      ],
      // Amounts stay within the numeric columns and exact in cents.
      [
        '/api/sales-invoices',
        { customer_id: 1, lines: [{ item_code: 'ICE-VAN', qty: 100_000, rate: 1e9 }] },
        'body.lines[0].rate must be <= 1000000',
      ],
      ['/api/sales-invoices', { customer_id: 99999, lines: [{ item_code: 'ICE-VAN', qty: 1 }] }, 'customer 99999 does not exist'],
      ['/api/sales-invoices', { customer_id: 1, lines: [{ item_code: 'NOPE', qty: 1 }] }, 'unknown item code: NOPE'],
      ['/api/purchase-orders', { supplier: 'S', lines: [{ item_code: 'ICE-VAN', qty: 1, price: 2 }] }, 'body.lines[0] has an unknown property "price"'],
      ['/api/customers', '{"name": ', /JSON/],
    ];
    for (const [url, body, message] of cases) {
      const answer = await call(base, 'POST', url, body);
      expect({ url, body, status: answer.status }).toEqual({ url, body, status: 400 });
      expect(answer.body).toMatchObject({ statusCode: 400, error: 'Bad Request', message });
    }
    const form = await fetch(`${base}/api/customers`, { method: 'POST', body: new URLSearchParams({ name: 'X' }) });
    expect(form.status).toBe(415);
    expect(((await form.json()) as any).message).toBe('send the body as JSON, with content-type: application/json');
    const duplicate = await call(base, 'POST', '/api/customers', { name: 'Asha Traders' });
    expect(duplicate).toMatchObject({ status: 409, body: { message: 'a customer named "Asha Traders" already exists' } });
    expect((await call(base, 'GET', '/api/sales-invoices/424242')).body).toMatchObject({
      statusCode: 404,
      message: 'sales invoice 424242 does not exist',
    });
    expect((await call(base, 'GET', '/api/sales-invoices/abc')).body.message).toBe('params.id must be integer');
    expect((await call(base, 'GET', '/api/nowhere')).body.message).toBe('no route for GET /api/nowhere');
    // Nothing invalid reached the database.
    const customers = await query<{ n: number }>(`SELECT count(*)::int AS n FROM "${SCHEMA}".customers`);
    expect(customers[0]!.n).toBe(4);
  });

  it('is healthy in /api/health with its checks, and ready and live', async () => {
    const health = await fetch(`${base}/api/health`, { headers: auth });
    expect(health.status).toBe(200);
    const report = (await health.json()) as any;
    expect(report.status).toBe('healthy');
    expect(Object.keys(report.checks).sort()).toEqual(['database', 'disk', 'queues', 'redis_cache']);
    for (const check of Object.values(report.checks) as { status: string }[]) expect(check.status).toBe('healthy');
    expect(report.checks.database.details.type).toBe('postgresql');
    expect(report.checks.queues).toMatchObject({ critical: false, details: { type: 'bullmq', prefix: PREFIX } });
    for (const queue of QUEUES) {
      expect(report.checks.queues.details.queues[queue]).toMatchObject({ status: 'healthy', workers: 1, failed: 0 });
    }
    // The worker registered both job schedulers.
    expect(report.checks.queues.details.queues.default.schedulers).toMatchObject({ total: 1, past_due: 0 });
    expect(report.checks.queues.details.queues.long.schedulers).toMatchObject({ total: 1, past_due: 0 });

    // Anonymous callers see statuses, not details.
    const anonymous = (await (await fetch(`${base}/api/health`)).json()) as any;
    expect(anonymous.checks.database.details).toBeUndefined();

    const ready = await fetch(`${base}/api/readyz?verbose`);
    expect(ready.status).toBe(200);
    expect(await ready.text()).toMatch(/\[\+\]database ok/);
    expect((await fetch(`${base}/api/livez`)).status).toBe(200);
  });

  it('exports the business gauges in /api/metrics, the invoice counted, and passes promtool', async () => {
    const res = await fetch(`${base}/api/metrics`);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    const body = await res.text();
    // The seed's 3 customers, 4 items, 1 order and 1 invoice, plus this run's customer, item and invoice.
    expect(valueOf(body, 'shop_documents', { doctype: 'sales_invoice' })).toBe(2);
    expect(valueOf(body, 'shop_documents', { doctype: 'customer' })).toBe(4);
    expect(valueOf(body, 'shop_documents', { doctype: 'item' })).toBe(5);
    expect(valueOf(body, 'shop_documents', { doctype: 'purchase_order' })).toBe(1);
    // The seeded invoice was posted yesterday: today's sales are this run's invoice alone.
    expect(valueOf(body, 'shop_sales_today')).toBe(18.1);
    expect(valueOf(body, 'vigil_errors_total', { kind: 'http_5xx' })).toBe(0);
    expect(valueOf(body, 'vigil_scheduler_enabled')).toBe(1);
    expect(valueOf(body, 'vigil_check_up', { check: 'database' })).toBe(1);
    expect(valueOf(body, 'vigil_queue_workers', { queue: 'short' })).toBe(1);
    expect(valueOf(body, 'vigil_queue_jobs', { queue: 'short', state: 'completed' })).toBe(1);
    expect(valueOf(body, 'vigil_health_status')).toBe(1);
    expect(await checkMetrics(body)).toEqual({ code: 0, findings: [] });
  });

  it('serves the worker sidecar: /health and /metrics with the jobs it ran', async () => {
    const health = await fetch(`${sidecar}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'HEALTHY' });

    const body = await (await fetch(`${sidecar}/metrics`)).text();
    expect(valueOf(body, 'vigil_worker_up')).toBe(1);
    for (const queue of QUEUES) expect(valueOf(body, 'vigil_worker_listener_up', { listener: `bullmq:${queue}` })).toBe(1);
    // short has no scheduler, so its counts are this test's jobs alone.
    expect(valueOf(body, 'vigil_worker_jobs_processed_total', { queue: 'short' })).toBe(1);
    expect(valueOf(body, 'vigil_queue_jobs_completed_total', { queue: 'short' })).toBe(1);
    expect(valueOf(body, 'vigil_queue_jobs_failed_total', { queue: 'short' })).toBe(0);
    expect(valueOf(body, 'vigil_queue_job_duration_seconds_count', { queue: 'short' })).toBe(1);
    expect(valueOf(body, 'vigil_queue_jobs_completed_total', { queue: 'long' })).toBeGreaterThanOrEqual(1);
    // The worker's own checks and process metrics come along.
    expect(valueOf(body, 'vigil_check_up', { check: 'database' })).toBe(1);
    expect(valueOf(body, 'vigil_check_up', { check: 'redis_queue' })).toBe(1);
    expect(valueOf(body, 'vigil_info', { service: 'shop-worker' })).toBe(1);
    expect(await checkMetrics(body)).toEqual({ code: 0, findings: [] });
  });

  it('registers the job schedulers and logs every job as a JSON line', async () => {
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    try {
      const ids: string[] = [];
      for (const name of QUEUES) {
        const queue = new Queue(name, { connection: redis, prefix: PREFIX });
        ids.push(...(await queue.getJobSchedulers()).map((s) => `${name}:${s.key}:${s.pattern}`));
        await queue.close();
      }
      expect(ids.sort()).toEqual(['default:hourly-stock-recompute:0 * * * *', 'long:daily-sales-summary:5 0 * * *']);
    } finally {
      redis.disconnect();
    }

    // Scheduled runs (should the test cross the hour) are left out: they are not this test's jobs.
    const lines = await until(async () => {
      const text = existsSync(JOB_LOG) ? readFileSync(JOB_LOG, 'utf8') : '';
      const parsed = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as any);
      const own = parsed.filter((line) => !line.job.scheduled);
      return own.length >= 3 ? own : undefined;
    }, 'three job log lines');
    expect(lines.map((l) => `${l.job.queue}/${l.job.name}/${l.status}`).sort()).toEqual([
      'default/recompute-stock/completed',
      'long/sales-summary/completed',
      'short/send-invoice-email/completed',
    ]);
    expect(lines[0]).toMatchObject({ transaction_type: 'job', app: 'shop', job: { scheduled: false } });
  });

  it('stops both on SIGTERM with exit code 0', async () => {
    api.child.kill('SIGTERM');
    worker.child.kill('SIGTERM');
    expect(await api.exited).toBe(0);
    expect(await worker.exited).toBe(0);
    expect(api.output()).toMatch(/shutdown complete in \d+ ms \(exit code 0\)/);
    expect(worker.output()).toMatch(/shutdown complete in \d+ ms \(exit code 0\)/);
  });
});

describe('dist/start.js, the launcher behind `npm run shop`', () => {
  it('starts both with prefixed output, prints the URLs, keeps the data, and stops both on SIGTERM', async () => {
    const start = launch('start', ENV);
    const [, url] = await start.waitFor(/The shop is running:\n {2}API {7}(http:\/\/127\.0\.0\.1:\d+)\//);
    expect(start.output()).toMatch(/^\[api\] {4}shop-api listening on /m);
    expect(start.output()).toMatch(/^\[worker\] shop-worker consuming /m);
    expect(start.output()).toMatch(/worker {4}http:\/\/127\.0\.0\.1:\d+\/health/);
    // Second start on the same schema: migrated again (idempotent), not seeded again.
    expect(start.output()).not.toContain('example data inserted');
    const customers = await call(url!, 'GET', '/api/customers');
    expect(customers.body.data).toHaveLength(4);

    start.child.kill('SIGTERM');
    expect(await start.exited).toBe(0);
    expect(start.output()).toMatch(/^\[api\] {4}shutdown complete .*\(exit code 0\)$/m);
    expect(start.output()).toMatch(/^\[worker\] shutdown complete .*\(exit code 0\)$/m);
  });
});

describe('dist/start.js killed outright', () => {
  it('takes the API and the worker down with it: no orphan keeps the ports', async () => {
    const start = launch('start', ENV);
    const [, api] = await start.waitFor(/ {2}API {7}(http:\/\/127\.0\.0\.1:\d+)\//);
    const [, worker] = await start.waitFor(/ {2}worker {4}(http:\/\/127\.0\.0\.1:\d+)\//);
    expect((await fetch(`${api}/api/livez`)).status).toBe(200);
    start.child.kill('SIGKILL');
    expect(await start.exited).toBe('SIGKILL');
    // The children see their IPC channel close and shut down gracefully.
    for (const url of [`${api}/api/livez`, `${worker}/health`]) {
      await until(
        () => fetch(url).then(
          () => undefined,
          () => true,
        ),
        `${url} to stop answering`,
      );
    }
  });
});

describe('start-up failures: one line saying what to fix, exit code 1', () => {
  const expectFailure = async (
    script: 'api' | 'worker',
    env: Record<string, string>,
    message: RegExp,
    secret?: string,
  ) => {
    const run = launch(script, { ...ENV, ...env });
    expect(await run.exited).toBe(1);
    const lines = run.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(message);
    if (secret) expect(run.output()).not.toContain(secret);
  };

  it('names an unreachable PostgreSQL without its password', async () => {
    const port = await unusedPort();
    await expectFailure(
      'api',
      { DATABASE_URL: `postgres://postgres:hunter22@127.0.0.1:${port}/test` },
      new RegExp(`^shop-api: cannot connect to PostgreSQL at postgres://postgres:\\*\\*\\*@127\\.0\\.0\\.1:${port}/test: connection refused \\(is it running\\? set DATABASE_URL\\)$`),
      'hunter22',
    );
  });

  it('names an unreachable Redis', async () => {
    const port = await unusedPort();
    await expectFailure(
      'worker',
      { REDIS_URL: `redis://:s3cret-pw@127.0.0.1:${port}` },
      /^shop-worker: cannot connect to Redis at redis:\/\/:\*\*\*@127\.0\.0\.1:\d+: .*ECONNREFUSED.* \(is it running\? set REDIS_URL\)$/,
      's3cret-pw',
    );
  });

  it('names a port already taken, and the variable that moves it', async () => {
    const taken = await occupyPort();
    try {
      await expectFailure(
        'api',
        { SHOP_PORT: String(taken.port) },
        new RegExp(`^shop-api: port ${taken.port} on 127\\.0\\.0\\.1 is already in use: set SHOP_PORT to a free port$`),
      );
      await expectFailure(
        'worker',
        { VIGIL_WORKER_HEALTHCHECK_PORT: String(taken.port) },
        new RegExp(`^shop-worker: worker health server cannot listen on 127\\.0\\.0\\.1:${taken.port}: .*the port is in use \\(set VIGIL_WORKER_HEALTHCHECK_PORT`),
      );
    } finally {
      await taken.release();
    }
  });

  it('refuses a bad setting before connecting to anything', async () => {
    await expectFailure('api', { SHOP_SCHEMA: 'Robert"); DROP' }, /^shop-api: SHOP_SCHEMA must be lower-case letters/);
    await expectFailure('worker', { SHOP_PORT: 'eighty' }, /^shop-worker: SHOP_PORT must be a port number/);
    await expectFailure(
      'worker',
      { VIGIL_WORKER_HEALTHCHECK_PORT: 'eighty' },
      /^shop-worker: VIGIL_WORKER_HEALTHCHECK_PORT must be a port number/,
    );
  });
});
