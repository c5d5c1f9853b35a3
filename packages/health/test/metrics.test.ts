import fs from 'node:fs';
import { createRequire } from 'node:module';
import type * as PerfHooks from 'node:perf_hooks';
import type { IntervalHistogram } from 'node:perf_hooks';
import client, { Gauge } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import {
  type CheckOptions,
  createHealth,
  customCheck,
  diskCheck,
  type Health,
  type HealthOptions,
  postgresCheck,
  type Status,
} from '../src/index.js';
import { canonicalNumber, negotiateMetricsFormat } from '../src/metrics/format.js';
import { familyTypes, PROMETHEUS_ACCEPT, parseSamples, scrapeOver, valueOf } from './metrics-support.js';
import { serve } from './support.js';
import { POSTGRES_URL } from '../../../test/services.js';

const TEXT = 'text/plain; version=0.0.4; charset=utf-8';
const OPENMETRICS = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
const DATABASE_URL = POSTGRES_URL;

const servers: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(options: HealthOptions = {}): Promise<{ url: string; health: Health }> {
  const health = createHealth(options);
  const server = await serve(health);
  servers.push(server);
  return { url: server.url, health };
}

/** A custom check that counts its runs and returns whatever status `state.status` holds. */
function countingCheck(name: string, options: CheckOptions = {}) {
  const state = { runs: 0, status: 'healthy' as Status };
  const check = customCheck(
    name,
    () => {
      state.runs += 1;
      if (state.status === 'unhealthy') throw new Error('password=hunter2 refused');
      return { status: state.status };
    },
    options,
  );
  return { check, state };
}

describe('GET /metrics: formats', () => {
  it('answers text 0.0.4 by default and OpenMetrics 1.0 when Accept asks for it', async () => {
    const { url } = await start({ checks: [customCheck('db', () => true)] });

    const text = await scrapeOver(url);
    expect(text.res.status).toBe(200);
    expect(text.res.headers.get('content-type')).toBe(TEXT);
    expect(text.res.headers.get('cache-control')).toBe('no-store');
    expect(text.res.headers.get('vary')).toContain('Accept');
    expect(text.body).toContain('# TYPE vigil_errors_total counter\n');
    expect(text.body).not.toContain('# EOF');
    expect(valueOf(text.body, 'vigil_check_up', { check: 'db' })).toBe(1);

    const om = await scrapeOver(url, 'application/openmetrics-text');
    expect(om.res.headers.get('content-type')).toBe(OPENMETRICS);
    expect(om.body.endsWith('\n# EOF\n')).toBe(true);
    // Counter families lose `_total`, their samples keep it; `le` values are canonical; units are declared.
    expect(om.body).toContain('# TYPE vigil_errors counter\n');
    expect(om.body).toContain(
      '# TYPE vigil_check_duration_seconds histogram\n# UNIT vigil_check_duration_seconds seconds\n',
    );
    expect(om.body).toMatch(/^process_cpu_seconds_total \S+$/m);
    expect(om.body).toContain('vigil_check_duration_seconds_bucket{le="1.0",check="db"} 1\n');
    expect(om.body).toContain('vigil_check_duration_seconds_bucket{le="+Inf",check="db"} 1\n');

    // What Prometheus sends, and the variants a client may send.
    for (const [accept, type] of [
      [PROMETHEUS_ACCEPT, OPENMETRICS],
      ['text/plain', TEXT],
      ['*/*', TEXT],
      ['application/openmetrics-text;q=0.2, text/plain', TEXT],
      ['text/plain;q=0.5, application/openmetrics-text;version=1.0.0', OPENMETRICS],
      ['application/openmetrics-text;q=0', TEXT],
    ] as const) {
      const res = await fetch(`${url}/metrics`, { headers: { accept } });
      expect(res.headers.get('content-type'), accept).toBe(type);
      await res.arrayBuffer();
    }
  });

  it('answers HEAD with the headers and no body, and refuses other methods', async () => {
    const { url } = await start();
    const head = await fetch(`${url}/metrics`, { method: 'HEAD' });
    expect([head.status, head.headers.get('content-type'), await head.text()]).toEqual([200, TEXT, '']);
    const post = await fetch(`${url}/metrics`, { method: 'POST' });
    expect(post.status).toBe(405);
  });

  it('renders canonical OpenMetrics numbers and negotiates like Prometheus expects', () => {
    expect([0, 0.001, 0.005, 0.1, 1, 2.5, 10, 100000, 1e6, 1e-5, 1e-10, 30].map(canonicalNumber)).toEqual([
      '0.0',
      '0.001',
      '0.005',
      '0.1',
      '1.0',
      '2.5',
      '10.0',
      '100000.0',
      '1e+06',
      '1e-05',
      '1e-10',
      '30.0',
    ]);
    expect(negotiateMetricsFormat(undefined)).toBe('text');
    expect(negotiateMetricsFormat('application/openmetrics-text; version=1.0.0')).toBe('openmetrics');
  });

  it('serves a configured path, and nothing when turned off', async () => {
    const custom = await start({ paths: { metrics: '/ops/prometheus' } });
    expect(custom.health.paths.metrics).toBe('/ops/prometheus');
    expect((await fetch(`${custom.url}/ops/prometheus`)).status).toBe(200);
    expect((await fetch(`${custom.url}/metrics`)).status).toBe(404);

    const off = await start({ paths: { metrics: false } });
    expect(off.health.paths.metrics).toBe(false);
    expect((await fetch(`${off.url}/metrics`)).status).toBe(404);
    // The API keeps working for apps that serve the metrics elsewhere.
    off.health.metrics.countError('x');
    expect((await off.health.metrics.scrape()).body).toContain('vigil_errors_total{kind="x"} 1');
  });
});

