import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { ConditionSyntaxError } from '../src/conditions/index.js';
import { conditionContext, runProbe } from '../src/probe.js';
import { type HttpCheckOptions, httpCheck, httpProbe } from '../src/probes/http.js';
import { rss, startBigBodyServer, startDripServer, within } from './support/faults.js';
import { hangingTcpServer, unusedPort } from './support/net.js';
import {
  generateCertificates,
  type RunningServer,
  startHttpServer,
  startHttpsServer,
  type TestCertificates,
} from './support/tls.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });
const MiB = 1024 * 1024;

let base: string;
let other: RunningServer & { url: string };
let certs: TestCertificates;
const servers: RunningServer[] = [];
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const url = new URL(req.url ?? '/', 'http://x');
    const path = url.pathname;
    let match: RegExpExecArray | null;
    if ((match = /^\/status\/(\d{3})$/.exec(path))) {
      res.writeHead(Number(match[1]), { 'content-type': 'text/plain' });
      res.end('status body');
    } else if (path === '/echo') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, authorization: req.headers.authorization ?? null, body }));
    } else if (path === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'UP', items: [{ id: 1 }, { id: 2 }], name: 'shop' }));
    } else if (path === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello world, all systems ok');
    } else if ((match = /^\/redirect\/(\d+)$/.exec(path))) {
      const left = Number(match[1]);
      res.writeHead(302, { location: left > 1 ? `/redirect/${left - 1}` : '/text' });
      res.end();
    } else if (path === '/loop') {
      res.writeHead(301, { location: '/loop' });
      res.end();
    } else if ((match = /^\/moved\/(30\d)$/.exec(path))) {
      res.writeHead(Number(match[1]), { location: '/echo' });
      res.end();
    } else if (path === '/elsewhere') {
      res.writeHead(302, { location: `${other.url}/echo` });
      res.end();
    } else if (path === '/to-ftp') {
      res.writeHead(302, { location: 'ftp://example.com/' });
      res.end();
    } else if (path === '/slow') {
      setTimeout(() => res.end('late'), 150);
    } else if ((match = /^\/bytes\/(\d+)$/.exec(path))) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('a'.repeat(Number(match[1])));
    } else if (path === '/basic') {
      const expected = `Basic ${Buffer.from('monitor:s3cret-Pa55').toString('base64')}`;
      res.writeHead(req.headers.authorization === expected ? 200 : 401);
      res.end();
    } else if (path === '/need-token') {
      res.writeHead(req.headers.authorization === 'Bearer tok-123456' ? 200 : 401);
      res.end();
    } else {
      res.writeHead(404);
      res.end();
    }
  });
}

