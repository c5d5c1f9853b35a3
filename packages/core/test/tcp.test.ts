import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { tcpCheck, tcpProbe } from '../src/probes/tcp.js';
import { startBlackholePort, within } from './support/faults.js';
import { hangingTcpServer, unusedPort } from './support/net.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

let server: net.Server;
let port: number;
const serverSockets: Array<Promise<void>> = [];

beforeAll(async () => {
  server = net.createServer((socket) => {
    socket.on('error', () => {});
    serverSockets.push(new Promise((resolve) => socket.once('close', () => resolve())));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('tcp probe', () => {
  it('is healthy when the port accepts, with the address, connect timing and facts', async () => {
    const observation = await observe(tcpCheck({ host: '127.0.0.1', port }));
    expect(observation).toMatchObject({ status: 'healthy', timedOut: false });
    expect(observation.error).toBeUndefined();
    expect(observation.details).toMatchObject({ host: '127.0.0.1', port, ip: '127.0.0.1' });
    expect(observation.facts?.connected).toBe(true);
    expect(observation.facts?.ip).toBe('127.0.0.1');
    expect(observation.facts?.timings?.connect).toBeGreaterThanOrEqual(0);
    // An IP address is not looked up.
    expect(observation.facts?.timings?.dns).toBeUndefined();
    expect(observation.measurements?.[0]).toMatchObject({ measurement: 'responseTime', unit: 'ms' });
  });

  it('closes the connection it opened', async () => {
    const index = serverSockets.length;
    await observe(tcpCheck({ host: '127.0.0.1', port }));
    expect(serverSockets[index]).toBeDefined();
    await expect(within(serverSockets[index]!, 5000)).resolves.toBeUndefined();
  });

  it('times the DNS lookup of a host name', async () => {
    const observation = await observe(tcpCheck({ host: 'localhost', port, ipVersion: 4 }));
    expect(observation.status).toBe('healthy');
    expect(observation.facts?.timings?.dns).toBeGreaterThanOrEqual(0);
    expect(observation.facts?.ip).toBe('127.0.0.1');
  });

  it('is unhealthy with ECONNREFUSED, at once, when nobody listens', async () => {
    const closed = await unusedPort();
    const observation = await observe(tcpCheck({ host: '127.0.0.1', port: closed, timeoutMs: 5000 }));
    expect(observation).toMatchObject({ status: 'unhealthy', timedOut: false });
    expect(observation.error).toBe(
      `TCP connection to 127.0.0.1:${closed} failed: connect ECONNREFUSED 127.0.0.1:${closed}`,
    );
    expect(observation.facts?.connected).toBe(false);
    expect(observation.durationMs).toBeLessThan(2000);
  });

  it('is healthy against a server that accepts and never answers (the port is open), and lets go', async () => {
    const hanging = await hangingTcpServer();
    try {
      const observation = await observe(tcpCheck({ host: '127.0.0.1', port: hanging.port }));
      expect(observation.status).toBe('healthy');
      await expect.poll(() => hanging.clientSockets(), { timeout: 5000 }).toBe(0);
    } finally {
      await hanging.close();
    }
  });

  it('times out when the connection never completes (SYNs dropped)', async () => {
    const blackhole = await startBlackholePort();
    try {
      const observation = await observe(tcpCheck({ host: '127.0.0.1', port: blackhole.port, timeoutMs: 400 }));
      expect(observation).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 400 ms' });
      expect(observation.durationMs).toBeGreaterThanOrEqual(390);
      expect(observation.durationMs).toBeLessThan(5000);
    } finally {
      await blackhole.close();
    }
  });

  it('gives up by itself shortly after the deadline when called directly with a signal that never aborts', async () => {
    const blackhole = await startBlackholePort();
    try {
      const started = Date.now();
      const result = await tcpProbe(
        { host: '127.0.0.1', port: blackhole.port },
        { signal: new AbortController().signal, deadline: Date.now() + 200 },
      );
      expect(result.status).toBe('unhealthy');
      expect(result.error).toMatch(/no answer by the deadline/);
      expect(Date.now() - started).toBeLessThan(5000);
    } finally {
      await blackhole.close();
    }
  });

  it('evaluates conditions against its facts', async () => {
    const passing = await observe(tcpCheck({ host: '127.0.0.1', port, conditions: ['[CONNECTED] == true'] }));
    expect(passing.status).toBe('healthy');
    expect(passing.facts?.conditions).toEqual([
      { condition: '[CONNECTED] == true', success: true, output: '[CONNECTED] == true' },
    ]);

    const failing = await observe(tcpCheck({ host: '127.0.0.1', port, conditions: ['[RESPONSE_TIME] < 0'] }));
    expect(failing.status).toBe('unhealthy');
    expect(failing.error).toMatch(/^condition failed: \[RESPONSE_TIME\] \(\d+\) < 0$/);
  });
});

describe('tcpCheck configuration', () => {
  it.each([
    ['no host', { host: '', port: 80 }],
    ['port 0', { host: '127.0.0.1', port: 0 }],
    ['port 70000', { host: '127.0.0.1', port: 70_000 }],
    ['an invalid condition', { host: '127.0.0.1', port: 80, conditions: ['[CONNECTED] = true'] }],
  ])('rejects %s', (_label, options) => {
    expect(() => tcpCheck(options)).toThrow();
  });

  it('is a component named tcp by default', () => {
    expect(tcpCheck({ host: '127.0.0.1', port: 80 })).toMatchObject({ name: 'tcp', kind: 'tcp', critical: true });
  });
});
