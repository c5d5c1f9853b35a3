import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Health } from './health.js';
import type { HealthRequest, HealthResponse } from './request.js';

export type NodeMiddleware = (req: IncomingMessage, res: ServerResponse, next?: (error?: unknown) => void) => void;

/** A HealthRequest over a node request; a class so the lazy `headers` getter stays on a fast prototype. */
class NodeHealthRequest implements HealthRequest {
  readonly method: string;
  readonly url: string;
  constructor(readonly raw: IncomingMessage) {
    this.method = raw.method ?? 'GET';
    this.url = raw.url ?? '/';
  }
  // Node builds req.headers lazily; most health requests never need it.
  get headers() {
    return this.raw.headers;
  }
}

export function fromNodeRequest(req: IncomingMessage): HealthRequest {
  return new NodeHealthRequest(req);
}

export function writeNodeResponse(
  req: { method?: string | undefined },
  res: ServerResponse,
  response: HealthResponse,
): void {
  res.statusCode = response.status;
  for (const name in response.headers) res.setHeader(name, response.headers[name]!);
  // Content-Length even for HEAD, which has no body: it tells the client what GET would send.
  res.setHeader('content-length', Buffer.byteLength(response.body));
  res.end(req.method === 'HEAD' ? undefined : response.body);
}

/**
 * A `node:http` request listener that is also Connect/Express middleware: health paths are answered, anything
 * else goes to `next` (or gets a 404 when there is no `next`, i.e. a bare `http.createServer(handler)`).
 */
export function nodeHandler(health: Health): NodeMiddleware {
  const notFound: HealthResponse = {
    status: 404,
    headers: { 'content-type': 'text/plain; charset=utf-8' },
    body: 'not found\n',
  };
  const answer = (
    req: IncomingMessage,
    res: ServerResponse,
    next: ((error?: unknown) => void) | undefined,
    response: HealthResponse | undefined,
  ) => {
    if (response) writeNodeResponse(req, res, response);
    else if (next) next();
    else writeNodeResponse(req, res, notFound);
  };
  return (req, res, next) => {
    const response = health.dispatch(fromNodeRequest(req));
    if (response instanceof Promise) {
      response.then(
        (r) => answer(req, res, next, r),
        (error: unknown) => (next ? next(error) : res.destroy()),
      );
    } else {
      answer(req, res, next, response);
    }
  };
}
