/**
 * `tls`: a TLS handshake with host:port. Judges the chain (trusted, not expired), the host name, and how soon the
 * earliest certificate of the chain expires. The handshake always completes (so an untrusted certificate can
 * still be inspected), and the connection is closed before anything is sent.
 */
import net from 'node:net';
import tls from 'node:tls';
import { type Check, type CheckOptions, defineCheck } from '../check.js';
import { onAbort, once, since } from '../drivers.js';
import { errorMessage, type Probe, type ProbeContext, type ProbeResult, type ProbeTimings, round2 } from '../probe.js';
import { type Status, worstOf } from '../status.js';
import { applyConditions, type Condition, parseConditions } from '../conditions/index.js';
import { deadlineBackstop } from '../net/deadline.js';
import { certificateExpiryProblem, earliestCertificateExpiry, validateExpiryThresholds } from '../net/certificate.js';
import { bareHost, timedLookup } from '../net/lookup.js';

export interface TlsProbeOptions {
  /** Host name or IP address to connect to. */
  host: string;
  /** Default 443. */
  port?: number;
  /** Name sent with SNI and checked against the certificate. Default: `host`. */
  serverName?: string;
  /** Degraded when the earliest certificate of the chain expires in fewer days than this. Default 14. */
  expiryDegradedDays?: number;
  /** Unhealthy when it expires in fewer days than this. Default 3. */
  expiryUnhealthyDays?: number;
  /** Trusted CA certificates (PEM) instead of Node's bundled ones, e.g. for an internal CA. */
  ca?: string | Buffer | ReadonlyArray<string | Buffer>;
  /** Connect over IPv4 or IPv6 only. */
  ipVersion?: 4 | 6;
  /** Gatus conditions that must all hold, e.g. `[CERTIFICATE_EXPIRATION] > 720h`. */
  conditions?: ReadonlyArray<string | Condition>;
}

export interface TlsCheckOptions extends TlsProbeOptions, CheckOptions {}

export const DEFAULT_EXPIRY_DEGRADED_DAYS = 14;
export const DEFAULT_EXPIRY_UNHEALTHY_DAYS = 3;

/** What OpenSSL's verification codes mean, for the ones people meet. */
const VERIFY_ERRORS: Record<string, string> = {
  DEPTH_ZERO_SELF_SIGNED_CERT: 'the certificate is self-signed',
  SELF_SIGNED_CERT_IN_CHAIN: 'the chain ends in a self-signed certificate that is not trusted',
  CERT_HAS_EXPIRED: 'the certificate has expired',
  CERT_NOT_YET_VALID: 'the certificate is not valid yet',
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: 'the issuer is unknown: is an intermediate certificate missing?',
  UNABLE_TO_GET_ISSUER_CERT: 'the issuer certificate is missing',
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: 'the issuer is not trusted',
  CERT_REVOKED: 'the certificate has been revoked',
  CERT_SIGNATURE_FAILURE: 'the certificate signature is invalid',
};

interface PreparedTls {
  host: string;
  port: number;
  serverName: string;
  degradedDays: number;
  unhealthyDays: number;
  ca?: string | Buffer | Array<string | Buffer>;
  family?: 4 | 6;
  conditions: Condition[];
  shown: string;
}

