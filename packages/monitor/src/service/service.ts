/**
 * The monitor service: it puts the parts together and runs their life cycle — the registry of monitors
 * (configuration and API), the scheduler that runs their checks, the heartbeat tracker, the check pipeline that
 * turns results into committed states, incidents and events, the events feed, and store maintenance. It owns no
 * HTTP server: `server.ts` mounts it.
 *
 * Life cycle: `start()` reads what the store holds (retrying while the store does not answer), puts each monitor
 * in the state it was committed in — and where a pause changed while Vigil was stopped, records it — then starts
 * checking; `applyConfig()` swaps the configuration (a reload) keeping every state; `stop()` stops checking, waits
 * for the checks in flight, and stores everything buffered.
 */
import type { MonitorOfType, VigilConfig } from '../config/index.js';
import { type HeartbeatRestoreState, HeartbeatTracker, type HeartbeatView } from '../heartbeat/index.js';
import { describeError, type Logger, silentLogger } from '../log/logger.js';
import type { CheckResult, Incident, MonitorRuntimeState, MonitorState } from '../model.js';
import { monitorHost, type PreparedMonitor, prepareMonitor } from '../monitors/index.js';
import { EventFeed } from '../pipeline/feed.js';
import { CheckPipeline, type PipelineStats } from '../pipeline/pipeline.js';
import { MonitorError, monitorNotFound, quote } from '../registry/errors.js';
import { type ActiveMonitor, MonitorRegistry } from '../registry/registry.js';
import { type Clock, delay, systemClock } from '../scheduler/clock.js';
import { RunAbortedError, Scheduler, type SchedulerStats } from '../scheduler/scheduler.js';
import { type Actor, retentionFromConfig, type Store } from '../store/store.js';
import { Alerting, type AlertingOptions, type OpenAlert } from './alerting.js';
import { MaintenanceLoop } from './maintenance.js';
import { MaintenanceSchedule } from './maintenance-schedule.js';
import { MaintenanceWindows } from './maintenance-windows.js';
import { StatusIncidentDrafts } from './status-incident-drafts.js';
import { StatusIncidentService } from './status-incidents.js';

export interface MonitorServiceOptions {
  config: VigilConfig;
  store: Store;
  clock?: Clock;
  logger?: Logger;
  /** Time between store maintenance runs (rollups, retention). Default 5 minutes; the first runs after 30 s. */
  maintenanceIntervalMs?: number;
  /** The longest a quiet result waits before it is stored. Default 1,000 ms. */
  maxWriteDelayMs?: number;
  /** How often the events feed reads the store without a wake-up. Default 5,000 ms. */
  feedPollMs?: number;
  /** Dispatcher settings (tests shorten the times). */
  dispatcher?: AlertingOptions['dispatcher'];
}

interface Schedulable {
  readonly id: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly host?: string;
  readonly paused: boolean;
  readonly lastCheckAt?: number;
  readonly monitor: PreparedMonitor;
}

export interface ServiceStats {
  monitors: number;
  scheduler: SchedulerStats;
  pipeline: PipelineStats;
  lastMaintenance?: { at: number; ok: boolean };
}

/** One monitor as the service knows it now. */
export interface MonitorStatus {
  monitor: ActiveMonitor;
  paused: boolean;
  state: MonitorState;
  runtime?: MonitorRuntimeState;
}

type HeartbeatMonitor = MonitorOfType<'heartbeat'>;

const STARTUP_RETRY_MAX_MS = 30_000;

export class MonitorService {
  readonly store: Store;
  readonly heartbeats: HeartbeatTracker;
  readonly feed: EventFeed;
  readonly registry: MonitorRegistry;
  /** Where this process checks from (`location:` of the configuration). */
  readonly location: string;
  private config: VigilConfig;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly pipeline: CheckPipeline;
  private readonly scheduler: Scheduler<Schedulable>;
  private readonly maintenance: MaintenanceLoop;
  readonly alerting: Alerting;
  readonly windows: MaintenanceWindows;
  /** Maintenance windows scheduled through the API, merged with the configuration's into those `windows` runs. */
  readonly maintenanceSchedule: MaintenanceSchedule;
  /** Status page incidents: written through the API and the CLI, and drafted by Vigil. */
  readonly statusIncidents: StatusIncidentService;
  private readonly drafts: StatusIncidentDrafts;
  /** Each probing monitor prepared once per configuration version (a new config object is a new version). */
  private readonly prepared = new Map<string, PreparedMonitor>();
  private started = false;
  private stopped = false;
  /** Monitors a check was asked for through the API, while its audit entry is written (`checkNow`). */
  private readonly checksAsked = new Set<string>();

