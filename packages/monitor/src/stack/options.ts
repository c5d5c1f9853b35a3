/**
 * What `vigil stack` is asked for: the targets to scrape, the alert thresholds and where alerts go. Parsed from
 * the command line's strings here, so every generator file receives values that are already valid.
 */

/** One Prometheus scrape target, taken apart from a full metrics URL. */
export interface ScrapeTarget {
  /** The URL as given (it never holds credentials: those are refused). */
  url: string;
  job: string;
  scheme: 'http' | 'https';
  /** `host:port`, the port always explicit. */
  address: string;
  metricsPath: string;
  /** Query parameters, for Prometheus's `params`. */
  params: Record<string, string[]>;
}

export interface Thresholds {
  /** JobQueueBacklog: waiting jobs in one queue. */
  backlog: number;
  /** FailedBackgroundJobs: jobs failed in one queue during the last hour. */
  failedJobs: number;
  /** DiskSpaceCritical: percent of the filesystem still free. */
  diskFreePercent: number;
  /** DatabaseSlow: seconds a database ping may take. */
  dbSlowSeconds: number;
  /** HighErrorRate: errors counted during the last hour. */
  errorRate: number;
  /** CertificateExpiringSoon: days left before the earliest certificate of a monitor expires. */
  certDays: number;
  /** NoSalesActivity (the business example): [from, to) in UTC hours. */
  businessHours: { from: number; to: number };
}

/** Where alerts can go; each needs one secret file (see alertmanager.ts). */
export const CHANNELS = ['email', 'slack', 'webhook'] as const;
export type Channel = (typeof CHANNELS)[number];

export interface Receivers {
  /** The channels configured, in CHANNELS order. */
  channels: Channel[];
  emailTo: string;
  emailFrom: string;
  smtpSmarthost: string;
  slackChannel: string;
  /** Where the webhook receiver posts; it is authenticated by a bearer token read from a secret file. */
  webhookUrl: string;
}

export interface StackOptions {
  /** The app's name: the Prometheus job of the app (`<name>`) and of its worker sidecar (`<name>-worker`). */
  name: string;
  app: ScrapeTarget;
  worker?: ScrapeTarget;
  monitor?: ScrapeTarget;
  thresholds: Thresholds;
  receivers: Receivers;
  /** Adds the example shop's business rule and panels (metric names in EXAMPLE_BUSINESS_METRICS). */
  businessExample: boolean;
}

/** The Prometheus job of the Vigil monitor (`vigil serve`). */
export const MONITOR_JOB = 'vigil-monitor';
/** The Prometheus job of node_exporter, which the compose file runs. */
export const NODE_JOB = 'node';

export const DEFAULT_THRESHOLDS: Thresholds = {
  backlog: 100,
  failedJobs: 10,
  diskFreePercent: 10,
  dbSlowSeconds: 0.5,
  errorRate: 50,
  certDays: 14,
  businessHours: { from: 10, to: 22 },
};

export const DEFAULT_RECEIVERS: Receivers = {
  channels: [...CHANNELS],
  emailTo: 'ops@example.com',
  emailFrom: 'alertmanager@example.com',
  smtpSmarthost: 'smtp.example.com:587',
  slackChannel: '#alerts',
  webhookUrl: 'http://alert-webhook.invalid:8080/alerts',
};

export const DEFAULT_NAME = 'app';

/** The command line's values, as commander hands them over (all strings; absent when not given). */
export interface RawStackOptions {
  name?: string;
  app?: string;
  worker?: string;
  monitor?: string;
  backlog?: string;
  failedJobs?: string;
  diskFreePercent?: string;
  dbSlowSeconds?: string;
  errorRate?: string;
  certDays?: string;
  businessHours?: string;
  businessExample?: boolean;
  receivers?: string;
  emailTo?: string;
  emailFrom?: string;
  smtpSmarthost?: string;
  slackChannel?: string;
  webhookUrl?: string;
}

/** An invalid option: the message names the flag and says what is expected. */
export class StackOptionError extends Error {
  override name = 'StackOptionError';
}

const fail = (flag: string, expected: string, got: string): never => {
  throw new StackOptionError(`${flag}: expected ${expected}, got ${JSON.stringify(got)}`);
};

const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

