import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { type DiskStats, diskCheck } from '../src/probes/disk.js';
import { isStatus } from '../src/status.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

const GB = 1024 ** 3;
const BSIZE = 4096;

/** A 100 GiB filesystem with `availablePercent` writable by the app, and 5 GiB more reserved for root. */
function fakeDisk(availablePercent: number) {
  const blocks = (100 * GB) / BSIZE;
  const bavail = Math.round((blocks * availablePercent) / 100);
  const stats = { bsize: BSIZE, blocks, bavail, bfree: bavail + (5 * GB) / BSIZE };
  const calls: string[] = [];
  const statfs = async (p: string): Promise<DiskStats> => {
    calls.push(p);
    return stats;
  };
  return { statfs, calls };
}

describe('diskCheck thresholds (fake filesystem)', () => {
  it.each([
    [50, 'healthy'],
    [15, 'healthy'], // "below 15" is strict
    [14.9, 'degraded'],
    [5, 'degraded'],
    [4.9, 'unhealthy'],
    [0, 'unhealthy'],
  ] as const)('%d%% free is %s with the default thresholds', async (percent, expected) => {
    const observation = await observe(diskCheck({ statfs: fakeDisk(percent).statfs }));
    expect(observation.status).toBe(expected);
    if (expected === 'healthy') expect(observation.error).toBeUndefined();
    else expect(observation.error).toContain(`${percent}% free`);
  });

  it.each([
    [45, 'healthy'],
    [35, 'degraded'],
    [15, 'unhealthy'],
  ] as const)('%d%% free is %s with thresholds 40 / 20', async (percent, expected) => {
    const check = diskCheck({ statfs: fakeDisk(percent).statfs, degradedBelowPercent: 40, unhealthyBelowPercent: 20 });
    expect((await observe(check)).status).toBe(expected);
  });

  it('reports sizes in GiB with one decimal, counting space reserved for root as used', async () => {
    const disk = fakeDisk(10);
    const observation = await observe(diskCheck({ path: '/var/lib/app', statfs: disk.statfs }));
    expect(disk.calls).toEqual(['/var/lib/app']);
    expect(observation.details).toEqual({
      path: '/var/lib/app',
      total_gb: 100,
      used_gb: 90,
      free_gb: 10,
      free_percent: 10,
      total_bytes: 100 * GB,
      free_bytes: 10 * GB,
    });
    expect(observation.measurements).toEqual([
      { measurement: 'utilization', value: 90, unit: 'percent' },
      { measurement: 'free', value: 10 * GB, unit: 'bytes' },
    ]);
  });

  it('rounds to one decimal place', async () => {
    const statfs = async (): Promise<DiskStats> => ({ bsize: 1024, blocks: 3 * 1024 * 1024, bavail: 1024 * 1024 });
    const observation = await observe(diskCheck({ statfs }));
    expect(observation.details).toMatchObject({ total_gb: 3, used_gb: 2, free_gb: 1, free_percent: 33.3 });
  });

  it('is unhealthy, not healthy, when the filesystem reports no capacity', async () => {
    const statfs = async (): Promise<DiskStats> => ({ bsize: 4096, blocks: 0, bavail: 0 });
    const observation = await observe(diskCheck({ statfs }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/no capacity/);
  });

  it.each([
    ['unhealthy above degraded', { degradedBelowPercent: 10, unhealthyBelowPercent: 20 }],
    ['equal thresholds', { degradedBelowPercent: 10, unhealthyBelowPercent: 10 }],
    ['unhealthy above the default degraded', { unhealthyBelowPercent: 30 }],
    ['a percentage above 100', { degradedBelowPercent: 150 }],
    ['a negative percentage', { unhealthyBelowPercent: -1 }],
    ['NaN', { degradedBelowPercent: Number.NaN }],
  ])('rejects %s at configuration time', (_label, options) => {
    expect(() => diskCheck(options)).toThrow(TypeError);
  });

  it('is a system component named disk by default', () => {
    expect(diskCheck()).toMatchObject({ name: 'disk', kind: 'disk', componentType: 'system', critical: true });
    expect(diskCheck({ name: 'data_volume', critical: false })).toMatchObject({ name: 'data_volume', critical: false });
  });
});

describe('diskCheck on the real filesystem', () => {
  it('measures the filesystem holding the working directory by default', async () => {
    const observation = await observe(diskCheck());
    const stats = await fs.statfs(process.cwd());
    expect(isStatus(observation.status)).toBe(true);
    expect(observation.timedOut).toBe(false);
    const details = observation.details as Record<string, number | string>;
    expect(details.path).toBe(process.cwd());
    expect(details.total_gb).toBe(Math.round(((stats.blocks * stats.bsize) / GB) * 10) / 10);
    // Free space moves while tests run; a point either way is plenty.
    expect(Math.abs(Number(details.free_percent) - (stats.bavail / stats.blocks) * 100)).toBeLessThan(1);
    expect(Number(details.used_gb) + Number(details.free_gb)).toBeCloseTo(Number(details.total_gb), 0);
  });

  it('is unhealthy with the reason when the path does not exist', async () => {
    const missing = path.join(os.tmpdir(), `vigil-missing-${process.pid}-${Date.now()}`);
    const observation = await observe(diskCheck({ path: missing }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/ENOENT/);
  });
});
