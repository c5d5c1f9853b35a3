import type { ConditionContext } from './conditions/placeholders.js';
import type { Status } from './status.js';

/**
 * One observed value with its unit, as health+json wants it
 * (`observedValue` / `observedUnit`, keyed `component:measurement`).
 */
export interface Measurement {
  /** e.g. `responseTime`, `utilization`, `connections`. */
  measurement: string;
  value: number | string | boolean;
  /** e.g. `ms`, `percent`, `bytes`, `s`. */
  unit?: string;
}

/**
 * What a probe observed. Every probe kind returns this shape; the caller adds timing.
 */
export interface ProbeResult {
  status: Status;
  /** Observed values for the Vigil JSON format; keys carry their unit (`free_gb`, `latency_ms`). */
  details?: Record<string, unknown>;
  /** Observed values for health+json. When absent, the check's response time is reported. */
  measurements?: Measurement[];
  /** Why the status is not healthy (already sanitized by the probe). */
  error?: string;
  /** What the monitor stores and what conditions read (network probes fill in what they observed). */
  facts?: ProbeFacts;
}

/** Time spent per phase of a network check, in milliseconds; a phase not reached (or not used) is absent. */
export interface ProbeTimings {
  /** Resolving the host name (absent for an IP address). */
  dns?: number;
  /** The TCP handshake. */
  connect?: number;
  /** The TLS handshake. */
  tls?: number;
  /** From the connection being ready (request sent) to the response headers. */
  firstByte?: number;
  /** From the response headers to the end of the body (as much of it as was read). */
  transfer?: number;
}

/** One condition's outcome, in Gatus's output form (`[STATUS] (500) == 200`). */
export interface ProbeConditionOutcome {
  condition: string;
  success: boolean;
  output: string;
}

/**
 * What a network probe observed, in a shape shared by every kind: the monitor stores it, `conditionContext`
 * turns it into what conditions read. Every field is optional: a probe fills in what it saw.
 */
export interface ProbeFacts {
  /** HTTP status code of the (final) response. */
  statusCode?: number;
  timings?: ProbeTimings;
  /** The response body as text, at most the probe's body limit. */
  body?: string;
  /** True when the body was longer than the limit and only its start was read. */
  bodyTruncated?: boolean;
  /** When the earliest certificate of the presented chain expires, epoch milliseconds. */
  certificateExpiresAt?: number;
  /** The address connected to; for an A or AAAA query, the first address answered. */
  ip?: string;
  /** Whether a connection was established. */
  connected?: boolean;
  /** DNS response code: `NOERROR`, `NXDOMAIN`, `SERVFAIL`, `REFUSED`, … */
  dnsRcode?: string;
  /** DNS answers as text (`93.184.216.34`, `10 mail.example.com`, …). */
  dnsAnswers?: string[];
  /** Component statuses reported by a health endpoint (`database` → `unhealthy`). */
  components?: Record<string, Status>;
  /** Outcomes of the conditions the probe evaluated, in order. */
  conditions?: ProbeConditionOutcome[];
}

/**
 * The condition placeholders filled from a probe's facts: `[STATUS]`, `[BODY]`, `[RESPONSE_TIME]` (from
 * `durationMs`), `[CERTIFICATE_EXPIRATION]` (milliseconds left at `now`), `[CONNECTED]`, `[DNS_RCODE]`, `[IP]`.
 */
export function conditionContext(
  facts: ProbeFacts | undefined,
  durationMs: number,
  now: number = Date.now(),
): ConditionContext {
  const context: ConditionContext = { responseTimeMs: durationMs };
  if (!facts) return context;
  if (facts.statusCode !== undefined) context.status = facts.statusCode;
  if (facts.body !== undefined) context.body = facts.body;
  if (facts.certificateExpiresAt !== undefined) context.certificateExpirationMs = facts.certificateExpiresAt - now;
  if (facts.connected !== undefined) context.connected = facts.connected;
  if (facts.dnsRcode !== undefined) context.dnsRcode = facts.dnsRcode;
  if (facts.ip !== undefined) context.ip = facts.ip;
  return context;
}

