/**
 * `vigil serve`: loads the configuration, opens the store (taking it for this instance: a second one is refused),
 * starts the monitor service and its HTTP server. Flags win over environment variables (`VIGIL_CONFIG`,
 * `VIGIL_HOST`, `VIGIL_PORT`, `VIGIL_DATA`, `VIGIL_LOG_LEVEL`, `VIGIL_LOG_FORMAT`), which win over the
 * configuration file. Reloads on SIGHUP or when a configuration file changes; an invalid new configuration keeps
 * the running one. SIGTERM / SIGINT stop checking, store everything buffered, and exit 0.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
// Only what loading the configuration needs is imported here; the monitor's own modules (and, through them, the
// configuration's schema) once it is loaded: a large configuration is parsed in a worker thread, and the process is
// at its smallest while that thread is at its largest (docs/benchmarks.md).
import { redactUrlText } from '../api/redact-url.js';
import { ConfigError } from '../config/errors.js';
import type { LoadedConfig } from '../config/load.js';
import { loadConfigIsolated } from '../config/load-isolated.js';
import type { VigilConfig } from '../config/schema.js';
import { createLogger, describeError, type Logger, type LoggerOptions, LOG_FORMATS, LOG_LEVELS, parseLogFormat, parseLogLevel } from '../log/logger.js';
import type { MonitorServer } from '../service/server.js';
import type { MonitorService, MonitorServiceOptions } from '../service/service.js';
import type { ClusterTopic } from '../cluster/cluster-store.js';
import type { InstanceLock, Store } from '../store/store.js';
import { type ConfigWatchOptions, watchConfigFiles } from './config-watch.js';
import type { OpenedStore, TokenStoreOptions } from './token.js';

export const DEFAULT_CONFIG_FILE = 'vigil.yaml';

export interface ServeFlags {
  config?: string[];
  host?: string;
  port?: string;
  data?: string;
  logLevel?: string;
  logFormat?: string;
}

export interface ServeIo {
  env?: NodeJS.ProcessEnv;
  /** Where log lines go (stdout by default). */
  logDestination?: LoggerOptions['destination'];
  /** The server had to stop on its own (its hold on the store was lost). Default: exit 1. */
  onFatal?: (error: Error) => void;
  /** How configuration files are watched (tests shorten the times). */
  configWatch?: ConfigWatchOptions;
  /** How notifications are dispatched (tests shorten the times). */
  dispatcher?: MonitorServiceOptions['dispatcher'];
}

export interface RunningMonitor {
  url: string;
  logger: Logger;
  service: MonitorService;
  server: MonitorServer;
  store: Store;
  files: readonly string[];
  /** Loads the configuration again; keeps the running one (and resolves false) when the new one is invalid. */
  reload(): Promise<boolean>;
  /** Stops checking, stores everything buffered, closes the server and the store. Idempotent. */
  stop(): Promise<void>;
}

/** The configuration files named by `--config` or `VIGIL_CONFIG` (comma-separated), or `./vigil.yaml` if present. */
export function configPaths(flags: Pick<ServeFlags, 'config'>, env: NodeJS.ProcessEnv): string[] {
  if (flags.config && flags.config.length > 0) return flags.config;
  const fromEnv = env.VIGIL_CONFIG?.split(',').map((path) => path.trim()).filter(Boolean);
  if (fromEnv && fromEnv.length > 0) return fromEnv;
  return existsSync(DEFAULT_CONFIG_FILE) ? [DEFAULT_CONFIG_FILE] : [];
}

function parsePort(value: string, from: string): number {
  const port = /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new Error(`${from}: expected a port number from 0 to 65535, not "${value}"`);
  }
  return port;
}

