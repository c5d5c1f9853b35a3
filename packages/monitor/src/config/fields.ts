/**
 * Small building blocks shared by the configuration schema: secrets, hosts, ports, URLs.
 * Every field built here still gets its own `.describe()` where it is used.
 */
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { z } from 'zod';

// Definitions rather than schema instances: `.describe()` clones a schema but keeps its definition.
const secretDefinitions = new WeakSet<object>();

/**
 * Marks a field as secret: its value is never echoed in error messages, and the JSON Schema marks it
 * `writeOnly`. Wrap the value's schema (before `.optional()`), or a whole object or record.
 */
export function secret<T extends z.ZodType>(schema: T): T {
  secretDefinitions.add(schema._zod.def);
  return schema;
}

export function isSecretSchema(schema: z.core.$ZodType): boolean {
  return secretDefinitions.has(schema._zod.def);
}

/** An IP address (`10.0.0.1`, `::1`) or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressOrRange(value: string): boolean {
  const [address = '', prefix, ...rest] = value.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  if (!/^\d{1,3}$/.test(prefix)) return false;
  return Number(prefix) <= (family === 4 ? 32 : 128);
}

/** A non-empty string. */
export function text() {
  return z.string().min(1, { error: 'must not be empty' });
}

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;
const IPV6 = /^\[?[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?\]?$/;

export function isHost(value: string): boolean {
  return HOSTNAME.test(value) || (value.includes(':') && IPV6.test(value));
}

export const LOCATION_PATTERN = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
const LOCATION_EXPECTED = 'expected a location name like "local" or "eu-west"';

/** Where checks run from: `local`, `eu-west` (the server's `location`, an agent's `--location`). */
export function locationName() {
  return z
    .string({ error: LOCATION_EXPECTED })
    .regex(LOCATION_PATTERN, { error: `${LOCATION_EXPECTED}: lowercase letters, digits, "-", "_" and "." (at most 63)` });
}

/** A host name or an IP address (no scheme, no port). */
export function host() {
  return z.string().refine(isHost, { error: 'expected a host name or an IP address, without scheme or port' });
}

export function port() {
  return z
    .int({ error: 'expected a port number' })
    .min(1, { error: 'expected a port number from 1 to 65535' })
    .max(65535, {
      error: 'expected a port number from 1 to 65535',
    });
}

/** `host` or `host:port` (IPv6 in brackets: `[::1]:53`). */
export function hostAndPort() {
  return z.string().refine(
    (value) => {
      const match = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(value) ?? (isHost(value) ? [value, value] : null);
      if (!match) return false;
      const [, name = '', portText] = match;
      const portOk = portText === undefined || (Number(portText) >= 1 && Number(portText) <= 65535);
      return portOk && isHost(name.replace(/^\[|\]$/g, ''));
    },
    { error: 'expected host or host:port, e.g. "127.0.0.1:53"' },
  );
}

/** Scheme list as shown to users: `postgres://` or `postgresql://`. */
function schemeList(schemes: readonly string[]): string {
  const shown = schemes.map((s) => `${s}//`);
  return shown.length <= 2 ? shown.join(' or ') : `${shown.slice(0, -1).join(', ')} or ${shown.at(-1)}`;
}

export function hasScheme(value: string, schemes: readonly string[]): boolean {
  try {
    const url = new URL(value);
    return schemes.includes(url.protocol) && (url.hostname !== '' || url.protocol === 'file:');
  } catch {
    return false;
  }
}

/** A URL with one of the given schemes (`'https:'`, …). Credentials inside it are redacted in messages. */
export function urlWith(schemes: readonly string[]) {
  const names = schemes.map((scheme) => scheme.replace(/:$/, ''));
  return z
    .string()
    .refine((value) => hasScheme(value, schemes), {
      error: `expected ${/^(h|[aeiou])/.test(schemes[0] ?? '') ? 'an' : 'a'} ${schemeList(schemes)} URL`,
    })
    .meta({ pattern: `^(${names.join('|')})://` });
}

/** A URL origin for CORS: `https://status.example.com`, or `*`. */
export function origin() {
  return z.string().refine(
    (value) => {
      if (value === '*') return true;
      try {
        const url = new URL(value);
        return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value.replace(/\/$/, '');
      } catch {
        return false;
      }
    },
    { error: 'expected an origin like "https://status.example.com" (scheme, host and port, no path) or "*"' },
  );
}

/** Days, for certificate expiry thresholds. */
export function days() {
  return z.int({ error: 'expected a whole number of days' }).min(0, { error: 'must be zero or more days' });
}

/** Certificate expiry thresholds, shared by the `tls` monitor and the `tls` section of `http` monitors. */
/**
 * A file of trusted CA certificates (PEM), checked when the configuration loads: it must be readable and hold a
 * certificate. The probes read it at every check, so a renewed CA file is used without a reload.
 */
export function caFile() {
  return text().superRefine((path, ctx) => {
    let content: string;
    try {
      content = readFileSync(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : 'cannot be read';
      ctx.addIssue({ code: 'custom', message: `${path}: ${why}` });
      return;
    }
    if (!content.includes('-----BEGIN CERTIFICATE-----')) {
      ctx.addIssue({ code: 'custom', message: `${path}: no PEM certificate in it (-----BEGIN CERTIFICATE-----)` });
    }
  });
}

export const certificateExpiryFields = {
  expiry_degraded_days: days()
    .default(14)
    .describe('Degraded when the certificate expires in fewer than this many days.'),
  expiry_unhealthy_days: days()
    .default(3)
    .describe('Unhealthy when the certificate expires in fewer than this many days (below `expiry_degraded_days`).'),
};

export function checkCertificateExpiry(
  value: { expiry_degraded_days: number; expiry_unhealthy_days: number },
  ctx: z.RefinementCtx,
): void {
  if (value.expiry_unhealthy_days > value.expiry_degraded_days) {
    ctx.addIssue({
      code: 'custom',
      path: ['expiry_unhealthy_days'],
      message: `must not be more than expiry_degraded_days (${value.expiry_degraded_days})`,
    });
  }
}
