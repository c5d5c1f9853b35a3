import { EventEmitter } from 'node:events';
import { type BullmqRedis, readBullmqQueues } from '@vigil/core';
import type { ConnectionOptions, QueueEvents } from 'bullmq';
import {
  isoOrNull,
  jobFields,
  keyOf,
  pipeline,
  positiveInteger,
  prefixOf,
  type QueuesSource,
  validQueues,
  withRedis,
} from './connection.js';
import { parseJson } from './jobs.js';

export interface ActiveProgress {
  queue: string;
  id: string;
  name: string | null;
  worker: string | null;
  started: string | null;
  /** What `job.updateProgress()` last set (a number or an object); null when never set. */
  progress: unknown;
}

export interface ActiveProgressOptions extends QueuesSource {
  /** Active jobs per queue, longest-running first. Default 100. */
  limit?: number;
}

/** Progress of the active jobs (the `limit` longest-running per queue), in three round trips for all queues. */
export async function activeProgress(options: ActiveProgressOptions): Promise<ActiveProgress[]> {
  const queues = validQueues(options.queues);
  const limit = positiveInteger(options.limit, 100, 'limit', 10_000);
  const prefix = prefixOf(options);
  return withRedis(options, async (client) => {
    const read = await readBullmqQueues(client, {
      prefix,
      queues,
      activeSample: limit,
      schedulers: false,
      workers: false,
    });
    const active = read.queues.flatMap((q) => q.active.map((job) => ({ queue: q.name, job })));
    const ids = active.map(({ queue, job }) => ({ queue, id: job.id }));
    const hashes = await jobFields(client, prefix, ids, ['progress']);
    return active.map(({ queue, job }, i) => ({
      queue,
      id: job.id,
      name: job.name,
      worker: job.worker,
      started: isoOrNull(job.startedAt),
      progress: parseJson(hashes[i]?.progress ?? null),
    }));
  });
}

export interface ProgressUpdate {
  queue: string;
  jobId: string;
  progress: unknown;
  /** ISO time the update was received. */
  at: string;
}

/**
 * Live progress updates of the queues' jobs (BullMQ QueueEvents `progress`). Listen with `on('progress', …)` or
 * iterate with `for await`; `close()` ends both. Iterators buffer at most `bufferSize` updates, dropping the
 * oldest when a consumer falls behind.
 */
export interface ProgressWatch extends AsyncIterable<ProgressUpdate> {
  on(event: 'progress', listener: (update: ProgressUpdate) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  off(event: 'progress', listener: (update: ProgressUpdate) => void): this;
  off(event: 'error', listener: (error: Error) => void): this;
  close(): Promise<void>;
}

export interface WatchProgressOptions extends QueuesSource {
  /** Per iterator. Default 1000. */
  bufferSize?: number;
}

/**
 * Starts watching; resolves once listening, from the current end of each queue's event stream (nothing published
 * after it resolves is missed). Needs bullmq. With a client, BullMQ opens one blocking connection per queue
 * (a duplicate of it); with a URL, one connection is opened for the watch and closed by `close()`.
 */
export async function watchProgress(options: WatchProgressOptions): Promise<ProgressWatch> {
  const queues = validQueues(options.queues);
  const bufferSize = positiveInteger(options.bufferSize, 1000, 'bufferSize', 1_000_000);
  const prefix = prefixOf(options);
  const { QueueEvents: QueueEventsClass } = await import('bullmq');

  let base: BullmqRedis;
  let closeBase = () => {};
  if (typeof options.connection === 'string') {
    const ioredis = await import('ioredis');
    const Redis = ioredis.Redis ?? ioredis.default;
    // A blocking reader must wait through reconnections rather than fail each command (BullMQ requires it).
    const client = new Redis(options.connection, {
      maxRetriesPerRequest: null,
      lazyConnect: true,
      ...(options.password !== undefined ? { password: options.password } : {}),
    });
    // ioredis rejects connect() with a bare "Connection is closed."; the cause only reaches this event.
    let cause: unknown;
    client.on('error', (error: unknown) => {
      cause ??= error;
    });
    closeBase = () => client.disconnect();
    // Fail now if Redis cannot be reached, rather than wait in the offline queue.
    await client.connect().catch((error: unknown) => {
      closeBase();
      throw cause ?? error;
    });
    base = client;
  } else {
    base = options.connection;
  }
  if (typeof (base as { duplicate?: unknown }).duplicate !== 'function') {
    closeBase();
    throw new TypeError('watchProgress needs an ioredis client (one with duplicate()) or a redis:// URL');
  }

  const watch = new Watch(bufferSize);
  try {
    // Start from the stream's current last id rather than "$", which is read only when the first XREAD runs.
    const lastIds = await pipeline(
      base,
      queues.map((queue) => ['xrevrange', keyOf(prefix, queue, 'events'), '+', '-', 'COUNT', 1]),
    );
    for (const [i, queue] of queues.entries()) {
      const entry: unknown = Array.isArray(lastIds[i]) ? (lastIds[i] as unknown[])[0] : undefined;
      const lastEventId = Array.isArray(entry) ? String(entry[0]) : '0-0';
      const events = new QueueEventsClass(queue, {
        connection: base as unknown as ConnectionOptions,
        prefix,
        lastEventId,
      });
      events.on('progress', ({ jobId, data }: { jobId: string; data: unknown }) =>
        watch.publish({ queue, jobId, progress: data, at: new Date().toISOString() }),
      );
      events.on('error', (error: Error) => watch.fail(error));
      watch.sources.push(events);
    }
    await Promise.all(watch.sources.map((events) => events.waitUntilReady()));
  } catch (error) {
    await watch.close();
    closeBase();
    throw error;
  }
  watch.afterClose = closeBase;
  return watch;
}

class Watch extends EventEmitter implements ProgressWatch {
  readonly sources: QueueEvents[] = [];
  afterClose: () => void = () => {};
  #closed = false;
  #closing: Promise<void> | undefined;
  readonly #bufferSize: number;

  constructor(bufferSize: number) {
    super();
    this.#bufferSize = bufferSize;
  }

  publish(update: ProgressUpdate): void {
    if (!this.#closed) this.emit('progress', update);
  }

  fail(error: Error): void {
    // BullMQ reconnects by itself: an error only matters to whoever listens for it.
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  close(): Promise<void> {
    this.#closing ??= (async () => {
      this.#closed = true;
      this.emit('close');
      await Promise.allSettled(this.sources.map((events) => events.close()));
      this.afterClose();
    })();
    return this.#closing;
  }

  [Symbol.asyncIterator](): AsyncIterator<ProgressUpdate> {
    const buffer: ProgressUpdate[] = [];
    let wake: (() => void) | undefined;
    const onUpdate = (update: ProgressUpdate) => {
      if (buffer.length >= this.#bufferSize) buffer.shift();
      buffer.push(update);
      wake?.();
    };
    const onClose = () => wake?.();
    this.on('progress', onUpdate);
    this.on('close', onClose);
    const stop = () => {
      this.off('progress', onUpdate);
      this.off('close', onClose);
    };
    return {
      next: async () => {
        for (;;) {
          const update = buffer.shift();
          if (update) return { value: update, done: false };
          if (this.#closed) {
            stop();
            return { value: undefined, done: true };
          }
          await new Promise<void>((resolve) => {
            wake = resolve;
          });
          wake = undefined;
        }
      },
      return: async () => {
        stop();
        return { value: undefined, done: true };
      },
    };
  }
}
