/** `vigil queues`: jobs per state for each queue, with workers, job schedulers and the oldest waiting job. */
import type { Command } from 'commander';
import { type QueueInfo, queueInfo } from '@vigil/jobs';
import {
  addSourceOptions,
  commandIO,
  handleCommanderErrors,
  type JobsCommandOptions,
  readQueueView,
  redisTarget,
  renderTable,
  runAction,
  showView,
  type SourceFlags,
  span,
  VIEW_EXIT,
} from './jobs-common.js';

export function registerQueuesCommand(program: Command, options: JobsCommandOptions = {}): Command {
  const io = commandIO(options);
  const command = program
    .command('queues')
    .description('count the jobs of each queue per state, with its workers, job schedulers and oldest waiting job');
  addSourceOptions(command).addHelpText(
    'after',
    '\nSTATE is "paused" for a paused queue and "missing" for a queue named with --queue that has no BullMQ key.\n' +
      'CHILDREN counts jobs waiting for their children (flows); OLDEST is how long the oldest job ready to run has\n' +
      'waited; WORKERS is "?" when the Redis server refuses CLIENT LIST.\n\n' +
      'Examples:\n' +
      '  vigil queues\n' +
      '  vigil queues --prefix shop --queue emails --queue reports --json',
  );
  handleCommanderErrors(command, options, io, VIEW_EXIT.usage);
  return command.action((flags: SourceFlags) =>
    runAction(io, VIEW_EXIT, async () => {
      const target = redisTarget(flags, io.env);
      const { queues, view } = await readQueueView(target, io, (client, queues) =>
        queueInfo({ connection: client, prefix: target.prefix, queues }),
      );
      // Never empty: there is a row for every queue, found or named.
      return showView(io, flags.json, { items: view, queues, empty: 'no queues in', table: queuesTable });
    }),
  );
}

export function queuesTable(queues: readonly QueueInfo[]): string {
  const n = (value: number) => String(value);
  return renderTable(
    [
      { header: 'QUEUE', max: 40 },
      { header: 'STATE' },
      { header: 'WAITING', align: 'right' },
      { header: 'PRIORITIZED', align: 'right' },
      { header: 'DELAYED', align: 'right' },
      { header: 'ACTIVE', align: 'right' },
      { header: 'CHILDREN', align: 'right' },
      { header: 'COMPLETED', align: 'right' },
      { header: 'FAILED', align: 'right' },
      { header: 'WORKERS', align: 'right' },
      { header: 'SCHEDULERS', align: 'right' },
      { header: 'OLDEST', align: 'right' },
    ],
    queues.map((q) => [
      q.name,
      !q.exists ? 'missing' : q.paused ? 'paused' : '-',
      n(q.counts.waiting),
      n(q.counts.prioritized),
      n(q.counts.delayed),
      n(q.counts.active),
      n(q.counts['waiting-children']),
      n(q.counts.completed),
      n(q.counts.failed),
      q.workers === null ? '?' : n(q.workers),
      n(q.schedulers),
      q.backlog > 0 ? span(q.oldestWaitingSeconds) : '-',
    ]),
  );
}
