/**
 * The monitor service: the monitors (configuration and API), the scheduler that runs their checks, the
 * heartbeat tracker, the recorder that turns results into states, incidents and stored rows, and periodic
 * store maintenance (rollups, retention). It owns no HTTP server: `server.ts` mounts it.
 *
 * Life cycle: `start()` restores states and API monitors from the store and starts checking; `applyConfig()`
 * swaps the configuration (a reload) keeping every state; `stop()` stops checking, waits for the checks in
 * flight, and stores everything buffered.
 */
import { sanitizeMessage } from '@vigil/core';
import type { MonitorControl, MonitorDefinition, MonitorView } from '../api/types.js';
import { monitorViewOf } from '../api/monitors.js';
import { HttpError } from '../http/errors.js';
import { type HeartbeatRestoreState, HeartbeatTracker, type HeartbeatView } from '../heartbeat/index.js';
import type { MonitorConfig, MonitorOfType, VigilConfig } from '../config/index.js';
import type { CheckResult, MonitorRuntimeState, MonitorState } from '../model.js';
import { monitorHost, type PreparedMonitor, prepareMonitor } from '../monitors/index.js';
import type { StateTransition } from '../runner/state-machine.js';
import { type Clock, systemClock, type TimerHandle } from '../scheduler/clock.js';
import { RunAbortedError, Scheduler, type SchedulerStats } from '../scheduler/scheduler.js';
import { retentionFromConfig, type Store } from '../store/store.js';
import { apiMonitorConfig, MonitorSet, type ActiveMonitor } from './monitor-set.js';
import { ResultRecorder, type RecorderStats } from './recorder.js';

export interface MonitorServiceOptions {
  config: VigilConfig;
  store: Store;
  clock?: Clock;
  /** Stored with every result. Default `local`. */
  location?: string;
  /** Lines for the server's log (already sanitized). Default: stderr. */
  log?: (line: string) => void;
  /** Time between store maintenance runs (rollups, retention). Default 5 minutes; the first runs after 30 s. */
  maintenanceIntervalMs?: number;
  /** The longest a result waits before it is stored. Default 1,000 ms. */
  maxWriteDelayMs?: number;
  /** A monitor changed state (alerting hooks in here). Must not throw. */
  onTransition?: (transition: StateTransition, monitor: MonitorConfig | undefined) => void;
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
  recorder: RecorderStats;
  lastMaintenance?: { at: number; ok: boolean };
}

type HeartbeatMonitor = MonitorOfType<'heartbeat'>;

export class MonitorService {
  readonly store: Store;
  readonly heartbeats: HeartbeatTracker;
  private config: VigilConfig;
  private readonly clock: Clock;
  private readonly location: string;
  /** Each probing monitor prepared once per configuration version (a new config object is a new version). */
  private readonly prepared = new Map<string, PreparedMonitor>();
  private readonly recorder: ResultRecorder;
  private readonly scheduler: Scheduler<Schedulable>;
  private readonly monitors = new MonitorSet();
  /** Paused through the API (a runtime state: survives restarts through the stored state). */
  private readonly pausedByApi = new Set<string>();
  private maintenanceTimer: TimerHandle | undefined;
  private maintaining: Promise<void> | undefined;
  private lastMaintenance: { at: number; ok: boolean } | undefined;
  private started = false;
  private stopped = false;

  constructor(private readonly options: MonitorServiceOptions) {
    this.config = options.config;
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.location = options.location ?? 'local';
    this.recorder = new ResultRecorder({
      store: this.store,
      clock: this.clock,
      ...(options.maxWriteDelayMs === undefined ? {} : { maxWriteDelayMs: options.maxWriteDelayMs }),
      retriesOf: (id) => {
        const config = this.monitors.get(id)?.config;
        return config && 'retries' in config ? config.retries : 0;
      },
      onTransition: (transition) => this.transitioned(transition),
      log: (line) => this.log(line.replace(/^vigil: /, '')),
    });
    this.scheduler = new Scheduler<Schedulable>({
      clock: this.clock,
      concurrency: this.config.scheduler.concurrency,
      perHostConcurrency: this.config.scheduler.per_host_concurrency,
      run: (monitor, signal, info) => this.runCheck(monitor, signal, info.startedAt, info.deadline),
      onError: (error, monitor) => this.log(`the check of monitor "${monitor.id}" failed: ${describe(error)}`),
    });
    this.heartbeats = new HeartbeatTracker({
      clock: this.clock,
      onResult: (result) => this.recorder.record({ ...result, location: this.location }),
      // A success or failure ping resumes a heartbeat paused through the API (as Healthchecks.io does).
      onChange: (id) => {
        if (this.pausedByApi.has(id) && this.heartbeats.view(id)?.state !== 'paused') this.pausedByApi.delete(id);
      },
    });
  }

