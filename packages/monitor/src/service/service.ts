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
import type { ClusterMembership, ClusterTopic } from '../cluster/cluster-store.js';
import { LeaseManager, type LeaseStats } from '../cluster/leases.js';
import type { MonitorOfType, VigilConfig } from '../config/index.js';
import { scopeKeyOf, slugKeyOf } from '../config/heartbeats.js';
import type { PingReceiver } from '../heartbeat/ping-handler.js';
import { createPingIntake } from './ping-intake.js';
import { type HeartbeatPing, type HeartbeatRestoreState, HeartbeatTracker, type HeartbeatView } from '../heartbeat/index.js';
import { describeError, type Logger, silentLogger } from '../log/logger.js';
import type { CheckResult, Incident, MonitorRuntimeState, MonitorState } from '../model.js';
import { monitorHost, type PreparedMonitor, prepareMonitor, type ScheduledProbe } from '../monitors/index.js';
import { checkResult } from '../pipeline/check-result.js';
import { EventFeed } from '../pipeline/feed.js';
import { CheckPipeline, NotOwnedError, type PipelineOptions, type PipelineStats } from '../pipeline/pipeline.js';
import { defaultQuorum, QUORUM_LOCATION } from '../pipeline/quorum.js';
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
import { QuorumJudge, type QuorumMonitor } from './quorum-judge.js';
import { StatusIncidentService } from './status-incidents.js';
import { checkedFrom, RemoteLocations } from './remote-locations.js';

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
  /** Several instances share the store: this one's membership, and how long a monitor lease lasts. */
  cluster?: ClusterOptions;
}

export interface ClusterOptions {
  membership: ClusterMembership;
  leaseMs: number;
  /** Default: a third of the lease. */
  renewMs?: number;
  /** How often the monitors and states written by other instances are read again without a notice. Default 10 s. */
  reconcileMs?: number;
}

type Schedulable = ScheduledProbe;

export interface ServiceStats {
  monitors: number;
  scheduler: SchedulerStats;
  pipeline: PipelineStats;
  lastMaintenance?: { at: number; ok: boolean };
  /** Several instances: the leases of this one. */
  leases?: LeaseStats;
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
  /** Where the ping endpoint sends pings: slugs, filters, creation on a first ping, the ping log. */
  readonly pings: PingReceiver;
  readonly feed: EventFeed;
  readonly registry: MonitorRegistry;
  /** Where this process checks from (`location:` of the configuration). */
  readonly location: string;
  private config: VigilConfig;
  private readonly clock: Clock;
  /** The clock's time for a check's context: one function for every check, not a closure per check. */
  private readonly clockNow = (): number => this.clock.now();
  private readonly logger: Logger;
  private readonly pipeline: CheckPipeline;
  /** Monitors checked from several locations: the state judged for all of them (pipeline/quorum.ts). */
  private readonly quorumPipeline: CheckPipeline;
  private readonly quorumJudge: QuorumJudge;
  /** The monitors checked from several locations, rebuilt with the schedule. */
  private quorumMonitors = new Map<string, QuorumMonitor>();
  private othersQuorumStates = new Map<string, MonitorRuntimeState>();
  private readonly scheduler: Scheduler<Schedulable>;
  private readonly maintenance: MaintenanceLoop;
  readonly alerting: Alerting;
  readonly windows: MaintenanceWindows;
  /** Maintenance windows scheduled through the API, merged with the configuration's into those `windows` runs. */
  readonly maintenanceSchedule: MaintenanceSchedule;
  /** Status page incidents: written through the API and the CLI, and drafted by Vigil. */
  readonly statusIncidents: StatusIncidentService;
  /** Results that agents send from other locations (service/remote-locations.ts). */
  readonly remoteLocations: RemoteLocations;
  private readonly drafts: StatusIncidentDrafts;
  /** Each probing monitor prepared once per configuration version (a new config object is a new version). */
  private readonly prepared = new Map<string, PreparedMonitor>();
  private started = false;
  private stopped = false;
  /** Monitors a check was asked for through the API, while its audit entry is written (`checkNow`). */
  private readonly checksAsked = new Set<string>();
  /** Several instances: which monitors this one checks. */
  private readonly leases: LeaseManager | undefined;
  private readonly cluster: ClusterOptions | undefined;
  /** Several instances: the committed states of the monitors others own, as last read from the store. */
  private othersStates = new Map<string, MonitorRuntimeState>();
  private reconcileTimer: NodeJS.Timeout | undefined;
  private viewRefresh: Promise<void> | undefined;
  private viewAgain = false;

