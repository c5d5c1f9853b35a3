/**
 * `vigil doctor`, like Frappe's `bench doctor`: for each app (one from the flags, or several from `--config
 * doctor.yaml`), is its scheduler running (job schedulers present and on time, queues not paused), are workers
 * connected to each queue, how many jobs are pending, how many failed. A short report per app with ✓ / ! / ✗ lines
 * and a verdict; exit 0 healthy, 1 degraded, 2 unhealthy (3: the command line or the file is wrong).
 *
 * The rules are the `bullmqCheck`'s own (`judgeQueue` of @vigil/core: same thresholds, in ms, "strictly above a
 * threshold reaches its status"), worded here and grouped by what an operator asks rather than by queue.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import {
  type BullmqQueueSnapshot,
  type BullmqRedis,
  crossedPhrase,
  failedCountStart,
  judgeQueue,
  overdueSchedulers,
  type QueueFinding,
  type QueueRuleSet,
  readBullmqQueues,
  resolveQueueRules,
  type Status,
  STATUSES,
  worstOf,
} from '@vigil/core';
import { z } from 'zod';
import { ConfigError, type ConfigIssue, type Env } from '../config/index.js';
import { duration } from '../config/duration.js';
import { secret, text, urlWith } from '../config/fields.js';
import { DEFAULT_MESSAGE, reportZodIssues } from '../config/report.js';
import { collectSecrets } from '../config/schema-walk.js';
import { type ConfigSource, parseSource } from '../config/source.js';
import {
  addSourceOptions,
  collect,
  commandIO,
  DEFAULT_TIMEOUT_MS,
  discoverQueues,
  handleCommanderErrors,
  type JobsCommandOptions,
  listing,
  oneLine,
  parseTimeout,
  plural,
  readRedis,
  type RedisTarget,
  redisTarget,
  redisTargetOf,
  runAction,
  type SourceFlags,
  span,
  UsageError,
} from './jobs-common.js';

export const DOCTOR_EXIT = { healthy: 0, degraded: 1, unhealthy: 2, usage: 3 } as const;

const DEFAULT_FAILED_WINDOW_MS = 3_600_000;

// --- The configuration file ---

/** `{ degraded, unhealthy }`; a bare value is the degraded threshold. Unhealthy must not be below degraded. */
function threshold(value: () => z.ZodType<number, unknown>) {
  return z.preprocess(
    // A bare number or duration is the degraded threshold (an object keeps strict key checks with "did you mean").
    (input) => (typeof input === 'number' || typeof input === 'string' ? { degraded: input } : input),
    z
      .strictObject({ degraded: value().optional(), unhealthy: value().optional() })
      .superRefine((limits, ctx) => {
        if (limits.degraded === undefined && limits.unhealthy === undefined) {
          ctx.addIssue({ code: 'custom', message: 'needs a degraded or an unhealthy threshold', path: [] });
        } else if (
          limits.degraded !== undefined &&
          limits.unhealthy !== undefined &&
          limits.unhealthy < limits.degraded
        ) {
          ctx.addIssue({ code: 'custom', message: 'must not be below degraded', path: ['unhealthy'] });
        }
      }),
  );
}

const count = () => z.int({ error: 'expected a whole number' }).min(0, { error: 'must be zero or more' });
const time = () => duration();
const status = () => z.enum(STATUSES);

const ruleFields = {
  max_waiting: threshold(count)
    .optional()
    .describe('Pending jobs (waiting, prioritized, delayed and due) above which the queue is degraded / unhealthy.'),
  max_oldest_waiting: threshold(time)
    .optional()
    .describe('How long the oldest pending job may have waited, e.g. `{ degraded: 10m, unhealthy: 1h }`.'),
  max_failed: threshold(count).optional().describe('Jobs failed (for good) within `failed_window`.'),
  failed_window: duration({ allowZero: false }).optional().describe('Window for `max_failed`. Default 1h.'),
  max_run_time: threshold(time).optional().describe('A job active for longer is stuck.'),
  scheduler_tolerance: z
    .union([z.literal(false), threshold(time)])
    .optional()
    .describe('How late a job scheduler may be. Default `{ degraded: 1m, unhealthy: 10m }`; false: not checked.'),
  when_paused: status().optional().describe('Status of a paused queue. Default degraded.'),
  when_no_workers: status()
    .optional()
    .describe('Status when jobs are pending and no worker is connected. Default unhealthy.'),
};

