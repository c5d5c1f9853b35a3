/**
 * `nats`: a NATS server and its JetStream consumers. It connects (or uses the app's connection), asks the
 * JetStream API for the account info (JetStream enabled?) and for each consumer's info
 * (`$JS.API.CONSUMER.INFO.<stream>.<consumer>`), and judges what the server reports: the consumer exists, a client
 * is consuming, and the backlog (`num_pending`), unacknowledged (`num_ack_pending`) and redelivered
 * (`num_redelivered`) counts are below their thresholds. It talks to the JetStream API with plain requests, so any
 * nats.js connection fits (`@nats-io/transport-node` v3, `nats` v2) and `@nats-io/jetstream` is not needed; for a
 * URL it loads `@nats-io/transport-node`, an optional peer.
 */
import net from 'node:net';
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import {
  DEFAULT_DEGRADED_ABOVE_MS,
  failureResult,
  loadDriver,
  onAbort,
  since,
} from '../drivers.js';
import { errorMessage, type Measurement, type Probe, type ProbeContext, type ProbeResult } from '../probe.js';
import { redactUrl } from '../sanitize.js';
import { isStatus, type Status, worstOf } from '../status.js';
import { backstopDelay } from '../net/deadline.js';

/** A reply as nats.js gives it. */
export interface NatsMsgLike {
  readonly data: Uint8Array;
}

/** What the probe uses of a nats.js connection (`await connect(…)`), e.g. the app's own; it is never closed. */
export interface NatsConnectionLike {
  request(subject: string, payload?: Uint8Array | string, options?: { timeout: number }): Promise<NatsMsgLike>;
}

/** A limit: a bare number is the `degraded` threshold; a value strictly above a threshold reaches its status. */
export type NatsThreshold = number | { degraded?: number; unhealthy?: number };

export interface NatsConsumerCheckOptions {
  stream: string;
  /** The durable (or named) consumer. */
  consumer: string;
  /**
   * Status when messages wait and no client consumes them. A push consumer (one with a `deliver_subject`)
   * consumes while it is bound (`push_bound`); its messages wait when `num_pending` or `num_ack_pending` is above
   * 0 (unacknowledged ones are delivered again). A pull consumer consumes while it has pull requests waiting
   * (`num_waiting > 0`) or messages out for acknowledgement (`num_ack_pending > 0`: a client is working on a
   * batch); its messages wait when `num_pending > 0`. Default `unhealthy`; `healthy` turns the rule off.
   */
  whenNoConsumers?: Status;
  /** Messages not yet delivered (`num_pending`) above which the consumer is degraded / unhealthy. */
  maxPending?: NatsThreshold;
  /** Messages delivered and not yet acknowledged (`num_ack_pending`). */
  maxAckPending?: NatsThreshold;
  /** Messages being redelivered (`num_redelivered`): a consumer that keeps failing or timing out. */
  maxRedelivered?: NatsThreshold;
  /** Status of a paused consumer (NATS 2.11+). Default `degraded`. */
  whenPaused?: Status;
}

export interface NatsCheckOptions {
  /** A nats.js connection (never closed by the check). Give either this or `servers`. */
  connection?: NatsConnectionLike;
  /**
   * `nats://host:4222` (or several): each run connects and closes. Credentials may be in the URL:
   * `nats://user:password@host` (user and password) or `nats://token@host` (a token). Needs `@nats-io/transport-node`.
   */
  servers?: string | readonly string[];
  /** Credentials kept out of the URL. */
  user?: string;
  pass?: string;
  token?: string;
  /** The JetStream domain (`$JS.<domain>.API`); default none. */
  domain?: string;
  /** The JetStream API prefix, for an account that imports it under another name. Default `$JS.API`. */
  apiPrefix?: string;
  /** The consumers to check; none checks the server and JetStream only. */
  consumers?: readonly NatsConsumerCheckOptions[];
  /** API requests slower than this (all together) make the check degraded. Default 500 ms. */
  degradedAboveMs?: number;
}

/** A consumer's counts as the server reported them. */
export interface NatsConsumerCounts {
  kind: 'push' | 'pull';
  pending: number;
  ackPending: number;
  redelivered: number;
  /** Pull requests waiting (pull consumers). */
  waiting: number;
  /** Whether a client is bound (push consumers). */
  pushBound: boolean;
  /** Whether a client is consuming, by the rule of `whenNoConsumers`. */
  consuming: boolean;
  paused: boolean;
}

