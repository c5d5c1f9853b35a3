/**
 * The API mounted on a real node:http server on a random port, in front of a small fake service built on the real
 * monitor registry: monitors from a YAML configuration (read-only) plus monitors created through the API (kept in
 * the store: the real SQLite store, in memory, closed with the API), validated and refused by the registry as in
 * `vigil serve`, with runtime state the tests set directly.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentControl, type ChannelControl, createApiHandler, type MonitorControl, type MonitorView, type StatusIncidentControl } from '../../src/api/index.js';
import { monitorViewOf } from '../../src/api/monitors.js';
import { createApiToken } from '../../src/api/tokens.js';
import { parseConfigSources } from '../../src/config/index.js';
import { createLogger } from '../../src/log/logger.js';
import type { MonitorState } from '../../src/model.js';
import { EventFeed } from '../../src/pipeline/feed.js';
import { MonitorError } from '../../src/registry/errors.js';
import { MonitorRegistry } from '../../src/registry/registry.js';
import { MaintenanceSchedule } from '../../src/service/maintenance-schedule.js';
import { StatusIncidentService } from '../../src/service/status-incidents.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';

export const CONFIG_YAML = `
monitors:
  - name: Shop API
    type: http
    url: https://shop.example.com/health?api_key=shop-key-123
    public: true
    group: Shop
    tags: [web, prod]
    description: The public shop
  - name: Orders DB
    type: postgres
    url: postgres://monitor:s3cret-pg@db.internal:5432/orders
    group: Databases
    tags: [db, prod]
  - name: Nightly backup
    type: heartbeat
    public: true
    group: Jobs
    schedule: { cron: "0 3 * * *", grace: 1h }
    ping_key: abcdef1234567890
`;

export const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);

/** What the real service does, reduced to what the API sees: the real registry, and states set by the tests. */
export class FakeService {
  readonly store: Store;
  readonly registry: MonitorRegistry;
  readonly states = new Map<string, { state: MonitorState; lastCheckAt?: number; since?: number }>();
  /** The changes the registry accepted, in order. */
  readonly calls: string[] = [];
  /** Makes the next control call throw this. */
  failNext: Error | undefined;
  /** The time of status incident changes (the API's clock too: `TestApi.clock`). */
  readonly clock = { now: NOW };
  /** The service's own maintenance windows (scheduled on the real store; nothing runs them here). */
  readonly maintenance: MaintenanceSchedule;

  constructor(store: Store, yaml = CONFIG_YAML) {
    this.store = store;
    const { config } = parseConfigSources([{ file: 'vigil.yaml', text: yaml }], { env: {} });
    this.registry = new MonitorRegistry(store, config, () => NOW);
    this.maintenance = new MaintenanceSchedule({
      store,
      now: () => this.clock.now,
      configured: () => config.maintenance,
      monitors: () => this.registry.all().map((monitor) => monitor.config),
    });
  }

  readonly monitors = (): MonitorView[] =>
    this.registry.all().map(({ config, source, definition }) => {
      const runtime = this.states.get(config.id);
      const paused = this.registry.isPaused(config.id);
      return monitorViewOf(config, {
        source,
        paused,
        state: paused ? 'paused' : (runtime?.state ?? 'new'),
        ...(runtime?.since === undefined ? {} : { since: runtime.since }),
        ...(runtime?.lastCheckAt === undefined ? {} : { lastCheckAt: runtime.lastCheckAt }),
        ...(definition ? { definition } : {}),
      });
    });

  #failure(): void {
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }

  readonly control: MonitorControl = {
    pause: async (id, actor) => {
      this.#failure();
      if (await this.registry.pause(id, NOW, actor)) this.calls.push(`pause ${id}`);
    },
    resume: async (id, actor) => {
      this.#failure();
      if (await this.registry.resume(id, actor)) this.calls.push(`resume ${id}`);
    },
    create: async (definition, actor) => {
      this.#failure();
      const monitor = await this.registry.create(definition, actor);
      this.calls.push(`create ${monitor.config.id}`);
      return monitor;
    },
    replace: async (id, definition, actor) => {
      this.#failure();
      const monitor = await this.registry.replace(id, definition, actor);
      this.calls.push(`update ${id}`);
      return monitor;
    },
    remove: async (id, actor) => {
      this.#failure();
      await this.registry.remove(id, actor);
      this.calls.push(`remove ${id}`);
    },
    acknowledge: async (incidentId, actor) => {
      this.#failure();
      const incident = await this.store.incident(incidentId);
      if (incident === undefined) throw new Error(`no incident ${incidentId}`);
      await this.store.acknowledgeIncident(incidentId, { at: NOW, by: actor.name });
      this.calls.push(`acknowledge ${incidentId}`);
      return (await this.store.incident(incidentId))!;
    },
    // The service's refusals (service.ts); the check itself is the service's (test/api/check-now.test.ts).
    checkNow: async (id) => {
      this.#failure();
      const monitor = this.registry.get(id);
      if (monitor === undefined) throw new MonitorError('not_found', `no monitor with id "${id}"`);
      if (monitor.config.type === 'heartbeat') throw new MonitorError('conflict', `monitor "${id}" is a heartbeat`);
      if (this.registry.isPaused(id)) throw new MonitorError('conflict', `monitor "${id}" is paused: resume it first`);
      this.calls.push(`check ${id}`);
    },
  };

  readonly statusIncidents: StatusIncidentControl = fakeStatusIncidents(this, () => this.#failure());
}

