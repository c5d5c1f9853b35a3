/**
 * The admin dashboard over HTTP, under /admin: server-rendered pages for people signed in with a session, a small
 * script for live updates and for writes. Every write goes through the REST API with the session cookie and the
 * page's CSRF token (the API checks both), so the dashboard can do nothing the API would refuse.
 *
 *   GET  /admin/login, POST /admin/login       sign in with an API token (slowed down after failures)
 *   POST /admin/logout                         sign out (CSRF token in the form)
 *   GET  /admin                                monitors            GET /admin/monitors/<id>[/edit], /admin/monitors/new
 *   GET  /admin/incidents, /notifications, /jobs, /tokens
 *   GET  /admin/assets/<file>                  the script and style sheet, content-hashed
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { redactDefinition } from '../api/redact.js';
import type { MaintenanceEntry, MonitorView } from '../api/types.js';
import type { SourcePosition } from '../config/index.js';
import { readBody } from '../http/body.js';
import { HttpError } from '../http/errors.js';
import { describeError, type Logger } from '../log/logger.js';
import type { CheckResult } from '../model.js';
import { loadAsset, sendAsset, type Asset } from '../status-page/assets.js';
import { CompressedBody } from '../status-page/compressed.js';
import { DELIVERY_STATUSES, type DeliveryStatus, type Store } from '../store/store.js';
import { HOUR_MS } from '../store/time.js';
import { ADMIN_PREFIX, escapeHtml, layout, type Section } from './layout.js';
import { renderEditPage } from './pages/edit.js';
import { type IncidentsPageInput, renderIncidentsPage } from './pages/incidents.js';
import { renderJobsPage } from './pages/jobs.js';
import { renderLoginPage } from './pages/login.js';
import { averagePhases, LATENCY_RANGES, type LatencyPoint, type LatencyRange, renderMonitorPage } from './pages/monitor.js';
import { filtersOf, renderMonitorsPage, selectMonitors } from './pages/monitors.js';
import { renderNotificationsPage } from './pages/notifications.js';
import { renderTokensPage } from './pages/tokens.js';
import { cookieHeader, cookieOf, isSecureRequest, sameSecret, SESSION_COOKIE, type Session, type Sessions } from './session.js';
import { SignInThrottle } from './throttle.js';

export const ASSETS_PREFIX = `${ADMIN_PREFIX}/assets/`;
const LOGIN_COOKIE = 'vigil_login';
/** Raw results read for the 24-hour chart and the phase averages. */
const RAW_RESULTS_MAX = 3000;

export interface AdminDeps {
  store: Store;
  sessions: Sessions;
  views: () => MonitorView[];
  view: (id: string) => MonitorView | undefined;
  /** Where a configuration monitor is defined. */
  monitorSource: (id: string) => SourcePosition | undefined;
  channels: () => readonly { name: string; type: string }[];
  jobConnections: () => readonly { id: string; name: string; target: string }[];
  maintenance: () => readonly MaintenanceEntry[];
  logger: Logger;
  now?: () => number;
  throttle?: SignInThrottle;
}

const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const HTML_HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