  constructor(options: MonitorServiceOptions) {
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.location = options.config.location;
    this.registry = new MonitorRegistry(this.store, this.config, () => this.clock.now());
    this.feed = new EventFeed({
      store: this.store,
      logger: this.logger,
      ...(options.feedPollMs !== undefined ? { pollMs: options.feedPollMs } : {}),
    });
    this.alerting = new Alerting({
      store: this.store,
      logger: this.logger,
      config: this.config,
      monitorOf: (id) => this.registry.get(id)?.config,
      openAlerts: () => this.openAlerts(),
      ...(options.dispatcher !== undefined ? { dispatcher: options.dispatcher } : {}),
    });
    this.pipeline = new CheckPipeline({
      store: this.store,
      location: this.location,
      clock: this.clock,
      logger: this.logger,
      ...(options.maxWriteDelayMs === undefined ? {} : { maxWriteDelayMs: options.maxWriteDelayMs }),
      retriesOf: (id) => {
        const config = this.registry.get(id)?.config;
        return config && 'retries' in config ? config.retries : 0;
      },
      onChangesCommitted: () => this.feed.wake(),
      nameOf: (id) => this.registry.get(id)?.config.name,
      alertingOf: (id) => this.alerting.of(id),
      onNotificationsCommitted: () => this.alerting.wake(),
      inMaintenance: (id) => this.windows.isIn(id),
      dependencyDown: (id) => this.dependencyDown(id),
      childrenDown: (id) => this.childrenDown(id),
    });
    this.maintenanceSchedule = new MaintenanceSchedule({
      store: this.store,
      now: () => this.clock.now(),
      configured: () => this.config.maintenance,
      monitors: () => this.registry.all().map(({ config }) => config),
      apply: () => this.windows.apply(),
    });
    this.windows = new MaintenanceWindows({
      clock: this.clock,
      logger: this.logger,
      windows: () => this.maintenanceSchedule.windows(),
      monitors: () =>
        this.registry.all().map(({ config }) => ({ id: config.id, group: config.group, paused: this.registry.isPaused(config.id) })),
      stateOf: (id) => this.pipeline.state(id)?.state,
      setState: (id, status, reason) => this.pipeline.setState(id, status, reason),
    });
    this.scheduler = new Scheduler<Schedulable>({
      clock: this.clock,
      concurrency: this.config.scheduler.concurrency,
      perHostConcurrency: this.config.scheduler.per_host_concurrency,
      run: (monitor, signal, info) => this.runCheck(monitor, signal, info.startedAt, info.deadline),
      onError: (error, monitor) =>
        this.logger.error({ event: 'check_failed', monitor: monitor.id, error: describeError(error) }, `the check of monitor ${monitor.id} failed`),
    });
    this.heartbeats = new HeartbeatTracker({
      clock: this.clock,
      onResult: (result) => {
        const located = { ...result, location: this.location };
        // A ping is answered once stored; a missed ping or an overlong run is the tracker's own finding.
        if (result.kind === 'ping') return this.pipeline.recordDurably(located);
        this.pipeline.record(located);
        return undefined;
      },
      // A success or failure ping resumes a heartbeat paused through the API (as Healthchecks.io does).
      onChange: (id) => {
        if (this.registry.isPausedThroughApi(id) && this.heartbeats.view(id)?.state !== 'paused') {
          this.registry.resumedByPing(id).catch((error: unknown) =>
            this.logger.error({ event: 'store_write_failed', monitor: id, error: describeError(error) }, 'recording the end of a pause failed'),
          );
        }
      },
    });
    this.statusIncidents = new StatusIncidentService({
      store: this.store,
      monitorExists: (id) => this.registry.get(id) !== undefined,
      now: () => this.clock.now(),
    });
    this.drafts = new StatusIncidentDrafts({
      store: this.store,
      feed: this.feed,
      incidents: this.statusIncidents,
      logger: this.logger,
      mode: () => this.config.status_incidents.auto,
      publicName: (id) => {
        const config = this.registry.get(id)?.config;
        return config?.public ? config.name : undefined;
      },
      location: this.location,
    });
    this.maintenance = new MaintenanceLoop({
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      retention: () => retentionFromConfig(this.config.retention),
      ...(options.maintenanceIntervalMs !== undefined ? { intervalMs: options.maintenanceIntervalMs } : {}),
    });
  }

