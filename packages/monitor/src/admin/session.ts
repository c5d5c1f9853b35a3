/**
 * Dashboard sessions: an API token is exchanged once for a cookie, so the token is not kept in the browser.
 *
 * The cookie is `<token id>.<expiry>.<nonce>.<mac>`, signed with HMAC-SHA256 keyed by the token's stored hash (a
 * 256-bit secret only the server knows). Nothing is stored per session, so sessions survive restarts and work on
 * any instance that shares the database; revoking the token ends all its sessions at once (its hash is gone).
 * Signing out adds the nonce to a list kept until the session would have expired. The CSRF token of a session is
 * derived from the same key and nonce: a page gets it, another site cannot.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { hashToken } from '../api/tokens.js';
import type { Store, StoredToken } from '../store/store.js';

export const SESSION_COOKIE = 'vigil_session';
export const DEFAULT_SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const MAX_COOKIE_LENGTH = 300;

export interface Session {
  token: StoredToken;
  nonce: string;
  expiresAt: number;
  /** Sent back by the page with every write (`X-CSRF-Token` header or `_csrf` form field). */
  csrf: string;
}

export interface SessionsOptions {
  store: Store;
  now?: () => number;
  ttlMs?: number;
}

function mac(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('base64url');
}

/** Compares two strings in time that does not depend on where they differ. */
export function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The value of one cookie of a request, or undefined. */
export function cookieOf(req: { headers: Readonly<Record<string, string | string[] | undefined>> }, name: string): string | undefined {
  const header = req.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Whether the request came over TLS (directly, or through a proxy that says so): cookies are then `Secure`. */
export function isSecureRequest(req: Pick<IncomingMessage, 'headers' | 'socket'>): boolean {
  if ((req.socket as { encrypted?: boolean } | undefined)?.encrypted) return true;
  const proto = req.headers['x-forwarded-proto'];
  return typeof proto === 'string' && proto.split(',')[0]?.trim().toLowerCase() === 'https';
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Strict, the whole site. */
export function cookieHeader(name: string, value: string, options: { maxAgeS: number; secure: boolean }): string {
  return `${name}=${value}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${Math.max(0, Math.floor(options.maxAgeS))}${options.secure ? '; Secure' : ''}`;
}

export class Sessions {
  readonly ttlMs: number;
  private readonly now: () => number;
  /** Signed-out sessions: nonce → when the session would have expired. */
  private readonly ended = new Map<string, number>();

  constructor(private readonly options: SessionsOptions) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  }

  /** A session for the holder of `secret`, or undefined when it is not a valid token. */
  async signIn(secret: string): Promise<{ cookie: string; session: Session } | undefined> {
    if (secret.length === 0 || secret.length > 512) return undefined;
    const token = await this.options.store.findTokenByHash(hashToken(secret));
    if (!token) return undefined;
    const nonce = randomBytes(16).toString('base64url');
    const expiresAt = this.now() + this.ttlMs;
    const body = `${token.id}.${expiresAt.toString(36)}.${nonce}`;
    const cookie = `${body}.${mac(token.hash, `session|${body}`)}`;
    return { cookie, session: { token, nonce, expiresAt, csrf: mac(token.hash, `csrf|${nonce}`) } };
  }

  /** The session a cookie stands for, or undefined (malformed, forged, expired, signed out, token revoked). */
  async verify(cookie: string | undefined): Promise<Session | undefined> {
    if (cookie === undefined || cookie.length > MAX_COOKIE_LENGTH) return undefined;
    const parts = cookie.split('.');
    if (parts.length !== 4) return undefined;
    const [id, expiry, nonce, signature] = parts as [string, string, string, string];
    const expiresAt = Number.parseInt(expiry, 36);
    if (!Number.isSafeInteger(expiresAt) || expiresAt <= this.now() || this.ended.has(nonce)) return undefined;
    const token = (await this.options.store.listTokens()).find((candidate) => candidate.id === id);
    if (!token) return undefined;
    if (!sameSecret(signature, mac(token.hash, `session|${id}.${expiry}.${nonce}`))) return undefined;
    return { token, nonce, expiresAt, csrf: mac(token.hash, `csrf|${nonce}`) };
  }

  signOut(session: Session): void {
    const now = this.now();
    for (const [nonce, until] of this.ended) if (until <= now) this.ended.delete(nonce);
    this.ended.set(session.nonce, session.expiresAt);
  }
}