const TYPE = 'nats';
/** Stream and consumer names end up in a subject: no separators, wildcards or spaces. */
const NAME = /^[^\s.*>]+$/;

interface Problem {
  status: Exclude<Status, 'healthy'>;
  message: string;
}

interface ApiErrorBody {
  code?: number;
  err_code?: number;
  description?: string;
}

function checkThreshold(value: NatsThreshold | undefined, where: string): void {
  if (value === undefined) return;
  const valid = (n: unknown) => n === undefined || (typeof n === 'number' && Number.isInteger(n) && n >= 0);
  const ok = typeof value === 'number' ? valid(value) : valid(value.degraded) && valid(value.unhealthy);
  if (!ok) throw new TypeError(`nats: ${where} must be a whole number (or { degraded, unhealthy }), zero or more`);
}

function serverList(servers: NatsCheckOptions['servers']): string[] {
  if (servers === undefined) return [];
  return typeof servers === 'string' ? [servers] : [...servers];
}

function validate(options: NatsCheckOptions): void {
  const servers = serverList(options.servers);
  const hasConnection = options.connection !== undefined && options.connection !== null;
  if (hasConnection === servers.length > 0) throw new TypeError('nats check: pass either `connection` or `servers`');
  for (const server of servers) {
    let url: URL;
    try {
      url = new URL(server.includes('://') ? server : `nats://${server}`);
    } catch {
      throw new TypeError(`nats check: "${redactUrl(server)}" is not a server URL`);
    }
    if (url.protocol !== 'nats:' && url.protocol !== 'tls:') {
      throw new TypeError('nats check: servers must be nats:// (or tls://) URLs');
    }
  }
  if (hasConnection && (options.user !== undefined || options.pass !== undefined || options.token !== undefined)) {
    throw new TypeError('nats check: `user`, `pass` and `token` are only used with `servers`');
  }
  if (options.degradedAboveMs !== undefined && !(options.degradedAboveMs >= 0)) {
    throw new TypeError('nats check: degradedAboveMs must be zero or more milliseconds');
  }
  for (const value of [options.domain, options.apiPrefix]) {
    if (value !== undefined && !/^[^\s*>]+$/.test(value)) {
      throw new TypeError('nats check: domain and apiPrefix have no spaces, "*" or ">"');
    }
  }
  for (const consumer of options.consumers ?? []) {
    const where = `consumer "${consumer.stream}/${consumer.consumer}"`;
    if (typeof consumer.stream !== 'string' || !NAME.test(consumer.stream)) {
      throw new TypeError(`nats check: stream names have no spaces, ".", "*" or ">" (${where})`);
    }
    if (typeof consumer.consumer !== 'string' || !NAME.test(consumer.consumer)) {
      throw new TypeError(`nats check: consumer names have no spaces, ".", "*" or ">" (${where})`);
    }
    checkThreshold(consumer.maxPending, `${where}: maxPending`);
    checkThreshold(consumer.maxAckPending, `${where}: maxAckPending`);
    checkThreshold(consumer.maxRedelivered, `${where}: maxRedelivered`);
    for (const key of ['whenNoConsumers', 'whenPaused'] as const) {
      const value = consumer[key];
      if (value !== undefined && !isStatus(value)) {
        throw new TypeError(`nats check: ${where}: ${key} must be healthy, degraded or unhealthy`);
      }
    }
  }
}

/** Every secret the options carry: URL passwords and tokens, and the explicit ones. */
function secretsOf(options: NatsCheckOptions): string[] {
  const secrets: string[] = [];
  for (const value of [options.pass, options.token]) if (value) secrets.push(value);
  for (const server of serverList(options.servers)) {
    try {
      const url = new URL(server.includes('://') ? server : `nats://${server}`);
      // `nats://token@host`: the user part is itself the secret.
      for (const part of [url.password, url.password ? '' : url.username]) {
        if (part) secrets.push(part, decodeURIComponent(part));
      }
    } catch {
      // Rejected by validate().
    }
  }
  return secrets;
}

function apiPrefixOf(options: NatsCheckOptions): string {
  if (options.apiPrefix !== undefined) return options.apiPrefix;
  return options.domain !== undefined ? `$JS.${options.domain}.API` : '$JS.API';
}