const queueName = () =>
  z.string().regex(/^[^\s:]{1,200}$/, { error: "expected a queue name: no spaces or ':', 1-200 characters" });

const queueSchema = z.preprocess(
  (input) => (typeof input === 'string' ? { name: input } : input),
  z.strictObject({
    name: queueName(),
    ...ruleFields,
    schedulers: z
      .array(text())
      .optional()
      .describe('Ids of job schedulers that must exist on this queue (`upsertJobScheduler(id, …)`).'),
  }),
);

const appSchema = z.strictObject({
  name: text().max(100, { error: 'must be at most 100 characters' }),
  redis: secret(urlWith(['redis:', 'rediss:'])),
  password: secret(z.string()).optional(),
  prefix: z
    .string()
    .regex(/^[^\s]{1,100}$/, { error: 'expected 1-100 characters without spaces' })
    .optional(),
  queues: z.array(queueSchema).min(1).optional(),
  thresholds: z.strictObject(ruleFields).optional(),
  timeout: duration({ allowZero: false }).optional(),
});

export const doctorConfigSchema = z
  .strictObject({
    timeout: duration({ allowZero: false }).optional(),
    apps: z.array(appSchema).min(1),
  })
  // Also when other fields are wrong (`when`), so every problem is reported at once: the data may be malformed here.
  .superRefine(
    (config: unknown, ctx) => {
      const apps = isRecord(config) && Array.isArray(config.apps) ? (config.apps as unknown[]) : [];
      const names = new Map<string, number>();
      apps.forEach((app, index) => {
        if (!isRecord(app)) return;
        if (typeof app.name === 'string') {
          const first = names.get(app.name);
          if (first === undefined) names.set(app.name, index);
          else {
            ctx.addIssue({
              code: 'custom',
              path: ['apps', index, 'name'],
              message: `"${app.name}" is already the name of apps[${first}] ({related})`,
              params: { related: ['apps', first] },
            });
          }
        }
        const seen = new Set<string>();
        (Array.isArray(app.queues) ? (app.queues as unknown[]) : []).forEach((queue, q) => {
          const name = typeof queue === 'string' ? queue : isRecord(queue) ? queue.name : undefined;
          if (typeof name !== 'string') return;
          if (seen.has(name)) {
            const path = ['apps', index, 'queues', q];
            ctx.addIssue({ code: 'custom', path, message: `queue "${name}" is listed twice` });
          }
          seen.add(name);
        });
      });
    },
    { when: () => true },
  );

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export type DoctorConfig = z.output<typeof doctorConfigSchema>;
type RuleFields = z.output<z.ZodObject<typeof ruleFields>>;
type QueueEntry = z.output<typeof queueSchema>;

/** Validates doctor.yaml text: every problem at once, as `file:line:col: field: message`. */
export function parseDoctorConfig(source: ConfigSource, env: Env): DoctorConfig {
  const parsed = parseSource(source, env);
  if (parsed.issues.length > 0 || parsed.value === undefined) {
    // The shared parser names the sections of vigil.yaml; this file has one.
    throw new ConfigError(
      parsed.issues.map((issue) =>
        issue.message.startsWith('expected a mapping of sections')
          ? { ...issue, message: 'expected a mapping with "apps:" at the top level' }
          : issue,
      ),
    );
  }
  const result = doctorConfigSchema.safeParse(parsed.value, { error: () => DEFAULT_MESSAGE });
  if (result.success) return result.data;
  const issues = reportZodIssues(result.error.issues, {
    schema: doctorConfigSchema,
    data: parsed.value,
    positions: parsed.positions,
    secrets: collectSecrets(doctorConfigSchema, parsed.value),
  });
  throw new ConfigError(
    issues
      .sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0))
      .map(({ file, line, column, path, message }): ConfigIssue => ({
        ...(file === undefined ? {} : { file }),
        ...(line === undefined ? {} : { line }),
        ...(column === undefined ? {} : { column }),
        path,
        message,
      })),
  );
}