  /** Restores API monitors and states from the store, then starts checking. */
  async start(): Promise<void> {
    if (this.started) throw new Error('the monitor service is already started');
    this.started = true;
    const [stored, states] = await Promise.all([this.store.listMonitors(), this.store.runtimeStates()]);
    const invalid = this.monitors.loadApiMonitors(stored, this.config.defaults);
    for (const id of invalid) this.log(`API monitor "${id}" has a stored definition that no longer validates: skipped`);
    this.recorder.restore(states);
    this.monitors.setConfigMonitors(this.config.monitors);
    for (const [id, state] of states) {
      const monitor = this.monitors.get(id);
      if (state.state === 'paused' && monitor && !monitor.config.paused) this.pausedByApi.add(id);
    }
    this.heartbeats.restore(await this.heartbeatRestoreStates(states));
    this.reportShadowed();
    this.reschedule();
    for (const id of this.pausedByApi) {
      if (this.monitors.get(id)?.config.type === 'heartbeat') this.heartbeats.pause(id);
    }
    this.scheduler.start();
    this.scheduleMaintenance(30_000);
  }

  /** A reload: the new configuration's monitors replace the old ones; states, results and API monitors stay. */
  applyConfig(config: VigilConfig): void {
    const before = new Set(this.monitors.all().map((monitor) => monitor.config.id));
    this.config = config;
    this.monitors.setConfigMonitors(config.monitors);
    this.monitors.reresolveApiMonitors(config.defaults);
    for (const monitor of this.monitors.all()) {
      if (monitor.config.paused) this.pausedByApi.delete(monitor.config.id);
    }
    for (const id of before) {
      if (!this.monitors.get(id)) this.forget(id);
    }
    this.reportShadowed();
    this.reschedule();
  }

  get currentConfig(): VigilConfig {
    return this.config;
  }

  monitor(id: string): ActiveMonitor | undefined {
    return this.monitors.get(id);
  }

  allMonitors(): readonly ActiveMonitor[] {
    return this.monitors.all();
  }

  latestResult(id: string): CheckResult | undefined {
    return this.recorder.latestResult(id);
  }

  /** Every monitor with its current state, for the API and the pages. */
  views(): MonitorView[] {
    return this.monitors.all().map((monitor) => {
      const id = monitor.config.id;
      const paused = this.isPaused(monitor);
      const runtime = this.recorder.state(id);
      return monitorViewOf(monitor.config, {
        source: monitor.source,
        paused,
        state: this.stateOf(monitor, paused, runtime?.state),
        ...(runtime?.lastCheckAt === undefined ? {} : { lastCheckAt: runtime.lastCheckAt }),
        ...(monitor.definition ? { definition: monitor.definition } : {}),
      });
    });
  }

  /** Each monitor's id, type and state, without building views (cheap enough for every /metrics scrape). */
  *states(): Generator<{ id: string; type: string; state: MonitorState }> {
    for (const monitor of this.monitors.all()) {
      const paused = this.isPaused(monitor);
      const state = this.stateOf(monitor, paused, this.recorder.state(monitor.config.id)?.state);
      yield { id: monitor.config.id, type: monitor.config.type, state };
    }
  }

  /** Heartbeat details (new, up, late, down, paused; last ping; next expected), by monitor id. */
  heartbeatViews(): Map<string, HeartbeatView> {
    return new Map(this.heartbeats.views().map((view) => [view.monitorId, view]));
  }

