#!/usr/bin/env node
/**
 * The `vigil` command line. Each command lives in its own file under `commands/` and registers itself here.
 */
import { Command } from 'commander';
import { registerAgentCommand } from './commands/agent.js';
import { registerCheckCommand } from './commands/check.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDoctorCommand } from './commands/doctor.js';
import { registerIncidentCommand } from './commands/incident.js';
import { registerJobsCommand } from './commands/jobs.js';
import { registerNotifyCommand } from './commands/notify.js';
import { registerProgressCommand } from './commands/progress.js';
import { registerQueuesCommand } from './commands/queues.js';
import { registerSchedulesCommand } from './commands/schedules.js';
import { openConfiguredStore, registerServeCommand } from './commands/serve.js';
import { registerStackCommand } from './commands/stack.js';
import { registerTokenCommand } from './commands/token.js';
import { registerWorkersCommand } from './commands/workers.js';

const program = new Command()
  .name('vigil')
  .description('Vigil: health checks, job monitoring and uptime monitoring for Node.js services')
  .version('0.1.0')
  // Inherited by every command registered below: an error is one `vigil: …` line, a suggestion included.
  .configureOutput({
    outputError: (text, write) =>
      write(`vigil: ${text.replace(/^error: /, '').replace(/\n(?=\(Did you mean)/, ' ').trimEnd()}\n`),
  });

registerServeCommand(program);
registerAgentCommand(program);
registerCheckCommand(program);
registerConfigCommand(program);
registerTokenCommand(program, openConfiguredStore);
registerNotifyCommand(program);
registerIncidentCommand(program);
registerStackCommand(program);
registerDoctorCommand(program);
registerQueuesCommand(program);
registerWorkersCommand(program);
registerJobsCommand(program);
registerSchedulesCommand(program);
registerProgressCommand(program);
// Set after the commands are registered, so that only an unknown command (not a command's own error) adds it.
program.showHelpAfterError('(run `vigil --help` for the commands, `vigil <command> --help` for their options)');

program.parseAsync(process.argv).catch((error: unknown) => {
  // One clear line, no stack trace: the commands throw errors written for users.
  console.error(`vigil: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