describe('GET /metrics: checks', () => {
  it('reads the check cache: fresh observations are reused, stale or never-run checks are run once', async () => {
    let clock = 1_000_000;
    const a = countingCheck('a', { cacheTtlMs: 0 });
    const b = countingCheck('b', { cacheTtlMs: 0 });
    const { url, health } = await start({
      checks: [a.check],
      now: () => clock,
      metrics: { maxCheckAgeMs: 30_000 },
    });

    await scrapeOver(url); // never ran: the scrape runs it
    expect(a.state.runs).toBe(1);
    for (let i = 0; i < 4; i++) await scrapeOver(url);
    expect(a.state.runs).toBe(1);

    // /health keeps running it (its TTL is 0); scrapes reuse what /health found.
    await (await fetch(`${url}/health`)).arrayBuffer();
    expect(a.state.runs).toBe(2);
    clock += 29_000;
    await scrapeOver(url);
    expect(a.state.runs).toBe(2);

    // Older than maxCheckAgeMs: run again, once, however many scrapes arrive together. (An observation's age counts
    // from its end, and its duration is real time: a margin of seconds, so a busy machine cannot make it look fresh.)
    clock += 5_000;
    await Promise.all([scrapeOver(url), scrapeOver(url), scrapeOver(url)]);
    expect(a.state.runs).toBe(3);

    // A check added later has never run: the next scrape runs it.
    health.addCheck(b.check);
    const { body } = await scrapeOver(url);
    expect([a.state.runs, b.state.runs]).toEqual([3, 1]);
    expect(valueOf(body, 'vigil_check_up', { check: 'b' })).toBe(1);
    expect(valueOf(body, 'vigil_check_duration_seconds_count', { check: 'a' })).toBe(3);
  });

  it('flips the vigil_check_status stateset, vigil_check_up and vigil_health_status as a check fails', async () => {
    const db = countingCheck('db', { cacheTtlMs: 0 });
    const cache = countingCheck('cache', { cacheTtlMs: 0, critical: false });
    const { url } = await start({ checks: [db.check, cache.check], metrics: { maxCheckAgeMs: 0 } });
    const statusOf = (body: string, check: string) =>
      Object.fromEntries(
        parseSamples(body)
          .filter((s) => s.name === 'vigil_check_status' && s.labels.check === check)
          .map((s) => [s.labels.status, s.value]),
      );

    let { body } = await scrapeOver(url);
    expect(statusOf(body, 'db')).toEqual({ healthy: 1, degraded: 0, unhealthy: 0 });
    expect(valueOf(body, 'vigil_health_status')).toBe(1);

    db.state.status = 'unhealthy';
    ({ body } = await scrapeOver(url));
    expect(statusOf(body, 'db')).toEqual({ healthy: 0, degraded: 0, unhealthy: 1 });
    expect(valueOf(body, 'vigil_check_up', { check: 'db' })).toBe(0);
    expect(valueOf(body, 'vigil_health_status')).toBe(0);
    // No error text (nor the secret in it) ever reaches a label or the body.
    expect(body).not.toContain('hunter2');
    expect(body).not.toContain('refused');

    db.state.status = 'degraded';
    ({ body } = await scrapeOver(url));
    expect(statusOf(body, 'db')).toEqual({ healthy: 0, degraded: 1, unhealthy: 0 });
    expect(valueOf(body, 'vigil_check_up', { check: 'db' })).toBe(1);
    expect(valueOf(body, 'vigil_health_status')).toBe(0.5);

    // A non-critical failure makes the whole at most degraded, as in /health.
    db.state.status = 'healthy';
    cache.state.status = 'unhealthy';
    ({ body } = await scrapeOver(url));
    expect(valueOf(body, 'vigil_check_up', { check: 'cache' })).toBe(0);
    expect(valueOf(body, 'vigil_health_status')).toBe(0.5);
  });

  it('reports 0 for vigil_health_status once shutdown begins', async () => {
    const { url, health } = await start({ checks: [customCheck('db', () => true)] });
    health.beginShutdown();
    expect(valueOf((await scrapeOver(url)).body, 'vigil_health_status')).toBe(0);
  });

  it('exports disk bytes from a real diskCheck and the ping of a real postgresCheck', async () => {
    const { url } = await start({
      checks: [
        diskCheck({ path: '/' }),
        postgresCheck({ name: 'database', connectionString: DATABASE_URL }),
        postgresCheck({ name: 'down_db', connectionString: 'postgres://postgres@127.0.0.1:1/test', critical: false }),
      ],
    });
    const { body } = await scrapeOver(url);
    const stats = fs.statfsSync('/');
    expect(valueOf(body, 'vigil_disk_total_bytes', { check: 'disk', path: '/' })).toBe(stats.blocks * stats.bsize);
    const free = valueOf(body, 'vigil_disk_free_bytes', { check: 'disk', path: '/' })!;
    // Other processes write meanwhile: within 1 GiB of what statfs says now.
    expect(Math.abs(free - stats.bavail * stats.bsize)).toBeLessThan(1024 ** 3);

    const ping = valueOf(body, 'vigil_db_ping_seconds', { check: 'database', type: 'postgresql' })!;
    expect(ping).toBeGreaterThan(0);
    expect(ping).toBeLessThan(2);
    // A failed ping has no latency: no series, and the check is down.
    expect(valueOf(body, 'vigil_db_ping_seconds', { check: 'down_db' })).toBeUndefined();
    expect(valueOf(body, 'vigil_check_up', { check: 'down_db' })).toBe(0);
  });
});