function positiveNumber(flag: string, raw: string | undefined, fallback: number, max = Infinity): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!NUMBER.test(raw.trim()) || !(value > 0) || value >= max) {
    fail(flag, max === Infinity ? 'a number greater than 0' : `a number greater than 0 and less than ${max}`, raw);
  }
  return value;
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.trim());
  if (!/^\d+$/.test(raw.trim()) || value < 1 || !Number.isSafeInteger(value)) fail(flag, 'a whole number ≥ 1', raw);
  return value;
}

function businessHours(raw: string | undefined): Thresholds['businessHours'] {
  if (raw === undefined) return DEFAULT_THRESHOLDS.businessHours;
  const match = /^(\d{1,2})-(\d{1,2})$/.exec(raw.trim());
  const from = Number(match?.[1]);
  const to = Number(match?.[2]);
  // The alert waits an hour without sales, so the window needs two; a whole day leaves no "outside" to test.
  if (!match || from > 23 || to > 24 || to - from < 2 || (from === 0 && to === 24)) {
    fail('--business-hours', 'FROM-TO in UTC hours, 0 ≤ FROM, FROM + 2 ≤ TO ≤ 24, not the whole day (e.g. 10-22)', raw);
  }
  return { from, to };
}

const NAME = /^[a-z][a-z0-9_-]{0,39}$/;

function appName(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_NAME;
  if (!NAME.test(raw)) fail('--name', 'lowercase letters, digits, - or _, starting with a letter (at most 40)', raw);
  return raw;
}

/** Takes a full metrics URL apart into a scrape job. Credentials in the URL are refused: they would be committed. */
export function parseTarget(flag: string, raw: string, job: string): ScrapeTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return fail(flag, 'a full metrics URL such as http://127.0.0.1:8000/metrics', raw);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    fail(flag, 'an http:// or https:// URL', raw);
  }
  if (url.username || url.password) {
    // Never echo the URL back: it holds a secret.
    throw new StackOptionError(
      `${flag}: the URL holds credentials; give it without them (they would end up in prometheus.yml, which is committed)`,
    );
  }
  if (url.hash) fail(flag, 'a URL without a #fragment', raw);
  const scheme = url.protocol === 'https:' ? 'https' : 'http';
  const port = url.port || (scheme === 'https' ? '443' : '80');
  const params: Record<string, string[]> = {};
  for (const [key, value] of url.searchParams) (params[key] ??= []).push(value);
  return {
    url: raw,
    job,
    scheme,
    address: `${url.hostname}:${port}`,
    metricsPath: url.pathname,
    params,
  };
}

const EMAIL = /^[^\s@,<>]+@[^\s@,<>]+\.[^\s@,<>]+$/;

function emails(flag: string, raw: string | undefined, fallback: string): string {
  if (raw === undefined) return fallback;
  const list = raw.split(',').map((part) => part.trim());
  if (list.length === 0 || list.some((address) => !EMAIL.test(address))) {
    fail(flag, 'an e-mail address, or several separated by commas', raw);
  }
  return list.join(', ');
}

function smarthost(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_RECEIVERS.smtpSmarthost;
  if (!/^[A-Za-z0-9.-]+:\d{1,5}$/.test(raw)) fail('--smtp-smarthost', 'HOST:PORT such as smtp.example.com:587', raw);
  return raw;
}

