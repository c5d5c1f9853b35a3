/**
 * docs/doctor.md works when pasted: its scripts are run as written (under a key prefix of this file's own instead
 * of `bull`), its `vigil doctor` commands print what the page shows, and its configuration example and key
 * reference match the schema.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Command, CommanderError } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unusedPort } from '../../../core/test/support/net.js';
import { sharedRedisWorld, until } from '../../../jobs/test/support.js';
import { REDIS, REDIS_URL, withDatabase } from '../../../../test/services.js';
import type { JobsCommandOptions } from '../../src/commands/jobs-common.js';
import { registerJobsCommand } from '../../src/commands/jobs.js';
import { registerProgressCommand } from '../../src/commands/progress.js';
import { registerQueuesCommand } from '../../src/commands/queues.js';
import { registerSchedulesCommand } from '../../src/commands/schedules.js';
import { registerWorkersCommand } from '../../src/commands/workers.js';
import {
  DOCTOR_EXIT,
  doctorConfigSchema,
  type DoctorReport,
  parseDoctorConfig,
  registerDoctorCommand,
} from '../../src/commands/doctor.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const DOC = 'docs/doctor.md';
const doc = readFileSync(path.join(root, DOC), 'utf8');
const blocks = (lang: string) => [...doc.matchAll(new RegExp(`\`\`\`${lang}\\n([\\s\\S]*?)\`\`\``, 'g'))].map((m) => m[1]!);

// Only the prefix differs from the page: the shared Redis is not this test's to fill under `bull`.
// (And the address, when VIGIL_TEST_REDIS_URL puts the shared Redis elsewhere than the page's local one.)
const PAGE_REDIS_URL = 'redis://127.0.0.1:6379';
const redisEnv: Record<string, string> =
  REDIS_URL === PAGE_REDIS_URL
    ? {}
    : { REDIS_URL, SHOP_REDIS_URL: REDIS_URL, BLOG_REDIS_URL: withDatabase(REDIS_URL, '1') };
const world = sharedRedisWorld();
const { prefix, redis } = world;
let dir: string;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-doctor-docs-'));
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await world.dispose();
  await rm(dir, { recursive: true, force: true });
});

type Register = (program: Command, options: JobsCommandOptions) => unknown;

/** `vigil <args>` with the commands of this work registered; output and exit code captured. */
async function vigil(args: string[], options: JobsCommandOptions = {}) {
  let stdout = '';
  let stderr = '';
  const codes: number[] = [];
  const program = new Command().name('vigil').exitOverride();
  const registers: Register[] = [
    registerDoctorCommand,
    registerJobsCommand,
    registerProgressCommand,
    registerQueuesCommand,
    registerSchedulesCommand,
    registerWorkersCommand,
  ];
  for (const register of registers) {
    register(program, {
      stdout: (text) => void (stdout += text),
      stderr: (text) => void (stderr += text),
      exit: (code) => void codes.push(code),
      env: redisEnv,
      ...options,
    });
  }
  try {
    await program.parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
  }
  expect(codes).toHaveLength(1);
  return { stdout, stderr, code: codes[0] };
}

const doctor = (args: string[]) => vigil(['doctor', ...args]);

/** The page's `node --input-type=module -e "…"` scripts, in order, pointed at this file's prefix. */
const scripts = blocks('sh')
  .filter((block) => block.startsWith('node --input-type=module -e "'))
  .map((block) => {
    const code = block.slice(block.indexOf('"') + 1, block.lastIndexOf('"'));
    const local = code.replaceAll(
      "connection: { host: '127.0.0.1', port: 6379 }",
      `connection: { host: '${REDIS.host}', port: ${REDIS.port} }, prefix: '${prefix}'`,
    );
    expect(local, 'each script connects to the local Redis').not.toBe(code);
    return local;
  });
const runScript = (code: string) =>
  promisify(execFile)(process.execPath, ['--input-type=module', '-e', code], { cwd: root, timeout: 20_000 });

