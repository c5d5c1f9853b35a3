import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlackholePort } from '../../../core/test/support/faults.js';
import { unusedPort } from '../../../core/test/support/net.js';
import { monitorHost } from '../../src/monitors/index.js';
import { check, monitor } from './support.js';

describe('tcp monitor', () => {
  let server: net.Server;
  let port: number;

  beforeAll(async () => {
    server = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as net.AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('is healthy when the port accepts, with the connect time, [CONNECTED] and [IP]', async () => {
    const outcome = await check(
      monitor('tcp', {
        host: '127.0.0.1',
        port,
        conditions: ['[CONNECTED] == true', '[IP] == 127.0.0.1', '[RESPONSE_TIME] < 1000'],
      }),
    );
    expect(outcome.status).toBe('healthy');
    expect(outcome.timings).toEqual({ connect: expect.any(Number) });
    expect(outcome.conditions?.every((c) => c.success)).toBe(true);
  });

  it('is unhealthy at once on a refused port', async () => {
    const free = await unusedPort();
    const outcome = await check(monitor('tcp', { host: '127.0.0.1', port: free }));
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toBe(`TCP connection to 127.0.0.1:${free} failed: connect ECONNREFUSED 127.0.0.1:${free}`);
    expect(outcome.wallMs).toBeLessThan(1000);
  });

  it('times out when the connection attempt is dropped', async () => {
    const blackhole = await startBlackholePort();
    try {
      const outcome = await check(monitor('tcp', { host: '127.0.0.1', port: blackhole.port, timeout: '300ms' }));
      expect(outcome).toMatchObject({
        status: 'unhealthy',
        error: `TCP connection to 127.0.0.1:${blackhole.port} failed: timed out after 300 ms`,
      });
      expect(outcome.wallMs).toBeLessThan(1000);
    } finally {
      await blackhole.close();
    }
  });

  it('targets its host', () => {
    expect(monitorHost(monitor('tcp', { host: 'DB.internal', port: 5432 }))).toBe('db.internal');
  });
});
