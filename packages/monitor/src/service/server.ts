/**
 * The HTTP server of `vigil serve`: the REST API (/api/v1), heartbeat pings (/ping), the server's own health
 * (/health, /livez, /readyz), metrics (/metrics, its own and the monitors' results) and the status pages.
 * Each part is a node:http handler that answers its paths and passes the others on.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeHandler, type Health } from '@vigil/health';
import { createApiHandler, monitorViewOf, type MonitorView } from '../api/index.js';
import { describeError, type Logger, silentLogger } from '../log/logger.js';
import { createPingHandler, type HeartbeatView } from '../heartbeat/index.js';
import { type TrustedProxies, trustedProxies } from '../http/client-address.js';
import { createStatusPages } from '../status-page/handler.js';
import { ANONYMOUS, createAuthenticator, isAgentCaller, scopeTooNarrow } from '../http/auth.js';
import { HttpError } from '../http/errors.js';
import { channelControl } from './channels.js';
import { createAdminHandler } from '../admin/handler.js';
import { jobConnectionJson } from '../api/jobs.js';
import { Sessions } from '../admin/session.js';
import type { SourcePosition } from '../config/index.js';
import { writeChunks } from '../http/write-chunks.js';
import { jobConnectionsOf } from './job-connections.js';
import { type MonitorFilter, registerMonitorMetrics, type MonitorMetrics } from './metrics.js';
import { createSelfHealth } from './self-health.js';
import type { MonitorService, MonitorStatus } from './service.js';

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface MonitorServer {
  readonly server: Server;
  readonly health: Health;
  readonly metrics: MonitorMetrics;
  /** The request handler (mount it in another server, or call `listen`). */
  readonly handle: (req: IncomingMessage, res: ServerResponse) => void;
  listen(port: number, host: string): Promise<AddressInfo>;
  /** After a reload: picks up the new CORS origins and defaults. */
  reconfigure(): void;
  /** Builds the default status page now, for its first reader not to wait (never fails: a failure is logged). */
  warm(): Promise<void>;
  /** Stops accepting connections and waits for the requests in flight (closing idle keep-alive sockets). */
  close(): Promise<void>;
}

export interface MonitorServerOptions {
  logger?: Logger;
  /** A server already listening (`bindEarly`): it answers with this monitor from now on. */
  server?: Server;
  /** Where each configuration monitor is defined (shown by the dashboard); the latest after a reload. */
  monitorSources?: () => ReadonlyMap<string, SourcePosition>;
}

/**
 * Binds the port before anything else happens (no data directory, no database created when the port is taken):
 * until the monitor is ready, every request is answered 503. Fails with a message that names the address.
 */
export async function bindEarly(port: number, host: string): Promise<Server> {
  const server = http.createServer((_req, res) => {
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '1' });
    res.end('starting\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host.includes(':') ? `[${host}]` : host}:${port}`;
      const why =
        error.code === 'EADDRINUSE'
          ? 'the address is already in use (another vigil serve, or another program: choose another --port)'
          : error.code === 'EACCES'
            ? 'permission denied (ports below 1024 need privileges: choose another --port)'
            : error.code === 'EADDRNOTAVAIL'
              ? 'no such address on this machine (check --host)'
              : error.message;
      reject(new Error(`cannot listen on ${where}: ${why}`));
    });
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Every monitor with its state, as the API and the pages show it. */
export function monitorViews(service: MonitorService): MonitorView[] {
  const heartbeats = service.heartbeatViews();
  return [...service.statuses()].map((status) => viewOf(status, heartbeats.get(status.monitor.config.id), locationsOf(service, status)));
}

/** The state at each location of a monitor checked from several. */
function locationsOf(service: MonitorService, { monitor }: MonitorStatus): MonitorView['locations'] {
  const config = monitor.config;
  if (config.type === 'heartbeat' || !service.judgedOverLocations(config.id)) return undefined;
  const states = service.locationStates(config.id);
  return (config.locations ?? []).map((location) => ({ location, state: states.get(location)?.state ?? 'new' }));
}

