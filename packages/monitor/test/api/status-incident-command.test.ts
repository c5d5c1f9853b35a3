/**
 * `vigil incident create | update | resolve | publish | list | delete`, the built CLI (run `npx tsc -b
 * packages/monitor` first) against the API: the harness's server for every command and error, and a real
 * `vigil serve` (in-process) for the whole round trip through the service.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { type RunningMonitor, startMonitor } from '../../src/commands/serve.js';
import { getJson, writeConfig } from '../service/harness.js';
import { unusedPort } from '../../../core/test/support/net.js';
import { CLI, tempDir } from '../support.js';
import { startApi, type TestApi } from './harness.js';

const run = promisify(execFile);

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI with `env` on top of a clean environment (no VIGIL_TOKEN or VIGIL_URL from the outside). */
async function vigil(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VIGIL_')));
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, ...args], { env: { ...clean, ...env }, timeout: 30_000 });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('vigil incident, against the API', () => {
  let api: TestApi;
  /** The CLI with the server's URL and the write token in its environment. */
  const writer = (...args: string[]) => vigil(['incident', ...args], { VIGIL_URL: api.url, VIGIL_TOKEN: api.writeToken });
  const stored = async (id: number) => (await api.request(`/api/v1/status-incidents/${id}`, { token: api.token })).body;

  beforeEach(async () => {
    api = await startApi();
  });

  afterEach(() => api.close());

  it('create, update, resolve: one line each; the incident goes through its lifecycle', async () => {
    const created = await writer(
      'create',
      '--title',
      'Checkout errors',
      '--message',
      'Some payments fail.',
      '--status',
      'identified',
      '--impact',
      'critical',
      '--monitor',
      'shop-api',
      '--monitor',
      'orders-db:partial',
    );
    expect(created).toEqual({ code: 0, stdout: 'status incident 1 created (identified, published): Checkout errors\n', stderr: '' });
    expect(await stored(1)).toMatchObject({
      status: 'identified',
      impact: 'critical',
      published: true,
      monitors: [
        { id: 'shop-api', impact: 'major' },
        { id: 'orders-db', impact: 'partial' },
      ],
      updates: [{ message: 'Some payments fail.', author: 'writer' }],
    });

    const updated = await writer('update', '1', '--message', 'A fix is rolling out.', '--status', 'monitoring');
    expect(updated).toEqual({ code: 0, stdout: 'status incident 1 updated (monitoring): Checkout errors\n', stderr: '' });
    // Without --status, the status stays.
    expect((await writer('update', '1', '--message', 'Still watching.')).stdout).toBe('status incident 1 updated (monitoring): Checkout errors\n');

    const resolved = await writer('resolve', '1');
    expect(resolved).toEqual({ code: 0, stdout: 'status incident 1 resolved: Checkout errors\n', stderr: '' });
    const incident = await stored(1);
    expect(incident.status).toBe('resolved');
    expect(incident.resolved_at).not.toBeNull();
    expect(incident.updates.map((u: any) => [u.status, u.message])).toEqual([
      ['identified', 'Some payments fail.'],
      ['monitoring', 'A fix is rolling out.'],
      ['monitoring', 'Still watching.'],
      ['resolved', 'Resolved.'],
    ]);
    await writer('create', '--title', 'Slow search', '--message', 'Looking.');
    expect((await writer('resolve', '2', '--message', 'Back to normal.')).code).toBe(0);
    expect((await stored(2)).updates.at(-1)).toMatchObject({ status: 'resolved', message: 'Back to normal.' });
  }, 60_000);

  it('--draft, list, publish, list --all, delete', async () => {
    await writer('create', '--title', 'Old outage', '--message', 'Down.');
    await writer('resolve', '1');
    const draft = await writer('create', '--title', 'Maintenance tonight', '--message', 'The database moves.', '--impact', 'minor', '--draft');
    expect(draft.stdout).toBe('status incident 2 created (investigating, draft: publish it with vigil incident publish 2): Maintenance tonight\n');
    expect((await stored(2)).published).toBe(false);

    // Open ones only by default, drafts marked; the times as the token list shows them.
    const list = await writer('list');
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^ID +STATUS +TITLE +UPDATED\n2 +investigating \(draft\) +Maintenance tonight +2025-01-15T12:00:00Z\n$/);
    const all = await writer('list', '--all');
    expect(all.stdout.split('\n').slice(1, -1).map((line) => line.split(/ {2,}/).slice(0, 3))).toEqual([
      ['2', 'investigating (draft)', 'Maintenance tonight'],
      ['1', 'resolved', 'Old outage'],
    ]);
    // Without a token: published ones only, and it says so.
    const anonymous = await vigil(['incident', 'list', '--all', '--url', api.url]);
    expect(anonymous.stdout).not.toContain('Maintenance');
    expect(anonymous.stdout).toContain('Old outage');
    expect(anonymous.stderr).toBe('vigil: published incidents only: drafts need a token (--token or VIGIL_TOKEN)\n');

    expect(await writer('publish', '2')).toEqual({ code: 0, stdout: 'status incident 2 published: Maintenance tonight\n', stderr: '' });
    expect((await vigil(['incident', 'list', '--url', api.url])).stdout).toContain('Maintenance tonight');

    expect(await writer('delete', '2')).toEqual({ code: 0, stdout: 'status incident 2 deleted\n', stderr: '' });
    const none = await writer('list');
    expect(none).toEqual({ code: 0, stdout: '', stderr: 'vigil: no open status incidents\n' });
  }, 60_000);

  it("exits 1 with the server's message when it refuses, 2 without a token, 1 when it cannot reach the server", async () => {
    const unknown = await writer('create', '--title', 'x', '--message', 'x', '--monitor', 'nope');
    expect(unknown).toEqual({ code: 1, stdout: '', stderr: 'vigil: invalid status incident: monitors[0]: no monitor with id "nope"\n' });
    const long = await writer('create', '--title', 't'.repeat(201), '--message', 'x');
    expect(long.stderr).toBe('vigil: invalid status incident: title: at most 200 characters\n');
    for (const args of [['update', '99', '--message', 'x'], ['resolve', '99'], ['publish', '99'], ['delete', '99']]) {
      expect(await writer(...args), args[0]).toEqual({ code: 1, stdout: '', stderr: 'vigil: no status incident with id "99"\n' });
    }
    const reader = await vigil(['incident', 'create', '--title', 'x', '--message', 'x', '--url', api.url, '--token', api.readToken]);
    expect(reader.code).toBe(1);
    expect(reader.stderr).toMatch(/^vigil: POST \/api\/v1\/status-incidents needs a token with scope write or higher; this token \("reader"\) has scope read/);
    const noToken = await vigil(['incident', 'resolve', '1', '--url', api.url]);
    expect(noToken).toEqual({
      code: 2,
      stdout: '',
      stderr: 'vigil: an API token is needed: --token or VIGIL_TOKEN (create one with `vigil token create --name NAME --scope write`)\n',
    });
    const port = await unusedPort();
    const down = await vigil(['incident', 'list', '--url', `http://127.0.0.1:${port}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toBe(`vigil: could not reach http://127.0.0.1:${port} (ECONNREFUSED): is vigil serve running there? (--url or VIGIL_URL)\n`);
    expect(api.service.calls).toEqual([]);
  }, 60_000);

  it('refuses a wrong --status, --impact or --monitor before calling the server', async () => {
    const status = await writer('create', '--title', 'x', '--message', 'x', '--status', 'fixed');
    expect(status.code).toBe(1);
    expect(status.stderr).toContain("vigil: option '--status <status>' argument 'fixed' is invalid. Allowed choices are investigating, identified, monitoring, resolved.");
    const impact = await writer('create', '--title', 'x', '--message', 'x', '--impact', 'huge');
    expect(impact.code).toBe(1);
    expect(impact.stderr).toContain("argument 'huge' is invalid. Allowed choices are none, minor, major, critical.");
    const monitor = await writer('create', '--title', 'x', '--message', 'x', '--monitor', 'shop-api:down');
    expect(monitor.code).toBe(1);
    expect(monitor.stderr).toContain("argument 'shop-api:down' is invalid. The impact must be one of degraded, partial, major, maintenance.");
    const missing = await writer('create', '--title', 'x');
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("vigil: required option '--message <message>' not specified");
    expect(api.service.calls).toEqual([]);
  });

  it('the help of each command says what it does', async () => {
    const help = await vigil(['incident', '--help']);
    for (const command of ['ack', 'create', 'update', 'resolve', 'publish', 'list', 'delete']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    }
    const create = await vigil(['incident', 'create', '--help']);
    expect(create.stdout).toMatch(/--monitor <id\[:impact\]>\s+a monitor affected, repeat for several/);
    expect(create.stdout.replace(/\s+/g, ' ')).toContain('--status <status> where it stands (choices: "investigating", "identified", "monitoring", "resolved", default: "investigating")');
  });
});

describe('vigil incident, against vigil serve', () => {
  let dir: { dir: string; remove: () => Promise<void> };
  let monitor: RunningMonitor;
  let token: string;

  beforeAll(async () => {
    dir = await tempDir('status-incidents');
    const yaml = `
monitors:
  - { name: Shop API, type: http, url: "http://127.0.0.1:1/health", interval: 1h, public: true }
  - { name: Orders DB, type: tcp, host: 127.0.0.1, port: 1, interval: 1h }
`;
    monitor = await startMonitor(
      { config: [await writeConfig(dir.dir, yaml)], port: '0', data: dir.dir, logFormat: 'json' },
      { env: {}, logDestination: { write: () => undefined } },
    );
    ({ token } = await createApiToken(monitor.store, 'ops', { scope: 'write' }));
  });

  afterAll(async () => {
    await monitor?.stop();
    await dir?.remove();
  });

  it('writes through the service: anyone sees the published incident, its public monitors only; the audit log has it', async () => {
    const env = { VIGIL_URL: monitor.url, VIGIL_TOKEN: token };
    const created = await vigil(['incident', 'create', '--title', 'Shop down', '--message', 'Investigating.', '--monitor', 'shop-api', '--monitor', 'orders-db:partial'], env);
    expect(created.stderr).toBe('');
    const [, id] = /^status incident (\d+) created \(investigating, published\): Shop down\n$/.exec(created.stdout) ?? [];
    expect(id).toBeDefined();
    const unknown = await vigil(['incident', 'create', '--title', 'x', '--message', 'x', '--monitor', 'nope'], env);
    expect(unknown).toMatchObject({ code: 1, stderr: 'vigil: invalid status incident: monitors[0]: no monitor with id "nope"\n' });

    const anonymous = (await getJson(`${monitor.url}/api/v1/status-incidents`)).body as { incidents: any[] };
    expect(anonymous.incidents).toEqual([
      expect.objectContaining({ id: Number(id), title: 'Shop down', monitors: [{ id: 'shop-api', impact: 'major' }], published: true }),
    ]);
    expect((await vigil(['incident', 'update', id!, '--status', 'identified', '--message', 'Found it.'], env)).code).toBe(0);
    expect((await vigil(['incident', 'resolve', id!], env)).stdout).toBe(`status incident ${id} resolved: Shop down\n`);
    const listed = await vigil(['incident', 'list', '--all'], env);
    expect(listed.stdout).toMatch(new RegExp(`^ID +STATUS +TITLE +UPDATED\\n${id} +resolved +Shop down +\\d{4}-`));
    expect(await vigil(['incident', 'delete', id!], env)).toMatchObject({ code: 0, stdout: `status incident ${id} deleted\n` });

    const entries = await monitor.store.auditLog({ limit: 10 });
    expect(entries.filter((e) => e.action.startsWith('status_incident.')).map((e) => [e.action, e.actor.name])).toEqual([
      ['status_incident.delete', 'ops'],
      ['status_incident.update', 'ops'],
      ['status_incident.update', 'ops'],
      ['status_incident.create', 'ops'],
    ]);
  }, 60_000);
});
