import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { type DnsCheckOptions, dnsCheck, dnsProbe, reverseName } from '../src/probes/dns.js';
import { startDnsServer, type TestDnsServer, unusedUdpPort } from './support/dns-server.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

let server: TestDnsServer;

beforeAll(async () => {
  server = await startDnsServer({
    'app.test': {
      A: ['127.0.0.1', '10.0.0.2'],
      AAAA: ['::1'],
      TXT: [['v=spf1 ', '-all'], ['hello']],
      MX: [
        { priority: 10, exchange: 'mail.app.test' },
        { priority: 20, exchange: 'backup.app.test' },
      ],
    },
    'www.app.test': { CNAME: ['app.test'] },
    'broken.test': { rcode: 'SERVFAIL' },
    'private.test': { rcode: 'REFUSED' },
    'silent.test': { silent: true },
  });
});

afterAll(async () => {
  await server.close();
});

function check(options: Partial<DnsCheckOptions> & { queryName: string }): Check {
  return dnsCheck({ resolver: server.address, ...options });
}

describe('dns probe against a local DNS server', () => {
  it('resolves A records: healthy, NOERROR, the answers and the first address as [IP]', async () => {
    const observation = await observe(check({ queryName: 'app.test' }));
    expect(observation).toMatchObject({ status: 'healthy', timedOut: false });
    expect(observation.error).toBeUndefined();
    expect(observation.facts).toMatchObject({
      connected: true,
      dnsRcode: 'NOERROR',
      dnsAnswers: ['127.0.0.1', '10.0.0.2'],
      ip: '127.0.0.1',
      body: '127.0.0.1',
    });
    expect(observation.facts?.timings?.dns).toBeGreaterThanOrEqual(0);
    expect(observation.details).toMatchObject({
      query: 'app.test',
      type: 'A',
      resolver: server.address,
      rcode: 'NOERROR',
    });
    expect(server.queries).toContain('A app.test');
  });

  it.each([
    ['AAAA', ['::1']],
    ['TXT', ['v=spf1 -all', 'hello']],
    ['MX', ['10 mail.app.test', '20 backup.app.test']],
  ] as const)('resolves %s records as text', async (recordType, answers) => {
    const observation = await observe(check({ queryName: 'app.test', recordType }));
    expect(observation.status).toBe('healthy');
    expect(observation.facts?.dnsAnswers).toEqual(answers);
  });

  it('resolves a CNAME', async () => {
    const observation = await observe(check({ queryName: 'www.app.test', recordType: 'CNAME' }));
    expect(observation.facts?.dnsAnswers).toEqual(['app.test']);
  });

  it('compares expected answers as a set: order and extra answers do not matter, names ignore case and the final dot', async () => {
    expect((await observe(check({ queryName: 'app.test', expected: ['10.0.0.2'] }))).status).toBe('healthy');
    expect((await observe(check({ queryName: 'app.test', expected: ['10.0.0.2', '127.0.0.1'] }))).status).toBe(
      'healthy',
    );
    const mx = await observe(check({ queryName: 'app.test', recordType: 'MX', expected: ['20 BACKUP.app.test.'] }));
    expect(mx.status).toBe('healthy');
    const aaaa = await observe(check({ queryName: 'app.test', recordType: 'AAAA', expected: ['0:0:0:0:0:0:0:1'] }));
    expect(aaaa.status).toBe('healthy');
  });

  it('is unhealthy when an expected answer is missing, naming it and what was answered', async () => {
    const observation = await observe(check({ queryName: 'app.test', expected: ['127.0.0.1', '192.0.2.7'] }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe('A app.test is missing expected answer 192.0.2.7 (answers: 127.0.0.1, 10.0.0.2)');
  });

  it('reports an unknown name as NXDOMAIN: unhealthy by default, healthy when NXDOMAIN is expected', async () => {
    const observation = await observe(check({ queryName: 'nope.test' }));
    expect(observation).toMatchObject({ status: 'unhealthy', timedOut: false });
    expect(observation.error).toBe('A nope.test answered NXDOMAIN (expected NOERROR)');
    expect(observation.facts).toMatchObject({ dnsRcode: 'NXDOMAIN', dnsAnswers: [], connected: true });
    expect(observation.durationMs).toBeLessThan(2000);

    const expected = await observe(check({ queryName: 'nope.test', rcode: 'NXDOMAIN' }));
    expect(expected.status).toBe('healthy');
  });

  it('reports a name without records of the type as NOERROR with no answers (ENODATA)', async () => {
    const observation = await observe(check({ queryName: 'www.app.test', recordType: 'A' }));
    expect(observation.status).toBe('healthy');
    expect(observation.facts).toMatchObject({ dnsRcode: 'NOERROR', dnsAnswers: [] });
    const wanting = await observe(check({ queryName: 'www.app.test', recordType: 'A', expected: ['127.0.0.1'] }));
    expect(wanting.status).toBe('unhealthy');
    expect(wanting.error).toMatch(/missing expected answer 127\.0\.0\.1 \(answers: none\)/);
  });

  it.each([
    ['broken.test', 'SERVFAIL'],
    ['private.test', 'REFUSED'],
  ])('maps the response code of %s to %s', async (queryName, rcode) => {
    const observation = await observe(check({ queryName }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.facts?.dnsRcode).toBe(rcode);
    expect(observation.error).toBe(`A ${queryName} answered ${rcode} (expected NOERROR)`);
  });

  it('times out when the server never answers, and cancels the query', async () => {
    const observation = await observe(check({ queryName: 'silent.test', timeoutMs: 400 }));
    expect(observation).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 400 ms' });
    expect(observation.durationMs).toBeLessThan(5000);
  });

  it('gives up by itself when called directly with a signal that never aborts', async () => {
    const started = Date.now();
    const result = await dnsProbe(
      { queryName: 'silent.test', resolver: server.address },
      { signal: new AbortController().signal, deadline: Date.now() + 200 },
    );
    expect(result.status).toBe('unhealthy');
    expect(result.error).toMatch(new RegExp(`^no answer from ${server.address} for A silent.test within \\d+ ms$`));
    expect(result.facts?.connected).toBe(false);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('is unhealthy, with a clear error, when nothing listens on the resolver port', async () => {
    const port = await unusedUdpPort();
    const observation = await observe(
      dnsCheck({ queryName: 'app.test', resolver: `127.0.0.1:${port}`, timeoutMs: 3000 }),
    );
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(
      `query A app.test to 127.0.0.1:${port} failed: ECONNREFUSED (no DNS server listens there)`,
    );
    expect(observation.facts?.dnsRcode).toBeUndefined();
  });

  it('evaluates Gatus conditions: [DNS_RCODE], [BODY] and [IP]', async () => {
    const passing = await observe(
      check({
        queryName: 'app.test',
        conditions: ['[DNS_RCODE] == NOERROR', '[BODY] == 127.0.0.1', '[IP] == 127.0.0.1'],
      }),
    );
    expect(passing.status).toBe('healthy');
    expect(passing.facts?.conditions?.every((c) => c.success)).toBe(true);

    const failing = await observe(
      check({ queryName: 'nope.test', rcode: 'NXDOMAIN', conditions: ['[DNS_RCODE] == NOERROR'] }),
    );
    expect(failing.status).toBe('unhealthy');
    expect(failing.error).toBe('condition failed: [DNS_RCODE] (NXDOMAIN) == NOERROR');
  });
});

describe('dns configuration', () => {
  it.each([
    ['no name', { queryName: '' }],
    ['an unknown record type', { queryName: 'a.test', recordType: 'ANY' as never }],
    ['an unknown rcode', { queryName: 'a.test', rcode: 'NOPE' as never }],
    ['a resolver with a bad port', { queryName: 'a.test', resolver: '127.0.0.1:99999' }],
  ])('rejects %s', (_label, options) => {
    expect(() => dnsCheck(options)).toThrow(TypeError);
  });

  it('turns an IP address into its reverse name for PTR queries', () => {
    expect(reverseName('127.0.0.1')).toBe('1.0.0.127.in-addr.arpa');
    expect(reverseName('2001:db8::1')).toBe('1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa');
  });

  it('is a system component named dns by default', () => {
    expect(dnsCheck({ queryName: 'example.com' })).toMatchObject({ name: 'dns', kind: 'dns', componentType: 'system' });
  });
});
