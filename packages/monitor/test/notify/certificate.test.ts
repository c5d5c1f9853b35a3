/**
 * Certificate-expiry alerts through `vigil serve`: a tls monitor of a real TLS server whose certificate expires in
 * 10 days warns once (the 14-day threshold), with the expiry in the message, and not again at the next checks.
 */
import fs from 'node:fs';
import path from 'node:path';
import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { generateCertificates } from '../../../core/test/support/tls.js';
import type { RunningMonitor } from '../../src/commands/serve.js';
import { eventually } from '../service/harness.js';
import { tempDir } from '../support.js';
import { LocalServers, serveAlerting } from './servers.js';

let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor | undefined;
let server: tls.Server;
const servers = new LocalServers();
const received: Array<Record<string, any>> = [];

beforeAll(async () => {
  dir = await tempDir('certificate');
});

afterAll(async () => {
  await running?.stop();
  await new Promise((resolve) => server?.close(resolve));
  await servers.closeAll();
  await dir.remove();
});

it('a certificate that expires in 10 days: one warning, at the 14-day threshold, with its expiry', async () => {
  const certs = generateCertificates();
  server = tls.createServer({ key: certs.expiresIn10Days.key, cert: certs.expiresIn10Days.cert }, (socket) => socket.end());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const caFile = path.join(dir.dir, 'ca.pem');
  fs.writeFileSync(caFile, certs.ca);
  const hook = await servers.receiver((_path, body: Record<string, any>) => received.push(body));
  const yaml = `
defaults: { interval: 1s, timeout: 800ms }
alerts:
  channels: { hook: { type: webhook, url: "${hook}/hook" } }
  routes: { warning: [hook] }
  defaults: { severity: warning }
monitors:
  - { name: Shop TLS, type: tls, host: 127.0.0.1, port: ${port}, server_name: localhost, ca_file: "${caFile}" }
`;
  running = await serveAlerting(dir.dir, yaml, { pollMs: 100 });
  await eventually('the warning', () => (received.length >= 1 ? true : undefined), 10_000);
  await new Promise((resolve) => setTimeout(resolve, 3000));
  expect(received).toHaveLength(1);
  const [warning] = received;
  expect(warning).toMatchObject({ kind: 'certificate', severity: 'warning', monitor: { id: 'shop-tls' }, alert_key: expect.stringMatching(/^shop-tls\/local\/certificate\/\d+$/) });
  expect(warning!.certificate.days_left).toBeGreaterThanOrEqual(9);
  expect(warning!.certificate.days_left).toBeLessThanOrEqual(10);
  expect(Date.parse(warning!.certificate.expires_at)).toBeGreaterThan(Date.now() + 9 * 86_400_000);
}, 30_000);
