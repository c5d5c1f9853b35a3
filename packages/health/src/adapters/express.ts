import type { Health } from '../health.js';
import { type NodeMiddleware, nodeHandler } from '../node.js';

/**
 * Express (4 and 5) / Connect middleware: answers the health paths and calls `next()` for anything else.
 * Express rewrites `req.url` relative to the mount point, so `app.use('/ops', expressHealth(health))` serves
 * `/ops/health`. Typed with `node:http` types only, so `@types/express` is not needed.
 */
export function expressHealth(health: Health): NodeMiddleware {
  return nodeHandler(health);
}
