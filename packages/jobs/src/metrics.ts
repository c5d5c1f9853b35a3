import {
  BULLMQ_STATES,
  type BullmqReadResult,
  type BullmqRedis,
  metricDefinition,
  type MetricType,
  openBullmqRedis,
  readBullmqQueues,
} from '@vigil/core';
import type { Job, Worker } from 'bullmq';
import { Counter, Histogram, type Metric, type Registry } from 'prom-client';
import { positiveInteger, prefixOf, type QueuesSource, validQueues } from './connection.js';

export interface QueueMetricsOptions extends QueuesSource {
  /** Where to register: `health.metrics.registry` of @vigil/health (served at /metrics), or any prom-client one. */
  registry: Registry;
  /** A scrape's Redis read is abandoned after this long (the gauges are then left out of it). Default 1000 ms. */
  timeoutMs?: number;
  /** Buckets of `vigil_queue_job_duration_seconds`, in seconds. */
  durationBuckets?: readonly number[];
}

export interface QueueMetrics {
  /**
   * Counts the jobs this worker completes and fails (`vigil_queue_jobs_completed_total`,
   * `vigil_queue_jobs_failed_total`) and times them (`vigil_queue_job_duration_seconds`), labelled by its queue.
   * Returns a function that stops it.
   */
  instrumentWorker(worker: Worker): () => void;
  /** Closes the connection opened for a URL (a client you passed is left open). */
  close(): void;
}

/** From 50 ms to an hour: jobs are slower than requests. */
export const DEFAULT_JOB_DURATION_BUCKETS: readonly number[] = [
  0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600,
];

/** Name, help and labels from @vigil/core's METRICS catalogue, which rules and dashboards are checked against. */
function catalogMetric(name: string, type: MetricType): { name: string; help: string; labelNames: string[] } {
  const definition = metricDefinition(name);
  if (!definition || definition.source !== 'jobs' || definition.type !== type) {
    throw new Error(`${name} is not a ${type} of source "jobs" in @vigil/core's METRICS catalogue`);
  }
  return { name, help: definition.help, labelNames: [...definition.labels] };
}

interface Sample {
  labels: Record<string, string>;
  value: number;
}

/**
 * A gauge read at scrape time from the shared Redis read. It has the shape prom-client's registry reads
 * (`get()` / `reset()`) and keeps no state between scrapes, so concurrent scrapes never mix values.
 */
class QueueGauge {
  readonly type = 'gauge';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly labelNames: string[];

  constructor(
    name: string,
    private readonly read: () => Promise<BullmqReadResult>,
    private readonly samples: (read: BullmqReadResult) => Sample[],
  ) {
    ({ name: this.name, help: this.help, labelNames: this.labelNames } = catalogMetric(name, 'gauge'));
  }