export async function loadDoctorConfig(file: string, env: Env): Promise<DoctorConfig> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read';
    throw new ConfigError([{ file, path: '', message }]);
  }
  return parseDoctorConfig({ file, text: content }, env);
}

// --- What is checked ---

/** The rules for one queue (times in ms, as the check's), with its failure window and the schedulers it must have. */
interface QueueRules extends QueueRuleSet {
  failedWindowMs: number;
  schedulers: string[];
}

interface AppPlan {
  name: string | null;
  target: RedisTarget;
  /** The queues named; undefined: discovered, each with `defaults`. */
  queues: QueueRules[] | undefined;
  defaults: RuleFields;
}

function rulesOf(name: string, own: Partial<QueueEntry>, defaults: RuleFields): QueueRules {
  const pick = <K extends keyof RuleFields>(key: K): RuleFields[K] => own[key] ?? defaults[key];
  return {
    ...resolveQueueRules({
      name,
      maxWaiting: pick('max_waiting'),
      maxOldestWaitingMs: pick('max_oldest_waiting'),
      maxFailed: pick('max_failed'),
      maxRunTimeMs: pick('max_run_time'),
      schedulerToleranceMs: pick('scheduler_tolerance'),
      whenPaused: pick('when_paused'),
      whenNoWorkers: pick('when_no_workers'),
    }),
    failedWindowMs: pick('failed_window') ?? DEFAULT_FAILED_WINDOW_MS,
    schedulers: own.schedulers ?? [],
  };
}

function plansFromConfig(config: DoctorConfig, apps: readonly string[], timeoutMs: number | undefined): AppPlan[] {
  const unknown = apps.filter((name) => !config.apps.some((app) => app.name === name));
  if (unknown.length > 0) {
    throw new UsageError(
      `--app: no app ${listing(unknown.map((n) => `"${n}"`))} in the configuration; ` +
        `its apps are ${listing(config.apps.map((a) => a.name))}`,
    );
  }
  return config.apps
    .filter((app) => apps.length === 0 || apps.includes(app.name))
    .map((app) => {
      const defaults = app.thresholds ?? {};
      return {
        name: app.name,
        target: redisTargetOf(
          {
            url: app.redis,
            ...(app.password !== undefined ? { password: app.password } : {}),
            ...(app.prefix !== undefined ? { prefix: app.prefix } : {}),
            timeoutMs: timeoutMs ?? app.timeout ?? config.timeout ?? DEFAULT_TIMEOUT_MS,
          },
          `apps[${app.name}].redis`,
        ),
        queues: app.queues?.map((queue) => rulesOf(queue.name, queue, defaults)),
        defaults,
      };
    });
}

// --- Findings ---

export type DoctorCheck = 'redis' | 'queues' | 'scheduler' | 'workers' | 'pending' | 'failed';

export interface DoctorLine {
  check: DoctorCheck;
  status: Status;
  /** The queue it is about; absent for a summary of all of them. */
  queue?: string;
  message: string;
}

export interface DoctorQueue {
  name: string;
  exists: boolean;
  paused: boolean;
  /** Connected workers; null when CLIENT LIST is refused. */
  workers: number | null;
  /** Jobs ready to run: waiting + prioritized + due delayed. */
  pending: number;
  oldestWaitingSeconds: number;
  counts: BullmqQueueSnapshot['counts'];
  longestRunningSeconds: number | null;
  failedRecently: number;
  failedWindowSeconds: number;
  schedulers: {
    total: number;
    pastDue: number;
    overdue: { id: string; next: string; lateSeconds: number }[];
    missing: string[];
  };
}

