import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { X509Certificate } from 'node:crypto';

/** A certificate (PEM, possibly with its chain) and its private key. */
export interface KeyPair {
  key: string;
  cert: string;
  /** The leaf's notAfter, epoch ms. */
  notAfter: number;
}

export interface TestCertificates {
  /** The CA that signs every leaf but the self-signed one (valid 30 days). */
  ca: string;
  caNotAfter: number;
  /** Signed by `ca`, valid a year, for `localhost` and `127.0.0.1`. */
  valid: KeyPair;
  /** `valid` followed by the CA certificate: the CA (30 days) is the earliest expiry of the chain. */
  validWithChain: KeyPair;
  /** Signed by `ca`; expires in 2 days. */
  expiresIn2Days: KeyPair;
  /** Signed by `ca`; expires in 10 days. */
  expiresIn10Days: KeyPair;
  /** Signed by `ca`; valid from 2020-01-01 to 2020-02-01. */
  expired: KeyPair;
  /** Self-signed, valid a year, for `localhost` and `127.0.0.1`. */
  selfSigned: KeyPair;
}

const CONFIG = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = localhost
[v3_ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[leaf]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1
[ca]
default_ca = test_ca
[test_ca]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any_name
x509_extensions = leaf
copy_extensions = none
unique_subject = no
[any_name]
commonName = supplied
`;

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/**
 * Generates a CA and leaf certificates with the openssl CLI, in a temporary directory that is removed before
 * returning: no private key is committed or left behind. EC keys keep it fast (well under a second).
 */
export function generateCertificates(): TestCertificates {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-certs-'));
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  const notAfter = (pem: string) => Date.parse(new X509Certificate(pem).validTo);
  try {
    fs.writeFileSync(path.join(dir, 'openssl.cnf'), CONFIG);
    fs.writeFileSync(path.join(dir, 'index.txt'), '');
    fs.writeFileSync(path.join(dir, 'serial'), '1000\n');
    const cnf = ['-config', 'openssl.cnf'];
    openssl(
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '30',
      '-subj',
      '/CN=Vigil Test CA',
      ...cnf,
      '-extensions',
      'v3_ca',
    );
    openssl('req', '-new', ...EC, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=localhost', ...cnf);
    const sign = (out: string, days: number, serial: number) =>
      openssl(
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-set_serial',
        String(serial),
        '-days',
        String(days),
        '-extfile',
        'openssl.cnf',
        '-extensions',
        'leaf',
        '-out',
        out,
      );
    sign('valid.pem', 365, 1);
    sign('soon.pem', 2, 2);
    sign('ten.pem', 10, 3);
    // A really expired certificate (notBefore and notAfter both in the past) needs `openssl ca` on OpenSSL 3.0.
    openssl(
      'ca',
      '-batch',
      ...cnf,
      '-cert',
      'ca.pem',
      '-keyfile',
      'ca.key',
      '-in',
      'leaf.csr',
      '-out',
      'expired.pem',
      '-startdate',
      '20200101000000Z',
      '-enddate',
      '20200201000000Z',
      '-notext',
    );
    openssl(
      'req',
      '-x509',
      ...EC,
      '-keyout',
      'self.key',
      '-out',
      'self.pem',
      '-days',
      '365',
      '-subj',
      '/CN=localhost',
      ...cnf,
      '-extensions',
      'leaf',
    );

    const ca = read('ca.pem');
    const leafKey = read('leaf.key');
    const pair = (file: string, key = leafKey): KeyPair => {
      const cert = read(file);
      return { key, cert, notAfter: notAfter(cert) };
    };
    const valid = pair('valid.pem');
    return {
      ca,
      caNotAfter: notAfter(ca),
      valid,
      validWithChain: { ...valid, cert: `${valid.cert}${ca}` },
      expiresIn2Days: pair('soon.pem'),
      expiresIn10Days: pair('ten.pem'),
      expired: pair('expired.pem'),
      selfSigned: pair('self.pem', read('self.key')),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface RunningServer {
  port: number;
  close(): Promise<void>;
}

function closeServer(server: net.Server & { closeAllConnections?: () => void }, sockets: Set<net.Socket>) {
  return async () => {
    server.closeAllConnections?.();
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
}

function track(server: net.Server): Set<net.Socket> {
  const sockets = new Set<net.Socket>();
  server.on('connection', (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  return sockets;
}

/** A TLS server on 127.0.0.1 that completes the handshake and closes. */
export async function startTlsServer(pair: KeyPair): Promise<RunningServer> {
  const server = tls.createServer({ key: pair.key, cert: pair.cert }, (socket) => {
    socket.on('error', () => {});
    socket.end();
  });
  server.on('tlsClientError', () => {});
  const sockets = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: closeServer(server, sockets) };
}

/** An HTTPS server on 127.0.0.1 with the given certificate. */
export async function startHttpsServer(pair: KeyPair, handler: http.RequestListener): Promise<RunningServer> {
  const server = https.createServer({ key: pair.key, cert: pair.cert }, handler);
  server.on('tlsClientError', () => {});
  const sockets = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as net.AddressInfo).port, close: closeServer(server, sockets) };
}

/** An HTTP server on 127.0.0.1. */
export async function startHttpServer(handler: http.RequestListener): Promise<RunningServer & { url: string }> {
  const server = http.createServer(handler);
  const sockets = track(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, url: `http://127.0.0.1:${port}`, close: closeServer(server, sockets) };
}
