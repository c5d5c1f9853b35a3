import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDnsServer, type TestDnsServer } from '../../../core/test/support/dns-server.js';
import { monitorHost } from '../../src/monitors/index.js';
import { check, monitor } from './support.js';

describe('dns monitor', () => {
  let dns: TestDnsServer;

  beforeAll(async () => {
    dns = await startDnsServer({
      'shop.test': { A: ['10.1.2.3', '10.1.2.4'] },
      'broken.test': { rcode: 'SERVFAIL' },
      'silent.test': { silent: true },
    });
  });
  afterAll(async () => {
    await dns.close();
  });

  it('is healthy for an answer with NOERROR; [IP], [DNS_RCODE] and [BODY] are the answer', async () => {
    const outcome = await check(
      monitor('dns', {
        query_name: 'shop.test',
        resolver: dns.address,
        expected: ['10.1.2.4'],
        conditions: ['[DNS_RCODE] == NOERROR', '[IP] == 10.1.2.3', '[BODY] == pat(10.1.*)'],
      }),
    );
    expect(outcome.status).toBe('healthy');
    expect(outcome.conditions?.map((c) => c.success)).toEqual([true, true, true]);
    expect(outcome.timings?.dns).toBeGreaterThan(0);
  });

  it('is unhealthy when an expected answer is missing, or the response code is not the expected one', async () => {
    const missing = await check(
      monitor('dns', { query_name: 'shop.test', resolver: dns.address, expected: ['10.9.9.9'] }),
    );
    expect(missing.status).toBe('unhealthy');
    expect(missing.error).toBe('A shop.test is missing expected answer 10.9.9.9 (answers: 10.1.2.3, 10.1.2.4)');
    const servfail = await check(monitor('dns', { query_name: 'broken.test', resolver: dns.address }));
    expect(servfail).toMatchObject({ status: 'unhealthy', error: 'A broken.test answered SERVFAIL (expected NOERROR)' });
  });

  it('a condition on [DNS_RCODE] replaces the default NOERROR (as in Gatus); an explicit rcode still applies', async () => {
    const conditions = ['[DNS_RCODE] == any(NOERROR, SERVFAIL)'];
    const tolerated = await check(monitor('dns', { query_name: 'broken.test', resolver: dns.address, conditions }));
    expect(tolerated.status).toBe('healthy');
    const both = await check(
      monitor('dns', { query_name: 'broken.test', resolver: dns.address, conditions, rcode: 'NOERROR' }),
    );
    expect(both).toMatchObject({ status: 'unhealthy', error: 'A broken.test answered SERVFAIL (expected NOERROR)' });
    const failing = await check(
      monitor('dns', { query_name: 'broken.test', resolver: dns.address, conditions: ['[DNS_RCODE] == NXDOMAIN'] }),
    );
    expect(failing).toMatchObject({ status: 'unhealthy', error: 'condition failed: [DNS_RCODE] (SERVFAIL) == NXDOMAIN' });
  });

  it('an unknown name (.invalid) through the system resolver is NXDOMAIN, or healthy when NXDOMAIN is expected', async () => {
    const unknown = await check(monitor('dns', { query_name: 'vigil-no-such-name.invalid' }));
    expect(unknown).toMatchObject({
      status: 'unhealthy',
      error: 'A vigil-no-such-name.invalid answered NXDOMAIN (expected NOERROR)',
    });
    const expected = await check(
      monitor('dns', {
        query_name: 'vigil-no-such-name.invalid',
        rcode: 'NXDOMAIN',
        conditions: ['[DNS_RCODE] == NXDOMAIN'],
      }),
    );
    expect(expected.status).toBe('healthy');
  });

  it('times out on a resolver that never answers', async () => {
    const outcome = await check(monitor('dns', { query_name: 'silent.test', resolver: dns.address, timeout: '300ms' }));
    expect(outcome).toMatchObject({
      status: 'unhealthy',
      error: `query A silent.test to ${dns.address} failed: timed out after 300 ms`,
    });
    expect(outcome.wallMs).toBeLessThan(1000);
  });

  it("targets the resolver's host (none with the system resolver)", () => {
    expect(monitorHost(monitor('dns', { query_name: 'a.test', resolver: '10.0.0.53:5353' }))).toBe('10.0.0.53');
    expect(monitorHost(monitor('dns', { query_name: 'a.test', resolver: '[::1]:53' }))).toBe('::1');
    expect(monitorHost(monitor('dns', { query_name: 'a.test' }))).toBeUndefined();
  });
});
