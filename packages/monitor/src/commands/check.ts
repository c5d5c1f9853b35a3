/**
 * `vigil check <url>` checks a URL once, as an http monitor (or a health endpoint with `--type health`);
 * `vigil check --config vigil.yaml --monitor NAME_OR_ID` runs one configured monitor once. Both print what a
 * stored result would hold — status, latency, status code, phase timings, error, components, conditions — and
 * exit 0 when healthy or degraded, 1 when unhealthy, 2 for a usage or configuration error.
 */
import { type Command, type CommanderError, Option } from 'commander';
import { ConditionSyntaxError, parseCondition, ProbeTimeoutError, type Status } from '@vigil/core';
import {
  ConfigError,
  configSchema,
  type Env,
  formatDuration,
  formatPath,
  loadConfig,
  type MonitorConfig,
  parseDuration,
} from '../config/index.js';
import { resultJson } from '../api/results.js';
import type { ProbeOutcome, ProbingMonitor } from '../monitors/index.js';
import { isProbingMonitor, monitorTarget, probeMonitor } from '../monitors/index.js';

export const CHECK_EXIT = { ok: 0, unhealthy: 1, usage: 2 } as const;

export const CHECK_TYPES = ['http', 'health'] as const;
const DEFAULT_TIMEOUT = '10s';

export interface CheckCommandOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  /**
   * Receives the exit code. Default: sets `process.exitCode`, and exits at once on a command-line mistake that
   * commander reports. When given, such a mistake also rejects `parseAsync` (commander must not go on).
   */
  exit?: (code: number) => void;
  /** Clock for judging certificate expiry. Default `Date.now`. */
  now?: () => number;
  /** Variables for `${ENV}` substitution in `--config` files. Default `process.env`. */
  env?: Env;
  /** Aborts the check (e.g. on Ctrl-C). */
  signal?: AbortSignal;
}

interface CheckFlags {
  condition?: string[];
  type?: (typeof CHECK_TYPES)[number];
  timeout?: string;
  json?: boolean;
  config?: string[];
  monitor?: string;
}

/** A problem with what was typed: printed on one line, exit code 2. */
class UsageError extends Error {}

// No default value: commander would print `(default: [])` in the help.
const collect = (value: string, previous: string[] | undefined) => [...(previous ?? []), value];

export function registerCheckCommand(program: Command, options: CheckCommandOptions = {}): Command {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const exit = options.exit ?? ((code: number) => void (process.exitCode = code));
  const now = options.now ?? Date.now;

  return program
    .command('check')
    .description('check a URL, or one monitor of a configuration, once and print the result')
    .argument('[url]', 'an http(s) URL to check (omit with --config)')
    .option('--condition <expr>', 'a condition that must hold, e.g. "[STATUS] == 200" (repeatable)', collect)
    .addOption(
      new Option('--type <type>', 'how to read the answer: http, or health for a health endpoint').choices(
        CHECK_TYPES,
      ),
    )
    .option(
      '--timeout <duration>',
      `time the check may take, e.g. 5s or 500ms (default: ${DEFAULT_TIMEOUT}, or the monitor's)`,
    )
    .option('--json', 'print the result as JSON')
    .option('--config <file>', 'configuration file or directory (repeatable; with --monitor)', collect)
    .option('--monitor <name-or-id>', 'the configured monitor to check (with --config)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  vigil check https://example.com --condition "[STATUS] == 200" --condition "[RESPONSE_TIME] < 500"\n' +
        '  vigil check http://127.0.0.1:8000/health --type health --json\n' +
        '  vigil check --config vigil.yaml --monitor shop-api\n\n' +
        'Exit code: 0 healthy or degraded, 1 unhealthy, 2 usage or configuration error.',
    )
    .configureOutput({
      writeOut: stdout,
      writeErr: stderr,
      // Commander's own errors (unknown option, bad --type) in the CLI's one-line form.
      outputError: (message, write) => write(`vigil: ${message.replace(/^error: /, '')}`),
    })
    .exitOverride((error: CommanderError) => {
      const code = error.exitCode === 0 ? CHECK_EXIT.ok : CHECK_EXIT.usage;
      if (options.exit === undefined) process.exit(code);
      options.exit(code);
      throw error;
    })
    .action(async (url: string | undefined, given: CheckFlags) => {
      let code: number;
      const flags = { ...given, condition: given.condition ?? [], config: given.config ?? [] };
      try {
        const monitor = await monitorToCheck(url, flags, options.env);
        const at = now();
        const outcome = await withDeadline(monitor.timeout, options.signal, (signal, deadline) =>
          probeMonitor(monitor, { signal, deadline, now }),
        );
        stdout(
          flags.json
            ? `${JSON.stringify(checkJson(monitor, outcome, at), null, 2)}\n`
            : formatOutcome(monitor, outcome, now(), url === undefined),
        );
        code = outcome.status === 'unhealthy' ? CHECK_EXIT.unhealthy : CHECK_EXIT.ok;
      } catch (error) {
        const usage = error instanceof UsageError || error instanceof ConfigError;
        stderr(`vigil: ${error instanceof Error ? error.message : String(error)}\n`);
        code = usage ? CHECK_EXIT.usage : CHECK_EXIT.unhealthy;
      }
      exit(code);
    });
}

