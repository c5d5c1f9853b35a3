/**
 * `vigil workers`: the BullMQ workers connected to the queues — busy or idle, the job each runs, and how many jobs
 * each finished recently and in how much working time (`listWorkers` of @vigil/jobs).
 */
import type { Command } from 'commander';
import { listWorkers, type WorkerView } from '@vigil/jobs';
import {
  addSourceOptions,
  commandIO,
  handleCommanderErrors,
  type JobsCommandOptions,
  parseCount,
  readQueueView,
  redisTarget,
  renderTable,
  runAction,
  showView,
  type SourceFlags,
  span,
  VIEW_EXIT,
} from './jobs-common.js';

interface WorkersFlags extends SourceFlags {
  sample?: string;
}

export function registerWorkersCommand(program: Command, options: JobsCommandOptions = {}): Command {
  const io = commandIO(options);
  const command = program
    .command('workers')
    .description('list the BullMQ workers: busy or idle, current job, recent successes and failures, working time');
  addSourceOptions(command)
    .option('--sample <n>', 'finished jobs per queue the counts are taken from (default: 500)')
    .addHelpText(
      'after',
      '\nThe counts and working time cover the finished jobs BullMQ still keeps (at most --sample per queue), not\n' +
        'lifetime totals. Name your workers (new Worker(queue, fn, { name })) to tell them apart.\n\n' +
        'Examples:\n' +
        '  vigil workers\n' +
        '  vigil workers --queue emails --json\n' +
        '  REDIS_URL=redis://:secret@redis.internal:6379 vigil workers --prefix shop',
    );
  handleCommanderErrors(command, options, io, VIEW_EXIT.usage);
  return command.action((flags: WorkersFlags) =>
    runAction(io, VIEW_EXIT, async () => {
      const target = redisTarget(flags, io.env);
      const sample = parseCount(flags.sample, '--sample', 500, 10_000);
      const { queues, view } = await readQueueView(target, io, (client, queues) =>
        listWorkers({ connection: client, prefix: target.prefix, queues, sample }),
      );
      return showView(io, flags.json, { items: view, queues, empty: 'no worker is connected to', table: workersTable });
    }),
  );
}

/** One row per worker (a name on a queue), queue by queue. */
export function workersTable(workers: readonly WorkerView[]): string {
  return renderTable(
    [
      { header: 'NAME', max: 40 },
      { header: 'QUEUE', max: 40 },
      { header: 'STATUS' },
      { header: 'CURRENT JOB', max: 50 },
      { header: 'SUCCESSFUL', align: 'right' },
      { header: 'FAILED', align: 'right' },
      { header: 'WORKING TIME', align: 'right' },
      { header: 'CONNECTED', align: 'right' },
    ],
    workers.map((w) => [
      w.name ?? '(unnamed)',
      w.queue,
      w.status,
      currentJob(w),
      String(w.successfulJobs),
      String(w.failedJobs),
      span(w.totalWorkingSeconds),
      span(w.connectedSeconds),
    ]),
  );
}

/** `42 send-receipt (12s)`, and `+2 more` when the worker runs several jobs at once. */
function currentJob(worker: WorkerView): string {
  const [first, ...rest] = worker.currentJobs;
  if (!first) return '-';
  const running = first.runningSeconds === null ? '' : ` (${span(first.runningSeconds)})`;
  const more = rest.length > 0 ? ` +${rest.length} more` : '';
  return `${first.id}${first.name ? ` ${first.name}` : ''}${running}${more}`;
}
