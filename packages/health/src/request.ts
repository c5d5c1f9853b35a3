import { timingSafeEqual } from 'node:crypto';

/** A framework-neutral view of an incoming request; adapters build it from their own request objects. */
export interface HealthRequest {
  method: string;
  /** Path and query string, as seen by the mount point (e.g. `/readyz?verbose`). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** The framework's own request, for `authorize` callbacks. */
  raw?: unknown;
}

export interface HealthResponse {
  status: number;
  /** Shared between responses: copy before changing. */
  headers: Readonly<Record<string, string>>;
  body: string;
}

export function header(request: HealthRequest, name: string): string | undefined {
  const value = request.headers[name] ?? request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** Path (without a trailing slash) and raw query string; the query is parsed only where it is used. */
export function splitUrl(url: string): { path: string; search: string } {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  return {
    path: path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path,
    search: q === -1 ? '' : url.slice(q + 1),
  };
}

/** True when the client asked for health+json at least as much as for plain JSON. */
export function wantsHealthJson(accept: string | undefined): boolean {
  if (!accept?.includes('health+json')) return false;
  let healthQ = 0;
  let jsonQ = 0;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().split(';');
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    const media = type.trim().toLowerCase();
    if (media === 'application/health+json') healthQ = Math.max(healthQ, q);
    else if (media === 'application/json') jsonQ = Math.max(jsonQ, q);
  }
  return healthQ > 0 && healthQ >= jsonQ;
}

/** Constant-time comparison of a bearer token (no early exit that leaks its length or prefix). */
export function bearerMatches(request: HealthRequest, token: string): boolean {
  const auth = header(request, 'authorization');
  if (!auth?.toLowerCase().startsWith('bearer ')) return false;
  const given = Buffer.from(auth.slice(7).trim());
  const expected = Buffer.from(token);
  if (given.length !== expected.length) {
    timingSafeEqual(expected, expected);
    return false;
  }
  return timingSafeEqual(given, expected);
}