export interface DoctorApp {
  name: string | null;
  /** The Redis URL, password hidden. */
  redis: string;
  prefix: string;
  status: Status;
  checks: DoctorLine[];
  queues: DoctorQueue[];
}

export interface DoctorReport {
  status: Status;
  apps: DoctorApp[];
}

const msSpan = (ms: number) => span(ms / 1000);

interface Facts {
  rules: QueueRules[];
  snapshots: BullmqQueueSnapshot[];
  workersUnknown?: string;
  missing: Map<string, string[]>;
  discoveryComplete: boolean;
  discovered: boolean;
}

async function readFacts(client: BullmqRedis, plan: AppPlan, now: number): Promise<Facts> {
  let rules = plan.queues;
  let discoveryComplete = true;
  if (rules === undefined) {
    const found = await discoverQueues(client, plan.target.prefix);
    discoveryComplete = found.complete;
    rules = found.queues.map((name) => rulesOf(name, {}, plan.defaults));
  }
  const discovered = plan.queues === undefined;
  if (rules.length === 0) return { rules, snapshots: [], missing: new Map(), discoveryComplete, discovered };
  const byName = new Map(rules.map((r) => [r.name, r]));
  const read = await readBullmqQueues(client, {
    prefix: plan.target.prefix,
    queues: rules.map((r) => r.name),
    now,
    failedSince: (queue) => failedCountStart(byName.get(queue)!, now),
  });
  // Expected job schedulers: their id is the member of `<prefix>:<queue>:repeat`.
  const expected = rules.flatMap((r) => r.schedulers.map((id) => ({ queue: r.name, id })));
  const missing = new Map<string, string[]>();
  if (expected.length > 0) {
    const replies = await client
      .pipeline(expected.map(({ queue, id }) => ['zscore', `${plan.target.prefix}:${queue}:repeat`, id]))
      .exec();
    expected.forEach(({ queue, id }, i) => {
      const [error, score] = replies?.[i] ?? [new Error('Redis returned no result'), null];
      if (error) throw error;
      if (score === null || score === undefined) missing.set(queue, [...(missing.get(queue) ?? []), id]);
    });
  }
  return {
    rules,
    snapshots: read.queues,
    ...(read.workersUnknown ? { workersUnknown: read.workersUnknown } : {}),
    missing,
    discoveryComplete,
    discovered,
  };
}

function queueView(snapshot: BullmqQueueSnapshot, rules: QueueRules, missing: string[], now: number): DoctorQueue {
  const tenths = (ms: number) => Math.round(ms / 100) / 10;
  const longest = snapshot.active[0]?.startedAt ?? null;
  const overdue = overdueSchedulers(snapshot, rules, now).map(({ scheduler, value }) => ({
    id: scheduler.id,
    next: new Date(scheduler.next).toISOString(),
    lateSeconds: tenths(value),
  }));
  return {
    name: snapshot.name,
    exists: snapshot.exists,
    paused: snapshot.paused,
    workers: snapshot.workers === null ? null : snapshot.workers.length,
    pending: snapshot.backlog,
    oldestWaitingSeconds: snapshot.oldestWaitingSeconds,
    counts: snapshot.counts,
    longestRunningSeconds: longest === null ? null : tenths(now - longest),
    failedRecently: snapshot.failedSince ?? 0,
    failedWindowSeconds: rules.failedWindowMs / 1000,
    schedulers: {
      total: snapshot.schedulers?.total ?? 0,
      pastDue: snapshot.schedulers?.pastDue ?? 0,
      overdue,
      missing,
    },
  };
}

type Problem = Omit<DoctorLine, 'queue'>;

