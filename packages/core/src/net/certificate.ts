/** TLS certificates as the network probes judge them: the earliest expiry of a chain and whether it is near. */
import type { PeerCertificate } from 'node:tls';
import type { Status } from '../status.js';

const DAY_MS = 86_400_000;

/** The earliest `notAfter` of a presented chain (from `getPeerCertificate(true)`), epoch ms. */
export function earliestCertificateExpiry(certificate: PeerCertificate | undefined): number | undefined {
  let earliest: number | undefined;
  const seen = new Set<unknown>();
  let current: (PeerCertificate & { issuerCertificate?: PeerCertificate }) | undefined = certificate;
  while (current && !seen.has(current) && Object.keys(current).length > 0) {
    seen.add(current);
    const expires = Date.parse(current.valid_to);
    if (Number.isFinite(expires) && (earliest === undefined || expires < earliest)) earliest = expires;
    // A self-signed root is its own issuer; the `seen` set also stops any other loop.
    current = current.issuerCertificate;
  }
  return earliest;
}

export interface ExpiryThresholds {
  /** Degraded below this many days left. */
  degradedDays?: number;
  /** Unhealthy below this many days left. */
  unhealthyDays?: number;
}

/** An expired certificate is unhealthy; one expiring within a threshold is degraded or unhealthy. */
export function certificateExpiryProblem(
  expiresAt: number,
  thresholds: ExpiryThresholds,
  now: number = Date.now(),
): { status: Exclude<Status, 'healthy'>; message: string } | undefined {
  const left = expiresAt - now;
  const on = new Date(expiresAt).toISOString();
  if (left <= 0) return { status: 'unhealthy', message: `certificate expired on ${on}` };
  const days = left / DAY_MS;
  // Rounded down: "expires in 10 days" must not be said of 9.99 days.
  const shown = days < 10 ? (Math.floor(days * 10) / 10).toFixed(1) : String(Math.floor(days));
  if (thresholds.unhealthyDays !== undefined && days < thresholds.unhealthyDays) {
    return {
      status: 'unhealthy',
      message: `certificate expires in ${shown} days, on ${on} (unhealthy below ${thresholds.unhealthyDays} days)`,
    };
  }
  if (thresholds.degradedDays !== undefined && days < thresholds.degradedDays) {
    return {
      status: 'degraded',
      message: `certificate expires in ${shown} days, on ${on} (degraded below ${thresholds.degradedDays} days)`,
    };
  }
  return undefined;
}

export function validateExpiryThresholds(kind: string, thresholds: ExpiryThresholds): void {
  for (const [name, value] of Object.entries(thresholds)) {
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      throw new TypeError(`${kind}: ${name} must be zero or more days`);
    }
  }
  const { degradedDays, unhealthyDays } = thresholds;
  if (degradedDays !== undefined && unhealthyDays !== undefined && unhealthyDays > degradedDays) {
    throw new TypeError(`${kind}: the unhealthy expiry threshold must not be above the degraded one`);
  }
}