/** Loads the configuration and applies the flag and environment overrides of the `server` section. */
export async function loadServeConfig(flags: ServeFlags, env: NodeJS.ProcessEnv): Promise<LoadedConfig> {
  const paths = configPaths(flags, env);
  const loaded =
    paths.length > 0
      ? await loadConfigIsolated(paths, { env })
      : (await import('../config/load.js')).parseConfigSources([{ file: '(no configuration file)', text: '{}' }], { env });
  const config = loaded.config;
  const server = { ...config.server };
  const host = flags.host ?? env.VIGIL_HOST;
  if (host) server.host = host;
  if (flags.port !== undefined) server.port = parsePort(flags.port, '--port');
  else if (env.VIGIL_PORT) server.port = parsePort(env.VIGIL_PORT, 'VIGIL_PORT');
  const data = flags.data ?? env.VIGIL_DATA;
  let storage = config.storage;
  if (data) {
    // A database path derived from server.data follows the new data directory; an explicit path stays.
    if (storage.type === 'sqlite' && storage.path === join(config.server.data, 'vigil.db')) {
      storage = { type: 'sqlite', path: join(data, 'vigil.db') };
    }
    server.data = data;
  }
  return { ...loaded, config: { ...config, server, storage } };
}

/** Where results go, safe to show: `SQLite data/vigil.db`, `PostgreSQL postgres://vigil:***@db/vigil`. */
export function describeStore(config: VigilConfig): string {
  return config.storage.type === 'sqlite' ? `SQLite ${config.storage.path}` : `PostgreSQL ${redactUrlText(config.storage.url)}`;
}

/** Restart-only sections: a reload that changes them says so. */
function restartOnlyChanges(before: VigilConfig, after: VigilConfig): string[] {
  const changed: string[] = [];
  if (JSON.stringify(before.server) !== JSON.stringify(after.server)) changed.push('server');
  if (JSON.stringify(before.storage) !== JSON.stringify(after.storage)) changed.push('storage');
  if (JSON.stringify(before.scheduler) !== JSON.stringify(after.scheduler)) changed.push('scheduler');
  if (JSON.stringify(before.cluster) !== JSON.stringify(after.cluster)) changed.push('cluster');
  return changed;
}

/** The logger `vigil serve` logs with: level and format from flags, else the environment, else the defaults. */
export function serveLogger(flags: Pick<ServeFlags, 'logLevel' | 'logFormat'>, env: NodeJS.ProcessEnv, io: ServeIo): Logger {
  const level = flags.logLevel ?? env.VIGIL_LOG_LEVEL;
  const format = flags.logFormat ?? env.VIGIL_LOG_FORMAT;
  return createLogger({
    ...(level ? { level: parseLogLevel(level, flags.logLevel ? '--log-level' : 'VIGIL_LOG_LEVEL') } : {}),
    ...(format ? { format: parseLogFormat(format, flags.logFormat ? '--log-format' : 'VIGIL_LOG_FORMAT') } : {}),
    ...(io.logDestination ? { destination: io.logDestination } : {}),
  });
}