  /** Restores API monitors, pauses and states from the store, then starts checking. */
  async start(): Promise<void> {
    if (this.started) throw new Error('the monitor service is already started');
    this.started = true;
    const { stored, paused, states } = await this.untilStoreAnswers('reading the stored monitors and states', async () => ({
      stored: await this.store.listMonitors(),
      paused: await this.store.pausedMonitors(),
      states: await this.store.runtimeStates(this.location),
    }));
    for (const id of this.registry.load(stored, paused)) {
      this.logger.warn({ event: 'monitor_skipped', monitor: id }, `API monitor ${id} has a stored definition that no longer validates: skipped`);
    }
    this.pipeline.restore(states.values());
    await this.untilStoreAnswers('reading the maintenance windows scheduled through the API', () => this.maintenanceSchedule.load());
    await this.untilStoreAnswers('reading the events feed', () => this.feed.start());
    const restored = await this.untilStoreAnswers('reading the last pings of heartbeats', () => this.heartbeatRestoreStates(states));
    this.heartbeats.restore(restored);
    this.reportShadowed();
    this.reschedule();
    for (const monitor of this.registry.all()) {
      if (monitor.config.type === 'heartbeat' && this.registry.isPausedThroughApi(monitor.config.id)) this.heartbeats.pause(monitor.config.id);
    }
    // A pause (or its end) decided while Vigil was stopped — in a configuration file, say — is recorded now.
    await Promise.all(
      this.registry.all().map(async ({ config }) => {
        const state = this.pipeline.state(config.id)?.state;
        if (this.registry.isPaused(config.id) && state !== undefined && state !== 'paused') {
          await this.pipeline.setState(config.id, 'paused', config.paused ? 'paused in the configuration' : 'paused through the API');
        } else if (!this.registry.isPaused(config.id) && state === 'paused') {
          await this.pipeline.setState(config.id, 'new', 'resumed');
        }
      }),
    );
    // Before the first check: a change the checks make is then always seen by the drafts, or by their catching up.
    // Never fails (a failed draft is logged): a store that stops answering must not stop the checks.
    await this.drafts.start();
    this.scheduler.start();
    this.maintenance.start();
    this.alerting.start();
    this.windows.start();
  }

  /** Resolves when the status page incidents Vigil drafts from the state changes so far are written (for tests). */
  draftsIdle(): Promise<void> {
    return this.drafts.idle();
  }

  /**
   * A reload: the new configuration's monitors replace the old ones; states, results and API monitors stay. A
   * monitor removed or paused by the file is recorded `paused` (its open incident closed) exactly as a pause through
   * the API is; one the file no longer pauses starts again as `new`.
   */
  async applyConfig(config: VigilConfig): Promise<void> {
    this.config = config;
    this.alerting.reconfigure(config);
    const changes = this.registry.applyConfig(config);
    this.reportShadowed();
    this.reschedule();
    await Promise.all([
      ...changes.removed.map(async (id) => {
        await this.pipeline.setState(id, 'paused', 'removed from the configuration');
        this.pipeline.forget(id);
      }),
      ...changes.paused.map((id) => this.pipeline.setState(id, 'paused', 'paused in the configuration')),
      ...changes.resumed.map((id) => this.pipeline.setState(id, 'new', 'resumed in the configuration')),
    ]);
    // New or changed windows apply now, not at the next tick.
    this.windows.tick();
  }

