import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { type HttpCheckOptions, httpCheck, httpProbe } from '../src/probes/http.js';
import { hangingTcpServer, unusedPort } from './support/net.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

const PASSWORD = 's3cret-Pa55';
const BASIC = Buffer.from(`monitor:${PASSWORD}`).toString('base64');

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

let server: http.Server;
let base: string;
const seen: Seen[] = [];
const streamSocketClosed: Array<Promise<void>> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const url = new URL(req.url ?? '/', 'http://x');
    const status = /^\/status\/(\d{3})$/.exec(url.pathname);
    if (status) {
      res.writeHead(Number(status[1]));
      res.end('body');
    } else if (url.pathname === '/redirect') {
      res.writeHead(302, { location: '/status/200' });
      res.end();
    } else if (url.pathname === '/slow') {
      setTimeout(() => res.end('late'), 150);
    } else if (url.pathname === '/auth') {
      res.writeHead(req.headers.authorization === `Basic ${BASIC}` ? 200 : 401);
      res.end();
    } else if (url.pathname === '/stream') {
      // A body that never ends: the probe must not hold the connection open waiting for it.
      streamSocketClosed.push(new Promise((resolve) => req.socket.once('close', () => resolve())));
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.write('x'.repeat(64 * 1024));
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function check(path: string, options: Partial<HttpCheckOptions> = {}): Check {
  return httpCheck({ url: `${base}${path}`, ...options });
}

describe('httpCheck against a real server', () => {
  it('is healthy on 200, with status, url and latency', async () => {
    const observation = await observe(check('/status/200'));
    expect(observation.status).toBe('healthy');
    expect(observation.error).toBeUndefined();
    expect(observation.details).toMatchObject({ status_code: 200, url: `${base}/status/200` });
    const latency = (observation.details as Record<string, number>).latency_ms;
    expect(latency).toBeGreaterThanOrEqual(0);
    expect(observation.measurements).toEqual([{ measurement: 'responseTime', value: latency, unit: 'ms' }]);
  });

  it('is unhealthy on 500, with the status in the error', async () => {
    const observation = await observe(check('/status/500'));
    expect(observation.status).toBe('unhealthy');
    expect(observation.details).toMatchObject({ status_code: 500 });
    expect(observation.error).toBe(`GET ${base}/status/500 returned status 500 (expected 200-399)`);
  });

  it.each([
    ['/status/404', [200, 404], 'healthy'],
    ['/status/500', [200, 404], 'unhealthy'],
    ['/status/204', '2xx', 'healthy'],
    ['/status/301', '2xx', 'unhealthy'],
    ['/status/299', '200-299', 'healthy'],
    ['/status/300', '200-299', 'unhealthy'],
    ['/status/201', 201, 'healthy'],
    ['/status/200', 201, 'unhealthy'],
    ['/status/503', ['2xx', 503], 'healthy'],
    ['/status/399', undefined, 'healthy'],
    ['/status/400', undefined, 'unhealthy'],
  ] as const)('%s with expectedStatus %j is %s', async (path, expectedStatus, expected) => {
    const options = expectedStatus === undefined ? {} : { expectedStatus };
    expect((await observe(check(path, options))).status).toBe(expected);
  });

  it('a condition on [STATUS] replaces the default range of statuses; an explicit expectedStatus still applies', async () => {
    const conditions = ['[STATUS] == any(200, 429)'];
    const limited = await observe(check('/status/429', { conditions }));
    expect(limited.status).toBe('healthy');
    expect(limited.error).toBeUndefined();

    const failing = await observe(check('/status/500', { conditions }));
    expect(failing.status).toBe('unhealthy');
    // The condition is the reason, not a range the user never wrote.
    expect(failing.error).toBe('condition failed: [STATUS] (500) == any(200, 429)');

    // Without a condition on [STATUS], the default range decides as before.
    const bodyOnly = await observe(check('/status/429', { conditions: ['[RESPONSE_TIME] < 10000'] }));
    expect(bodyOnly.status).toBe('unhealthy');
    expect(bodyOnly.error).toMatch(/returned status 429 \(expected 200-399\)/);

    // A range the user gave explicitly is kept next to the condition.
    const both = await observe(check('/status/429', { conditions, expectedStatus: '2xx' }));
    expect(both.status).toBe('unhealthy');
    expect(both.error).toMatch(/returned status 429 \(expected 2xx\)/);
  });

  it('does not follow redirects by default: the redirect itself is the answer', async () => {
    const before = seen.length;
    const observation = await observe(check('/redirect'));
    expect(observation.status).toBe('healthy');
    expect(observation.details).toMatchObject({ status_code: 302 });
    expect(seen.slice(before).map((s) => s.url)).toEqual(['/redirect']);

    const strict = await observe(check('/redirect', { expectedStatus: 200 }));
    expect(strict.status).toBe('unhealthy');
    expect(strict.error).toMatch(/returned status 302/);
  });

  it('follows redirects when asked to', async () => {
    const observation = await observe(check('/redirect', { followRedirects: true, expectedStatus: 200 }));
    expect(observation.status).toBe('healthy');
    expect(observation.details).toMatchObject({ status_code: 200 });
  });

  it('sends the method and headers it is given', async () => {
    const before = seen.length;
    await observe(check('/status/200', { method: 'head', headers: { 'x-probe': 'vigil' } }));
    const [request] = seen.slice(before);
    expect(request?.method).toBe('HEAD');
    expect(request?.headers['x-probe']).toBe('vigil');
  });

  it('is degraded when slower than degradedAboveMs', async () => {
    const observation = await observe(check('/slow', { degradedAboveMs: 50 }));
    expect(observation.status).toBe('degraded');
    expect((observation.details as Record<string, number>).latency_ms).toBeGreaterThanOrEqual(140);
    expect(observation.error).toMatch(/took .* ms \(above 50 ms\)/);
  });

  const closedWithin = (closed: Promise<void> | undefined, ms: number) =>
    Promise.race([closed, new Promise((_, reject) => setTimeout(() => reject(new Error('still open')), ms).unref())]);

  it('releases the connection instead of waiting for a body that never ends', async () => {
    const index = streamSocketClosed.length;
    const observation = await observe(check('/stream', { timeoutMs: 5000 }));
    expect(observation.status).toBe('healthy');
    expect(observation.timedOut).toBe(false);
    expect(streamSocketClosed[index]).toBeDefined();
    await expect(closedWithin(streamSocketClosed[index], 5000)).resolves.toBeUndefined();
  });

  it('releases the connection even when called directly with a signal that never aborts', async () => {
    const index = streamSocketClosed.length;
    const result = await httpProbe(
      { url: `${base}/stream` },
      { signal: new AbortController().signal, deadline: Date.now() + 5000 },
    );
    expect(result.status).toBe('healthy');
    await expect(closedWithin(streamSocketClosed[index], 5000)).resolves.toBeUndefined();
  });
});

describe('httpCheck when the dependency is down', () => {
  it('is unhealthy with ECONNREFUSED when nobody listens', async () => {
    const port = await unusedPort();
    const observation = await observe(httpCheck({ url: `http://127.0.0.1:${port}/health` }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.timedOut).toBe(false);
    expect(observation.error).toMatch(/ECONNREFUSED/);
    expect(observation.error).not.toMatch(/fetch failed/);
  });

  it('is unhealthy at its timeout when the server accepts and never answers', async () => {
    const hanging = await hangingTcpServer();
    try {
      const observation = await observe(httpCheck({ url: `http://127.0.0.1:${hanging.port}/`, timeoutMs: 300 }));
      expect(observation).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 300 ms' });
      expect(observation.durationMs).toBeGreaterThanOrEqual(290);
      expect(observation.durationMs).toBeLessThan(5000);
    } finally {
      await hanging.close();
    }
  });
});

describe('httpCheck with credentials in the URL', () => {
  const withCredentials = (url: string) => url.replace('http://', `http://monitor:${PASSWORD}@`);

  it('sends them as basic auth and never shows them', async () => {
    const observation = await observe(httpCheck({ url: withCredentials(`${base}/auth`) }));
    expect(observation.status).toBe('healthy');
    expect(observation.details).toMatchObject({ url: `http://monitor:***@${base.slice('http://'.length)}/auth` });
    expect(JSON.stringify(observation)).not.toContain(PASSWORD);
    expect(JSON.stringify(observation)).not.toContain(BASIC);
  });

  it('keeps them out of errors: bad status, refused connection, timeout', async () => {
    const port = await unusedPort();
    const hanging = await hangingTcpServer();
    try {
      const observations = await Promise.all([
        observe(httpCheck({ url: withCredentials(`${base}/status/500`) })),
        observe(httpCheck({ url: withCredentials(`http://127.0.0.1:${port}/`) })),
        observe(httpCheck({ url: withCredentials(`http://127.0.0.1:${hanging.port}/`), timeoutMs: 200 })),
      ]);
      expect(observations.map((o) => o.status)).toEqual(['unhealthy', 'unhealthy', 'unhealthy']);
      for (const observation of observations) {
        expect(JSON.stringify(observation)).not.toContain(PASSWORD);
        expect(JSON.stringify(observation)).not.toContain(BASIC);
      }
      expect(observations[1]?.error).toContain('monitor:***@');
    } finally {
      await hanging.close();
    }
  });

  it('keeps them out of the configuration error for an invalid URL', () => {
    let thrown: unknown;
    try {
      httpCheck({ url: `http://monitor:${PASSWORD}@[::1/` });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(TypeError);
    expect(String(thrown)).not.toContain(PASSWORD);
  });

  it('redacts the values of sensitive headers from errors', async () => {
    const check = httpCheck({ url: `${base}/status/200`, headers: { 'X-Api-Key': 'k3y-value-123' } });
    expect(check.sanitize('server echoed k3y-value-123')).toBe('server echoed ***');
  });
});

describe('httpCheck configuration', () => {
  it.each([
    ['a non-HTTP URL', { url: 'ftp://example.com/' }],
    ['an invalid expected status', { url: 'http://localhost/', expectedStatus: 'abc' }],
    ['a status class that does not exist', { url: 'http://localhost/', expectedStatus: '6xx' }],
    ['an inverted range', { url: 'http://localhost/', expectedStatus: '299-200' }],
    ['an empty list', { url: 'http://localhost/', expectedStatus: [] }],
    ['a negative degradedAboveMs', { url: 'http://localhost/', degradedAboveMs: -1 }],
  ])('rejects %s at configuration time', (_label, options) => {
    expect(() => httpCheck(options)).toThrow(TypeError);
  });

  it('is a component named http by default', () => {
    expect(httpCheck({ url: 'https://example.com/health' })).toMatchObject({
      name: 'http',
      kind: 'http',
      componentType: 'component',
      critical: true,
    });
  });
});
