/**
 * `vigil notify test <channel>`: sends a test message through one channel of the configuration, as `vigil serve`
 * would send an alert, and prints what the receiver answered. Exit 0 delivered, 1 not delivered, 2 usage or
 * configuration error.
 */
import type { Command } from 'commander';
import { ConfigError } from '../config/index.js';
import type { ChannelSettings } from '../notify/channels/index.js';
import { sendTestMessage, TEST_TIMEOUT_MS } from '../notify/test-message.js';
import { loadServeConfig } from './serve.js';

export interface NotifyCommandOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  exit?: (code: number) => void;
  env?: NodeJS.ProcessEnv;
  now?: () => number;
}

export function registerNotifyCommand(program: Command, options: NotifyCommandOptions = {}): Command {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const exit = options.exit ?? ((code: number) => void (process.exitCode = code));
  const notify = program.command('notify').description('work with the notification channels of a configuration');
  notify
    .command('test')
    .description('send a test message through one channel and print what the receiver answered; exit 0 delivered, 1 not')
    .argument('<channel>', 'the channel, by its name in alerts.channels')
    .option('-c, --config <files...>', 'configuration files (default: $VIGIL_CONFIG or ./vigil.yaml)')
    .action(async (name: string, flags: { config?: string[] }) => {
      const env = options.env ?? process.env;
      let channels: Record<string, unknown>;
      try {
        channels = (await loadServeConfig(flags, env)).config.alerts.channels;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        stderr(`${error.message}\n`);
        return exit(2);
      }
      // Own keys only: `toString` is not a channel.
      const settings = Object.hasOwn(channels, name) ? channels[name] : undefined;
      if (settings === undefined) {
        const known = Object.keys(channels);
        stderr(`vigil: no channel named "${name}" (${known.length === 0 ? 'alerts.channels is empty' : `channels: ${known.join(', ')}`})\n`);
        return exit(2);
      }
      const { sent } = await sendTestMessage(settings as ChannelSettings, name, {
        timeoutMs: TEST_TIMEOUT_MS,
        ...(options.now ? { now: options.now } : {}),
      });
      const status = sent.status === undefined ? '' : ` (HTTP ${sent.status})`;
      if (sent.outcome === 'delivered') {
        stdout(`${name}: delivered${status}${sent.response ? `\nreceiver answered: ${sent.response}` : ''}\n`);
        return exit(0);
      }
      stderr(`vigil: ${name}: not delivered (${sent.outcome} failure): ${sent.error}\n`);
      return exit(1);
    });
  return notify;
}