/** A JetStream API request; the reply's `error` becomes a thrown {@link JetStreamApiFailure}. */
async function api<T>(connection: NatsConnectionLike, subject: string, deadline: number): Promise<T> {
  // A little past the deadline, so the caller's timeout (the message users see) fires first.
  const timeout = backstopDelay(deadline);
  const reply = await connection.request(subject, new Uint8Array(0), { timeout });
  const body = JSON.parse(new TextDecoder().decode(reply.data)) as T & { error?: ApiErrorBody };
  if (body.error) throw new JetStreamApiFailure(body.error);
  return body;
}

class JetStreamApiFailure extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(`JetStream API error ${body.code ?? '?'}/${body.err_code ?? '?'}: ${body.description ?? 'no description'}`);
    this.name = 'JetStreamApiFailure';
  }
}

/** nats.js's words for the cases users hit, with what to do. */
function explain(error: unknown): unknown {
  const message = errorMessage(error);
  if (/no responders/i.test(message) || (error as { code?: unknown } | null)?.code === '503') {
    return new Error(
      'JetStream did not answer (no responders): it is not enabled on this server or account, ' +
        'or the domain / apiPrefix is wrong',
    );
  }
  return error;
}

interface RawConsumerInfo {
  config?: { deliver_subject?: string };
  num_pending?: number;
  num_ack_pending?: number;
  num_redelivered?: number;
  num_waiting?: number;
  push_bound?: boolean;
  paused?: boolean;
}

function countsOf(info: RawConsumerInfo): NatsConsumerCounts {
  // The server leaves zero / false fields out (omitempty).
  const kind = info.config?.deliver_subject ? 'push' : 'pull';
  const pending = info.num_pending ?? 0;
  const ackPending = info.num_ack_pending ?? 0;
  const waiting = info.num_waiting ?? 0;
  const pushBound = info.push_bound ?? false;
  return {
    kind,
    pending,
    ackPending,
    redelivered: info.num_redelivered ?? 0,
    waiting,
    pushBound,
    consuming: kind === 'push' ? pushBound : waiting > 0 || ackPending > 0,
    paused: info.paused ?? false,
  };
}

function limits(threshold: NatsThreshold | undefined): { degraded?: number; unhealthy?: number } {
  if (threshold === undefined) return {};
  return typeof threshold === 'number' ? { degraded: threshold } : threshold;
}

function judgeThreshold(value: number, threshold: NatsThreshold | undefined, what: string): Problem | undefined {
  const { degraded, unhealthy } = limits(threshold);
  if (unhealthy !== undefined && value > unhealthy) {
    return { status: 'unhealthy', message: `${what} ${value} (unhealthy above ${unhealthy})` };
  }
  if (degraded !== undefined && value > degraded) {
    return { status: 'degraded', message: `${what} ${value} (degraded above ${degraded})` };
  }
  return undefined;
}

function judgeConsumer(options: NatsConsumerCheckOptions, counts: NatsConsumerCounts): Problem[] {
  const label = `consumer "${options.consumer}" of stream "${options.stream}"`;
  const problems: Problem[] = [];
  const whenNoConsumers = options.whenNoConsumers ?? 'unhealthy';
  // Push: the server delivers unacknowledged messages again to whoever is bound, so those wait too.
  const waiting = counts.kind === 'push' ? counts.pending > 0 || counts.ackPending > 0 : counts.pending > 0;
  if (waiting && !counts.consuming && whenNoConsumers !== 'healthy') {
    const what =
      counts.kind === 'push'
        ? `${counts.pending} messages pending, ${counts.ackPending} unacknowledged, and no client is bound to it`
        : `${counts.pending} messages pending and no client is pulling from it`;
    problems.push({ status: whenNoConsumers, message: `${label}: ${what}` });
  }
  const whenPaused = options.whenPaused ?? 'degraded';
  if (counts.paused && whenPaused !== 'healthy') problems.push({ status: whenPaused, message: `${label}: paused` });
  for (const problem of [
    judgeThreshold(counts.pending, options.maxPending, `${label}: pending messages`),
    judgeThreshold(counts.ackPending, options.maxAckPending, `${label}: unacknowledged messages`),
    judgeThreshold(counts.redelivered, options.maxRedelivered, `${label}: redelivered messages`),
  ]) {
    if (problem) problems.push(problem);
  }
  return problems;
}

