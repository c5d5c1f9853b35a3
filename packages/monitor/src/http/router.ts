/**
 * A small router: routes are a method and a path pattern with `:params` (one segment each). It answers which
 * route matches, or which methods the path allows (for 405 and preflights), and lists its routes so the
 * OpenAPI document can be checked against them.
 */
import { badRequest } from './errors.js';

export const ROUTE_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
export type RouteMethod = (typeof ROUTE_METHODS)[number];

export interface RouteInfo {
  method: RouteMethod;
  /** `/api/v1/monitors/:id`. */
  pattern: string;
}

interface Route<H> extends RouteInfo {
  segments: readonly string[];
  handler: H;
}

export type RouteMatch<H> =
  | { kind: 'found'; route: RouteInfo; handler: H; params: Record<string, string> }
  /** The path exists, the method does not: `allowed` is the value of the `Allow` header. */
  | { kind: 'method-not-allowed'; allowed: string[] }
  | { kind: 'not-found' };

const PARAM = /^:([A-Za-z_][A-Za-z0-9_]*)$/;

function split(path: string): string[] {
  return path.split('/').slice(1);
}

/** The path and the query of a request target (`/a/b?x=1`, or the absolute form a proxy may send). */
export function parseRequestTarget(target: string | undefined): { path: string; query: URLSearchParams } {
  let raw = target ?? '/';
  if (!raw.startsWith('/')) {
    try {
      const url = new URL(raw);
      raw = `${url.pathname}${url.search}`;
    } catch {
      raw = '/';
    }
  }
  const hash = raw.indexOf('#');
  if (hash >= 0) raw = raw.slice(0, hash);
  const mark = raw.indexOf('?');
  const path = mark >= 0 ? raw.slice(0, mark) : raw;
  const query = new URLSearchParams(mark >= 0 ? raw.slice(mark + 1) : '');
  // One trailing slash is forgiven: `/api/v1/monitors/` is `/api/v1/monitors`.
  return { path: path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path, query };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest('malformed percent-encoding in the URL path');
  }
}

export class Router<H> {
  readonly #routes: Route<H>[] = [];

  add(method: RouteMethod, pattern: string, handler: H): this {
    if (!pattern.startsWith('/')) throw new Error(`route pattern must start with "/": ${pattern}`);
    const segments = split(pattern);
    if (this.#routes.some((route) => route.method === method && route.pattern === pattern)) {
      throw new Error(`route ${method} ${pattern} is registered twice`);
    }
    this.#routes.push({ method, pattern, segments, handler });
    return this;
  }

  /** Every route with its handler, in registration order. */
  get routes(): readonly (RouteInfo & { handler: H })[] {
    return this.#routes.map(({ method, pattern, handler }) => ({ method, pattern, handler }));
  }

  #params(route: Route<H>, segments: readonly string[]): Record<string, string> | undefined {
    if (route.segments.length !== segments.length) return undefined;
    const params: Record<string, string> = {};
    for (let i = 0; i < segments.length; i++) {
      const expected = route.segments[i] as string;
      const actual = segments[i] as string;
      const param = PARAM.exec(expected);
      if (param) {
        if (actual === '') return undefined;
        params[param[1] as string] = decodeSegment(actual);
      } else if (expected !== actual) return undefined;
    }
    return params;
  }

  /** HEAD is answered by the GET route. */
  match(method: string, path: string): RouteMatch<H> {
    const segments = split(path);
    const wanted = method === 'HEAD' ? 'GET' : method;
    const allowed = new Set<string>();
    let found: RouteMatch<H> | undefined;
    for (const route of this.#routes) {
      const params = this.#params(route, segments);
      if (!params) continue;
      allowed.add(route.method);
      if (!found && route.method === wanted) {
        const info = { method: route.method, pattern: route.pattern };
        found = { kind: 'found', route: info, handler: route.handler, params };
      }
    }
    if (found) return found;
    if (allowed.size === 0) return { kind: 'not-found' };
    return { kind: 'method-not-allowed', allowed: allowHeader(allowed) };
  }

  /** The methods a path allows (empty when no route has the path). */
  allowedMethods(path: string): string[] {
    const result = this.match('\u0000', path);
    return result.kind === 'method-not-allowed' ? result.allowed : [];
  }
}

function allowHeader(methods: ReadonlySet<string>): string[] {
  const out = [...methods];
  if (methods.has('GET')) out.splice(out.indexOf('GET') + 1, 0, 'HEAD');
  out.push('OPTIONS');
  return out;
}
