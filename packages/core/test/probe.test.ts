import { describe, expect, it } from 'vitest';
import { errorMessage, type ProbeContext, ProbeTimeoutError, round2, runProbe } from '../src/probe.js';
import { sanitizeMessage } from '../src/sanitize.js';

const never = () => new Promise<never>(() => {});

function refused(address: string): Error {
  return Object.assign(new Error(`connect ECONNREFUSED ${address}`), { code: 'ECONNREFUSED' });
}

describe('runProbe', () => {
  it("returns the probe's result with the caller's timing", async () => {
    let clock = 1_000_000;
    let seen: ProbeContext | undefined;
    const observation = await runProbe(
      async (context) => {
        seen = context;
        return { status: 'degraded', details: { lag: 3 }, measurements: [{ measurement: 'x', value: 1 }] };
      },
      { timeoutMs: 500, now: () => clock++ },
    );
    expect(observation).toMatchObject({
      status: 'degraded',
      details: { lag: 3 },
      measurements: [{ measurement: 'x', value: 1 }],
      startedAt: 1_000_000,
      timedOut: false,
    });
    expect(observation.durationMs).toBeGreaterThanOrEqual(0);
    expect(seen?.deadline).toBe(1_000_000 + 500);
  });

  it('cuts off a probe that never resolves at the timeout and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const observation = await runProbe(
      (context) => {
        signal = context.signal;
        return never();
      },
      { timeoutMs: 150 },
    );
    expect(observation).toMatchObject({ status: 'unhealthy', error: 'timed out after 150 ms', timedOut: true });
    // Generous upper bound: a loaded two-core machine can delay timers, never fire them early by much.
    expect(observation.durationMs).toBeGreaterThanOrEqual(140);
    expect(observation.durationMs).toBeLessThan(5000);
    expect(signal?.aborted).toBe(true);
    expect(signal?.reason).toBeInstanceOf(ProbeTimeoutError);
  });

  it('does not wait for a driver that ignores the abort', async () => {
    // The driver resolves long after the deadline; the caller still gets its answer at the deadline.
    const observation = await runProbe(
      () => new Promise((resolve) => setTimeout(() => resolve({ status: 'healthy' }), 3000).unref()),
      { timeoutMs: 100 },
    );
    expect(observation.status).toBe('unhealthy');
    expect(observation.timedOut).toBe(true);
    expect(observation.durationMs).toBeLessThan(2500);
  });

  it('turns a throwing probe into unhealthy with a sanitized message', async () => {
    const observation = await runProbe(
      async () => {
        throw new Error('could not reach postgres://app:hunter2@db:5432/app');
      },
      { timeoutMs: 1000, sanitize: (message) => sanitizeMessage(message, ['hunter2']) },
    );
    expect(observation.status).toBe('unhealthy');
    expect(observation.timedOut).toBe(false);
    expect(observation.error).toContain('could not reach postgres://app:');
    expect(observation.error).not.toContain('hunter2');
  });

  it('catches a probe that throws synchronously', async () => {
    const observation = await runProbe(
      () => {
        throw new TypeError('bad config');
      },
      { timeoutMs: 1000 },
    );
    expect(observation).toMatchObject({ status: 'unhealthy', error: 'bad config', timedOut: false });
  });

  it('sanitizes the error a probe returns, not only the ones it throws', async () => {
    const observation = await runProbe(async () => ({ status: 'unhealthy', error: 'auth failed for token=abc123' }), {
      timeoutMs: 1000,
      sanitize: (message) => sanitizeMessage(message),
    });
    expect(observation.error).toBe('auth failed for token=***');
  });

  it('gives up when the outer signal aborts mid-probe, and aborts the probe too', async () => {
    const outer = new AbortController();
    let signal: AbortSignal | undefined;
    setTimeout(() => outer.abort(new Error('shutting down')), 50);
    const observation = await runProbe(
      (context) => {
        signal = context.signal;
        return never();
      },
      { timeoutMs: 10_000, signal: outer.signal },
    );
    expect(observation).toMatchObject({ status: 'unhealthy', error: 'aborted', timedOut: false });
    expect(observation.durationMs).toBeLessThan(5000);
    expect(signal?.aborted).toBe(true);
  });

  it('returns at once when the outer signal is already aborted', async () => {
    const outer = new AbortController();
    outer.abort();
    const observation = await runProbe(never, { timeoutMs: 10_000, signal: outer.signal });
    expect(observation).toMatchObject({ status: 'unhealthy', error: 'aborted', timedOut: false });
  });

  it("aborts the probe's signal once the result is in, so drivers can release what they hold", async () => {
    let signal: AbortSignal | undefined;
    await runProbe(
      async (context) => {
        signal = context.signal;
        return { status: 'healthy' };
      },
      { timeoutMs: 1000 },
    );
    expect(signal?.aborted).toBe(true);
  });

  it('reports every distinct reason of an AggregateError (e.g. ::1 and 127.0.0.1 both refused)', async () => {
    const observation = await runProbe(
      async () => {
        throw new AggregateError([refused('::1:5432'), refused('127.0.0.1:5432'), refused('::1:5432')]);
      },
      { timeoutMs: 1000 },
    );
    expect(observation.error).toBe('connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
  });
});

describe('errorMessage', () => {
  it.each([
    ['an error whose message has its code', refused('127.0.0.1:1'), 'connect ECONNREFUSED 127.0.0.1:1'],
    [
      'an error whose message lacks its code',
      Object.assign(new Error('lookup failed'), { code: 'ENOTFOUND' }),
      'ENOTFOUND: lookup failed',
    ],
    ['an empty AggregateError', new AggregateError([], 'all attempts failed'), 'all attempts failed'],
    ['a string', 'plain text', 'plain text'],
    ['an object', { weird: true }, 'unknown error'],
    ['undefined', undefined, 'unknown error'],
  ])('%s', (_label, error, expected) => {
    expect(errorMessage(error)).toBe(expected);
  });

  it('unwraps nested AggregateErrors', () => {
    const nested = new AggregateError([new AggregateError([new Error('a'), new Error('b')]), new Error('c')]);
    expect(errorMessage(nested)).toBe('a; b; c');
  });
});

describe('round2', () => {
  it.each([
    [1.234, 1.23],
    [1.235001, 1.24],
    [0, 0],
    [12, 12],
  ])('%d → %d', (input, expected) => {
    expect(round2(input)).toBe(expected);
  });
});