async function exercise(
  connection: NatsConnectionLike,
  options: NatsCheckOptions,
  context: ProbeContext,
  extra: Record<string, unknown>,
): Promise<ProbeResult> {
  const prefix = apiPrefixOf(options);
  const degradedAboveMs = options.degradedAboveMs ?? DEFAULT_DEGRADED_ABOVE_MS;
  const start = performance.now();
  const account = await api<{ streams?: number; consumers?: number }>(connection, `${prefix}.INFO`, context.deadline);
  const problems: Problem[] = [];
  const consumers: Record<string, NatsConsumerCounts> = {};
  const measurements: Measurement[] = [];
  for (const consumer of options.consumers ?? []) {
    context.signal.throwIfAborted();
    const key = `${consumer.stream}/${consumer.consumer}`;
    let info: RawConsumerInfo;
    try {
      info = await api<RawConsumerInfo>(
        connection,
        `${prefix}.CONSUMER.INFO.${consumer.stream}.${consumer.consumer}`,
        context.deadline,
      );
    } catch (error) {
      if (!(error instanceof JetStreamApiFailure) || error.body.code !== 404) throw error;
      problems.push({
        status: 'unhealthy',
        message:
          error.body.err_code === 10059
            ? `stream "${consumer.stream}" does not exist`
            : `consumer "${consumer.consumer}" of stream "${consumer.stream}" does not exist`,
      });
      continue;
    }
    const counts = countsOf(info);
    consumers[key] = counts;
    measurements.push(
      { measurement: `consumer.${key}.pending`, value: counts.pending },
      { measurement: `consumer.${key}.ackPending`, value: counts.ackPending },
      { measurement: `consumer.${key}.redelivered`, value: counts.redelivered },
    );
    problems.push(...judgeConsumer(consumer, counts));
  }
  const latencyMs = since(start);
  if (latencyMs > degradedAboveMs) {
    const message = `responded in ${latencyMs} ms (degraded above ${degradedAboveMs} ms)`;
    problems.push({ status: 'degraded', message });
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
    details: {
      type: TYPE,
      latency_ms: latencyMs,
      ...extra,
      jetstream: { streams: account.streams ?? 0, consumers: account.consumers ?? 0 },
      ...((options.consumers ?? []).length > 0 ? { consumers } : {}),
    },
    measurements: [{ measurement: 'responseTime', value: latencyMs, unit: 'ms' }, ...measurements],
    facts: { connected: true, ...(connectMs !== undefined ? { timings: { connect: connectMs } } : {}) },
    ...(ordered.length > 0 ? { error: ordered.map((p) => p.message).join('; ') } : {}),
  };
}

/** What the probe uses of `@nats-io/transport-node`. */
interface NatsTransportModule {
  connect(options: Record<string, unknown>): Promise<NatsConnectionLike & { close(): Promise<void> }>;
}

/** Servers without their credentials, and the credentials (explicit options win over the URL's). */
function connectOptions(options: NatsCheckOptions, timeoutMs: number): Record<string, unknown> {
  let user = options.user;
  let pass = options.pass;
  let token = options.token;
  const servers = serverList(options.servers).map((server) => {
    const url = new URL(server.includes('://') ? server : `nats://${server}`);
    if (url.password) {
      user ??= decodeURIComponent(url.username);
      pass ??= decodeURIComponent(url.password);
    } else if (url.username) {
      token ??= decodeURIComponent(url.username);
    }
    return `${url.protocol}//${url.host}`;
  });
  return {
    servers,
    ...(user !== undefined ? { user } : {}),
    ...(pass !== undefined ? { pass } : {}),
    ...(token !== undefined ? { token } : {}),
    name: 'vigil-health',
    timeout: timeoutMs,
    // One attempt per run: a down server must fail this run, not be retried behind it.
    reconnect: false,
    maxReconnectAttempts: 0,
  };
}

