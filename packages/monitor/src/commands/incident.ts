/**
 * `vigil incident …`: incidents on a running `vigil serve`, through its API.
 *
 * - `ack <id>` acknowledges an open incident of a monitor (the server holds the alert's state): reminders and
 *   escalation stop, the checks go on.
 * - `create`, `update`, `resolve`, `publish`, `list`, `delete` write the incidents status pages show (status
 *   incidents: a title, a lifecycle investigating → identified → monitoring → resolved, updates, the monitors
 *   affected), through /api/v1/status-incidents.
 *
 * The server is `--url` (or `VIGIL_URL`, default http://127.0.0.1:3939) and the token `--token` (or
 * `VIGIL_TOKEN`, scope write; `list` works without one, published incidents only). Each prints one line (`list` a
 * table). Exit 0 done, 1 refused (the server's message) or unreachable, 2 no token.
 */
import { type Command, InvalidArgumentError, Option } from 'commander';
import {
  MONITOR_IMPACTS,
  type MonitorImpact,
  STATUS_IMPACTS,
  STATUS_INCIDENT_STATES,
  type StatusImpact,
  type StatusIncidentState,
} from '../store/store.js';

export interface IncidentCommandOptions {
  stdout?: (text: string) => void;
  stderr?: (text: string) => void;
  exit?: (code: number) => void;
  env?: NodeJS.ProcessEnv;
}

const DEFAULT_URL = 'http://127.0.0.1:3939';
const STATUS_INCIDENTS = '/api/v1/status-incidents';
/** The API's largest page. */
const PAGE = 1000;
/** Longer titles are cut in `list` (the whole title is in the API's answer). */
const TITLE_WIDTH = 60;

interface ServerFlags {
  url?: string;
  token?: string;
}

/** A status incident as the API answers it (the fields the commands print). */
interface StatusIncidentAnswer {
  id: number;
  title: string;
  status: StatusIncidentState;
  published: boolean;
  updated_at: string;
}

type Affected = string | { id: string; impact: MonitorImpact };

/** `--monitor id[:impact]`, repeatable. */
function collectMonitor(value: string, previous: Affected[] | undefined = []): Affected[] {
  const [id = '', impact, ...rest] = value.split(':');
  if (id === '' || rest.length > 0) throw new InvalidArgumentError('Expected a monitor id, or id:impact (shop-api:partial).');
  if (impact === undefined) return [...previous, id];
  if (!(MONITOR_IMPACTS as readonly string[]).includes(impact)) {
    throw new InvalidArgumentError(`The impact must be one of ${MONITOR_IMPACTS.join(', ')}.`);
  }
  return [...previous, { id, impact: impact as MonitorImpact }];
}

const shortTime = (iso: string) => iso.replace(/\.\d{3}Z$/, 'Z');

function table(rows: readonly string[][]): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  return rows
    .map((row) => row.map((cell, column) => (column === row.length - 1 ? cell : cell.padEnd(widths[column] ?? 0))).join('  '))
    .join('\n');
}

