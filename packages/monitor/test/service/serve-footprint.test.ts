/**
 * `vigil serve` keeps its memory for the monitors: the libraries of features a configuration may never use (BullMQ
 * for the job actions, nodemailer for mail, badge-maker for SVG badges, the database drivers of monitors it does not
 * have) are loaded when first used, not at start. Each weighs megabytes (docs/benchmarks.md, bench/monitor). The
 * built CLI runs with a preload that lists, on SIGUSR2, the CommonJS packages Node.js has loaded: badge-maker is an
 * ES module, seen through anafanafo, the CommonJS library it measures text with.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, tempDir } from '../support.js';
import { eventually, startTarget, type Target, writeConfig } from './harness.js';

const PRELOAD = `
const { writeFileSync } = require('node:fs');
process.on('SIGUSR2', () => {
  const packages = new Set();
  for (const file of Object.keys(require.cache)) {
    const match = /node_modules\\/((?:@[^/]+\\/)?[^/]+)\\/(?!.*node_modules)/.exec(file);
    if (match) packages.add(match[1]);
  }
  writeFileSync(process.env.LOADED_OUT, JSON.stringify([...packages].sort()));
});
`;

let dir: { dir: string; remove: () => Promise<void> };
let target: Target;
let child: ChildProcess | undefined;

beforeEach(async () => {
  dir = await tempDir('serve-footprint');
  target = await startTarget();
});

afterEach(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await target.close();
  await dir.remove();
});

/** Starts `vigil serve` on `config` with a preload; resolves to its URL once it listens. */
async function serveWith(config: string, preload: string, env: Record<string, string>): Promise<string> {
  child = spawn(process.execPath, ['--require', preload, CLI, 'serve', '--config', config, '--port', '0', '--data', dir.dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '', ...env },
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return eventually('the listening line', () => /listening on (http:\/\/[^\s]+)/.exec(output)?.[1], 15_000);
}

describe('vigil serve loads what a feature needs when it is first used', () => {
  it('starts without BullMQ, nodemailer, badge-maker or database drivers; a badge and a job action load theirs', async () => {
    const prefix = `vigil-footprint-${randomUUID().slice(0, 8)}`;
    const config = await writeConfig(
      dir.dir,
      [
        'defaults:',
        '  interval: 2s',
        '  timeout: 1s',
        'status_pages:',
        '  - slug: demo',
        '    title: Demo',
        'monitors:',
        '  - name: Site',
        '    type: http',
        `    url: ${target.url}/`,
        '    public: true',
        '  - name: Queues',
        '    type: redis',
        '    url: redis://127.0.0.1:6379',
        `    bullmq_prefix: ${prefix}`,
        'alerts:',
        '  channels:',
        '    mail:',
        '      type: email',
        '      host: 127.0.0.1',
        '      port: 2525',
        '      from: vigil@example.com',
        '      to: [ops@example.com]',
        '',
      ].join('\n'),
    );
    const preload = path.join(dir.dir, 'loaded.cjs');
    await writeFile(preload, PRELOAD);
    const out = path.join(dir.dir, 'loaded.json');
    const token = (
      await promisify(execFile)(process.execPath, [CLI, 'token', 'create', '--name', 't', '--scope', 'write', '--data', dir.dir])
    ).stdout.trim();
    const url = await serveWith(config, preload, { LOADED_OUT: out });
    const loaded = async (): Promise<string[]> => {
      await writeFile(out, '');
      child?.kill('SIGUSR2');
      const text = await eventually('the list of loaded packages', async () => (await readFile(out, 'utf8')) || undefined);
      return JSON.parse(text) as string[];
    };
    // Both monitors have run once: the redis probe has loaded its driver (ioredis), and nothing else.
    await eventually('both monitors checked', async () => {
      const body = (await (await fetch(`${url}/api/v1/monitors`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        monitors: Array<{ last_check_at: string | null }>;
      };
      return body.monitors.length === 2 && body.monitors.every((monitor) => monitor.last_check_at !== null) ? true : undefined;
    });

    const atStart = await loaded();
    expect(atStart).toContain('ioredis');
    for (const unused of ['bullmq', 'nodemailer', 'anafanafo', 'pg', 'mysql2', 'amqplib']) expect(atStart).not.toContain(unused);

    const badge = await fetch(`${url}/status/demo/badge.svg`);
    expect(badge.status).toBe(200);
    expect(await badge.text()).toMatch(/^<svg[^>]*>.*Demo.*<\/svg>$/s);
    // A job action is done with BullMQ's own scripts: a job that does not exist is refused as such.
    const retry = await fetch(`${url}/api/v1/jobs/queues/queues/emails/jobs/no-such-job/retry`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(retry.status).toBe(404);
    expect(((await retry.json()) as { error: string }).error).toBeDefined();

    const afterUse = await loaded();
    expect(afterUse).toContain('anafanafo');
    expect(afterUse).toContain('bullmq');
    expect(afterUse).not.toContain('nodemailer');
  });
});

// Counts the samples of every event-loop delay histogram the process creates; writes the total on SIGUSR2.
const SAMPLES_PRELOAD = `
const perfHooks = require('node:perf_hooks');
const { writeFileSync } = require('node:fs');
const original = perfHooks.monitorEventLoopDelay;
const histograms = [];
perfHooks.monitorEventLoopDelay = (options) => {
  const histogram = original(options);
  histograms.push(histogram);
  return histogram;
};
// Intl's date and number formats map megabytes of ICU's data into the process when first built: count them.
let intl = 0;
for (const name of ['DateTimeFormat', 'NumberFormat']) {
  Intl[name] = new Proxy(Intl[name], {
    construct: (target, args) => (intl++, Reflect.construct(target, args)),
    apply: (target, self, args) => (intl++, Reflect.apply(target, self, args)),
  });
}
process.on('SIGUSR2', () => {
  const samples = histograms.reduce((sum, histogram) => sum + histogram.count, 0);
  writeFileSync(process.env.SAMPLES_OUT, JSON.stringify({ histograms: histograms.length, samples, at: performance.now(), intl }));
});
`;

describe('an idle vigil serve sleeps, and keeps ICU out', () => {
  it('samples its own event-loop lag ten times a second, not a hundred, and builds an English status page without Intl', async () => {
    const config = await writeConfig(
      dir.dir,
      ['monitors:', '  - name: Site', '    type: http', `    url: ${target.url}/`, '    interval: 60s', ''].join('\n'),
    );
    const preload = path.join(dir.dir, 'samples.cjs');
    await writeFile(preload, SAMPLES_PRELOAD);
    const out = path.join(dir.dir, 'samples.json');
    const url = await serveWith(config, preload, { SAMPLES_OUT: out });
    const samples = async () => {
      await writeFile(out, '');
      child?.kill('SIGUSR2');
      const text = await eventually('the sample count', async () => (await readFile(out, 'utf8')) || undefined);
      return JSON.parse(text) as { histograms: number; samples: number; at: number; intl: number };
    };
    const first = await samples();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const second = await samples();
    expect(second.histograms).toBe(1);
    const perSecond = ((second.samples - first.samples) * 1000) / (second.at - first.at);
    // About 10 (fewer on a busy machine); prom-client's default would be about 100.
    expect(perSecond).toBeGreaterThan(2);
    expect(perSecond).toBeLessThan(13);
    // The lag is still measured and served.
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toMatch(/^nodejs_eventloop_lag_p99_seconds \d/m);
    // The default status page, built at start and read here, is English: no Intl format was built for it.
    const page = await fetch(`${url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/Updated [A-Z][a-z]{2} \d{1,2}, \d{4}, \d{1,2}:\d{2} [AP]M UTC/);
    expect((await samples()).intl).toBe(0);
  });
});