  readonly control: MonitorControl = {
    pause: (id) => {
      const monitor = this.require(id);
      if (this.isPaused(monitor)) return;
      this.pausedByApi.add(id);
      this.recorder.setState(id, 'paused', this.clock.now());
      if (monitor.config.type === 'heartbeat') this.heartbeats.pause(id);
      this.reschedule();
    },
    resume: (id) => {
      const monitor = this.require(id);
      if (monitor.config.paused) {
        throw new HttpError(
          409,
          'paused_in_config',
          `monitor "${id}" is paused in its ${monitor.source === 'config' ? 'configuration file' : 'definition'} (paused: true): change that to resume it`,
        );
      }
      if (!this.pausedByApi.delete(id)) return;
      if (monitor.config.type === 'heartbeat') this.heartbeats.resume(id);
      this.reschedule();
    },
    create: async (definition) => {
      await this.saveApiMonitor(definition);
    },
    update: async (_id, definition) => {
      await this.saveApiMonitor(definition);
    },
    remove: async (id) => {
      await this.store.deleteMonitor(id);
      if (this.monitors.deleteApiMonitor(id)) this.forget(id);
      this.pausedByApi.delete(id);
      this.reschedule();
    },
  };

  stats(): ServiceStats {
    return {
      monitors: this.monitors.all().length,
      scheduler: this.scheduler.stats(),
      recorder: this.recorder.stats(),
      ...(this.lastMaintenance ? { lastMaintenance: this.lastMaintenance } : {}),
    };
  }

  get isRunning(): boolean {
    return this.started && !this.stopped && this.scheduler.isStarted;
  }

  /** Stores everything recorded so far (tests, benchmarks). */
  flush(): Promise<void> {
    return this.recorder.flush();
  }

  /** Runs store maintenance now (rollups, retention). */
  async maintain(): Promise<void> {
    if (this.maintaining) return this.maintaining;
    const run = async () => {
      const at = this.clock.now();
      try {
        await this.store.maintain(at, retentionFromConfig(this.config.retention));
        this.lastMaintenance = { at, ok: true };
      } catch (error) {
        this.lastMaintenance = { at, ok: false };
        this.log(`store maintenance failed (retried at the next run): ${describe(error)}`);
      }
    };
    this.maintaining = run().finally(() => {
      this.maintaining = undefined;
    });
    return this.maintaining;
  }

