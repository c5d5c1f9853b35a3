/**
 * API tokens: `vgl_` + 32 random bytes (base64url). Only the SHA-256 of a token is stored; the token itself is
 * shown once, when it is created. A request's token is hashed and looked up: nothing about the stored tokens
 * can be learnt from the answers or their timing.
 */
import { createHash, randomBytes } from 'node:crypto';
import { TOKEN_SCOPES, type Actor, type Store, type StoredToken, type TokenScope } from '../store/store.js';

export const TOKEN_PREFIX = 'vgl_';
const TOKEN_BYTES = 32;
/** The shape of a token this version creates: `vgl_` and 43 base64url characters. */
export const TOKEN_PATTERN = /^vgl_[A-Za-z0-9_-]{43}$/;
export const TOKEN_NAME_MAX = 100;

/** The scopes that include the ones before them: `read` < `write` < `admin`. */
const RANKED_SCOPES: readonly TokenScope[] = ['read', 'write', 'admin'];

/**
 * Whether a token of scope `have` may do what needs `need`. `read`, `write` and `admin` each include the ones before
 * them. `agent` stands apart — an agent token runs checks elsewhere and holds nothing else, so it may do only what
 * needs `agent`; an admin token may do that too (to see what an agent gets, when debugging one).
 */
export function scopeIncludes(have: TokenScope, need: TokenScope): boolean {
  if (need === 'agent') return have === 'agent' || have === 'admin';
  if (have === 'agent') return false;
  return RANKED_SCOPES.indexOf(have) >= RANKED_SCOPES.indexOf(need);
}

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value);
}

export type RandomBytes = (size: number) => Buffer;

/** A new secret token. */
export function generateToken(random: RandomBytes = randomBytes): string {
  return `${TOKEN_PREFIX}${random(TOKEN_BYTES).toString('base64url')}`;
}

/** What is stored and looked up: SHA-256 of the whole token, hex. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** A token's public id (`tok_` + 12 hex characters): shown in lists and used to revoke it. */
export function generateTokenId(random: RandomBytes = randomBytes): string {
  return `tok_${random(6).toString('hex')}`;
}

/** Why a token name is refused, or undefined when it is fine. */
export function tokenNameProblem(name: string): string | undefined {
  if (name.trim() === '') return 'must not be empty';
  if (name.length > TOKEN_NAME_MAX) return `must be at most ${TOKEN_NAME_MAX} characters`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'must not contain control characters';
  return undefined;
}

/** Why `createApiToken` refused: an invalid name, or a name already used. The message says what to do. */
export class TokenError extends Error {
  override readonly name = 'TokenError';

  constructor(
    readonly code: 'invalid_name' | 'name_taken',
    message: string,
  ) {
    super(message);
  }
}

export interface CreatedToken {
  /** The secret: shown once, never stored. */
  token: string;
  stored: StoredToken;
}

export interface CreateTokenOptions {
  /** Default `admin`. */
  scope?: TokenScope;
  /** Who creates it, for the audit log. Default: the command line. */
  actor?: Actor;
  now?: () => number;
  random?: RandomBytes;
}

export const CLI_ACTOR: Actor = { name: 'cli' };

/** Creates and stores a token (with its audit entry); throws when the name is invalid or already used. */
export async function createApiToken(
  store: Store,
  name: string,
  options: CreateTokenOptions = {},
): Promise<CreatedToken> {
  const trimmed = name.trim();
  const problem = tokenNameProblem(trimmed);
  if (problem) throw new TokenError('invalid_name', `token name ${problem}`);
  const existing = (await store.listTokens()).find((token) => token.name === trimmed);
  if (existing) {
    throw new TokenError(
      'name_taken',
      `a token named "${trimmed}" already exists (${existing.id}): revoke it first or choose another name`,
    );
  }
  const random = options.random ?? randomBytes;
  const token = generateToken(random);
  const scope = options.scope ?? 'admin';
  const stored: StoredToken = {
    id: generateTokenId(random),
    name: trimmed,
    hash: hashToken(token),
    scope,
    createdAt: (options.now ?? Date.now)(),
  };
  await store.createToken(stored, {
    at: stored.createdAt,
    actor: options.actor ?? CLI_ACTOR,
    action: 'token.create',
    subject: stored.id,
    after: { id: stored.id, name: stored.name, scope },
  });
  return { token, stored };
}

/** Revokes a token (with its audit entry); false when there is no such token. */
export async function revokeApiToken(
  store: Store,
  token: Pick<StoredToken, 'id' | 'name' | 'scope'>,
  options: { actor?: Actor; now?: () => number } = {},
): Promise<boolean> {
  return store.deleteToken(token.id, {
    at: (options.now ?? Date.now)(),
    actor: options.actor ?? CLI_ACTOR,
    action: 'token.revoke',
    subject: token.id,
    before: { id: token.id, name: token.name, scope: token.scope },
  });
}