beforeAll(async () => {
  certs = generateCertificates();
  const main = await startHttpServer(handler);
  other = await startHttpServer(handler);
  servers.push(main, other);
  base = main.url;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

function check(path: string, options: Partial<HttpCheckOptions> = {}): Check {
  return httpCheck({ url: `${base}${path}`, ...options });
}

const lastSeen = () => seen[seen.length - 1]!;

describe('http monitor: the request', () => {
  it('sends the method, headers and body', async () => {
    const observation = await observe(
      check('/echo', {
        method: 'post',
        headers: { 'Content-Type': 'application/json', 'X-Probe': 'vigil' },
        body: '{"ping":true}',
        maxBodyBytes: 1024,
      }),
    );
    expect(observation.status).toBe('healthy');
    expect(lastSeen()).toMatchObject({ method: 'POST', body: '{"ping":true}' });
    expect(lastSeen().headers).toMatchObject({ 'content-type': 'application/json', 'x-probe': 'vigil' });
    expect(lastSeen().headers['user-agent']).toMatch(/^Vigil/);
    expect(JSON.parse(observation.facts!.body!)).toMatchObject({ method: 'POST', body: '{"ping":true}' });
  });

  it('sends basic and bearer credentials, and keeps them out of the result', async () => {
    const basic = await observe(check('/basic', { auth: { basic: { username: 'monitor', password: 's3cret-Pa55' } } }));
    expect(basic.status).toBe('healthy');
    const bearer = await observe(check('/need-token', { auth: { bearer: 'tok-123456' } }));
    expect(bearer.status).toBe('healthy');
    const wrong = await observe(check('/need-token', { auth: { bearer: 'tok-wrong-1' }, expectedStatus: 200 }));
    expect(wrong.status).toBe('unhealthy');
    expect(wrong.error).toMatch(/returned status 401/);
    expect(JSON.stringify([basic, bearer, wrong])).not.toMatch(/s3cret|tok-123456|tok-wrong/);
    expect(() => httpCheck({ url: base, auth: {} })).toThrow(/exactly one of basic or bearer/);
  });

  it('accepts status ranges as the configuration gives them ({ min, max })', async () => {
    const ranges = [
      { min: 200, max: 204 },
      { min: 418, max: 418 },
    ];
    expect((await observe(check('/status/204', { expectedStatus: ranges }))).status).toBe('healthy');
    expect((await observe(check('/status/418', { expectedStatus: ranges }))).status).toBe('healthy');
    const bad = await observe(check('/status/205', { expectedStatus: ranges }));
    expect(bad.status).toBe('unhealthy');
    expect(bad.error).toBe(`GET ${base}/status/205 returned status 205 (expected 200-204, 418)`);
    expect(bad.facts?.statusCode).toBe(205);
  });
});

describe('http monitor: redirects', () => {
  it('follows up to 10 redirects and judges the final response', async () => {
    const observation = await observe(
      check('/redirect/10', { followRedirects: true, expectedStatus: 200, keyword: 'ok' }),
    );
    expect(observation.status).toBe('healthy');
    expect(observation.details).toMatchObject({ status_code: 200, redirects: 10, final_url: `${base}/text` });
    expect(observation.facts?.statusCode).toBe(200);
  });

  it('stops after 10 redirects', async () => {
    const observation = await observe(check('/loop', { followRedirects: true }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(`GET ${base}/loop failed: more than 10 redirects`);
    expect(observation.facts?.statusCode).toBe(301);
  });

  it('does not follow when told not to', async () => {
    const observation = await observe(check('/redirect/1', { followRedirects: false, expectedStatus: '2xx' }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.facts?.statusCode).toBe(302);
  });

  it('turns a POST into a GET without body after 303 (and 301/302), and keeps it after 307', async () => {
    await observe(check('/moved/303', { method: 'POST', body: 'data', followRedirects: true }));
    expect(lastSeen()).toMatchObject({ method: 'GET', url: '/echo', body: '' });
    await observe(check('/moved/302', { method: 'POST', body: 'data', followRedirects: true }));
    expect(lastSeen()).toMatchObject({ method: 'GET', url: '/echo', body: '' });
    await observe(check('/moved/307', { method: 'POST', body: 'data', followRedirects: true }));
    expect(lastSeen()).toMatchObject({ method: 'POST', url: '/echo', body: 'data' });
  });

  it('does not carry credentials to another origin', async () => {
    await observe(check('/moved/302', { auth: { bearer: 'tok-123456' }, followRedirects: true }));
    expect(lastSeen().headers.authorization).toBe('Bearer tok-123456');
    await observe(check('/elsewhere', { auth: { bearer: 'tok-123456' }, followRedirects: true }));
    expect(lastSeen().url).toBe('/echo');
    expect(lastSeen().headers.authorization).toBeUndefined();
  });

  it('refuses to follow to a scheme other than http(s)', async () => {
    const observation = await observe(check('/to-ftp', { followRedirects: true }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(`GET ${base}/to-ftp failed: redirected to a ftp URL`);
  });
});

describe('http monitor: the body', () => {
  it('reads the body up to maxBodyBytes and says when it was cut', async () => {
    const whole = await observe(check('/bytes/100', { maxBodyBytes: 100 }));
    expect(whole.facts).toMatchObject({ body: 'a'.repeat(100), bodyTruncated: false });
    const cut = await observe(check('/bytes/5000', { maxBodyBytes: 100 }));
    expect(cut.status).toBe('healthy');
    expect(cut.facts).toMatchObject({ body: 'a'.repeat(100), bodyTruncated: true });
    const strict = await observe(check('/bytes/5000', { maxBodyBytes: 100, bodyTooLarge: 'fail' }));
    expect(strict.status).toBe('unhealthy');
    expect(strict.error).toBe('the body is larger than 100 bytes');
  });

  it('does not read the body when nothing needs it', async () => {
    const observation = await observe(check('/text'));
    expect(observation.status).toBe('healthy');
    expect(observation.facts?.body).toBeUndefined();
    expect(observation.facts?.timings?.transfer).toBeUndefined();
  });

  it.each([
    [{ keyword: 'all systems ok' }, 'healthy', undefined],
    [{ keyword: 'error' }, 'unhealthy', 'the body does not contain "error"'],
    [{ keyword: 'error', invert: true }, 'healthy', undefined],
    [{ keyword: 'hello', invert: true }, 'unhealthy', 'the body does contain "hello"'],
    [{ regex: '^hello \\w+,' }, 'healthy', undefined],
    [{ regex: /ALL SYSTEMS/i }, 'healthy', undefined],
    [{ regex: 'fail(ed|ure)' }, 'unhealthy', 'the body does not match /fail(ed|ure)/'],
    [{ regex: 'ok$', invert: true }, 'unhealthy', 'the body does match /ok$/'],
  ] as const)('checks %j: %s', async (options, status, error) => {
    const observation = await observe(check('/text', options));
    expect(observation.status).toBe(status);
    expect(observation.error).toBe(error);
  });

  it('says when a keyword was looked for in a cut body', async () => {
    const observation = await observe(check('/bytes/5000', { maxBodyBytes: 10, keyword: 'b' }));
    expect(observation.error).toBe('the body does not contain "b" (in its first 10 bytes)');
  });

  it('rejects keyword with regex, invert alone, and an invalid regex', () => {
    expect(() => httpCheck({ url: base, keyword: 'a', regex: 'b' })).toThrow(TypeError);
    expect(() => httpCheck({ url: base, invert: true })).toThrow(TypeError);
    expect(() => httpCheck({ url: base, regex: '(' })).toThrow(/invalid regex/);
  });
});

describe('http monitor: conditions', () => {
  it('passes when every condition holds, and records each outcome', async () => {
    const conditions = ['[STATUS] == 200', '[BODY].status == UP', 'len([BODY].items) > 1', '[RESPONSE_TIME] < 10000'];
    const observation = await observe(check('/json', { conditions }));
    expect(observation.status).toBe('healthy');
    expect(observation.facts?.conditions?.map((c) => [c.condition, c.success])).toEqual(
      conditions.map((c) => [c, true]),
    );
    // A [BODY] condition makes the probe read the body.
    expect(observation.facts?.body).toContain('"status":"UP"');
  });

  it('is unhealthy when one fails, with the failing outputs in the error', async () => {
    const observation = await observe(
      check('/json', {
        conditions: ['[STATUS] == 200', '[BODY].status == DOWN', '[BODY].items[0].id == 2', '[BODY].missing == 1'],
      }),
    );
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(
      'conditions failed: [BODY].status (UP) == DOWN; [BODY].items[0].id (1) == 2; [BODY].missing (INVALID) == 1',
    );
    expect(observation.facts?.conditions?.filter((c) => !c.success)).toHaveLength(3);
  });

  it('evaluates [CONNECTED] on a failed connection', async () => {
    const port = await unusedPort();
    const observation = await observe(
      httpCheck({ url: `http://127.0.0.1:${port}/`, conditions: ['[CONNECTED] == true'] }),
    );
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/ECONNREFUSED/);
    expect(observation.facts?.conditions).toEqual([
      { condition: '[CONNECTED] == true', success: false, output: '[CONNECTED] (false) == true' },
    ]);
  });

  it('rejects an invalid condition when the check is made', () => {
    expect(() => httpCheck({ url: base, conditions: ['[STATUS] = 200'] })).toThrow(ConditionSyntaxError);
  });
});

describe('http monitor: response time and timings', () => {
  it('is degraded above the response-time limit, body included', async () => {
    const observation = await observe(check('/slow', { degradedAboveMs: 50, keyword: 'late' }));
    expect(observation.status).toBe('degraded');
    expect(observation.error).toMatch(new RegExp(`^GET ${base}/slow took \\d+(\\.\\d+)? ms \\(above 50 ms\\)$`));
  });

  it('times each phase: DNS, connect, first byte, transfer', async () => {
    const port = new URL(base).port;
    const observation = await observe(
      httpCheck({ url: `http://localhost:${port}/text`, ipVersion: 4, maxBodyBytes: 1024 }),
    );
    expect(observation.status).toBe('healthy');
    const timings = observation.facts?.timings;
    for (const phase of ['dns', 'connect', 'firstByte', 'transfer'] as const) {
      expect(timings?.[phase], phase).toBeGreaterThanOrEqual(0);
    }
    expect(timings?.tls).toBeUndefined();
    expect(observation.facts).toMatchObject({ ip: '127.0.0.1', connected: true, statusCode: 200 });
  });

  it('maps facts to the condition placeholders', () => {
    const now = Date.UTC(2030, 0, 1);
    expect(
      conditionContext(
        {
          statusCode: 503,
          body: '{"a":1}',
          certificateExpiresAt: now + 3_600_000,
          connected: true,
          dnsRcode: 'NOERROR',
          ip: '127.0.0.1',
          timings: { dns: 1 },
        },
        42.5,
        now,
      ),
    ).toEqual({
      status: 503,
      body: '{"a":1}',
      responseTimeMs: 42.5,
      certificateExpirationMs: 3_600_000,
      connected: true,
      dnsRcode: 'NOERROR',
      ip: '127.0.0.1',
    });
    expect(conditionContext(undefined, 7)).toEqual({ responseTimeMs: 7 });
  });
});

describe('http monitor: https', () => {
  const ok = (_req: http.IncomingMessage, res: http.ServerResponse) => res.end('secure ok');
  async function https(pair: TestCertificates['valid']): Promise<string> {
    const server = await startHttpsServer(pair, ok);
    servers.push(server);
    return `https://127.0.0.1:${server.port}/`;
  }

  it('verifies the certificate, times the TLS handshake and records the earliest expiry', async () => {
    const url = await https(certs.validWithChain);
    const observation = await observe(httpCheck({ url, tls: { ca: certs.ca }, keyword: 'secure' }));
    expect(observation.status).toBe('healthy');
    expect(observation.facts?.certificateExpiresAt).toBe(certs.caNotAfter);
    expect(observation.facts?.timings?.tls).toBeGreaterThanOrEqual(0);
    expect(observation.details).toMatchObject({ certificate_expires_at: new Date(certs.caNotAfter).toISOString() });
  });

  it('is unhealthy for a self-signed certificate, unless skipVerify', async () => {
    const url = await https(certs.selfSigned);
    const strict = await observe(httpCheck({ url }));
    expect(strict.status).toBe('unhealthy');
    expect(strict.error).toBe(`GET ${url} failed: DEPTH_ZERO_SELF_SIGNED_CERT: self-signed certificate`);
    const lax = await observe(httpCheck({ url, tls: { skipVerify: true } }));
    expect(lax.status).toBe('healthy');
    expect(lax.facts?.certificateExpiresAt).toBe(certs.selfSigned.notAfter);
  });

  it('is unhealthy for an expired certificate, even with skipVerify', async () => {
    const url = await https(certs.expired);
    const strict = await observe(httpCheck({ url, tls: { ca: certs.ca } }));
    expect(strict.status).toBe('unhealthy');
    expect(strict.error).toBe(`GET ${url} failed: CERT_HAS_EXPIRED: certificate has expired`);
    const lax = await observe(httpCheck({ url, tls: { skipVerify: true } }));
    expect(lax.status).toBe('unhealthy');
    expect(lax.error).toBe('certificate expired on 2020-02-01T00:00:00.000Z');
  });

  it('is degraded or unhealthy when the certificate expires within the thresholds', async () => {
    const url = await https(certs.expiresIn10Days);
    const thresholds = { ca: certs.ca, expiryDegradedDays: 14, expiryUnhealthyDays: 3 };
    const degraded = await observe(httpCheck({ url, tls: thresholds }));
    expect(degraded.status).toBe('degraded');
    expect(degraded.error).toMatch(/^certificate expires in 9\.\d days, on .* \(degraded below 14 days\)$/);
    const unhealthy = await observe(
      httpCheck({ url, tls: { ...thresholds, expiryDegradedDays: 30, expiryUnhealthyDays: 20 } }),
    );
    expect(unhealthy.status).toBe('unhealthy');
    // Without thresholds, expiry is recorded but not judged.
    expect((await observe(httpCheck({ url, tls: { ca: certs.ca } }))).status).toBe('healthy');
  });
});

describe('http monitor: faults (through runProbe)', () => {
  it('refused: unhealthy with ECONNREFUSED, at once', async () => {
    const port = await unusedPort();
    const observation = await observe(httpCheck({ url: `http://127.0.0.1:${port}/`, timeoutMs: 5000 }));
    expect(observation).toMatchObject({ status: 'unhealthy', timedOut: false });
    expect(observation.error).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${port}/ failed: .*ECONNREFUSED`));
    expect(observation.facts?.connected).toBe(false);
    expect(observation.durationMs).toBeLessThan(2000);
  });

  it('accepts and never answers: times out and lets go of the socket', async () => {
    const hanging = await hangingTcpServer();
    try {
      const observation = await observe(
        httpCheck({ url: `http://127.0.0.1:${hanging.port}/`, timeoutMs: 300, maxBodyBytes: MiB }),
      );
      expect(observation).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 300 ms' });
      await expect.poll(() => hanging.clientSockets(), { timeout: 5000 }).toBe(0);
    } finally {
      await hanging.close();
    }
  });

  it.each(['headers', 'body'] as const)(
    'drips one byte a second (%s): cut off at the timeout, and the socket is closed',
    async (phase) => {
      const drip = await startDripServer(phase);
      try {
        const observation = await observe(
          httpCheck({ url: `http://127.0.0.1:${drip.port}/`, timeoutMs: 1500, maxBodyBytes: MiB }),
        );
        expect(observation).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 1500 ms' });
        expect(observation.durationMs).toBeGreaterThanOrEqual(1490);
        expect(observation.durationMs).toBeLessThan(6000);
        expect(drip.closed).toHaveLength(1);
        // The server sees the connection close soon after the deadline: nothing is left dripping.
        await expect(within(drip.closed[0]!, 3000)).resolves.toBeUndefined();
      } finally {
        await drip.close();
      }
    },
  );

  it('sends 1 GB: read up to the limit, never buffered, finished quickly, connection closed', async () => {
    const big = await startBigBodyServer();
    try {
      const before = rss();
      const observation = await observe(
        httpCheck({ url: `http://127.0.0.1:${big.port}/`, timeoutMs: 20_000, maxBodyBytes: MiB, keyword: 'b' }),
      );
      const grown = rss() - before;
      expect(observation.timedOut).toBe(false);
      expect(observation.durationMs).toBeLessThan(5000);
      expect(observation.facts?.bodyTruncated).toBe(true);
      expect(observation.facts?.body).toHaveLength(MiB);
      expect(observation.error).toBe(`the body does not contain "b" (in its first ${MiB} bytes)`);
      expect(grown).toBeLessThan(50 * MiB);
      await expect(within(big.closed[0]!, 5000)).resolves.toBeUndefined();
      // What left the server is what socket buffers hold, not the gigabyte.
      expect(big.bytesSent()).toBeLessThan(64 * MiB);
    } finally {
      await big.close();
    }
  });

  it('sends 1 GB to a probe that does not need the body: answered at the headers', async () => {
    const big = await startBigBodyServer();
    try {
      const observation = await observe(httpCheck({ url: `http://127.0.0.1:${big.port}/`, timeoutMs: 20_000 }));
      expect(observation.status).toBe('healthy');
      expect(observation.durationMs).toBeLessThan(5000);
      await expect(within(big.closed[0]!, 5000)).resolves.toBeUndefined();
    } finally {
      await big.close();
    }
  });

  it('gives up by itself, closing the socket, when called directly with a signal that never aborts', async () => {
    const drip = await startDripServer('body');
    try {
      const result = await httpProbe(
        { url: `http://127.0.0.1:${drip.port}/`, maxBodyBytes: MiB },
        { signal: new AbortController().signal, deadline: Date.now() + 300 },
      );
      expect(result.status).toBe('unhealthy');
      expect(result.error).toBe(`GET http://127.0.0.1:${drip.port}/ failed: no answer by the deadline`);
      // What was seen before the cut is kept: the headers had arrived.
      expect(result.facts).toMatchObject({ statusCode: 200, connected: true, ip: '127.0.0.1' });
      await expect(within(drip.closed[0]!, 3000)).resolves.toBeUndefined();
    } finally {
      await drip.close();
    }
  });
});
