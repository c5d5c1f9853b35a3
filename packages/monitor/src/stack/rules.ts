/**
 * `alert_rules.yml`: the Prometheus alerting rules. Each rule carries the promtool cases that prove it (one where
 * it fires, at least one where it stays silent), so a rule and its test cannot drift apart; rule-tests.ts writes
 * them out.
 */
import { yamlFile, GENERATED_NOTICE } from './format.js';
import { EXAMPLE_BUSINESS_METRICS } from './promql.js';
import { MONITOR_JOB, type ScrapeTarget, type StackOptions } from './options.js';

export type Severity = 'critical' | 'warning' | 'info';

export interface InputSeries {
  series: string;
  values: string;
}

/** A firing alert the test expects; `value` is what `{{ $value }}` renders to in the annotations. */
export interface ExpectedAlert {
  labels: Record<string, string>;
  value: number;
}

export interface RuleEval {
  /** Offset from the Unix epoch, as promtool wants it (`15m`, `11h30m`). */
  at: string;
  alerts: ExpectedAlert[];
}

/** One promtool test group: input series sampled every minute from time 0, and evaluations of the rule. */
export interface RuleCase {
  name: string;
  series: InputSeries[];
  evals: RuleEval[];
}

export interface AlertRule {
  alert: string;
  expr: string;
  for: string;
  severity: Severity;
  summary: string;
  description: string;
  cases: RuleCase[];
}

export interface RuleGroup {
  name: string;
  rules: AlertRule[];
}

type Labels = Record<string, string>;

const selector = (metric: string, labels: Labels): string =>
  `${metric}{${Object.entries(labels)
    .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
    .join(', ')}}`;

const targetLabels = (target: ScrapeTarget): Labels => ({ job: target.job, instance: target.address });

/** A value that stays put for `minutes` samples. */
const constant = (value: number, minutes: number) => `${value}+0x${minutes}`;

/** A counter rising by `perHour` an hour, sampled every minute. */
const counter = (perHour: number, minutes: number) => `0+${perHour / 60}x${minutes}`;

/** Twice the threshold, to two significant digits: clearly above it and rendered without rounding noise. */
export const above = (threshold: number): number => Number((threshold * 2).toPrecision(2));
/** Half the threshold, to two significant digits. */
export const below = (threshold: number): number => Number((threshold / 2).toPrecision(2));
/** Three quarters of the threshold: below it alone, above it twice over. */
const half = (threshold: number): number => Number((threshold * 0.75).toPrecision(2));

const minutes = (text: string): number => {
  const match = /^(\d+)([mh])$/.exec(text);
  if (!match) throw new Error(`unsupported duration ${text}`);
  return Number(match[1]) * (match[2] === 'h' ? 60 : 1);
};

const spoken = (text: string): string => {
  const count = Number(text.slice(0, -1));
  const unit = text.endsWith('h') ? 'hour' : 'minute';
  return `${count === 1 ? 'one' : count} ${unit}${count === 1 ? '' : 's'}`;
};

/** Formats minutes as promtool's eval_time (`90m` stays readable as `1h30m`). */
export const at = (total: number): string => {
  const hours = Math.floor(total / 60);
  const rest = total % 60;
  if (hours === 0) return `${rest}m`;
  return rest === 0 ? `${hours}h` : `${hours}h${rest}m`;
};

interface GaugeRule {
  alert: string;
  expr: string;
  for: string;
  severity: Severity;
  summary: string;
  description: string;
  metric: string;
  labels: Labels;
  /** A value that makes the rule fire, and one that does not. */
  firing: number;
  quiet: number;
  /** Other series present in both cases (they must not change the outcome). */
  extra?: InputSeries[];
  /**
   * For an expression that aggregates (`max by (queue) (…)`): the labels it keeps, and the labels of a second
   * target serving the same series — both firing must give one alert, not two.
   */
  aggregated?: { kept: readonly string[]; alsoFrom: Labels };
}

