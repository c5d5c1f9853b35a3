import { randomUUID } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { sanitizeMessage } from '@vigil/core';
import type { Job, Worker } from 'bullmq';
import { truncate } from './jobs.js';

export interface JobLogOptions {
  /** The log file; lines are appended (O_APPEND), so several processes may share it. */
  file: string;
  /** Written on every line (`app`), to tell apps apart in a shared log. */
  app: string;
  /** Told about write failures (the job is never affected). Default: a process warning. */
  onError?: (error: Error) => void;
  /** Injected clock (epoch ms). */
  now?: () => number;
}

/** One line of the log (a JSON object per line, like Frappe's monitor.json.log). */
export interface JobLogLine {
  timestamp: string;
  transaction_type: 'job';
  uuid: string;
  app: string;
  /** `retrying`: this attempt failed and BullMQ will run the job again; `failed`: it failed for good. */
  status: 'completed' | 'failed' | 'retrying';
  /** Run time of this attempt. */
  duration_ms: number | null;
  job: {
    id: string | null;
    name: string;
    queue: string;
    /** Created by a job scheduler (or a legacy repeatable job). */
    scheduled: boolean;
    scheduler: string | null;
    /** Time queued before this attempt started, from when the job was due (added + its delay). */
    wait_ms: number | null;
    /** Attempts made so far, this one included. */
    attempt: number;
    worker: string | null;
  };
  /** The error message (first line, secrets redacted), for failed and retrying attempts. */
  error?: string;
}

export interface JobLog {
  /** Resolves once the lines of the jobs finished so far are written. */
  flush(): Promise<void>;
  /** Stops listening, writes what is pending and closes the file. */
  close(): Promise<void>;
}

/**
 * Opt-in: appends one JSON line to `file` for every attempt of a job that ends on this worker (completed, failed,
 * or failed and to be retried) with its run time and wait. Writes are serialized in this process and each line is
 * a single append, so lines never interleave.
 */
export function attachJobLog(worker: Worker, options: JobLogOptions): JobLog {
  if (typeof options.file !== 'string' || options.file === '') throw new TypeError('attachJobLog: file is required');
  if (typeof options.app !== 'string' || options.app === '') throw new TypeError('attachJobLog: app is required');
  const now = options.now ?? Date.now;
  const onError =
    options.onError ?? ((error: Error) => process.emitWarning(`job log ${options.file}: ${error.message}`));
  let handle: Promise<FileHandle> | undefined;
  let chain: Promise<void> = Promise.resolve();

  const append = (line: JobLogLine) => {
    const text = `${JSON.stringify(line)}\n`;
    chain = chain.then(async () => {
      try {
        handle ??= open(options.file, 'a');
        await (await handle).write(text);
      } catch (error) {
        handle = undefined; // try to open again for the next line
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    });
  };

  const onCompleted = (job: Job) => append(lineOf(job, 'completed', options.app, now()));
  const onFailed = (job: Job | undefined, error: Error) => {
    // BullMQ passes no job when it could not even be fetched: there is nothing to time.
    if (!job) return;
    const status = job.finishedOn ? 'failed' : 'retrying';
    append({ ...lineOf(job, status, options.app, now()), error: errorLine(error) });
  };
  worker.on('completed', onCompleted);
  worker.on('failed', onFailed);

  let closing: Promise<void> | undefined;
  return {
    flush: () => chain,
    close: () =>
      (closing ??= (async () => {
        worker.off('completed', onCompleted);
        worker.off('failed', onFailed);
        await chain;
        if (handle) await (await handle.catch(() => undefined))?.close();
      })()),
  };
}

function lineOf(job: Job, status: JobLogLine['status'], app: string, at: number): JobLogLine {
  const started = job.processedOn ?? null;
  const ended = job.finishedOn ?? at;
  // BullMQ zeroes `job.delay` when it promotes a delayed job; the delay asked for stays in `opts`.
  const dueAt = job.timestamp + Math.max(job.delay || 0, job.opts.delay ?? 0);
  return {
    // When the attempt ended (BullMQ's finishedOn for a finished job; an attempt to be retried has none).
    timestamp: new Date(ended).toISOString(),
    transaction_type: 'job',
    uuid: randomUUID(),
    app,
    status,
    duration_ms: started === null ? null : Math.max(0, ended - started),
    job: {
      id: job.id ?? null,
      name: job.name,
      queue: job.queueName,
      scheduled: Boolean(job.repeatJobKey),
      scheduler: job.repeatJobKey ?? null,
      wait_ms: started === null ? null : Math.max(0, started - dueAt),
      attempt: job.attemptsMade,
      worker: job.processedBy ?? null,
    },
  };
}

function errorLine(error: Error | undefined): string {
  const message = error?.message ?? String(error);
  return truncate(sanitizeMessage(message.split('\n')[0] ?? ''), 500);
}
