/**
 * `vigil incident ack <id>`: acknowledges an open incident on a running `vigil serve`, through its API (the server
 * holds the alert's state): reminders and escalation stop, the checks go on. The server is `--url` (or
 * `VIGIL_URL`, default http://127.0.0.1:3939) and the token `--token` (or `VIGIL_TOKEN`, scope write).
 * Exit 0 acknowledged, 1 refused (the server's message), 2 usage.
 */
import type { Command } from 'commander';

export interface IncidentCommandOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  exit?: (code: number) => void;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_URL = 'http://127.0.0.1:3939';

export function registerIncidentCommand(program: Command, options: IncidentCommandOptions = {}): Command {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const exit = options.exit ?? ((code: number) => void (process.exitCode = code));
  const incident = program.command('incident').description('act on the incidents of a running vigil serve');
  incident
    .command('ack')
    .description("acknowledge an open incident: its alert's reminders and escalation stop, the checks go on")
    .argument('<id>', 'the incident id (GET /api/v1/incidents)')
    .option('--url <url>', `the server (env VIGIL_URL; default ${DEFAULT_URL})`)
    .option('--token <token>', 'an API token with scope write (env VIGIL_TOKEN)')
    .action(async (id: string, flags: { url?: string; token?: string }) => {
      const env = options.env ?? process.env;
      const token = flags.token ?? env.VIGIL_TOKEN;
      if (!token) {
        stderr('vigil: an API token is needed: --token or VIGIL_TOKEN (create one with `vigil token create --name NAME --scope write`)\n');
        return exit(2);
      }
      const base = (flags.url ?? env.VIGIL_URL ?? DEFAULT_URL).replace(/\/$/, '');
      let response: Response;
      try {
        response = await fetch(`${base}/api/v1/incidents/${encodeURIComponent(id)}/acknowledge`, {
          method: 'POST',
          headers: { authorization: `Bearer ${token}` },
          signal: AbortSignal.timeout(15_000),
        });
      } catch (error) {
        const cause = (error as { cause?: { code?: string } }).cause?.code;
        stderr(`vigil: could not reach ${base}${cause ? ` (${cause})` : ''}: is vigil serve running there? (--url or VIGIL_URL)\n`);
        return exit(1);
      }
      const body = (await response.json().catch(() => ({}))) as {
        id?: number;
        monitor?: string;
        acknowledged_at?: string | null;
        acknowledged_by?: string | null;
        error?: { message?: string };
      };
      if (!response.ok) {
        stderr(`vigil: ${body.error?.message ?? `the server answered HTTP ${response.status}`}\n`);
        return exit(1);
      }
      stdout(`incident ${body.id} (${body.monitor}) acknowledged by ${body.acknowledged_by} at ${body.acknowledged_at}\n`);
      return exit(0);
    });
  return incident;
}