  constructor(options: MonitorServiceOptions) {
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger ?? silentLogger;
    this.location = options.config.location;
    this.cluster = options.cluster;
    this.registry = new MonitorRegistry(this.store, this.config, () => this.clock.now());
    this.leases =
      options.cluster === undefined
        ? undefined
        : new LeaseManager({
            membership: options.cluster.membership,
            leaseMs: options.cluster.leaseMs,
            ...(options.cluster.renewMs !== undefined ? { renewMs: options.cluster.renewMs } : {}),
            logger: this.logger,
            monitorIds: () => this.registry.all().map(({ config }) => config.id),
            onGained: (ids) => this.gained(ids),
            onOwned: (ids) => this.owned(ids),
            onLost: () => undefined,
          });
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
    const lanes: Omit<PipelineOptions, 'location'> = {
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      ...(options.maxWriteDelayMs === undefined ? {} : { maxWriteDelayMs: options.maxWriteDelayMs }),
      retriesOf: (id) => {
        const config = this.registry.get(id)?.config;
        return config && 'retries' in config ? config.retries : 0;
      },
      onChangesCommitted: () => this.changesCommitted(),
      nameOf: (id) => this.registry.get(id)?.config.name,
      alertingOf: (id) => this.alerting.of(id),
      onNotificationsCommitted: () => this.alerting.wake(),
      inMaintenance: (id) => this.windows.isIn(id),
      dependencyDown: (id) => this.dependencyDown(id),
      childrenDown: (id) => this.childrenDown(id),
      ...(this.leases === undefined
        ? {}
        : { fenceOf: (id: string) => this.leases!.fenceOf(id), onFenced: (id: string) => this.leases!.fenced(id) }),
    };
    // A monitor checked from several locations alerts and opens incidents only from the state judged for all.
    this.pipeline = new CheckPipeline({
      ...lanes,
      location: this.location,
      alertingOf: (id) => (this.quorumMonitors.has(id) ? undefined : this.alerting.of(id)),
      incidentsOf: (id) => !this.quorumMonitors.has(id),
      belowQuorum: (id) => this.belowQuorum(id, this.location),
    });
    this.quorumPipeline = new CheckPipeline({ ...lanes, location: QUORUM_LOCATION, retriesOf: () => 0 });
    this.quorumJudge = new QuorumJudge({
      store: this.store,
      feed: this.feed,
      logger: this.logger,
      monitors: () => this.quorumMonitors,
      owns: (id) => this.owns(id),
      judgedState: (id) => this.quorumPipeline.state(id)?.state,
      judge: (id, status, cause) => this.quorumPipeline.judge(id, status, cause),
      now: () => this.clock.now(),
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
      // Only the monitors this instance owns: another's owner puts them in maintenance.
      monitors: () =>
        this.registry
          .all()
          .filter(({ config }) => this.owns(config.id))
          .map(({ config }) => ({ id: config.id, group: config.group, paused: this.registry.isPaused(config.id) })),
      stateOf: (id) => this.pipeline.state(id)?.state,
      setState: (id, status, reason) => this.setLanes(id, status, reason),
    });
    this.scheduler = new Scheduler<Schedulable>({
      clock: this.clock,
      concurrency: this.config.scheduler.concurrency,
      perHostConcurrency: this.config.scheduler.per_host_concurrency,
      coalesceMs: this.config.scheduler.coalesce,
      run: (monitor, signal, info) => this.runCheck(monitor, signal, info.startedAt, info.deadline),
      ...(this.leases !== undefined ? { ownership: this.leases } : {}),
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
    this.pings = createPingIntake({
      heartbeats: this.heartbeats,
      store: this.store,
      config: () => this.config,
      now: () => this.clock.now(),
      take: (_id, key, ping) => this.takePing(key, ping),
      create: (definition, actor) => this.control.create(definition, actor),
      heartbeatsUnder: (scopeKey) => this.heartbeatsUnder(scopeKey),
      logger: this.logger,
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
      locations: [this.location, QUORUM_LOCATION],
      owns: (id) => this.owns(id),
    });
    this.remoteLocations = new RemoteLocations({
      host: this,
      store: this.store,
      clock: this.clock,
      logger: this.logger,
      ...(options.maxWriteDelayMs === undefined ? {} : { maxWriteDelayMs: options.maxWriteDelayMs }),
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
    const judged = await this.untilStoreAnswers('reading the states judged over several locations', () => this.store.runtimeStates(QUORUM_LOCATION));
    this.quorumPipeline.restore(judged.values());
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
    // A pause (or its end) decided while Vigil was stopped — in a configuration file, say — is recorded now (with
    // several instances, by the owner of each monitor once it has claimed it).
    if (this.leases === undefined) await this.recordPauses(this.registry.all().map(({ config }) => config.id));
    // Before the first check: a change the checks make is then always seen by the drafts, or by their catching up.
    // Never fails (a failed draft is logged): a store that stops answering must not stop the checks.
    await this.drafts.start();
    if (this.leases !== undefined) {
      this.othersStates = new Map(states);
      this.othersQuorumStates = new Map(judged);
      // This instance's share is claimed (and its states read back) before the first check.
      await this.untilStoreAnswers("claiming this instance's share of the monitors", () => this.leases!.start());
      const every = this.cluster?.reconcileMs ?? 10_000;
      this.reconcileTimer = setInterval(() => this.reconcile(), every);
      this.reconcileTimer.unref();
    }
    await this.untilStoreAnswers('reading the states of monitors checked from several locations', () => this.quorumJudge.start());
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
        await this.setOwnedState(id, 'paused', 'removed from the configuration');
        this.pipeline.forget(id);
      }),
      ...changes.paused.map((id) => this.setOwnedState(id, 'paused', 'paused in the configuration')),
      ...changes.resumed.map((id) => this.setOwnedState(id, 'new', 'resumed in the configuration')),
    ]);
    this.claimSoon();
    // New or changed windows apply now, not at the next tick.
    this.windows.tick();
    await this.quorumJudge.reload();
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

  /**
   * Changes through the API: each resolves once the change is stored and its state step committed (with several
   * instances, the step of a monitor another instance owns is that one's, within moments of the notice).
   */
  readonly control = {
    pause: (id: string, actor: Actor): Promise<void> =>
      this.exclusive(async () => {
        if (!(await this.registry.pause(id, this.clock.now(), actor))) return;
        this.tellOthers('monitors');
        if (this.registry.get(id)?.config.type === 'heartbeat') this.heartbeats.pause(id);
        this.reschedule();
        await this.setOwnedState(id, 'paused', 'paused through the API');
      }),
    resume: (id: string, actor: Actor): Promise<void> =>
      this.exclusive(async () => {
        if (!(await this.registry.resume(id, actor))) return;
        this.tellOthers('monitors');
        if (this.registry.get(id)?.config.type === 'heartbeat') this.heartbeats.resume(id);
        await this.setOwnedState(id, 'new', 'resumed through the API');
        this.reschedule();
      }),
    create: (definition: unknown, actor: Actor): Promise<ActiveMonitor> =>
      this.exclusive(async () => {
        const monitor = await this.registry.create(definition, actor);
        this.tellOthers('monitors');
        this.reschedule();
        this.claimSoon();
        return monitor;
      }),
    replace: (id: string, definition: unknown, actor: Actor): Promise<ActiveMonitor> =>
      this.exclusive(async () => {
        const monitor = await this.registry.replace(id, definition, actor);
        this.tellOthers('monitors');
        this.reschedule();
        return monitor;
      }),
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
      await this.laneOf(incident.monitorId).acknowledge(incident.monitorId, actor.name).catch((error: unknown) => {
        if (!(error instanceof NotOwnedError)) throw error;
        // Owned by another instance: its owner acknowledges its alert when told (`takeAcknowledgements`).
        this.tellOthers('acks');
      });
      return (await this.store.incident(incidentId)) ?? incident;
    },
    checkNow: (id: string, actor: Actor): Promise<void> => this.checkNow(id, actor),
    remove: (id: string, actor: Actor): Promise<void> =>
      this.exclusive(async () => {
        await this.registry.remove(id, actor);
        this.tellOthers('monitors');
        this.reschedule();
        await this.setOwnedState(id, 'paused', 'deleted through the API');
        this.pipeline.forget(id);
      }),
  };

