import { describe, expect, it } from 'vitest';
import { hangingTcpServer } from '../../../core/test/support/net.js';
import { configSchema, type MonitorConfig, PROBING_TYPES } from '../../src/config/index.js';
import {
  isProbingMonitor,
  monitorHost,
  monitorSecrets,
  monitorTarget,
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

describe('probeMonitor', () => {
  it('enforces the timeout given by the caller over the monitor own', async () => {
    const hung = await hangingTcpServer();
    try {
      const target = monitor('http', { url: `http://127.0.0.1:${hung.port}/`, timeout: '20s' });
      const outcome = await check(target, { timeoutMs: 300 });
      expect(outcome).toMatchObject({ status: 'unhealthy', error: 'timed out after 300 ms' });
      expect(outcome.wallMs).toBeLessThan(1000);
    } finally {
      await hung.close();
    }
  });

  it('stops at the deadline when it comes before the timeout', async () => {
    const hung = await hangingTcpServer();
    try {
      const target = monitor('tcp', { host: '127.0.0.1', port: hung.port, timeout: '20s' });
      // A tcp check of a hanging server connects: use tls, which waits for a handshake that never comes.
      const tlsTarget = monitor('tls', { host: '127.0.0.1', port: hung.port, timeout: '20s' });
      expect((await check(target, { deadline: Date.now() + 300 })).status).toBe('healthy');
      const outcome = await check(tlsTarget, { deadline: Date.now() + 300 });
      expect(outcome.status).toBe('unhealthy');
      expect(outcome.error).toMatch(/^timed out after \d+ ms$/);
      expect(outcome.wallMs).toBeLessThan(1000);
    } finally {
      await hung.close();
    }
  });

  it("says why when the caller aborts: the scheduler's reason, or 'aborted'", async () => {
    const hung = await hangingTcpServer();
    try {
      const target = monitor('tls', { host: '127.0.0.1', port: hung.port, timeout: '20s' });
      const withReason = new AbortController();
      setTimeout(() => withReason.abort(new Error('timed out after 250 ms')), 250);
      expect((await check(target, { signal: withReason.signal })).error).toBe('timed out after 250 ms');
      const bare = new AbortController();
      setTimeout(() => bare.abort(), 50);
      expect((await check(target, { signal: bare.signal })).error).toBe('aborted');
    } finally {
      await hung.close();
    }
  });

  it('records conditions on a timed-out check, as Gatus does: nothing connected, no status', async () => {
    const hung = await hangingTcpServer();
    try {
      const target = monitor('http', {
        url: `http://127.0.0.1:${hung.port}/`,
        timeout: '200ms',
        conditions: ['[STATUS] == 200', '[CONNECTED] == true'],
      });
      const outcome = await check(target);
      expect(outcome.error).toBe('timed out after 200 ms');
      expect(outcome.conditions).toEqual([
        { condition: '[STATUS] == 200', success: false, output: '[STATUS] (0) == 200' },
        { condition: '[CONNECTED] == true', success: false, output: '[CONNECTED] (false) == true' },
      ]);
    } finally {
      await hung.close();
    }
  });

  it('never rejects: a monitor the probe refuses, or a type it does not know, is unhealthy with a reason', async () => {
    const broken = { ...monitor('http', { url: 'http://127.0.0.1/' }), url: 'http://user:br0ken-secret@[nope/' };
    const outcome = await probeMonitor(broken, { signal: new AbortController().signal, deadline: Infinity, now: Date.now });
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toMatch(/^http: invalid url/);
    expect(leaked(outcome, ['br0ken-secret'])).toEqual([]);
    const heartbeat = { type: 'heartbeat', id: 'x', name: 'x', conditions: [] } as unknown as ProbingMonitor;
    const skipped = await probeMonitor(heartbeat, { signal: new AbortController().signal, deadline: Infinity, now: Date.now });
    expect(skipped).toEqual({ status: 'unhealthy', latencyMs: 0, error: 'monitors of type "heartbeat" are not probed' });
  });
});