  get currentConfig(): VigilConfig {
    return this.config;
  }

  monitor(id: string): ActiveMonitor | undefined {
    return this.registry.get(id);
  }

  allMonitors(): readonly ActiveMonitor[] {
    return this.registry.all();
  }

  latestResult(id: string): CheckResult | undefined {
    return this.pipeline.latestResult(id);
  }

  /** Every monitor with its state: paused as its registry says, else as last committed (`new` before its first). */
  *statuses(): Generator<MonitorStatus> {
    for (const monitor of this.registry.all()) yield this.statusOf(monitor);
  }

  status(id: string): MonitorStatus | undefined {
    const monitor = this.registry.get(id);
    return monitor && this.statusOf(monitor);
  }

  /** Heartbeat details (new, up, late, down, paused; last ping; next expected), by monitor id. */
  heartbeatViews(): Map<string, HeartbeatView> {
    return new Map(this.heartbeats.views().map((view) => [view.monitorId, view]));
  }

  /** Changes through the API: each resolves once the change is stored and its state step committed. */
  readonly control = {
    pause: async (id: string, actor: Actor): Promise<void> => {
      if (!(await this.registry.pause(id, this.clock.now(), actor))) return;
      if (this.registry.get(id)?.config.type === 'heartbeat') this.heartbeats.pause(id);
      this.reschedule();
      await this.pipeline.setState(id, 'paused', 'paused through the API');
    },
    resume: async (id: string, actor: Actor): Promise<void> => {
      if (!(await this.registry.resume(id, actor))) return;
      if (this.registry.get(id)?.config.type === 'heartbeat') this.heartbeats.resume(id);
      await this.pipeline.setState(id, 'new', 'resumed through the API');
      this.reschedule();
    },
    create: async (definition: unknown, actor: Actor): Promise<ActiveMonitor> => {
      const monitor = await this.registry.create(definition, actor);
      this.reschedule();
      return monitor;
    },
    replace: async (id: string, definition: unknown, actor: Actor): Promise<ActiveMonitor> => {
      const monitor = await this.registry.replace(id, definition, actor);
      this.reschedule();
      return monitor;
    },
    acknowledge: async (incidentId: number, actor: Actor): Promise<Incident> => {
      const incident = await this.store.incident(incidentId);
      if (incident === undefined) throw new MonitorError('not_found', `no incident with id "${incidentId}"`);
      if (incident.endedAt !== undefined) {
        throw new MonitorError('conflict', `incident ${incidentId} has ended: there is nothing to acknowledge`);
      }
      if (incident.acknowledged !== undefined) return incident;
      const at = this.clock.now();
      await this.store.acknowledgeIncident(incidentId, { at, by: actor.name }, {
        at,
        actor,
        action: 'incident.acknowledge',
        subject: incident.monitorId,
        after: { incident: incidentId },
      });
      await this.pipeline.acknowledge(incident.monitorId, actor.name);
      return (await this.store.incident(incidentId)) ?? incident;
    },
    checkNow: (id: string, actor: Actor): Promise<void> => this.checkNow(id, actor),
    remove: async (id: string, actor: Actor): Promise<void> => {
      await this.registry.remove(id, actor);
      this.reschedule();
      await this.pipeline.setState(id, 'paused', 'deleted through the API');
      this.pipeline.forget(id);
    },
  };