/** What is wrong with one queue, by check: the shared rules' findings, then the job schedulers missing. */
function queueProblems(q: DoctorQueue, rules: QueueRules, snapshot: BullmqQueueSnapshot, now: number): Problem[] {
  const found = judgeQueue(snapshot, rules, now).map((finding) => problemOf(finding, rules));
  for (const id of q.schedulers.missing) {
    const message = `job scheduler "${id}" is missing (listed in the configuration)`;
    found.push({ check: 'scheduler', status: 'degraded', message });
  }
  return found;
}

const others = (n: number) => (n > 0 ? ` and ${plural(n, 'other')}` : '');

/** A finding of the shared rules in doctor's words, under the check an operator asks about. */
function problemOf(finding: QueueFinding, rules: QueueRules): Problem {
  const { status } = finding;
  switch (finding.rule) {
    case 'unknown-queue': {
      const message = 'no such queue: no BullMQ keys and no worker (check the queue name and the prefix)';
      return { check: 'queues', status, message };
    }
    case 'paused':
      return { check: 'scheduler', status, message: 'the queue is paused: no job starts' };
    case 'overdue-scheduler': {
      const late = `job scheduler "${finding.scheduler.id}" is ${msSpan(finding.value)} overdue`;
      const message = `${late}${others(finding.others)}${crossedPhrase(finding, msSpan)}`;
      return { check: 'scheduler', status, message };
    }
    case 'no-workers': {
      const verb = finding.value === 1 ? 'waits' : 'wait';
      return { check: 'workers', status, message: `no worker while ${plural(finding.value, 'job')} ${verb}` };
    }
    case 'stuck-job': {
      const { job } = finding;
      const message =
        `job ${job.id}${job.name ? ` (${job.name})` : ''} has run for ${msSpan(finding.value)}` +
        `${job.worker ? ` on worker ${job.worker}` : ''}${others(finding.others)}, ` +
        `stuck${crossedPhrase(finding, msSpan)}`;
      return { check: 'workers', status, message };
    }
    case 'backlog':
      return { check: 'pending', status, message: `${plural(finding.value, 'job')} pending${crossedPhrase(finding)}` };
    case 'oldest-waiting': {
      const waited = `the oldest pending job has waited ${msSpan(finding.value)}`;
      return { check: 'pending', status, message: `${waited}${crossedPhrase(finding, msSpan)}` };
    }
    case 'failed': {
      const failures = `${plural(finding.value, 'job')} failed in the last ${msSpan(rules.failedWindowMs)}`;
      return { check: 'failed', status, message: `${failures}${crossedPhrase(finding)}` };
    }
  }
}

/** `emails 2, reports 0`: the first few queues with a value each. */
function perQueue(queues: readonly DoctorQueue[], value: (q: DoctorQueue) => string, max = 6): string {
  const shown = queues.slice(0, max).map((q) => `${q.name} ${value(q)}`);
  return `${shown.join(', ')}${queues.length > max ? `, +${queues.length - max} more` : ''}`;
}

/** For a check with nothing wrong, one ✓ line saying what was seen. */
function summaries(queues: readonly DoctorQueue[]): Problem[] {
  if (queues.length === 0) return [];
  const schedulers = queues.reduce((n, q) => n + q.schedulers.total, 0);
  const paused = queues.filter((q) => q.paused).map((q) => q.name);
  const oldest = Math.max(...queues.map((q) => q.oldestWaitingSeconds));
  const pending = queues.some((q) => q.pending > 0) ? ` (oldest waited ${span(oldest)})` : '';
  const windows = new Set(queues.map((q) => q.failedWindowSeconds));
  // One window for all: said once; otherwise each queue says its own.
  const window = windows.size === 1 ? ` in the last ${span([...windows][0]!)}` : '';
  const failed = queues.some((q) => q.failedRecently > 0) || !window
    ? `${perQueue(queues, (q) => `${q.failedRecently}${window ? '' : ` in ${span(q.failedWindowSeconds)}`}`)}${window}`
    : `none${window}`;
  const healthy = (check: DoctorCheck, message: string): Problem => ({ check, status: 'healthy', message });
  return [
    healthy(
      'scheduler',
      `${schedulers === 0 ? 'no job schedulers' : `${plural(schedulers, 'job scheduler')}, none overdue`}; ` +
        `${paused.length === 0 ? 'no queue paused' : `paused (allowed): ${listing(paused)}`}`,
    ),
    healthy('workers', perQueue(queues, (q) => (q.workers === null ? '?' : String(q.workers)))),
    healthy('pending', `${perQueue(queues, (q) => String(q.pending))}${pending}`),
    healthy('failed', failed),
  ];
}

