import type http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rss, startBigBodyServer, startDripServer } from '../../../core/test/support/faults.js';
import { hangingTcpServer, unusedPort } from '../../../core/test/support/net.js';
import {
  generateCertificates,
  type KeyPair,
  type RunningServer,
  startHttpServer,
  startHttpsServer,
  type TestCertificates,
} from '../../../core/test/support/tls.js';
import { monitorHost } from '../../src/monitors/index.js';
import { check, eventually, leaked, monitor } from './support.js';

const DAY = 86_400_000;
let base: string;
let certs: TestCertificates;
const servers: RunningServer[] = [];
const seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }> = [];

function handler(req: http.IncomingMessage, res: http.ServerResponse) {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString()));
  req.on('end', () => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const status = /^\/status\/(\d{3})$/.exec(path);
    if (status) {
      res.writeHead(Number(status[1]), { 'content-type': 'text/plain' });
      res.end('status body');
    } else if (path === '/json') {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ status: 'UP', items: [1, 2, 3] }));
    } else if (path === '/text') {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('hello world, all systems ok');
    } else if (path === '/redirect') {
      res.writeHead(302, { location: '/text' });
      res.end();
    } else if (path === '/slow') {
      setTimeout(() => res.end('late but fine'), 150);
    } else if (path === '/echo') {
      // A misbehaving server that echoes the credentials it received into an error page.
      res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ authorization: req.headers.authorization ?? null, key: req.headers['x-api-key'] ?? null }));
    } else {
      res.writeHead(404);
      res.end('not found');
    }
  });
}

