/**
 * `keepAlive` on the HTTP probe: connections are reused between checks (counted on the server), the phases of a
 * reused connection are not made up, a kept connection the server closed is retried once on a fresh one, and a
 * body that is not read to its end never leaves its connection in the pool.
 */
import http from 'node:http';
import type net from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { runProbe } from '../src/probe.js';
import { type HttpCheckOptions, httpCheck } from '../src/probes/http.js';
import { startBigBodyServer, within } from './support/faults.js';
import { generateCertificates, startHttpsServer } from './support/tls.js';

const MiB = 1024 * 1024;
const observe = (options: HttpCheckOptions) => {
  const check = httpCheck(options);
  return runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });
};

interface CountingServer {
  url: string;
  connections: number;
  requests: number;
  server: http.Server;
  close(): Promise<void>;
}

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((server) => server.close()));
});

/** An HTTP server that counts connections and requests; `onRequest` may answer differently. */
async function countingServer(
  onRequest: (req: http.IncomingMessage, res: http.ServerResponse, nthOnSocket: number) => void = (_req, res) =>
    res.end(JSON.stringify({ status: 'UP' })),
): Promise<CountingServer> {
  const perSocket = new WeakMap<net.Socket, number>();
  const state = { connections: 0, requests: 0 } as CountingServer;
  const server = http.createServer((req, res) => {
    state.requests++;
    const nth = (perSocket.get(req.socket) ?? 0) + 1;
    perSocket.set(req.socket, nth);
    onRequest(req, res, nth);
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/health`;
  state.server = server;
  state.close = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  open.push(state);
  return state;
}

describe('http probe: keepAlive', () => {
  it('reuses one connection between checks; only the first times the connection', async () => {
    const target = await countingServer();
    const first = await observe({ url: target.url, keepAlive: true, maxBodyBytes: MiB });
    const second = await observe({ url: target.url, keepAlive: true, maxBodyBytes: MiB });
    const third = await observe({ url: target.url, keepAlive: true, maxBodyBytes: MiB, keyword: 'UP' });
    for (const result of [first, second, third]) {
      expect(result.status).toBe('healthy');
      expect(result.facts).toMatchObject({ statusCode: 200, connected: true, ip: '127.0.0.1' });
    }
    expect(target).toMatchObject({ connections: 1, requests: 3 });
    expect(first.facts?.timings?.connect).toBeGreaterThanOrEqual(0);
    expect(second.facts?.timings?.connect).toBeUndefined();
    expect(second.facts?.timings?.firstByte).toBeGreaterThanOrEqual(0);
  });

  it('without it (the default) every check opens a fresh connection', async () => {
    const target = await countingServer();
    for (let i = 0; i < 3; i++) {
      const result = await observe({ url: target.url, maxBodyBytes: MiB });
      expect(result.status).toBe('healthy');
      expect(result.facts?.timings?.connect).toBeGreaterThanOrEqual(0);
    }
    expect(target).toMatchObject({ connections: 3, requests: 3 });
  });

  it('a kept connection the server drops as it is reused: retried once on a fresh one, healthy', async () => {
    // The server drops every connection at its second request, without answering (the keep-alive race).
    const target = await countingServer((req, res, nth) => {
      if (nth > 1) req.socket.destroy();
      else res.end('ok');
    });
    const first = await observe({ url: target.url, keepAlive: true, maxBodyBytes: MiB });
    const second = await observe({ url: target.url, keepAlive: true, maxBodyBytes: MiB });
    expect(first.status).toBe('healthy');
    expect(second.status).toBe('healthy');
    expect(second.facts?.timings?.connect).toBeGreaterThanOrEqual(0); // the fresh connection
    expect(target).toMatchObject({ connections: 2, requests: 3 });
  });

  it('a server that closes idle connections sooner than the probe keeps them: a new connection, healthy', async () => {
    const target = await countingServer();
    target.server.keepAliveTimeout = 100;
    expect((await observe({ url: target.url, keepAlive: true, maxBodyBytes: MiB })).status).toBe('healthy');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await observe({ url: target.url, keepAlive: true, maxBodyBytes: MiB })).status).toBe('healthy');
    expect(target.connections).toBe(2);
  });

  it('a server that answers with Connection: close: each check on a new connection, all healthy', async () => {
    const target = await countingServer((_req, res) => {
      res.setHeader('connection', 'close');
      res.end('ok');
    });
    for (let i = 0; i < 3; i++) {
      expect((await observe({ url: target.url, keepAlive: true, maxBodyBytes: MiB })).status).toBe('healthy');
    }
    expect(target.connections).toBe(3);
  });

  it('HEAD requests reuse the connection too (when the server says the length of what it would send)', async () => {
    const target = await countingServer((req, res) => {
      res.setHeader('content-length', 2);
      res.end(req.method === 'HEAD' ? undefined : 'ok');
    });
    for (let i = 0; i < 2; i++) {
      expect((await observe({ url: target.url, method: 'HEAD', keepAlive: true })).status).toBe('healthy');
    }
    expect(target).toMatchObject({ connections: 1, requests: 2 });
  });

  it('https: a reused connection still reports the certificate expiry, without a TLS timing', async () => {
    const certs = generateCertificates();
    const server = await startHttpsServer(certs.valid, (_req, res) => res.end('secure ok'));
    open.push(server);
    const url = `https://127.0.0.1:${server.port}/`;
    const options = { url, keepAlive: true, maxBodyBytes: MiB, tls: { ca: certs.ca } };
    const first = await observe(options);
    const second = await observe(options);
    for (const result of [first, second]) {
      expect(result.status).toBe('healthy');
      expect(result.facts?.certificateExpiresAt).toBe(certs.caNotAfter); // the CA expires first
    }
    expect(first.facts?.timings?.tls).toBeGreaterThanOrEqual(0);
    expect(second.facts?.timings?.tls).toBeUndefined();
  });

  it('https without it: every check a new connection and a full handshake (no TLS session resumed)', async () => {
    const certs = generateCertificates();
    const resumed: boolean[] = [];
    const server = await startHttpsServer(certs.valid, (req, res) => {
      resumed.push((req.socket as TLSSocket).isSessionReused());
      res.end('secure ok');
    });
    open.push(server);
    const options = { url: `https://127.0.0.1:${server.port}/`, maxBodyBytes: MiB, tls: { ca: certs.ca } };
    for (let i = 0; i < 3; i++) {
      const result = await observe(options);
      expect(result.status).toBe('healthy');
      expect(result.facts?.timings?.tls).toBeGreaterThanOrEqual(0);
      expect(result.facts?.certificateExpiresAt).toBe(certs.caNotAfter);
    }
    expect(resumed).toEqual([false, false, false]);
  });

  it('a body cut off at the limit (1 GB sent): the connection is closed, not kept', async () => {
    const big = await startBigBodyServer();
    open.push(big);
    const result = await observe({
      url: `http://127.0.0.1:${big.port}/`,
      keepAlive: true,
      maxBodyBytes: MiB,
      timeoutMs: 20_000,
    });
    expect(result.facts?.bodyTruncated).toBe(true);
    await expect(within(big.closed[0]!, 5000)).resolves.toBeUndefined();
    expect(big.bytesSent()).toBeLessThan(64 * MiB);
  });
});
