/**
 * `vigil schedules`: the scheduled job log — the runs of job schedulers among the finished jobs BullMQ keeps, newest
 * first, like Frappe's Scheduled Job Log (`schedulerLog` of @vigil/jobs).
 */
import type { Command } from 'commander';
import { type SchedulerLogEntry, schedulerLog } from '@vigil/jobs';
import {
  addSourceOptions,
  commandIO,
  handleCommanderErrors,
  isoSeconds,
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

interface SchedulesFlags extends SourceFlags {
  limit?: string;
  scheduler?: string;
}

export function registerSchedulesCommand(program: Command, options: JobsCommandOptions = {}): Command {
  const io = commandIO(options);
  const command = program
    .command('schedules')
    .description('show the scheduled job log: recent runs of job schedulers, Complete or Failed, with their error');
  addSourceOptions(command)
    .option('--scheduler <id>', 'only the runs of this job scheduler (the id given to upsertJobScheduler)')
    .option('--limit <n>', 'at most this many runs, 1-10000 (default: 50)')
    .addHelpText(
      'after',
      '\nRuns removed by removeOnComplete / removeOnFail are not in the log: keep some with\n' +
        'upsertJobScheduler(id, repeat, { opts: { removeOnComplete: 100, removeOnFail: 100 } }).\n\n' +
        'Examples:\n' +
        '  vigil schedules\n' +
        '  vigil schedules --queue emails --scheduler nightly-digest --limit 10 --json',
    );
  handleCommanderErrors(command, options, io, VIEW_EXIT.usage);
  return command.action((flags: SchedulesFlags) =>
    runAction(io, VIEW_EXIT, async () => {
      const target = redisTarget(flags, io.env);
      const limit = parseCount(flags.limit, '--limit', 50, 10_000);
      const { queues, view } = await readQueueView(target, io, (client, queues) =>
        schedulerLog({
          connection: client,
          prefix: target.prefix,
          queues,
          limit,
          ...(flags.scheduler !== undefined ? { scheduler: flags.scheduler } : {}),
        }),
      );
      const which = flags.scheduler === undefined ? 'job schedulers' : `job scheduler "${flags.scheduler}"`;
      return showView(io, flags.json, {
        items: view,
        queues,
        empty: `no finished runs of ${which} in`,
        table: schedulesTable,
      });
    }),
  );
}

export function schedulesTable(entries: readonly SchedulerLogEntry[]): string {
  return renderTable(
    [
      { header: 'SCHEDULER', max: 40 },
      { header: 'QUEUE', max: 30 },
      { header: 'STATUS' },
      { header: 'JOB', max: 30 },
      { header: 'START' },
      { header: 'END' },
      { header: 'DURATION', align: 'right' },
      { header: 'ERROR', max: 60 },
    ],
    entries.map((e) => [
      e.scheduler,
      e.queue,
      e.status,
      e.job,
      isoSeconds(e.start),
      isoSeconds(e.end),
      e.durationMs === null ? '-' : span(e.durationMs / 1000),
      e.error ?? '',
    ]),
  );
}
