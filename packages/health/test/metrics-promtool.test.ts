import client from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealth, customCheck, diskCheck, type Health, postgresCheck } from '../src/index.js';
import {
  checkMetrics,
  familyTypes,
  PROMETHEUS_ACCEPT,
  parseOpenMetrics,
  requirePromtool,
  scrapeOver,
  valueOf,
} from './metrics-support.js';
import { serve } from './support.js';
import { POSTGRES_URL } from '../../../test/services.js';

// The real promtool (Debian's `prometheus` package) judges the output: `check metrics` lints the text format,
// and its OpenMetrics importer parses OpenMetrics strictly.
beforeAll(requirePromtool);

const DATABASE_URL = POSTGRES_URL;
const servers: Array<{ close: () => Promise<void> }> = [];
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function serveHealth(health: Health): Promise<string> {
  const server = await serve(health);
  servers.push(server);
  return server.url;
}

/** Several kinds of checks, one of each status, a real disk and a real PostgreSQL. */
function healthWithChecks(): Health {
  return createHealth({
    service: { name: 'shop-api', version: '1.4.2' },
    checks: [
      postgresCheck({ name: 'database', connectionString: DATABASE_URL }),
      diskCheck({ path: '/' }),
      customCheck('redis_cache', () => true),
      customCheck('scheduler', () => ({ status: 'degraded', details: { last_job_age_minutes: 42 } })),
      customCheck(
        'search',
        () => {
          throw new Error('connect ECONNREFUSED 127.0.0.1:9200');
        },
        { critical: false },
      ),
    ],
    metrics: { errorKinds: ['payment_failed'] },
  });
}

/** The seed's business metrics: documents per doctype and today's sales, plus a broken one that is left out. */
function addBusinessGauges(health: Health): void {
  health.metrics.gauge({
    name: 'shop_documents',
    help: 'Documents per doctype.',
    labelNames: ['doctype'],
    collect: async () => [
      { labels: { doctype: 'sales_invoice' }, value: 1520 },
      { labels: { doctype: 'purchase_order' }, value: 310 },
      { labels: { doctype: 'customer' }, value: 97 },
      { labels: { doctype: 'item' }, value: 412 },
      // Label values are escaped, whatever they hold.
      { labels: { doctype: 'odd "quoted" \\ back\nslash' }, value: 1 },
    ],
  });
  health.metrics.gauge({
    name: 'shop_sales_today',
    help: "Today's submitted sales, in the shop's currency.",
    collect: () => 18250.75,
  });
  health.metrics.gauge({ name: 'shop_unsold_ratio', help: 'NaN for now.\nSecond line \\ of help.', collect: () => NaN });
  health.metrics.gauge({
    name: 'shop_broken',
    help: 'Throws.',
    collect: () => {
      throw new Error('boom');
    },
  });
  health.metrics.countError('payment_failed');
  health.metrics.setSchedulerEnabled(true);
}

/** Counter families of an OpenMetrics body (declared without `_total`). */
function openMetricsCounters(body: string): string[] {
  return [...familyTypes(body)].filter(([, type]) => type === 'counter').map(([name]) => name);
}

/**
 * `promtool check metrics` reads only the text format: fed OpenMetrics, it sees each counter's `foo_total`
 * sample apart from its `# HELP foo` and reports "foo_total no help text". Anything else is a real finding.
 */
function unexpectedOpenMetricsFindings(body: string, findings: string[]): string[] {
  const expected = new Set(openMetricsCounters(body).map((name) => `${name}_total no help text`));
  return findings.filter((finding) => !expected.has(finding));
}