  /**
   * Runs a monitor's check at once, outside its schedule (whose phase does not move), through the same run and
   * pipeline as a scheduled check: its result is stored, and its state step, incident and alerts follow as usual.
   * Resolves once the run is queued (with its audit entry), not when it ends; when a check of the monitor is
   * already queued or running, nothing more is done. Refuses heartbeats (pinged, not checked) and paused monitors.
   */
  private async checkNow(id: string, actor: Actor): Promise<void> {
    const refusal = this.checkNowRefusal(id);
    if (refusal !== undefined) throw refusal;
    // Already running, or asked for by a request whose audit entry is being written: nothing more to do.
    if (this.scheduler.isBusy(id) || this.checksAsked.has(id)) return;
    this.checksAsked.add(id);
    try {
      // Recorded first: a check nobody can account for is never run.
      await this.store.appendAudit({ at: this.clock.now(), actor, action: 'monitor.check', subject: id });
    } finally {
      this.checksAsked.delete(id);
    }
    const outcome = this.scheduler.runNow(id);
    if (outcome === 'queued' || outcome === 'busy') return;
    // Changed while the audit entry was written (paused, removed, stopping): the answer says why nothing runs.
    const why = outcome === 'not-owned' ? 'another Vigil instance checks it' : `it is ${outcome}`;
    throw this.checkNowRefusal(id) ?? new MonitorError('conflict', `monitor ${quote(id)} cannot be checked now: ${why}`);
  }

  private checkNowRefusal(id: string): MonitorError | undefined {
    const config = this.registry.get(id)?.config;
    if (config === undefined) return monitorNotFound(id);
    if (config.type === 'heartbeat') {
      return new MonitorError('conflict', `monitor ${quote(id)} is a heartbeat: it is told its state by pings, there is no check to run`);
    }
    if (config.paused) {
      return new MonitorError('paused_in_config', `monitor ${quote(id)} is paused by its definition (paused: true): change the definition to check it`);
    }
    if (this.registry.isPaused(id)) return new MonitorError('conflict', `monitor ${quote(id)} is paused: resume it first`);
    if (!this.scheduler.isStarted || this.stopped) {
      return new MonitorError('conflict', 'Vigil is starting or stopping: no check can run now, try again in a moment');
    }
    return undefined;
  }

  stats(): ServiceStats {
    return {
      monitors: this.registry.all().length,
      scheduler: this.scheduler.stats(),
      pipeline: this.pipeline.stats(),
      ...(this.maintenance.last ? { lastMaintenance: this.maintenance.last } : {}),
    };
  }

  get isRunning(): boolean {
    return this.started && !this.stopped && this.scheduler.isStarted;
  }

  /** Stores everything taken so far (tests, benchmarks). */
  flush(): Promise<void> {
    return this.pipeline.flush();
  }

  /** Runs store maintenance now (rollups, retention). */
  maintain(): Promise<void> {
    return this.maintenance.run();
  }

  /** Stops checking, waits for the checks in flight, and stores everything buffered. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.drafts.stop();
    this.windows.stop();
    this.heartbeats.stop();
    await this.scheduler.stop();
    await this.maintenance.stop();
    try {
      await this.pipeline.close();
    } finally {
      this.feed.stop();
      // Sends in flight finish (each within its timeout); what is pending waits in the outbox for the next start.
      await this.alerting.stop();
    }
  }

  /** The alerts open now, with their monitor's state. */
  private *openAlerts(): Generator<OpenAlert> {
    for (const { config } of this.registry.all()) {
      const state = this.pipeline.state(config.id);
      if (state?.alert?.open !== undefined) {
        yield { monitorId: config.id, location: state.location, state: state.state, open: state.alert.open };
      }
    }
  }

  /** A monitor `id` depends on that is failing now (down, pending, or with an alert of its own open). */
  private dependencyDown(id: string): string | undefined {
    for (const parent of this.registry.get(id)?.config.depends_on ?? []) {
      const state = this.pipeline.state(parent);
      if (state?.state === 'unhealthy' || state?.state === 'pending' || state?.alert?.open !== undefined) return parent;
    }
    return undefined;
  }

  /** The monitors that depend on `id` and are failing now, by name. */
  private childrenDown(id: string): string[] {
    return this.registry
      .all()
      .filter(({ config }) => config.depends_on?.includes(id) === true)
      .filter(({ config }) => {
        const state = this.pipeline.state(config.id)?.state;
        return state === 'unhealthy' || state === 'pending';
      })
      .map(({ config }) => config.name);
  }

