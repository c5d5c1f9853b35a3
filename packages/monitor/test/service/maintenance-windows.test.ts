/**
 * The maintenance-window runner's ticks: with no window open and no monitor in maintenance it does not walk the
 * monitors every tick (at 100,000 monitors a walk a second is a measurable share of the CPU), yet a monitor put in
 * maintenance from elsewhere is still moved back within IDLE_WALK_EVERY_TICKS ticks, a window that opens is acted
 * on at the next tick, and `tick()` from outside (a reload, a change of windows) always walks.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { MaintenanceWindowConfig } from '../../src/config/maintenance.js';
import { silentLogger } from '../../src/log/logger.js';
import type { MonitorState } from '../../src/model.js';
import { systemClock } from '../../src/scheduler/clock.js';
import { IDLE_WALK_EVERY_TICKS, MaintenanceWindows } from '../../src/service/maintenance-windows.js';
import { eventually } from './harness.js';

const TICK_MS = 5;
let runner: MaintenanceWindows | undefined;

afterEach(() => runner?.stop());

function setUp(initial: Record<string, MonitorState>) {
  const states = new Map(Object.entries(initial));
  const moves: Array<[string, string]> = [];
  let walks = 0;
  let windows: MaintenanceWindowConfig[] = [];
  runner = new MaintenanceWindows({
    clock: systemClock,
    logger: silentLogger,
    windows: () => windows,
    monitors: () => {
      walks += 1;
      return [...states.keys()].map((id) => ({ id, paused: false }));
    },
    stateOf: (id) => states.get(id),
    setState: async (id, status) => {
      moves.push([id, status]);
      states.set(id, status);
    },
    tickMs: TICK_MS,
  });
  return {
    runner,
    states,
    moves,
    walks: () => walks,
    open: (window: MaintenanceWindowConfig) => void (windows = [window]),
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('maintenance windows: ticks', () => {
  it('with no window and no monitor in maintenance, walks the monitors at start and then only now and then', async () => {
    const t = setUp({ a: 'healthy', b: 'unhealthy' });
    t.runner.start();
    expect(t.walks()).toBe(1);
    // 30 ticks' worth of time at most (timers never fire early): fewer than IDLE_WALK_EVERY_TICKS, so no walk.
    await sleep(30 * TICK_MS);
    expect(t.walks()).toBe(1);
    t.runner.tick();
    expect(t.walks()).toBe(2);
    expect(t.moves).toEqual([]);
  });

  it('a monitor put in maintenance from elsewhere is moved back at the next periodic walk', async () => {
    const t = setUp({ a: 'healthy' });
    t.runner.start();
    t.states.set('a', 'maintenance');
    await eventually('moved back', () => (t.moves.length > 0 ? true : undefined), 5000);
    expect(t.moves).toEqual([['a', 'new']]);
    expect(t.walks()).toBeGreaterThanOrEqual(2);
    expect(IDLE_WALK_EVERY_TICKS).toBeGreaterThan(30);
  });

  it('a window that opens is acted on at the next tick, and walked every tick while open', async () => {
    const t = setUp({ a: 'healthy', b: 'healthy' });
    t.runner.start();
    const now = Date.now();
    t.open({
      name: 'Upgrade',
      monitors: ['a'],
      once: { start: new Date(now - 1000).toISOString(), end: new Date(now + 60_000).toISOString() },
    } as MaintenanceWindowConfig);
    await eventually('a in maintenance', () => (t.moves.length > 0 ? true : undefined), 1000);
    expect(t.moves).toEqual([['a', 'maintenance']]);
    expect(t.runner.windowOf('a')?.name).toBe('Upgrade');
    expect(t.runner.isIn('b')).toBe(false);
    const before = t.walks();
    await sleep(10 * TICK_MS);
    expect(t.walks()).toBeGreaterThan(before + 3);
  });
});
