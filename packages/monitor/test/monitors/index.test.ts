import { describe, expect, it } from 'vitest';
import { hangingTcpServer } from '../../../core/test/support/net.js';
import { configSchema, type MonitorConfig, PROBING_TYPES } from '../../src/config/index.js';
import {
  isProbingMonitor,
  MONITOR_KINDS,
  monitorHost,
  monitorSecrets,
  monitorTarget,
  prepareMonitor,
  probeMonitor,
  type ProbingMonitor,
} from '../../src/monitors/index.js';
import { check, leaked, monitor } from './support.js';

/** One monitor of every probing type, as loaded from a configuration. */
const ONE_OF_EACH: ProbingMonitor[] = [
  monitor('http', { url: 'https://user:h77p-secret@shop.example.com/?token=t0k3n-secret' }),
  monitor('health', { url: 'http://api.internal:8000/health', headers: { 'X-Api-Key': 'hdr-secret' } }),
  monitor('tcp', { host: 'smtp.internal', port: 25 }),
  monitor('dns', { query_name: 'example.com', resolver: '10.0.0.53' }),
  monitor('tls', { host: 'shop.example.com' }),
  monitor('postgres', { url: 'postgres://app:pg-secret@db.internal:5432/app' }),
  monitor('mysql', { url: 'mysql://app@mysql.internal/app', password: 'my-secret' }),
  monitor('redis', { url: 'redis://:redis-secret@cache.internal:6379' }),
  monitor('rabbitmq', { url: 'amqp://app:amqp-secret@rabbit.internal/prod' }),
];
const SECRETS = ['h77p-secret', 't0k3n-secret', 'hdr-secret', 'pg-secret', 'my-secret', 'redis-secret', 'amqp-secret'];

describe('the registry of monitor types', () => {
  it('probes every type the configuration knows, except heartbeats', () => {
    expect(new Set(ONE_OF_EACH.map((m) => m.type))).toEqual(PROBING_TYPES);
    for (const m of ONE_OF_EACH) expect(isProbingMonitor(m), m.type).toBe(true);
    const heartbeat = configSchema.parse({ monitors: [{ type: 'heartbeat', name: 'nightly', schedule: { period: '1d' } }] })
      .monitors[0] as MonitorConfig;
    expect(isProbingMonitor(heartbeat)).toBe(false);
    expect(monitorHost(heartbeat)).toBeUndefined();
  });

  it('gives each monitor its host, lower-case, for per-host limits', () => {
    expect(ONE_OF_EACH.map((m) => monitorHost(m))).toEqual([
      'shop.example.com',
      'api.internal',
      'smtp.internal',
      '10.0.0.53',
      'shop.example.com',
      'db.internal',
      'mysql.internal',
      'cache.internal',
      'rabbit.internal',
    ]);
  });

  it('describes each target without a secret, and knows the secrets to redact', () => {
    const targets = ONE_OF_EACH.map((m) => monitorTarget(m));
    expect(targets[0]).toBe('GET https://user:***@shop.example.com/?token=***');
    expect(targets[2]).toBe('smtp.internal:25');
    expect(targets[3]).toBe('A example.com @10.0.0.53');
    // A database user is no secret (a token as the user of an https URL is): it is kept.
    expect(targets[5]).toBe('postgres://app:***@db.internal:5432/app');
    expect(targets[6]).toBe('mysql://app@mysql.internal/app');
    expect(leaked(targets, SECRETS)).toEqual([]);
    const known = ONE_OF_EACH.flatMap((m) => monitorSecrets(m));
    for (const secret of ['h77p-secret', 'hdr-secret', 'pg-secret', 'my-secret', 'redis-secret', 'amqp-secret']) {
      expect(known).toContain(secret);
    }
  });
});