/** The output blocks of the page, with this file's prefix and without the times that change from run to run. */
const texts = blocks('text');
const timeless = (text: string) =>
  text
    .replaceAll(REDIS_URL, PAGE_REDIS_URL)
    .replaceAll(`prefix ${prefix}-blog`, 'prefix blog')
    .replaceAll(`prefix ${prefix}`, 'prefix bull')
    .replace(/oldest waited [\d.]+m?s/g, 'oldest waited …');
const shown = (marker: string) => {
  const found = texts.filter((t) => t.includes(marker));
  expect(found, `one output block of ${DOC} contains ${marker}`).toHaveLength(1);
  return timeless(found[0]!);
};

/** `npx vigil doctor …` lines of the page, as arguments. */
const commands = blocks('sh')
  .flatMap((block) => block.split('\n'))
  .filter((line) => line.startsWith('npx vigil doctor'))
  .map((line) => line.replace(/\s*[>|;].*$/, '').split(/\s+/).slice(3));

describe(`${DOC}: Try it`, () => {
  it('runs as written: no worker → exit 2, a worker → exit 0, the configuration example, the JSON, the cleanup', async () => {
    expect(scripts).toHaveLength(3);
    const [setup, startWorker, cleanup] = scripts as [string, string, string];
    await runScript(setup);

    const unhealthy = await doctor(['--queue', 'emails', '--prefix', prefix]);
    expect(unhealthy.code).toBe(2);
    expect(timeless(unhealthy.stdout)).toBe(shown('no worker while 3 jobs wait'));

    const json = await doctor(['--queue', 'emails', '--prefix', prefix, '--json']);
    const timelessJson = (report: DoctorReport) =>
      JSON.parse(
        timeless(JSON.stringify(report))
          .replaceAll(`"prefix":"${prefix}"`, '"prefix":"bull"')
          .replace(/"oldestWaitingSeconds":[\d.]+/g, '"oldestWaitingSeconds":0'),
      ) as unknown;
    expect(timelessJson(JSON.parse(json.stdout) as DoctorReport)).toEqual(
      timelessJson(JSON.parse(blocks('json')[0]!) as DoctorReport),
    );

    worker = spawn(process.execPath, ['--input-type=module', '-e', startWorker], { cwd: root, stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => worker!.once('exit', (code) => resolve(code)));
    // Connected, and done with the three jobs.
    await until(async () => (await doctor(['--queue', 'emails', '--prefix', prefix])).stdout.includes(' emails 0\n'), 15_000);
    const healthy = await doctor(['--queue', 'emails', '--prefix', prefix]);
    expect(timeless(healthy.stdout)).toBe(shown('verdict: healthy'));

    const yaml = blocks('yaml')[0]!
      .replace('prefix: bull', `prefix: ${prefix}`)
      .replace('prefix: blog', `prefix: ${prefix}-blog`);
    const file = path.join(dir, 'doctor.yaml');
    await writeFile(file, yaml);
    const apps = await doctor(['--config', file]);
    expect(apps.code).toBe(1);
    expect(timeless(apps.stdout)).toBe(shown('overall: '));

    // Ctrl-C stops the worker cleanly.
    worker.kill('SIGINT');
    expect(await exited).toBe(0);
    worker = undefined;

    await runScript(cleanup);
    const left = await redis.scan('0', 'MATCH', `${prefix}:emails:*`, 'COUNT', 1000);
    expect(left[1]).toEqual([]);
  }, 60_000);
});

describe(`${DOC}: the rest of the page`, () => {
  it('every `npx vigil doctor` command runs (no usage error)', async () => {
    expect(commands.length).toBeGreaterThanOrEqual(5);
    const file = path.join(dir, 'doctor.yaml');
    await writeFile(file, blocks('yaml')[0]!.replace('prefix: bull', `prefix: ${prefix}`));
    for (const args of commands) {
      const local = args.map((arg) => (arg === 'doctor.yaml' ? file : arg === 'bull' ? prefix : arg));
      if (!local.includes('--config') && !local.includes('--prefix')) local.push('--prefix', prefix);
      const result = await doctor(local);
      expect(result.stderr, args.join(' ')).toBe('');
      expect([0, 1, 2], args.join(' ')).toContain(result.code);
    }
  });

  it('shows what an unreachable Redis and a mistaken file print', async () => {
    const port = await unusedPort();
    const refused = await doctor(['--redis', `redis://127.0.0.1:${port}`]);
    expect(refused.code).toBe(2);
    expect(refused.stdout.replaceAll(String(port), '6390')).toBe(shown('connection refused'));

    const mistaken = blocks('yaml')[0]!
      .replace('        max_waiting:', '        max_wating:')
      .replace('{ degraded: 5m, unhealthy: 30m }', '{ degraded: 30m, unhealthy: 5m }');
    const file = path.join(dir, 'mistaken.yaml');
    await writeFile(file, mistaken);
    const result = await doctor(['--config', file]);
    expect(result.code).toBe(DOCTOR_EXIT.usage);
    expect(result.stderr.replaceAll(file, 'doctor.yaml')).toBe(shown('invalid configuration'));
  });

  it('docs/jobs.md: every `npx vigil` command of the Command line section runs (no usage error)', async () => {
    const jobsDoc = readFileSync(path.join(root, 'docs/jobs.md'), 'utf8');
    const section = jobsDoc.slice(jobsDoc.indexOf('## Command line'));
    const lines = section.split('\n').filter((line) => line.startsWith('npx vigil '));
    expect(lines.length).toBeGreaterThanOrEqual(8);
    const stop = new AbortController();
    stop.abort(); // `progress --follow` returns at once
    for (const line of lines) {
      const args = [...line.split(/\s+/).slice(2), '--prefix', prefix, '--timeout', '2s'];
      const result = await vigil(args, { signal: stop.signal });
      // Nothing lives under this prefix: "no BullMQ queues" (1) is fine, a usage error (2) is not.
      expect(result.code, line).not.toBe(2);
      expect([0, 1], line).toContain(result.code);
    }
  });

  it('documents the exit codes of the command', () => {
    const rows = doc
      .split('\n')
      .map((line) => /^\| (\d) +\| (.+?) +\|$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [Number(m[1]), m[2]!.split(':')[0]]);
    expect(rows).toEqual([
      [DOCTOR_EXIT.healthy, 'healthy'],
      [DOCTOR_EXIT.degraded, 'degraded'],
      [DOCTOR_EXIT.unhealthy, 'unhealthy'],
      [DOCTOR_EXIT.usage, 'the command line or the configuration file is wrong (nothing was checked)'],
    ]);
  });

  it('has a valid configuration example, and a reference that lists exactly the keys of the schema', () => {
    const yaml = blocks('yaml')[0]!;
    expect(() => parseDoctorConfig({ file: 'doctor.yaml', text: yaml }, {})).not.toThrow();

    const documented = new Set(
      doc
        .split('\n')
        .map((line) => /^\| `([a-z_]+)` +\| ([a-z, ]+?) +\|/.exec(line))
        .filter((m): m is RegExpExecArray => m !== null)
        .flatMap((m) => m[2]!.split(', ').map((where) => `${where}.${m[1]}`)),
    );
    const app = doctorConfigSchema.shape.apps.element.shape;
    const queue = app.queues.unwrap().element.out.shape;
    const thresholds = app.thresholds.unwrap().shape;
    const schema = new Set([
      ...Object.keys(doctorConfigSchema.shape).map((key) => `top.${key}`),
      ...Object.keys(app).map((key) => `app.${key}`),
      // A queue has the threshold keys too; the table lists those once, as "queue, thresholds".
      ...Object.keys(queue).map((key) => `queue.${key}`),
      ...Object.keys(thresholds).map((key) => `thresholds.${key}`),
    ]);
    expect([...documented].sort()).toEqual([...schema].sort());
  });
});