async function viaServers(
  options: NatsCheckOptions,
  context: ProbeContext,
  progress: { connected: boolean },
): Promise<ProbeResult> {
  const transport = await loadDriver(
    () => import('@nats-io/transport-node') as Promise<NatsTransportModule>,
    '@nats-io/transport-node',
    'nats',
  );
  context.signal.throwIfAborted();
  const connectStart = performance.now();
  const server = await firstAnswering(serverList(options.servers), context);
  const pending = transport.connect({
    ...connectOptions(options, backstopDelay(context.deadline)),
    servers: [server],
  });
  // A connection that completes after the deadline is closed as soon as it exists.
  pending.then(
    (late) => {
      if (context.signal.aborted) void late.close().catch(() => {});
    },
    () => {},
  );
  const connected = pending.catch((error: unknown) => {
    throw new Error(`cannot connect to NATS at ${redactUrl(server)}: ${errorMessage(error)}${causeOf(error)}`);
  });
  // nats.js cannot cancel a connect: an abort ends the wait, and the late connection is closed above.
  let stopWaiting = () => {};
  const aborted = new Promise<never>((_, reject) => {
    stopWaiting = onAbort(context.signal, () => reject(context.signal.reason ?? new Error('aborted')));
  });
  const open = await Promise.race([connected, aborted]).finally(() => stopWaiting());
  progress.connected = true;
  const connectMs = since(connectStart);
  // Closing rejects the requests in flight, so an abort ends the run at once.
  const stopListening = onAbort(context.signal, () => void open.close().catch(() => {}));
  try {
    context.signal.throwIfAborted();
    return await exercise(open, options, context, { connect_ms: connectMs });
  } finally {
    stopListening();
    await open.close().catch(() => {});
  }
}

/**
 * The first server (in the given order) that sends its INFO line, without credentials. Each is tried with a TCP
 * connection of its own, closed at once: nats.js leaves its socket open when a server accepts and never sends
 * INFO (a hung server, a load balancer without backends), so such a server must be found before it is asked.
 */
async function firstAnswering(servers: readonly string[], context: ProbeContext): Promise<string> {
  const failures: string[] = [];
  for (const server of servers) {
    const url = new URL(server.includes('://') ? server : `nats://${server}`);
    try {
      await awaitInfo(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 4222), context);
      return `${url.protocol}//${url.host}`;
    } catch (error) {
      context.signal.throwIfAborted();
      failures.push(`${redactUrl(server)}: ${errorMessage(error)}`);
    }
  }
  throw new Error(`cannot connect to NATS at ${failures.join('; ')}`);
}

function awaitInfo(host: string, port: number, context: ProbeContext): Promise<void> {
  context.signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port });
    let received = '';
    let stopListening = () => {};
    // For a direct caller whose signal never aborts; after the caller's own timeout otherwise.
    const backstop = setTimeout(
      () => finish(new Error('the server accepted the connection but sent nothing by the deadline')),
      backstopDelay(context.deadline),
    );
    const finish = (error?: unknown) => {
      clearTimeout(backstop);
      stopListening();
      socket.destroy();
      if (error === undefined) resolve();
      else reject(error);
    };
    stopListening = onAbort(context.signal, () => finish(context.signal.reason ?? new Error('aborted')));
    socket.on('error', (error) => finish(error));
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      if (!received.includes('\n') && received.length < 5) return;
      finish(received.startsWith('INFO ') ? undefined : new Error('the server did not greet like a NATS server'));
    });
    socket.on('close', () => finish(new Error('the server closed the connection before sending INFO')));
  });
}

/** nats.js keeps the socket error (ECONNREFUSED, ENOTFOUND) as the cause of its `connection refused`. */
function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown } | null)?.cause;
  if (cause === undefined) return '';
  const text = errorMessage(cause);
  return text && !errorMessage(error).includes(text) ? ` (${text})` : '';
}

/** Connects (or uses the given connection), checks JetStream and the consumers. */
export const natsProbe: Probe<NatsCheckOptions> = async (options, context) => {
  const secrets = secretsOf(options);
  const progress = { connected: options.connection !== undefined };
  try {
    validate(options);
    if (options.connection) return await exercise(options.connection, options, context, {});
    return await viaServers(options, context, progress);
  } catch (error) {
    return { ...failureResult(TYPE, explain(error), secrets), facts: { connected: progress.connected } };
  }
};

/** A NATS check: the server, JetStream and, optionally, consumers. Default name `nats`. */
export function natsCheck(options: NatsCheckOptions & CheckOptions): Check {
  validate(options);
  const { connection, servers, user, pass, token, domain, apiPrefix, consumers, degradedAboveMs } = options;
  const probeOptions: NatsCheckOptions = {
    connection,
    servers,
    user,
    pass,
    token,
    domain,
    apiPrefix,
    consumers,
    degradedAboveMs,
  };
  return defineCheck(
    { kind: 'nats', componentType: 'datastore' },
    options,
    (context) => natsProbe(probeOptions, context),
    secretsOf(options),
  );
}
