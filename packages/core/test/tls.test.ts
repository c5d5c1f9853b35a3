import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { type TlsCheckOptions, tlsCheck, tlsProbe } from '../src/probes/tls.js';
import { hangingTcpServer, unusedPort } from './support/net.js';
import {
  generateCertificates,
  type KeyPair,
  type RunningServer,
  startHttpServer,
  startTlsServer,
  type TestCertificates,
} from './support/tls.js';

const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });
const DAY = 86_400_000;

let certs: TestCertificates;
const servers: RunningServer[] = [];

beforeAll(() => {
  certs = generateCertificates();
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function serve(pair: KeyPair): Promise<number> {
  const server = await startTlsServer(pair);
  servers.push(server);
  return server.port;
}

function check(port: number, options: Partial<TlsCheckOptions> = {}): Check {
  return tlsCheck({ host: '127.0.0.1', port, ca: certs.ca, ...options });
}

describe('tls probe', () => {
  it('is healthy for a trusted certificate that matches and is far from expiry, with facts and timings', async () => {
    const port = await serve(certs.valid);
    const observation = await observe(check(port));
    expect(observation).toMatchObject({ status: 'healthy', timedOut: false });
    expect(observation.error).toBeUndefined();
    expect(observation.facts).toMatchObject({
      connected: true,
      ip: '127.0.0.1',
      certificateExpiresAt: certs.caNotAfter,
    });
    // Served without its chain, the CA comes from `ca` — and it expires first (30 days against 365).
    expect(observation.facts?.timings?.connect).toBeGreaterThanOrEqual(0);
    expect(observation.facts?.timings?.tls).toBeGreaterThanOrEqual(0);
    expect(observation.details).toMatchObject({ authorized: true, subject: 'localhost', issuer: 'Vigil Test CA' });
    expect(observation.measurements?.map((m) => m.measurement)).toEqual(['responseTime', 'certificateExpiry']);
  });

  it('reports the earliest expiry of the presented chain', async () => {
    const port = await serve(certs.validWithChain);
    const observation = await observe(check(port));
    expect(observation.status).toBe('healthy');
    expect(observation.facts?.certificateExpiresAt).toBe(certs.caNotAfter);
    expect(certs.caNotAfter).toBeLessThan(certs.valid.notAfter);
  });

  it('is unhealthy for a self-signed certificate, naming the OpenSSL code, and still reports its expiry', async () => {
    const port = await serve(certs.selfSigned);
    const observation = await observe(check(port));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe(
      'certificate not trusted: DEPTH_ZERO_SELF_SIGNED_CERT (the certificate is self-signed)',
    );
    expect(observation.facts?.certificateExpiresAt).toBe(certs.selfSigned.notAfter);
    expect(observation.details).toMatchObject({
      authorized: false,
      authorization_error: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });

  it('is unhealthy for an expired certificate, with the date it expired', async () => {
    const port = await serve(certs.expired);
    const observation = await observe(check(port));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toBe('certificate expired on 2020-02-01T00:00:00.000Z (CERT_HAS_EXPIRED)');
    expect(observation.facts?.certificateExpiresAt).toBe(Date.UTC(2020, 1, 1));
  });

  it('is unhealthy for a certificate from an issuer it does not trust', async () => {
    const port = await serve(certs.valid);
    const observation = await observe(tlsCheck({ host: '127.0.0.1', port }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/^certificate not trusted: UNABLE_TO_VERIFY_LEAF_SIGNATURE/);
  });

  it('is unhealthy when the certificate is not for the server name', async () => {
    const port = await serve(certs.valid);
    const observation = await observe(check(port, { serverName: 'shop.example.com' }));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/^certificate is not valid for "shop\.example\.com": /);
    expect(observation.error).toContain('DNS:localhost');
    expect((await observe(check(port, { serverName: 'localhost' }))).status).toBe('healthy');
  });

  it('is unhealthy below expiryUnhealthyDays and degraded below expiryDegradedDays (defaults 3 and 14)', async () => {
    const soon = await observe(check(await serve(certs.expiresIn2Days)));
    expect(soon.status).toBe('unhealthy');
    expect(soon.error).toMatch(/^certificate expires in [12]\.\d days, on .* \(unhealthy below 3 days\)$/);

    const port = await serve(certs.expiresIn10Days);
    const later = await observe(check(port));
    expect(later.status).toBe('degraded');
    expect(later.error).toMatch(/^certificate expires in (9\.\d|10) days, on .* \(degraded below 14 days\)$/);
    expect(later.facts?.certificateExpiresAt).toBe(certs.expiresIn10Days.notAfter);
    expect(Math.abs(later.facts!.certificateExpiresAt! - (Date.now() + 10 * DAY))).toBeLessThan(DAY);

    expect((await observe(check(port, { expiryDegradedDays: 7, expiryUnhealthyDays: 1 }))).status).toBe('healthy');
    expect((await observe(check(port, { expiryDegradedDays: 30, expiryUnhealthyDays: 20 }))).status).toBe('unhealthy');
  });

  it('evaluates [CERTIFICATE_EXPIRATION] conditions', async () => {
    const port = await serve(certs.expiresIn10Days);
    const options = { expiryDegradedDays: 0, expiryUnhealthyDays: 0 };
    expect((await observe(check(port, { ...options, conditions: ['[CERTIFICATE_EXPIRATION] > 48h'] }))).status).toBe(
      'healthy',
    );
    const failing = await observe(check(port, { ...options, conditions: ['[CERTIFICATE_EXPIRATION] > 720h'] }));
    expect(failing.status).toBe('unhealthy');
    expect(failing.error).toMatch(/^condition failed: \[CERTIFICATE_EXPIRATION\] \(2\d\dh\d+m\d+s\) > 720h$/);
  });

  it('is unhealthy with ECONNREFUSED when nobody listens', async () => {
    const port = await unusedPort();
    const observation = await observe(check(port));
    expect(observation).toMatchObject({ status: 'unhealthy', timedOut: false });
    expect(observation.error).toMatch(new RegExp(`^TLS connection to 127\\.0\\.0\\.1:${port} failed: .*ECONNREFUSED`));
    expect(observation.facts?.connected).toBe(false);
  });

  it('times out against a server that accepts and never answers the handshake, and lets go of the socket', async () => {
    const hanging = await hangingTcpServer();
    try {
      const observation = await observe(check(hanging.port, { timeoutMs: 300 }));
      expect(observation).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 300 ms' });
      await expect.poll(() => hanging.clientSockets(), { timeout: 5000 }).toBe(0);
    } finally {
      await hanging.close();
    }
  });

  it('is unhealthy, with the handshake error, against a plain HTTP port', async () => {
    const plain = await startHttpServer((_req, res) => res.end('hi'));
    servers.push(plain);
    const observation = await observe(check(plain.port));
    expect(observation.status).toBe('unhealthy');
    expect(observation.error).toMatch(/^TLS connection to 127\.0\.0\.1:\d+ failed: /);
    expect(observation.timedOut).toBe(false);
  });

  it('gives up by itself when called directly with a signal that never aborts', async () => {
    const hanging = await hangingTcpServer();
    try {
      const result = await tlsProbe(
        { host: '127.0.0.1', port: hanging.port },
        { signal: new AbortController().signal, deadline: Date.now() + 200 },
      );
      expect(result.status).toBe('unhealthy');
      expect(result.error).toMatch(/no answer by the deadline/);
      await expect.poll(() => hanging.clientSockets(), { timeout: 5000 }).toBe(0);
    } finally {
      await hanging.close();
    }
  });
});

describe('tlsCheck configuration', () => {
  it.each([
    ['no host', { host: '' }],
    ['a bad port', { host: 'example.com', port: 0 }],
    ['negative days', { host: 'example.com', expiryDegradedDays: -1 }],
    ['unhealthy above degraded', { host: 'example.com', expiryDegradedDays: 5, expiryUnhealthyDays: 10 }],
  ])('rejects %s', (_label, options) => {
    expect(() => tlsCheck(options)).toThrow(TypeError);
  });

  it('is a component named tls by default, on port 443', () => {
    expect(tlsCheck({ host: 'example.com' })).toMatchObject({ name: 'tls', kind: 'tls' });
  });
});
