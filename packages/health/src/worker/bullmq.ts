/**
 * Watches a BullMQ worker for the sidecar: its health (the Redis connection, closing) and its jobs (counters and
 * the jobs running now). Structural types only, so @vigil/health does not depend on bullmq; works with bullmq 5
 * (`worker.client`) and 6 (`worker.getBackend().client`).
 */

/** The part of a BullMQ job the sidecar reads. */
export interface BullmqJobLike {
  id?: string | undefined;
  name: string;
  /** Epoch ms the current attempt started. */
  processedOn?: number | undefined;
}

/** The part of a BullMQ `Worker` the sidecar uses. */
export interface BullmqWorkerLike {
  /** The queue name. */
  readonly name: string;
  on(event: 'active', listener: (job: BullmqJobLike, prev: string) => void): unknown;
  on(event: 'completed', listener: (job: BullmqJobLike, result: unknown, prev: string) => void): unknown;
  on(event: 'failed', listener: (job: BullmqJobLike | undefined, error: Error, prev: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'closing', listener: (message: string) => void): unknown;
  on(event: 'closed' | 'ready', listener: () => void): unknown;
  off(event: 'active', listener: (job: BullmqJobLike, prev: string) => void): unknown;
  off(event: 'completed', listener: (job: BullmqJobLike, result: unknown, prev: string) => void): unknown;
  off(event: 'failed', listener: (job: BullmqJobLike | undefined, error: Error, prev: string) => void): unknown;
  off(event: 'error', listener: (error: Error) => void): unknown;
  off(event: 'closing', listener: (message: string) => void): unknown;
  off(event: 'closed' | 'ready', listener: () => void): unknown;
}

/** An ioredis client, as far as connection state goes. */
interface RedisClientLike {
  readonly status: string;
  on(event: string, listener: () => void): unknown;
  off(event: string, listener: () => void): unknown;
}

/** What the watcher reports to. */
export interface BullmqWatchSink {
  setListenerHealth(name: string, healthy: boolean, reason?: string): void;
  jobStarted(job: { queue: string; id?: string; name?: string; startedAt?: number }): void;
  jobFinished(job: { queue: string; id?: string; outcome: 'completed' | 'failed' }): void;
  sanitize(message: string): string;
}

export interface WatchBullmqWorkerOptions {
  /** The listener's name in `/health` reasons and `vigil_worker_listener_up`. Default `bullmq:<queue>`. */
  name?: string;
  /** Count its jobs in `vigil_worker_jobs_*` and list them as current jobs for diagnostics. Default true. */
  countJobs?: boolean;
}

function isRedisClient(value: unknown): value is RedisClientLike {
  const candidate = value as Partial<RedisClientLike> | null;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.status === 'string' &&
    typeof candidate.on === 'function' &&
    typeof candidate.off === 'function'
  );
}

function isPromise(value: unknown): value is Promise<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/** The worker's main Redis connection: `getBackend().client` (bullmq 6) or `client` (bullmq 5). */
function mainClient(worker: BullmqWorkerLike): Promise<unknown> | undefined {
  const loose = worker as unknown as { getBackend?: unknown; client?: unknown };
  if (typeof loose.getBackend === 'function') {
    const backend = (loose.getBackend as () => { client?: unknown } | undefined).call(worker);
    if (isPromise(backend?.client)) return backend.client;
  }
  return isPromise(loose.client) ? loose.client : undefined;
}

/**
 * Marks the listener unhealthy while the worker's Redis connection is not ready (lost, reconnecting, not yet
 * made) or the worker is closing or closed. Only the main connection is judged: BullMQ drops its blocking
 * connection on purpose (pause, a stuck BZPOPMIN), which is not an outage. Returns a function that stops watching.
 */
export function watchBullmqWorker(
  worker: BullmqWorkerLike,
  sink: BullmqWatchSink,
  options: WatchBullmqWorkerOptions = {},
): () => void {
  const queue = worker.name;
  const name = options.name ?? `bullmq:${queue}`;
  const countJobs = options.countJobs ?? true;
  let client: RedisClientLike | undefined;
  let clientUnknown: string | undefined;
  let closing = false;
  let closed = false;
  let lastError: string | undefined;
  let stopped = false;

  const evaluate = () => {
    if (stopped) return;
    if (closed) return sink.setListenerHealth(name, false, 'worker closed');
    if (closing) return sink.setListenerHealth(name, false, 'worker closing');
    if (clientUnknown !== undefined) return sink.setListenerHealth(name, false, clientUnknown);
    if (client === undefined) {
      return sink.setListenerHealth(name, false, `not connected to Redis yet${lastError ? ` (${lastError})` : ''}`);
    }
    if (client.status !== 'ready') {
      const lost = client.status === 'reconnecting' || client.status === 'close';
      const cause = lastError ? `: ${lastError}` : '';
      const reason = `Redis connection ${lost ? 'lost' : 'not ready'} (${client.status})${cause}`;
      return sink.setListenerHealth(name, false, reason);
    }
    lastError = undefined;
    sink.setListenerHealth(name, true);
  };

  const onError = (error: Error) => {
    lastError = sink.sanitize(error.message || error.name);
    evaluate();
  };
  const onClosing = () => {
    closing = true;
    evaluate();
  };
  const onClosed = () => {
    closed = true;
    evaluate();
  };
  const onActive = (job: BullmqJobLike) => {
    sink.jobStarted({
      queue,
      ...(job.id !== undefined ? { id: job.id } : {}),
      name: job.name,
      startedAt: job.processedOn ?? Date.now(),
    });
  };
  const onCompleted = (job: BullmqJobLike) =>
    sink.jobFinished({ queue, ...(job.id !== undefined ? { id: job.id } : {}), outcome: 'completed' });
  const onFailed = (job: BullmqJobLike | undefined) =>
    sink.jobFinished({ queue, ...(job?.id !== undefined ? { id: job.id } : {}), outcome: 'failed' });

  worker.on('error', onError);
  worker.on('closing', onClosing);
  worker.on('closed', onClosed);
  worker.on('ready', evaluate);
  if (countJobs) {
    worker.on('active', onActive);
    worker.on('completed', onCompleted);
    worker.on('failed', onFailed);
  }
  // A worker that was closed before it was watched.
  if (typeof (worker as unknown as { closing?: unknown }).closing === 'object') closing = true;

  const clientEvents = ['ready', 'close', 'end', 'reconnecting', 'connect'] as const;
  const pending = mainClient(worker);
  if (pending === undefined) {
    clientUnknown = 'cannot see the Redis connection of this BullMQ version: report it with setListenerHealth';
  } else {
    pending.then(
      (resolved) => {
        if (stopped) return;
        if (!isRedisClient(resolved)) {
          clientUnknown = 'the Redis client is not ioredis: report its health with setListenerHealth';
        } else {
          client = resolved;
          for (const event of clientEvents) client.on(event, evaluate);
        }
        evaluate();
      },
      (error: unknown) => {
        lastError = sink.sanitize(error instanceof Error ? error.message : String(error));
        evaluate();
      },
    );
  }
  evaluate();

  return () => {
    if (stopped) return;
    stopped = true;
    worker.off('error', onError);
    worker.off('closing', onClosing);
    worker.off('closed', onClosed);
    worker.off('ready', evaluate);
    worker.off('active', onActive);
    worker.off('completed', onCompleted);
    worker.off('failed', onFailed);
    if (client) for (const event of clientEvents) client.off(event, evaluate);
  };
}
