/** `vigil stack` end to end: the built CLI (npm test builds first), in a child process. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, MONITORING, SHOP_FLAGS, tempDir } from './support.js';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function vigil(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

let root = '';
let remove: () => Promise<void> = async () => {};

beforeAll(async () => {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  ({ dir: root, remove } = await tempDir('cli'));
});

afterAll(() => remove());

describe('vigil stack', () => {
  it('writes the folder of the example shop, identical to monitoring/', async () => {
    const out = path.join(root, 'shop');
    const result = await vigil(['stack', '--out', out, ...SHOP_FLAGS]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`wrote 12 files to ${out}`);
    for (const file of ['prometheus.yml', 'alert_rules_test.yml', 'grafana/dashboards/vigil-jobs.json', '.gitignore']) {
      const written = await readFile(path.join(out, file), 'utf8');
      expect(written, file).toBe(await readFile(path.join(MONITORING, file), 'utf8'));
    }
  });

  it('refuses a folder that is not empty unless --force, which keeps other files', async () => {
    const out = path.join(root, 'busy');
    expect((await vigil(['stack', '--out', out, '--app', 'http://127.0.0.1:8000/metrics'])).code).toBe(0);
    await writeFile(path.join(out, 'notes.txt'), 'mine');
    const refused = await vigil(['stack', '--out', out, '--app', 'http://127.0.0.1:8000/metrics']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`vigil: --out: ${out} is not empty; pass --force to overwrite the generated files in it\n`);
    const forced = await vigil(['stack', '--out', out, '--force', '--app', 'http://127.0.0.1:9000/metrics']);
    expect(forced.code).toBe(0);
    expect(await readFile(path.join(out, 'prometheus.yml'), 'utf8')).toContain('127.0.0.1:9000');
    expect(await readFile(path.join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });

  it.each([
    [['--app', 'localhost:8000'], 'vigil: --app: expected an http:// or https:// URL, got "localhost:8000"'],
    [['--app', 'http://127.0.0.1:8000/metrics', '--backlog', 'lots'], 'vigil: --backlog: expected a whole number ≥ 1, got "lots"'],
    [['--app', 'http://127.0.0.1:8000/metrics', '--worker', 'nope'], 'vigil: --worker: expected a full metrics URL'],
    [['--app', 'http://127.0.0.1:8000/metrics', '--bogus'], "vigil: unknown option '--bogus'"],
    [[], "vigil: required option '--app <url>' not specified"],
  ])('rejects %j with exit 1 and one line', async (args, message) => {
    const out = path.join(root, 'rejected');
    const result = await vigil(['stack', '--out', out, ...args]);
    expect(result.code).toBe(1);
    expect(result.stderr.startsWith(message), result.stderr).toBe(true);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });
});
