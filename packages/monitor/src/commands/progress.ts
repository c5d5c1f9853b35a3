/**
 * `vigil progress`: what `job.updateProgress()` last set for each active job (`activeProgress`); with `--follow`,
 * every update as it happens until Ctrl-C (`watchProgress`), which closes the connections and exits 0.
 */
import type { Command } from 'commander';
import { errorMessage, sanitizeMessage } from '@vigil/core';
import { type ActiveProgress, activeProgress, type ProgressUpdate, watchProgress } from '@vigil/jobs';
import { formatDuration } from '../config/index.js';
import {
  addSourceOptions,
  ago,
  type CommandIO,
  commandIO,
  handleCommanderErrors,
  type JobsCommandOptions,
  listing,
  parseCount,
  progressText,
  queuesOf,
  readQueueView,
  readRedis,
  RedisError,
  type RedisTarget,
  redisTarget,
  renderTable,
  runAction,
  showView,
  type SourceFlags,
  VIEW_EXIT,
} from './jobs-common.js';

interface ProgressFlags extends SourceFlags {
  follow?: boolean;
  limit?: string;
}

export function registerProgressCommand(program: Command, options: JobsCommandOptions = {}): Command {
  const io = commandIO(options);
  const command = program
    .command('progress')
    .description('show the progress of active jobs; with --follow, each update as it happens until Ctrl-C');
  addSourceOptions(command)
    .option('--follow', 'print progress updates as workers report them, until Ctrl-C')
    .option('--limit <n>', 'active jobs per queue, longest-running first, 1-10000 (default: 100)')
    .addHelpText(
      'after',
      '\nA number is shown as a percentage, an object as JSON. With --follow --json, one JSON object per line.\n' +
        'With --follow, the queues are those named or found when it starts.\n\n' +
        'Examples:\n' +
        '  vigil progress --queue exports\n' +
        '  vigil progress --follow\n' +
        '  vigil progress --follow --json | jq -c \'select(.queue == "exports")\'',
    );
  handleCommanderErrors(command, options, io, VIEW_EXIT.usage);
  return command.action((flags: ProgressFlags) =>
    runAction(io, VIEW_EXIT, async () => {
      const target = redisTarget(flags, io.env);
      const limit = parseCount(flags.limit, '--limit', 100, 10_000);
      if (flags.follow) return follow(target, flags.json === true, io, options.signal);
      const { queues, view } = await readQueueView(target, io, (client, queues) =>
        activeProgress({ connection: client, prefix: target.prefix, queues, limit }),
      );
      return showView(io, flags.json, {
        items: view,
        queues,
        empty: 'no active jobs in',
        table: (jobs) => progressTable(jobs, io.now()),
      });
    }),
  );
}

export function progressTable(jobs: readonly ActiveProgress[], now: number): string {
  return renderTable(
    [
      { header: 'QUEUE', max: 30 },
      { header: 'JOB', max: 40 },
      { header: 'NAME', max: 30 },
      { header: 'WORKER', max: 30 },
      { header: 'STARTED' },
      { header: 'PROGRESS', max: 60 },
    ],
    jobs.map((job) => [
      job.queue,
      job.id,
      job.name ?? '-',
      job.worker ?? '-',
      ago(job.started, now),
      progressText(job.progress),
    ]),
  );
}

/** One line per update: time, queue, job and progress, aligned on the queue names. */
export function progressLine(update: ProgressUpdate, queueWidth: number): string {
  return `${update.at}  ${update.queue.padEnd(queueWidth)}  job ${update.jobId}  ${progressText(update.progress)}`;
}

/** Streams the updates until the signal (default: SIGINT / SIGTERM), then closes the watch and its connections. */
async function follow(
  target: RedisTarget,
  json: boolean,
  io: CommandIO,
  given: AbortSignal | undefined,
): Promise<number> {
  // Reachable, and which queues, within the timeout: watchProgress itself would wait through reconnections.
  const queues = await readRedis(target, (client) => queuesOf(client, target, io));
  const stop = given ? { signal: given, dispose: () => {} } : interruption();
  try {
    if (stop.signal.aborted) return VIEW_EXIT.ok;
    const watch = await withinTimeout(
      watchProgress({
        connection: target.url,
        ...(target.password !== undefined ? { password: target.password } : {}),
        prefix: target.prefix,
        queues,
      }),
      target,
    );
    // BullMQ reconnects by itself: say so once per outage rather than once per retry.
    let warned = false;
    watch.on('error', (error) => {
      if (warned) return;
      warned = true;
      io.stderr(`vigil: ${sanitizeMessage(errorMessage(error), target.secrets)} (reconnecting)\n`);
    });
    const close = () => void watch.close();
    stop.signal.addEventListener('abort', close, { once: true });
    if (stop.signal.aborted) close();
    const which = `${queues.length === 1 ? 'queue' : 'queues'} ${listing(queues)}`;
    io.stderr(`vigil: following progress of ${which}; Ctrl-C to stop\n`);
    const width = Math.max(...queues.map((q) => q.length));
    try {
      for await (const update of watch) {
        warned = false;
        io.stdout(json ? `${JSON.stringify(update)}\n` : `${progressLine(update, width)}\n`);
      }
    } finally {
      stop.signal.removeEventListener('abort', close);
      await watch.close();
    }
    return VIEW_EXIT.ok;
  } finally {
    stop.dispose();
  }
}

/** Aborted by the first Ctrl-C (or SIGTERM); a second one exits at once, in case closing hangs. */
function interruption(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    },
  };
}

/** The watch, if it starts within the timeout; one that starts later is closed at once. */
async function withinTimeout<T extends { close(): Promise<void> }>(
  starting: Promise<T>,
  target: RedisTarget,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      late = true;
      const within = formatDuration(target.timeoutMs);
      reject(new RedisError(`Redis at ${target.shown} did not start the progress stream within ${within}`));
    }, target.timeoutMs);
  });
  starting.then(
    (watch) => {
      if (late) void watch.close();
    },
    () => {},
  );
  try {
    return await Promise.race([starting, expired]);
  } catch (error) {
    if (error instanceof RedisError) throw error;
    throw new RedisError(
      `cannot follow progress at Redis ${target.shown}: ${sanitizeMessage(errorMessage(error), target.secrets)}`,
    );
  } finally {
    clearTimeout(timer);
  }
}