describe('GET /metrics: app metrics', () => {
  it('exports vigil_info with the package version and the service', async () => {
    const { version } = JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    const { url } = await start({ service: { name: 'shop-api', version: '1.4.2' } });
    const { body } = await scrapeOver(url);
    expect(valueOf(body, 'vigil_info', { version, service: 'shop-api', service_version: '1.4.2' })).toBe(1);
  });

  it('counts errors by kind, pre-declares kinds, rejects free text and caps the number of kinds', async () => {
    const { url, health } = await start({ metrics: { errorKinds: ['payment_failed'], maxErrorKinds: 3 } });
    expect(valueOf((await scrapeOver(url)).body, 'vigil_errors_total', { kind: 'payment_failed' })).toBe(0);

    health.metrics.countError('payment_failed');
    health.metrics.countError('payment_failed');
    health.metrics.countError('email_bounced', 3);
    let { body } = await scrapeOver(url);
    expect(valueOf(body, 'vigil_errors_total', { kind: 'payment_failed' })).toBe(2);
    expect(valueOf(body, 'vigil_errors_total', { kind: 'email_bounced' })).toBe(3);

    expect(() => health.metrics.countError('Error: connect ECONNREFUSED 10.0.0.1')).toThrow(/short identifier/);
    expect(() => health.metrics.countError('payment_failed', -1)).toThrow(/count/);

    health.metrics.countError('third');
    health.metrics.countError('order_4711'); // a fourth distinct kind: counted, but as "other"
    ({ body } = await scrapeOver(url));
    expect(valueOf(body, 'vigil_errors_total', { kind: 'third' })).toBe(1);
    expect(valueOf(body, 'vigil_errors_total', { kind: 'order_4711' })).toBeUndefined();
    expect(valueOf(body, 'vigil_errors_total', { kind: 'other' })).toBe(1);
  });

  it('exports vigil_scheduler_enabled only once the app reports it', async () => {
    const { url, health } = await start();
    expect((await scrapeOver(url)).body).not.toContain('vigil_scheduler_enabled');
    health.metrics.setSchedulerEnabled(true);
    expect(valueOf((await scrapeOver(url)).body, 'vigil_scheduler_enabled')).toBe(1);
    health.metrics.setSchedulerEnabled(false);
    expect(valueOf((await scrapeOver(url)).body, 'vigil_scheduler_enabled')).toBe(0);
  });

  it('reads vigil_scheduler_enabled from a callback at each scrape; a throwing callback is counted', async () => {
    let enabled: boolean | Error = true;
    const { url } = await start({
      metrics: {
        schedulerEnabled: async () => {
          if (enabled instanceof Error) throw enabled;
          return enabled;
        },
      },
    });
    let { body } = await scrapeOver(url);
    expect(valueOf(body, 'vigil_scheduler_enabled')).toBe(1);
    expect(valueOf(body, 'vigil_collector_errors_total', { collector: 'vigil_scheduler_enabled' })).toBe(0);
    enabled = false;
    expect(valueOf((await scrapeOver(url)).body, 'vigil_scheduler_enabled')).toBe(0);
    enabled = new Error('settings table missing');
    ({ body } = await scrapeOver(url));
    expect(body).not.toContain('# TYPE vigil_scheduler_enabled');
    expect(valueOf(body, 'vigil_collector_errors_total', { collector: 'vigil_scheduler_enabled' })).toBe(1);
  });

  it('keeps two Health instances apart: own registry, own series, same metric names allowed', async () => {
    const one = await start({ service: { name: 'api' }, checks: [customCheck('alpha', () => true)] });
    const two = await start({ service: { name: 'worker' }, checks: [customCheck('beta', () => true)] });
    expect(one.health.metrics.registry).not.toBe(two.health.metrics.registry);
    one.health.metrics.countError('only_one');
    for (const { health } of [one, two]) {
      const value = health === one.health ? 1 : 2;
      health.metrics.gauge({ name: 'shop_open_carts', help: 'Open carts.', collect: () => value });
    }
    const [a, b] = [(await scrapeOver(one.url)).body, (await scrapeOver(two.url)).body];
    expect(valueOf(a, 'vigil_check_up', { check: 'alpha' })).toBe(1);
    expect(valueOf(a, 'vigil_check_up', { check: 'beta' })).toBeUndefined();
    expect(valueOf(b, 'vigil_check_up', { check: 'beta' })).toBe(1);
    expect(valueOf(b, 'vigil_check_up', { check: 'alpha' })).toBeUndefined();
    expect(valueOf(a, 'vigil_errors_total', { kind: 'only_one' })).toBe(1);
    expect(valueOf(b, 'vigil_errors_total', { kind: 'only_one' })).toBeUndefined();
    expect([valueOf(a, 'shop_open_carts'), valueOf(b, 'shop_open_carts')]).toEqual([1, 2]);
    expect(valueOf(b, 'vigil_info', { service: 'worker' })).toBe(1);
    expect(parseSamples(b).filter((s) => s.name === 'vigil_info')).toHaveLength(1);
    // Both have the process metrics, and prom-client's global registry got none of it.
    expect(familyTypes(a).get('process_cpu_seconds_total')).toBe('counter');
    expect(familyTypes(b).get('process_cpu_seconds_total')).toBe('counter');
    expect(await client.register.metrics()).not.toMatch(/vigil_|shop_open_carts/);
  });

  it('leaves the process metrics out with defaultMetrics: false', async () => {
    const { url } = await start({ metrics: { defaultMetrics: false } });
    const { body } = await scrapeOver(url);
    expect(body).not.toMatch(/^# TYPE (process|nodejs)_/m);
    expect(body).toContain('# TYPE vigil_health_status gauge');
  });

  it('samples the event-loop lag as often as eventLoopResolutionMs says: each sample wakes the process', async () => {
    // prom-client reads perf_hooks.monitorEventLoopDelay when the metrics are registered: keep what it creates.
    const perfHooks = createRequire(import.meta.url)('node:perf_hooks') as typeof PerfHooks;
    const original = perfHooks.monitorEventLoopDelay;
    const histograms: IntervalHistogram[] = [];
    perfHooks.monitorEventLoopDelay = (options) => {
      const histogram = original(options);
      histograms.push(histogram);
      return histogram;
    };
    try {
      createHealth();
      createHealth({ metrics: { eventLoopResolutionMs: 100 } });
    } finally {
      perfHooks.monitorEventLoopDelay = original;
    }
    expect(histograms).toHaveLength(2);
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const seconds = (performance.now() - started) / 1000;
    const [fine, coarse] = histograms.map((histogram) => histogram.count / seconds);
    // About 100 and 10 samples a second (fewer when the machine is busy: a late timer fires once).
    expect(coarse).toBeGreaterThanOrEqual(3);
    expect(coarse).toBeLessThanOrEqual(12);
    expect(fine).toBeGreaterThan(3 * coarse!);
    for (const histogram of histograms) histogram.disable();
    expect(() => createHealth({ metrics: { eventLoopResolutionMs: 0 } })).toThrow(/eventLoopResolutionMs must be a whole number/);
    expect(() => createHealth({ metrics: { eventLoopResolutionMs: 2.5 } })).toThrow(/eventLoopResolutionMs/);
  });
});

describe('GET /metrics: business gauges and collectors', () => {
  it('collects gauges at scrape time, with and without labels', async () => {
    let sales = 1250.5;
    const { url, health } = await start();
    health.metrics.gauge({
      name: 'shop_documents',
      help: 'Documents per doctype.',
      labelNames: ['doctype'],
      collect: async () => [
        { labels: { doctype: 'sales_invoice' }, value: 42 },
        { labels: { doctype: 'customer' }, value: 7 },
      ],
    });
    health.metrics.gauge({ name: 'shop_sales_today', help: "Today's sales amount.", collect: () => sales });
    let { body } = await scrapeOver(url);
    expect(valueOf(body, 'shop_documents', { doctype: 'sales_invoice' })).toBe(42);
    expect(valueOf(body, 'shop_documents', { doctype: 'customer' })).toBe(7);
    expect(valueOf(body, 'shop_sales_today')).toBe(1250.5);
    expect(valueOf(body, 'vigil_collector_errors_total', { collector: 'shop_documents' })).toBe(0);
    sales = 1300;
    ({ body } = await scrapeOver(url));
    expect(valueOf(body, 'shop_sales_today')).toBe(1300);
  });

  it('cuts a hanging collector off at its timeout: the scrape answers in time, without it, and counts it', async () => {
    const signals: AbortSignal[] = [];
    const { url, health } = await start({ metrics: { collectorTimeoutMs: 5_000 } });
    health.metrics.gauge({ name: 'shop_fast', help: 'Answers at once.', collect: () => 1 });
    health.metrics.gauge({
      name: 'shop_hanging',
      help: 'Never answers.',
      timeoutMs: 200,
      collect: ({ signal }) => {
        signals.push(signal);
        return new Promise<number>(() => {});
      },
    });

    const started = performance.now();
    const { res, body } = await scrapeOver(url);
    const elapsed = performance.now() - started;
    expect(res.status).toBe(200);
    expect(elapsed).toBeGreaterThanOrEqual(150);
    expect(elapsed).toBeLessThan(3_000); // the timeout is 200 ms; the scrape-wide default would be 5 s
    expect(body).not.toContain('shop_hanging{');
    expect(body).not.toContain('# TYPE shop_hanging');
    expect(valueOf(body, 'shop_fast')).toBe(1);
    expect(valueOf(body, 'vigil_collector_errors_total', { collector: 'shop_hanging' })).toBe(1);
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(true);

    // The abandoned call is not reused: the next scrape calls again, and counts again.
    const next = await scrapeOver(url);
    expect(signals).toHaveLength(2);
    expect(valueOf(next.body, 'vigil_collector_errors_total', { collector: 'shop_hanging' })).toBe(2);
  });

  it('cuts off a hanging prom-client metric registered on the registry at collectorTimeoutMs', async () => {
    const { url, health } = await start({ metrics: { collectorTimeoutMs: 200 } });
    new Gauge({
      name: 'shop_queue_depth',
      help: 'Jobs waiting.',
      registers: [health.metrics.registry],
      collect: () => new Promise<void>(() => {}),
    });
    const started = performance.now();
    const { res, body } = await scrapeOver(url);
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeLessThan(3_000);
    expect(body).not.toMatch(/^(# (HELP|TYPE) )?shop_queue_depth/m);
    expect(valueOf(body, 'vigil_collector_errors_total', { collector: 'shop_queue_depth' })).toBe(1);
    expect(valueOf(body, 'vigil_health_status')).toBe(1);
  });

  it('leaves out a throwing or invalid collector, counts each and tells onCollectorError', async () => {
    const told: string[] = [];
    const { url, health } = await start({
      metrics: { onCollectorError: (collector, error) => told.push(`${collector}: ${error.message}`) },
    });
    health.metrics.gauge({
      name: 'shop_broken',
      help: 'Throws.',
      collect: () => {
        throw new Error('relation "tabSales Invoice" does not exist');
      },
    });
    health.metrics.gauge({
      name: 'shop_mislabelled',
      help: 'Returns a label it did not declare.',
      labelNames: ['doctype'],
      collect: () => [{ labels: { doctype: 'item', customer_id: '4711' } as { doctype: string }, value: 1 }],
    });
    health.metrics.gauge({ name: 'shop_fine', help: 'Works.', collect: () => 3 });

    const { res, body } = await scrapeOver(url);
    expect(res.status).toBe(200);
    expect(body).not.toMatch(/^(# (HELP|TYPE) )?shop_broken/m);
    expect(body).not.toMatch(/^(# (HELP|TYPE) )?shop_mislabelled/m);
    expect(body).not.toContain('does not exist'); // error texts stay out of the metrics
    expect(valueOf(body, 'shop_fine')).toBe(3);
    expect(valueOf(body, 'vigil_collector_errors_total', { collector: 'shop_broken' })).toBe(1);
    expect(valueOf(body, 'vigil_collector_errors_total', { collector: 'shop_mislabelled' })).toBe(1);
    expect(told).toEqual([
      'shop_broken: relation "tabSales Invoice" does not exist',
      'shop_mislabelled: collector shop_mislabelled returned an invalid result: ' +
        'item 0 has an undeclared label "customer_id"',
    ]);
  });

  it('shares one in-flight call between concurrent scrapes, and reuses results for cacheTtlMs', async () => {
    let calls = 0;
    const { health } = await start();
    health.metrics.gauge({
      name: 'shop_slow',
      help: 'Slow query.',
      collect: async () => {
        calls += 1;
        await new Promise((resolve) => setTimeout(resolve, 300));
        return calls;
      },
    });
    const [x, y] = await Promise.all([health.metrics.scrape(), health.metrics.scrape()]);
    expect(calls).toBe(1);
    expect([valueOf(x.body, 'shop_slow'), valueOf(y.body, 'shop_slow')]).toEqual([1, 1]);

    let cachedCalls = 0;
    health.metrics.gauge({ name: 'shop_cached', help: 'Cached.', cacheTtlMs: 60_000, collect: () => ++cachedCalls });
    await health.metrics.scrape();
    await health.metrics.scrape();
    expect(cachedCalls).toBe(1);
  });

  it('rejects gauge names and labels that break Prometheus conventions, with a hint', () => {
    const health = createHealth();
    const gauge = (name: string, labelNames: string[] = []) =>
      health.metrics.gauge({ name, help: 'x', labelNames, collect: () => [] });
    expect(() => gauge('shop_documents_total')).toThrow(/must not end in "_total".*"shop_documents"/);
    expect(() => gauge('shop_orders_count')).toThrow(/_count/);
    expect(() => gauge('shopDocuments')).toThrow(/snake_case/);
    expect(() => gauge('shop:documents')).toThrow(/snake_case/);
    expect(() => gauge('shop_latency_ms')).toThrow(/abbreviated/);
    expect(() => gauge('shop_latency_milliseconds')).toThrow(/base unit "seconds"/);
    expect(() => gauge('shop_age_minutes')).toThrow(/base unit "seconds"/);
    expect(() => gauge('shop_documents_gauge')).toThrow(/type/);
    expect(() => gauge('vigil_documents')).toThrow(/reserved/);
    expect(() => gauge('process_thing')).toThrow(/reserved/);
    expect(() => gauge('shop_documents', ['docType'])).toThrow(/snake_case/);
    expect(() => gauge('shop_documents', ['le'])).toThrow(/reserved/);
    expect(() => gauge('shop_documents', ['a', 'a'])).toThrow(/repeat/);
    expect(() => health.metrics.gauge({ name: 'shop_documents', help: ' ', collect: () => 1 })).toThrow(/help/);
    gauge('shop_documents', ['doctype']);
    expect(() => gauge('shop_documents')).toThrow(/already registered/);
    expect(() =>
      createHealth({ metrics: { collectorTimeoutMs: Infinity } }),
    ).toThrow(/collectorTimeoutMs/);
  });
});

describe('GET /metrics: who may scrape', () => {
  it('is served to anonymous callers by default', async () => {
    const { url } = await start({ token: 'scrape-token' });
    expect((await scrapeOver(url)).res.status).toBe(200);
  });

  it('requires the token (or authorize) with requireAuthorization', async () => {
    const { url } = await start({ token: 'scrape-token', metrics: { requireAuthorization: true } });
    const anonymous = await fetch(`${url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(await anonymous.text()).not.toContain('vigil_');
    const authorized = await fetch(`${url}/metrics`, { headers: { authorization: 'Bearer scrape-token' } });
    expect(authorized.status).toBe(200);
    expect(await authorized.text()).toContain('vigil_health_status');

    const byCallback = await start({
      authorize: (request) => request.headers['x-internal'] === '1',
      metrics: { requireAuthorization: true },
    });
    expect((await fetch(`${byCallback.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${byCallback.url}/metrics`, { headers: { 'x-internal': '1' } })).status).toBe(200);

    expect(() => createHealth({ metrics: { requireAuthorization: true } })).toThrow(/token.*authorize/);
  });
});