  private statusOf(monitor: ActiveMonitor): MonitorStatus {
    const id = monitor.config.id;
    const paused = this.registry.isPaused(id);
    const runtime = this.pipeline.state(id);
    // Resumed and not checked since (its committed state still says paused): no verdict yet.
    const committed = runtime?.state === 'paused' ? 'new' : (runtime?.state ?? 'new');
    return { monitor, paused, state: paused ? 'paused' : committed, ...(runtime ? { runtime } : {}) };
  }

  private async runCheck(monitor: Schedulable, signal: AbortSignal, startedAt: number, deadline: number): Promise<void> {
    const outcome = await monitor.monitor.check({ signal, deadline, now: () => this.clock.now() });
    // Paused, removed or stopping: the result is not the target's doing, so it is not recorded.
    if (signal.aborted && !(signal.reason instanceof RunAbortedError && signal.reason.reason === 'timeout')) return;
    if (!this.registry.get(monitor.id)) return;
    this.pipeline.record({ ...outcome, monitorId: monitor.id, at: startedAt, location: this.location });
  }

  private reschedule(): void {
    const probing: Schedulable[] = [];
    const heartbeats: HeartbeatMonitor[] = [];
    for (const monitor of this.registry.all()) {
      const config = monitor.config;
      if (config.type === 'heartbeat') {
        // API pauses go through tracker.pause(), so that a ping can resume them; `paused: true` in the
        // definition cannot be resumed by a ping.
        heartbeats.push(config);
        continue;
      }
      const host = monitorHost(config);
      const lastCheckAt = this.pipeline.state(config.id)?.lastCheckAt;
      let prepared = this.prepared.get(config.id);
      if (prepared?.monitor !== config) {
        prepared = prepareMonitor(config);
        this.prepared.set(config.id, prepared);
      }
      probing.push({
        id: config.id,
        intervalMs: config.interval,
        timeoutMs: config.timeout,
        paused: this.registry.isPaused(config.id),
        monitor: prepared,
        ...(host === undefined ? {} : { host }),
        ...(lastCheckAt === undefined ? {} : { lastCheckAt }),
      });
    }
    for (const id of this.prepared.keys()) {
      if (!this.registry.get(id)) this.prepared.delete(id);
    }
    this.scheduler.setMonitors(probing);
    this.heartbeats.setMonitors(heartbeats);
  }

  /**
   * What the heartbeat tracker needs after a restart: the newest stored result that came from a ping (not from a
   * missed deadline or an overlong run, which are the tracker's own), and whether the heartbeat was up or down.
   */
  private async heartbeatRestoreStates(states: ReadonlyMap<string, MonitorRuntimeState>): Promise<Map<string, HeartbeatRestoreState>> {
    const restored = new Map<string, HeartbeatRestoreState>();
    for (const monitor of this.registry.all()) {
      if (monitor.config.type !== 'heartbeat') continue;
      const id = monitor.config.id;
      const state = states.get(id);
      const recent = await this.store.latestResults(id, 50);
      const ping = recent.find((result) => result.kind === 'ping');
      restored.set(id, {
        ...(ping ? { lastPingAt: ping.at } : {}),
        ...(state?.state === 'unhealthy' ? { lastStatus: 'down' as const } : {}),
        ...(state?.state === 'healthy' ? { lastStatus: 'up' as const } : {}),
      });
    }
    return restored;
  }

  /** Runs `read` until the store answers: a store that is down at start is logged and retried, not skipped. */
  private async untilStoreAnswers<T>(what: string, read: () => Promise<T>): Promise<T> {
    for (let attempt = 1, wait = 500; ; attempt++, wait = Math.min(wait * 2, STARTUP_RETRY_MAX_MS)) {
      try {
        return await read();
      } catch (error) {
        if (this.stopped) throw error;
        this.logger.error(
          { event: 'store_read_failed', attempt, retryInMs: wait, error: describeError(error) },
          `${what} failed (attempt ${attempt}); retrying in ${wait} ms`,
        );
        await delay(this.clock, wait);
      }
    }
  }

  private reportShadowed(): void {
    for (const id of this.registry.shadowed) {
      this.logger.warn({ event: 'monitor_shadowed', monitor: id }, `API monitor ${id} is hidden: a monitor in the configuration files has the same id`);
    }
  }
}

