/**
 * The REST API under /api/v1, as a plain node:http handler to mount next to /health, /metrics and /ping:
 * `createApiHandler(deps)(req, res, next)` answers paths under /api/v1 and calls `next()` for the others.
 *
 * Per request: CORS (preflights answered here), routing (404, 405 with Allow), the caller (401 for a bad
 * token), the route's access (a token with scope read, write, admin or agent, or anyone), then the resource's handler. Every answer is JSON; errors are
 * `{ "error": { "code", "message" } }`; internal errors are logged, sanitized, and answered without details.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, silentLogger } from '../log/logger.js';
import { type Caller, createAuthenticator, isAgentCaller, scopeTooNarrow, tokenRequired } from '../http/auth.js';
import { DEFAULT_BODY_LIMIT, checkDeclaredLength, readJsonBody } from '../http/body.js';
import { createCorsPolicy } from '../http/cors.js';
import { HttpError, quote } from '../http/errors.js';
import { DEFAULT_TIMEOUT_MS } from '../jobs/redis.js';
import { errorReply, internalErrorReply, noContent, type Reply, writeReply } from '../http/json.js';
import { parseRequestTarget, Router } from '../http/router.js';
import { API_PREFIX, type ApiContext, type ApiRoute, type ApiRouter, type ResolvedDeps, type RouteAccess } from './context.js';
import { NO_AGENTS, registerAgentRoutes } from './agent.js';
import { registerAuditRoutes } from './audit.js';
import { registerChannelRoutes } from './channels.js';
import { registerNotificationRoutes } from './notifications.js';
import { httpErrorOf } from './errors.js';
import { registerEventRoutes } from './events.js';
import { registerIncidentRoutes } from './incidents.js';
import { registerJobRoutes } from './jobs.js';
import { NO_MAINTENANCE, registerMaintenanceRoutes } from './maintenance.js';
import { registerMonitorRoutes } from './monitors.js';
import { registerOpenApiRoute } from './openapi.js';
import { registerPingRoutes } from './pings.js';
import { registerResultRoutes } from './results.js';
import { registerStatusIncidentRoutes } from './status-incidents.js';
import { scopeIncludes } from './tokens.js';
import { registerTokenRoutes } from './tokens-routes.js';
import type { ApiDeps, ChannelControl } from './types.js';
import { registerUptimeRoutes } from './uptime.js';

export type { AgentControl, ApiDeps, ChannelControl, MaintenanceControl, MaintenanceEntry, MaintenanceInput, MonitorControl, MonitorDefinition, MonitorView, StatusIncidentControl } from './types.js';
export { HttpError } from '../http/errors.js';
export { API_PREFIX } from './context.js';
export { describeTarget, redactDefinition, redactUrlText } from './redact.js';
export { monitorViewOf } from './monitors.js';
export { openApiDocument } from './openapi.js';
export { createApiToken, hashToken, TOKEN_PREFIX } from './tokens.js';

export type NextFunction = (error?: unknown) => void;
export type ApiRequestHandler = (req: IncomingMessage, res: ServerResponse, next?: NextFunction) => void;

/** Every route of the API (the OpenAPI test walks them). */
export function createApiRouter(): ApiRouter {
  const router = new Router<ApiRoute>();
  registerMonitorRoutes(router);
  registerResultRoutes(router);
  registerPingRoutes(router);
  registerUptimeRoutes(router);
  registerIncidentRoutes(router);
  registerStatusIncidentRoutes(router);
  registerMaintenanceRoutes(router);
  registerEventRoutes(router);
  registerNotificationRoutes(router);
  registerAuditRoutes(router);
  registerTokenRoutes(router);
  registerChannelRoutes(router);
  registerJobRoutes(router);
  registerAgentRoutes(router);
  registerOpenApiRoute(router);
  return router;
}

/** Whether a request path belongs to the API. */
export function isApiPath(path: string): boolean {
  return path === API_PREFIX || path.startsWith(`${API_PREFIX}/`);
}

/**
 * Refuses a caller the route's access does not admit: 401 without a token, 403 when its scope is too narrow — and an
 * agent token everywhere but the agent endpoints, public routes included.
 */
export function authorize(caller: Caller, access: RouteAccess, what: string): void {
  if (access === 'public') {
    if (caller.kind === 'token' && isAgentCaller(caller)) throw scopeTooNarrow(caller.token, 'read', what);
    return;
  }
  if (caller.kind === 'anonymous') throw tokenRequired();
  if (!scopeIncludes(caller.token.scope, access)) throw scopeTooNarrow(caller.token, access, what);
}

/** Without `channels`: none configured. */
const NO_CHANNELS: ChannelControl = { list: () => [], test: () => Promise.resolve(undefined) };