export async function startMonitor(flags: ServeFlags, io: ServeIo = {}): Promise<RunningMonitor> {
  const env = io.env ?? process.env;
  const logger = serveLogger(flags, env, io);
  const loaded = await loadServeConfig(flags, env);
  const [{ bindEarly, createMonitorServer }, { MonitorService }, { openStore }] = await Promise.all([
    import('../service/server.js'),
    import('../service/service.js'),
    import('../store/open.js'),
  ]);
  let config = loaded.config;
  let files = loaded.files;
  let monitorSources = loaded.monitorSources;
  if (files.length === 0) {
    logger.warn(
      { event: 'no_configuration' },
      `no configuration file (--config, VIGIL_CONFIG or ./${DEFAULT_CONFIG_FILE}): starting with no monitors`,
    );
  }
  for (const file of loaded.emptyFiles) {
    logger.warn({ event: 'empty_configuration', file }, `${file} is empty: it adds no monitors and no settings`);
  }
  // The port first: when it is taken, nothing (no data directory, no database) has been created.
  const listener = await bindEarly(config.server.port, config.server.host);
  const closeListener = () => new Promise<void>((resolve) => listener.close(() => resolve()));
  let store: Store;
  try {
    store = await openStore(config.storage, {
      dataDir: config.server.data,
      migrate: false,
      onWarning: (message) => logger.warn({ event: 'storage_permissions' }, message),
    });
  } catch (error) {
    await closeListener();
    throw error;
  }
  let stopping: Promise<void> | undefined;
  let stopAll: () => Promise<void> = () => store.close();
  const lost = (error: Error) => {
    logger.error({ event: 'instance_lock_lost', error: describeError(error) }, 'this instance lost its hold on the store: stopping');
    void stopAll().finally(() => (io.onFatal ?? (() => process.exit(1)))(error));
  };
  let lock: InstanceLock;
  let cluster: MonitorServiceOptions['cluster'];
  // Notices from other instances reach the service once it exists.
  let noticed: (topic: ClusterTopic, subject?: string) => void = () => undefined;
  try {
    if (store.cluster === undefined) {
      // Taken before anything is written: a second instance on the same store stops here, saying so.
      lock = await store.lockInstance(lost);
      await store.migrate();
    } else {
      // PostgreSQL: several instances share the store, each checking the monitors it holds a lease on.
      await store.migrate();
      const membership = await store.cluster.join(
        { id: randomUUID(), name: `${hostname()} pid ${process.pid}`, location: config.location },
        config.cluster.lease,
        { onLost: lost, onNotice: (topic, subject) => noticed(topic, subject) },
      );
      lock = { release: () => membership.leave() };
      cluster = { membership, leaseMs: config.cluster.lease };
    }
  } catch (error) {
    await store.close().catch(() => undefined);
    await closeListener();
    throw error;
  }
  const service = new MonitorService({
    config,
    store,
    logger,
    ...(io.dispatcher ? { dispatcher: io.dispatcher } : {}),
    ...(cluster ? { cluster } : {}),
  });
  noticed = (topic, subject) => service.noticed(topic, subject);
  let server: MonitorServer | undefined;
  try {
    await service.start();
    server = createMonitorServer(service, { logger, server: listener, monitorSources: () => monitorSources });
    // The states are loaded: the status page is built before the server says it is listening.
    await server.warm();
    const address = await server.listen(config.server.port, config.server.host);
    const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    const url = `http://${shownHost}:${address.port}`;
    logger.info(
      { event: 'started', monitors: service.allMonitors().length, store: describeStore(config), location: config.location },
      `${service.allMonitors().length} monitors, results in ${describeStore(config)}`,
    );
    logger.info(
      { event: 'listening', url },
      `listening on ${url}  (API ${url}/api/v1, health ${url}/health, metrics ${url}/metrics)`,
    );

    const running = server;
    const refuse = (reason: string): false => {
      logger.error(
        { event: 'reload_refused', reason },
        `the configuration was not reloaded; the running one stays in use (${service.allMonitors().length} monitors).\n${reason}`,
      );
      return false;
    };
    const reloadNow = async (): Promise<boolean> => {
      let next: LoadedConfig;
      try {
        next = await loadServeConfig(flags, env);
      } catch (error) {
        return refuse(error instanceof ConfigError ? error.message : describeError(error));
      }
      // A truncated file (an editor or a deploy that empties it before writing) would remove every monitor it held.
      if (next.emptyFiles.length > 0) {
        return refuse(
          `${next.emptyFiles.join(', ')}: empty (no monitors, no settings). If that is meant, write \`monitors: []\` in it and reload again.`,
        );
      }
      const restart = restartOnlyChanges(config, next.config);
      if (restart.length > 0) {
        logger.warn({ event: 'restart_needed', sections: restart }, `changes to ${restart.join(', ')} take effect after a restart`);
      }
      // Restart-only sections keep their running values, so what runs stays consistent.
      config = {
        ...next.config,
        server: config.server,
        storage: config.storage,
        scheduler: config.scheduler,
        cluster: config.cluster,
        location: config.location,
      };
      await service.applyConfig(config);
      running.reconfigure();
      const added = next.files.filter((file) => !files.includes(file));
      files = next.files;
      monitorSources = next.monitorSources;
      watcher.add(added);
      logger.info({ event: 'reloaded', monitors: service.allMonitors().length }, `configuration reloaded: ${service.allMonitors().length} monitors`);
      return true;
    };
    // One reload at a time: a signal during a reload waits for it, then reads the files again. A reload that fails
    // midway (the store refuses a write) is logged; the next one starts from what is running.
    const reloadLogged = async (): Promise<boolean> => {
      try {
        return await reloadNow();
      } catch (error) {
        logger.error({ event: 'reload_failed', error: describeError(error) }, `reloading the configuration failed: ${describeError(error)}`);
        return false;
      }
    };
    let reloading: Promise<boolean> = Promise.resolve(true);
    const reload = (): Promise<boolean> => {
      reloading = reloading.then(reloadLogged);
      return reloading;
    };

    const watcher = watchConfigFiles(files, () => void reload(), io.configWatch);

    const stop = (): Promise<void> => {
      stopping ??= (async () => {
        watcher.close();
        try {
          await running.close();
          await service.stop();
        } finally {
          await lock.release();
          await store.close();
        }
      })();
      return stopping;
    };
    stopAll = stop;

    return { url, logger, service, server: running, store, files, reload, stop };
  } catch (error) {
    await (server ? server.close() : closeListener()).catch(() => undefined);
    await service.stop().catch(() => undefined);
    await lock.release().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}

/**
 * The store `vigil serve` would use with the same flags, environment and working directory, for `vigil token`:
 * relative paths resolve against the working directory for both. Says which database it is (absolute) and
 * whether it was just created (then no server has used it yet: a likely mistake, which the command reports).
 */
export async function openConfiguredStore(options: TokenStoreOptions): Promise<OpenedStore> {
  const loaded = await loadServeConfig(
    { ...(options.config ? { config: [options.config] } : {}), ...(options.data ? { data: options.data } : {}) },
    process.env,
  );
  const storage = loaded.config.storage;
  const created = storage.type === 'sqlite' && !existsSync(storage.path);
  const { openStore } = await import('../store/open.js');
  const store = await openStore(storage, { dataDir: loaded.config.server.data });
  const where = storage.type === 'sqlite' ? `SQLite ${resolve(storage.path)}` : describeStore(loaded.config);
  return { store, where, created };
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the monitor: scheduled checks, heartbeats, REST API, /health and /metrics')
    .option('-c, --config <file...>', `configuration files, merged in order (env VIGIL_CONFIG; default ./${DEFAULT_CONFIG_FILE})`)
    .option('--host <address>', 'address to listen on (env VIGIL_HOST; default 127.0.0.1)')
    .option('-p, --port <port>', 'port to listen on (env VIGIL_PORT; default 3939)')
    .option('--data <dir>', 'data directory for the SQLite database (env VIGIL_DATA; default ./data)')
    .option('--log-level <level>', `log level: ${LOG_LEVELS.join(', ')} (env VIGIL_LOG_LEVEL; default info)`)
    .option(
      '--log-format <format>',
      `log format: ${LOG_FORMATS.join(', ')} (env VIGIL_LOG_FORMAT; default pretty on a terminal, json otherwise)`,
    )
    .action(async (flags: ServeFlags) => {
      const monitor = await startMonitor(flags);
      const { logger } = monitor;
      let signals = 0;
      const shutdown = (signal: string) => {
        signals++;
        if (signals > 1) {
          logger.warn({ event: 'stopping', signal }, `${signal} again: exiting without waiting`);
          process.exit(1);
        }
        logger.info({ event: 'stopping', signal }, `${signal}: stopping (storing buffered results)`);
        monitor.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ event: 'stop_failed', error: describeError(error) }, 'stopping failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', () => shutdown('SIGTERM'));
      process.on('SIGINT', () => shutdown('SIGINT'));
      process.on('SIGHUP', () => void monitor.reload());
    });
}
