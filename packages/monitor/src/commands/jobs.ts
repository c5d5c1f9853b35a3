/**
 * `vigil jobs --status queued|started|finished|failed`: the jobs of the queues in one status, with their arguments,
 * exception and times (`listJobs` of @vigil/jobs).
 */
import { type Command, Option } from 'commander';
import { type JobStatus, type JobView, listJobs } from '@vigil/jobs';
import {
  addSourceOptions,
  ago,
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
  VIEW_EXIT,
} from './jobs-common.js';

export const JOB_STATUSES = ['queued', 'started', 'finished', 'failed'] as const satisfies readonly JobStatus[];

interface JobsFlags extends SourceFlags {
  status: JobStatus;
  limit?: string;
}

/** The BullMQ state a status is read from first: shown only when a job is in another one (`queued (delayed)`). */
const USUAL_STATE: Record<JobStatus, string> = {
  queued: 'waiting',
  started: 'active',
  finished: 'completed',
  failed: 'failed',
};

export function registerJobsCommand(program: Command, options: JobsCommandOptions = {}): Command {
  const io = commandIO(options);
  const command = program
    .command('jobs')
    .description('list the jobs of the queues in one status, with their arguments, exception and times');
  addSourceOptions(command)
    .addOption(
      new Option('--status <status>', 'queued (waiting, delayed…), started (active), finished (completed) or failed')
        .choices(JOB_STATUSES)
        .makeOptionMandatory(),
    )
    .option('--limit <n>', 'at most this many jobs, 1-1000 (default: 20)')
    .addHelpText(
      'after',
      '\nQueued and started jobs are listed oldest first, finished and failed ones newest first.\n\n' +
        'Examples:\n' +
        '  vigil jobs --queue emails --status failed\n' +
        '  vigil jobs --status queued --limit 100 --json',
    );
  handleCommanderErrors(command, options, io, VIEW_EXIT.usage);
  return command.action((flags: JobsFlags) =>
    runAction(io, VIEW_EXIT, async () => {
      const target = redisTarget(flags, io.env);
      const limit = parseCount(flags.limit, '--limit', 20, 1000);
      const { queues, view } = await readQueueView(target, io, async (client, queues) => {
        const source = { connection: client, prefix: target.prefix, status: flags.status, limit };
        return merge(await Promise.all(queues.map((queue) => listJobs({ ...source, queue }))), flags.status, limit);
      });
      return showView(io, flags.json, {
        items: view,
        queues,
        empty: `no ${flags.status} jobs in`,
        table: (jobs) => jobsTable(jobs, io.now()),
      });
    }),
  );
}

/** Several queues' lists as one, in the order of a single list, cut to the limit. */
function merge(lists: readonly JobView[][], status: JobStatus, limit: number): JobView[] {
  if (lists.length === 1) return lists[0] ?? [];
  const time = (iso: string | null) => (iso === null ? 0 : Date.parse(iso));
  const key = (job: JobView) =>
    status === 'queued' ? time(job.created) : status === 'started' ? time(job.started) : -time(job.ended);
  return lists
    .flat()
    .sort((a, b) => key(a) - key(b))
    .slice(0, limit);
}

export function jobsTable(jobs: readonly JobView[], now: number): string {
  return renderTable(
    [
      { header: 'ID', max: 40 },
      { header: 'QUEUE', max: 30 },
      { header: 'STATUS' },
      { header: 'NAME', max: 30 },
      { header: 'ARGUMENTS', max: 40 },
      { header: 'EXCEPTION', max: 50 },
      { header: 'CREATED' },
      { header: 'STARTED' },
      { header: 'ENDED' },
    ],
    jobs.map((job) => [
      job.id,
      job.queue,
      job.state === USUAL_STATE[job.status] ? job.status : `${job.status} (${job.state})`,
      job.name,
      job.arguments,
      job.exception?.message ?? '-',
      ago(job.created, now),
      ago(job.started, now),
      ago(job.ended, now),
    ]),
  );
}
