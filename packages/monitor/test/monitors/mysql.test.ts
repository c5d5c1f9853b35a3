import { describe, expect, it } from 'vitest';
import { hangingTcpServer, unusedPort } from '../../../core/test/support/net.js';
import { monitorHost } from '../../src/monitors/index.js';
import { check, eventually, leaked, monitor, tcpSockets } from './support.js';
import { MYSQL_URL, withDatabase, withPassword } from '../../../../test/services.js';

const SHARED_URL = MYSQL_URL;

describe('mysql monitor (MariaDB here)', () => {
  it('is healthy: SELECT 1 on a fresh connection, closed after', async () => {
    const before = tcpSockets();
    const outcome = await check(monitor('mysql', { url: SHARED_URL, conditions: ['[CONNECTED] == true'] }));
    expect(outcome.status).toBe('healthy');
    expect(outcome.timings).toEqual({ connect: expect.any(Number), firstByte: expect.any(Number) });
    expect(outcome.conditions?.[0]?.success).toBe(true);
    await eventually(() => tcpSockets() <= before);
  });

  it('accepts mariadb:// URLs', async () => {
    expect((await check(monitor('mysql', { url: SHARED_URL.replace(/^mysql:/, 'mariadb:') }))).status).toBe('healthy');
  });

  it('a wrong password is unhealthy with the reason, and the password never shows', async () => {
    const wrong = 'My-Wrong-Secret-42';
    const inUrl = await check(monitor('mysql', { url: withPassword(SHARED_URL, wrong) }));
    const inField = await check(monitor('mysql', { url: SHARED_URL, password: wrong }));
    for (const outcome of [inUrl, inField]) {
      expect(outcome.status).toBe('unhealthy');
      expect(outcome.error).toMatch(
        /^ER_ACCESS_DENIED_ERROR: Access denied for user 'root'@'[^']+' \(using password: YES\)$/,
      );
    }
    expect(leaked([inUrl, inField], [wrong])).toEqual([]);
  });

  it('an unknown database is unhealthy and named', async () => {
    const outcome = await check(monitor('mysql', { url: withDatabase(SHARED_URL, 'vigil_no_such_db') }));
    expect(outcome).toMatchObject({ status: 'unhealthy', error: "ER_BAD_DB_ERROR: Unknown database 'vigil_no_such_db'" });
  });

  it('a server that accepts and never answers: timed out, the socket closed', async () => {
    const hung = await hangingTcpServer();
    try {
      const outcome = await check(monitor('mysql', { url: `mysql://root@127.0.0.1:${hung.port}/test`, timeout: '400ms' }));
      expect(outcome).toMatchObject({ status: 'unhealthy', error: 'timed out after 400 ms' });
      expect(outcome.wallMs).toBeLessThan(1000);
      await eventually(() => hung.clientSockets() === 0);
    } finally {
      await hung.close();
    }
  });

  it('a refused port is unhealthy at once', async () => {
    const outcome = await check(monitor('mysql', { url: `mysql://root@127.0.0.1:${await unusedPort()}/test` }));
    expect(outcome.error).toContain('ECONNREFUSED');
    expect(outcome.wallMs).toBeLessThan(1000);
  });

  it('targets the host of its URL', () => {
    expect(monitorHost(monitor('mysql', { url: 'mysql://app@MariaDB.internal/app' }))).toBe('mariadb.internal');
  });
});