beforeAll(async () => {
  certs = generateCertificates();
  const server = await startHttpServer(handler);
  servers.push(server);
  base = server.url;
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function https(pair: KeyPair): Promise<string> {
  const server = await startHttpsServer(pair, (_req, res) => res.end('secure ok'));
  servers.push(server);
  return `https://127.0.0.1:${server.port}/`;
}

describe('http monitor', () => {
  it('is healthy for a 200, with the status code, the latency and the phases it went through', async () => {
    const outcome = await check(monitor('http', { url: `${base}/text` }));
    expect(outcome).toMatchObject({ status: 'healthy', statusCode: 200 });
    expect(outcome.error).toBeUndefined();
    expect(outcome.latencyMs).toBeGreaterThan(0);
    // An IP address needs no DNS lookup; the other phases were all reached.
    expect(outcome.timings).toEqual({
      connect: expect.any(Number),
      firstByte: expect.any(Number),
      transfer: expect.any(Number),
    });
  });

  it('keep_alive: true reuses the connection between checks (and a health monitor too); off by default', async () => {
    const sockets = new Set<unknown>();
    const server = await startHttpServer((req, res) => {
      sockets.add(req.socket);
      res.end(JSON.stringify({ status: 'healthy', checks: {} }));
    });
    const connections = () => sockets.size;
    try {
      const kept = monitor('http', { url: `${server.url}/`, keep_alive: true });
      const health = monitor('health', { url: `${server.url}/`, keep_alive: true });
      const outcomes = [await check(kept), await check(kept), await check(health)];
      expect(outcomes.map((o) => o.status)).toEqual(['healthy', 'healthy', 'healthy']);
      expect(connections()).toBe(1);
      expect(outcomes[1]!.timings).toEqual({ firstByte: expect.any(Number), transfer: expect.any(Number) });
      const fresh = monitor('http', { url: `${server.url}/` });
      expect(fresh.keep_alive).toBe(false);
      await check(fresh);
      await check(fresh);
      expect(connections()).toBe(3);
    } finally {
      // Kept connections close with the server (and stay out of the socket counts of the fault tests below).
      await server.close();
    }
  });

  it('accepts 200-299 by default: a 404 is unhealthy with the status in the error, unless listed', async () => {
    const down = await check(monitor('http', { url: `${base}/status/404` }));
    expect(down).toMatchObject({ status: 'unhealthy', statusCode: 404 });
    expect(down.error).toContain('returned status 404 (expected 200-299)');
    const accepted = await check(monitor('http', { url: `${base}/status/404`, accepted_status: [404, '2xx'] }));
    expect(accepted).toMatchObject({ status: 'healthy', statusCode: 404 });
  });

  it('a condition on [STATUS] replaces the default 2xx (as in Gatus); an explicit accepted_status still applies', async () => {
    const conditions = ['[STATUS] == any(200, 404)'];
    const limited = await check(monitor('http', { url: `${base}/status/404`, conditions }));
    expect(limited).toMatchObject({ status: 'healthy', statusCode: 404 });
    const failing = await check(monitor('http', { url: `${base}/status/500`, conditions }));
    expect(failing.error).toBe('condition failed: [STATUS] (500) == any(200, 404)');
    // Other conditions leave the default in place.
    const other = await check(monitor('http', { url: `${base}/status/404`, conditions: ['[RESPONSE_TIME] < 5000'] }));
    expect(other.error).toContain('returned status 404 (expected 200-299)');
    // A list the user wrote is theirs: it applies beside the condition.
    const both = await check(monitor('http', { url: `${base}/status/404`, conditions, accepted_status: ['2xx'] }));
    expect(both).toMatchObject({ status: 'unhealthy', statusCode: 404 });
    expect(both.error).toContain('returned status 404 (expected 200-299)');
  });

  it('follows redirects by default and judges the final answer; with follow_redirects off the 302 fails', async () => {
    const followed = await check(monitor('http', { url: `${base}/redirect`, keyword: 'all systems ok' }));
    expect(followed).toMatchObject({ status: 'healthy', statusCode: 200 });
    const notFollowed = await check(monitor('http', { url: `${base}/redirect`, follow_redirects: false }));
    expect(notFollowed).toMatchObject({ status: 'unhealthy', statusCode: 302 });
  });

  it('checks a keyword, a regex, and their inversion', async () => {
    const url = `${base}/text`;
    expect((await check(monitor('http', { url, keyword: 'systems ok' }))).status).toBe('healthy');
    const missing = await check(monitor('http', { url, keyword: 'maintenance' }));
    expect(missing).toMatchObject({ status: 'unhealthy', error: 'the body does not contain "maintenance"' });
    expect((await check(monitor('http', { url, regex: '^hello \\w+' }))).status).toBe('healthy');
    const inverted = await check(monitor('http', { url, keyword: 'hello', invert: true }));
    expect(inverted).toMatchObject({ status: 'unhealthy', error: 'the body does contain "hello"' });
  });

  it('is degraded, still up, when slower than degraded_above', async () => {
    const outcome = await check(monitor('http', { url: `${base}/slow`, degraded_above: '50ms' }));
    expect(outcome.status).toBe('degraded');
    expect(outcome.error).toMatch(/took [\d.]+ ms \(above 50 ms\)$/);
    expect((await check(monitor('http', { url: `${base}/slow`, degraded_above: '5s' }))).status).toBe('healthy');
  });

  it('sends the method, body, headers and basic or bearer credentials it is configured with', async () => {
    seen.length = 0;
    await check(
      monitor('http', {
        url: `${base}/text`,
        method: 'POST',
        body: '{"ping":true}',
        headers: { 'Content-Type': 'application/json', 'X-Api-Key': 'k-123456' },
        auth: { basic: { username: 'monitor', password: 'pa55word' } },
      }),
    );
    await check(monitor('http', { url: `${base}/text`, auth: { bearer: 'tok-abcdef' } }));
    expect(seen[0]).toMatchObject({
      method: 'POST',
      body: '{"ping":true}',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'k-123456',
        authorization: `Basic ${Buffer.from('monitor:pa55word').toString('base64')}`,
      },
    });
    expect(seen[1]?.headers.authorization).toBe('Bearer tok-abcdef');
  });

  it('never shows a secret, even when the server echoes the credentials back', async () => {
    const secrets = ['pa55word', 'k-123456', 'url-s3cret', Buffer.from('monitor:pa55word').toString('base64')];
    const withBasic = monitor('http', {
      url: `${base}/echo`,
      headers: { 'X-Api-Key': 'k-123456' },
      auth: { basic: { username: 'monitor', password: 'pa55word' } },
      conditions: ['[BODY].authorization == none', '[BODY].key == none'],
    });
    const inUrl = monitor('http', {
      url: base.replace('http://', 'http://monitor:url-s3cret@') + '/echo',
      conditions: ['[BODY] == nothing'],
    });
    for (const target of [withBasic, inUrl]) {
      const outcome = await check(target);
      expect(outcome.status).toBe('unhealthy');
      // The outputs are there (the condition failed and says with what), with the values redacted.
      expect(outcome.conditions?.every((c) => !c.success)).toBe(true);
      expect(leaked(outcome, secrets)).toEqual([]);
    }
  });

  it('evaluates conditions: passing ones are listed, a failing one makes it unhealthy with Gatus output', async () => {
    const outcome = await check(
      monitor('http', {
        url: `${base}/json`,
        conditions: ['[STATUS] == 200', '[BODY].status == UP', 'len([BODY].items) == 4', '[RESPONSE_TIME] < 5000'],
      }),
    );
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.conditions).toEqual([
      { condition: '[STATUS] == 200', success: true, output: '[STATUS] == 200' },
      { condition: '[BODY].status == UP', success: true, output: '[BODY].status == UP' },
      { condition: 'len([BODY].items) == 4', success: false, output: 'len([BODY].items) (3) == 4' },
      { condition: '[RESPONSE_TIME] < 5000', success: true, output: '[RESPONSE_TIME] < 5000' },
    ]);
    expect(outcome.error).toBe('condition failed: len([BODY].items) (3) == 4');
    const wrongStatus = await check(monitor('http', { url: `${base}/status/500`, conditions: ['[STATUS] == 200'] }));
    expect(wrongStatus.conditions?.[0]?.output).toBe('[STATUS] (500) == 200');
  });

  it('reports the host it targets for per-host limits', () => {
    expect(monitorHost(monitor('http', { url: 'https://Shop.Example.com:8443/health' }))).toBe('shop.example.com');
    expect(monitorHost(monitor('http', { url: 'http://[::1]:8080/' }))).toBe('::1');
  });
});

