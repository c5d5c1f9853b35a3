import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { type Observation, runProbe } from '../src/probe.js';
import { eventLoopCheck, stopEventLoopMonitor } from '../src/probes/event-loop.js';
import type { Status } from '../src/status.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

function blockFor(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // busy-wait: nothing else runs on this thread meanwhile
  }
}

/** Runs the check every 20 ms until `done` holds; fails after `withinMs`. */
async function until(check: Check, done: (o: Observation) => boolean, withinMs: number): Promise<Observation> {
  const giveUp = performance.now() + withinMs;
  for (;;) {
    const observation = await observe(check);
    if (done(observation)) return observation;
    if (performance.now() > giveUp) {
      throw new Error(`not there after ${withinMs} ms: ${observation.status} ${JSON.stringify(observation.details)}`);
    }
    await sleep(20);
  }
}

const is = (status: Status) => (o: Observation) => o.status === status;

interface LoopDetails {
  p99_ms: number;
  max_ms: number;
  mean_ms: number;
  window_ms: number;
}

const detailsOf = (o: Observation) => o.details as unknown as LoopDetails;
const maxMs = (o: Observation) => detailsOf(o).max_ms;

const timeoutCount = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

afterEach(() => stopEventLoopMonitor());

describe('eventLoopCheck', () => {
  it('is healthy when the loop is idle', async () => {
    const check = eventLoopCheck({ windowMs: 200 });
    await sleep(500);
    const observation = await observe(check);
    expect(observation.status).toBe('healthy');
    const details = detailsOf(observation);
    expect(Object.keys(details).sort()).toEqual(['max_ms', 'mean_ms', 'p99_ms', 'window_ms']);
    expect(details.p99_ms).toBeGreaterThanOrEqual(0);
    expect(details.p99_ms).toBeLessThan(100);
    expect(details.window_ms).toBeGreaterThan(0);
    expect(observation.measurements).toEqual([{ measurement: 'delay', value: details.p99_ms, unit: 'ms' }]);
  });

  it('is degraded after the loop was blocked for 300 ms, then healthy again once that window has passed', async () => {
    const check = eventLoopCheck({ windowMs: 500, degradedAboveMs: 200, unhealthyAboveMs: 5000 });
    await sleep(50); // let the monitor take a sample or two
    blockFor(300);
    const blocked = await until(check, is('degraded'), 5000);
    const details = detailsOf(blocked);
    expect(details.p99_ms).toBeGreaterThanOrEqual(250);
    expect(details.max_ms).toBeGreaterThanOrEqual(details.p99_ms);
    expect(blocked.error).toMatch(/event loop p99 delay .* ms \(above 200 ms\)/);
    // Windows rotate: the block is forgotten once a quiet window completes. Waiting on max, not only the
    // status: a histogram that was never reset would dilute the p99 but keep the 300 ms max forever.
    const recovered = await until(check, (o) => o.status === 'healthy' && maxMs(o) < 200, 10_000);
    expect(recovered.error).toBeUndefined();
  });

  it('is unhealthy when the delay is above unhealthyAboveMs', async () => {
    const check = eventLoopCheck({ windowMs: 500, degradedAboveMs: 50, unhealthyAboveMs: 200 });
    await sleep(50);
    blockFor(300);
    const observation = await until(check, is('unhealthy'), 5000);
    expect(detailsOf(observation).p99_ms).toBeGreaterThanOrEqual(250);
  });

  it('never keeps the process alive', async () => {
    const before = timeoutCount();
    const check = eventLoopCheck({ windowMs: 100 });
    await observe(check);
    expect(timeoutCount()).toBe(before);
  });

  it('keeps working after the shared monitor is stopped', async () => {
    const check = eventLoopCheck({ windowMs: 200 });
    stopEventLoopMonitor();
    await sleep(50);
    const observation = await observe(check);
    expect(observation.status).toBe('healthy');
    expect(observation.details).toHaveProperty('p99_ms');
  });

  it.each([
    ['degraded above unhealthy', { degradedAboveMs: 500, unhealthyAboveMs: 100 }],
    ['a zero window', { windowMs: 0 }],
    ['a fractional resolution', { resolution: 0.5 }],
    ['a negative threshold', { degradedAboveMs: -1 }],
  ])('rejects %s at configuration time', (_label, options) => {
    expect(() => eventLoopCheck(options)).toThrow(TypeError);
  });

  it('is a system component named event_loop by default', () => {
    expect(eventLoopCheck()).toMatchObject({ name: 'event_loop', kind: 'event_loop', componentType: 'system' });
  });
});
