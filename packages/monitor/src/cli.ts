#!/usr/bin/env node
/**
 * The `vigil` command line. Each command lives in its own file under `commands/` and registers itself here.
 */
import { Command } from 'commander';

type Register = (into: Command) => void;

/** Every command, in the order `vigil --help` lists them: each loads its module and gives its registration. */
const COMMANDS: Record<string, () => Promise<Register>> = {
  serve: async () => (await import('./commands/serve.js')).registerServeCommand,
  agent: async () => (await import('./commands/agent.js')).registerAgentCommand,
  check: async () => (await import('./commands/check.js')).registerCheckCommand,
  config: async () => (await import('./commands/config.js')).registerConfigCommand,
  token: async () => {
    const [token, serve] = await Promise.all([import('./commands/token.js'), import('./commands/serve.js')]);
    return (into) => token.registerTokenCommand(into, serve.openConfiguredStore);
  },
  notify: async () => (await import('./commands/notify.js')).registerNotifyCommand,
  incident: async () => (await import('./commands/incident.js')).registerIncidentCommand,
  stack: async () => (await import('./commands/stack.js')).registerStackCommand,
  doctor: async () => (await import('./commands/doctor.js')).registerDoctorCommand,
  queues: async () => (await import('./commands/queues.js')).registerQueuesCommand,
  workers: async () => (await import('./commands/workers.js')).registerWorkersCommand,
  jobs: async () => (await import('./commands/jobs.js')).registerJobsCommand,
  schedules: async () => (await import('./commands/schedules.js')).registerSchedulesCommand,
  progress: async () => (await import('./commands/progress.js')).registerProgressCommand,
  run: async () => (await import('./commands/run.js')).registerRunCommand,
};

const program = new Command()
  .name('vigil')
  .description('Vigil: health checks, job monitoring and uptime monitoring for Node.js services')
  .version('0.1.0')
  // Inherited by every command registered below: an error is one `vigil: …` line, a suggestion included.
  .configureOutput({
    outputError: (text, write) =>
      write(`vigil: ${text.replace(/^error: /, '').replace(/\n(?=\(Did you mean)/, ' ').trimEnd()}\n`),
  });

// A command loads its own module only (serve alone pulls in the stores, probes and servers; `vigil run` starts with
// every cron job): less start-up time and memory. Help, a bare `vigil` and an unknown command load every command.
const named = process.argv[2];
if (named !== undefined && Object.hasOwn(COMMANDS, named)) (await COMMANDS[named]!())(program);
else for (const register of await Promise.all(Object.values(COMMANDS).map((load) => load()))) register(program);
// Set after the commands are registered, so that only an unknown command (not a command's own error) adds it.
program.showHelpAfterError('(run `vigil --help` for the commands, `vigil <command> --help` for their options)');

program.parseAsync(process.argv).catch((error: unknown) => {
  // One clear line, no stack trace: the commands throw errors written for users.
  console.error(`vigil: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