describe('a prepared monitor', () => {
  it('ends at the deadline its caller set, with the caller\'s reason and what the probe saw', async () => {
    const hung = await hangingTcpServer();
    try {
      // The monitor's own timeout is only the scheduler's input: the caller's signal decides.
      const target = monitor('http', { url: `http://127.0.0.1:${hung.port}/`, timeout: '20s' });
      const outcome = await check(target, { timeoutMs: 300 });
      expect(outcome).toMatchObject({
        status: 'unhealthy',
        error: `GET http://127.0.0.1:${hung.port}/ failed: timed out after 300 ms`,
      });
      // It connected: the server accepts and never answers.
      expect(outcome.timings?.connect).toBeGreaterThanOrEqual(0);
      expect(outcome.wallMs).toBeLessThan(1000);
    } finally {
      await hung.close();
    }
  });

  it("says why when the caller aborts: the caller's reason", async () => {
    const hung = await hangingTcpServer();
    try {
      const target = monitor('tls', { host: '127.0.0.1', port: hung.port, timeout: '20s' });
      const paused = new AbortController();
      setTimeout(() => paused.abort(new Error('the monitor was paused')), 100);
      const outcome = await check(target, { signal: paused.signal });
      expect(outcome.status).toBe('unhealthy');
      expect(outcome.error).toBe(`TLS connection to 127.0.0.1:${hung.port} failed: the monitor was paused`);
    } finally {
      await hung.close();
    }
  });

  it('a probe that ignores its signal still ends at the deadline, with conditions judged on nothing connected', async () => {
    const target = monitor('http', { url: 'http://127.0.0.1:1/', conditions: ['[STATUS] == 200', '[CONNECTED] == true'] });
    // A kind whose check never settles, whatever its signal says (a hung driver).
    const stuck = prepareMonitor(target, { http: { ...MONITOR_KINDS.http, prepare: () => () => new Promise(() => undefined) } });
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('timed out after 150 ms')), 150);
    const started = Date.now();
    const outcome = await stuck.check({ signal: controller.signal, deadline: started + 150, now: Date.now });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toBe('timed out after 150 ms');
    expect(outcome.conditions).toEqual([
      { condition: '[STATUS] == 200', success: false, output: '[STATUS] (0) == 200' },
      { condition: '[CONNECTED] == true', success: false, output: '[CONNECTED] (false) == true' },
    ]);
  });

  it('is prepared once: its kind prepares it when it is loaded, not at every check', async () => {
    const target = monitor('http', { url: 'http://127.0.0.1:1/', conditions: ['[RESPONSE_TIME] < 1000'] });
    const calls: string[] = [];
    const counting = prepareMonitor(target, {
      http: {
        ...MONITOR_KINDS.http,
        prepare: (_monitor, conditions) => {
          calls.push(`prepare ${conditions.map((c) => c.text).join(', ')}`);
          return async () => {
            calls.push('check');
            return { status: 'healthy', latencyMs: 1 };
          };
        },
      },
    });
    const context = { signal: new AbortController().signal, deadline: Date.now() + 1000, now: Date.now };
    await counting.check(context);
    await counting.check(context);
    expect(calls).toEqual(['prepare [RESPONSE_TIME] < 1000', 'check', 'check']);
  });

  it('never rejects: a monitor the probe refuses, or a type it does not know, is unhealthy with a reason', async () => {
    const context = { signal: new AbortController().signal, deadline: Date.now() + 1000, now: Date.now };
    const broken = { ...monitor('http', { url: 'http://127.0.0.1/' }), url: 'http://user:br0ken-secret@[nope/' };
    const outcome = await probeMonitor(broken, context);
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toMatch(/^http: invalid url/);
    expect(leaked(outcome, ['br0ken-secret'])).toEqual([]);
    const heartbeat = { type: 'heartbeat', id: 'x', name: 'x', conditions: [] } as unknown as ProbingMonitor;
    const skipped = await probeMonitor(heartbeat, context);
    expect(skipped).toEqual({ status: 'unhealthy', latencyMs: 0, error: 'monitors of type "heartbeat" are not probed' });
  });
});
