/**
 * What a route handler gets (the request, its params and query, who is calling, the dependencies), and the
 * rules every resource shares: which monitors a caller may see, and how query parameters are read.
 */
import type { IncomingMessage } from 'node:http';
import type { Caller } from '../http/auth.js';
import type { Actor, TokenScope } from '../store/store.js';
import { badRequest, notFound, quote } from '../http/errors.js';
import type { Reply } from '../http/json.js';
import type { Router } from '../http/router.js';
import type { ApiDeps, MonitorView } from './types.js';

export const API_PREFIX = '/api/v1';

export type ResolvedDeps = Required<Omit<ApiDeps, 'sessions'>>;

export interface ApiContext {
  req: IncomingMessage;
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  caller: Caller;
  deps: ResolvedDeps;
  /** The request body as JSON (415 / 413 / 400 when it is not acceptable). */
  json(): Promise<unknown>;
}

export type ApiHandler = (ctx: ApiContext) => Promise<Reply> | Reply;

/**
 * Who may call a route: `public` — anyone (anonymous callers see public monitors only) but an agent token — or a
 * token with at least this scope (`read` < `write` < `admin`), or `agent`: an agent token, or an admin one (see
 * `scopeIncludes`). Checked before the handler runs; the OpenAPI document says the same.
 */
export type RouteAccess = 'public' | TokenScope;

export interface ApiRoute {
  access: RouteAccess;
  handle: ApiHandler;
}

export type ApiRouter = Router<ApiRoute>;

export const route = (access: RouteAccess, handle: ApiHandler): ApiRoute => ({ access, handle });

/** Token holders (any scope) see every monitor; anonymous callers only public ones. */
export function seesEverything(caller: Caller): boolean {
  return caller.kind === 'token';
}

/** Who makes a change, for the audit log. */
export function actorOf(caller: Caller): Actor {
  if (caller.kind === 'anonymous') throw new Error('an anonymous caller cannot change anything');
  return { tokenId: caller.token.id, name: caller.token.name };
}

export function visibleMonitors(ctx: ApiContext): MonitorView[] {
  const all = ctx.deps.monitors();
  return seesEverything(ctx.caller) ? [...all] : all.filter((monitor) => monitor.public);
}

/** The same answer for a monitor that does not exist and one the caller may not see. */
export function noSuchMonitor(id: string) {
  return notFound(`no monitor with id ${quote(id)}`);
}

export function findMonitor(ctx: ApiContext, id: string): MonitorView {
  const monitor = ctx.deps.monitors().find((m) => m.id === id);
  if (!monitor || (!monitor.public && !seesEverything(ctx.caller))) throw noSuchMonitor(id);
  return monitor;
}

/** A query parameter given at most once. */
export function singleParam(query: URLSearchParams, name: string): string | undefined {
  const values = query.getAll(name);
  if (values.length > 1) throw badRequest(`query parameter ${name} is given more than once`);
  return values[0];
}

/** A whole-number query parameter within [min, max]; 400 otherwise. */
export function intParam(
  query: URLSearchParams,
  name: string,
  options: { default: number; min: number; max: number },
): number {
  const raw = singleParam(query, name);
  if (raw === undefined || raw === '') return options.default;
  const value = /^\d{1,10}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(value) || value < options.min || value > options.max) {
    throw badRequest(`${name} must be a whole number from ${options.min} to ${options.max}, not ${quote(raw, 20)}`);
  }
  return value;
}

/** Epoch milliseconds → ISO 8601, or null. */
export function isoTime(ms: number | undefined): string | null {
  return ms === undefined || !Number.isFinite(ms) ? null : new Date(ms).toISOString();
}
