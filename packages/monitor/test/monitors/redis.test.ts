import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangingTcpServer, unusedPort } from '../../../core/test/support/net.js';
import { type PrivateRedis, startPrivateRedis } from '../../../core/test/support/private-redis.js';
import { monitorHost } from '../../src/monitors/index.js';
import { check, eventually, leaked, monitor, tcpSockets } from './support.js';
import { REDIS_URL, withDatabase } from '../../../../test/services.js';

const PASSWORD = 'Redis-Pa55-Secret';

describe('redis monitor', () => {
  let locked: PrivateRedis;

  beforeAll(async () => {
    locked = await startPrivateRedis({ requirepass: PASSWORD });
  });
  afterAll(async () => {
    await locked?.kill();
  });

  it('is healthy against the shared server: a PING on a fresh connection, closed after', async () => {
    const before = tcpSockets();
    const outcome = await check(
      monitor('redis', { url: withDatabase(REDIS_URL, '0'), conditions: ['[CONNECTED] == true', '[RESPONSE_TIME] < 2000'] }),
    );
    expect(outcome.status).toBe('healthy');
    expect(outcome.timings).toEqual({ connect: expect.any(Number), firstByte: expect.any(Number) });
    expect(outcome.conditions?.every((c) => c.success)).toBe(true);
    await eventually(() => tcpSockets() <= before);
  });

  it('logs in with the password field or the one in the URL', async () => {
    expect((await check(monitor('redis', { url: locked.url, password: PASSWORD }))).status).toBe('healthy');
    const inUrl = locked.url.replace('redis://', `redis://:${PASSWORD}@`);
    expect((await check(monitor('redis', { url: inUrl }))).status).toBe('healthy');
  });

  it('a wrong or missing password is unhealthy, and the password never shows', async () => {
    const wrong = await check(monitor('redis', { url: locked.url, password: 'Wrong-Secret-123' }));
    expect(wrong.status).toBe('unhealthy');
    expect(wrong.error).toMatch(/WRONGPASS/);
    const wrongInUrl = await check(monitor('redis', { url: locked.url.replace('redis://', 'redis://:Wrong-Secret-123@') }));
    expect(wrongInUrl.error).toMatch(/WRONGPASS/);
    expect(leaked([wrong, wrongInUrl], ['Wrong-Secret-123', PASSWORD])).toEqual([]);
    const none = await check(monitor('redis', { url: locked.url, conditions: ['[CONNECTED] == true'] }));
    expect(none.status).toBe('unhealthy');
    expect(none.error).toMatch(/NOAUTH/);
    expect(none.conditions?.[0]?.output).toBe('[CONNECTED] (false) == true');
  });

  it('a server killed while it is being checked: unhealthy as soon as it goes, not at the timeout', async () => {
    const server = await startPrivateRedis();
    const admin = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    admin.on('error', () => {});
    try {
      await admin.connect();
      // Every client's commands wait: the check's PING is in flight when the server dies.
      await admin.call('CLIENT', 'PAUSE', '10000', 'ALL');
      const pending = check(monitor('redis', { url: server.url, timeout: '8s' }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      await server.kill();
      const outcome = await pending;
      expect(outcome.status).toBe('unhealthy');
      expect(outcome.error).toBe(`the server closed the connection to ${server.url} before it answered`);
      expect(outcome.wallMs).toBeLessThan(3000);
      // Gone for good: the next check is refused at once.
      const next = await check(monitor('redis', { url: server.url }));
      expect(next.error).toContain('ECONNREFUSED');
    } finally {
      admin.disconnect();
      await server.kill();
    }
  });

  it('a server that accepts and never answers: timed out, the socket closed', async () => {
    const hung = await hangingTcpServer();
    try {
      const outcome = await check(monitor('redis', { url: `redis://127.0.0.1:${hung.port}`, timeout: '400ms' }));
      expect(outcome).toMatchObject({ status: 'unhealthy', error: 'timed out after 400 ms' });
      expect(outcome.wallMs).toBeLessThan(1000);
      await eventually(() => hung.clientSockets() === 0);
    } finally {
      await hung.close();
    }
  });

  it('a refused port is unhealthy at once', async () => {
    const outcome = await check(monitor('redis', { url: `redis://127.0.0.1:${await unusedPort()}` }));
    expect(outcome.error).toContain('ECONNREFUSED');
    expect(outcome.wallMs).toBeLessThan(1000);
  });

  it('targets the host of its URL', () => {
    expect(monitorHost(monitor('redis', { url: 'rediss://:pw@Cache.internal:6380/1' }))).toBe('cache.internal');
  });
});