const CHECK_ORDER: readonly DoctorCheck[] = ['redis', 'queues', 'scheduler', 'workers', 'pending', 'failed'];
const RANK: Record<Status, number> = { unhealthy: 0, degraded: 1, healthy: 2 };

/** The report's lines: problems, one per queue at fault, and a ✓ line for each check without any; by check. */
function findings(facts: Facts, queues: DoctorQueue[], now: number): DoctorLine[] {
  const lines: DoctorLine[] = [];
  if (!facts.discoveryComplete) {
    const message = `stopped looking for queues after ${queues.length}: name them (--queue, or in the configuration)`;
    lines.push({ check: 'queues', status: 'degraded', message });
  }
  if (facts.discovered && queues.length === 0) {
    const message = 'no BullMQ queue under this prefix (check the prefix, or name the queues)';
    lines.push({ check: 'queues', status: 'degraded', message });
  }
  const rules = new Map(facts.rules.map((r) => [r.name, r]));
  const snapshots = new Map(facts.snapshots.map((s) => [s.name, s]));
  for (const q of queues) {
    for (const found of queueProblems(q, rules.get(q.name)!, snapshots.get(q.name)!, now)) {
      lines.push({ ...found, queue: q.name });
    }
  }
  if (facts.workersUnknown) {
    lines.push({ check: 'workers', status: 'degraded', message: `presence unknown: ${facts.workersUnknown}` });
  }
  const flagged = new Set(lines.map((l) => l.check));
  const fine = summaries(queues).filter((line) => !flagged.has(line.check));
  return [...fine, ...lines].sort(
    (a, b) => CHECK_ORDER.indexOf(a.check) - CHECK_ORDER.indexOf(b.check) || RANK[a.status] - RANK[b.status],
  );
}

async function examine(plan: AppPlan, now: () => number): Promise<DoctorApp> {
  const app = { name: plan.name, redis: plan.target.shown, prefix: plan.target.prefix };
  try {
    const at = now();
    const facts = await readRedis(plan.target, (client) => readFacts(client, plan, at));
    const byName = new Map(facts.rules.map((r) => [r.name, r]));
    const queues = facts.snapshots.map((s) => queueView(s, byName.get(s.name)!, facts.missing.get(s.name) ?? [], at));
    const checks = findings(facts, queues, at);
    return { ...app, status: checks.reduce<Status>((s, c) => worstOf(s, c.status), 'healthy'), checks, queues };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...app, status: 'unhealthy', checks: [{ check: 'redis', status: 'unhealthy', message }], queues: [] };
  }
}

// --- Output ---

const MARK: Record<Status, string> = { healthy: '✓', degraded: '!', unhealthy: '✗' };
const LABEL_WIDTH = 'scheduler'.length + 2;

function verdictLine(status: Status, checks: readonly DoctorLine[]): string {
  const problems = checks.filter((c) => c.status === 'unhealthy').length;
  const warnings = checks.filter((c) => c.status === 'degraded').length;
  const counts = [problems > 0 ? plural(problems, 'problem') : '', warnings > 0 ? plural(warnings, 'warning') : '']
    .filter(Boolean)
    .join(', ');
  return `verdict: ${status}${counts ? ` (${counts})` : ''}`;
}