function slackChannel(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_RECEIVERS.slackChannel;
  if (!/^[#@][a-z0-9._-]{1,80}$/.test(raw)) fail('--slack-channel', 'a channel such as #alerts', raw);
  return raw;
}

function webhookUrl(raw: string | undefined): string {
  if (raw === undefined) return DEFAULT_RECEIVERS.webhookUrl;
  const target = parseTarget('--webhook-url', raw, 'webhook');
  if (Object.keys(target.params).length > 0) {
    // Webhook tokens usually travel in the query string; this one would be committed.
    throw new StackOptionError(
      '--webhook-url: the URL has a query string; give it without (a token there would be committed: the webhook ' +
        'authenticates with the bearer token in secrets/webhook_token instead)',
    );
  }
  return raw;
}

function channels(raw: string | undefined): Channel[] {
  if (raw === undefined) return [...CHANNELS];
  const given = raw.split(',').map((part) => part.trim());
  const valid = given.length > 0 && given.every((part) => (CHANNELS as readonly string[]).includes(part));
  if (!valid) fail('--receivers', `one or more of ${CHANNELS.join(',')} separated by commas`, raw);
  return CHANNELS.filter((channel) => given.includes(channel));
}

/** Validates the command line's strings; throws StackOptionError naming the first bad flag. */
export function parseStackOptions(raw: RawStackOptions): StackOptions {
  const name = appName(raw.name);
  if (raw.app === undefined) throw new StackOptionError('--app: the app’s metrics URL is required');
  const options: StackOptions = {
    name,
    app: parseTarget('--app', raw.app, name),
    thresholds: {
      backlog: wholeNumber('--backlog', raw.backlog, DEFAULT_THRESHOLDS.backlog),
      failedJobs: wholeNumber('--failed-jobs', raw.failedJobs, DEFAULT_THRESHOLDS.failedJobs),
      diskFreePercent: positiveNumber(
        '--disk-free-percent',
        raw.diskFreePercent,
        DEFAULT_THRESHOLDS.diskFreePercent,
        100,
      ),
      dbSlowSeconds: positiveNumber('--db-slow-seconds', raw.dbSlowSeconds, DEFAULT_THRESHOLDS.dbSlowSeconds),
      errorRate: positiveNumber('--error-rate', raw.errorRate, DEFAULT_THRESHOLDS.errorRate),
      certDays: wholeNumber('--cert-days', raw.certDays, DEFAULT_THRESHOLDS.certDays),
      businessHours: businessHours(raw.businessHours),
    },
    receivers: {
      channels: channels(raw.receivers),
      emailTo: emails('--email-to', raw.emailTo, DEFAULT_RECEIVERS.emailTo),
      emailFrom: emails('--email-from', raw.emailFrom, DEFAULT_RECEIVERS.emailFrom),
      smtpSmarthost: smarthost(raw.smtpSmarthost),
      slackChannel: slackChannel(raw.slackChannel),
      webhookUrl: webhookUrl(raw.webhookUrl),
    },
    businessExample: raw.businessExample === true,
  };
  if (options.receivers.emailFrom.includes(',')) fail('--email-from', 'one e-mail address', raw.emailFrom ?? '');
  if (raw.worker !== undefined) options.worker = parseTarget('--worker', raw.worker, `${name}-worker`);
  if (raw.monitor !== undefined) options.monitor = parseTarget('--monitor', raw.monitor, MONITOR_JOB);
  return options;
}

/** The `vigil stack` command line that produces these options (defaults left out), for READMEs and messages. */
export function commandLine(options: StackOptions, out = 'DIR'): string {
  const args: string[] = ['vigil stack', `--out ${out}`];
  if (options.name !== DEFAULT_NAME) args.push(`--name ${options.name}`);
  args.push(`--app ${options.app.url}`);
  if (options.worker) args.push(`--worker ${options.worker.url}`);
  if (options.monitor) args.push(`--monitor ${options.monitor.url}`);
  const t = options.thresholds;
  const d = DEFAULT_THRESHOLDS;
  if (t.backlog !== d.backlog) args.push(`--backlog ${t.backlog}`);
  if (t.failedJobs !== d.failedJobs) args.push(`--failed-jobs ${t.failedJobs}`);
  if (t.diskFreePercent !== d.diskFreePercent) args.push(`--disk-free-percent ${t.diskFreePercent}`);
  if (t.dbSlowSeconds !== d.dbSlowSeconds) args.push(`--db-slow-seconds ${t.dbSlowSeconds}`);
  if (t.errorRate !== d.errorRate) args.push(`--error-rate ${t.errorRate}`);
  if (t.certDays !== d.certDays) args.push(`--cert-days ${t.certDays}`);
  if (options.businessExample) args.push('--business-example');
  if (t.businessHours.from !== d.businessHours.from || t.businessHours.to !== d.businessHours.to) {
    args.push(`--business-hours ${t.businessHours.from}-${t.businessHours.to}`);
  }
  const r = options.receivers;
  const dr = DEFAULT_RECEIVERS;
  if (r.channels.join(',') !== dr.channels.join(',')) args.push(`--receivers ${r.channels.join(',')}`);
  if (r.emailTo !== dr.emailTo) args.push(`--email-to '${r.emailTo.replace(/ /g, '')}'`);
  if (r.emailFrom !== dr.emailFrom) args.push(`--email-from ${r.emailFrom}`);
  if (r.smtpSmarthost !== dr.smtpSmarthost) args.push(`--smtp-smarthost ${r.smtpSmarthost}`);
  if (r.slackChannel !== dr.slackChannel) args.push(`--slack-channel '${r.slackChannel}'`);
  if (r.webhookUrl !== dr.webhookUrl) args.push(`--webhook-url ${r.webhookUrl}`);
  return args.join(' ');
}