/**
 * Runs `check` with a signal that aborts at the timeout (`timed out after N ms`, as the scheduler's does) or when
 * `outer` aborts (Ctrl-C): this command owns the check's deadline.
 */
async function withDeadline<T>(
  timeoutMs: number,
  outer: AbortSignal | undefined,
  check: (signal: AbortSignal, deadline: number) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProbeTimeoutError(timeoutMs)), timeoutMs);
  const onOuter = () => controller.abort(outer?.reason);
  if (outer?.aborted) onOuter();
  else outer?.addEventListener('abort', onOuter, { once: true });
  try {
    return await check(controller.signal, Date.now() + timeoutMs);
  } finally {
    clearTimeout(timer);
    outer?.removeEventListener('abort', onOuter);
  }
}

/** The monitor to check: built from the URL and flags, or found in the configuration. */
async function monitorToCheck(
  url: string | undefined,
  flags: CheckFlags & { condition: string[]; config: string[] },
  env: Env | undefined,
): Promise<ProbingMonitor> {
  const fromConfig = flags.config.length > 0 || flags.monitor !== undefined;
  if (url !== undefined && fromConfig) {
    throw new UsageError('give either a URL or --config with --monitor, not both');
  }
  if (url === undefined && !fromConfig) {
    throw new UsageError('give a URL to check, or --config FILE --monitor NAME (see vigil check --help)');
  }
  const timeoutMs = flags.timeout === undefined ? undefined : parseTimeout(flags.timeout);
  for (const condition of flags.condition) {
    try {
      parseCondition(condition);
    } catch (error) {
      if (error instanceof ConditionSyntaxError) throw new UsageError(`--condition: ${error.message}`);
      throw error;
    }
  }
  if (url !== undefined) return monitorForUrl(url, flags.type ?? 'http', flags.condition, timeoutMs);

  if (flags.type !== undefined) throw new UsageError('--type applies to a URL; a configured monitor has its own type');
  if (flags.config.length === 0) throw new UsageError('--monitor needs --config FILE');
  if (flags.monitor === undefined) throw new UsageError('--config needs --monitor NAME_OR_ID: which monitor to check');
  const { config, files } = await loadConfig(flags.config, env === undefined ? {} : { env });
  const found = findMonitor(config.monitors, flags.monitor);
  if (found === undefined) {
    const known = config.monitors.map((m) => m.id);
    throw new UsageError(
      `no monitor "${flags.monitor}" in ${files.join(', ')}: ` +
        (known.length > 0 ? `the monitors are ${known.join(', ')}` : 'it has no monitors'),
    );
  }
  if (!isProbingMonitor(found)) {
    throw new UsageError(
      `monitor "${found.id}" is a heartbeat: your job pings Vigil (/ping/<id>), Vigil does not check it, ` +
        'so there is nothing to check once',
    );
  }
  return {
    ...found,
    ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
    conditions: [...found.conditions, ...flags.condition],
  };
}

/** By id first, then by name (exactly, then ignoring case). */
function findMonitor(monitors: readonly MonitorConfig[], wanted: string): MonitorConfig | undefined {
  return (
    monitors.find((m) => m.id === wanted) ??
    monitors.find((m) => m.name === wanted) ??
    monitors.find((m) => m.name.toLowerCase() === wanted.toLowerCase())
  );
}

function parseTimeout(text: string): number {
  const ms = parseDuration(text);
  if (ms === undefined || ms <= 0) {
    throw new UsageError(`--timeout: expected a duration like "10s" or "500ms", got "${text}"`);
  }
  return ms;
}

