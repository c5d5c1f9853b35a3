import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangingTcpServer, unusedPort } from '../../../core/test/support/net.js';
import {
  generateCertificates,
  type RunningServer,
  startTlsServer,
  type TestCertificates,
} from '../../../core/test/support/tls.js';
import { monitorHost } from '../../src/monitors/index.js';
import { check, eventually, monitor } from './support.js';

const DAY = 86_400_000;

describe('tls monitor', () => {
  let certs: TestCertificates;
  const servers: RunningServer[] = [];

  beforeAll(() => {
    certs = generateCertificates();
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.close()));
  });

  async function serve(pair: TestCertificates['valid']): Promise<number> {
    const server = await startTlsServer(pair);
    servers.push(server);
    return server.port;
  }

  it('a self-signed certificate is unhealthy, and its expiry is still recorded', async () => {
    const outcome = await check(monitor('tls', { host: '127.0.0.1', port: await serve(certs.selfSigned) }));
    expect(outcome).toMatchObject({ status: 'unhealthy', certificateExpiresAt: certs.selfSigned.notAfter });
    expect(outcome.error).toContain('DEPTH_ZERO_SELF_SIGNED_CERT (the certificate is self-signed)');
    expect(outcome.timings).toMatchObject({ connect: expect.any(Number), tls: expect.any(Number) });
  });

  it('an expired certificate is unhealthy and says when it expired', async () => {
    const outcome = await check(monitor('tls', { host: '127.0.0.1', port: await serve(certs.expired) }));
    expect(outcome.status).toBe('unhealthy');
    expect(outcome.error).toContain('certificate expired on 2020-02-01T00:00:00.000Z');
    expect(outcome.certificateExpiresAt).toBe(Date.parse('2020-02-01T00:00:00Z'));
  });

  it('judges [CERTIFICATE_EXPIRATION] against the service clock', async () => {
    const target = monitor('tls', {
      host: '127.0.0.1',
      port: await serve(certs.selfSigned),
      conditions: ['[CERTIFICATE_EXPIRATION] > 720h'],
    });
    const now = await check(target);
    expect(now.conditions?.[0]?.success).toBe(true);
    const later = await check(target, { now: () => certs.selfSigned.notAfter - 10 * DAY });
    expect(later.conditions?.[0]).toMatchObject({ success: false, output: expect.stringContaining('> 720h') });
  });

  it('a refused port is unhealthy at once; a server that never handshakes times out, its socket closed', async () => {
    const free = await unusedPort();
    const refused = await check(monitor('tls', { host: '127.0.0.1', port: free }));
    expect(refused.error).toContain('ECONNREFUSED');
    const hung = await hangingTcpServer();
    try {
      const outcome = await check(monitor('tls', { host: '127.0.0.1', port: hung.port, timeout: '300ms' }));
      expect(outcome).toMatchObject({
        status: 'unhealthy',
        error: `TLS connection to 127.0.0.1:${hung.port} failed: timed out after 300 ms`,
      });
      await eventually(() => hung.clientSockets() === 0);
    } finally {
      await hung.close();
    }
  });

  it('targets its host, 443 by default', () => {
    const target = monitor('tls', { host: 'Shop.Example.com' });
    expect(target.port).toBe(443);
    expect(monitorHost(target)).toBe('shop.example.com');
  });
});
