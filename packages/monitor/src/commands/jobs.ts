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
  listing,
  parseCount,
  printJson,
  queuesOf,
  readRedis,
  redisTarget,
  renderTable,
  runAction,
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
      const { queues, jobs } = await readRedis(target, async (client) => {
        const queues = await queuesOf(client, target, io);
        const source = { connection: client, prefix: target.prefix, status: flags.status, limit };
        const lists = await Promise.all(queues.map((queue) => listJobs({ ...source, queue })));
        return { queues, jobs: merge(lists, flags.status, limit) };
      });
      if (flags.json) return printJson(io, jobs);
      if (jobs.length === 0) {
        io.stderr(`vigil: no ${flags.status} jobs in ${queues.length === 1 ? 'queue' : 'queues'} ${listing(queues)}\n`);
        return VIEW_EXIT.ok;
      }
      io.stdout(jobsTable(jobs, io.now()));
      return VIEW_EXIT.ok;
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
