import { BULLMQ_STATES, type BullmqRedis, METRICS } from '@vigil/core';
import { createHealth } from '@vigil/health';
import { Registry } from 'prom-client';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { checkMetrics, familyTypes, parseSamples, type Sample } from '../../health/test/metrics-support.js';
import { startPrivateRedis } from '../../core/test/support/private-redis.js';
import { queueMetrics } from '../src/index.js';
import { sharedRedisWorld, until } from './support.js';

const world = sharedRedisWorld();
const { redis, prefix } = world;
afterEach(() => world.reset());
afterAll(() => world.dispose());

const QUEUE_METRICS = METRICS.filter((m) => m.source === 'jobs').map((m) => m.name);
const ownSamples = (body: string) =>
  parseSamples(body).filter((s) => QUEUE_METRICS.some((name) => s.name === name || s.name.startsWith(`${name}_`)));
const value = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;

describe('queueMetrics on @vigil/health /metrics', () => {
  it('serves job counts, workers, the oldest wait, and the counters and histogram fed by a worker', async () => {
    const emails = world.newQueue('emails');
    const reports = world.newQueue('reports');
    const health = createHealth({ service: { name: 'shop-worker' } });
    const metrics = queueMetrics({ registry: health.metrics.registry, connection: redis, prefix, queues: [emails.name, reports.name] });

    // Before any job: every series exists, counters at 0.
    const empty = ownSamples((await health.metrics.scrape()).body);
    expect(value(empty, 'vigil_queue_jobs_completed_total', { queue: emails.name })).toBe(0);
    expect(value(empty, 'vigil_queue_jobs_failed_total', { queue: reports.name })).toBe(0);
    expect(value(empty, 'vigil_queue_job_duration_seconds_count', { queue: emails.name })).toBe(0);

    const worker = world.newWorker(emails, async (job) => {
      if (job.name === 'bad') throw new Error('SMTP refused');
      return 'ok';
    });
    const stop = metrics.instrumentWorker(worker);
    await emails.addBulk([
      { name: 'ok', data: {} },
      { name: 'ok', data: {} },
      { name: 'bad', data: {}, opts: { attempts: 2 } },
    ]);
    await until(async () => (await emails.getCompletedCount()) === 2 && (await emails.getFailedCount()) === 1);
    await reports.addBulk([1, 2, 3].map((i) => ({ name: 'monthly', data: { i } })));

    const scrape = await health.metrics.scrape();
    const samples = ownSamples(scrape.body);
    expect(value(samples, 'vigil_queue_jobs', { queue: emails.name, state: 'completed' })).toBe(2);
    expect(value(samples, 'vigil_queue_jobs', { queue: emails.name, state: 'failed' })).toBe(1);
    expect(value(samples, 'vigil_queue_jobs', { queue: reports.name, state: 'waiting' })).toBe(3);
    expect(value(samples, 'vigil_queue_workers', { queue: emails.name })).toBe(1);
    expect(value(samples, 'vigil_queue_workers', { queue: reports.name })).toBe(0);
    expect(value(samples, 'vigil_queue_oldest_waiting_seconds', { queue: emails.name })).toBe(0);
    expect(value(samples, 'vigil_queue_oldest_waiting_seconds', { queue: reports.name })).toBeGreaterThanOrEqual(0);
    expect(value(samples, 'vigil_queue_jobs_completed_total', { queue: emails.name })).toBe(2);
    // The failing job failed twice, but only once for good.
    expect(value(samples, 'vigil_queue_jobs_failed_total', { queue: emails.name })).toBe(1);
    expect(value(samples, 'vigil_queue_job_duration_seconds_count', { queue: emails.name })).toBe(4);

    // Types as the catalogue says, and the whole output passes promtool.
    const types = familyTypes(scrape.body);
    for (const metric of METRICS.filter((m) => m.source === 'jobs')) expect(types.get(metric.name), metric.name).toBe(metric.type);
    const lint = await checkMetrics(scrape.body);
    expect(lint.findings).toEqual([]);
    expect(lint.code).toBe(0);

    stop();
    await emails.add('ok', {});
    await until(async () => (await emails.getCompletedCount()) === 3);
    const after = ownSamples((await health.metrics.scrape()).body);
    expect(value(after, 'vigil_queue_jobs_completed_total', { queue: emails.name })).toBe(2);
    metrics.close();
  });

  it('keeps labels bounded: queue and state only, the same series for 10 jobs and for 1,000', async () => {
    const queue = world.newQueue();
    const registry = new Registry();
    queueMetrics({ registry, connection: redis, prefix, queues: [queue.name] });
    const series = async () => ownSamples(await registry.metrics());

    await queue.addBulk(Array.from({ length: 10 }, (_, i) => ({ name: `job-${i}`, data: { i } })));
    const few = await series();
    await queue.addBulk(Array.from({ length: 990 }, (_, i) => ({ name: `job-${i}`, data: { i } })));
    const many = await series();

    const identity = (s: Sample) => `${s.name}${JSON.stringify(s.labels)}`;
    expect(many.map(identity)).toEqual(few.map(identity));
    expect(value(many, 'vigil_queue_jobs', { queue: queue.name, state: 'waiting' })).toBe(1000);
    for (const sample of many) {
      for (const [label, labelValue] of Object.entries(sample.labels)) {
        expect(['queue', 'state', 'le'], `${sample.name} ${label}`).toContain(label);
        if (label === 'queue') expect(labelValue).toBe(queue.name);
        if (label === 'state') expect(BULLMQ_STATES).toContain(labelValue);
      }
    }
    // 7 states + workers + oldest wait + 2 counters + histogram (15 buckets + Inf + sum + count).
    expect(many).toHaveLength(7 + 1 + 1 + 2 + 18);
  });

  it('reads Redis once per scrape for the three gauges: two round trips, whatever the queues hold', async () => {
    const a = world.newQueue();
    const b = world.newQueue();
    await a.addBulk(Array.from({ length: 50 }, (_, i) => ({ name: 'x', data: { i } })));
    await b.add('y', {});
    let pipelines = 0;
    const counted: BullmqRedis = {
      pipeline(commands) {
        pipelines++;
        return redis.pipeline(commands);
      },
    };
    const registry = new Registry();
    queueMetrics({ registry, connection: counted, prefix, queues: [a.name, b.name] });
    await registry.metrics();
    expect(pipelines).toBe(2);
    await registry.metrics();
    expect(pipelines).toBe(4);
  });

  it('leaves the gauges out (and counts the error) when Redis is down, serving the rest at once', async () => {
    const server = await startPrivateRedis();
    try {
      const health = createHealth({ metrics: { collectorTimeoutMs: 500 } });
      const metrics = queueMetrics({ registry: health.metrics.registry, connection: server.url, queues: ['emails'] });
      const up = ownSamples((await health.metrics.scrape()).body);
      expect(value(up, 'vigil_queue_jobs', { queue: 'emails', state: 'waiting' })).toBe(0);

      await server.kill();
      const started = performance.now();
      const { body } = await health.metrics.scrape();
      expect(performance.now() - started).toBeLessThan(600);
      const samples = parseSamples(body);
      expect(samples.some((s) => s.name === 'vigil_queue_jobs')).toBe(false);
      expect(samples.some((s) => s.name === 'vigil_queue_workers')).toBe(false);
      expect(value(samples, 'vigil_queue_jobs_completed_total', { queue: 'emails' })).toBe(0);
      expect(value(samples, 'vigil_collector_errors_total', { collector: 'vigil_queue_jobs' })).toBe(1);
      metrics.close();
    } finally {
      await server.kill();
    }
  });

  it('refuses a second registration on the same registry and an invalid connection', () => {
    const registry = new Registry();
    queueMetrics({ registry, connection: redis, queues: ['a'] });
    expect(() => queueMetrics({ registry, connection: redis, queues: ['b'] })).toThrow(
      /a metric named vigil_queue_jobs is already registered/,
    );
    expect(() => queueMetrics({ registry: new Registry(), connection: 'http://x', queues: ['a'] })).toThrow(
      /ioredis client or a redis:\/\/ URL/,
    );
  });
});