/** Whether a path belongs to the dashboard. */
export function isAdminPath(path: string): boolean {
  return path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`);
}

/** A place to go back to after signing in: only a dashboard path (never another site). */
function safeNext(raw: string | null | undefined): string {
  return raw && /^\/admin(\/[\w\-./%?=&]*)?$/.test(raw) && !raw.includes('//') ? raw : ADMIN_PREFIX;
}

function redirect(res: ServerResponse, location: string, cookies: string[] = []): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', ...(cookies.length ? { 'set-cookie': cookies } : {}) });
  res.end();
}

export function createAdminHandler(deps: AdminDeps): { handle: Handler } {
  const now = deps.now ?? Date.now;
  const throttle = deps.throttle ?? new SignInThrottle({ now });
  let assets: { script: Asset; style: Asset } | undefined;
  const loadAssets = () =>
    (assets ??= {
      script: loadAsset('admin.js', 'text/javascript; charset=utf-8', ASSETS_PREFIX),
      style: loadAsset('admin.css', 'text/css; charset=utf-8', ASSETS_PREFIX),
    });

  async function sendPage(req: IncomingMessage, res: ServerResponse, status: number, title: string, main: string, options: { section?: Section; session?: Session; cookies?: string[] } = {}) {
    const { script, style } = loadAssets();
    const html = layout({ title, main, assets: { script: script.path, style: style.path }, ...(options.section ? { section: options.section } : {}), ...(options.session ? { session: options.session } : {}) });
    const body = new CompressedBody(Buffer.from(html, 'utf8'));
    const { encoding, data } = await body.encoded(req);
    res.writeHead(status, {
      ...HTML_HEADERS,
      vary: 'Accept-Encoding',
      ...(encoding ? { 'content-encoding': encoding } : {}),
      'content-length': String(data.length),
      ...(options.cookies?.length ? { 'set-cookie': options.cookies } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  }

  const loginCookie = (req: IncomingMessage, value: string, maxAgeS: number) => cookieHeader(LOGIN_COOKIE, value, { maxAgeS, secure: isSecureRequest(req) });

  async function showLogin(req: IncomingMessage, res: ServerResponse, status: number, next: string, message?: string) {
    const formToken = randomBytes(16).toString('base64url');
    await sendPage(req, res, status, 'Sign in', renderLoginPage({ next, formToken, ...(message ? { message } : {}) }), { cookies: [loginCookie(req, formToken, 3600)] });
  }

  async function signIn(req: IncomingMessage, res: ServerResponse) {
    const address = req.socket.remoteAddress ?? 'unknown';
    const form = new URLSearchParams((await readBody(req, 8192)).toString('utf8'));
    const next = safeNext(form.get('next'));
    const wait = throttle.waitFor(address);
    if (wait > 0) {
      const seconds = Math.ceil(wait / 1000);
      res.setHeader('retry-after', String(seconds));
      return showLogin(req, res, 429, next, `Too many failed sign-ins from your address: wait ${seconds} s and try again.`);
    }
    const expected = cookieOf(req, LOGIN_COOKIE);
    const given = form.get('_login') ?? '';
    if (expected === undefined || !sameSecret(given, expected)) {
      return showLogin(req, res, 403, next, 'The sign-in form expired or came from another site: try again.');
    }
    const signedIn = await deps.sessions.signIn((form.get('token') ?? '').trim());
    if (!signedIn) {
      throttle.failed(address);
      deps.logger.warn({ event: 'admin_sign_in_failed', address }, 'a dashboard sign-in failed');
      // The same answer for an unknown, revoked or malformed token; a little later, to slow guessing down.
      await new Promise((resolve) => setTimeout(resolve, 250));
      return showLogin(req, res, 401, next, 'Sign-in failed: this is not a valid API token.');
    }
    throttle.succeeded(address);
    if (signedIn.session.token.scope === 'agent') {
      // A valid token, made for `vigil agent` only: it opens nothing else, the dashboard included.
      return showLogin(req, res, 403, next, 'This token has scope agent: it may only fetch the monitors of its location and send their results (vigil agent). Sign in with a token of scope read, write or admin.');
    }
    deps.logger.info({ event: 'admin_signed_in', token: signedIn.session.token.id }, `dashboard sign-in with token ${signedIn.session.token.name}`);
    const secure = isSecureRequest(req);
    redirect(res, next, [
      cookieHeader(SESSION_COOKIE, signedIn.cookie, { maxAgeS: deps.sessions.ttlMs / 1000, secure }),
      cookieHeader(LOGIN_COOKIE, '', { maxAgeS: 0, secure }),
    ]);
  }

  async function signOut(req: IncomingMessage, res: ServerResponse) {
    const form = new URLSearchParams((await readBody(req, 8192)).toString('utf8'));
    const session = await deps.sessions.verify(cookieOf(req, SESSION_COOKIE));
    if (session) {
      if (!sameSecret(form.get('_csrf') ?? '', session.csrf)) {
        return sendPage(req, res, 403, 'Refused', '<h1>Refused</h1><p>The CSRF token is missing or wrong: reload the page and try again.</p>');
      }
      deps.sessions.signOut(session);
    }
    redirect(res, `${ADMIN_PREFIX}/login`, [cookieHeader(SESSION_COOKIE, '', { maxAgeS: 0, secure: isSecureRequest(req) })]);
  }

  async function monitorsPage(req: IncomingMessage, res: ServerResponse, session: Session, query: URLSearchParams) {
    const views = deps.views();
    const filters = filtersOf(query);
    const selection = selectMonitors(views, filters);
    const { shown } = selection;
    const to = now();
    const hours = await deps.store.hourlySummaries(shown.map((view) => view.id), to - 24 * HOUR_MS, to);
    const uptime = new Map<string, number | undefined>();
    for (const [id, byHour] of hours) {
      let checks = 0;
      let failures = 0;
      for (const summary of byHour.values()) {
        checks += summary.checks;
        failures += summary.failures;
      }
      uptime.set(id, checks === 0 ? undefined : (checks - failures) / checks);
    }
    const main = renderMonitorsPage({ views, selection, uptime, filters, canWrite: canWrite(session) });
    await sendPage(req, res, 200, 'Monitors', main, { section: 'monitors', session });
  }

  async function monitorPage(req: IncomingMessage, res: ServerResponse, session: Session, view: MonitorView, query: URLSearchParams) {
    const raw = query.get('range') ?? '24h';
    const range: LatencyRange = raw in LATENCY_RANGES ? (raw as LatencyRange) : '24h';
    const to = now();
    const from = to - LATENCY_RANGES[range];
    const [results, summary, incidents, notifications, pings] = await Promise.all([
      deps.store.latestResults(view.id, RAW_RESULTS_MAX),
      deps.store.summary(view.id, from, to),
      deps.store.incidents({ monitorId: view.id, limit: 20 }),
      deps.store.notifications({ monitorId: view.id, limit: 20 }),
      view.type === 'heartbeat' ? deps.store.recentPings(view.id, 20) : Promise.resolve(undefined),
    ]);
    const inRange = results.filter((result) => result.at >= from);
    let latency: LatencyPoint[];
    if (range === '24h') latency = inRange.map((result: CheckResult) => ({ at: result.at, avg: result.latencyMs })).reverse();
    else {
      const hours = (await deps.store.hourlySummaries([view.id], from, to, { p95: true })).get(view.id) ?? new Map();
      latency = [...hours]
        .sort(([a], [b]) => a - b)
        .filter(([, s]) => s.latencyAvgMs !== undefined)
        .map(([at, s]) => ({ at, avg: s.latencyAvgMs as number, ...(s.latencyP95Ms === undefined ? {} : { p95: s.latencyP95Ms }) }));
    }
    const source = view.source === 'config' ? deps.monitorSource(view.id) : undefined;
    const main = renderMonitorPage({
      view,
      ...(source ? { source } : {}),
      results,
      range,
      latency,
      phases: averagePhases(inRange),
      summary,
      incidents,
      notifications,
      ...(pings ? { pings } : {}),
      canWrite: canWrite(session),
      now: to,
    });
    await sendPage(req, res, 200, view.name, main, { section: 'monitors', session });
  }

  async function incidentsPage(req: IncomingMessage, res: ServerResponse, session: Session) {
    const [recent, statusIncidents] = await Promise.all([
      deps.store.incidents({ limit: 500 }),
      deps.store.statusIncidents({ limit: 50, since: now() - 7 * 24 * HOUR_MS }),
    ]);
    const maintenance = deps.maintenance();
    const input: IncidentsPageInput = {
      open: recent.filter((incident) => incident.endedAt === undefined),
      statusIncidents,
      maintenance,
      monitors: deps.views(),
      canWrite: canWrite(session),
      now: now(),
    };
    await sendPage(req, res, 200, 'Incidents', renderIncidentsPage(input), { section: 'incidents', session });
  }

  async function notificationsPage(req: IncomingMessage, res: ServerResponse, session: Session, query: URLSearchParams) {
    const status = query.get('status') ?? '';
    const before = Number(query.get('before') ?? '');
    const limit = 100;
    const notifications = await deps.store.notifications({
      limit,
      ...(Number.isSafeInteger(before) && before > 0 ? { before } : {}),
      ...((DELIVERY_STATUSES as readonly string[]).includes(status) ? { status: status as DeliveryStatus } : {}),
    });
    const next = notifications.length === limit ? notifications.at(-1)?.id : undefined;
    const main = renderNotificationsPage({
      notifications,
      channels: deps.channels(),
      status: (DELIVERY_STATUSES as readonly string[]).includes(status) ? status : '',
      canWrite: canWrite(session),
      ...(next === undefined ? {} : { next }),
    });
    await sendPage(req, res, 200, 'Alerts', main, { section: 'notifications', session });
  }

  async function route(req: IncomingMessage, res: ServerResponse, path: string, query: URLSearchParams): Promise<void> {
    const method = req.method ?? 'GET';
    if (path.startsWith(ASSETS_PREFIX)) {
      const { script, style } = loadAssets();
      const asset = [script, style].find((candidate) => candidate.path === path);
      if (!asset) return notFound(res);
      return sendAsset(req, res, asset, asset.etag);
    }
    if (path === `${ADMIN_PREFIX}/login`) {
      if (method === 'POST') return signIn(req, res);
      const session = await deps.sessions.verify(cookieOf(req, SESSION_COOKIE));
      if (session) return redirect(res, safeNext(query.get('next')));
      return showLogin(req, res, 200, safeNext(query.get('next')));
    }
    if (path === `${ADMIN_PREFIX}/logout` && method === 'POST') return signOut(req, res);
    if (method !== 'GET' && method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' });
      return void res.end('method not allowed\n');
    }
    const session = await deps.sessions.verify(cookieOf(req, SESSION_COOKIE));
    if (!session) {
      const target = `${path}${query.size ? `?${query.toString()}` : ''}`;
      return redirect(res, `${ADMIN_PREFIX}/login?next=${encodeURIComponent(target)}`);
    }
    if (path === ADMIN_PREFIX) return monitorsPage(req, res, session, query);
    if (path === `${ADMIN_PREFIX}/incidents`) return incidentsPage(req, res, session);
    if (path === `${ADMIN_PREFIX}/notifications`) return notificationsPage(req, res, session, query);
    if (path === `${ADMIN_PREFIX}/jobs`) {
      return sendPage(req, res, 200, 'Jobs', renderJobsPage({ connections: deps.jobConnections(), canWrite: canWrite(session) }), { section: 'jobs', session });
    }
    if (path === `${ADMIN_PREFIX}/tokens`) {
      if (session.token.scope !== 'admin') {
        return sendPage(req, res, 403, 'Tokens', '<h1>API tokens</h1><p>Managing tokens needs a token of scope <code>admin</code>; this session has <code>' + session.token.scope + '</code>.</p>', { section: 'tokens', session });
      }
      return sendPage(req, res, 200, 'Tokens', renderTokensPage(await deps.store.listTokens(), session.token.id), { section: 'tokens', session });
    }
    if (path === `${ADMIN_PREFIX}/monitors/new`) {
      if (!canWrite(session)) return forbidden(req, res, session);
      return sendPage(req, res, 200, 'New monitor', renderEditPage({}), { section: 'monitors', session });
    }
    const monitor = /^\/admin\/monitors\/([^/]+)(\/edit)?$/.exec(path);
    if (monitor) {
      let id: string;
      try {
        id = decodeURIComponent(monitor[1] as string);
      } catch {
        return notFound(res);
      }
      const view = deps.view(id);
      if (!view) return sendPage(req, res, 404, 'Not found', `<h1>Not found</h1><p>No monitor with id <code>${escapeHtml(id)}</code>. <a href="${ADMIN_PREFIX}">All monitors</a></p>`, { section: 'monitors', session });
      if (!monitor[2]) return monitorPage(req, res, session, view, query);
      if (!canWrite(session)) return forbidden(req, res, session);
      if (view.source !== 'api') {
        const where = deps.monitorSource(view.id);
        return sendPage(req, res, 409, 'Read-only', `<h1>${escapeHtml(view.name)} is read-only here</h1><p>It comes from the configuration file <code>${escapeHtml(where ? `${where.file}:${where.line}` : 'unknown')}</code>: edit it there and reload.</p>`, { section: 'monitors', session });
      }
      const definition = view.definition ? redactDefinition(view.definition) : undefined;
      return sendPage(req, res, 200, `Edit ${view.name}`, renderEditPage({ monitor: view, ...(definition ? { definition } : {}) }), { section: 'monitors', session });
    }
    return notFound(res);
  }

  const forbidden = (req: IncomingMessage, res: ServerResponse, session: Session) =>
    sendPage(req, res, 403, 'Refused', `<h1>Refused</h1><p>This needs a token of scope <code>write</code> or <code>admin</code>; this session has <code>${session.token.scope}</code>.</p>`, { session });

  const handle: Handler = (req, res, next) => {
    const [rawPath = '/', rawQuery = ''] = (req.url ?? '/').split('?', 2);
    const path = rawPath.length > 1 && rawPath.endsWith('/') ? rawPath.slice(0, -1) : rawPath;
    if (!isAdminPath(path)) return next();
    route(req, res, path, new URLSearchParams(rawQuery)).catch((error: unknown) => {
      if (error instanceof HttpError && !res.headersSent) {
        res.writeHead(error.status, { 'content-type': 'text/plain; charset=utf-8', ...error.headers });
        return void res.end(`${error.message}\n`);
      }
      deps.logger.error({ event: 'admin_request_failed', path, error: describeError(error) }, 'a dashboard request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal error: the server logged the details\n');
      } else res.destroy();
    });
  };
  return { handle };
}

function canWrite(session: Session): boolean {
  return session.token.scope !== 'read';
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
}