export function registerIncidentCommand(program: Command, options: IncidentCommandOptions = {}): Command {
  const stdout = options.stdout ?? ((text: string) => void process.stdout.write(text));
  const stderr = options.stderr ?? ((text: string) => void process.stderr.write(text));
  const exit = options.exit ?? ((code: number) => void (process.exitCode = code));
  const incident = program
    .command('incident')
    .description('acknowledge incidents, and write the incidents status pages show, on a running vigil serve');

  const server = (command: Command, token = 'an API token with scope write (env VIGIL_TOKEN)') =>
    command.option('--url <url>', `the server (env VIGIL_URL; default ${DEFAULT_URL})`).option('--token <token>', token);

  /**
   * Calls the API: the answer's body when it succeeded; otherwise the reason is printed, the exit code set, and
   * the result is undefined. Without a token, a call that needs one stops here (exit 2).
   */
  const call = async <T>(
    flags: ServerFlags,
    request: { method: string; path: string; body?: unknown; tokenOptional?: boolean },
  ): Promise<{ body: T } | undefined> => {
    const env = options.env ?? process.env;
    const token = flags.token ?? env.VIGIL_TOKEN;
    if (!token && !request.tokenOptional) {
      stderr('vigil: an API token is needed: --token or VIGIL_TOKEN (create one with `vigil token create --name NAME --scope write`)\n');
      exit(2);
      return undefined;
    }
    const base = (flags.url ?? env.VIGIL_URL ?? DEFAULT_URL).replace(/\/$/, '');
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    if (request.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${base}${request.path}`, {
        method: request.method,
        headers,
        ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (error) {
      const cause = (error as { cause?: { code?: string } }).cause?.code;
      stderr(`vigil: could not reach ${base}${cause ? ` (${cause})` : ''}: is vigil serve running there? (--url or VIGIL_URL)\n`);
      exit(1);
      return undefined;
    }
    const body = (await response.json().catch(() => ({}))) as T & { error?: { message?: string } };
    if (!response.ok) {
      stderr(`vigil: ${body.error?.message ?? `the server answered HTTP ${response.status}`}\n`);
      exit(1);
      return undefined;
    }
    return { body };
  };

  const incidentPath = (id: string) => `${STATUS_INCIDENTS}/${encodeURIComponent(id)}`;

  server(
    incident
      .command('ack')
      .description("acknowledge an open incident: its alert's reminders and escalation stop, the checks go on")
      .argument('<id>', 'the incident id (GET /api/v1/incidents)'),
  ).action(async (id: string, flags: ServerFlags) => {
    const answer = await call<{ id?: number; monitor?: string; acknowledged_at?: string | null; acknowledged_by?: string | null }>(flags, {
      method: 'POST',
      path: `/api/v1/incidents/${encodeURIComponent(id)}/acknowledge`,
    });
    if (!answer) return;
    const body = answer.body;
    stdout(`incident ${body.id} (${body.monitor}) acknowledged by ${body.acknowledged_by} at ${body.acknowledged_at}\n`);
    exit(0);
  });

  server(
    incident
      .command('create')
      .description('write an incident for the status pages, with its first update (published at once unless --draft)')
      .requiredOption('--title <title>', 'what is wrong, in a few words (at most 200 characters)')
      .requiredOption('--message <message>', 'the first update: what is known, what is being done')
      .addOption(new Option('--status <status>', 'where it stands').choices(STATUS_INCIDENT_STATES).default('investigating'))
      .addOption(new Option('--impact <impact>', 'how bad it is overall').choices(STATUS_IMPACTS).default('major'))
      .option(
        '--monitor <id[:impact]>',
        `a monitor affected, repeat for several; impact: ${MONITOR_IMPACTS.join(', ')} (default: major for a major or critical incident, degraded otherwise)`,
        collectMonitor,
      )
      .option('--draft', 'keep it off the status pages until `vigil incident publish <id>`'),
  ).action(
    async (
      flags: ServerFlags & { title: string; message: string; status: StatusIncidentState; impact: StatusImpact; monitor?: Affected[]; draft?: boolean },
    ) => {
      const answer = await call<StatusIncidentAnswer>(flags, {
        method: 'POST',
        path: STATUS_INCIDENTS,
        body: {
          title: flags.title,
          message: flags.message,
          status: flags.status,
          impact: flags.impact,
          monitors: flags.monitor ?? [],
          published: flags.draft !== true,
        },
      });
      if (!answer) return;
      const created = answer.body;
      const shown = created.published ? 'published' : `draft: publish it with vigil incident publish ${created.id}`;
      stdout(`status incident ${created.id} created (${created.status}, ${shown}): ${created.title}\n`);
      exit(0);
    },
  );

  server(
    incident
      .command('update')
      .description('add an update to a status page incident: what is new, and where it stands now (--status)')
      .argument('<id>', 'the status incident id (vigil incident list)')
      .requiredOption('--message <message>', 'what is new')
      .addOption(new Option('--status <status>', 'where it stands from now on (default: unchanged)').choices(STATUS_INCIDENT_STATES)),
  ).action(async (id: string, flags: ServerFlags & { message: string; status?: StatusIncidentState }) => {
    const answer = await call<StatusIncidentAnswer>(flags, {
      method: 'POST',
      path: `${incidentPath(id)}/updates`,
      body: { message: flags.message, ...(flags.status === undefined ? {} : { status: flags.status }) },
    });
    if (!answer) return;
    stdout(`status incident ${answer.body.id} updated (${answer.body.status}): ${answer.body.title}\n`);
    exit(0);
  });

  server(
    incident
      .command('resolve')
      .description('resolve a status page incident: a last update with status resolved')
      .argument('<id>', 'the status incident id (vigil incident list)')
      .option('--message <message>', 'the last update', 'Resolved.'),
  ).action(async (id: string, flags: ServerFlags & { message: string }) => {
    const answer = await call<StatusIncidentAnswer>(flags, {
      method: 'POST',
      path: `${incidentPath(id)}/updates`,
      body: { status: 'resolved', message: flags.message },
    });
    if (!answer) return;
    stdout(`status incident ${answer.body.id} resolved: ${answer.body.title}\n`);
    exit(0);
  });

  server(
    incident
      .command('publish')
      .description('publish a draft status page incident: the status pages show it at once')
      .argument('<id>', 'the status incident id (vigil incident list)'),
  ).action(async (id: string, flags: ServerFlags) => {
    const answer = await call<StatusIncidentAnswer>(flags, { method: 'PATCH', path: incidentPath(id), body: { published: true } });
    if (!answer) return;
    stdout(`status incident ${answer.body.id} published: ${answer.body.title}\n`);
    exit(0);
  });

  server(
    incident
      .command('list')
      .description('list the status page incidents that are not resolved, newest first (drafts too, with a token)')
      .option('--all', 'resolved ones too'),
    'an API token with scope read (env VIGIL_TOKEN); without one, published incidents only',
  ).action(async (flags: ServerFlags & { all?: boolean }) => {
    const listed: StatusIncidentAnswer[] = [];
    // Open ones: those not resolved before now (filtered again here, whatever the server's clock says).
    const since = flags.all ? '' : `&since=${encodeURIComponent(new Date().toISOString())}`;
    let before = '';
    for (;;) {
      const answer = await call<{ incidents: StatusIncidentAnswer[]; next: number | null }>(flags, {
        method: 'GET',
        path: `${STATUS_INCIDENTS}?limit=${PAGE}${since}${before}`,
        tokenOptional: true,
      });
      if (!answer) return;
      listed.push(...answer.body.incidents.filter((found) => flags.all || found.status !== 'resolved'));
      if (answer.body.next === null) break;
      before = `&before=${answer.body.next}`;
    }
    const anonymous = !(flags.token ?? (options.env ?? process.env).VIGIL_TOKEN);
    if (listed.length === 0) {
      stderr(`vigil: no ${flags.all ? '' : 'open '}status incidents${anonymous ? ' (published ones only: no token)' : ''}\n`);
      exit(0);
      return;
    }
    const rows = [
      ['ID', 'STATUS', 'TITLE', 'UPDATED'],
      ...listed.map((found) => [
        String(found.id),
        found.published ? found.status : `${found.status} (draft)`,
        found.title.length > TITLE_WIDTH ? `${found.title.slice(0, TITLE_WIDTH - 1)}…` : found.title,
        shortTime(found.updated_at),
      ]),
    ];
    stdout(`${table(rows)}\n`);
    if (anonymous) stderr('vigil: published incidents only: drafts need a token (--token or VIGIL_TOKEN)\n');
    exit(0);
  });

  server(
    incident
      .command('delete')
      .description('delete a status page incident and its updates (to end one, resolve it instead)')
      .argument('<id>', 'the status incident id (vigil incident list)'),
  ).action(async (id: string, flags: ServerFlags) => {
    if (!(await call(flags, { method: 'DELETE', path: incidentPath(id) }))) return;
    stdout(`status incident ${id} deleted\n`);
    exit(0);
  });

  return incident;
}
