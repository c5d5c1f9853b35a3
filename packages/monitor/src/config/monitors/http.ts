/** `http`: a request to a URL; status, body keyword or regex, conditions, response time and certificate expiry. */
import { z } from 'zod';
import { duration } from '../duration.js';
import { caFile, certificateExpiryFields, checkCertificateExpiry, secret, text, urlWith } from '../fields.js';
import { commonFields, monitorType, probeFields } from './base.js';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

export interface StatusRange {
  min: number;
  max: number;
}

const STATUS_EXPECTED = 'expected a status code like 200, a range like "200-299" or a class like "2xx"';

/** `200`, `"200-299"` or `"2xx"` → an inclusive range. */
export function statusRange(item: number | string): StatusRange | undefined {
  const textValue = String(item).trim();
  let match = /^([1-5])xx$/i.exec(textValue);
  if (match) return { min: Number(match[1]) * 100, max: Number(match[1]) * 100 + 99 };
  match = /^(\d{3})\s*-\s*(\d{3})$/.exec(textValue);
  if (match) {
    const range = { min: Number(match[1]), max: Number(match[2]) };
    return range.min >= 100 && range.max <= 599 && range.min <= range.max ? range : undefined;
  }
  if (/^\d{3}$/.test(textValue) && Number(textValue) >= 100 && Number(textValue) <= 599) {
    return { min: Number(textValue), max: Number(textValue) };
  }
  return undefined;
}

const statusItem = z
  .union(
    [
      z.int({ error: STATUS_EXPECTED }).min(100, { error: STATUS_EXPECTED }).max(599, { error: STATUS_EXPECTED }),
      z.string().regex(/^(\d{3}\s*-\s*\d{3}|[1-5]xx)$/i, { error: STATUS_EXPECTED }),
    ],
    { error: STATUS_EXPECTED },
  )
  .transform((item, ctx) => {
    const range = statusRange(item);
    if (!range) {
      ctx.addIssue({ code: 'custom', message: `${STATUS_EXPECTED} (from 100 to 599, low to high)` });
      return z.NEVER;
    }
    return range;
  });

const regexText = z.string().superRefine((source, ctx) => {
  try {
    new RegExp(source);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: `invalid regular expression: ${(error as Error).message}` });
  }
});

const auth = z
  .strictObject({
    basic: z
      .strictObject({
        username: z.string().describe('User name.'),
        password: z.string().describe('Password; use `${ENV}` substitution rather than writing it in the file.'),
      })
      .optional()
      .describe('HTTP basic authentication.'),
    bearer: text().optional().describe('Sent as `Authorization: Bearer <token>`.'),
  })
  .superRefine((value, ctx) => {
    const set = [value.basic, value.bearer].filter((v) => v !== undefined).length;
    if (set !== 1) ctx.addIssue({ code: 'custom', message: 'set exactly one of basic or bearer' });
  });

/** The fields of an HTTP request and its checks; `health` monitors have them too. */
export const httpFields = {
  url: urlWith(['http:', 'https:']).describe(
    'The URL to request (http or https). Credentials in it are sent as basic auth and never shown.',
  ),
  method: z.enum(HTTP_METHODS).default('GET').describe('HTTP method.'),
  headers: secret(z.record(z.string(), z.string()))
    .optional()
    .describe('Request headers, e.g. `{ X-Api-Key: "${API_KEY}" }`. Values are treated as secrets.'),
  body: secret(z.string()).optional().describe('Request body, sent as given.'),
  auth: secret(auth).optional().describe('Credentials: `{ basic: { username, password } }` or `{ bearer: token }`.'),
  accepted_status: z
    .array(statusItem)
    .min(1, { error: 'must list at least one status' })
    .optional()
    .describe(
      'Status codes that count as up: codes (`204`), ranges (`"200-299"`) or classes (`"2xx"`). Default: `"200-299"` — unless a condition tests `[STATUS]`, which then decides alone (as in Gatus).',
    ),
  follow_redirects: z.boolean().default(true).describe('Follow redirects (up to 10) and judge the final response.'),
  max_body_bytes: z
    .int({ error: 'expected a whole number of bytes' })
    .min(0, { error: 'must be zero or more' })
    .default(1_048_576)
    .describe('Read at most this many bytes of the body; a longer body fails the check.'),
  keyword: text().optional().describe('Up only when the body contains this text.'),
  regex: regexText.optional().describe('Up only when the body matches this regular expression (JavaScript syntax).'),
  invert: z
    .boolean()
    .default(false)
    .describe('Invert `keyword` / `regex`: up only when the body does not contain or match it.'),
  degraded_above: duration()
    .optional()
    .describe('Degraded (still up) when the response takes longer than this, e.g. `"800ms"`.'),
  tls: z
    .strictObject({
      ...certificateExpiryFields,
      skip_verify: z
        .boolean()
        .default(false)
        .describe('Accept invalid or self-signed certificates (expiry is still checked).'),
      ca_file: caFile()
        .optional()
        .describe(
          'A PEM file of the CA certificates to trust instead of the public ones, for a server signed by a private CA. Read at every check.',
        ),
    })
    .superRefine(checkCertificateExpiry)
    .prefault({})
    .describe('Certificate checks for https URLs.'),
  ip_version: z
    .union([z.literal(4), z.literal(6)], { error: 'expected 4 or 6' })
    .optional()
    .describe('Connect over IPv4 (`4`) or IPv6 (`6`) only. Default: whichever the resolver returns first.'),
  keep_alive: z
    .boolean()
    .default(false)
    .describe(
      'Reuse a connection between checks (HTTP keep-alive): less CPU per check, but DNS, connect and TLS timings are only measured when a new connection is opened. A kept connection the server closed is retried once on a new one.',
    ),
};

/** Checks between the HTTP fields, shared with `health`. */
export function checkHttpFields(
  value: { keyword?: string; regex?: string; invert: boolean; url?: string; conditions?: readonly string[] },
  ctx: z.RefinementCtx,
): void {
  // No certificate on a plain http:// URL: a condition on its expiry could never hold.
  if (typeof value.url === 'string' && /^http:/i.test(value.url)) {
    (value.conditions ?? []).forEach((line, index) => {
      if (typeof line === 'string' && /\[CERTIFICATE_EXPIRATION\]/i.test(line)) {
        ctx.addIssue({
          code: 'custom',
          path: ['conditions', index],
          message: `condition "${line}" could never hold: a plain http:// URL has no certificate (use https://, or a tls monitor)`,
        });
      }
    });
  }
  if (value.keyword !== undefined && value.regex !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['regex'], message: 'set keyword or regex, not both' });
  }
  if (value.invert && value.keyword === undefined && value.regex === undefined) {
    ctx.addIssue({ code: 'custom', path: ['invert'], message: 'invert needs a keyword or a regex' });
  }
}

export const httpMonitor = z
  .strictObject({
    type: monitorType('http', 'An HTTP(S) request: status, body, conditions, response time, certificate expiry.'),
    ...commonFields,
    ...probeFields('http'),
    ...httpFields,
  })
  .superRefine(checkHttpFields)
  .describe('Requests a URL and checks the status, the body, conditions, the response time and the certificate.');
