import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangingTcpServer, unusedPort } from '../../../core/test/support/net.js';
import { type PrivatePostgres, startPrivatePostgres } from '../../../core/test/support/private-postgres.js';
import { monitorHost } from '../../src/monitors/index.js';
import { check, eventually, leaked, monitor, tcpSockets } from './support.js';
import { POSTGRES_URL } from '../../../../test/services.js';

const SHARED_URL = POSTGRES_URL;
const PASSWORD = 'Pg-Pa55:w/rd@secret';

describe('postgres monitor', () => {
  let secured: PrivatePostgres | undefined;

  beforeAll(async () => {
    secured = await startPrivatePostgres(PASSWORD);
  });
  afterAll(async () => {
    await secured?.stop();
  });

  it('is healthy against the shared server: SELECT 1 on a fresh connection, closed after', async () => {
    const before = tcpSockets();
    const outcome = await check(
      monitor('postgres', { url: SHARED_URL, conditions: ['[CONNECTED] == true', '[RESPONSE_TIME] < 5000'] }),
    );
    expect(outcome.status).toBe('healthy');
    expect(outcome.timings).toEqual({ connect: expect.any(Number), firstByte: expect.any(Number) });
    // Connection plus query: loading the driver on a first check does not count.
    expect(outcome.latencyMs).toBeCloseTo(outcome.timings!.connect! + outcome.timings!.firstByte!, 1);
    expect(outcome.conditions?.every((c) => c.success)).toBe(true);
    await eventually(() => tcpSockets() <= before);
  });

  it('logs in with the password field, or the one in the URL', async () => {
    const url = `postgres://postgres@127.0.0.1:${secured!.port}/postgres`;
    expect((await check(monitor('postgres', { url, password: PASSWORD }))).status).toBe('healthy');
    expect((await check(monitor('postgres', { url: secured!.url(PASSWORD) }))).status).toBe('healthy');
  });

  it('a wrong password is unhealthy with the reason, and no password shows', async () => {
    const wrong = 'Wrong:Pa55/word@x';
    const inUrl = await check(monitor('postgres', { url: secured!.url(wrong) }));
    const inField = await check(
      monitor('postgres', { url: `postgres://postgres@127.0.0.1:${secured!.port}/postgres`, password: wrong }),
    );
    for (const outcome of [inUrl, inField]) {
      expect(outcome.status).toBe('unhealthy');
      expect(outcome.error).toBe('28P01: password authentication failed for user "postgres"');
    }
    expect(leaked([inUrl, inField], [wrong, encodeURIComponent(wrong), PASSWORD])).toEqual([]);
  });

  it('a database that goes away: healthy while it runs, then unhealthy at once (refused)', async () => {
    const going = await startPrivatePostgres('going-away');
    try {
      const target = monitor('postgres', { url: going.url('going-away') });
      expect((await check(target)).status).toBe('healthy');
      await going.stop();
      const outcome = await check(target);
      expect(outcome.status).toBe('unhealthy');
      expect(outcome.error).toContain('ECONNREFUSED');
      expect(outcome.wallMs).toBeLessThan(1000);
    } finally {
      await going.stop();
    }
  });

  it('a server that accepts and never answers: timed out, the socket closed', async () => {
    const hung = await hangingTcpServer();
    try {
      const outcome = await check(monitor('postgres', { url: `postgres://u@127.0.0.1:${hung.port}/db`, timeout: '400ms' }));
      expect(outcome).toMatchObject({ status: 'unhealthy', error: 'timed out after 400 ms' });
      expect(outcome.wallMs).toBeLessThan(1000);
      await eventually(() => hung.clientSockets() === 0);
    } finally {
      await hung.close();
    }
  });

  it('a refused port is unhealthy at once, and [CONNECTED] is false', async () => {
    const port = await unusedPort();
    const outcome = await check(
      monitor('postgres', { url: `postgres://postgres@127.0.0.1:${port}/test`, conditions: ['[CONNECTED] == true'] }),
    );
    expect(outcome.error).toContain('ECONNREFUSED');
    expect(outcome.conditions?.[0]?.output).toBe('[CONNECTED] (false) == true');
  });

  it('targets the host of its URL', () => {
    expect(monitorHost(monitor('postgres', { url: 'postgresql://app:pw@DB.internal:5432/app' }))).toBe('db.internal');
  });
});
