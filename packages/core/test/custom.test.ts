import { describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { type ProbeContext, runProbe } from '../src/probe.js';
import { type CustomCheckReturn, customCheck } from '../src/probes/custom.js';

/** Runs a check the way users see it: under its timeout, with its sanitizer. */
const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

describe('customCheck', () => {
  it.each([
    ['true', () => true],
    ['undefined', () => undefined],
    ['nothing, asynchronously', async () => {}],
  ])('returning %s is healthy', async (_label, fn) => {
    const observation = await observe(customCheck('flags', fn));
    expect(observation.status).toBe('healthy');
    expect(observation.error).toBeUndefined();
  });

  it('returning false is unhealthy', async () => {
    const observation = await observe(customCheck('flags', () => false));
    expect(observation).toMatchObject({ status: 'unhealthy', error: 'check returned false' });
  });

  it('passes a full result through', async () => {
    const observation = await observe(
      customCheck('scheduler', async () => ({
        status: 'degraded',
        details: { last_run_s: 700 },
        measurements: [{ measurement: 'lastRun', value: 700, unit: 's' }],
        error: 'last run 700 s ago',
      })),
    );
    expect(observation).toMatchObject({
      status: 'degraded',
      details: { last_run_s: 700 },
      measurements: [{ measurement: 'lastRun', value: 700, unit: 's' }],
      error: 'last run 700 s ago',
      timedOut: false,
    });
  });

  it.each([
    [
      'a sync throw',
      () => {
        throw new Error('queue unreachable');
      },
    ],
    [
      'a rejection',
      async () => {
        throw new Error('queue unreachable');
      },
    ],
  ])('%s is unhealthy with the message', async (_label, fn) => {
    const observation = await observe(customCheck('queue', fn));
    expect(observation).toMatchObject({ status: 'unhealthy', error: 'queue unreachable' });
  });

  it('redacts secrets in thrown messages', async () => {
    const observation = await observe(
      customCheck('queue', () => {
        throw new Error('login to amqp://app:hunter2@mq failed, password=hunter2');
      }),
    );
    expect(observation.error).not.toContain('hunter2');
  });

  it.each([
    ['an unknown status', { status: 'ok' }],
    ['null', null],
    ['a number', 42],
    ['a string', 'healthy'],
    ['an object without status', { details: {} }],
  ])('returning %s is unhealthy, not silently healthy', async (_label, value) => {
    const observation = await observe(customCheck('odd', () => value as unknown as CustomCheckReturn));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/invalid result/);
  });

  it('gives the function the abort signal and cuts it off at the timeout', async () => {
    let context: ProbeContext | undefined;
    const check = customCheck(
      'slow',
      (ctx) => {
        context = ctx;
        return new Promise(() => {});
      },
      { timeoutMs: 100 },
    );
    const observation = await observe(check);
    expect(observation).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 100 ms' });
    expect(context?.signal.aborted).toBe(true);
  });

  it('carries its name and options', () => {
    const check = customCheck('jobs.scheduler', () => true, { critical: false, timeoutMs: 500, componentId: 'x' });
    expect(check).toMatchObject({
      name: 'jobs.scheduler',
      kind: 'custom',
      componentType: 'component',
      critical: false,
      timeoutMs: 500,
      componentId: 'x',
    });
  });

  it.each([
    ['an invalid name', 'bad name!', {}],
    ['an empty name', '', {}],
    ['a zero timeout', 'ok', { timeoutMs: 0 }],
    // setTimeout treats anything above 2^31-1 ms as 1 ms: every run would time out at once.
    ['an infinite timeout', 'ok', { timeoutMs: Number.POSITIVE_INFINITY }],
    ['a negative cache TTL', 'ok', { cacheTtlMs: -1 }],
  ])('rejects %s at configuration time', (_label, name, options) => {
    expect(() => customCheck(name, () => true, options)).toThrow(TypeError);
  });
});
