/**
 * CORS, per origin. A listed origin gets `Access-Control-Allow-Origin: <origin>` (with `Vary: Origin`) for
 * every method of the API and the `Authorization` header. `*`, when configured, lets any other origin read
 * (GET and HEAD, no `Authorization`): a page anywhere can embed public status data but never send a token
 * through the visitor's browser. `Access-Control-Allow-Credentials` is never sent: the API uses no cookies.
 */
import { HttpError } from './errors.js';

export const CORS_MAX_AGE_SECONDS = 600;
const ALLOWED_HEADERS = 'Authorization, Content-Type';
const EXPOSED_HEADERS = 'Location, WWW-Authenticate';
const WILDCARD_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface PreflightRequest {
  origin: string | undefined;
  /** `Access-Control-Request-Method`. */
  method: string;
  /** `Access-Control-Request-Headers`, as sent. */
  headers: string | undefined;
  /** What the path allows (the `Allow` header of the path). */
  allowed: readonly string[];
}

export interface CorsPolicy {
  /** Headers for an actual (non-preflight) response to a request from this origin. */
  headersFor(origin: string | undefined): Record<string, string>;
  /** Headers of the answer to a preflight; throws 403 when the origin, method or a header is not allowed. */
  preflight(request: PreflightRequest): Record<string, string>;
}

/** `https://Status.example.com/` → `https://status.example.com`; `*` stays; anything else is dropped. */
export function normalizeOrigin(origin: string): string | undefined {
  if (origin === '*') return origin;
  try {
    const url = new URL(origin);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
    return url.origin;
  } catch {
    return undefined;
  }
}

export function createCorsPolicy(origins: readonly string[]): CorsPolicy {
  const listed = new Set<string>();
  let wildcard = false;
  for (const origin of origins) {
    const normalized = normalizeOrigin(origin.trim());
    if (normalized === '*') wildcard = true;
    else if (normalized) listed.add(normalized);
  }
  // Responses differ by Origin whenever a specific origin is listed: caches must key on it.
  const vary: Record<string, string> = listed.size > 0 ? { Vary: 'Origin' } : {};

  const access = (origin: string | undefined): 'listed' | 'wildcard' | 'none' => {
    if (origin === undefined) return 'none';
    if (listed.has(origin)) return 'listed';
    return wildcard ? 'wildcard' : 'none';
  };

  return {
    headersFor(origin) {
      const kind = access(origin);
      if (kind === 'listed' && origin !== undefined) {
        return { ...vary, 'Access-Control-Allow-Origin': origin, 'Access-Control-Expose-Headers': EXPOSED_HEADERS };
      }
      if (kind === 'wildcard') return { ...vary, 'Access-Control-Allow-Origin': '*' };
      return { ...vary };
    },

    preflight({ origin, method, headers, allowed }) {
      const kind = access(origin);
      const refuse = (message: string) => new HttpError(403, 'cors_refused', message, vary);
      if (kind === 'none' || origin === undefined) {
        throw refuse('this origin is not allowed to call the API: add it to api.cors.origins in the configuration');
      }
      const methods = allowed.filter((m) => kind === 'listed' || WILDCARD_METHODS.has(m));
      if (!methods.includes(method.toUpperCase())) {
        throw refuse(
          kind === 'wildcard'
            ? 'origins allowed through "*" may only read (GET); list this origin in api.cors.origins to write'
            : `method ${method.toUpperCase()} is not allowed on this path (allowed: ${allowed.join(', ')})`,
        );
      }
      const permittedHeaders = kind === 'listed' ? ['authorization', 'content-type'] : ['content-type'];
      const requested = (headers ?? '')
        .split(',')
        .map((h) => h.trim().toLowerCase())
        .filter((h) => h !== '');
      const refused = requested.filter((h) => !permittedHeaders.includes(h));
      if (refused.length > 0) {
        throw refuse(
          kind === 'wildcard' && refused.includes('authorization')
            ? 'origins allowed through "*" cannot send Authorization; list this origin in api.cors.origins'
            : `request headers not allowed: ${refused.join(', ')} (allowed: ${ALLOWED_HEADERS})`,
        );
      }
      return {
        ...vary,
        'Access-Control-Allow-Origin': kind === 'listed' ? origin : '*',
        'Access-Control-Allow-Methods': methods.join(', '),
        'Access-Control-Allow-Headers': kind === 'listed' ? ALLOWED_HEADERS : 'Content-Type',
        'Access-Control-Max-Age': String(CORS_MAX_AGE_SECONDS),
      };
    },
  };
}
