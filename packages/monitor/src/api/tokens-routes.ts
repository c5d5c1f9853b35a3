/**
 * /api/v1/tokens: the API tokens, for admin tokens — list them (never a secret nor a hash), create one (its secret
 * is in the answer, that once), revoke one. The same operations as `vigil token` (api/tokens.ts), recorded in the
 * audit log with the caller as the actor. A caller may revoke its own token: its next request is 401.
 */
import { conflict, HttpError, notFound, quote } from '../http/errors.js';
import { json, noContent, type Reply } from '../http/json.js';
import type { FieldIssue } from '../registry/errors.js';
import type { StoredToken } from '../store/store.js';
import { actorOf, API_PREFIX, type ApiContext, type ApiRouter, isoTime, route } from './context.js';
import { type CreatedTokenJson, NewTokenSchema, type TokenJson } from './schemas.js';
import { createApiToken, revokeApiToken, TokenError } from './tokens.js';

const COLLECTION = `${API_PREFIX}/tokens`;

export function tokenJson(token: StoredToken): TokenJson {
  return {
    id: token.id,
    name: token.name,
    scope: token.scope,
    created_at: new Date(token.createdAt).toISOString(),
    last_used_at: isoTime(token.lastUsedAt),
  };
}

async function listTokens(ctx: ApiContext): Promise<Reply> {
  const tokens = await ctx.deps.store.listTokens();
  return json(200, { tokens: tokens.map(tokenJson) });
}

function invalidToken(issues: readonly FieldIssue[]): HttpError {
  const listed = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
  return new HttpError(400, 'bad_request', `invalid token: ${listed.join('; ')}`, {}, issues);
}

async function createToken(ctx: ApiContext): Promise<Reply> {
  const parsed = NewTokenSchema.safeParse(await ctx.json());
  if (!parsed.success) {
    throw invalidToken(
      parsed.error.issues.flatMap((issue): FieldIssue[] => {
        const path = issue.path.map(String).join('.');
        if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ path: key, message: 'unknown key' }));
        if (path === '' && issue.code === 'invalid_type') return [{ path: '', message: 'the body must be a JSON object' }];
        return [{ path, message: issue.message }];
      }),
    );
  }
  let created: Awaited<ReturnType<typeof createApiToken>>;
  try {
    created = await createApiToken(ctx.deps.store, parsed.data.name, {
      scope: parsed.data.scope,
      actor: actorOf(ctx.caller),
      now: ctx.deps.now,
    });
  } catch (error) {
    if (error instanceof TokenError) {
      throw error.code === 'name_taken' ? conflict(error.message) : invalidToken([{ path: 'name', message: error.message }]);
    }
    throw error;
  }
  const { token, stored } = created;
  const body: CreatedTokenJson = {
    token,
    id: stored.id,
    name: stored.name,
    scope: stored.scope,
    created_at: new Date(stored.createdAt).toISOString(),
  };
  return json(201, body);
}

async function revokeToken(ctx: ApiContext): Promise<Reply> {
  const id = ctx.params.id as string;
  const token = (await ctx.deps.store.listTokens()).find((candidate) => candidate.id === id);
  if (token === undefined) throw notFound(`no token with id ${quote(id)}: the ids are listed by GET ${COLLECTION}`);
  // Revoked between the lookup and now: the same answer as an unknown id.
  if (!(await revokeApiToken(ctx.deps.store, token, { actor: actorOf(ctx.caller), now: ctx.deps.now }))) {
    throw notFound(`no token with id ${quote(id)}`);
  }
  return noContent();
}

export function registerTokenRoutes(router: ApiRouter): void {
  router
    .add('GET', COLLECTION, route('admin', listTokens))
    .add('POST', COLLECTION, route('admin', createToken))
    .add('DELETE', `${COLLECTION}/:id`, route('admin', revokeToken));
}