function prepare(options: TlsProbeOptions): PreparedTls {
  if (typeof options.host !== 'string' || options.host.length === 0) throw new TypeError('tls: host is required');
  const port = options.port ?? 443;
  if (!(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    throw new TypeError('tls: port must be a whole number from 1 to 65535');
  }
  const degradedDays = options.expiryDegradedDays ?? DEFAULT_EXPIRY_DEGRADED_DAYS;
  const unhealthyDays = options.expiryUnhealthyDays ?? Math.min(DEFAULT_EXPIRY_UNHEALTHY_DAYS, degradedDays);
  validateExpiryThresholds('tls', { degradedDays, unhealthyDays });
  const host = bareHost(options.host);
  return {
    host,
    port,
    serverName: bareHost(options.serverName ?? host),
    degradedDays,
    unhealthyDays,
    ...(options.ca !== undefined ? { ca: options.ca as string | Buffer | Array<string | Buffer> } : {}),
    ...(options.ipVersion !== undefined ? { family: options.ipVersion } : {}),
    conditions: parseConditions(options.conditions),
    shown: `${net.isIPv6(host) ? `[${host}]` : host}:${port}`,
  };
}

interface Handshake {
  certificate: tls.DetailedPeerCertificate;
  authorized: boolean;
  /** OpenSSL's verification code, e.g. `DEPTH_ZERO_SELF_SIGNED_CERT`. */
  authorizationError?: string;
  protocol?: string;
  ip?: string;
}

function handshake(prepared: PreparedTls, context: ProbeContext, timings: ProbeTimings): Promise<Handshake> {
  return new Promise<Handshake>((resolve, reject) => {
    const start = performance.now();
    let lookupEnd: number | undefined;
    let connectAt: number | undefined;
    let settled = false;
    let stopListening: () => void = () => {};
    // Armed first, so every way out below can clear it; `fail` is only called from the timer.
    const deadlineTimer = deadlineBackstop(context, (error) => fail(error));
    const socket = tls.connect({
      host: prepared.host,
      port: prepared.port,
      // SNI carries names only (RFC 6066): an IP address is checked against the certificate but not sent.
      ...(net.isIP(prepared.serverName) === 0 ? { servername: prepared.serverName } : {}),
      // Verified below, so that an untrusted or expired certificate can still be described.
      rejectUnauthorized: false,
      // The host name is checked below against `serverName`, whatever Node would have checked.
      checkServerIdentity: () => undefined,
      ...(prepared.ca !== undefined ? { ca: prepared.ca } : {}),
      lookup: timedLookup((ms) => {
        lookupEnd = performance.now();
        timings.dns = ms;
      }),
      ...(prepared.family !== undefined ? { family: prepared.family } : {}),
    });
    const settle = once(() => {
      settled = true;
      stopListening();
      clearTimeout(deadlineTimer);
      socket.destroy();
    });
    const fail = (error: unknown) => {
      if (settled) return;
      settle();
      reject(error instanceof Error ? error : new Error(errorMessage(error)));
    };
    socket.once('connect', () => {
      connectAt = performance.now();
      timings.connect = round2(connectAt - (lookupEnd ?? start));
    });
    socket.once('secureConnect', () => {
      if (connectAt !== undefined) timings.tls = round2(performance.now() - connectAt);
      const rawError = socket.authorizationError as unknown;
      const code =
        rawError === undefined || rawError === null
          ? undefined
          : rawError instanceof Error
            ? String((rawError as { code?: unknown }).code ?? rawError.message)
            : String(rawError);
      const result: Handshake = {
        certificate: socket.getPeerCertificate(true),
        authorized: socket.authorized,
        ...(code !== undefined ? { authorizationError: code } : {}),
        ...(socket.getProtocol() ? { protocol: socket.getProtocol() ?? undefined } : {}),
        ...(socket.remoteAddress !== undefined ? { ip: socket.remoteAddress } : {}),
      };
      settle();
      resolve(result);
    });
    socket.on('error', fail);
    stopListening = onAbort(context.signal, () =>
      fail(context.signal.reason instanceof Error ? context.signal.reason : new Error('aborted')),
    );
  });
}

function commonName(name: unknown): string | undefined {
  if (typeof name !== 'object' || name === null) return undefined;
  const cn = (name as Record<string, unknown>).CN;
  return typeof cn === 'string' ? cn : Array.isArray(cn) ? cn.join(', ') : undefined;
}

async function run(prepared: PreparedTls, context: ProbeContext): Promise<ProbeResult> {
  const start = performance.now();
  const now = context.now ?? Date.now;
  const timings: ProbeTimings = {};
  let shake: Handshake;
  try {
    shake = await handshake(prepared, context, timings);
  } catch (error) {
    return applyConditions(
      {
        status: 'unhealthy',
        details: { host: prepared.host, port: prepared.port },
        error: `TLS connection to ${prepared.shown} failed: ${errorMessage(error)}`,
        facts: { connected: timings.connect !== undefined, timings },
      },
      prepared.conditions,
      since(start),
      now(),
    );
  }
  const latencyMs = since(start);
  const { certificate } = shake;
  const expiresAt = earliestCertificateExpiry(certificate);
  const problems: Array<{ status: Exclude<Status, 'healthy'>; message: string }> = [];

  const expiry =
    expiresAt !== undefined
      ? certificateExpiryProblem(
          expiresAt,
          { degradedDays: prepared.degradedDays, unhealthyDays: prepared.unhealthyDays },
          now(),
        )
      : undefined;
  if (!shake.authorized) {
    const code = shake.authorizationError ?? 'UNKNOWN';
    if (code === 'CERT_HAS_EXPIRED' && expiry?.status === 'unhealthy') {
      problems.push({ status: 'unhealthy', message: `${expiry.message} (${code})` });
    } else {
      const meaning = VERIFY_ERRORS[code];
      problems.push({
        status: 'unhealthy',
        message: `certificate not trusted: ${code}${meaning ? ` (${meaning})` : ''}`,
      });
      if (expiry) problems.push(expiry);
    }
  } else if (expiry) {
    problems.push(expiry);
  }
  if (Object.keys(certificate).length === 0) {
    problems.push({ status: 'unhealthy', message: 'the server presented no certificate' });
  } else {
    const identity = tls.checkServerIdentity(prepared.serverName, certificate);
    if (identity) {
      problems.push({
        status: 'unhealthy',
        message: `certificate is not valid for "${prepared.serverName}": ${identity.message.replace(/^Hostname\/IP does not match certificate's altnames: /, '')}`,
      });
    }
  }

  let status: Status = 'healthy';
  for (const problem of problems) status = worstOf(status, problem.status);
  const daysLeft = expiresAt !== undefined ? Math.round(((expiresAt - Date.now()) / 86_400_000) * 10) / 10 : undefined;
  const result: ProbeResult = {
    status,
    details: {
      host: prepared.host,
      port: prepared.port,
      server_name: prepared.serverName,
      latency_ms: latencyMs,
      authorized: shake.authorized,
      ...(shake.authorizationError !== undefined ? { authorization_error: shake.authorizationError } : {}),
      ...(shake.protocol !== undefined ? { protocol: shake.protocol } : {}),
      ...(commonName(certificate.subject) !== undefined ? { subject: commonName(certificate.subject) } : {}),
      ...(commonName(certificate.issuer) !== undefined ? { issuer: commonName(certificate.issuer) } : {}),
      ...(expiresAt !== undefined ? { expires_at: new Date(expiresAt).toISOString(), days_left: daysLeft } : {}),
    },
    measurements: [
      { measurement: 'responseTime', value: latencyMs, unit: 'ms' },
      ...(daysLeft !== undefined ? [{ measurement: 'certificateExpiry', value: daysLeft, unit: 'days' }] : []),
    ],
    facts: {
      connected: true,
      timings,
      ...(shake.ip !== undefined ? { ip: shake.ip } : {}),
      ...(expiresAt !== undefined ? { certificateExpiresAt: expiresAt } : {}),
    },
    ...(problems.length > 0
      ? {
          error: [
            ...problems.filter((p) => p.status === 'unhealthy'),
            ...problems.filter((p) => p.status === 'degraded'),
          ]
            .map((p) => p.message)
            .join('; '),
        }
      : {}),
  };
  return applyConditions(result, prepared.conditions, latencyMs, now());
}

/** A TLS handshake: chain, host name and certificate expiry. */
export const tlsProbe: Probe<TlsProbeOptions> = (options, context) => run(prepare(options), context);

/** A TLS endpoint presents a trusted, matching certificate that is not about to expire. Default name `tls`. */
export function tlsCheck(options: TlsCheckOptions): Check {
  const prepared = prepare(options);
  return defineCheck({ kind: 'tls', componentType: 'component' }, options, (context) => run(prepared, context));
}