  async get() {
    const values = this.samples(await this.read());
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {}
}

/**
 * Registers the queue metrics on `registry`: `vigil_queue_jobs{queue,state}`, `vigil_queue_workers{queue}` and
 * `vigil_queue_oldest_waiting_seconds{queue}`, read from Redis at scrape time (one read for the three, two round
 * trips whatever the number of queues and jobs), plus the counters and histogram that `instrumentWorker` feeds.
 * Labels are queue names and BullMQ states only. Call it once per registry.
 */
export function queueMetrics(options: QueueMetricsOptions): QueueMetrics {
  const queues = validQueues(options.queues);
  const timeoutMs = positiveInteger(options.timeoutMs, 1000, 'timeoutMs', 2 ** 31 - 1);
  const buckets = [...(options.durationBuckets ?? DEFAULT_JOB_DURATION_BUCKETS)];
  if (buckets.length === 0 || !buckets.every((b, i) => b > 0 && (i === 0 || b > buckets[i - 1]!))) {
    throw new TypeError('durationBuckets must be increasing positive numbers of seconds');
  }
  const registry = options.registry;
  const prefix = prefixOf(options);

  let client: BullmqRedis | undefined;
  let opened: Promise<BullmqRedis> | undefined;
  let closeConnection = () => {};
  let closed = false;
  const connection = options.connection;
  if (typeof connection === 'string') {
    if (!/^rediss?:\/\//.test(connection)) {
      throw new TypeError('connection must be an ioredis client or a redis:// URL');
    }
    // Opened once, here, and kept: a scrape must not pay for a connection.
    opened = openBullmqRedis(connection, {
      persistent: true,
      ...(options.password !== undefined ? { password: options.password } : {}),
    }).then(async (c) => {
      closeConnection = c.close;
      if (closed) c.close();
      // A first failure is reported by the scrape; ioredis keeps reconnecting in the background.
      await c.ready.catch(() => {});
      return c.client;
    });
    opened.catch(() => {});
  } else if (typeof connection?.pipeline === 'function') {
    client = connection;
  } else {
    throw new TypeError('connection must be an ioredis client or a redis:// URL');
  }

  // The three gauges of a scrape are collected together: they share one in-flight read.
  let inFlight: Promise<BullmqReadResult> | undefined;
  const read = () =>
    (inFlight ??= (async () => {
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          (async () => {
            const redis = client ?? (await opened!);
            return readBullmqQueues(redis, { prefix, queues, activeSample: 0, schedulers: false });
          })(),
          new Promise<never>((_, reject) => {
            const error = new Error(`reading the queues timed out after ${timeoutMs} ms`);
            timer = setTimeout(() => reject(error), timeoutMs);
            timer.unref?.();
          }),
        ]);
      } finally {
        clearTimeout(timer);
        inFlight = undefined;
      }
    })());

  const gauges = [
    new QueueGauge('vigil_queue_jobs', read, (r) =>
      r.queues.flatMap((q) =>
        BULLMQ_STATES.map((state) => ({ labels: { queue: q.name, state }, value: q.counts[state] })),
      ),
    ),
    new QueueGauge('vigil_queue_workers', read, (r) =>
      r.queues.flatMap((q) => (q.workers === null ? [] : [{ labels: { queue: q.name }, value: q.workers.length }])),
    ),
    new QueueGauge('vigil_queue_oldest_waiting_seconds', read, (r) =>
      r.queues.map((q) => ({ labels: { queue: q.name }, value: q.oldestWaitingSeconds })),
    ),
  ];
  for (const gauge of gauges) {
    if (registry.getSingleMetric(gauge.name)) throw new TypeError(`a metric named ${gauge.name} is already registered`);
  }
  // Same shape as prom-client's metrics (name, help, type, get, reset); its typings only name its classes.
  for (const gauge of gauges) registry.registerMetric(gauge as unknown as Metric);

  const counter = (name: string) => new Counter({ ...catalogMetric(name, 'counter'), registers: [registry] });
  const completed = counter('vigil_queue_jobs_completed_total');
  const failed = counter('vigil_queue_jobs_failed_total');
  const duration = new Histogram({
    ...catalogMetric('vigil_queue_job_duration_seconds', 'histogram'),
    buckets,
    registers: [registry],
  });
  // Present from the start, so rate() and increase() see the first job.
  for (const queue of queues) {
    completed.inc({ queue }, 0);
    failed.inc({ queue }, 0);
    duration.zero({ queue });
  }

  const runSeconds = (job: Job) =>
    job.processedOn ? Math.max(0, ((job.finishedOn ?? Date.now()) - job.processedOn) / 1000) : undefined;

  return {
    instrumentWorker(worker) {
      const queue = worker.name;
      const onCompleted = (job: Job) => {
        completed.inc({ queue });
        const seconds = runSeconds(job);
        if (seconds !== undefined) duration.observe({ queue }, seconds);
      };
      const onFailed = (job: Job | undefined) => {
        if (!job) return;
        // Only a job that failed for good is a failed job; an attempt to be retried is timed but not counted.
        if (job.finishedOn) failed.inc({ queue });
        const seconds = runSeconds(job);
        if (seconds !== undefined) duration.observe({ queue }, seconds);
      };
      completed.inc({ queue }, 0);
      failed.inc({ queue }, 0);
      worker.on('completed', onCompleted);
      worker.on('failed', onFailed);
      return () => {
        worker.off('completed', onCompleted);
        worker.off('failed', onFailed);
      };
    },
    close() {
      closed = true;
      closeConnection();
    },
  };
}
