/**
 * The shop's background jobs, on Frappe's three queues: quick ones on `short`, everyday work on `default`,
 * reports on `long` (so a slow report never delays an e-mail).
 */
import type { JobsOptions } from 'bullmq';

export const QUEUE_NAMES = ['default', 'short', 'long'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  'send-invoice-email': { invoiceId: number };
  /** Only these items, or all when absent. */
  'recompute-stock': { itemCodes?: string[] };
  /** A given day (YYYY-MM-DD), or `daysAgo` days before the day the job runs (schedulers use 1: yesterday). */
  'sales-summary': { date?: string; daysAgo?: number };
}
export type JobName = keyof JobPayloads;

export const JOB_QUEUE: { readonly [N in JobName]: QueueName } = {
  'send-invoice-email': 'short',
  'recompute-stock': 'default',
  'sales-summary': 'long',
};

/** Per queue: how many jobs one worker runs at once. */
export const CONCURRENCY: { readonly [Q in QueueName]: number } = { short: 5, default: 2, long: 1 };

/** Retries with backoff, and bounded history (BullMQ keeps finished jobs in Redis until removed). */
export const DEFAULT_JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 1000 },
  removeOnComplete: { age: 24 * 3600, count: 1000 },
  removeOnFail: { age: 7 * 24 * 3600, count: 5000 },
};

/** Job schedulers (BullMQ upsertJobScheduler): id, queue, job and when, like Frappe's hooks.scheduler_events. */
export const SCHEDULES = [
  {
    id: 'hourly-stock-recompute',
    name: 'recompute-stock',
    data: {},
    repeat: { pattern: '0 * * * *' },
  },
  {
    id: 'daily-sales-summary',
    name: 'sales-summary',
    data: { daysAgo: 1 },
    // Shortly after midnight UTC, summarizing the day that just ended.
    repeat: { pattern: '5 0 * * *', tz: 'UTC' },
  },
] as const satisfies readonly {
  id: string;
  name: JobName;
  data: JobPayloads[JobName];
  repeat: { pattern: string; tz?: string };
}[];
