/**
 * `rabbitmq`: an AMQP 0-9-1 connection (amqplib, an optional peer loaded when used), a channel, and a round trip
 * through a temporary queue of its own (exclusive, auto-delete, server-named: nothing outlives the check): a
 * message is published with a confirm and got back. Named queues can be checked too: they must exist, waiting
 * messages need a consumer, and a backlog above a threshold is degraded or unhealthy. AMQP reports ready
 * messages and consumers only; the unacknowledged count comes from the management API when `managementUrl` is set.
 */
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import {
  DEFAULT_DEGRADED_ABOVE_MS,
  failureResult,
  loadDriver,
  onAbort,
  randomToken,
  since,
  targetSecrets,
  validateTarget,
} from '../drivers.js';
import { errorMessage, type Measurement, type Probe, type ProbeContext, type ProbeResult } from '../probe.js';
import { redactUrl, secretsInUrl } from '../sanitize.js';
import { type Status, worstOf } from '../status.js';
import { backstopDelay, failureCause } from '../net/deadline.js';
import { prepareHttp, runHttpExchange } from './http.js';

/** A queue's counts as AMQP reports them (`queue.declare-ok`). */
export interface AmqpQueueReply {
  queue: string;
  messageCount: number;
  consumerCount: number;
}

/** What the probe uses of an amqplib channel (structural, so `amqplib` stays an optional peer). */
export interface AmqpChannelLike {
  on(event: 'error', listener: (error: Error) => void): unknown;
  assertQueue(
    queue: string,
    options: { exclusive: boolean; autoDelete: boolean; durable: boolean },
  ): Promise<AmqpQueueReply>;
  checkQueue(queue: string): Promise<AmqpQueueReply>;
  sendToQueue(queue: string, content: Buffer): boolean;
  get(queue: string, options: { noAck: boolean }): Promise<false | { content: Buffer }>;
  deleteQueue(queue: string): Promise<unknown>;
  close(): Promise<void>;
}

export interface AmqpConfirmChannelLike extends AmqpChannelLike {
  waitForConfirms(): Promise<void>;
}

/** An amqplib connection (`await amqplib.connect(url)`), e.g. the app's own. */
export interface AmqpConnectionLike {
  createChannel(): Promise<AmqpChannelLike>;
  createConfirmChannel(): Promise<AmqpConfirmChannelLike>;
}

/** A queue to check by name. */
export interface RabbitmqQueueOptions {
  name: string;
  /** Unhealthy when messages wait and no consumer is attached: nothing would ever take them. Default true. */
  requireConsumers?: boolean;
  /** Degraded when more messages than this are ready. */
  backlogDegradedAbove?: number;
  /** Unhealthy when more messages than this are ready. */
  backlogUnhealthyAbove?: number;
}

export interface RabbitmqCheckOptions {
  /** An amqplib connection (channels are opened and closed on it). Give either this or `url`. */
  client?: AmqpConnectionLike;
  /** An `amqp://` or `amqps://` URL: each run opens a fresh connection and closes it. Needs `amqplib`. */
  url?: string;
  /** The password when it is kept out of `url`. */
  password?: string;
  /** Publish a message to a temporary queue and get it back. Default true. */
  roundTrip?: boolean;
  /** Queues that must exist, checked passively (nothing is declared): a name or per-queue thresholds. */
  queues?: ReadonlyArray<string | RabbitmqQueueOptions>;
  /**
   * The management API (`http://monitor:secret@rabbit:15672`), read for each queue's unacknowledged count.
   * Without credentials of its own it uses the AMQP URL's. Default: not read.
   */
  managementUrl?: string;
  /** The vhost of `queues` in the management API. Default: the URL's, else `/`. */
  vhost?: string;
  /** Channel operations slower than this (all together) make the check degraded. Default 500 ms. */
  degradedAboveMs?: number;
}

