/**
 * Checks from other places: results that agents (`vigil agent --location NAME`) send to `POST /api/v1/results` go
 * through a check pipeline of their location — one per remote location, made at its first batch and resumed from
 * what the store holds for it — so that states, incidents, events and alerts follow exactly as for the server's own
 * checks, under that location's name.
 *
 * An agent sends a batch again when it could not tell whether the server stored it (the connection broke before
 * the answer): a result not newer than the last one taken for its monitor at that location is skipped, so nothing
 * counts twice; and the batch is answered only once everything it holds is stored — its skipped results included
 * (they may still be on their way to the store, taken from the first try).
 */
import type { AgentControl } from '../api/types.js';
import type { MonitorConfig } from '../config/index.js';
import type { Logger } from '../log/logger.js';
import type { CheckResult } from '../model.js';
import { isProbingMonitor, type ProbingMonitor } from '../monitors/index.js';
import type { EventFeed } from '../pipeline/feed.js';
import { CheckPipeline, type MonitorAlerting } from '../pipeline/pipeline.js';
import type { MonitorRegistry } from '../registry/registry.js';
import type { Clock } from '../scheduler/clock.js';
import type { Store } from '../store/store.js';

/** The locations a monitor is checked from: its `locations`, or only the server's own. */
export function monitorLocations(config: MonitorConfig, ownLocation: string): readonly string[] {
  if (!isProbingMonitor(config)) return [ownLocation];
  return config.locations ?? [ownLocation];
}

/** Whether a monitor is checked from `location` (heartbeats: only where the server is, which they ping). */
export function checkedFrom(config: MonitorConfig, location: string, ownLocation: string): boolean {
  return monitorLocations(config, ownLocation).includes(location);
}

/** What remote locations need of the service, read when used (the service builds these after this). */
export interface RemoteLocationsHost {
  readonly location: string;
  readonly registry: MonitorRegistry;
  readonly feed: EventFeed;
  readonly alerting: { of(monitorId: string): MonitorAlerting | undefined; wake(): void };
  readonly windows: { isIn(monitorId: string): boolean };
  /** Checked from several locations: its alerts and incidents come from the state judged for all (pipeline/quorum.ts). */
  judgedOverLocations(monitorId: string): boolean;
  /** Down at `location` and at fewer locations than its quorum: the failure is not downtime. */
  belowQuorum(monitorId: string, location: string): boolean;
  /** Tells the other instances sharing the store that state changes were committed. */
  changesCommitted(): void;
}

export interface RemoteLocationsOptions {
  host: RemoteLocationsHost;
  store: Store;
  clock: Clock;
  logger: Logger;
  /** As the service's own pipeline. */
  maxWriteDelayMs?: number;
}

/** One remote location: its pipeline, and the newest result taken per monitor (what a resent batch is skipped by). */
interface RemoteLocation {
  readonly pipeline: CheckPipeline;
  readonly newest: Map<string, number>;
  /** Results taken and not yet stored. */
  readonly inFlight: Set<Promise<void>>;
}

export class RemoteLocations implements AgentControl {
  private readonly locations = new Map<string, Promise<RemoteLocation>>();
  private closed = false;

  constructor(private readonly options: RemoteLocationsOptions) {}

  get ownLocation(): string {
    return this.options.host.location;
  }

  monitorsAt(location: string): Array<{ config: ProbingMonitor; paused: boolean }> {
    const { registry } = this.options.host;
    const assigned: Array<{ config: ProbingMonitor; paused: boolean }> = [];
    for (const { config } of registry.all()) {
      if (isProbingMonitor(config) && checkedFrom(config, location, this.ownLocation)) {
        assigned.push({ config, paused: registry.isPaused(config.id) });
      }
    }
    return assigned;
  }

  async record(location: string, results: readonly CheckResult[]): Promise<{ accepted: number; skipped: number }> {
    if (location === this.ownLocation) throw new Error(`${location} is the server's own location: its checks are not sent by agents`);
    const remote = await this.location(location);
    // Taken before this batch: a result skipped below may be one of them, which must be stored before the answer.
    const earlier = [...remote.inFlight];
    const stored: Promise<void>[] = [];
    let skipped = 0;
    for (const result of results) {
      const newest = Math.max(remote.newest.get(result.monitorId) ?? -Infinity, remote.pipeline.state(result.monitorId)?.lastCheckAt ?? -Infinity);
      if (result.at <= newest) {
        skipped++;
        continue;
      }
      remote.newest.set(result.monitorId, result.at);
      const done = remote.pipeline.recordDurably({ ...result, location });
      remote.inFlight.add(done);
      const forget = () => void remote.inFlight.delete(done);
      done.then(forget, forget);
      stored.push(done);
    }
    await Promise.all(skipped > 0 ? [...stored, ...earlier] : stored);
    return { accepted: stored.length, skipped };
  }

  /** On shutdown: no more batches; what was taken is stored (each pipeline retries for a while). */
  async close(): Promise<void> {
    this.closed = true;
    const made = await Promise.allSettled(this.locations.values());
    await Promise.all(made.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.pipeline.close() : undefined)));
  }

  /** A location's pipeline, made at its first batch from the states the store holds for it. */
  private location(location: string): Promise<RemoteLocation> {
    if (this.closed) return Promise.reject(new Error('the server is stopping: send the results again once it is back'));
    let made = this.locations.get(location);
    if (made === undefined) {
      made = this.make(location);
      this.locations.set(location, made);
      // A store that did not answer: the next batch tries again.
      made.catch(() => this.locations.delete(location));
    }
    return made;
  }

  private async make(location: string): Promise<RemoteLocation> {
    const { host, store, clock, logger } = this.options;
    const states = await store.runtimeStates(location);
    const configOf = (id: string) => host.registry.get(id)?.config;
    const pipeline: CheckPipeline = new CheckPipeline({
      store,
      location,
      clock,
      logger,
      ...(this.options.maxWriteDelayMs === undefined ? {} : { maxWriteDelayMs: this.options.maxWriteDelayMs }),
      retriesOf: (id) => {
        const config = configOf(id);
        return config && 'retries' in config ? config.retries : 0;
      },
      onChangesCommitted: () => host.changesCommitted(),
      nameOf: (id) => configOf(id)?.name,
      alertingOf: (id) => (host.judgedOverLocations(id) ? undefined : host.alerting.of(id)),
      incidentsOf: (id) => !host.judgedOverLocations(id),
      belowQuorum: (id) => host.belowQuorum(id, location),
      onNotificationsCommitted: () => host.alerting.wake(),
      inMaintenance: (id) => host.windows.isIn(id),
      // Dependencies are judged where the check ran: a database down from eu-west holds back eu-west's alerts.
      dependencyDown: (id) =>
        configOf(id)?.depends_on?.find((parent) => {
          const state = pipeline.state(parent);
          return state?.state === 'unhealthy' || state?.state === 'pending' || state?.alert?.open !== undefined;
        }),
      childrenDown: (id) =>
        host.registry
          .all()
          .filter(({ config }) => config.depends_on?.includes(id) === true)
          .filter(({ config }) => {
            const state = pipeline.state(config.id)?.state;
            return state === 'unhealthy' || state === 'pending';
          })
          .map(({ config }) => config.name),
    });
    pipeline.restore(states.values());
    logger.info({ event: 'remote_location', location, monitors: states.size }, `results from location ${location}: resumed ${states.size} monitor states`);
    return { pipeline, newest: new Map(), inFlight: new Set() };
  }
}