/** A rule on one gauge compared with a threshold: fires after `for`, not before, and not on the quiet value. */
function gaugeRule(rule: GaugeRule): AlertRule {
  const wait = minutes(rule.for);
  const length = wait + 5;
  const input = (value: number): InputSeries[] => [
    { series: selector(rule.metric, rule.labels), values: constant(value, length) },
    ...(rule.extra ?? []),
  ];
  const aggregated = rule.aggregated;
  const alertLabels = aggregated
    ? Object.fromEntries(aggregated.kept.map((key) => [key, rule.labels[key] ?? '']))
    : rule.labels;
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.for,
    severity: rule.severity,
    summary: rule.summary,
    description: rule.description,
    cases: [
      {
        name: `${rule.alert} fires once ${rule.metric} has been ${rule.firing} for ${rule.for}`,
        series: input(rule.firing),
        evals: [
          { at: at(wait - 1), alerts: [] },
          { at: at(wait + 2), alerts: [{ labels: alertLabels, value: rule.firing }] },
        ],
      },
      {
        name: `${rule.alert} stays silent while ${rule.metric} is ${rule.quiet}`,
        series: input(rule.quiet),
        evals: [{ at: at(wait + 2), alerts: [] }],
      },
      ...(aggregated
        ? [
            {
              name: `${rule.alert} fires once when two targets serve the same ${rule.metric}`,
              series: [
                ...input(rule.firing),
                {
                  series: selector(rule.metric, { ...rule.labels, ...aggregated.alsoFrom }),
                  values: constant(rule.firing, length),
                },
              ],
              evals: [{ at: at(wait + 2), alerts: [{ labels: alertLabels, value: rule.firing }] }],
            },
          ]
        : []),
    ],
  };
}

interface CounterRule {
  alert: string;
  expr: string;
  for: string;
  severity: Severity;
  summary: string;
  description: string;
  metric: string;
  labels: Labels;
  /** The labels the expression keeps (it sums over the others). */
  kept: readonly string[];
  threshold: number;
  /** Another target counting the same thing: its counts add up with the first's (each alone stays below). */
  alsoFrom?: Labels;
}

/** A rule on a counter's increase over one hour: the window is full at 90m, after ramping up from time 0. */
function counterRule(rule: CounterRule): AlertRule {
  const kept = Object.fromEntries(rule.kept.map((key) => [key, rule.labels[key] ?? '']));
  const length = 95;
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.for,
    severity: rule.severity,
    summary: rule.summary,
    description: rule.description,
    cases: [
      {
        name: `${rule.alert} fires on ${above(rule.threshold)} an hour`,
        series: [{ series: selector(rule.metric, rule.labels), values: counter(above(rule.threshold), length) }],
        evals: [
          { at: at(10), alerts: [] },
          { at: at(90), alerts: [{ labels: kept, value: above(rule.threshold) }] },
        ],
      },
      {
        name: `${rule.alert} stays silent on ${below(rule.threshold)} an hour`,
        series: [{ series: selector(rule.metric, rule.labels), values: counter(below(rule.threshold), length) }],
        evals: [{ at: at(90), alerts: [] }],
      },
      ...(rule.alsoFrom
        ? [
            {
              name: `${rule.alert} adds up two targets, each below the threshold`,
              series: [rule.labels, { ...rule.labels, ...rule.alsoFrom }].map((labels) => ({
                series: selector(rule.metric, labels),
                values: counter(half(rule.threshold), length),
              })),
              evals: [{ at: at(90), alerts: [{ labels: kept, value: 2 * half(rule.threshold) }] }],
            },
          ]
        : []),
    ],
  };
}

/** The label matcher for series the app or its worker sidecar serve. */
function appJobs(options: StackOptions): string {
  return options.worker ? `job=~"${options.app.job}|${options.worker.job}"` : `job="${options.app.job}"`;
}