const TYPE = 'rabbitmq';
/** A queue's JSON in the management API is a few kilobytes. */
const MANAGEMENT_MAX_BODY_BYTES = 1_048_576;

interface PreparedQueue {
  name: string;
  requireConsumers: boolean;
  backlogDegradedAbove?: number;
  backlogUnhealthyAbove?: number;
}

interface Problem {
  status: Exclude<Status, 'healthy'>;
  message: string;
}

interface QueueCounts {
  messages: number;
  consumers: number;
  unacknowledged?: number;
}

function prepareQueues(queues: RabbitmqCheckOptions['queues']): PreparedQueue[] {
  return (queues ?? []).map((queue) => {
    const options = typeof queue === 'string' ? { name: queue } : queue;
    if (typeof options.name !== 'string' || options.name.length === 0) {
      throw new TypeError('rabbitmq: every queue needs a name');
    }
    for (const key of ['backlogDegradedAbove', 'backlogUnhealthyAbove'] as const) {
      const value = options[key];
      if (value !== undefined && !(Number.isInteger(value) && value >= 0)) {
        throw new TypeError(`rabbitmq: queue "${options.name}": ${key} must be a whole number, zero or more`);
      }
    }
    return {
      name: options.name,
      requireConsumers: options.requireConsumers ?? true,
      ...(options.backlogDegradedAbove !== undefined ? { backlogDegradedAbove: options.backlogDegradedAbove } : {}),
      ...(options.backlogUnhealthyAbove !== undefined ? { backlogUnhealthyAbove: options.backlogUnhealthyAbove } : {}),
    };
  });
}

function validate(options: RabbitmqCheckOptions): void {
  validateTarget('rabbitmq', options, 'url');
  if (options.url !== undefined) {
    const protocol = safeUrl(options.url)?.protocol;
    if (protocol !== 'amqp:' && protocol !== 'amqps:') {
      throw new TypeError('rabbitmq: url must be an amqp:// or amqps:// URL');
    }
  }
  if (options.managementUrl !== undefined) {
    const protocol = safeUrl(options.managementUrl)?.protocol;
    if (protocol !== 'http:' && protocol !== 'https:') {
      throw new TypeError('rabbitmq: managementUrl must be an http:// or https:// URL');
    }
  }
  prepareQueues(options.queues);
}

function safeUrl(text: string): URL | undefined {
  try {
    return new URL(text);
  } catch {
    return undefined;
  }
}

/** The vhost an AMQP URL names (its path), `/` by default. */
function vhostOf(url: URL | undefined): string {
  return url && url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : '/';
}

function secretsOf(options: RabbitmqCheckOptions): string[] {
  return [...targetSecrets(options.url, options.password), ...secretsInUrl(options.managementUrl)];
}

/** Connects (or uses the given connection), round-trips a message, checks the queues. */
export const rabbitmqProbe: Probe<RabbitmqCheckOptions> = async (options, context) => {
  const secrets = secretsOf(options);
  const progress = { connected: options.client !== undefined };
  try {
    validate(options);
    if (options.client) return await exercise(options.client, options, context, {});
    return await viaUrl(options, context, progress);
  } catch (error) {
    const cause = explain(failureCause(error, context.signal), options.url);
    return { ...failureResult(TYPE, cause, secrets), facts: { connected: progress.connected } };
  }
};

/** The channel is gone after a server-side channel error (a missing queue): the next operation needs a new one. */
async function openChannel(connection: AmqpConnectionLike): Promise<AmqpChannelLike> {
  const channel = await connection.createChannel();
  // A channel error also rejects the operation that caused it; without a listener it would be thrown again.
  channel.on('error', () => {});
  return channel;
}

