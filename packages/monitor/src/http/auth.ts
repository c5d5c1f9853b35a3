/**
 * Who is calling: anonymous, or the holder of a valid API token (`Authorization: Bearer <token>`). A token is
 * checked by looking up its hash; unknown, revoked and malformed tokens get the same answer. Other schemes
 * (Basic, from a reverse proxy's own login) are ignored: that caller is anonymous. Use is recorded with
 * `touchToken`, at most once a minute per token.
 */
import type { IncomingMessage } from 'node:http';
import { hashToken } from '../api/tokens.js';
import { cookieOf, sameSecret, SESSION_COOKIE, type Session, type Sessions } from '../admin/session.js';
import type { Store, StoredToken, TokenScope } from '../store/store.js';
import { HttpError, quote } from './errors.js';

/** A token holder, by the token in the request or (from the dashboard) by a session cookie. */
export type Caller = { kind: 'anonymous' } | { kind: 'token'; token: StoredToken; session?: Session };

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

/**
 * A valid token whose scope does not cover the request. An agent token is refused everything but the agent
 * endpoints (public reads and /metrics included): it is made to be left on a machine elsewhere, so it opens nothing.
 */
export function scopeTooNarrow(token: StoredToken, needed: TokenScope, what: string): HttpError {
  const needs = `${what} needs a token with scope ${needed}${needed === 'admin' ? '' : needed === 'agent' ? ' (or admin)' : ' or higher'}`;
  const has = `this token (${quote(token.name)}) has scope ${token.scope}`;
  return new HttpError(
    403,
    'forbidden',
    token.scope === 'agent'
      ? `${needs}; ${has}, which may only fetch the monitors of its location and send their results (\`vigil agent\`)`
      : `${needs}; ${has}: create one with \`vigil token create --name NAME --scope ${needed}\``,
  );
}

/** Whether the caller holds an agent token (refused everywhere but the agent endpoints). */
export function isAgentCaller(caller: Caller): boolean {
  return caller.kind === 'token' && caller.token.scope === 'agent';
}

export interface AuthenticatorOptions {
  store: Store;
  now: () => number;
  /** Called when recording a token's use fails (the request still succeeds). */
  onTouchError?: (error: unknown) => void;
  touchIntervalMs?: number;
  /**
   * Dashboard sessions: a request without a token but with a valid session cookie is its token's holder; a write
   * with it (any method but GET, HEAD, OPTIONS) must carry the session's CSRF token in `X-CSRF-Token`.
   */
  sessions?: Sessions;
}

/** What a caller is told apart by: the request's headers (a node:http request, or @vigil/health's). */
export type AuthRequest =
  | Pick<IncomingMessage, 'headers' | 'method'>
  | { headers: Readonly<Record<string, string | string[] | undefined>>; method?: string | undefined };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function csrfRefused(why: string): HttpError {
  return new HttpError(403, 'csrf_failed', `${why}: reload the page and try again`);
}

/** A write with a session cookie must come from a dashboard page: same origin, and the session's CSRF token. */
function checkCsrf(req: AuthRequest, session: Session): void {
  if (SAFE_METHODS.has((req.method ?? 'GET').toUpperCase())) return;
  const origin = req.headers.origin;
  const host = req.headers.host;
  if (typeof origin === 'string' && origin !== 'null' && typeof host === 'string') {
    let originHost: string | undefined;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = undefined;
    }
    if (originHost !== host) throw csrfRefused('this request comes from another site');
  }
  const given = req.headers['x-csrf-token'];
  const value = Array.isArray(given) ? given[0] : given;
  if (value === undefined || !sameSecret(value, session.csrf)) throw csrfRefused('the CSRF token is missing or wrong');
}

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
    if (header === undefined) {
      const cookie = options.sessions && cookieOf(req, SESSION_COOKIE);
      const session = cookie === undefined ? undefined : await options.sessions?.verify(cookie);
      if (!session) return ANONYMOUS;
      checkCsrf(req, session);
      await touch(session.token);
      return { kind: 'token', token: session.token, session };
    }
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