/** One monitor's view, without building the others'. */
export function monitorView(service: MonitorService, id: string): MonitorView | undefined {
  const status = service.status(id);
  return (
    status &&
    viewOf(status, status.monitor.config.type === 'heartbeat' ? service.heartbeatViews().get(id) : undefined, locationsOf(service, status))
  );
}

function viewOf(
  { monitor, paused, state, runtime }: MonitorStatus,
  heartbeat: HeartbeatView | undefined,
  locations: MonitorView['locations'],
): MonitorView {
  return monitorViewOf(monitor.config, {
    ...(heartbeat ? { heartbeat } : {}),
    ...(locations ? { locations } : {}),
    source: monitor.source,
    paused,
    state,
    ...(runtime?.since === undefined || state !== runtime.state ? {} : { since: runtime.since }),
    ...(runtime?.lastCheckAt === undefined ? {} : { lastCheckAt: runtime.lastCheckAt }),
    ...(monitor.definition ? { definition: monitor.definition } : {}),
  });
}

export function createMonitorServer(service: MonitorService, options: MonitorServerOptions = {}): MonitorServer {
  const logger = options.logger ?? silentLogger;
  // Dashboard sessions: a signed cookie stands for its token on every part of the server.
  const sessions = new Sessions({ store: service.store });
  // Token holders see the details of /health and every monitor in /metrics.
  const authenticate = createAuthenticator({
    sessions,
    store: service.store,
    now: Date.now,
    onTouchError: (error) => logger.error({ event: 'token_touch_failed', error: describeError(error) }, "recording a token's use failed"),
  });
  // An agent token opens nothing but the agent endpoints: /health shows it what anyone sees.
  const health = createSelfHealth(service, {
    authorize: async (request) => {
      const caller = await authenticate(request).catch(() => ANONYMOUS);
      return caller.kind === 'token' && !isAgentCaller(caller);
    },
  });
  const metrics = registerMonitorMetrics(health.metrics.registry, service, { logger });
  // The notification channels of the running configuration (read at each call): for the API and the dashboard.
  const channels = channelControl(() => service.currentConfig);
  // Rebuilt on reload: CORS origins come from the configuration.
  const buildApi = () =>
    createApiHandler({
      store: service.store,
      monitors: () => monitorViews(service),
      control: service.control,
      statusIncidents: service.statusIncidents,
      sessions,
      maintenance: service.maintenanceSchedule,
      feed: service.feed,
      corsOrigins: service.currentConfig.api.cors.origins,
      logger,
      channels,
      jobConnections: () => jobConnectionsOf(service.currentConfig),
      agents: service.remoteLocations,
    });
  let api = buildApi();
  // Through the service: with several instances, a ping for a heartbeat another owns goes to that one's inbox.
  const pings = createPingHandler(service.pings, {
    logger,
    maxBodyBytes: service.currentConfig.server.ping_body_limit,
    trustedProxies: (address) => trustedProxiesOf(service.currentConfig.server.trusted_proxies)(address),
  });
  const healthHandler = nodeHandler(health);
  // The status pages: `/`, `/status/<slug>` and what goes with them (public monitors only).
  const statusPages = createStatusPages({
    store: service.store,
    feed: service.feed,
    views: () => monitorViews(service),
    view: (id) => monitorView(service, id),
    config: () => service.currentConfig,
    monitorsVersion: () => service.allMonitors(),
    incidentsVersion: () => service.statusIncidents.version,
    maintenance: () => service.maintenanceSchedule.windows(),
    logger,
  });

  // Who may see which monitors in /metrics: token holders all; anonymous callers the public ones (or all, when the
  // configuration says so).
  const visibleTo = async (req: IncomingMessage): Promise<MonitorFilter> => {
    const caller = await authenticate(req);
    if (caller.kind === 'token' && isAgentCaller(caller)) throw scopeTooNarrow(caller.token, 'read', `${req.method ?? 'GET'} /metrics`);
    if (caller.kind === 'token' || service.currentConfig.metrics.public === 'all') return () => true;
    return (monitor) => monitor.public;
  };
  // /metrics: the Health's own registry (process, server) followed by the per-monitor families.
  const metricsRoute: Handler = (req, res, next) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== health.paths.metrics || (req.method !== 'GET' && req.method !== 'HEAD')) return next();
    const accept = typeof req.headers.accept === 'string' ? req.headers.accept : undefined;
    const write = async () => {
      let visible: MonitorFilter;
      try {
        visible = await visibleTo(req);
      } catch (error) {
        if (!(error instanceof HttpError)) throw error;
        res.writeHead(error.status, { 'content-type': 'text/plain; charset=utf-8', ...error.headers });
        res.end(`${error.message}\n`);
        return;
      }
      const scrape = await health.metrics.scrape(accept === undefined ? {} : { accept });
      res.writeHead(200, { 'content-type': scrape.contentType, 'cache-control': 'no-store' });
      if (req.method === 'HEAD') return void res.end();
      const openMetrics = scrape.format === 'openmetrics';
      res.write(openMetrics ? scrape.body.replace(/# EOF\n?$/, '') : scrape.body);
      // Chunk by chunk, waiting for the socket when it is full and letting due checks start between chunks:
      // memory stays flat and the schedule on time however many monitors.
      if (!(await writeChunks(res, metrics.renderChunks(scrape.format, visible)))) return;
      res.end(openMetrics ? '# EOF\n' : undefined);
    };
    write().catch((error: unknown) => {
      logger.error({ event: 'request_failed', path: '/metrics', error: describeError(error) }, 'rendering /metrics failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      } else res.destroy();
    });
  };
  const notFound = (_req: IncomingMessage, res: ServerResponse) => {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  };
  const admin = createAdminHandler({
    store: service.store,
    sessions,
    views: () => monitorViews(service),
    view: (id) => monitorView(service, id),
    monitorSource: (id) => options.monitorSources?.().get(id),
    channels: () => channels.list(),
    jobConnections: () => jobConnectionsOf(service.currentConfig).map(jobConnectionJson),
    maintenance: () => service.maintenanceSchedule.list(),
    logger,
  });
  const chain: Handler[] = [(req, res, next) => api(req, res, next), pings, metricsRoute, healthHandler, admin.handle, statusPages.handle];

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    let index = 0;
    const next = (): void => {
      const handler = chain[index++];
      if (!handler) return notFound(req, res);
      try {
        handler(req, res, next);
      } catch (error) {
        logger.error(
          { event: 'request_failed', method: req.method, path: (req.url ?? '').split('?')[0], error: describeError(error) },
          'a request failed',
        );
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
          res.end('internal error\n');
        } else res.destroy();
      }
    };
    next();
  };

  const server = options.server ?? http.createServer();
  server.removeAllListeners('request');
  server.on('request', handle);
  // Slow clients cannot hold sockets forever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5000;

  return {
    server,
    health,
    metrics,
    handle,
    reconfigure: () => {
      api = buildApi();
    },
    warm: () =>
      statusPages.warm().catch((error: unknown) =>
        logger.error({ event: 'status_page_failed', error: describeError(error) }, `building the status page failed: ${describeError(error)}`),
      ),
    listen: (port, host) =>
      new Promise((resolve, reject) => {
        if (server.listening) return resolve(server.address() as AddressInfo);
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve(server.address() as AddressInfo);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        metrics.stop();
        health.beginShutdown();
        // Event streams never end by themselves: the feed closes them.
        service.feed.stop();
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/** The matcher of `server.trusted_proxies`, built again only when a reload changed the list. */
const trustedProxiesOf = (() => {
  let list: readonly string[] | undefined;
  let matcher: TrustedProxies = () => false;
  return (current: readonly string[]): TrustedProxies => {
    if (current !== list) {
      list = current;
      matcher = trustedProxies(current);
    }
    return matcher;
  };
})();
