/**
 * `ca_file` on http, health and tls monitors: a server signed by a private CA is trusted with the CA's PEM file and
 * not without it; the file is read at each check (a renewed file needs no reload); a missing or non-PEM file is a
 * configuration error naming the field, and a file that goes away later fails the check with a clear error.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateCertificates,
  type RunningServer,
  startHttpsServer,
  startTlsServer,
  type TestCertificates,
} from '../../../core/test/support/tls.js';
import { ConfigError, formatIssue, parseConfigSources } from '../../src/config/index.js';
import { check, monitor } from './support.js';

let certs: TestCertificates;
let dir: string;
let caFile: string;
let httpsUrl: string;
let tlsPort: number;
const servers: RunningServer[] = [];

beforeAll(async () => {
  certs = generateCertificates();
  dir = await mkdtemp(join(tmpdir(), 'vigil-ca-'));
  caFile = join(dir, 'private-ca.pem');
  await writeFile(caFile, certs.ca);
  const https = await startHttpsServer(certs.valid, (_req, res) => res.end(JSON.stringify({ status: 'healthy' })));
  const tls = await startTlsServer(certs.valid);
  servers.push(https, tls);
  httpsUrl = `https://127.0.0.1:${https.port}/`;
  tlsPort = tls.port;
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await rm(dir, { recursive: true, force: true });
});

describe('ca_file', () => {
  it('http and health monitors trust a private CA with it, and not without it', async () => {
    const trusted = await check(monitor('http', { url: httpsUrl, tls: { ca_file: caFile } }));
    expect(trusted).toMatchObject({ status: 'healthy', statusCode: 200 });
    const health = await check(monitor('health', { url: httpsUrl, tls: { ca_file: caFile } }));
    expect(health.status).toBe('healthy');
    const untrusted = await check(monitor('http', { url: httpsUrl }));
    expect(untrusted.status).toBe('unhealthy');
    expect(untrusted.error).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|unable to verify/i);
  });

  it('tls monitors trust a private CA with it, and not without it', async () => {
    const trusted = await check(monitor('tls', { host: '127.0.0.1', port: tlsPort, ca_file: caFile }));
    expect(trusted.status).toBe('healthy');
    const untrusted = await check(monitor('tls', { host: '127.0.0.1', port: tlsPort }));
    expect(untrusted.status).toBe('unhealthy');
  });

  it('is read at each check: a file replaced by another CA applies at once; a file removed fails the check', async () => {
    const file = join(dir, 'rotating.pem');
    await writeFile(file, certs.ca);
    const loaded = monitor('http', { url: httpsUrl, tls: { ca_file: file } });
    expect((await check(loaded)).status).toBe('healthy');
    await writeFile(file, certs.selfSigned.cert); // another CA: the server's chain no longer verifies
    expect((await check(loaded)).status).toBe('unhealthy');
    await rm(file);
    const gone = await check(loaded);
    expect(gone).toMatchObject({ status: 'unhealthy', error: `ca_file ${file}: no such file` });
  });

  it('a missing file or one without a certificate is a configuration error naming file, line and field', async () => {
    const notPem = join(dir, 'notes.txt');
    await writeFile(notPem, 'not a certificate\n');
    const yaml = [
      'monitors:',
      '  - name: Intranet',
      '    type: http',
      '    url: https://intranet.example.test/',
      '    tls:',
      `      ca_file: ${join(dir, 'missing.pem')}`,
      '  - name: Intranet TLS',
      '    type: tls',
      '    host: intranet.example.test',
      `    ca_file: ${notPem}`,
      '',
    ].join('\n');
    let problems: string[] = [];
    try {
      parseConfigSources([{ file: 'vigil.yaml', text: yaml }], { env: {} });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems = error.issues.map(formatIssue);
    }
    expect(problems).toEqual([
      `vigil.yaml:6:16: monitors[0].tls.ca_file: ${join(dir, 'missing.pem')}: no such file`,
      `vigil.yaml:10:14: monitors[1].ca_file: ${notPem}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)`,
    ]);
  });
});
