import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { type MemoryCheckOptions, memoryCheck, readCgroupMemoryLimit } from '../src/probes/memory.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

const MB = 1024 ** 2;

/** Readers for a process with `heapMb` of a 1000 MB heap in use and `rssMb` resident, in no cgroup. */
function fake(heapMb: number, rssMb = 100, cgroupMb?: number): MemoryCheckOptions {
  return {
    heapStatistics: () => ({ used_heap_size: heapMb * MB, heap_size_limit: 1000 * MB }),
    rss: () => rssMb * MB,
    cgroupLimit: async () => (cgroupMb === undefined ? undefined : cgroupMb * MB),
  };
}

describe('memoryCheck: heap against the V8 limit', () => {
  it.each([
    [500, 'healthy'],
    [899, 'healthy'],
    [900, 'degraded'],
    [979, 'degraded'],
    [980, 'unhealthy'],
    [1000, 'unhealthy'],
  ] as const)('%d of 1000 MB is %s with the default ratios', async (heapMb, expected) => {
    const observation = await observe(memoryCheck(fake(heapMb)));
    expect(observation.status).toBe(expected);
    if (expected !== 'healthy') expect(observation.error).toMatch(/heap at \d+(\.\d)?% of the V8 limit/);
  });

  it('honours custom ratios', async () => {
    const options = { ...fake(600), heapDegradedRatio: 0.5, heapUnhealthyRatio: 0.7 };
    expect((await observe(memoryCheck(options))).status).toBe('degraded');
  });

  it('reports only RSS when no limit is known', async () => {
    const observation = await observe(memoryCheck(fake(250, 123.45)));
    expect(observation.details).toEqual({
      heap_used_mb: 250,
      heap_limit_mb: 1000,
      heap_used_percent: 25,
      rss_mb: 123.5,
    });
    expect(observation.measurements).toEqual([
      { measurement: 'heapUsed', value: 250 * MB, unit: 'bytes' },
      { measurement: 'heapUtilization', value: 25, unit: 'percent' },
      { measurement: 'rss', value: 123.45 * MB, unit: 'bytes' },
    ]);
  });
});

describe('memoryCheck: RSS against a limit', () => {
  it.each([
    [400, 'healthy'],
    [470, 'degraded'],
    [505, 'unhealthy'],
  ] as const)('%d MB of a 512 MB rssLimitBytes is %s', async (rssMb, expected) => {
    const observation = await observe(memoryCheck({ ...fake(100, rssMb), rssLimitBytes: 512 * MB }));
    expect(observation.status).toBe(expected);
    expect(observation.details).toMatchObject({
      rss_limit_mb: 512,
      rss_used_percent: Math.round((rssMb / 512) * 1000) / 10,
    });
    if (expected !== 'healthy') expect(observation.error).toMatch(/^rss at .*% of the limit \(512 MB\)$/);
  });

  it('uses the cgroup v2 limit when none is given', async () => {
    const observation = await observe(memoryCheck(fake(100, 950, 1024)));
    expect(observation.status).toBe('degraded');
    expect(observation.details).toMatchObject({ rss_mb: 950, rss_limit_mb: 1024, rss_used_percent: 92.8 });
    expect(observation.measurements).toContainEqual({ measurement: 'rssUtilization', value: 92.8, unit: 'percent' });
  });

  it('prefers rssLimitBytes over the cgroup limit', async () => {
    const observation = await observe(memoryCheck({ ...fake(100, 950, 1024), rssLimitBytes: 4096 * MB }));
    expect(observation.status).toBe('healthy');
    expect(observation.details).toMatchObject({ rss_limit_mb: 4096 });
  });

  it('takes the worse of heap and RSS, and explains both', async () => {
    const observation = await observe(memoryCheck({ ...fake(920, 600), rssLimitBytes: 600 * MB }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/heap at 92% .*; rss at 100% /);
  });
});

describe('readCgroupMemoryLimit', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-cgroup-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['a byte count', '536870912\n', 536870912],
    ['max (no limit)', 'max\n', undefined],
    ['garbage', 'unlimited\n', undefined],
    ['zero', '0\n', undefined],
  ])('reads %s', async (_label, content, expected) => {
    const file = path.join(dir, `memory.max.${Math.random().toString(36).slice(2)}`);
    await writeFile(file, content);
    expect(await readCgroupMemoryLimit(file)).toBe(expected);
  });

  it('returns undefined when the file is missing (not Linux, or cgroup v1)', async () => {
    expect(await readCgroupMemoryLimit(path.join(dir, 'nope'))).toBeUndefined();
  });
});

describe('memoryCheck: configuration', () => {
  it.each([
    ['heap degraded above unhealthy', { heapDegradedRatio: 0.99 }],
    ['equal rss ratios', { rssDegradedRatio: 0.5, rssUnhealthyRatio: 0.5 }],
    ['a zero ratio', { heapDegradedRatio: 0 }],
    ['a negative RSS limit', { rssLimitBytes: -1 }],
    ['a NaN RSS limit', { rssLimitBytes: Number.NaN }],
  ])('rejects %s at configuration time', (_label, options) => {
    expect(() => memoryCheck(options)).toThrow(TypeError);
  });

  it('is a system component named memory by default', () => {
    expect(memoryCheck()).toMatchObject({ name: 'memory', kind: 'memory', componentType: 'system' });
  });

  it('measures this process with the real readers', async () => {
    const observation = await observe(memoryCheck());
    const details = observation.details as Record<string, number>;
    expect(details.heap_limit_mb).toBe(Math.round((v8.getHeapStatistics().heap_size_limit / MB) * 10) / 10);
    // A test worker uses a small fraction of its heap limit.
    expect(details.heap_used_percent).toBeGreaterThan(0);
    expect(details.heap_used_percent).toBeLessThan(90);
    expect(details.rss_mb).toBeGreaterThan(10);
    expect(observation.timedOut).toBe(false);
  });
});
