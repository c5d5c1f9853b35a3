/**
 * `vigil doctor` against real BullMQ queues, workers and job schedulers on the shared Redis (a key prefix of this
 * file's own), a private Redis with a password, a refused port and a server that never answers.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hangingTcpServer, unusedPort } from '../../../core/test/support/net.js';
import { type PrivateRedis, startPrivateRedis } from '../../../core/test/support/private-redis.js';
import { sharedRedisWorld, until } from '../../../jobs/test/support.js';
import { type DoctorReport, parseDoctorConfig, registerDoctorCommand } from '../../src/commands/doctor.js';
import { DEFAULT_REDIS_URL, type JobsCommandOptions } from '../../src/commands/jobs-common.js';
import { ConfigError } from '../../src/config/index.js';
import { REDIS_URL } from '../../../../test/services.js';

const world = sharedRedisWorld();
const { prefix } = world;
let dir: string;
let secured: PrivateRedis;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-doctor-'));
  secured = await startPrivateRedis({ requirepass: 'queue-pass' });
});
afterEach(() => world.reset());
afterAll(async () => {
  await world.dispose();
  await secured.kill();
  await rm(dir, { recursive: true, force: true });
});

/** `vigil doctor …` on a fresh program; output and exit code captured. */
async function doctor(args: string[], options: JobsCommandOptions = {}) {
  let stdout = '';
  let stderr = '';
  const codes: number[] = [];
  const program = new Command().name('vigil').exitOverride();
  registerDoctorCommand(program, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    exit: (code) => void codes.push(code),
    // Not the developer's REDIS_URL: the shared Redis, on the default address unless VIGIL_TEST_REDIS_URL moves it.
    env: REDIS_URL === DEFAULT_REDIS_URL ? {} : { REDIS_URL },
    ...options,
  });
  try {
    await program.parseAsync(['doctor', ...args], { from: 'user' });
  } catch (error) {
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

const NO_STACK = /^\s+at /m;

describe('vigil doctor: exit codes', () => {
  it('0 when workers are connected and no job scheduler is overdue', async () => {
    const emails = world.newQueue('emails');
    world.newWorker(emails, async () => 'sent', { name: 'mailer-1' });
    await emails.upsertJobScheduler('digest', { every: 60_000 }, { name: 'send-digest' });
    await until(async () => (await emails.getWorkersCount()) === 1);

    const result = await doctor(['--prefix', prefix, '--queue', emails.name]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe(
      [
        `${REDIS_URL}, prefix ${prefix}, 1 queue: ${emails.name}`,
        '  ✓ scheduler  1 job scheduler, none overdue; no queue paused',
        `  ✓ workers    ${emails.name} 1`,
        `  ✓ pending    ${emails.name} 0`,
        '  ✓ failed     none in the last 1h',
        '  verdict: healthy',
        '',
      ].join('\n'),
    );
    expect(result.code).toBe(0);
  });

  it('2 when jobs wait and no worker is connected', async () => {
    const reports = world.newQueue('reports');
    await reports.addBulk([1, 2, 3].map((i) => ({ name: 'build-report', data: { i } })));

    const result = await doctor(['--prefix', prefix]);
    expect(result.code).toBe(2);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toBe(`${REDIS_URL}, prefix ${prefix}, 1 queue: ${reports.name}`);
    expect(lines).toContain(`  ✗ workers    ${reports.name}: no worker while 3 jobs wait`);
    expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^  ✓ pending    ${reports.name} 3( \\(oldest waited [\\d.]+m?s\\))?$`)));
    expect(lines).toContain('  verdict: unhealthy (1 problem)');
  });

  it('1 when a queue is paused', async () => {
    const emails = world.newQueue('emails');
    world.newWorker(emails, async () => 'sent');
    await emails.pause();
    await until(async () => (await emails.getWorkersCount()) === 1);

    const result = await doctor(['--prefix', prefix, '--queue', emails.name]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`  ! scheduler  ${emails.name}: the queue is paused: no job starts\n`);
    expect(result.stdout).toContain('  verdict: degraded (1 warning)\n');
  });

  it('1 when the backlog crosses the degraded threshold of the configuration, 2 above the unhealthy one', async () => {
    const emails = world.newQueue('emails');
    const held = world.blocking();
    world.newWorker(emails, held.processor, { concurrency: 1 });
    await emails.add('first', {});
    await held.started;
    await emails.addBulk([1, 2, 3].map((i) => ({ name: 'send', data: { i } })));

    const config = (degraded: number, unhealthy: number) =>
      configFile(
        `backlog-${degraded}.yaml`,
        [
          'apps:',
          '  - name: shop',
          '    redis: ${REDIS_URL}',
          `    prefix: ${prefix}`,
          '    queues:',
          `      - name: ${emails.name}`,
          `        max_waiting: { degraded: ${degraded}, unhealthy: ${unhealthy} }`,
          '',
        ].join('\n'),
      );
    const env = { REDIS_URL };
    const degraded = await doctor(['--config', await config(2, 10)], { env });
    expect(degraded.stdout).toContain(`  ! pending    ${emails.name}: 3 jobs pending (degraded above 2)\n`);
    expect(degraded.stdout.split('\n')[0]).toBe(`shop: ${REDIS_URL}, prefix ${prefix}, 1 queue: ${emails.name}`);
    expect(degraded.code).toBe(1);

    const unhealthy = await doctor(['--config', await config(1, 2)], { env });
    expect(unhealthy.stdout).toContain(`  ✗ pending    ${emails.name}: 3 jobs pending (unhealthy above 2)\n`);
    expect(unhealthy.code).toBe(2);
  });
});

describe('vigil doctor: what it reports', () => {
  it('overdue and missing job schedulers, failed jobs and stuck jobs, per the thresholds', async () => {
    const cron = world.newQueue('cron');
    const work = world.newQueue('work');
    // No worker on cron: its scheduler's next run passes and nobody starts it.
    await cron.upsertJobScheduler('nightly', { every: 200 }, { name: 'nightly-sync' });
    const held = world.blocking();
    world.newWorker(work, async (job) => {
      if (job.name === 'bad') throw new Error('boom');
      return held.processor(job);
    }, { name: 'worker-7', concurrency: 3 });
    await work.addBulk([{ name: 'bad', data: {} }, { name: 'bad', data: {} }]);
    await until(async () => (await work.getFailedCount()) === 2);
    const stuck = await work.add('export', {});
    await held.started;
    await new Promise((resolve) => setTimeout(resolve, 1300));

    const file = await configFile(
      'rules.yaml',
      [
        'timeout: 3s',
        'apps:',
        '  - name: shop',
        `    redis: ${REDIS_URL}`,
        `    prefix: ${prefix}`,
        '    thresholds:',
        '      max_failed: 1',
        '      when_no_workers: healthy',
        '    queues:',
        `      - name: ${cron.name}`,
        '        scheduler_tolerance: { degraded: 500ms, unhealthy: 1h }',
        '        schedulers: [nightly, weekly-report]',
        `      - name: ${work.name}`,
        '        max_run_time: { degraded: 1s }',
        '        max_failed: { degraded: 5, unhealthy: 10 }',
        '        failed_window: 10m',
        '',
      ].join('\n'),
    );
    const result = await doctor(['--config', file]);
    const lines = result.stdout.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(`^  ! scheduler  ${cron.name}: job scheduler "nightly" is [\\d.]+s overdue \\(degraded above 500ms\\)$`),
      ),
    );
    expect(lines).toContain(`  ! scheduler  ${cron.name}: job scheduler "weekly-report" is missing (listed in the configuration)`);
    expect(lines).toContainEqual(
      expect.stringMatching(
        new RegExp(
          `^  ! workers    ${work.name}: job ${stuck.id} \\(export\\) has run for [\\d.]+s on worker worker-7, ` +
            'stuck \\(degraded above 1s\\)$',
        ),
      ),
    );
    // The app's max_failed (1) applies to cron; work has its own (5) and window, so each says its window.
    expect(lines).toContain(`  ✓ failed     ${cron.name} 0 in 1h, ${work.name} 2 in 10m`);
    expect(lines).toContain('  verdict: degraded (3 warnings)');
    expect(result.code).toBe(1);

    const json = await doctor(['--config', file, '--json']);
    const report = JSON.parse(json.stdout) as DoctorReport;
    expect(report.status).toBe('degraded');
    const [app] = report.apps;
    expect(app).toMatchObject({ name: 'shop', redis: REDIS_URL, prefix, status: 'degraded' });
    expect(app!.queues.map((q) => q.name)).toEqual([cron.name, work.name]);
    expect(app!.queues[0]).toMatchObject({
      exists: true,
      workers: 0,
      schedulers: {
        total: 1,
        pastDue: 1,
        overdue: [{ id: 'nightly', next: expect.any(String), lateSeconds: expect.any(Number) }],
        missing: ['weekly-report'],
      },
    });
    expect(app!.queues[1]).toMatchObject({
      workers: 1,
      failedRecently: 2,
      failedWindowSeconds: 600,
      counts: { active: 1, failed: 2 },
      longestRunningSeconds: expect.any(Number),
    });
    expect(app!.checks.filter((c) => c.status !== 'healthy').map((c) => [c.check, c.status, c.queue])).toEqual([
      ['scheduler', 'degraded', cron.name],
      ['scheduler', 'degraded', cron.name],
      ['workers', 'degraded', work.name],
    ]);
  });

  it('reports several apps and the worst verdict; a queue name that matches nothing is a warning', async () => {
    const emails = world.newQueue('emails');
    world.newWorker(emails, async () => 'sent');
    await until(async () => (await emails.getWorkersCount()) === 1);
    const port = await unusedPort();
    const file = await configFile(
      'apps.yaml',
      [
        'apps:',
        '  - name: shop',
        `    redis: ${REDIS_URL}`,
        `    prefix: ${prefix}`,
        `    queues: [${emails.name}, emials]`,
        '  - name: blog',
        `    redis: redis://:blog-secret@127.0.0.1:${port}`,
        '',
      ].join('\n'),
    );
    const result = await doctor(['--config', file]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain(
      '  ! queues     emials: no such queue: no BullMQ keys and no worker (check the queue name and the prefix)\n',
    );
    expect(result.stdout).toContain(
      [
        `blog: redis://:***@127.0.0.1:${port}, prefix bull`,
        `  ✗ redis      cannot connect to Redis at redis://:***@127.0.0.1:${port}: connection refused (is Redis running there?)`,
        '  verdict: unhealthy (1 problem)',
        '',
        'overall: unhealthy (shop degraded, blog unhealthy)',
        '',
      ].join('\n'),
    );
    expect(result.stdout).not.toContain('blog-secret');

    const onlyShop = await doctor(['--config', file, '--app', 'shop']);
    expect(onlyShop.code).toBe(1);
    expect(onlyShop.stdout).not.toContain('blog');
  });
});

describe('vigil doctor: a Redis that cannot be read', () => {
  it('refused: one clear line, exit 2, no stack trace, no password', async () => {
    const port = await unusedPort();
    const result = await doctor([], { env: { REDIS_URL: `redis://:hunter22@127.0.0.1:${port}` } });
    expect(result).toEqual({
      stdout: [
        `redis://:***@127.0.0.1:${port}, prefix bull`,
        `  ✗ redis      cannot connect to Redis at redis://:***@127.0.0.1:${port}: connection refused (is Redis running there?)`,
        '  verdict: unhealthy (1 problem)',
        '',
      ].join('\n'),
      stderr: '',
      code: 2,
    });
  });

  it('a wrong password: one line saying the credentials were refused, exit 2', async () => {
    const result = await doctor(['--redis', `redis://:not-the-pass@127.0.0.1:${secured.port}`, '--json']);
    expect(result.code).toBe(2);
    const report = JSON.parse(result.stdout) as DoctorReport;
    expect(report.status).toBe('unhealthy');
    expect(report.apps[0]!.checks).toEqual([
      {
        check: 'redis',
        status: 'unhealthy',
        message: expect.stringMatching(new RegExp(`^Redis at redis://:\\*\\*\\*@127.0.0.1:${secured.port} refused the credentials: `)),
      },
    ]);
    expect(result.stdout).not.toContain('not-the-pass');
    expect(result.stdout).not.toMatch(NO_STACK);

    // The right password, kept out of the URL in the configuration file.
    const file = await configFile(
      'secured.yaml',
      `apps:\n  - name: vault\n    redis: ${secured.url}\n    password: \${QUEUE_PASS}\n    queues: [emails]\n`,
    );
    const right = await doctor(['--config', file], { env: { QUEUE_PASS: 'queue-pass' } });
    expect(right.stdout).toContain('  ! queues     emails: no such queue');
    expect(right.code).toBe(1);
  });

  it('a server that never answers: gives up after --timeout with exit 2', async () => {
    const hung = await hangingTcpServer();
    try {
      const started = Date.now();
      const result = await doctor(['--redis', `redis://127.0.0.1:${hung.port}`, '--timeout', '300ms']);
      expect(Date.now() - started).toBeLessThan(2000);
      expect(result.code).toBe(2);
      expect(result.stdout.split('\n')[1]).toBe(
        `  ✗ redis      Redis at redis://127.0.0.1:${hung.port} did not answer within 300ms ` +
          '(is it overloaded, or is something other than Redis listening there?)',
      );
    } finally {
      await hung.close();
    }
  });
});

describe('vigil doctor: the configuration file', () => {
  const problems = (text: string, env: Record<string, string> = {}): string[] => {
    try {
      parseDoctorConfig({ file: 'doctor.yaml', text }, env);
    } catch (error) {
      if (error instanceof ConfigError) return error.issues.map((i) => `${i.line}:${i.column}: ${i.path}: ${i.message}`);
      throw error;
    }
    return [];
  };

  it('reports every problem with its line, column and field', () => {
    const text = [
      'apps:',
      '  - name: shop',
      '    redis: http://admin:hunter22@127.0.0.1:6379',
      '    queues:',
      '      - name: emails',
      '        max_wating: 100',
      '        max_oldest_waiting: { degraded: 1h, unhealthy: 10m }',
      '        when_paused: broken',
      '      - "bad queue"',
      '  - name: shop',
      '    redis: redis://127.0.0.1:6379',
      '    timeout: soon',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      '3:12: apps[0].redis: expected a redis:// or rediss:// URL (value not shown: secret)',
      '6:9: apps[0].queues[0].max_wating: unknown key "max_wating" (did you mean "max_waiting"?)',
      '7:56: apps[0].queues[0].max_oldest_waiting.unhealthy: must not be below degraded',
      '8:22: apps[0].queues[0].when_paused: expected one of "healthy", "degraded", "unhealthy", got "broken"',
      `9:9: apps[0].queues[1].name: expected a queue name: no spaces or ':', 1-200 characters`,
      '10:11: apps[1].name: "shop" is already the name of apps[0] (doctor.yaml:2:5)',
      '12:14: apps[1].timeout: expected a duration like "30s" or "5m", got "soon"',
    ]);
    expect(problems('- name: shop\n')).toEqual(['1:1: : expected a mapping with "apps:" at the top level']);
    expect(problems('timeout: 5s\n')).toEqual(['1:1: apps: is required']);
  });

  it('prints the problems one per line with the file name, exit 3; a missing file too', async () => {
    const file = await configFile('bad.yaml', 'apps:\n  - name: shop\n    redis: redis://127.0.0.1:6379\n    prefx: shop\n');
    const result = await doctor(['--config', file]);
    expect(result).toEqual({
      stdout: '',
      stderr: `vigil: invalid configuration (1 problem):\n${file}:4:5: apps[0].prefx: unknown key "prefx" (did you mean "prefix"?)\n`,
      code: 3,
    });
    const missing = await doctor(['--config', path.join(dir, 'nope.yaml')]);
    expect(missing).toEqual({
      stdout: '',
      stderr: `vigil: invalid configuration (1 problem):\n${path.join(dir, 'nope.yaml')}: no such file\n`,
      code: 3,
    });
  });

  it('refuses flags that the file settles, and an --app it does not list, with exit 3', async () => {
    const file = await configFile('one.yaml', 'apps:\n  - name: shop\n    redis: redis://127.0.0.1:6379\n');
    expect(await doctor(['--config', file, '--prefix', 'x'])).toMatchObject({
      code: 3,
      stderr: 'vigil: --config lists the apps with their Redis, prefix and queues: drop --prefix\n',
    });
    expect(await doctor(['--config', file, '--app', 'blog'])).toMatchObject({
      code: 3,
      stderr: 'vigil: --app: no app "blog" in the configuration; its apps are shop\n',
    });
    expect(await doctor(['--app', 'shop'])).toMatchObject({ code: 3, stderr: 'vigil: --app picks apps of --config FILE\n' });
    expect(await doctor(['--bogus'])).toMatchObject({ code: 3, stderr: "vigil: unknown option '--bogus'\n" });
  });
});