function appRules(options: StackOptions): AlertRule[] {
  const { app, name } = options;
  const t = options.thresholds;
  const labels = targetLabels(app);
  const jobs = appJobs(options);
  const percent = `${t.diskFreePercent}%`;
  const slow = humanizeSeconds(t.dbSlowSeconds);
  return [
    gaugeRule({
      alert: 'AppDown',
      expr: `up{job="${app.job}"} == 0`,
      for: '2m',
      severity: 'critical',
      summary: `${name} is down`,
      description: `Prometheus has not been able to scrape {{ $labels.instance }} for ${spoken('2m')}: the app is down or unreachable.`,
      metric: 'up',
      labels,
      firing: 0,
      quiet: 1,
    }),
    gaugeRule({
      alert: 'AppUnhealthy',
      expr: `vigil_health_status{job="${app.job}"} == 0`,
      for: '2m',
      severity: 'critical',
      summary: `${name} reports itself unhealthy`,
      description: `{{ $labels.instance }} has answered /health with 503 for ${spoken('2m')}: a critical check is failing (see CheckUnhealthy).`,
      metric: 'vigil_health_status',
      labels,
      firing: 0,
      // Degraded still serves.
      quiet: 0.5,
    }),
    gaugeRule({
      alert: 'CheckUnhealthy',
      expr: `vigil_check_up{${jobs}} == 0`,
      for: '2m',
      severity: 'warning',
      summary: 'Check {{ $labels.check }} is failing',
      description: `The {{ $labels.check }} check of {{ $labels.job }} on {{ $labels.instance }} has been unhealthy for ${spoken('2m')}.`,
      metric: 'vigil_check_up',
      labels: { ...labels, check: 'redis' },
      firing: 0,
      quiet: 1,
    }),
    counterRule({
      alert: 'HighErrorRate',
      expr: `sum by (job, instance) (increase(vigil_errors_total{${jobs}}[1h])) > ${t.errorRate}`,
      for: '5m',
      severity: 'warning',
      summary: `High error rate on ${name}`,
      description: `{{ $labels.instance }} counted {{ $value | humanize }} errors during the last hour (threshold ${t.errorRate}).`,
      metric: 'vigil_errors_total',
      labels: { ...labels, kind: 'http' },
      kept: ['job', 'instance'],
      threshold: t.errorRate,
    }),
    gaugeRule({
      alert: 'SchedulerDisabled',
      expr: `vigil_scheduler_enabled{${jobs}} == 0`,
      for: '5m',
      severity: 'critical',
      summary: `The scheduler of ${name} is disabled`,
      description: `{{ $labels.instance }} has reported its scheduler disabled for ${spoken('5m')}: recurring jobs are not running.`,
      metric: 'vigil_scheduler_enabled',
      labels,
      firing: 0,
      quiet: 1,
    }),
    diskRule(options, jobs, percent),
    gaugeRule({
      alert: 'DatabaseSlow',
      expr: `vigil_db_ping_seconds{${jobs}} > ${t.dbSlowSeconds}`,
      for: '5m',
      severity: 'warning',
      summary: 'Database {{ $labels.check }} is slow',
      description: `A ping of {{ $labels.check }} ({{ $labels.type }}) from {{ $labels.instance }} takes {{ $value | humanizeDuration }} (threshold ${slow}).`,
      metric: 'vigil_db_ping_seconds',
      labels: { ...labels, check: 'database', type: 'postgres' },
      firing: above(t.dbSlowSeconds),
      quiet: below(t.dbSlowSeconds),
    }),
  ];
}

function humanizeSeconds(seconds: number): string {
  return seconds >= 1 ? `${seconds}s` : `${Number((seconds * 1000).toPrecision(6))}ms`;
}

function diskRule(options: StackOptions, jobs: string, percent: string): AlertRule {
  const t = options.thresholds;
  const labels = { ...targetLabels(options.app), check: 'disk', path: '/' };
  const wait = 5;
  const total = 100e9;
  const firing = below(t.diskFreePercent);
  const quiet = Number(((t.diskFreePercent + 100) / 2).toPrecision(2));
  const input = (freePercent: number): InputSeries[] => [
    { series: selector('vigil_disk_free_bytes', labels), values: constant((freePercent / 100) * total, wait + 5) },
    { series: selector('vigil_disk_total_bytes', labels), values: constant(total, wait + 5) },
  ];
  return {
    alert: 'DiskSpaceCritical',
    expr: `vigil_disk_free_bytes{${jobs}} / vigil_disk_total_bytes{${jobs}} * 100 < ${t.diskFreePercent}`,
    for: `${wait}m`,
    severity: 'critical',
    summary: 'Disk space critically low on {{ $labels.instance }}',
    description: `{{ $labels.path }} on {{ $labels.instance }} has {{ $value | humanize }}% free (threshold ${percent}).`,
    cases: [
      {
        name: `DiskSpaceCritical fires with ${firing}% free`,
        series: input(firing),
        evals: [
          { at: at(wait - 1), alerts: [] },
          { at: at(wait + 2), alerts: [{ labels, value: firing }] },
        ],
      },
      {
        name: `DiskSpaceCritical stays silent with ${quiet}% free`,
        series: input(quiet),
        evals: [{ at: at(wait + 2), alerts: [] }],
      },
    ],
  };
}

