import type { Command } from 'commander';

/** `vigil stack`: writes the Prometheus / Alertmanager / Grafana folder for your targets. */
export function registerStackCommand(program: Command): void {
  program
    .command('stack')
    .description('write Prometheus, Alertmanager and Grafana files for your app, worker and monitor')
    .action(() => {
      throw new Error('not implemented yet');
    });
}