describe('http monitor faults, each a clear result within the timeout', () => {
  it('a refused port: unhealthy at once, not connected', async () => {
    const port = await unusedPort();
    const outcome = await check(
      monitor('http', { url: `http://127.0.0.1:${port}/`, conditions: ['[CONNECTED] == true'] }),
    );
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toContain('ECONNREFUSED');
    expect(outcome.conditions?.[0]?.output).toBe('[CONNECTED] (false) == true');
    expect(outcome.wallMs).toBeLessThan(1000);
  });

  it('a server that accepts and never answers: timed out at the timeout, the socket closed', async () => {
    const server = await hangingTcpServer();
    try {
      const outcome = await check(monitor('http', { url: `http://127.0.0.1:${server.port}/`, timeout: '400ms' }));
      expect(outcome).toMatchObject({
        status: 'unhealthy',
        error: `GET http://127.0.0.1:${server.port}/ failed: timed out after 400 ms`,
      });
      expect(outcome.wallMs).toBeLessThan(1000);
      await eventually(() => server.clientSockets() === 0);
    } finally {
      await server.close();
    }
  });

  it('a server that drips one byte a second: timed out at the timeout', async () => {
    const server = await startDripServer('body');
    try {
      const outcome = await check(monitor('http', { url: `http://127.0.0.1:${server.port}/`, timeout: '500ms' }));
      expect(outcome).toMatchObject({
        status: 'unhealthy',
        error: `GET http://127.0.0.1:${server.port}/ failed: timed out after 500 ms`,
      });
      expect(outcome.wallMs).toBeLessThan(1200);
      // The server sees the connection close: nothing keeps reading the drip.
      await Promise.all(server.closed);
    } finally {
      await server.close();
    }
  });

  it('a server that sends 1 GB: unhealthy at the body cap, in time and with memory flat', async () => {
    const server = await startBigBodyServer();
    try {
      const before = rss();
      const outcome = await check(monitor('http', { url: `http://127.0.0.1:${server.port}/`, timeout: '5s' }));
      expect(outcome.status).toBe('unhealthy');
      expect(outcome.error).toBe('the body is larger than 1048576 bytes');
      expect(outcome.wallMs).toBeLessThan(2000);
      expect(rss() - before).toBeLessThan(64 * 1024 * 1024);
      await Promise.all(server.closed);
      expect(server.bytesSent()).toBeLessThan(64 * 1024 * 1024);
    } finally {
      await server.close();
    }
  });

  it('an unknown host name: unhealthy with the resolver error, quickly', async () => {
    const outcome = await check(monitor('http', { url: 'http://vigil-no-such-host.invalid/', timeout: '5s' }));
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });
});

describe('http monitor certificates', () => {
  it('an expired certificate is unhealthy', async () => {
    const outcome = await check(monitor('http', { url: await https(certs.expired) }));
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toContain('CERT_HAS_EXPIRED');
  });

  it('a self-signed certificate is unhealthy, unless tls.skip_verify', async () => {
    const url = await https(certs.selfSigned);
    const outcome = await check(monitor('http', { url }));
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    const skipped = await check(monitor('http', { url, tls: { skip_verify: true } }));
    expect(skipped).toMatchObject({ status: 'healthy', certificateExpiresAt: certs.selfSigned.notAfter });
    expect(skipped.timings?.tls).toBeGreaterThan(0);
  });

  it('judges expiry with the default thresholds: degraded under 14 days, unhealthy under 3', async () => {
    const tenDays = await check(monitor('http', { url: await https(certs.expiresIn10Days), tls: { skip_verify: true } }));
    expect(tenDays.status).toBe('degraded');
    expect(tenDays.error).toMatch(/^certificate expires in 9\.\d days, on .* \(degraded below 14 days\)$/);
    const twoDays = await check(monitor('http', { url: await https(certs.expiresIn2Days), tls: { skip_verify: true } }));
    expect(twoDays.status).toBe('unhealthy');
    expect(twoDays.error).toMatch(/\(unhealthy below 3 days\)/);
    const relaxed = await check(
      monitor('http', {
        url: await https(certs.expiresIn10Days),
        tls: { skip_verify: true, expiry_degraded_days: 7, expiry_unhealthy_days: 1 },
      }),
    );
    expect(relaxed.status).toBe('healthy');
  });

  it('computes [CERTIFICATE_EXPIRATION] against the service clock', async () => {
    const url = await https(certs.selfSigned);
    const target = monitor('http', { url, tls: { skip_verify: true }, conditions: ['[CERTIFICATE_EXPIRATION] > 48h'] });
    expect((await check(target)).status).toBe('healthy');
    // The same certificate, judged by a clock one day before it expires.
    const late = await check(target, { now: () => certs.selfSigned.notAfter - DAY });
    expect(late.status).toBe('unhealthy');
    expect(late.conditions?.[0]).toMatchObject({ success: false, output: expect.stringMatching(/^\[CERTIFICATE_EXPIRATION\] \(/) });
  });
});