function jobRules(options: StackOptions): AlertRule[] {
  const t = options.thresholds;
  const jobs = appJobs(options);
  // Queue metrics come from the job checks, which run in the worker sidecar when there is one — and often in the
  // app (and each of its replicas) too: the gauges, read from Redis, are the same everywhere, so the rules take
  // one per queue (max); the counters count each process's own jobs, so they add up (sum).
  const labels = { ...targetLabels(options.worker ?? options.app), queue: 'emails' };
  const alsoFrom = { ...targetLabels(options.app), instance: `${options.app.address}-replica` };
  return [
    gaugeRule({
      alert: 'JobQueueBacklog',
      expr: `max by (queue) (vigil_queue_jobs{${jobs}, state="waiting"}) > ${t.backlog}`,
      for: '10m',
      severity: 'warning',
      summary: 'Queue {{ $labels.queue }} is backing up',
      description: `Queue {{ $labels.queue }} has had more than ${t.backlog} waiting jobs for ${spoken('10m')} (now {{ $value | humanize }}).`,
      metric: 'vigil_queue_jobs',
      labels: { ...labels, state: 'waiting' },
      firing: above(t.backlog),
      quiet: below(t.backlog),
      aggregated: { kept: ['queue'], alsoFrom },
      // Many active or failed jobs are not a backlog.
      extra: [
        {
          series: selector('vigil_queue_jobs', { ...labels, state: 'active' }),
          values: constant(above(t.backlog), 15),
        },
      ],
    }),
    counterRule({
      alert: 'FailedBackgroundJobs',
      expr: `sum by (queue) (increase(vigil_queue_jobs_failed_total{${jobs}}[1h])) > ${t.failedJobs}`,
      for: '5m',
      severity: 'warning',
      summary: 'Jobs are failing in queue {{ $labels.queue }}',
      description: `{{ $value | humanize }} jobs of queue {{ $labels.queue }} failed during the last hour (threshold ${t.failedJobs}).`,
      metric: 'vigil_queue_jobs_failed_total',
      labels,
      kept: ['queue'],
      threshold: t.failedJobs,
      alsoFrom,
    }),
    gaugeRule({
      alert: 'QueueHasNoWorkers',
      expr: `max by (queue) (vigil_queue_workers{${jobs}}) == 0`,
      for: '5m',
      severity: 'critical',
      summary: 'No worker consumes queue {{ $labels.queue }}',
      description: `Queue {{ $labels.queue }} has had no worker for ${spoken('5m')}: its jobs wait until one comes back.`,
      metric: 'vigil_queue_workers',
      labels,
      firing: 0,
      quiet: 2,
      aggregated: { kept: ['queue'], alsoFrom },
    }),
  ];
}

function workerRules(options: StackOptions, worker: ScrapeTarget): AlertRule[] {
  const labels = targetLabels(worker);
  return [
    gaugeRule({
      alert: 'WorkerDown',
      expr: `up{job="${worker.job}"} == 0`,
      for: '2m',
      severity: 'critical',
      summary: `The ${options.name} worker is down`,
      description: `Prometheus has not been able to scrape the worker sidecar {{ $labels.instance }} for ${spoken('2m')}: the worker process is down or unreachable.`,
      metric: 'up',
      labels,
      firing: 0,
      quiet: 1,
    }),
    gaugeRule({
      alert: 'WorkerUnhealthy',
      expr: `vigil_worker_up{job="${worker.job}"} == 0`,
      for: '2m',
      severity: 'critical',
      summary: `The ${options.name} worker is unhealthy`,
      description: `The worker sidecar on {{ $labels.instance }} has reported the worker unhealthy for ${spoken('2m')} (event loop blocked or its checks failing).`,
      metric: 'vigil_worker_up',
      labels,
      firing: 0,
      quiet: 1,
    }),
  ];
}