describe('promtool check metrics', () => {
  it("finds prom-client's default metrics non-compliant as they come (the reason for the renames)", async () => {
    const registry = new client.Registry();
    client.collectDefaultMetrics({ register: registry });
    const { code, findings } = await checkMetrics(await registry.metrics());
    expect(code).not.toBe(0);
    expect(findings).toEqual(
      expect.arrayContaining([
        'nodejs_active_handles_total non-counter metrics should not have "_total" suffix',
        'nodejs_active_requests_total non-counter metrics should not have "_total" suffix',
        'nodejs_active_resources_total non-counter metrics should not have "_total" suffix',
      ]),
    );
  });

  it('has no finding in the text format of a health with several checks (real disk and PostgreSQL)', async () => {
    const health = healthWithChecks();
    const url = await serveHealth(health);
    const { res, body } = await scrapeOver(url);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    // The checks really ran and are all there.
    expect(valueOf(body, 'vigil_check_up', { check: 'database' })).toBe(1);
    expect(valueOf(body, 'vigil_check_up', { check: 'search' })).toBe(0);
    expect(valueOf(body, 'vigil_disk_total_bytes', { check: 'disk', path: '/' })).toBeGreaterThan(0);
    expect(valueOf(body, 'vigil_db_ping_seconds', { check: 'database', type: 'postgresql' })).toBeGreaterThan(0);
    // The process metrics are there, under compliant names where prom-client's were not.
    expect(familyTypes(body).get('nodejs_active_handles_all')).toBe('gauge');
    expect(familyTypes(body).get('nodejs_active_requests_all')).toBe('gauge');
    expect(familyTypes(body).get('nodejs_active_resources_all')).toBe('gauge');
    expect(familyTypes(body).has('nodejs_active_handles_total')).toBe(false);
    expect(familyTypes(body).get('process_cpu_seconds_total')).toBe('counter');
    expect(familyTypes(body).get('nodejs_eventloop_lag_p99_seconds')).toBe('gauge');

    expect(await checkMetrics(body)).toEqual({ code: 0, findings: [] });
  });

  it('has no finding in the text format with business gauges, escaping and a failed collector', async () => {
    const health = healthWithChecks();
    addBusinessGauges(health);
    const url = await serveHealth(health);
    const { body } = await scrapeOver(url);
    expect(valueOf(body, 'shop_documents', { doctype: 'sales_invoice' })).toBe(1520);
    expect(valueOf(body, 'shop_documents', { doctype: 'odd "quoted" \\ back\nslash' })).toBe(1);
    expect(valueOf(body, 'shop_sales_today')).toBe(18250.75);
    expect(valueOf(body, 'vigil_collector_errors_total', { collector: 'shop_broken' })).toBe(1);

    expect(await checkMetrics(body)).toEqual({ code: 0, findings: [] });
  });

  it('parses OpenMetrics cleanly, with no finding beyond the text linter misreading its counters', async () => {
    const health = healthWithChecks();
    addBusinessGauges(health);
    const url = await serveHealth(health);
    // Scrape in both formats, one after the other: rendering one must not change the other.
    for (const accept of [PROMETHEUS_ACCEPT, 'text/plain', 'application/openmetrics-text']) {
      const { res, body } = await scrapeOver(url, accept);
      if (accept === 'text/plain') {
        expect(await checkMetrics(body)).toEqual({ code: 0, findings: [] });
        continue;
      }
      expect(res.headers.get('content-type')).toBe('application/openmetrics-text; version=1.0.0; charset=utf-8');
      expect(openMetricsCounters(body)).toEqual(
        expect.arrayContaining(['process_cpu_seconds', 'vigil_errors', 'vigil_collector_errors']),
      );

      const parsed = await parseOpenMetrics(body);
      expect(parsed.output).toBe('');
      expect(parsed.code).toBe(0);

      const { code, findings } = await checkMetrics(body);
      expect(code === 0 || code === 3, `promtool exit code ${code}: ${findings.join('\n')}`).toBe(true);
      expect(findings.join('\n')).not.toMatch(/error while linting|parsing error/);
      expect(unexpectedOpenMetricsFindings(body, findings)).toEqual([]);
    }
  });

  it('escapes HELP per format: a " is raw in text 0.0.4 and escaped in OpenMetrics; each parses', async () => {
    const health = createHealth({ metrics: { defaultMetrics: false } });
    health.metrics.gauge({ name: 'shop_sales_today', help: 'Sales of "today", in INR \\ EUR.', collect: () => 1 });
    const text = (await health.metrics.scrape()).body;
    expect(text).toContain('# HELP shop_sales_today Sales of "today", in INR \\\\ EUR.\n');
    expect(await checkMetrics(text)).toEqual({ code: 0, findings: [] });
    const om = (await health.metrics.scrape({ accept: 'application/openmetrics-text' })).body;
    expect(om).toContain('# HELP shop_sales_today Sales of \\"today\\", in INR \\\\ EUR.\n');
    expect(await parseOpenMetrics(om)).toEqual({ code: 0, output: '' });
    // (`promtool check metrics` reads text 0.0.4 only, where `\"` in HELP is an invalid escape: it cannot judge
    // this OpenMetrics line, so the OpenMetrics checks above use help texts without double quotes.)
  });

  it("rejects what it should: the OpenMetrics parser fails an exposition cut before '# EOF'", async () => {
    const health = healthWithChecks();
    const { body } = await health.metrics.scrape({ accept: 'application/openmetrics-text' });
    const truncated = body.slice(0, body.lastIndexOf('# EOF'));
    const parsed = await parseOpenMetrics(truncated);
    expect(parsed.code).not.toBe(0);
    expect(parsed.output).toMatch(/EOF/);
  });
});
