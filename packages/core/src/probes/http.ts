import { type Check, type CheckOptions, defineCheck } from '../check.js';
import { errorMessage, type Probe, type ProbeContext, type ProbeResult, round2 } from '../probe.js';
import { redactUrl, sanitizeMessage, secretsInUrl } from '../sanitize.js';

/** One status (`204`), a class (`'2xx'`), a range (`'200-299'`), or a list of these. */
export type ExpectedStatus = number | string | ReadonlyArray<number | string>;

export interface HttpProbeOptions {
  /** Credentials in the URL (`https://user:pass@host`) are sent as basic auth and redacted everywhere. */
  url: string | URL;
  /** Default `GET`. */
  method?: string;
  headers?: Record<string, string>;
  /** Default `'200-399'`: a redirect answers, but is not followed unless `followRedirects` is set. */
  expectedStatus?: ExpectedStatus;
  /** Default false: a redirect to a login page or another host should not pass for the service itself. */
  followRedirects?: boolean;
  /** Degraded when the response headers take longer than this. */
  degradedAboveMs?: number;
}

export interface HttpCheckOptions extends HttpProbeOptions, CheckOptions {}

interface PreparedRequest {
  url: string;
  /** Safe to show. */
  shownUrl: string;
  init: RequestInit;
  method: string;
  accepts: (status: number) => boolean;
  expected: string;
  degradedAboveMs?: number;
  secrets: string[];
}

const SENSITIVE_HEADER = /authorization|cookie|token|secret|key|password/i;

function statusMatcher(expected: ExpectedStatus): (status: number) => boolean {
  const items = typeof expected === 'number' || typeof expected === 'string' ? [expected] : expected;
  if (items.length === 0) throw new TypeError('http: expectedStatus must not be empty');
  const ranges = items.map((item): [number, number] => {
    const text = String(item).trim();
    let match = /^([1-5])xx$/i.exec(text);
    if (match) return [Number(match[1]) * 100, Number(match[1]) * 100 + 99];
    match = /^(\d{3})\s*-\s*(\d{3})$/.exec(text);
    if (match && Number(match[1]) <= Number(match[2])) return [Number(match[1]), Number(match[2])];
    if (/^\d{3}$/.test(text)) return [Number(text), Number(text)];
    throw new TypeError(`http: expectedStatus "${text}" is not a status, a class like '2xx' or a range like '200-299'`);
  });
  return (status) => ranges.some(([low, high]) => status >= low && status <= high);
}

function prepare(options: HttpProbeOptions): PreparedRequest {
  const raw = String(options.url);
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new TypeError(`http: invalid url "${sanitizeMessage(raw)}"`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(`http: url must be http or https, got "${parsed.protocol}"`);
  }
  const method = (options.method ?? 'GET').toUpperCase();
  if (options.degradedAboveMs !== undefined && !(options.degradedAboveMs >= 0)) {
    throw new TypeError('http: degradedAboveMs must be zero or more milliseconds');
  }
  const expected = options.expectedStatus ?? '200-399';
  const secrets = secretsInUrl(raw);
  const headers = new Headers(options.headers);
  for (const [name, value] of headers) if (SENSITIVE_HEADER.test(name)) secrets.push(value);
  // fetch refuses URLs with credentials; send them the way a browser would.
  if (parsed.username || parsed.password) {
    const basic = Buffer.from(
      `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`,
      'utf8',
    ).toString('base64');
    if (!headers.has('authorization')) headers.set('authorization', `Basic ${basic}`);
    secrets.push(basic);
    parsed.username = '';
    parsed.password = '';
  }
  return {
    url: parsed.toString(),
    shownUrl: redactUrl(raw),
    method,
    init: { method, headers, redirect: options.followRedirects ? 'follow' : 'manual' },
    accepts: statusMatcher(expected),
    expected: Array.isArray(expected) ? expected.join(', ') : String(expected),
    ...(options.degradedAboveMs !== undefined ? { degradedAboveMs: options.degradedAboveMs } : {}),
    secrets,
  };
}

async function request(prepared: PreparedRequest, context: ProbeContext): Promise<ProbeResult> {
  const started = performance.now();
  let response: Response;
  try {
    response = await fetch(prepared.url, { ...prepared.init, signal: context.signal });
  } catch (error) {
    return {
      status: 'unhealthy',
      details: { url: prepared.shownUrl },
      error: `${prepared.method} ${prepared.shownUrl} failed: ${fetchErrorMessage(error)}`,
    };
  }
  const latencyMs = round2(performance.now() - started);
  // The body is not needed; cancelling it closes the stream so the socket is not held until GC.
  await response.body?.cancel().catch(() => {});

  const result: ProbeResult = {
    status: 'healthy',
    details: { status_code: response.status, url: prepared.shownUrl, latency_ms: latencyMs },
    measurements: [{ measurement: 'responseTime', value: latencyMs, unit: 'ms' }],
  };
  if (!prepared.accepts(response.status)) {
    result.status = 'unhealthy';
    result.error = `${prepared.method} ${prepared.shownUrl} returned status ${response.status} (expected ${prepared.expected})`;
  } else if (prepared.degradedAboveMs !== undefined && latencyMs > prepared.degradedAboveMs) {
    result.status = 'degraded';
    result.error = `${prepared.method} ${prepared.shownUrl} took ${latencyMs} ms (above ${prepared.degradedAboveMs} ms)`;
  }
  return result;
}

/** Node's fetch rejects with "fetch failed" and keeps the real reason (ECONNREFUSED, ENOTFOUND…) in `cause`. */
function fetchErrorMessage(error: unknown): string {
  if (error instanceof TypeError && error.cause !== undefined) return errorMessage(error.cause);
  return errorMessage(error);
}

export const httpProbe: Probe<HttpProbeOptions> = (options, context) => request(prepare(options), context);

/** An HTTP dependency answers with an expected status. */
export function httpCheck(options: HttpCheckOptions): Check {
  const prepared = prepare(options);
  return defineCheck(
    { kind: 'http', componentType: 'component' },
    options,
    (context) => request(prepared, context),
    prepared.secrets,
  );
}