function monitorRules(options: StackOptions, monitor: ScrapeTarget): AlertRule[] {
  const labels = targetLabels(monitor);
  const days = options.thresholds.certDays;
  const status = (name: string, type: string, value: string, current: number): InputSeries => ({
    series: selector('vigil_monitor_status', { ...labels, monitor: name, type, status: value }),
    values: constant(current, 10),
  });
  const certLabels = { ...labels, monitor: 'shop-website' };
  const evalSeconds = 2 * 3600;
  const soon = Math.max(0.5, Math.floor(days / 2)) * 86400;
  const later = days * 2 * 86400;
  return [
    gaugeRule({
      alert: 'VigilMonitorDown',
      expr: `up{job="${MONITOR_JOB}"} == 0`,
      for: '2m',
      severity: 'critical',
      summary: 'The Vigil monitor is down',
      description: `Prometheus has not been able to scrape the Vigil monitor {{ $labels.instance }} for ${spoken('2m')}: no uptime check is running.`,
      metric: 'up',
      labels,
      firing: 0,
      quiet: 1,
    }),
    {
      alert: 'MonitorDown',
      expr: `vigil_monitor_status{job="${MONITOR_JOB}", type!="heartbeat", status="unhealthy"} == 1`,
      for: '1m',
      severity: 'critical',
      summary: '{{ $labels.monitor }} is down',
      description: `The {{ $labels.type }} monitor {{ $labels.monitor }} has been down for ${spoken('1m')}, retries used up.`,
      cases: [
        {
          name: 'MonitorDown fires for a monitor that stays down',
          series: [status('shop-api', 'http', 'unhealthy', 1), status('shop-api', 'http', 'healthy', 0)],
          evals: [
            { at: at(0), alerts: [] },
            {
              at: at(3),
              alerts: [{ labels: { ...labels, monitor: 'shop-api', type: 'http', status: 'unhealthy' }, value: 1 }],
            },
          ],
        },
        {
          name: 'MonitorDown stays silent for a monitor that is up, and for a missed heartbeat',
          series: [
            status('shop-api', 'http', 'unhealthy', 0),
            status('shop-api', 'http', 'healthy', 1),
            status('nightly-backup', 'heartbeat', 'unhealthy', 1),
          ],
          evals: [{ at: at(3), alerts: [] }],
        },
      ],
    },
    {
      alert: 'HeartbeatMissing',
      expr: `vigil_monitor_status{job="${MONITOR_JOB}", type="heartbeat", status="unhealthy"} == 1`,
      for: '1m',
      severity: 'warning',
      summary: 'No heartbeat from {{ $labels.monitor }}',
      description: `{{ $labels.monitor }} has not sent its heartbeat in time for ${spoken('1m')}: the cron job or worker behind it did not run or did not finish.`,
      cases: [
        {
          name: 'HeartbeatMissing fires when a heartbeat is late',
          series: [status('nightly-backup', 'heartbeat', 'unhealthy', 1), status('nightly-backup', 'heartbeat', 'healthy', 0)],
          evals: [
            { at: at(0), alerts: [] },
            {
              at: at(3),
              alerts: [
                { labels: { ...labels, monitor: 'nightly-backup', type: 'heartbeat', status: 'unhealthy' }, value: 1 },
              ],
            },
          ],
        },
        {
          name: 'HeartbeatMissing stays silent while heartbeats arrive, and for an HTTP monitor that is down',
          series: [
            status('nightly-backup', 'heartbeat', 'healthy', 1),
            status('nightly-backup', 'heartbeat', 'unhealthy', 0),
            status('shop-api', 'http', 'unhealthy', 1),
          ],
          evals: [{ at: at(3), alerts: [] }],
        },
      ],
    },
    {
      alert: 'CertificateExpiringSoon',
      expr: `vigil_probe_ssl_earliest_cert_expiry{job="${MONITOR_JOB}"} - time() < ${days} * 86400`,
      for: '1h',
      severity: 'warning',
      summary: 'The certificate of {{ $labels.monitor }} expires soon',
      description: `The earliest TLS certificate of {{ $labels.monitor }} expires in {{ $value | humanizeDuration }} (threshold ${days} days).`,
      cases: [
        {
          name: `CertificateExpiringSoon fires ${soon / 86400} days before expiry`,
          series: [
            {
              series: selector('vigil_probe_ssl_earliest_cert_expiry', certLabels),
              values: constant(evalSeconds + soon, 125),
            },
          ],
          evals: [
            { at: at(30), alerts: [] },
            { at: at(evalSeconds / 60), alerts: [{ labels: certLabels, value: soon }] },
          ],
        },
        {
          name: `CertificateExpiringSoon stays silent ${later / 86400} days before expiry`,
          series: [
            {
              series: selector('vigil_probe_ssl_earliest_cert_expiry', certLabels),
              values: constant(evalSeconds + later, 125),
            },
          ],
          evals: [{ at: at(evalSeconds / 60), alerts: [] }],
        },
      ],
    },
  ];
}

