/**
 * Judges the state for all locations of each monitor checked from several (pipeline/quorum.ts) from the state
 * changes of its locations: those of this server's checks and those of agents' results, wherever they were
 * committed — it reads them from the events feed, so an agent's results taken by another instance count too.
 * Only the instance that owns the monitor judges it. A verdict is also given again every `repeatMs` while it
 * stands, so that reminders and escalations of an open alert come as for a monitor checked from one place.
 */
import { describeError, type Logger } from '../log/logger.js';
import type { MonitorState, StateChangeEvent } from '../model.js';
import type { EventFeed, FeedSubscription } from '../pipeline/feed.js';
import { NotOwnedError } from '../pipeline/pipeline.js';
import { type LocationState, QUORUM_LOCATION, quorumVerdict, reporting } from '../pipeline/quorum.js';
import type { Status } from '@vigil/core';
import type { Store } from '../store/store.js';

/** A monitor checked from several locations. */
export interface QuorumMonitor {
  id: string;
  locations: readonly string[];
  quorum: number;
  intervalMs: number;
}

export interface QuorumJudgeOptions {
  store: Store;
  feed: EventFeed;
  logger: Logger;
  monitors: () => ReadonlyMap<string, QuorumMonitor>;
  owns: (monitorId: string) => boolean;
  /** The state for all locations now (undefined before its first verdict). */
  judgedState: (monitorId: string) => MonitorState | undefined;
  /** Takes a verdict for all locations; resolves once stored. */
  judge: (monitorId: string, status: Status, cause: string | undefined) => Promise<void>;
  /** Default 15 s. */
  repeatMs?: number;
  now?: () => number;
}

export class QuorumJudge {
  private readonly states = new Map<string, Map<string, LocationState>>();
  private subscription: FeedSubscription | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Monitors whose verdict is being stored: one at a time each, the latest wins. */
  private readonly judging = new Map<string, Promise<void>>();

  constructor(private readonly options: QuorumJudgeOptions) {}

  /** Reads each location's committed state, then follows the feed from before that read. */
  async start(): Promise<void> {
    const cursor = this.options.feed.head;
    await this.load();
    this.subscription = this.options.feed.subscribe(cursor, (events) => this.take(events));
    // Each repeat reads the locations' last checks again: a location that stopped reporting stops voting.
    this.timer = setInterval(() => {
      this.load().then(
        () => this.judgeAll(true),
        (error: unknown) => {
          this.options.logger.warn({ event: 'store_read_failed', error: describeError(error) }, 'reading the states of the locations failed');
          this.judgeAll(true);
        },
      );
    }, this.options.repeatMs ?? 15_000);
    this.timer.unref();
    this.judgeAll(false);
  }

  stop(): void {
    this.subscription?.close();
    if (this.timer) clearInterval(this.timer);
  }

  /** The locations' states read again (monitors taken over, a new configuration), then judged. */
  async reload(ids?: readonly string[]): Promise<void> {
    await this.load();
    if (ids === undefined) this.judgeAll(false);
    else for (const id of ids) this.evaluate(id, false);
  }

  /** Each location's state of a monitor, as last seen. */
  locationStates(monitorId: string): ReadonlyMap<string, LocationState> {
    return this.states.get(monitorId) ?? new Map();
  }

  /**
   * Whether a monitor, down at `location`, is down at fewer of its reporting locations than its quorum (counting
   * `location`): that location's failure is then not downtime.
   */
  belowQuorum(monitorId: string, location: string): boolean {
    const monitor = this.options.monitors().get(monitorId);
    if (monitor === undefined) return false;
    const states = this.locationStates(monitorId);
    const now = this.now();
    const voters = monitor.locations.filter((at) => at === location || reporting(states.get(at), monitor.intervalMs, now));
    const down = voters.filter((at) => at === location || states.get(at)?.state === 'unhealthy').length;
    return down < Math.max(1, Math.min(monitor.quorum, voters.length));
  }

  private now(): number {
    return this.options.now?.() ?? Date.now();
  }

  private async load(): Promise<void> {
    const monitors = this.options.monitors();
    if (monitors.size === 0) return;
    const locations = new Set<string>();
    for (const monitor of monitors.values()) for (const location of monitor.locations) locations.add(location);
    for (const location of locations) {
      const stored = await this.options.store.runtimeStates(location);
      for (const [id, state] of stored) {
        if (!monitors.has(id)) continue;
        const current = this.stateMap(id).get(location);
        const lastCheckAt = Math.max(state.lastCheckAt ?? 0, current?.lastCheckAt ?? 0) || undefined;
        // A change the feed brought since keeps its reason.
        const cause = current?.state === state.state ? current.cause : undefined;
        this.stateMap(id).set(location, {
          state: state.state,
          ...(cause !== undefined ? { cause } : {}),
          ...(lastCheckAt !== undefined ? { lastCheckAt } : {}),
        });
      }
    }
  }

  private stateMap(monitorId: string): Map<string, LocationState> {
    let map = this.states.get(monitorId);
    if (map === undefined) {
      map = new Map();
      this.states.set(monitorId, map);
    }
    return map;
  }

  private take(events: readonly StateChangeEvent[]): void {
    const monitors = this.options.monitors();
    const touched = new Set<string>();
    for (const event of events) {
      if (event.location === QUORUM_LOCATION || !monitors.has(event.monitorId)) continue;
      const map = this.stateMap(event.monitorId);
      const lastCheckAt = Math.max(event.at, map.get(event.location)?.lastCheckAt ?? 0);
      map.set(event.location, { state: event.to, lastCheckAt, ...(event.reason !== undefined ? { cause: event.reason } : {}) });
      touched.add(event.monitorId);
    }
    for (const id of touched) this.evaluate(id, false);
  }

  private judgeAll(repeat: boolean): void {
    for (const id of this.options.monitors().keys()) this.evaluate(id, repeat);
  }

  /** Judges a monitor this instance owns: when the verdict differs from the state for all, or to repeat it. */
  private evaluate(monitorId: string, repeat: boolean): void {
    const monitor = this.options.monitors().get(monitorId);
    if (monitor === undefined || !this.options.owns(monitorId)) return;
    const judged = this.options.judgedState(monitorId);
    // Paused or in maintenance: put there from outside, and left there until resumed.
    if (judged === 'paused' || judged === 'maintenance') return;
    const states = this.locationStates(monitorId);
    const now = this.now();
    const verdict = quorumVerdict(monitor.locations, states, monitor.quorum, (location) => reporting(states.get(location), monitor.intervalMs, now));
    if (verdict === undefined) return;
    const same = judged === verdict.status || (judged === 'pending' && verdict.status === 'unhealthy');
    if (same && !repeat) return;
    const previous = this.judging.get(monitorId) ?? Promise.resolve();
    const next = previous
      .then(() => this.options.judge(monitorId, verdict.status, verdict.cause))
      .catch((error: unknown) => {
        if (error instanceof NotOwnedError) return;
        this.options.logger.error(
          { event: 'quorum_judge_failed', monitor: monitorId, error: describeError(error) },
          `storing the state of monitor ${monitorId} for all its locations failed`,
        );
      })
      .finally(() => {
        if (this.judging.get(monitorId) === next) this.judging.delete(monitorId);
      });
    this.judging.set(monitorId, next);
  }
}
