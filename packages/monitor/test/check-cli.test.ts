import type http from 'node:http';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangingTcpServer } from '../../core/test/support/net.js';
import { type RunningServer, startHttpServer } from '../../core/test/support/tls.js';
import { type CheckCommandOptions, registerCheckCommand } from '../src/commands/check.js';

let server: RunningServer & { url: string };
let dir: string;

beforeAll(async () => {
  server = await startHttpServer((req: http.IncomingMessage, res: http.ServerResponse) => {
    const route = new URL(req.url ?? '/', 'http://x').pathname;
    if (route === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'degraded', checks: { database: { status: 'healthy' }, disk: { status: 'degraded' } } }));
    } else if (route === '/limited') {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end('{"status":"slow down"}');
    } else if (route === '/down') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'unhealthy', checks: { database: { status: 'unhealthy' } } }));
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'DOWN', version: '1.2.3' }));
    }
  });
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-check-'));
});

afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

/** `vigil check …` on a fresh program, as the CLI registers it; output and exit code captured. */
async function vigil(args: string[], options: Partial<CheckCommandOptions> = {}) {
  let stdout = '';
  let stderr = '';
  const codes: number[] = [];
  const program = new Command().name('vigil').exitOverride();
  registerCheckCommand(program, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    exit: (code) => void codes.push(code),
    ...options,
  });
  try {
    await program.parseAsync(['check', ...args], { from: 'user' });
  } catch (error) {
    // A command-line mistake: commander stops after the exit code is set.
    if (!(error instanceof CommanderError)) throw error;
  }
  expect(codes, 'the exit code is set exactly once').toHaveLength(1);
  return { stdout, stderr, code: codes[0] };
}

async function configFile(name: string, text: string): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, text);
  return file;
}

describe('vigil check <url>', () => {
  it('prints the status, latency, status code, phase timings and each condition with ✓ / ✗, exit 0 when healthy', async () => {
    const result = await vigil([`${server.url}/`, '--condition', '[STATUS] == 200', '--condition', '[BODY].version == 1.2.3']);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`check        http GET ${server.url}/`);
    expect(lines[1]).toBe('status       ✓ healthy');
    expect(lines[2]).toMatch(/^latency {6}[\d.]+ ms$/);
    expect(lines[3]).toBe('status code  200');
    expect(lines[4]).toMatch(/^timings {6}connect [\d.]+ ms, first byte [\d.]+ ms, transfer [\d.]+ ms$/);
    expect(result.stdout).toContain('conditions\n  ✓ [STATUS] == 200\n  ✓ [BODY].version == 1.2.3\n');
  });

  it('a --condition on [STATUS] decides which statuses pass, instead of the default 2xx', async () => {
    const limited = await vigil([`${server.url}/limited`, '--condition', '[STATUS] == any(200, 429)']);
    expect(limited.code).toBe(0);
    expect(limited.stdout).toContain('status code  429\n');
    const strict = await vigil([`${server.url}/limited`]);
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('returned status 429 (expected 200-299)');
  });

  it('exits 1 when a condition fails, showing what was seen', async () => {
    const result = await vigil([`${server.url}/`, '--condition', '[BODY].status == UP']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('status       ✗ unhealthy\n');
    expect(result.stdout).toContain('error        condition failed: [BODY].status (DOWN) == UP\n');
    expect(result.stdout).toContain('  ✗ [BODY].status (DOWN) == UP\n');
  });

  it('--type health lists the components; degraded still exits 0', async () => {
    const result = await vigil([`${server.url}/health`, '--type', 'health']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('status       ! degraded\n');
    expect(result.stdout).toContain('components\n  ✓ database  healthy\n  ! disk      degraded\n');
    const down = await vigil([`${server.url}/down`, '--type', 'health']);
    expect(down.code).toBe(1);
    expect(down.stdout).toContain('error        unhealthy: database (status 503)\n');
  });

  it('--json prints the result in the API shape, with the monitor', async () => {
    const result = await vigil([`${server.url}/health`, '--type', 'health', '--json', '--condition', '[STATUS] == 200']);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      monitor: { id: 'check', type: 'health', target: `GET ${server.url}/health` },
      status: 'degraded',
      status_code: 200,
      latency_ms: expect.any(Number),
      timings: { connect_ms: expect.any(Number), first_byte_ms: expect.any(Number) },
      components: { database: 'healthy', disk: 'degraded' },
      conditions: [{ condition: '[STATUS] == 200', success: true, output: '[STATUS] == 200' }],
      error: 'degraded: disk',
      location: 'local',
    });
    expect(Date.parse(String(json.at))).toBeGreaterThan(0);
  });

  it('--timeout bounds a target that never answers: exit 1, timed out', async () => {
    const hung = await hangingTcpServer();
    try {
      const start = performance.now();
      const result = await vigil([`http://127.0.0.1:${hung.port}/`, '--timeout', '300ms']);
      expect(result.code).toBe(1);
      expect(result.stdout).toContain(`error        GET http://127.0.0.1:${hung.port}/ failed: timed out after 300 ms\n`);
      expect(performance.now() - start).toBeLessThan(1500);
    } finally {
      await hung.close();
    }
  });

  it('never prints the credentials of the URL', async () => {
    const url = server.url.replace('http://', 'http://admin:Cli-Secret-77@');
    const result = await vigil([`${url}/down`, '--json']);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('admin:***@');
    expect(result.stdout).not.toContain('Cli-Secret-77');
  });
});

