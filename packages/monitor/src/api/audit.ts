/**
 * GET /api/v1/audit: who changed what, newest first, for admin tokens. Each change through the API (and each
 * token created or revoked with `vigil token`) is stored with the change itself, in the same transaction.
 */
import { json, type Reply } from '../http/json.js';
import type { AuditEntry } from '../store/store.js';
import { API_PREFIX, type ApiContext, type ApiRouter, intParam, route, singleParam } from './context.js';
import type { AuditEntryJson } from './schemas.js';

export const AUDIT_DEFAULT_LIMIT = 100;
export const AUDIT_MAX_LIMIT = 1000;

export function auditEntryJson(entry: AuditEntry): AuditEntryJson {
  return {
    id: entry.id,
    at: new Date(entry.at).toISOString(),
    actor: { token: entry.actor.tokenId ?? null, name: entry.actor.name },
    action: entry.action,
    subject: entry.subject,
    before: entry.before ?? null,
    after: entry.after ?? null,
  };
}

async function auditLog(ctx: ApiContext): Promise<Reply> {
  const limit = intParam(ctx.query, 'limit', { default: AUDIT_DEFAULT_LIMIT, min: 1, max: AUDIT_MAX_LIMIT });
  const before = intParam(ctx.query, 'before', { default: Number.MAX_SAFE_INTEGER, min: 1, max: Number.MAX_SAFE_INTEGER });
  const subject = singleParam(ctx.query, 'subject');
  const entries = await ctx.deps.store.auditLog({
    before,
    limit,
    ...(subject === undefined || subject === '' ? {} : { subject }),
  });
  return json(200, {
    entries: entries.map(auditEntryJson),
    next: entries.length === limit ? (entries.at(-1)?.id ?? null) : null,
  });
}

export function registerAuditRoutes(router: ApiRouter): void {
  router.add('GET', `${API_PREFIX}/audit`, route('admin', auditLog));
}