/**
 * An http or health monitor for a URL, through the configuration schema: the defaults (accepted statuses,
 * redirects, body cap, certificate thresholds) are exactly those of a configured monitor.
 */
function monitorForUrl(
  url: string,
  type: (typeof CHECK_TYPES)[number],
  conditions: readonly string[],
  timeoutMs: number | undefined,
): ProbingMonitor {
  const timeout = timeoutMs ?? parseDuration(DEFAULT_TIMEOUT)!;
  const parsed = configSchema.safeParse({
    monitors: [
      {
        type,
        name: 'vigil check',
        id: 'check',
        url,
        conditions,
        timeout: formatDuration(timeout),
        // Only so that the schema's "timeout shorter than interval" holds: the monitor runs once.
        interval: formatDuration(Math.max(60_000, timeout + 1000)),
      },
    ],
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? formatPath(issue.path.slice(2).filter((p) => typeof p !== 'symbol')) : '';
    const where = field === 'url' ? 'url' : field.startsWith('conditions') ? '--condition' : field;
    throw new UsageError(`${where ? `${where}: ` : ''}${issue?.message ?? 'invalid check'}`);
  }
  const monitor = parsed.data.monitors[0];
  if (monitor === undefined || !isProbingMonitor(monitor)) throw new UsageError('invalid check');
  return monitor;
}

// --- Output ---

const MARK: Record<Status, string> = { healthy: '✓', degraded: '!', unhealthy: '✗' };
const PHASES = [
  ['dns', 'dns'],
  ['connect', 'connect'],
  ['tls', 'tls'],
  ['firstByte', 'first byte'],
  ['transfer', 'transfer'],
] as const;

const LABEL_WIDTH = 'status code'.length + 2;

const ms = (value: number) => `${Math.round(value * 10) / 10} ms`;

function expiry(at: number, now: number): string {
  const days = (at - now) / 86_400_000;
  const when = new Date(at).toISOString();
  return days <= 0 ? `expired on ${when}` : `expires ${when} (in ${Math.floor(days * 10) / 10} days)`;
}

/** The result as text: one labelled line per fact, components and conditions one per line with ✓ / ! / ✗. */
export function formatOutcome(
  monitor: ProbingMonitor,
  outcome: ProbeOutcome,
  now: number,
  configured: boolean,
): string {
  const lines: Array<[string, string]> = [];
  if (configured) lines.push(['monitor', `${monitor.name} (${monitor.id})`]);
  lines.push(['check', `${monitor.type} ${monitorTarget(monitor)}`]);
  lines.push(['status', `${MARK[outcome.status]} ${outcome.status}`]);
  lines.push(['latency', ms(outcome.latencyMs)]);
  if (outcome.statusCode !== undefined) lines.push(['status code', String(outcome.statusCode)]);
  const timings = outcome.timings;
  if (timings !== undefined) {
    const shown = PHASES.filter(([key]) => timings[key] !== undefined).map(
      ([key, label]) => `${label} ${ms(timings[key]!)}`,
    );
    if (shown.length > 0) lines.push(['timings', shown.join(', ')]);
  }
  if (outcome.certificateExpiresAt !== undefined) {
    lines.push(['certificate', expiry(outcome.certificateExpiresAt, now)]);
  }
  if (outcome.error !== undefined) lines.push(['error', outcome.error]);
  // One width for every result, so that outputs line up when several are compared.
  let text = lines.map(([label, value]) => `${label.padEnd(LABEL_WIDTH)}${value}`).join('\n') + '\n';
  const components = Object.entries(outcome.components ?? {});
  if (components.length > 0) {
    const nameWidth = Math.max(...components.map(([name]) => name.length)) + 2;
    text += 'components\n';
    text += components.map(([name, status]) => `  ${MARK[status]} ${name.padEnd(nameWidth)}${status}\n`).join('');
  }
  if (outcome.conditions !== undefined && outcome.conditions.length > 0) {
    text += 'conditions\n';
    text += outcome.conditions.map((c) => `  ${c.success ? '✓' : '✗'} ${c.output}\n`).join('');
  }
  return text;
}

/** The result as JSON, in the shape of the API's results (`/api/v1/monitors/:id/results`), with the monitor. */
export function checkJson(monitor: ProbingMonitor, outcome: ProbeOutcome, at: number): Record<string, unknown> {
  return {
    monitor: { id: monitor.id, name: monitor.name, type: monitor.type, target: monitorTarget(monitor) },
    ...resultJson({ ...outcome, monitorId: monitor.id, at, location: 'local' }),
  };
}