/**
 * The service's own status incidents (service/status-incidents.ts) on the real store, monitors checked against the
 * registry, with the harness's failure injection and call log around it.
 */
function fakeStatusIncidents(service: FakeService, fail: () => void): StatusIncidentControl {
  // Made at the first call: the harness's fields (the store) are not set yet when this is.
  let made: StatusIncidentService | undefined;
  const real = () =>
    (made ??= new StatusIncidentService({
      store: service.store,
      monitorExists: (id) => service.registry.get(id) !== undefined,
      now: () => service.clock.now,
    }));
  return {
    create: async (input, actor) => {
      fail();
      const created = await real().create(input, actor);
      service.calls.push(`create status incident ${created.id}`);
      return created;
    },
    update: async (id, change, actor) => {
      fail();
      const updated = await real().update(id, change, actor);
      service.calls.push(`update status incident ${id}`);
      return updated;
    },
    remove: async (id, actor) => {
      fail();
      await real().remove(id, actor);
      service.calls.push(`delete status incident ${id}`);
    },
  };
}

export interface Response {
  status: number;
  headers: Headers;
  text: string;
  body: any;
}

export interface RequestOptions {
  method?: string;
  token?: string;
  origin?: string;
  headers?: Record<string, string>;
  /** Sent as JSON with Content-Type: application/json unless `rawBody` is given. */
  json?: unknown;
  rawBody?: string | Buffer;
  /** Read the status and headers only, then close (for a stream that does not end). */
  headersOnly?: boolean;
}

export interface TestApi {
  url: string;
  service: FakeService;
  /** A real SQLite store in memory, closed by `close()`. */
  store: Store;
  /** The events feed the API reads (a wake-up makes it read the store now). */
  feed: EventFeed;
  logs: string[];
  clock: { now: number };
  /** A valid admin token (name "test"). */
  token: string;
  /** Valid tokens of each narrower scope (names "reader", "writer"). */
  readToken: string;
  writeToken: string;
  request(path: string, options?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

/** An empty SQLite store in memory, migrated. */
export function memoryStore(): Promise<Store> {
  return openStore({ type: 'sqlite', path: ':memory:' }, { dataDir: 'unused-in-memory' });
}

export async function startApi(options: { corsOrigins?: string[]; maxBodyBytes?: number; channels?: ChannelControl; agents?: AgentControl } = {}): Promise<TestApi> {
  const service = new FakeService(await memoryStore());
  const logs: string[] = [];
  const logger = createLogger({ format: 'pretty', destination: { write: (line) => logs.push(line) } });
  const feed = new EventFeed({ store: service.store, logger, pollMs: 60_000 });
  await feed.start();
  const clock = service.clock;
  const handler = createApiHandler({
    store: service.store,
    monitors: service.monitors,
    control: service.control,
    statusIncidents: service.statusIncidents,
    maintenance: service.maintenance,
    feed,
    corsOrigins: options.corsOrigins ?? [],
    now: () => clock.now,
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    ...(options.channels === undefined ? {} : { channels: options.channels }),
    ...(options.agents === undefined ? {} : { agents: options.agents }),
    logger,
  });
  const server: Server = createServer((req, res) =>
    handler(req, res, () => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('not the api');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { token } = await createApiToken(service.store, 'test', { scope: 'admin', now: () => NOW });
  const { token: readToken } = await createApiToken(service.store, 'reader', { scope: 'read', now: () => NOW });
  const { token: writeToken } = await createApiToken(service.store, 'writer', { scope: 'write', now: () => NOW });

  const request = async (path: string, request: RequestOptions = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...request.headers };
    if (request.token !== undefined) headers.Authorization = `Bearer ${request.token}`;
    if (request.origin !== undefined) headers.Origin = request.origin;
    let body: string | Buffer | undefined = request.rawBody;
    if (request.json !== undefined && body === undefined) {
      body = JSON.stringify(request.json);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${url}${path}`, {
      method: request.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      ...(body === undefined ? {} : { body }),
    });
    if (request.headersOnly && response.ok) {
      await response.body?.cancel();
      return { status: response.status, headers: response.headers, text: '', body: undefined };
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: response.status, headers: response.headers, text, body: parsed };
  };

  return {
    url,
    service,
    store: service.store,
    feed,
    logs,
    clock,
    token,
    readToken,
    writeToken,
    request,
    close: async () => {
      feed.stop();
      try {
        await new Promise<void>((resolve, reject) => {
          server.closeAllConnections();
          server.close((error) => (error ? reject(error) : resolve()));
        });
      } finally {
        await service.store.close();
      }
    },
  };
}

/** An http monitor definition for POST. */
export function httpDefinition(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { type: 'http', name: 'Checkout', url: 'https://checkout.example.com/health', ...overrides };
}