async function roundTrip(connection: AmqpConnectionLike, context: ProbeContext): Promise<void> {
  const channel = await connection.createConfirmChannel();
  channel.on('error', () => {});
  try {
    // Server-named, exclusive and auto-delete: only this connection sees it, and it goes with the connection.
    const { queue } = await channel.assertQueue('', { exclusive: true, autoDelete: true, durable: false });
    const token = randomToken();
    channel.sendToQueue(queue, Buffer.from(token));
    // The confirm means the broker has enqueued it, so the get below does not race the publish.
    await channel.waitForConfirms();
    context.signal.throwIfAborted();
    const message = await channel.get(queue, { noAck: true });
    if (message === false) throw new Error('round trip: the published message was not in the queue');
    if (message.content.toString() !== token) throw new Error('round trip: a different message came back');
    await channel.deleteQueue(queue);
  } finally {
    await channel.close().catch(() => {});
  }
}

function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 404 || /\bNOT[-_]FOUND\b/.test(errorMessage(error));
}

async function queueCounts(
  connection: AmqpConnectionLike,
  queues: readonly PreparedQueue[],
  context: ProbeContext,
): Promise<Map<string, QueueCounts | Problem>> {
  const counts = new Map<string, QueueCounts | Problem>();
  let channel: AmqpChannelLike | undefined;
  try {
    for (const queue of queues) {
      context.signal.throwIfAborted();
      channel ??= await openChannel(connection);
      try {
        const reply = await channel.checkQueue(queue.name);
        counts.set(queue.name, { messages: reply.messageCount, consumers: reply.consumerCount });
      } catch (error) {
        if (!isNotFound(error)) throw error;
        // The broker closed the channel with the 404.
        channel = undefined;
        counts.set(queue.name, { status: 'unhealthy', message: `queue "${queue.name}" does not exist` });
      }
    }
  } finally {
    await channel?.close().catch(() => {});
  }
  return counts;
}

function judgeQueue(queue: PreparedQueue, counts: QueueCounts): Problem[] {
  const problems: Problem[] = [];
  const { messages, consumers } = counts;
  const waiting = `${messages} message${messages === 1 ? '' : 's'}`;
  if (queue.requireConsumers && messages > 0 && consumers === 0) {
    problems.push({
      status: 'unhealthy',
      message: `queue "${queue.name}": ${waiting} wait and no consumer is attached`,
    });
  }
  if (queue.backlogUnhealthyAbove !== undefined && messages > queue.backlogUnhealthyAbove) {
    problems.push({
      status: 'unhealthy',
      message: `queue "${queue.name}": ${waiting} ready (unhealthy above ${queue.backlogUnhealthyAbove})`,
    });
  } else if (queue.backlogDegradedAbove !== undefined && messages > queue.backlogDegradedAbove) {
    problems.push({
      status: 'degraded',
      message: `queue "${queue.name}": ${waiting} ready (degraded above ${queue.backlogDegradedAbove})`,
    });
  }
  return problems;
}

/** The management API's unacknowledged count of each queue; a failure is a warning, not an outage. */
async function unacknowledged(
  options: RabbitmqCheckOptions,
  names: readonly string[],
  context: ProbeContext,
): Promise<{ counts: Map<string, number>; problem?: Problem }> {
  const counts = new Map<string, number>();
  const base = new URL(options.managementUrl!);
  const amqpUrl = options.url !== undefined ? safeUrl(options.url) : undefined;
  const user = decodeURIComponent(base.username || amqpUrl?.username || 'guest');
  const password = base.username
    ? decodeURIComponent(base.password)
    : (options.password ?? (amqpUrl?.password ? decodeURIComponent(amqpUrl.password) : 'guest'));
  base.username = '';
  base.password = '';
  const vhost = options.vhost ?? vhostOf(amqpUrl);
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  try {
    for (const name of names) {
      const url = new URL(
        `api/queues/${encodeURIComponent(vhost)}/${encodeURIComponent(name)}`,
        base.href.endsWith('/') ? base.href : `${base.href}/`,
      );
      // The http probe's exchange: a fresh connection each time (nothing pooled), closed on abort.
      const exchange = await runHttpExchange(
        prepareHttp({ url, headers: { authorization }, maxBodyBytes: MANAGEMENT_MAX_BODY_BYTES }),
        context,
      );
      // Gone since the AMQP check: it is reported as missing there, or next time.
      if (exchange.statusCode === 404) continue;
      if (exchange.statusCode !== 200) {
        throw new Error(`${redactUrl(url.href)} answered status ${exchange.statusCode}`);
      }
      const body: unknown = JSON.parse(exchange.body ?? '');
      const unacked = (body as { messages_unacknowledged?: unknown } | null)?.messages_unacknowledged;
      if (typeof unacked === 'number') counts.set(name, unacked);
    }
    return { counts };
  } catch (error) {
    context.signal.throwIfAborted();
    return {
      counts,
      problem: {
        status: 'degraded',
        message: `management API: ${errorMessage(error)} (unacknowledged counts unknown)`,
      },
    };
  }
}