export function createApiHandler(deps: ApiDeps): ApiRequestHandler {
  const resolved: ResolvedDeps = {
    store: deps.store,
    monitors: deps.monitors,
    control: deps.control,
    statusIncidents: deps.statusIncidents,
    feed: deps.feed,
    corsOrigins: deps.corsOrigins,
    now: deps.now ?? Date.now,
    maxBodyBytes: deps.maxBodyBytes ?? DEFAULT_BODY_LIMIT,
    logger: deps.logger ?? silentLogger,
    maintenance: deps.maintenance ?? NO_MAINTENANCE,
    channels: deps.channels ?? NO_CHANNELS,
    jobConnections: deps.jobConnections ?? (() => []),
    jobTimeoutMs: deps.jobTimeoutMs ?? DEFAULT_TIMEOUT_MS,
    agents: deps.agents ?? NO_AGENTS,
  };
  const logger = resolved.logger;
  const router = createApiRouter();
  const cors = createCorsPolicy(resolved.corsOrigins);
  const authenticate = createAuthenticator({
    ...(deps.sessions ? { sessions: deps.sessions } : {}),
    store: resolved.store,
    now: resolved.now,
    onTouchError: (error) =>
      logger.error({ event: 'token_touch_failed', error: describeError(error) }, "recording a token's use failed"),
  });

  const handle = async (req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams) => {
    const method = (req.method ?? 'GET').toUpperCase();
    const origin = typeof req.headers.origin === 'string' ? req.headers.origin : undefined;
    const corsHeaders = cors.headersFor(origin);
    const reply = async (): Promise<Reply> => {
      const requested = req.headers['access-control-request-method'];
      if (method === 'OPTIONS') {
        const allowed = router.allowedMethods(path);
        if (allowed.length === 0) throw notFoundRoute(method, path);
        if (typeof requested !== 'string') return noContent({ Allow: allowed.join(', ') });
        const requestHeaders = req.headers['access-control-request-headers'];
        return noContent({
          Allow: allowed.join(', '),
          ...cors.preflight({
            origin,
            method: requested,
            headers: Array.isArray(requestHeaders) ? requestHeaders.join(',') : requestHeaders,
            allowed,
          }),
        });
      }
      const match = router.match(method, path);
      if (match.kind === 'not-found') throw notFoundRoute(method, path);
      if (match.kind === 'method-not-allowed') {
        throw new HttpError(
          405,
          'method_not_allowed',
          `${shownMethod(method)} is not allowed on ${shownPath(path)} (allowed: ${match.allowed.join(', ')})`,
          { Allow: match.allowed.join(', ') },
        );
      }
      const caller = await authenticate(req);
      authorize(caller, match.handler.access, `${method} ${match.route.pattern}`);
      // Bodies are only read by the routes that take one; a declared oversize body is refused everywhere.
      checkDeclaredLength(req, resolved.maxBodyBytes);
      const ctx: ApiContext = {
        req,
        params: match.params,
        query,
        caller,
        deps: resolved,
        json: () => readJsonBody(req, resolved.maxBodyBytes),
      };
      return match.handler.handle(ctx);
    };
    let answer: Reply;
    try {
      answer = await reply();
    } catch (error) {
      const known = httpErrorOf(error);
      if (known) answer = errorReply(known);
      else {
        logger.error({ event: 'request_failed', method, path, error: describeError(error) }, `${method} ${path} failed`);
        answer = internalErrorReply();
      }
    }
    writeReply(req, res, answer, corsHeaders);
  };

  return (req, res, next) => {
    let target: ReturnType<typeof parseRequestTarget>;
    try {
      target = parseRequestTarget(req.url);
    } catch {
      target = { path: '/', query: new URLSearchParams() };
    }
    if (!isApiPath(target.path)) {
      if (next) next();
      else writeReply(req, res, errorReply(notFoundRoute(req.method ?? 'GET', target.path)));
      return;
    }
    handle(req, res, target.path, target.query).catch((error: unknown) => {
      logger.error({ event: 'response_failed', path: target.path, error: describeError(error) }, 'writing a response failed');
      if (!res.headersSent) writeReply(req, res, internalErrorReply());
      else res.destroy();
    });
  };
}

function notFoundRoute(method: string, path: string): HttpError {
  return new HttpError(
    404,
    'not_found',
    `no route for ${shownMethod(method)} ${shownPath(path)}: the routes are listed in ${API_PREFIX}/openapi.json`,
  );
}

const shownMethod = (method: string) => (/^[A-Za-z-]{1,20}$/.test(method) ? method.toUpperCase() : quote(method, 20));
const shownPath = (path: string) => (path.length > 200 ? `${path.slice(0, 200)}…` : path);

