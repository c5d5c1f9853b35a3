import type { Health } from '../health.js';

/** The part of a Hono context the adapter uses; Hono's own `Context` satisfies it. */
export interface HonoHealthContext {
  req: { raw: Request };
}

export type HonoHealthMiddleware = (c: HonoHealthContext, next: () => Promise<void>) => Promise<Response | undefined>;

/**
 * Hono middleware (`app.use(honoHealth(health))`): answers the health paths with a web `Response` and calls
 * `next()` for anything else. Hono does not rewrite the URL for sub-apps, so the paths are matched against the
 * full request path: configure `createHealth({ paths })` with the full paths when mounting under a prefix.
 */
export function honoHealth(health: Health): HonoHealthMiddleware {
  return async (c, next) => {
    const raw = c.req.raw;
    const url = new URL(raw.url);
    const response = await health.handle({
      // Hono dispatches HEAD as GET; the raw request still says HEAD.
      method: raw.method,
      url: url.pathname + url.search,
      headers: Object.fromEntries(raw.headers),
      raw: c,
    });
    if (!response) {
      await next();
      return undefined;
    }
    return new Response(raw.method === 'HEAD' ? null : response.body, {
      status: response.status,
      headers: response.headers,
    });
  };
}