  /** Stops checking, waits for the checks in flight, and stores everything buffered. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.maintenanceTimer) this.clock.clearTimer(this.maintenanceTimer);
    this.heartbeats.stop();
    await this.scheduler.stop();
    await this.maintaining;
    await this.recorder.close();
  }

  private async runCheck(monitor: Schedulable, signal: AbortSignal, startedAt: number, deadline: number) {
    const outcome = await monitor.monitor.check({ signal, deadline, now: () => this.clock.now() });
    // Paused, removed or stopping: the result is not the target's doing, so it is not recorded.
    if (signal.aborted && !(signal.reason instanceof RunAbortedError && signal.reason.reason === 'timeout')) return;
    if (!this.monitors.get(monitor.id)) return;
    this.recorder.record({ ...outcome, monitorId: monitor.id, at: startedAt, location: this.location });
  }

  private async saveApiMonitor(definition: MonitorDefinition): Promise<void> {
    const config = apiMonitorConfig(definition, this.config.defaults);
    const now = this.clock.now();
    await this.store.saveMonitor({ id: config.id, definition, createdAt: now, updatedAt: now });
    this.monitors.setApiMonitor(config, definition);
    this.reschedule();
  }

  private require(id: string): ActiveMonitor {
    const monitor = this.monitors.get(id);
    if (!monitor) throw new HttpError(404, 'not_found', `no monitor with id "${id}"`);
    return monitor;
  }

  private isPaused(monitor: ActiveMonitor): boolean {
    return monitor.config.paused || this.pausedByApi.has(monitor.config.id);
  }

  private stateOf(monitor: ActiveMonitor, paused: boolean, stored: MonitorState | undefined): MonitorState {
    if (paused) return 'paused';
    // Resumed and not checked since: waiting for its first check.
    if (stored === undefined || stored === 'paused') return 'pending';
    return stored;
  }

  private forget(id: string): void {
    this.recorder.forget(id);
    this.pausedByApi.delete(id);
  }

  private reschedule(): void {
    const probing: Schedulable[] = [];
    const heartbeats: HeartbeatMonitor[] = [];
    for (const monitor of this.monitors.all()) {
      const config = monitor.config;
      const paused = this.isPaused(monitor);
      if (config.type === 'heartbeat') {
        // API pauses go through tracker.pause(), so that a ping can resume them; `paused: true` in the
        // definition cannot be resumed by a ping.
        heartbeats.push(config);
        continue;
      }
      const host = monitorHost(config);
      const lastCheckAt = this.recorder.state(config.id)?.lastCheckAt;
      let prepared = this.prepared.get(config.id);
      if (prepared?.monitor !== config) {
        prepared = prepareMonitor(config);
        this.prepared.set(config.id, prepared);
      }
      probing.push({
        id: config.id,
        intervalMs: config.interval,
        timeoutMs: config.timeout,
        paused,
        monitor: prepared,
        ...(host === undefined ? {} : { host }),
        ...(lastCheckAt === undefined ? {} : { lastCheckAt }),
      });
    }
    for (const id of this.prepared.keys()) {
      if (!this.monitors.get(id)) this.prepared.delete(id);
    }
    this.scheduler.setMonitors(probing);
    this.heartbeats.setMonitors(heartbeats);
  }

  /**
   * What the heartbeat tracker needs after a restart. The last ping is the newest stored result that came from a
   * ping, not from a missed deadline or an overlong run (those results are the tracker's own).
   */
  private async heartbeatRestoreStates(
    states: ReadonlyMap<string, MonitorRuntimeState>,
  ): Promise<Map<string, HeartbeatRestoreState>> {
    const restored = new Map<string, HeartbeatRestoreState>();
    for (const monitor of this.monitors.all()) {
      if (monitor.config.type !== 'heartbeat') continue;
      const id = monitor.config.id;
      const state = states.get(id);
      const recent = await this.store.latestResults(id, 50).catch(() => []);
      const ping = recent.find((r) => !r.error || !/^(no ping|run started at)/.test(r.error));
      restored.set(id, {
        ...(ping ? { lastPingAt: ping.at } : {}),
        ...(state?.state === 'unhealthy' ? { lastStatus: 'down' as const } : {}),
        ...(state?.state === 'healthy' ? { lastStatus: 'up' as const } : {}),
      });
    }
    return restored;
  }

  private scheduleMaintenance(delayMs: number): void {
    if (this.stopped) return;
    this.maintenanceTimer = this.clock.setTimer(this.clock.now() + delayMs, () => {
      void this.maintain().finally(() =>
        this.scheduleMaintenance(this.options.maintenanceIntervalMs ?? 5 * 60_000),
      );
    });
  }

  private transitioned(transition: StateTransition): void {
    const monitor = this.monitors.get(transition.monitorId)?.config;
    const name = monitor ? `"${monitor.name}" (${monitor.id})` : `"${transition.monitorId}"`;
    const cause = transition.cause ? `: ${transition.cause}` : '';
    // A new monitor found healthy is what is expected: with thousands of monitors, a line each would bury the rest.
    if (!(transition.from === undefined && transition.to === 'healthy')) {
      this.log(`monitor ${name}: ${transition.from ?? 'new'} → ${transition.to}${cause}`);
    }
    try {
      this.options.onTransition?.(transition, monitor);
    } catch (error) {
      this.log(`a state-change listener failed: ${describe(error)}`);
    }
  }

  private reportShadowed(): void {
    for (const id of this.monitors.shadowed) {
      this.log(`API monitor "${id}" is hidden: a monitor in the configuration files has the same id`);
    }
  }

  private log(line: string): void {
    (this.options.log ?? ((text: string) => console.error(text)))(`vigil: ${line}`);
  }
}

function describe(error: unknown): string {
  return sanitizeMessage(error instanceof Error ? error.message : String(error));
}
