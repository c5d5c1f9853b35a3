import { sanitizeMessage } from '@vigil/core';

/**
 * Stuck-worker diagnostics on a signal (SIGUSR2 by default: SIGUSR1 starts Node's inspector). The report names
 * the jobs running now and for how long, with the main thread's JavaScript stack where it handled the signal and
 * what the process is waiting on (timers, sockets…). A JavaScript signal handler runs on the main event loop: a
 * job awaiting something that never settles is reported at once; a loop blocked by synchronous code is reported
 * as soon as it yields (the sidecar's `/health` already says it is blocked).
 */

/** A job the worker is running. `queue`, `id`, `name` and `startedAt` are shown first; other fields as JSON. */
export interface CurrentJob {
  queue?: string;
  id?: string;
  name?: string;
  /** Epoch ms the job (attempt) started. */
  startedAt?: number;
  [field: string]: unknown;
}

export interface DiagnosticReport {
  /** What asked for it: the signal name, or `manual`. */
  trigger: string;
  /** ISO time of the report. */
  time: string;
  pid: number;
  nodeVersion: string;
  uptimeSeconds: number;
  rssBytes: number;
  heapUsedBytes: number;
  currentJobs: CurrentJob[];
  /** Set when `currentJobs()` threw. */
  currentJobsError?: string;
  /** The main thread's JavaScript stack where the report was made, one frame per line. */
  javascriptStack: string[];
  /** Resources keeping the event loop alive, by type (`Timeout`, `TCPSocketWrap`, …). */
  activeResources: Record<string, number>;
}

export interface DiagnosticsOptions {
  /** The jobs running now. Default: none known (the sidecar passes the jobs of the workers it watches). */
  currentJobs?: () => Iterable<CurrentJob>;
  /** Where the report goes: its text (several lines) and the same report as an object. Default: stderr. */
  log?: (text: string, report: DiagnosticReport) => void;
  /** Default `SIGUSR2`. */
  signal?: NodeJS.Signals;
  /** Literal secrets to redact from the report (URL credentials and `password=` pairs always are). */
  secrets?: readonly string[];
  /** Injected clock (epoch ms). */
  now?: () => number;
}

const MAX_JOB_JSON = 2000;

function jsonOf(value: unknown): string {
  try {
    const text = JSON.stringify(value) ?? String(value);
    return text.length > MAX_JOB_JSON ? `${text.slice(0, MAX_JOB_JSON)}…` : text;
  } catch {
    return '[not serialisable]';
  }
}

/** Builds the report now, on the calling thread. */
export function diagnosticReport(options: DiagnosticsOptions = {}, trigger = 'manual'): DiagnosticReport {
  const now = options.now ?? Date.now;
  // Frames below this function are where the main thread was when it made the report.
  const stack = (new Error('diagnostics').stack ?? '')
    .split('\n')
    .slice(1)
    .map((line) => line.trim())
    .filter((line) => line !== '');
  let currentJobs: CurrentJob[] = [];
  let currentJobsError: string | undefined;
  try {
    currentJobs = [...(options.currentJobs?.() ?? [])];
  } catch (error) {
    currentJobsError = error instanceof Error ? error.message : String(error);
  }
  const activeResources: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) activeResources[type] = (activeResources[type] ?? 0) + 1;
  const memory = process.memoryUsage();
  return {
    trigger,
    time: new Date(now()).toISOString(),
    pid: process.pid,
    nodeVersion: process.version,
    uptimeSeconds: Math.round(process.uptime()),
    rssBytes: memory.rss,
    heapUsedBytes: memory.heapUsed,
    currentJobs,
    ...(currentJobsError !== undefined ? { currentJobsError } : {}),
    javascriptStack: stack,
    activeResources,
  };
}

/** The report as text, one fact per line, secrets redacted. */
export function formatDiagnosticReport(
  report: DiagnosticReport,
  secrets: readonly string[] = [],
  now: number = Date.now(),
): string {
  const lines = [
    `vigil worker diagnostics (${report.trigger}) pid ${report.pid} at ${report.time}, node ${report.nodeVersion}, ` +
      `up ${report.uptimeSeconds} s, rss ${Math.round(report.rssBytes / 1048576)} MiB, ` +
      `heap used ${Math.round(report.heapUsedBytes / 1048576)} MiB`,
  ];
  if (report.currentJobsError !== undefined) lines.push(`current jobs: unknown (${report.currentJobsError})`);
  else lines.push(`current jobs (${report.currentJobs.length}):${report.currentJobs.length === 0 ? ' none' : ''}`);
  for (const job of report.currentJobs) {
    const { queue, id, name, startedAt, ...rest } = job;
    const parts = [
      queue !== undefined ? `queue "${queue}"` : undefined,
      id !== undefined ? `job ${id}` : 'job',
      name !== undefined ? `"${name}"` : undefined,
      typeof startedAt === 'number'
        ? `running for ${((now - startedAt) / 1000).toFixed(1)} s (since ${new Date(startedAt).toISOString()})`
        : undefined,
      Object.keys(rest).length > 0 ? jsonOf(rest) : undefined,
    ].filter((part): part is string => part !== undefined);
    lines.push(`  - ${parts.join(' ')}`);
  }
  const resources = Object.entries(report.activeResources)
    .map(([type, count]) => `${type} x${count}`)
    .join(', ');
  lines.push(`waiting on: ${resources === '' ? 'nothing' : resources}`);
  lines.push('JavaScript stack (main thread, where the report was made):');
  for (const frame of report.javascriptStack) lines.push(`    ${frame}`);
  return sanitizeMessage(lines.join('\n'), secrets);
}

/**
 * Writes a report to `log` each time the process receives the signal. Opt-in: a listener replaces the signal's
 * default action (for SIGUSR2, terminating the process). Returns a function that removes the listener.
 */
export function installDiagnostics(options: DiagnosticsOptions = {}): () => void {
  const signal = options.signal ?? 'SIGUSR2';
  if (signal === 'SIGUSR1') throw new TypeError('SIGUSR1 starts the Node.js inspector: use SIGUSR2 (the default)');
  const log = options.log ?? ((text: string) => process.stderr.write(`${text}\n`));
  const now = options.now ?? Date.now;
  const onSignal = () => {
    const report = diagnosticReport(options, signal);
    log(formatDiagnosticReport(report, options.secrets ?? [], now()), report);
  };
  process.on(signal, onSignal);
  return () => {
    process.off(signal, onSignal);
  };
}
