/**
 * GET /api/v1/notifications: what the alerting sent, is sending or gave up on — each notification with its
 * channel, kind, status and attempts (newest first), for token holders. Messages carry monitor names and causes,
 * private monitors' too: not for anonymous callers.
 */
import { badRequest, quote } from '../http/errors.js';
import { json, type Reply } from '../http/json.js';
import { DELIVERY_STATUSES, type DeliveryStatus, type StoredNotification } from '../store/store.js';
import { API_PREFIX, type ApiContext, type ApiRouter, intParam, isoTime, route, singleParam } from './context.js';
import type { NotificationJson } from './schemas.js';

export const NOTIFICATIONS_DEFAULT_LIMIT = 50;
export const NOTIFICATIONS_MAX_LIMIT = 500;

export function notificationJson(notification: StoredNotification): NotificationJson {
  return {
    id: notification.id,
    idempotency_key: notification.idempotencyKey,
    monitor: notification.monitorId,
    location: notification.location,
    channel: notification.channel,
    kind: notification.kind as NotificationJson['kind'],
    status: notification.status,
    created_at: new Date(notification.createdAt).toISOString(),
    next_attempt_at: notification.status === 'pending' ? isoTime(notification.nextAttemptAt) : null,
    finished_at: isoTime(notification.finishedAt),
    last_error: notification.lastError ?? null,
    message: notification.payload as Record<string, unknown>,
    attempts: notification.attempts.map((attempt) => ({
      attempt: attempt.attempt,
      at: new Date(attempt.at).toISOString(),
      outcome: attempt.outcome,
      status: attempt.status ?? null,
      error: attempt.error ?? null,
      response: attempt.response ?? null,
      duration_ms: attempt.durationMs,
    })),
  };
}

async function listNotifications(ctx: ApiContext): Promise<Reply> {
  const limit = intParam(ctx.query, 'limit', { default: NOTIFICATIONS_DEFAULT_LIMIT, min: 1, max: NOTIFICATIONS_MAX_LIMIT });
  const before = intParam(ctx.query, 'before', { default: Number.MAX_SAFE_INTEGER, min: 1, max: Number.MAX_SAFE_INTEGER });
  const monitor = singleParam(ctx.query, 'monitor');
  const status = singleParam(ctx.query, 'status');
  if (status !== undefined && status !== '' && !(DELIVERY_STATUSES as readonly string[]).includes(status)) {
    throw badRequest(`unknown status ${quote(status, 40)}: expected one of ${DELIVERY_STATUSES.join(', ')}`);
  }
  const rows = await ctx.deps.store.notifications({
    limit,
    before,
    ...(monitor === undefined || monitor === '' ? {} : { monitorId: monitor }),
    ...(status === undefined || status === '' ? {} : { status: status as DeliveryStatus }),
  });
  return json(200, {
    notifications: rows.map(notificationJson),
    next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null,
  });
}

export function registerNotificationRoutes(router: ApiRouter): void {
  router.add('GET', `${API_PREFIX}/notifications`, route('read', listNotifications));
}