describe('vigil check usage errors (exit 2)', () => {
  it.each([
    [[], 'vigil: give a URL to check, or --config FILE --monitor NAME (see vigil check --help)\n'],
    [['ftp://example.com/'], 'vigil: url: expected an http:// or https:// URL\n'],
    [['http://127.0.0.1/', '--timeout', 'soon'], 'vigil: --timeout: expected a duration like "10s" or "500ms", got "soon"\n'],
    [['http://127.0.0.1/', '--config', 'x.yaml', '--monitor', 'a'], 'vigil: give either a URL or --config with --monitor, not both\n'],
    [['--monitor', 'api'], 'vigil: --monitor needs --config FILE\n'],
  ])('vigil check %j', async (args, message) => {
    const result = await vigil(args);
    expect(result).toEqual({ stdout: '', stderr: message, code: 2 });
  });

  it('an invalid condition says where it is wrong', async () => {
    const result = await vigil(['http://127.0.0.1/', '--condition', '[STATUS] = 200']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vigil: --condition: .*\[STATUS\] = 200/);
  });

  it("commander's own mistakes (an unknown --type, an unknown option) exit 2 too", async () => {
    const type = await vigil(['http://127.0.0.1/', '--type', 'grpc']);
    expect(type.code).toBe(2);
    expect(type.stderr).toMatch(/^vigil: option '--type <type>' argument 'grpc' is invalid. Allowed choices are http, health/);
    const unknown = await vigil(['http://127.0.0.1/', '--insecure']);
    expect(unknown).toMatchObject({ code: 2, stderr: "vigil: unknown option '--insecure'\n" });
  });

  it('--help prints the usage and exits 0', async () => {
    const result = await vigil(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Usage: vigil check [options] [url]');
    expect(result.stdout).toContain('Exit code: 0 healthy or degraded, 1 unhealthy, 2 usage or configuration error.');
  });
});

describe('vigil check --config FILE --monitor NAME_OR_ID', () => {
  let file: string;

  beforeAll(async () => {
    file = await configFile(
      'vigil.yaml',
      [
        'monitors:',
        '  - name: Shop API',
        '    type: health',
        `    url: ${server.url}/health`,
        '    timeout: 5s',
        '  - name: Version',
        '    id: version',
        '    type: http',
        `    url: \${BASE_URL}/`,
        '    conditions: ["[BODY].version == 1.2.3"]',
        '  - name: Nightly backup',
        '    type: heartbeat',
        '    schedule: { period: 1d }',
        '',
      ].join('\n'),
    );
  });

  it('runs the monitor found by name or id, with ${ENV} substituted', async () => {
    const env = { BASE_URL: server.url };
    const byName = await vigil(['--config', file, '--monitor', 'Shop API'], { env });
    expect(byName.code).toBe(0);
    expect(byName.stdout.split('\n').slice(0, 2)).toEqual([
      'monitor      Shop API (shop-api)',
      `check        health GET ${server.url}/health`,
    ]);
    const byId = await vigil(['--config', file, '--monitor', 'version', '--condition', '[STATUS] == 201'], { env });
    expect(byId.code).toBe(1);
    // The monitor's conditions, then the ones added on the command line.
    expect(byId.stdout).toContain('conditions\n  ✓ [BODY].version == 1.2.3\n  ✗ [STATUS] (200) == 201\n');
  });

  it('a monitor that is not there: exit 2, listing the ones that are', async () => {
    const result = await vigil(['--config', file, '--monitor', 'nope'], { env: { BASE_URL: server.url } });
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`vigil: no monitor "nope" in ${file}: the monitors are shop-api, version, nightly-backup\n`);
  });

  it('a heartbeat cannot be checked: exit 2 with the reason', async () => {
    const result = await vigil(['--config', file, '--monitor', 'nightly-backup'], { env: { BASE_URL: server.url } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^vigil: monitor "nightly-backup" is a heartbeat: your job pings Vigil/);
  });

  it('an invalid configuration is printed as the loader reports it: exit 2', async () => {
    const bad = await configFile('bad.yaml', 'monitors:\n  - name: X\n    type: http\n    url: nope\n');
    const result = await vigil(['--config', bad, '--monitor', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `vigil: invalid configuration (1 problem):\n${bad}:4:10: monitors[0].url: expected an http:// or https:// URL, got "nope"\n`,
    );
    const missingVariable = await vigil(['--config', file, '--monitor', 'version'], { env: {} });
    expect(missingVariable.code).toBe(2);
    expect(missingVariable.stderr).toContain('BASE_URL');
  });
});