export interface ProbeContext {
  /**
   * Aborted when the deadline passes or the caller gives up: the caller owns the deadline and aborts this signal
   * at it (its reason, e.g. `timed out after 5000 ms`, is what a probe reports). Probes pass it to their drivers.
   */
  signal: AbortSignal;
  /** Epoch milliseconds after which the result is no longer wanted. */
  deadline: number;
  /**
   * The clock that judges what was observed (how soon a certificate expires, `[CERTIFICATE_EXPIRATION]`). Default
   * `Date.now`; the monitor passes its own so that judging follows its clock.
   */
  now?: () => number;
}

/**
 * The one signature every probe kind has (cf. blackbox_exporter's ProbeFn): options, an abort signal and a
 * deadline in; an observation out. A probe may throw: the caller turns that into `unhealthy`. A probe does not
 * have to honour the deadline itself — `runProbe` enforces it.
 */
export type Probe<Options> = (options: Options, context: ProbeContext) => Promise<ProbeResult>;

/** The observation plus what the caller measured around it. */
export interface Observation extends ProbeResult {
  /** Wall time from start until the result (or the timeout), in milliseconds. */
  durationMs: number;
  /** When the probe started (epoch ms). */
  startedAt: number;
  /** True when the deadline cut the probe off. */
  timedOut: boolean;
}

export interface RunProbeOptions {
  timeoutMs: number;
  /** An outer signal (e.g. shutdown) that also cancels the probe. */
  signal?: AbortSignal;
  /** Injected clock for tests. */
  now?: () => number;
  /** Redacts secrets from thrown errors; probes that know their secrets pass them. */
  sanitize?: (message: string) => string;
}

export class ProbeTimeoutError extends Error {
  constructor(timeoutMs: number) {
    super(`timed out after ${timeoutMs} ms`);
    this.name = 'ProbeTimeoutError';
  }
}

/**
 * Runs a probe under a deadline enforced here, not trusted to the driver: when the timer fires the signal is
 * aborted and the result is `unhealthy` at once, whether or not the driver ever returns. A throwing probe
 * becomes `unhealthy` with its (sanitized) message. Never rejects.
 */
export async function runProbe(
  run: (context: ProbeContext) => Promise<ProbeResult>,
  options: RunProbeOptions,
): Promise<Observation> {
  const now = options.now ?? Date.now;
  const sanitize = options.sanitize ?? ((m: string) => m);
  const startedAt = now();
  const perf = performance.now();
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort(options.signal.reason);

  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), options.timeoutMs);
    timer.unref?.();
  });
  const aborted = new Promise<'aborted'>((resolve) => {
    if (controller.signal.aborted) resolve('aborted');
    controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true });
  });

  const elapsed = () => round2(performance.now() - perf);
  try {
    const outcome = await Promise.race([
      Promise.resolve()
        .then(() => run({ signal: controller.signal, deadline: startedAt + options.timeoutMs }))
        .then(
          (result) => ({ kind: 'result' as const, result }),
          (error: unknown) => ({ kind: 'error' as const, error }),
        ),
      timeout,
      aborted,
    ]);
    if (outcome === 'timeout') {
      controller.abort(new ProbeTimeoutError(options.timeoutMs));
      return {
        status: 'unhealthy',
        error: `timed out after ${options.timeoutMs} ms`,
        durationMs: elapsed(),
        startedAt,
        timedOut: true,
      };
    }
    if (outcome === 'aborted') {
      return { status: 'unhealthy', error: 'aborted', durationMs: elapsed(), startedAt, timedOut: false };
    }
    if (outcome.kind === 'error') {
      return {
        status: 'unhealthy',
        error: sanitize(errorMessage(outcome.error)),
        durationMs: elapsed(),
        startedAt,
        timedOut: false,
      };
    }
    const result = outcome.result;
    return {
      ...result,
      ...(result.error !== undefined ? { error: sanitize(result.error) } : {}),
      durationMs: elapsed(),
      startedAt,
      timedOut: false,
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    // Let drivers that listen on the signal release what they hold once the result is in.
    if (!controller.signal.aborted) controller.abort(new Error('probe finished'));
  }
}

/** A readable message from anything thrown, including AggregateError (e.g. ECONNREFUSED on ::1 and 127.0.0.1). */
export function errorMessage(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    const inner = error.errors.map((e) => errorMessage(e));
    return [...new Set(inner)].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const message = error.message || error.name;
    if (typeof code === 'string' && message && !message.includes(code)) return `${code}: ${message}`;
    return message || (typeof code === 'string' ? code : 'unknown error');
  }
  if (typeof error === 'string') return error;
  return 'unknown error';
}

export function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
