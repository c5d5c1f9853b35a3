import path from 'node:path';
import type { Command } from 'commander';
import {
  DEFAULT_NAME,
  DEFAULT_RECEIVERS,
  DEFAULT_THRESHOLDS,
  generateStack,
  parseStackOptions,
  writeStack,
  type RawStackOptions,
} from '../stack/index.js';

interface StackFlags extends RawStackOptions {
  out: string;
  force?: boolean;
}

const t = DEFAULT_THRESHOLDS;
const r = DEFAULT_RECEIVERS;

/** `vigil stack`: writes the Prometheus / Alertmanager / Grafana folder for your targets. */
export function registerStackCommand(program: Command): void {
  program
    .command('stack')
    .description('write Prometheus, Alertmanager and Grafana files for your app, worker and monitor')
    .requiredOption('--out <dir>', 'folder to write (must be empty unless --force)')
    .requiredOption('--app <url>', "the app's full metrics URL, e.g. http://127.0.0.1:8000/metrics")
    .option('--worker <url>', "the worker sidecar's metrics URL, e.g. http://127.0.0.1:8001/metrics")
    .option('--monitor <url>', "the Vigil monitor's metrics URL, e.g. http://127.0.0.1:3939/metrics")
    .option('--name <name>', `the app's name: Prometheus job <name>, and <name>-worker (default: ${DEFAULT_NAME})`)
    .option('--backlog <n>', `alert when a queue has more waiting jobs (default: ${t.backlog})`)
    .option('--failed-jobs <n>', `alert when more jobs of a queue failed in an hour (default: ${t.failedJobs})`)
    .option('--disk-free-percent <n>', `alert below this free disk space (default: ${t.diskFreePercent})`)
    .option('--db-slow-seconds <n>', `alert when a database ping takes longer (default: ${t.dbSlowSeconds})`)
    .option('--error-rate <n>', `alert above this many errors an hour (default: ${t.errorRate})`)
    .option('--cert-days <n>', `alert when a certificate expires within (default: ${t.certDays})`)
    .option('--business-example', "add the example shop's business rule and panels (shop_sales_today)")
    .option(
      '--business-hours <from-to>',
      `UTC hours of the business example (default: ${t.businessHours.from}-${t.businessHours.to})`,
    )
    .option('--receivers <list>', `alert channels among email,slack,webhook (default: ${r.channels.join(',')})`)
    .option('--email-to <addresses>', `alert e-mail recipients, comma-separated (default: ${r.emailTo})`)
    .option('--email-from <address>', `alert e-mail sender and SMTP user (default: ${r.emailFrom})`)
    .option('--smtp-smarthost <host:port>', `SMTP server (default: ${r.smtpSmarthost})`)
    .option('--slack-channel <channel>', `Slack channel (default: ${r.slackChannel})`)
    .option('--webhook-url <url>', `webhook receiver, without credentials (default: ${r.webhookUrl})`)
    .option('--force', 'write into a folder that is not empty, overwriting the generated files')
    .configureOutput({
      // Commander's own errors (unknown option, missing value) in the CLI's one-line form.
      outputError: (message, write) => write(`vigil: ${message.replace(/^error: /, '')}`),
    })
    .action(async (flags: StackFlags) => {
      const { out, force, ...raw } = flags;
      const options = parseStackOptions(raw);
      const files = generateStack(options);
      const dir = path.resolve(out);
      await writeStack(dir, files, force === true);
      console.log(`vigil: wrote ${files.size} files to ${dir}`);
      console.log(`next: see ${path.join(dir, 'README.md')} (secrets, then docker compose up -d)`);
    });
}
