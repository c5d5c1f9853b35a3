import type { Health, HealthPaths } from '../health.js';

/** The part of a Fastify request the plugin uses. */
export interface FastifyHealthRequest {
  method: string;
  /** Raw URL, query included. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The part of a Fastify reply the plugin uses. */
export interface FastifyHealthReply {
  code(statusCode: number): unknown;
  headers(values: Record<string, string>): unknown;
  send(payload: Uint8Array): unknown;
  callNotFound(): unknown;
}

/** The part of a Fastify instance the plugin uses; Fastify's own instance satisfies it. */
export interface FastifyHealthInstance {
  /** The route prefix of the scope the plugin is registered in. */
  readonly prefix: string;
  route(options: {
    method: string | string[];
    url: string;
    exposeHeadRoute?: boolean;
    handler: (request: FastifyHealthRequest, reply: FastifyHealthReply) => Promise<unknown>;
  }): unknown;
}

export interface FastifyHealthOptions {
  health: Health;
  /** Fastify needs routes up front; default: the paths given to `createHealth`. */
  paths?: HealthPaths;
}

export type FastifyHealthPlugin = (instance: FastifyHealthInstance, options: FastifyHealthOptions) => Promise<void>;

async function plugin(instance: FastifyHealthInstance, options: FastifyHealthOptions): Promise<void> {
  const { health, paths = health.paths } = options;
  const readyz = paths.readyz ?? '/readyz';
  // /metrics comes from the Health unless given: it may be turned off there (`paths.metrics: false`).
  const metrics = paths.metrics === undefined ? health.paths.metrics : paths.metrics;
  const urls = [paths.health ?? '/health', paths.livez ?? '/livez', readyz, metrics].filter(
    (p) => typeof p === 'string',
  );
  if (typeof readyz === 'string') urls.push(`${readyz}/:name`);
  const prefix = instance.prefix;

  const handler = async (request: FastifyHealthRequest, reply: FastifyHealthReply) => {
    // Health matches paths relative to where it is mounted, like Express does for `app.use('/ops', …)`.
    const url = prefix && request.url.startsWith(prefix) ? request.url.slice(prefix.length) : request.url;
    const response = await health.handle({ method: request.method, url, headers: request.headers, raw: request });
    if (!response) return reply.callNotFound();
    reply.code(response.status);
    reply.headers(response.headers);
    // A Buffer, because Fastify appends `; charset=utf-8` to JSON media types sent as strings.
    return reply.send(Buffer.from(response.body));
  };
  // Per route, so HEAD keeps working when the app turned `exposeHeadRoutes` off; Fastify strips the HEAD body.
  for (const url of urls) instance.route({ method: 'GET', url, exposeHeadRoute: true, handler });
}

/**
 * Fastify plugin: `app.register(fastifyHealth, { health })`. Registers GET (and HEAD) routes for the health paths
 * and /metrics.
 * Like `fastify-plugin` it skips encapsulation, so the routes land in the scope that registers it (its prefix
 * included) without depending on that package.
 */
export const fastifyHealth: FastifyHealthPlugin = Object.assign(plugin, {
  [Symbol.for('skip-override')]: true,
  [Symbol.for('fastify.display-name')]: '@vigil/health',
});
