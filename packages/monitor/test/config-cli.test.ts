/**
 * `vigil config check`: the configuration as `vigil serve` would load it, checked without starting anything —
 * exit 0 with a summary when valid, exit 1 with every problem (file:line:col) when not, and a clear line when
 * there is no file at all. Through the built CLI as well, as CI would run it.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerConfigCommand } from '../src/commands/config.js';
import { CLI } from './support.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-config-check-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function vigil(args: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = '';
  let stderr = '';
  const codes: number[] = [];
  const program = new Command().name('vigil').exitOverride();
  registerConfigCommand(program, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    exit: (code) => void codes.push(code),
    env,
  });
  await program.parseAsync(['node', 'vigil', 'config', 'check', ...args]);
  return { stdout, stderr, code: codes.at(-1) };
}

describe('vigil config check', () => {
  it('a valid configuration: exit 0, the files, the monitors by type, and where results go', async () => {
    const file = path.join(dir, 'valid.yaml');
    await writeFile(
      file,
      [
        'storage: postgres://vigil:${PGPASSWORD}@db.internal:5432/vigil',
        'monitors:',
        '  - { name: Shop, type: http, url: "http://127.0.0.1:8000/" }',
        '  - { name: Shop API, type: health, url: "http://127.0.0.1:8000/api/health", paused: true }',
        '  - { name: Backup, type: heartbeat, schedule: { period: 1d } }',
        '',
      ].join('\n'),
    );
    const result = await vigil(['--config', file], { PGPASSWORD: 'pg-Secret-99' });
    expect(result).toEqual({
      stdout: `${file}: valid — 3 monitors (1 http, 1 health, 1 heartbeat), 1 paused; results in PostgreSQL postgres://vigil:***@db.internal:5432/vigil\n`,
      stderr: '',
      code: 0,
    });
  });

  it('says where serve would store results with the same data directory (--data, VIGIL_DATA)', async () => {
    const file = path.join(dir, 'sqlite.yaml');
    await writeFile(file, 'monitors: []\n');
    const fromEnv = await vigil(['--config', file], { VIGIL_DATA: '/srv/vigil' });
    expect(fromEnv.stdout).toBe(`${file}: valid — 0 monitors; results in SQLite ${path.join('/srv/vigil', 'vigil.db')}\n`);
    const fromFlag = await vigil(['--config', file, '--data', '/var/lib/vigil'], { VIGIL_DATA: '/srv/vigil' });
    expect(fromFlag.stdout).toBe(`${file}: valid — 0 monitors; results in SQLite ${path.join('/var/lib/vigil', 'vigil.db')}\n`);
  });

  it('an invalid configuration: exit 1 and every problem with file, line, column and field', async () => {
    const file = path.join(dir, 'invalid.yaml');
    await writeFile(file, 'monitors:\n  - name: Shop\n    type: http\n    url: ftp://127.0.0.1/\n    interval: 5x\n');
    const result = await vigil(['--config', file]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`${file}:4:10: monitors[0].url:`);
    expect(result.stderr).toContain(`${file}:5:15: monitors[0].interval: expected a duration`);
  });

  it('takes VIGIL_CONFIG when --config is not given; says so when there is no file at all', async () => {
    const file = path.join(dir, 'from-env.yaml');
    await writeFile(file, 'monitors: []\n');
    expect(await vigil([], { VIGIL_CONFIG: file })).toMatchObject({ code: 0, stdout: `${file}: valid — 0 monitors; results in SQLite data/vigil.db\n` });
    const none = await vigil([], {});
    expect(none.code).toBe(1);
    expect(none.stderr).toBe('vigil: no configuration file: give --config FILE, set VIGIL_CONFIG, or add ./vigil.yaml\n');
  });

  it('the built CLI checks examples/vigil.yaml (exit 0) and a broken file (exit 1)', async () => {
    const example = path.join(path.dirname(CLI), '../../../examples/vigil.yaml');
    const run = promisify(execFile);
    const ok = await run(process.execPath, [CLI, 'config', 'check', '--config', example]);
    expect(ok.stdout).toMatch(/vigil\.yaml: valid — 8 monitors \(/);
    const broken = path.join(dir, 'broken.yaml');
    await writeFile(broken, 'monitors:\n  - name: [unclosed\n');
    const failed = await run(process.execPath, [CLI, 'config', 'check', '--config', broken]).catch((error) => error);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(`${broken}:`);
  });
});