  /** Registry changes one at a time: a change through the API and a sync from the store never interleave. */
  private exclusive<T>(change: () => Promise<T>): Promise<T> {
    const run = this.changes.then(change);
    this.changes = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private changes: Promise<void> = Promise.resolve();

  /** State changes were committed here: the feed reads them, and the other instances are told. */
  changesCommitted(): void {
    this.feed.wake();
    this.tellOthers('events');
  }

  /** Whether a monitor is checked from several locations, its state judged over all of them (pipeline/quorum.ts). */
  judgedOverLocations(id: string): boolean {
    return this.quorumMonitors.has(id);
  }

  /**
   * Whether a monitor checked from several locations, down at `location`, is down at fewer locations than its
   * quorum (counting `location`): then that location's failed checks are not downtime (`excused: quorum`).
   */
  belowQuorum(id: string, location: string): boolean {
    return this.quorumJudge.belowQuorum(id, location);
  }

  /** Whether this instance checks the monitor (always, when it is the only one). */
  owns(id: string): boolean {
    return this.leases === undefined || this.leases.owns(id);
  }

  /** A monitor's committed state: this instance's own, or as last read from the store when another owns it. */
  stateOf(id: string): MonitorRuntimeState | undefined {
    const lane = this.laneOf(id);
    if (this.leases === undefined || this.leases.owns(id)) return lane.state(id);
    return (this.quorumMonitors.has(id) ? this.othersQuorumStates : this.othersStates).get(id) ?? lane.state(id);
  }

  /**
   * A heartbeat ping, for the ping handler: taken here when this instance owns the heartbeat, else put in the
   * store's inbox for its owner (resolving once stored there). False for an unknown key.
   */
  takePing(key: string, ping: HeartbeatPing): false | Promise<void> {
    const id = this.heartbeats.monitorIdOf(key);
    if (id === undefined) return false;
    if (this.cluster === undefined || this.owns(id)) return this.heartbeats.ping(key, ping);
    return this.cluster.membership.forwardPing({ monitorId: id, key, ping, at: this.clock.now() });
  }

  /** How many heartbeats answer under a key of slug URLs (the `create.limit` counts them). */
  heartbeatsUnder(scopeKey: string): number {
    let count = 0;
    for (const { config } of this.registry.all()) {
      if (config.type === 'heartbeat' && scopeKeyOf(this.config.heartbeats, config.group) === scopeKey) count += 1;
    }
    return count;
  }

  /** Another instance said something changed (several instances). Never throws. */
  noticed(topic: ClusterTopic, subject?: string): void {
    if (topic === 'check') {
      // Asked through another instance, audited there: run here if this one owns it (else another does).
      if (subject !== undefined && this.owns(subject) && this.checkNowRefusal(subject) === undefined) this.scheduler.runNow(subject);
    } else if (topic === 'monitors') this.syncSoon();
    else if (topic === 'events') {
      this.feed.wake();
      this.refreshView();
    } else if (topic === 'acks') this.takeAcknowledgements();
    else this.drainPings();
  }

  /** A state step for a monitor this instance owns; nothing when another does (its owner records it). */
  private async setOwnedState(id: string, status: 'paused' | 'new' | 'maintenance', reason: string): Promise<void> {
    try {
      await this.setLanes(id, status, reason);
    } catch (error) {
      if (!(error instanceof NotOwnedError)) throw error;
    }
  }

  /** A state put from outside: on this location's lane, and on the state for all locations when it has one. */
  private async setLanes(id: string, status: 'paused' | 'new' | 'maintenance', reason: string): Promise<void> {
    if (!this.quorumMonitors.has(id)) return this.pipeline.setState(id, status, reason);
    await Promise.all([this.pipeline.setState(id, status, reason), this.quorumPipeline.setState(id, status, reason)]);
  }

  /** The lane that decides a monitor's state, incidents and alerts. */
  private laneOf(id: string): CheckPipeline {
    return this.quorumMonitors.has(id) ? this.quorumPipeline : this.pipeline;
  }

  /** Each location's state of a monitor checked from several (empty for others). */
  locationStates(id: string): ReadonlyMap<string, { state: MonitorState; cause?: string }> {
    return this.quorumJudge.locationStates(id);
  }

  /** Pauses (or their ends) the stored states do not show yet, recorded for the monitors this instance owns. */
  private async recordPauses(ids: readonly string[]): Promise<void> {
    await Promise.all(
      ids.map(async (id) => {
        const config = this.registry.get(id)?.config;
        if (config === undefined) return;
        const state = this.pipeline.state(id)?.state;
        if (this.registry.isPaused(id) && state !== undefined && state !== 'paused') {
          await this.setOwnedState(id, 'paused', config.paused ? 'paused in the configuration' : 'paused through the API');
        } else if (!this.registry.isPaused(id) && state === 'paused') {
          await this.setOwnedState(id, 'new', 'resumed');
        }
      }),
    );
  }

  private tellOthers(topic: ClusterTopic, subject?: string): void {
    this.cluster?.membership.notify(topic, subject).catch((error: unknown) =>
      this.logger.warn({ event: 'cluster_notify_failed', topic, error: describeError(error) }, `telling the other instances that ${topic} changed failed`),
    );
  }

  /** Monitors just claimed: their lanes and heartbeats continue from the store, before they count as owned. */
  private async gained(ids: string[]): Promise<void> {
    const states = await this.store.runtimeStates(this.location);
    this.pipeline.reload(ids, states);
    const quorum = ids.filter((id) => this.quorumMonitors.has(id));
    if (quorum.length > 0) this.quorumPipeline.reload(quorum, await this.store.runtimeStates(QUORUM_LOCATION));
    const heartbeatIds = new Set(ids.filter((id) => this.registry.get(id)?.config.type === 'heartbeat'));
    if (heartbeatIds.size > 0) this.heartbeats.adopt(await this.heartbeatRestoreStates(states, heartbeatIds));
  }

  /** Monitors now owned: pauses and maintenance windows apply to them, and pings that waited for them are taken. */
  private owned(ids: string[]): void {
    this.recordPauses(ids).catch((error: unknown) =>
      this.logger.error({ event: 'store_write_failed', error: describeError(error) }, 'recording the pauses of monitors taken over failed'),
    );
    const quorum = ids.filter((id) => this.quorumMonitors.has(id));
    if (quorum.length > 0) {
      this.quorumJudge.reload(quorum).catch((error: unknown) =>
        this.logger.error({ event: 'store_read_failed', error: describeError(error) }, 'reading the locations of monitors taken over failed'),
      );
    }
    this.windows.tick();
    this.drainPings();
  }

  /** The safety net under the notices: monitors, pauses, states, pings and acknowledgements read again every `reconcileMs`. */
  private reconcile(): void {
    this.syncSoon();
    this.refreshView();
    this.drainPings();
    this.takeAcknowledgements();
  }

  /**
   * Incidents acknowledged through another instance: the alerts of the monitors this one owns follow (no more
   * reminders, no escalation). Reads only the open, unacknowledged alerts' incidents.
   */
  private takeAcknowledgements(): void {
    if (this.stopped) return;
    for (const { config } of this.registry.all()) {
      if (!this.owns(config.id)) continue;
      const lane = this.laneOf(config.id);
      const state = lane.state(config.id);
      const incidentId = state?.openIncidentId;
      if (state?.alert?.open === undefined || state.alert.open.acknowledged !== undefined || incidentId === undefined) continue;
      void this.store
        .incident(incidentId)
        .then(async (incident) => {
          if (incident?.acknowledged !== undefined) await lane.acknowledge(config.id, incident.acknowledged.by);
        })
        .catch((error: unknown) => {
          if (error instanceof NotOwnedError) return;
          this.logger.warn({ event: 'acknowledge_failed', monitor: config.id, error: describeError(error) }, 'taking an acknowledgement made through another instance failed');
        });
    }
  }

  private syncSoon(): void {
    this.exclusive(() => this.syncFromStore()).catch((error: unknown) =>
      this.logger.error({ event: 'cluster_sync_failed', error: describeError(error) }, 'reading the monitors other instances changed failed'),
    );
  }

  /** API monitors and pauses as the store holds them (written by another instance). */
  private async syncFromStore(): Promise<void> {
    if (this.stopped) return;
    const [stored, paused] = await Promise.all([this.store.listMonitors(), this.store.pausedMonitors()]);
    const known = new Set(this.registry.all().map(({ config }) => config.id));
    const changes = this.registry.sync(stored, paused);
    const added = this.registry.all().some(({ config }) => !known.has(config.id));
    if (changes.removed.length + changes.paused.length + changes.resumed.length > 0) {
      for (const id of changes.paused) if (this.registry.get(id)?.config.type === 'heartbeat') this.heartbeats.pause(id);
      for (const id of changes.resumed) if (this.registry.get(id)?.config.type === 'heartbeat') this.heartbeats.resume(id);
    }
    this.reschedule();
    await Promise.all([
      ...changes.removed.filter((id) => this.owns(id)).map(async (id) => {
        await this.setOwnedState(id, 'paused', 'deleted through the API');
        this.pipeline.forget(id);
      }),
      ...changes.paused.filter((id) => this.owns(id)).map((id) => this.setOwnedState(id, 'paused', 'paused through the API')),
      ...changes.resumed.filter((id) => this.owns(id)).map((id) => this.setOwnedState(id, 'new', 'resumed through the API')),
    ]);
    // A round renews every lease: only monitors just added are worth one before the next.
    if (added) this.claimSoon();
  }

  /** A lease round now, so that monitors just added are claimed without waiting for the next. */
  private claimSoon(): void {
    this.leases?.roundNow().catch(() => undefined);
  }

  /** The states of the monitors others own, read again (after a notice of new events, and every `reconcileMs`). */
  private refreshView(): void {
    if (this.leases === undefined || this.stopped) return;
    if (this.viewRefresh !== undefined) {
      this.viewAgain = true;
      return;
    }
    this.viewRefresh = Promise.all([this.store.runtimeStates(this.location), this.store.runtimeStates(QUORUM_LOCATION)])
      .then(
        ([states, judged]) => {
          this.othersStates = states;
          this.othersQuorumStates = judged;
        },
        (error: unknown) => this.logger.warn({ event: 'store_read_failed', error: describeError(error) }, 'reading the states other instances committed failed'),
      )
      .finally(() => {
        this.viewRefresh = undefined;
        if (this.viewAgain) {
          this.viewAgain = false;
          this.refreshView();
        }
      });
  }

  private draining: Promise<void> | undefined;
  private drainAgain = false;

  /** Takes the pings other instances received for heartbeats this one owns. */
  private drainPings(): void {
    if (this.cluster === undefined || this.stopped) return;
    if (this.draining !== undefined) {
      this.drainAgain = true;
      return;
    }
    const owned = this.registry.all().filter(({ config }) => config.type === 'heartbeat' && this.owns(config.id)).map(({ config }) => config.id);
    this.draining = this.cluster.membership
      .drainPings(owned, async (inbox) => {
        const taken = this.heartbeats.ping(inbox.key, inbox.ping as HeartbeatPing);
        if (taken !== false) await taken;
      })
      .then(
        () => undefined,
        (error: unknown) => this.logger.error({ event: 'ping_inbox_failed', error: describeError(error) }, 'taking the pings other instances received failed'),
      )
      .finally(() => {
        this.draining = undefined;
        if (this.drainAgain) {
          this.drainAgain = false;
          this.drainPings();
        }
      });
  }

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
    if (outcome === 'not-owned' && this.cluster !== undefined) {
      // Another instance checks it: its owner runs it when told.
      this.tellOthers('check', id);
      return;
    }
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

  /** Several instances: this one's leases (cheap, unlike `stats()`); undefined for a store one process owns. */
  leaseStats(): LeaseStats | undefined {
    return this.leases?.stats();
  }

  stats(): ServiceStats {
    return {
      monitors: this.registry.all().length,
      scheduler: this.scheduler.stats(),
      pipeline: this.pipeline.stats(),
      ...(this.maintenance.last ? { lastMaintenance: this.maintenance.last } : {}),
      ...(this.leases ? { leases: this.leases.stats() } : {}),
    };
  }

  get isRunning(): boolean {
    return this.started && !this.stopped && this.scheduler.isStarted;
  }

  /** Stores everything taken so far (tests, benchmarks). */
  async flush(): Promise<void> {
    await Promise.all([this.pipeline.flush(), this.quorumPipeline.flush()]);
  }

  /** Runs store maintenance now (rollups, retention). */
  maintain(): Promise<void> {
    return this.maintenance.run();
  }

  /** Stops checking, waits for the checks in flight, and stores everything buffered. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.reconcileTimer) clearInterval(this.reconcileTimer);
    this.drafts.stop();
    this.windows.stop();
    this.heartbeats.stop();
    await this.scheduler.stop();
    await this.maintenance.stop();
    try {
      this.quorumJudge.stop();
      await Promise.all([this.pipeline.close(), this.quorumPipeline.close(), this.remoteLocations.close()]);
    } finally {
      // After the last commit under them: the leases are given up, and the others take the monitors at once.
      await this.leases?.stop().catch((error: unknown) =>
        this.logger.warn({ event: 'cluster_leave_failed', error: describeError(error) }, 'giving up the monitor leases failed: others take them when they expire'),
      );
      this.feed.stop();
      // Sends in flight finish (each within its timeout); what is pending waits in the outbox for the next start.
      await this.alerting.stop();
    }
  }

  /** The alerts open now, with their monitor's state. */
  private *openAlerts(): Generator<OpenAlert> {
    for (const { config } of this.registry.all()) {
      if (!this.owns(config.id)) continue;
      const state = this.laneOf(config.id).state(config.id);
      if (state?.alert?.open !== undefined) {
        yield { monitorId: config.id, location: state.location, state: state.state, open: state.alert.open };
      }
    }
  }

  /**
   * A monitor's state for judging its dependents (or the monitors it depends on): a change decided here and still
   * being committed counts — monitors that fail together are judged in the same turn of the event loop, before
   * its end writes their changes.
   */
  private stateForDependencies(id: string): MonitorRuntimeState | undefined {
    return (this.owns(id) ? this.laneOf(id).stateAhead(id) : undefined) ?? this.stateOf(id);
  }

  /** A monitor `id` depends on that is failing now (down, pending, or with an alert of its own open). */
  private dependencyDown(id: string): string | undefined {
    for (const parent of this.registry.get(id)?.config.depends_on ?? []) {
      const state = this.stateForDependencies(parent);
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
        const state = this.stateForDependencies(config.id)?.state;
        return state === 'unhealthy' || state === 'pending';
      })
      .map(({ config }) => config.name);
  }

