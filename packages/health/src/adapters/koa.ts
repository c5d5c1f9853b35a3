import type { Health } from '../health.js';

/** The part of a Koa context the adapter uses; Koa's own `Context` satisfies it. */
export interface KoaHealthContext {
  method: string;
  /** Path and query as seen by the mount point (koa-mount rewrites it). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  status: number;
  body: unknown;
  set(fields: Record<string, string>): void;
}

export type KoaHealthMiddleware = (ctx: KoaHealthContext, next: () => Promise<unknown>) => Promise<void>;

/** Koa middleware: answers the health paths and awaits `next()` for anything else. */
export function koaHealth(health: Health): KoaHealthMiddleware {
  return async (ctx, next) => {
    const response = await health.handle({ method: ctx.method, url: ctx.url, headers: ctx.headers, raw: ctx });
    if (!response) {
      await next();
      return;
    }
    ctx.status = response.status;
    // Headers before the body: Koa only infers a content type when none is set yet.
    ctx.set(response.headers);
    // Koa itself drops the body of a HEAD response and keeps its Content-Length.
    ctx.body = response.body;
  };
}
