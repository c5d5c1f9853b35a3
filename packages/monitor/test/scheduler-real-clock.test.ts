import { describe, expect, it, vi } from 'vitest';
import { type RunInfo, Scheduler } from '../src/scheduler/scheduler.js';

describe('with the real clock', () => {
  it('runs monitors with a 1 s interval, on a grid, every second', async () => {
    const runs = new Map<string, RunInfo[]>();
    const scheduler = new Scheduler({
      run: async (m, _signal, info) => {
        runs.set(m.id, [...(runs.get(m.id) ?? []), info]);
      },
    });
    scheduler.setMonitors(['a', 'b'].map((id) => ({ id, intervalMs: 1000, timeoutMs: 500, paused: false })));
    const startedAt = Date.now();
    scheduler.start();
    try {
      await vi.waitFor(() => expect(Math.min(...['a', 'b'].map((id) => runs.get(id)?.length ?? 0))).toBeGreaterThanOrEqual(3), {
        timeout: 5000,
        interval: 20,
      });
    } finally {
      await scheduler.stop();
    }
    for (const id of ['a', 'b']) {
      const infos = runs.get(id)!;
      // The first run within one interval of the start; then exactly one interval apart.
      expect(infos[0]!.dueAt - startedAt).toBeLessThan(1000);
      for (let i = 1; i < infos.length; i++) expect(infos[i]!.dueAt - infos[i - 1]!.dueAt).toBe(1000);
      for (const info of infos) expect(info.startedAt - info.dueAt).toBeLessThan(250);
    }
    expect(scheduler.stats().skipped).toBe(0);
  });
});