  private statusOf(monitor: ActiveMonitor): MonitorStatus {
    const id = monitor.config.id;
    const paused = this.registry.isPaused(id);
    const runtime = this.stateOf(id);
    // Resumed and not checked since (its committed state still says paused): no verdict yet.
    const committed = runtime?.state === 'paused' ? 'new' : (runtime?.state ?? 'new');
    return { monitor, paused, state: paused ? 'paused' : committed, ...(runtime ? { runtime } : {}) };
  }

  private runCheck(monitor: Schedulable, signal: AbortSignal, startedAt: number, deadline: number): Promise<void> {
    // `then`, not `async`/`await`: one promise fewer for every check.
    return monitor.monitor.check({ signal, deadline, now: this.clockNow }).then((outcome) => {
      // Paused, removed or stopping: the result is not the target's doing, so it is not recorded.
      if (signal.aborted && !(signal.reason instanceof RunAbortedError && signal.reason.reason === 'timeout')) return;
      if (!this.registry.get(monitor.id)) return;
      this.pipeline.record(checkResult(outcome, monitor.id, startedAt, this.location));
    });
  }

  private reschedule(): void {
    const probing: Schedulable[] = [];
    const heartbeats: Array<HeartbeatMonitor & { slug_key?: string }> = [];
    const quorum = new Map<string, QuorumMonitor>();
    for (const monitor of this.registry.all()) {
      const config = monitor.config;
      if (config.type !== 'heartbeat' && (config.locations?.length ?? 1) > 1) {
        const locations = config.locations!;
        quorum.set(config.id, {
          id: config.id,
          locations,
          quorum: config.quorum ?? defaultQuorum(locations.length),
          intervalMs: config.interval,
        });
      }
      if (config.type === 'heartbeat') {
        // API pauses go through tracker.pause(), so that a ping can resume them; `paused: true` in the
        // definition cannot be resumed by a ping.
        const slugKey = slugKeyOf(this.config.heartbeats, config);
        heartbeats.push(slugKey === undefined ? config : { ...config, slug_key: slugKey });
        continue;
      }
      // Checked from elsewhere only (its `locations` leave this server's out): agents run it, not this scheduler.
      if (!checkedFrom(config, this.location, this.location)) continue;
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
    this.quorumMonitors = quorum;
    this.scheduler.setMonitors(probing);
    this.heartbeats.setMonitors(heartbeats);
  }

  /**
   * What the heartbeat tracker needs after a restart: the newest stored result that came from a ping (not from a
   * missed deadline or an overlong run, which are the tracker's own), and whether the heartbeat was up or down.
   */
  private async heartbeatRestoreStates(
    states: ReadonlyMap<string, MonitorRuntimeState>,
    only?: ReadonlySet<string>,
  ): Promise<Map<string, HeartbeatRestoreState>> {
    const restored = new Map<string, HeartbeatRestoreState>();
    for (const monitor of this.registry.all()) {
      if (monitor.config.type !== 'heartbeat' || (only !== undefined && !only.has(monitor.config.id))) continue;
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

