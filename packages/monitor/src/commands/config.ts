/**
 * `vigil config check`: loads the configuration files as `vigil serve` would — the same merge, `${ENV}`
 * substitution and schema — and says whether they are valid, without opening the store or checking anything.
 * For CI and pre-deploy hooks: exit 0 valid, 1 invalid (every problem listed as file:line:col: field: message).
 */
import type { Command } from 'commander';
import { ConfigError, type VigilConfig } from '../config/index.js';
import { configPaths, describeStore, loadServeConfig } from './serve.js';

export interface ConfigCommandOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  exit?: (code: number) => void;
  env?: NodeJS.ProcessEnv;
}

/** `8 monitors (3 http, 2 health, 1 tcp, 2 heartbeat), 1 paused`. */
function describeMonitors(config: VigilConfig): string {
  const byType = new Map<string, number>();
  for (const monitor of config.monitors) byType.set(monitor.type, (byType.get(monitor.type) ?? 0) + 1);
  const count = config.monitors.length;
  const kinds = [...byType].map(([type, n]) => `${n} ${type}`).join(', ');
  const paused = config.monitors.filter((monitor) => monitor.paused).length;
  const listed = count > 0 ? ` (${kinds})` : '';
  return `${count} monitor${count === 1 ? '' : 's'}${listed}${paused > 0 ? `, ${paused} paused` : ''}`;
}

export function registerConfigCommand(program: Command, options: ConfigCommandOptions = {}): Command {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const exit = options.exit ?? ((code: number) => void (process.exitCode = code));
  const config = program
    .command('config')
    .description('work with configuration files without starting the monitor');
  config
    .command('check')
    .description('check configuration files as vigil serve would load them; exit 0 valid, 1 invalid')
    .option(
      '-c, --config <files...>',
      'configuration files or directories, merged in order (default: $VIGIL_CONFIG or ./vigil.yaml)',
    )
    .option('--data <dir>', 'data directory, as given to vigil serve (env VIGIL_DATA): where the SQLite database would be')
    .addHelpText('after', '\nExamples:\n  vigil config check --config vigil.yaml\n  vigil config check --config conf.d/')
    .action(async (flags: { config?: string[]; data?: string }) => {
      const env = options.env ?? process.env;
      const paths = configPaths(flags, env);
      if (paths.length === 0) {
        stderr('vigil: no configuration file: give --config FILE, set VIGIL_CONFIG, or add ./vigil.yaml\n');
        return exit(1);
      }
      try {
        // With serve's overrides (VIGIL_DATA, --data…): the summary says what serve would use.
        const { config: loaded, files } = await loadServeConfig({ config: paths, ...(flags.data ? { data: flags.data } : {}) }, env);
        stdout(`${files.join(', ')}: valid — ${describeMonitors(loaded)}; results in ${describeStore(loaded)}\n`);
        exit(0);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        stderr(`${error.message}\n`);
        exit(1);
      }
    });
  return config;
}
