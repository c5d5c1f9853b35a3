/**
 * Who is calling: anonymous, or the holder of a valid API token (`Authorization: Bearer <token>`). A token is
 * checked by looking up its hash; unknown, revoked and malformed tokens get the same answer. Other schemes
 * (Basic, from a reverse proxy's own login) are ignored: that caller is anonymous. Use is recorded with
 * `touchToken`, at most once a minute per token.
 */
import type { IncomingMessage } from 'node:http';
import { hashToken } from '../api/tokens.js';
import type { Store, StoredToken, TokenScope } from '../store/store.js';
import { HttpError, quote } from './errors.js';

export type Caller = { kind: 'anonymous' } | { kind: 'token'; token: StoredToken };

export const ANONYMOUS: Caller = { kind: 'anonymous' };

export const TOUCH_INTERVAL_MS = 60_000;
/** Longer headers are refused without hashing them. */
const MAX_TOKEN_LENGTH = 512;
const BEARER = /^Bearer +(\S+) *$/i;
const SCHEME = /^([A-Za-z][A-Za-z0-9!#$%&'*+.^_`|~-]*)(?: |$)/;
const REALM = 'Bearer realm="vigil"';

export const TOKEN_HINT = 'create one with `vigil token create --name NAME --scope read|write|admin`';

export function invalidToken(): HttpError {
  return new HttpError(401, 'unauthorized', 'invalid or revoked API token', {
    'WWW-Authenticate': `${REALM}, error="invalid_token"`,
  });
}

export function tokenRequired(): HttpError {
  return new HttpError(
    401,
    'unauthorized',
    `this request needs an API token: send Authorization: Bearer <token> (${TOKEN_HINT})`,
    { 'WWW-Authenticate': REALM },
  );
}

/** A valid token whose scope does not cover the request. */
export function scopeTooNarrow(token: StoredToken, needed: TokenScope, what: string): HttpError {
  return new HttpError(
    403,
    'forbidden',
    `${what} needs a token with scope ${needed}${needed === 'admin' ? '' : ' or higher'}; this token (${quote(token.name)}) has scope ${token.scope}: create one with \`vigil token create --name NAME --scope ${needed}\``,
  );
}

export interface AuthenticatorOptions {
  store: Store;
  now: () => number;
  /** Called when recording a token's use fails (the request still succeeds). */
  onTouchError?: (error: unknown) => void;
  touchIntervalMs?: number;
}

/** What a caller is told apart by: the request's headers (a node:http request, or @vigil/health's). */
export type AuthRequest = Pick<IncomingMessage, 'headers'> | { headers: Readonly<Record<string, string | string[] | undefined>> };

export type Authenticator = (req: AuthRequest) => Promise<Caller>;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const { store, now } = options;
  const interval = options.touchIntervalMs ?? TOUCH_INTERVAL_MS;
  const lastTouch = new Map<string, number>();

  const touch = async (token: StoredToken) => {
    const at = now();
    const last = lastTouch.get(token.id) ?? token.lastUsedAt;
    if (last !== undefined && at - last < interval) return;
    if (lastTouch.size > 10_000) lastTouch.clear();
    lastTouch.set(token.id, at);
    try {
      await store.touchToken(token.id, at);
    } catch (error) {
      options.onTouchError?.(error);
    }
  };

  return async (req) => {
    const given = req.headers.authorization;
    const header = Array.isArray(given) ? given[0] : given;
    if (header === undefined) return ANONYMOUS;
    // Another scheme (e.g. Basic, added by a reverse proxy's own login) is not for this API: ignored.
    if (SCHEME.exec(header)?.[1]?.toLowerCase() !== 'bearer') return ANONYMOUS;
    const secret = BEARER.exec(header)?.[1];
    if (secret === undefined || secret.length > MAX_TOKEN_LENGTH) throw invalidToken();
    const token = await store.findTokenByHash(hashToken(secret));
    if (!token) throw invalidToken();
    await touch(token);
    return { kind: 'token', token };
  };
}