/** The business example: the example shop exports its sales of the day; none during business hours is odd. */
function businessRules(options: StackOptions): AlertRule[] {
  const { from, to } = options.thresholds.businessHours;
  const metric = EXAMPLE_BUSINESS_METRICS[0];
  const labels = targetLabels(options.app);
  const hours = `${String(from).padStart(2, '0')}:00–${String(to).padStart(2, '0')}:00 UTC`;
  const inside = from * 60 + 90;
  const outside = to < 24 ? to * 60 + 30 : from * 60 - 30;
  const day = Math.max(inside, outside) + 5;
  return [
    {
      alert: 'NoSalesActivity',
      expr: `${metric}{job="${options.app.job}"} == 0 and on () hour() >= ${from} and on () hour() < ${to}`,
      for: '1h',
      severity: 'info',
      summary: `No sales recorded today on ${options.name} (example business rule)`,
      description: `{{ $labels.instance }} has recorded no sale today for an hour of business hours (${hours}).`,
      cases: [
        {
          name: `NoSalesActivity fires after an hour of business hours without a sale`,
          series: [{ series: selector(metric, labels), values: constant(0, day) }],
          evals: [
            { at: at(from * 60 + 30), alerts: [] },
            { at: at(inside), alerts: [{ labels, value: 0 }] },
            { at: at(outside), alerts: [] },
          ],
        },
        {
          name: 'NoSalesActivity stays silent once there are sales',
          series: [{ series: selector(metric, labels), values: constant(125, day) }],
          evals: [{ at: at(inside), alerts: [] }],
        },
      ],
    },
  ];
}

export function alertRuleGroups(options: StackOptions): RuleGroup[] {
  const prefix = `vigil-${options.name}`;
  const groups: RuleGroup[] = [
    { name: `${prefix}-app`, rules: appRules(options) },
    {
      name: `${prefix}-jobs`,
      rules: [...jobRules(options), ...(options.worker ? workerRules(options, options.worker) : [])],
    },
  ];
  if (options.monitor) groups.push({ name: 'vigil-monitor', rules: monitorRules(options, options.monitor) });
  if (options.businessExample) groups.push({ name: `${prefix}-business-example`, rules: businessRules(options) });
  return groups;
}

export function alertRulesFile(options: StackOptions): string {
  const groups = alertRuleGroups(options).map((group) => ({
    name: group.name,
    rules: group.rules.map((rule) => ({
      alert: rule.alert,
      expr: rule.expr,
      for: rule.for,
      labels: { severity: rule.severity },
      annotations: { summary: rule.summary, description: rule.description },
    })),
  }));
  const header = [
    GENERATED_NOTICE,
    'Every rule is unit-tested in alert_rules_test.yml: promtool test rules alert_rules_test.yml',
  ];
  if (options.businessExample) {
    header.push(
      `The ${groups.at(-1)?.name} group is an example for the example shop app (metric ${EXAMPLE_BUSINESS_METRICS[0]}).`,
    );
  }
  return yamlFile({ groups }, header);
}