export function formatDoctorReport(report: DoctorReport): string {
  const blocks = report.apps.map((app) => {
    const queues = app.queues.map((q) => q.name);
    const which = queues.length > 0 ? `, ${plural(queues.length, 'queue')}: ${listing(queues)}` : '';
    const where = `${app.redis}, prefix ${app.prefix}${which}`;
    const lines = [app.name === null ? where : `${app.name}: ${where}`];
    for (const check of app.checks) {
      const about = check.queue === undefined ? '' : `${check.queue}: `;
      lines.push(`  ${MARK[check.status]} ${check.check.padEnd(LABEL_WIDTH)}${about}${oneLine(check.message)}`);
    }
    lines.push(`  ${verdictLine(app.status, app.checks)}`);
    return lines.join('\n');
  });
  let text = blocks.join('\n\n');
  if (report.apps.length > 1) {
    text += `\n\noverall: ${report.status} (${report.apps.map((a) => `${a.name} ${a.status}`).join(', ')})`;
  }
  return `${text}\n`;
}

// --- The command ---

interface DoctorFlags extends SourceFlags {
  config?: string;
  app?: string[];
}

export function registerDoctorCommand(program: Command, options: JobsCommandOptions = {}): Command {
  const io = commandIO(options);
  const command = program
    .command('doctor')
    .description(
      'check the background jobs of each app (BullMQ on Redis): are workers connected, are job schedulers on time, are jobs piling up, stuck or failing; exit 0 healthy, 1 degraded, 2 unhealthy',
    );
  addSourceOptions(command)
    .option('--config <file>', 'a doctor.yaml listing several apps, each with its Redis, prefix, queues and thresholds')
    .option('--app <name>', 'only this app of --config (repeatable)', collect)
    .addHelpText(
      'after',
      '\nWithout --config, one app: --redis (or $REDIS_URL), --prefix and --queue (default: every queue found).\n' +
        'See docs/doctor.md for the configuration file.\n\n' +
        'Examples:\n' +
        '  vigil doctor\n' +
        '  vigil doctor --queue emails --queue reports --timeout 2s\n' +
        '  vigil doctor --config doctor.yaml --json\n\n' +
        'Exit code: 0 healthy, 1 degraded, 2 unhealthy (or Redis unreachable), 3 usage or configuration error.',
    );
  handleCommanderErrors(command, options, io, DOCTOR_EXIT.usage);
  return command.action((flags: DoctorFlags) =>
    runAction(io, { failed: DOCTOR_EXIT.unhealthy, usage: DOCTOR_EXIT.usage }, async () => {
      const plans = await planApps(flags, io.env);
      const apps = await Promise.all(plans.map((plan) => examine(plan, io.now)));
      const report: DoctorReport = { status: apps.reduce<Status>((s, a) => worstOf(s, a.status), 'healthy'), apps };
      io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : formatDoctorReport(report));
      return DOCTOR_EXIT[report.status];
    }),
  );
}

async function planApps(flags: DoctorFlags, env: Env): Promise<AppPlan[]> {
  const timeoutMs = flags.timeout === undefined ? undefined : parseTimeout(flags.timeout);
  if (flags.config !== undefined) {
    const mixed = (['redis', 'prefix', 'queue'] as const).filter((flag) => flags[flag] !== undefined);
    if (mixed.length > 0) {
      throw new UsageError(
        `--config lists the apps with their Redis, prefix and queues: drop ${mixed.map((f) => `--${f}`).join(', ')}`,
      );
    }
    return plansFromConfig(await loadDoctorConfig(flags.config, env), flags.app ?? [], timeoutMs);
  }
  if (flags.app !== undefined) throw new UsageError('--app picks apps of --config FILE');
  const target = redisTarget(flags, env);
  return [
    {
      name: null,
      target,
      queues: target.queues?.map((name) => rulesOf(name, {}, {})),
      defaults: {},
    },
  ];
}
