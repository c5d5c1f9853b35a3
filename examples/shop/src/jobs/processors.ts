/** What the worker runs for each job, by queue and job name. */
import { type Job, type Processor, UnrecoverableError } from 'bullmq';
import type pg from 'pg';
import type { ItemCache } from '../cache/item-cache.js';
import { sendInvoiceEmail } from '../shop/emails.js';
import { databaseDate, generateSalesSummary } from '../shop/reports.js';
import { recomputeStock } from '../shop/stock.js';
import { JOB_QUEUE, type JobName, type JobPayloads, type QueueName } from './definitions.js';

export interface ProcessorDeps {
  pool: pg.Pool;
  cache: ItemCache;
}

type Handlers = { [N in JobName]: (data: JobPayloads[N], job: Job, deps: ProcessorDeps) => Promise<unknown> };

const handlers: Handlers = {
  async 'send-invoice-email'(data, _job, { pool }) {
    if (!Number.isInteger(data.invoiceId)) throw new UnrecoverableError('send-invoice-email needs an integer invoiceId');
    const outcome = await sendInvoiceEmail(pool, data.invoiceId);
    // Retrying cannot make a deleted invoice appear.
    if (outcome.status === 'missing') throw new UnrecoverableError(`sales invoice ${data.invoiceId} does not exist`);
    return outcome;
  },

  async 'recompute-stock'(data, _job, { pool, cache }) {
    const levels = await recomputeStock(pool, data.itemCodes);
    await cache.invalidate(levels.map((level) => level.code));
    return { items: levels.length };
  },

  async 'sales-summary'(data, job, { pool }) {
    const date = data.date ?? (await databaseDate(pool, data.daysAgo ?? 0));
    await job.updateProgress(10);
    const report = await generateSalesSummary(pool, date);
    await job.updateProgress(100);
    return { report_id: report.id, date, invoices: report.data.invoices, grand_total: report.data.grand_total };
  },
};

function isJobName(name: string): name is JobName {
  return Object.hasOwn(handlers, name);
}

/** The processor of one queue: dispatches on the job's name, refusing jobs that belong to another queue. */
export function processorFor(queue: QueueName, deps: ProcessorDeps): Processor {
  return async (job: Job) => {
    const name = job.name;
    if (!isJobName(name) || JOB_QUEUE[name] !== queue) {
      throw new UnrecoverableError(`no processor for job "${name}" on queue ${queue}`);
    }
    // The payload was written by createQueues' callers in this package; its shape is JobPayloads[name].
    const run = handlers[name] as (data: unknown, job: Job, deps: ProcessorDeps) => Promise<unknown>;
    return run(job.data ?? {}, job, deps);
  };
}