async function exercise(
  connection: AmqpConnectionLike,
  options: RabbitmqCheckOptions,
  context: ProbeContext,
  extra: Record<string, unknown>,
): Promise<ProbeResult> {
  const degradedAboveMs = options.degradedAboveMs ?? DEFAULT_DEGRADED_ABOVE_MS;
  const queues = prepareQueues(options.queues);
  const start = performance.now();
  const trip = options.roundTrip ?? true;
  if (trip) {
    await roundTrip(connection, context);
  } else {
    // At least a channel: a connection whose channels fail (channel_max, a blocked broker) is not serving.
    const channel = await openChannel(connection);
    await channel.close().catch(() => {});
  }
  const roundTripMs = since(start);
  const counts = await queueCounts(connection, queues, context);
  const latencyMs = since(start);
  const problems: Problem[] = [];
  const management =
    options.managementUrl !== undefined && queues.length > 0
      ? await unacknowledged(
          options,
          queues.filter((q) => !('status' in (counts.get(q.name) ?? {}))).map((q) => q.name),
          context,
        )
      : undefined;

  const details: Record<string, unknown> = {
    type: TYPE,
    latency_ms: latencyMs,
    [trip ? 'round_trip_ms' : 'channel_ms']: roundTripMs,
    ...extra,
  };
  const measurements: Measurement[] = [{ measurement: 'responseTime', value: latencyMs, unit: 'ms' }];
  const queueDetails: Record<string, QueueCounts> = {};
  for (const queue of queues) {
    const seen = counts.get(queue.name);
    if (seen === undefined) continue;
    if ('status' in seen) {
      problems.push(seen);
      continue;
    }
    const unacked = management?.counts.get(queue.name);
    const withUnacked: QueueCounts = { ...seen, ...(unacked !== undefined ? { unacknowledged: unacked } : {}) };
    queueDetails[queue.name] = withUnacked;
    measurements.push(
      { measurement: `queue.${queue.name}.messages`, value: seen.messages },
      { measurement: `queue.${queue.name}.consumers`, value: seen.consumers },
      ...(unacked !== undefined ? [{ measurement: `queue.${queue.name}.unacknowledged`, value: unacked }] : []),
    );
    problems.push(...judgeQueue(queue, seen));
  }
  if (queues.length > 0) details.queues = queueDetails;
  if (management?.problem) problems.push(management.problem);
  if (latencyMs > degradedAboveMs) {
    problems.push({
      status: 'degraded',
      message: `responded in ${latencyMs} ms (degraded above ${degradedAboveMs} ms)`,
    });
  }

  let status: Status = 'healthy';
  for (const problem of problems) status = worstOf(status, problem.status);
  const ordered = [
    ...problems.filter((p) => p.status === 'unhealthy'),
    ...problems.filter((p) => p.status === 'degraded'),
  ];
  const connectMs = typeof extra.connect_ms === 'number' ? extra.connect_ms : undefined;
  return {
    status,
    details,
    measurements,
    facts: { connected: true, ...(connectMs !== undefined ? { timings: { connect: connectMs } } : {}) },
    ...(ordered.length > 0 ? { error: ordered.map((p) => p.message).join('; ') } : {}),
  };
}

