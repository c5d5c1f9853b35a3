/**
 * `vigil serve` loads its configuration in a worker thread (the YAML tree of a large file is freed with the
 * thread). What comes back must be exactly what loading in-process gives: every monitor type, `${ENV}` values,
 * where each monitor is defined, and every problem with its file, line and column. The worker is the compiled
 * one (`npm test` builds first); the in-process loader is the source.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { ConfigError, formatIssue, loadConfig, loadConfigIsolated } from '../src/config/index.js';

const workerUrl = new URL('../dist/config/load-worker.js', import.meta.url);
const fixtures = fileURLToPath(new URL('./fixtures/config/', import.meta.url));
const fixture = (name: string) => join(fixtures, name);
const example = fileURLToPath(new URL('../../../examples/vigil.yaml', import.meta.url));

async function problems(load: () => Promise<unknown>): Promise<string[]> {
  try {
    await load();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map(formatIssue);
    throw error;
  }
  throw new Error('expected the configuration to be rejected');
}

describe('loading in a worker thread', () => {
  test('the compiled worker exists (npm run build)', () => {
    expect(existsSync(fileURLToPath(workerUrl)), `${fileURLToPath(workerUrl)} is missing: run npm run build`).toBe(
      true,
    );
  });

  test('every monitor type, ${ENV} values and monitor positions come back as loaded in-process', async () => {
    const env = { SHOP_TOKEN: 'from-env', PATH: '/usr/bin' };
    const paths = [fixture('full.yaml'), example];
    const inProcess = await loadConfig(paths, { env });
    const isolated = await loadConfigIsolated(paths, { env, workerUrl, isolateFromBytes: 0 });
    expect(isolated).toEqual(inProcess);
    expect(isolated.config.monitors.length).toBeGreaterThan(10);
    expect(JSON.stringify(isolated.config)).toContain('from-env');
    expect(isolated.monitorSources.size).toBe(isolated.config.monitors.length);
  });

  test('both ways keep one copy of what repeats: every empty list of every monitor is one frozen list', async () => {
    // The configuration lives as long as its monitors: 10,000 monitors kept tens of thousands of empty lists and a
    // copy of every repeated string (strings cannot be compared by identity here; docs/benchmarks.md has the bytes).
    const paths = [fixture('full.yaml'), example];
    for (const loaded of [
      await loadConfigIsolated(paths, { env: {}, workerUrl, isolateFromBytes: 0 }),
      await loadConfigIsolated(paths, { env: {}, workerUrl, isolateFromBytes: Number.MAX_SAFE_INTEGER }),
    ]) {
      const empty = loaded.config.monitors.flatMap((monitor) =>
        Object.values(monitor).filter((value) => Array.isArray(value) && value.length === 0),
      );
      expect(empty.length).toBeGreaterThan(loaded.config.monitors.length);
      expect(new Set(empty).size).toBe(1);
      expect(Object.isFrozen(empty[0])).toBe(true);
    }
  });

  test('an invalid file: the same ConfigError, naming file, line, column and field', async () => {
    const paths = [fixture('invalid.yaml')];
    const expected = await problems(() => loadConfig(paths, { env: {} }));
    const got = await problems(() => loadConfigIsolated(paths, { env: {}, workerUrl, isolateFromBytes: 0 }));
    expect(got).toEqual(expected);
    expect(got[0]).toMatch(/invalid\.yaml:\d+:\d+: /);
  });

  test('a file that does not exist: a ConfigError naming it', async () => {
    const missing = fixture('no-such-file.yaml');
    const got = await problems(() => loadConfigIsolated([missing], { env: {}, workerUrl, isolateFromBytes: 0 }));
    expect(got).toEqual([`${missing}: no such file or directory`]);
  });

  test('a configuration smaller than the threshold is loaded in the calling thread: no worker is started', async () => {
    // The worker named here does not exist: loading succeeds only if none is started.
    const noWorker = new URL('./no-such-worker.js', workerUrl);
    const small = await loadConfigIsolated([example], { env: {}, workerUrl: noWorker });
    expect(small).toEqual(await loadConfig([example], { env: {} }));
    await expect(loadConfigIsolated([example], { env: {}, workerUrl: noWorker, isolateFromBytes: 1 })).rejects.toThrow(
      /no-such-worker|Cannot find module/,
    );
  });

  test('a worker that cannot start is an error, not a hang', async () => {
    await expect(
      loadConfigIsolated([fixture('minimal.yaml')], { env: {}, workerUrl: new URL('./no-such-worker.js', workerUrl), isolateFromBytes: 0 }),
    ).rejects.toThrow(/no-such-worker|Cannot find module/);
  });
});
