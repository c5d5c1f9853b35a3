/**
 * `vigil serve` as a process (the built CLI): SIGTERM stores everything buffered and exits 0; after `kill -9`
 * at most the last second of results is missing and a restart resumes the schedule from the stored state; the
 * configuration is checked at start and on SIGHUP.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/open.js';
import { CLI, tempDir } from '../support.js';
import { eventually, startTarget, type Target, writeConfig } from './harness.js';

const MONITORS = 20;

let dir: { dir: string; remove: () => Promise<void> };
let target: Target;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await tempDir('serve-process');
  target = await startTarget();
});

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  await target.close();
  await dir.remove();
});

function yaml(url: string): string {
  const monitors = Array.from(
    { length: MONITORS },
    (_, i) => `  - name: Page ${i}\n    type: http\n    url: ${url}/page/${i}\n    public: true\n`,
  ).join('');
  return `defaults:\n  interval: 1s\n  timeout: 500ms\nmonitors:\n${monitors}`;
}

async function serve(configFile: string): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile, '--port', '0', '--data', dir.dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '' },
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const url = await eventually('the listening line', () => /listening on (http:\/\/[^\s]+)/.exec(output)?.[1], 15_000);
  return { child, url, output: () => output };
}

async function checksStarted(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^vigil_monitor_checks_total (\d+)/m.exec(text)?.[1] ?? 0);
}

async function storedResults(): Promise<{ count: number; lastCheck: Map<string, number> }> {
  const store = await openStore({ type: 'sqlite', path: path.join(dir.dir, 'vigil.db') }, { dataDir: dir.dir });
  try {
    let count = 0;
    const lastCheck = new Map<string, number>();
    for (let i = 0; i < MONITORS; i++) {
      const rows = await store.latestResults(`page-${i}`, 10_000);
      count += rows.length;
      if (rows[0]) lastCheck.set(`page-${i}`, rows[0].at);
    }
    return { count, lastCheck };
  } finally {
    await store.close();
  }
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

describe('vigil serve, the process', () => {
  it('on SIGTERM stores every result of the checks it started and exits 0', async () => {
    const file = await writeConfig(dir.dir, yaml(target.url));
    const { child, url, output } = await serve(file);
    await eventually('every monitor checked twice', () => (target.requests >= MONITORS * 2 ? true : undefined), 15_000);
    const started = await checksStarted(url);
    const exit = exited(child);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output()).toContain('SIGTERM: stopping');
    const stored = await storedResults();
    // Every check started before the signal finished and was stored (checks started afterwards are too).
    expect(stored.count).toBeGreaterThanOrEqual(started);
  }, 40_000);

  it('after kill -9 loses at most the last second of results, and a restart resumes the schedule', async () => {
    const file = await writeConfig(dir.dir, yaml(target.url));
    const first = await serve(file);
    await eventually('every monitor checked three times', () => (target.requests >= MONITORS * 3 ? true : undefined), 15_000);
    const startedSecondsBefore = await checksStarted(first.url);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const exit = exited(first.child);
    const killedAt = Date.now();
    first.child.kill('SIGKILL');
    await exit;
    const stored = await storedResults();
    // Results of checks started 1.5 s before the kill are all stored (the write delay is 1 s).
    expect(stored.count).toBeGreaterThanOrEqual(startedSecondsBefore);
    expect(stored.lastCheck.size).toBe(MONITORS);

    const requestsBefore = target.requests;
    const second = await serve(file);
    const restartedAt = Date.now();
    // Every monitor runs again within one interval (1 s) of the restart, plus slack for a loaded machine.
    await eventually(
      'every monitor checked after the restart',
      async () => {
        const after = await storedResults();
        const resumed = [...after.lastCheck.values()].filter((at) => at > killedAt).length;
        return resumed === MONITORS ? true : undefined;
      },
      10_000,
    );
    expect(target.requests).toBeGreaterThan(requestsBefore);
    expect(Date.now() - restartedAt).toBeLessThan(10_000);
    const exit2 = exited(second.child);
    second.child.kill('SIGTERM');
    expect(await exit2).toBe(0);
  }, 60_000);

  it('an invalid configuration at start: exit 1 with file, line, column and field; nothing is served', async () => {
    const file = await writeConfig(dir.dir, `monitors:\n  - name: A\n    type: http\n    url: ${target.url}\n    interval: 5x\n`);
    const child = spawn(process.execPath, [CLI, 'serve', '--config', file, '--port', '0', '--data', dir.dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '' },
    });
    children.push(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await exited(child)).toBe(1);
    expect(stderr).toContain(`${file}:5:15: monitors[0].interval: expected a duration like "30s" or "5m", got "5x"`);
    expect(stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(target.requests).toBe(0);
  }, 20_000);

  it('SIGHUP reloads: a valid change applies, an invalid one keeps the running configuration and says why', async () => {
    const file = await writeConfig(dir.dir, yaml(target.url));
    const { child, url, output } = await serve(file);
    const ids = async () => {
      const body = (await (await fetch(`${url}/api/v1/monitors`)).json()) as { monitors: Array<{ id: string }> };
      return body.monitors.map((m) => m.id).sort();
    };
    expect(await ids()).toHaveLength(MONITORS);

    await writeFile(file, `${yaml(target.url)}  - name: Added\n    type: http\n    url: ${target.url}/added\n    public: true\n`);
    child.kill('SIGHUP');
    await eventually('the added monitor', async () => ((await ids()).includes('added') ? true : undefined), 10_000);
    await eventually('the added monitor checked', () => (target.paths.includes('/added') ? true : undefined), 10_000);

    await writeFile(file, `monitors:\n  - name: Broken\n    type: http\n`);
    child.kill('SIGHUP');
    await eventually('the refusal', () => (output().includes('the running one stays in use') ? true : undefined));
    expect(output()).toContain(`${file}:2:5: monitors[0]`);
    expect(await ids()).toHaveLength(MONITORS + 1);
    const exit = exited(child);
    child.kill('SIGTERM');
    expect(await exit).toBe(0);
  }, 40_000);
});