/** What amqplib's connection needs from the module (it is CommonJS: named or default export). */
interface AmqplibModule {
  connect(url: string, socketOptions: Record<string, unknown>): Promise<AmqpConnectionLike & AmqpClosable>;
  credentials: { plain(username: string, password: string): unknown };
}

interface AmqpClosable {
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

async function viaUrl(
  options: RabbitmqCheckOptions,
  context: ProbeContext,
  progress: { connected: boolean },
): Promise<ProbeResult> {
  const loaded = await loadDriver(() => import('amqplib'), 'amqplib', 'rabbitmq');
  const amqp = ('connect' in loaded ? loaded : (loaded as { default: unknown }).default) as AmqplibModule;
  context.signal.throwIfAborted();
  const url = new URL(options.url!);
  const password = options.password ?? (url.password ? decodeURIComponent(url.password) : undefined);
  // Credentials given explicitly: amqplib's own URL decoding (`unescape`) garbles non-ASCII passwords.
  const credentials =
    password !== undefined || url.username
      ? amqp.credentials.plain(decodeURIComponent(url.username || 'guest'), password ?? '')
      : undefined;

  // The socket is destroyed when the check is aborted, in whatever phase; and shortly after the deadline in any
  // case, for a direct caller whose signal never aborts.
  const local = new AbortController();
  const stopListening = onAbort(context.signal, () => local.abort(context.signal.reason));
  const backstop = setTimeout(
    () => local.abort(new Error('no answer by the deadline')),
    backstopDelay(context.deadline),
  );
  backstop.unref?.();
  const connectStart = performance.now();
  let connection: (AmqpConnectionLike & AmqpClosable) | undefined;
  try {
    connection = await amqp.connect(options.url!, {
      ...(credentials !== undefined ? { credentials } : {}),
      signal: local.signal,
      // Backstop for the handshake: an abort at the deadline destroys the socket first.
      timeout: backstopDelay(context.deadline),
    });
    // Errors after the result (our own close, the broker going away) must not be an uncaught 'error' event.
    connection.on('error', () => {});
    progress.connected = true;
    const connectMs = since(connectStart);
    context.signal.throwIfAborted();
    return await exercise(connection, options, context, { connect_ms: connectMs });
  } finally {
    // A polite close within the deadline; on abort the socket is already gone and this settles at once.
    if (connection !== undefined) await connection.close().catch(() => {});
    clearTimeout(backstop);
    stopListening();
    local.abort(new Error('probe finished'));
  }
}

/** amqplib's messages, made readable where they are not. */
function explain(error: unknown, url: string | undefined): unknown {
  const message = errorMessage(error);
  if (/Expected ConnectionOpenOk; got <ConnectionClose/.test(message)) {
    const vhost = vhostOf(url !== undefined ? safeUrl(url) : undefined);
    return new Error(`the broker refused to open vhost "${vhost}": it does not exist, or this user may not use it`);
  }
  if (/ACCESS[-_]REFUSED/.test(message) && /Login was refused/i.test(message)) {
    return new Error(`login refused (wrong user name or password): ${message}`);
  }
  return error;
}

/** A RabbitMQ check: a connection, a publish/get round trip and, optionally, queues. Default name `rabbitmq`. */
export function rabbitmqCheck(options: RabbitmqCheckOptions & CheckOptions): Check {
  validate(options);
  const { client, url, password, roundTrip: trip, queues, managementUrl, vhost, degradedAboveMs } = options;
  const probeOptions: RabbitmqCheckOptions = {
    client,
    url,
    password,
    roundTrip: trip,
    queues,
    managementUrl,
    vhost,
    degradedAboveMs,
  };
  return defineCheck(
    { kind: 'rabbitmq', componentType: 'datastore' },
    options,
    (context) => rabbitmqProbe(probeOptions, context),
    secretsOf(options),
  );
}
