/**
 * The API mounted on a real node:http server on a random port, in front of a small fake service: monitors
 * from a YAML configuration (read-only) plus monitors created through the API (kept in the store: the real
 * SQLite store, in memory, closed with the API), with runtime state the tests set directly.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApiHandler, type MonitorControl, type MonitorDefinition, type MonitorView } from '../../src/api/index.js';
import { monitorViewOf } from '../../src/api/monitors.js';
import { createApiToken } from '../../src/api/tokens.js';
import { configSchema, type MonitorConfig, parseConfigSources } from '../../src/config/index.js';
import type { MonitorState } from '../../src/model.js';
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

interface ApiMonitor {
  definition: MonitorDefinition;
  resolved: MonitorConfig;
}

/** What the real service does, reduced to what the API sees. */
export class FakeService {
  readonly store: Store;
  readonly configMonitors: MonitorConfig[];
  readonly apiMonitors = new Map<string, ApiMonitor>();
  readonly states = new Map<string, { state: MonitorState; lastCheckAt?: number }>();
  readonly paused = new Set<string>();
  readonly calls: string[] = [];
  /** Makes the next control call throw this. */
  failNext: Error | undefined;

  constructor(store: Store, yaml = CONFIG_YAML) {
    this.store = store;
    this.configMonitors = parseConfigSources([{ file: 'vigil.yaml', text: yaml }], { env: {} }).config.monitors;
  }

  #view(monitor: MonitorConfig, source: MonitorView['source'], definition?: MonitorDefinition): MonitorView {
    const runtime = this.states.get(monitor.id);
    const paused = this.paused.has(monitor.id) || monitor.paused;
    return monitorViewOf(monitor, {
      source,
      paused,
      state: paused ? 'paused' : (runtime?.state ?? 'pending'),
      ...(runtime?.lastCheckAt === undefined ? {} : { lastCheckAt: runtime.lastCheckAt }),
      ...(definition ? { definition } : {}),
    });
  }

  readonly monitors = (): MonitorView[] => [
    ...this.configMonitors.map((m) => this.#view(m, 'config')),
    ...[...this.apiMonitors.values()].map((m) => this.#view(m.resolved, 'api', m.definition)),
  ];

  #check(call: string) {
    this.calls.push(call);
    const failure = this.failNext;
    this.failNext = undefined;
    if (failure) throw failure;
  }

  async #save(definition: MonitorDefinition) {
    const resolved = configSchema.parse({ monitors: [definition] }).monitors[0] as MonitorConfig;
    const previous = await this.store.listMonitors();
    const createdAt = previous.find((m) => m.id === definition.id)?.createdAt ?? NOW;
    await this.store.saveMonitor({ id: definition.id, definition, createdAt, updatedAt: NOW });
    this.apiMonitors.set(definition.id, { definition, resolved });
  }

  readonly control: MonitorControl = {
    pause: (id) => {
      this.#check(`pause ${id}`);
      this.paused.add(id);
    },
    resume: (id) => {
      this.#check(`resume ${id}`);
      this.paused.delete(id);
    },
    create: async (definition) => {
      this.#check(`create ${definition.id}`);
      await this.#save(definition);
    },
    update: async (id, definition) => {
      this.#check(`update ${id}`);
      await this.#save(definition);
    },
    remove: async (id) => {
      this.#check(`remove ${id}`);
      this.apiMonitors.delete(id);
      await this.store.deleteMonitor(id);
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
}

export interface TestApi {
  url: string;
  service: FakeService;
  /** A real SQLite store in memory, closed by `close()`. */
  store: Store;
  logs: string[];
  clock: { now: number };
  /** A valid token (name "test"). */
  token: string;
  request(path: string, options?: RequestOptions): Promise<Response>;
  close(): Promise<void>;
}

/** An empty SQLite store in memory, migrated. */
export function memoryStore(): Promise<Store> {
  return openStore({ type: 'sqlite', path: ':memory:' }, { dataDir: 'unused-in-memory' });
}

export async function startApi(options: { corsOrigins?: string[]; maxBodyBytes?: number } = {}): Promise<TestApi> {
  const service = new FakeService(await memoryStore());
  const logs: string[] = [];
  const clock = { now: NOW };
  const handler = createApiHandler({
    store: service.store,
    monitors: service.monitors,
    control: service.control,
    corsOrigins: options.corsOrigins ?? [],
    now: () => clock.now,
    defaults: { interval: 60_000, timeout: 10_000 },
    ...(options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes }),
    log: (message) => logs.push(message),
  });
  const server: Server = createServer((req, res) =>
    handler(req, res, () => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('not the api');
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { token } = await createApiToken(service.store, 'test', { now: () => NOW });

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
    logs,
    clock,
    token,
    request,
    close: async () => {
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
