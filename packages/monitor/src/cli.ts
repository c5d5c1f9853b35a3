#!/usr/bin/env node
/**
 * The `vigil` command line. Each command lives in its own file under `commands/` and registers itself here.
 */
import { Command } from 'commander';
import { registerRunCommand } from './commands/run.js';

const program = new Command()
  .name('vigil')
  .description('Vigil: health checks, job monitoring and uptime monitoring for Node.js services')
  .version('0.1.0')
  // Inherited by every command registered below: an error is one `vigil: …` line, a suggestion included.
  .configureOutput({
    outputError: (text, write) =>
      write(`vigil: ${text.replace(/^error: /, '').replace(/\n(?=\(Did you mean)/, ' ').trimEnd()}\n`),
  });

if (process.argv[2] === 'run') {
  // `vigil run` starts with every cron job: it loads its own module only, not every command's (serve alone pulls in
  // the stores, probes and servers), which makes it start in a fraction of the time and memory.
  registerRunCommand(program);
} else {
  await registerEveryCommand(program);
}
// Set after the commands are registered, so that only an unknown command (not a command's own error) adds it.
program.showHelpAfterError('(run `vigil --help` for the commands, `vigil <command> --help` for their options)');

program.parseAsync(process.argv).catch((error: unknown) => {
  // One clear line, no stack trace: the commands throw errors written for users.
  console.error(`vigil: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});

async function registerEveryCommand(into: Command): Promise<void> {
  const [agent, check, config, doctor, incident, jobs, notify, progress, queues, schedules, serve, stack, token, workers] = await Promise.all([
    import('./commands/agent.js'),
    import('./commands/check.js'),
    import('./commands/config.js'),
    import('./commands/doctor.js'),
    import('./commands/incident.js'),
    import('./commands/jobs.js'),
    import('./commands/notify.js'),
    import('./commands/progress.js'),
    import('./commands/queues.js'),
    import('./commands/schedules.js'),
    import('./commands/serve.js'),
    import('./commands/stack.js'),
    import('./commands/token.js'),
    import('./commands/workers.js'),
  ]);
  serve.registerServeCommand(into);
  agent.registerAgentCommand(into);
  check.registerCheckCommand(into);
  config.registerConfigCommand(into);
  token.registerTokenCommand(into, serve.openConfiguredStore);
  notify.registerNotifyCommand(into);
  incident.registerIncidentCommand(into);
  stack.registerStackCommand(into);
  doctor.registerDoctorCommand(into);
  queues.registerQueuesCommand(into);
  workers.registerWorkersCommand(into);
  jobs.registerJobsCommand(into);
  schedules.registerSchedulesCommand(into);
  progress.registerProgressCommand(into);
  registerRunCommand(into);
}
