/**
 * Heartbeat monitors: cron jobs and workers ping Vigil, and the tracker knows, for each heartbeat, whether the
 * pings arrive on schedule. It follows Healthchecks.io's model:
 *
 * - `new` until the first ping, `up` after a success ping, `late` from the expected time until the grace period
 *   ends, `down` after it (or after a failure ping), `paused` while paused. `running` is set between `/start`
 *   and the run's end ping.
 * - Being late never alerts; going down does, once: a heartbeat that missed its ping reports one `unhealthy`
 *   result and stays down, silently, until a ping arrives.
 * - A never-pinged heartbeat counts from the moment it was first seen (or resumed), so a cron job that never
 *   runs at all is noticed too.
 *
 * Results go to `onResult`, each with its kind (`ping`, `missed`, `overran`); the service turns them into states and
 * incidents like any check's, and a ping is acknowledged once its result is stored. One clock timer
 * (unref'd by the system clock) wakes the tracker at the earliest deadline of all heartbeats.
 */
import { sanitizeMessage } from '@vigil/core';
import { formatDuration } from '../config/duration.js';
import { heartbeatPingId } from '../config/monitors/heartbeat.js';
import type { MonitorOfType } from '../config/schema.js';
import type { CheckResult } from '../model.js';
import type { Clock, TimerHandle } from '../scheduler/clock.js';
import type { PingFilterConfig } from './ping-filter.js';
import { createSchedule, formatInstant, type HeartbeatSchedule, type HeartbeatScheduleConfig } from './schedule.js';

/** The fields of a heartbeat monitor's configuration the tracker reads. */
export type HeartbeatMonitorConfig = Pick<MonitorOfType<'heartbeat'>, 'id' | 'paused'> &
  PingFilterConfig & {
    schedule: HeartbeatScheduleConfig;
    max_runtime?: number | undefined;
    ping_key?: string | undefined;
    /** `<scope key>/<slug>`: the key of its slug URL (`/ping/<scope key>/<slug>`), when slug URLs are on. */
    slug_key?: string | undefined;
  };

/** A heartbeat's own states, listed once. */
export const HEARTBEAT_STATES = ['new', 'up', 'late', 'down', 'paused'] as const;
export type HeartbeatState = (typeof HEARTBEAT_STATES)[number];

/** What a ping says. An exit status of 0 is a success, any other a failure. */
export interface HeartbeatPing {
  action: 'success' | 'start' | 'fail' | 'log';
  /** From `/ping/<key>/<exit-status>`. */
  exitStatus?: number;
  /** Run id (`?rid=`): pairs a `/start` with its end ping. */
  rid?: string;
  /** The request body (log output), already truncated. */
  body?: string;
  /** Why a failure is one when it is not said by the URL (a keyword filter). */
  reason?: string;
}

/** One heartbeat, as plain JSON (absent values are `null`). Times are epoch milliseconds. */
export interface HeartbeatView {
  monitorId: string;
  state: HeartbeatState;
  /** `/ping/<key>`: holds the ping key, which is a secret; show it only to those allowed to see it. */
  pingPath: string;
  /** The slug of its slug URL (`/ping/<ping-key>/<slug>`), when slug URLs are on for it. */
  slug: string | null;
  /** The last success or failure ping (not `/start` or `/log`). */
  lastPingAt: number | null;
  /** When the next ping is due (past when the heartbeat is late or down). */
  nextExpectedAt: number | null;
  /** The end of the grace period: the heartbeat is late until then and down after it. */
  lateAt: number | null;
  running: boolean;
  /** The start of the most recent run still going. */
  runStartedAt: number | null;
  /** From `/start` to the end ping of the last run that had a `/start`. */
  lastDurationMs: number | null;
  /** The exit status sent by the last `/<exit-status>` ping. */
  lastExitStatus: number | null;
  /** The body of the last ping that had one (success, failure or `/log`), sanitized. */
  lastMessage: string | null;
  lastMessageAt: number | null;
}

/** What the service knows after a restart (from stored states): enough not to call every heartbeat new. */
export interface HeartbeatRestoreState {
  lastPingAt?: number;
  lastStatus?: 'up' | 'down';
}

export interface HeartbeatTrackerOptions {
  clock: Clock;
  /**
   * A ping's outcome, a missed ping or an overlong run (location `local`: the service sets its own). Resolves once
   * the result is stored (a ping's answer waits for it). Must not throw.
   */
  onResult: (result: CheckResult) => Promise<void> | void;
  /** Anything in a heartbeat's view changed (a ping, late, down, paused, resumed). Must not throw. */
  onChange?: (monitorId: string) => void;
}

/** Open runs kept per heartbeat; beyond that the oldest is forgotten (a job that never sends its end ping). */
const MAX_RUNS = 64;
/** How much of a failure's log output goes into the result's error. */
const ERROR_EXCERPT = 200;

interface Run {
  startedAt: number;
  rid: string | undefined;
  /** The `max_runtime` result was sent. */
  overdue: boolean;
}

interface Entry {
  config: HeartbeatMonitorConfig;
  schedule: HeartbeatSchedule;
  key: string;
  /** The state without `late` and `paused`, which follow from the time and the pause flags. */
  base: 'new' | 'up' | 'down';
  /** The moment the expected ping counts from: the last ping, or when the heartbeat was first seen or resumed. */
  anchorAt: number;
  /** Cached `schedule.expectedAfter(anchorAt)`: croner is too slow to ask on every timer computation. */
  expectedAt: number | null;
  pausedByCall: boolean;
  lastPingAt: number | null;
  /** Keyed by rid; `''` for the runs started without one (the latest replaces the previous). */
  runs: Map<string, Run>;
  lastDurationMs: number | null;
  lastExitStatus: number | null;
  lastMessage: string | null;
  lastMessageAt: number | null;
  /** The state last announced through `onChange`. */
  shown: HeartbeatState;
  /** Nothing happened to it since it was created: a restored state may replace it. */
  pristine: boolean;
}

function excerpt(body: string | undefined): string | undefined {
  const text = body?.trim();
  if (!text) return undefined;
  return text.length > ERROR_EXCERPT ? `${text.slice(0, ERROR_EXCERPT)}…` : text;
}

export class HeartbeatTracker {
  private readonly clock: Clock;
  private readonly entries = new Map<string, Entry>();
  private readonly byKey = new Map<string, Entry>();
  /** States given to `restore` for heartbeats not configured yet. */
  private readonly restored = new Map<string, HeartbeatRestoreState>();
  private timer: TimerHandle | undefined;
  private stopped = false;

  constructor(private readonly options: HeartbeatTrackerOptions) {
    this.clock = options.clock;
  }

  /**
   * The heartbeat monitors, on start and on every reload. Heartbeats that stay keep their state (a changed
   * schedule applies from their last ping); new ones start `new`; removed ones are forgotten.
   */
  setMonitors(monitors: readonly HeartbeatMonitorConfig[]): void {
    const now = this.clock.now();
    const seen = new Set<string>();
    for (const config of monitors) {
      if (seen.has(config.id)) continue;
      seen.add(config.id);
      const entry = this.entries.get(config.id);
      if (!entry) {
        this.entries.set(config.id, this.create(config, now));
        continue;
      }
      const wasPaused = this.isPaused(entry);
      if (!entry.schedule.sameAs(config.schedule)) {
        entry.schedule = createSchedule(config.schedule);
        entry.expectedAt = entry.schedule.expectedAfter(entry.anchorAt);
      }
      entry.config = config;
      entry.key = heartbeatPingId(config);
      if (wasPaused && !this.isPaused(entry)) this.unpause(entry, now);
    }
    for (const id of [...this.entries.keys()]) {
      if (!seen.has(id)) this.entries.delete(id);
    }
    this.rebuildKeys();
    this.update();
  }

  /**
   * States saved before a restart, by monitor id, applied to heartbeats that have seen nothing since. A heartbeat
   * restored `up` whose deadline passed while Vigil was stopped goes down (and reports it); one restored `down`
   * stays down without reporting again.
   */
  restore(states: ReadonlyMap<string, HeartbeatRestoreState>): void {
    for (const [id, state] of states) {
      const entry = this.entries.get(id);
      if (!entry) this.restored.set(id, state);
      else if (entry.pristine) this.applyRestored(entry, state);
    }
    this.update();
  }

  /**
   * Heartbeats this instance has just become the owner of (several instances): what it tracked of them is
   * replaced by the state read back from the store, as after a restart.
   */
  adopt(states: ReadonlyMap<string, HeartbeatRestoreState>): void {
    const now = this.clock.now();
    for (const [id, state] of states) {
      const entry = this.entries.get(id);
      if (!entry) continue;
      const fresh = this.create(entry.config, now);
      fresh.pausedByCall = entry.pausedByCall;
      this.entries.set(id, fresh);
      this.applyRestored(fresh, state);
    }
    this.rebuildKeys();
    this.update();
  }

  /** The heartbeat a ping key belongs to. */
  monitorIdOf(key: string): string | undefined {
    return this.byKey.get(key)?.config.id;
  }

  /** Pauses a heartbeat from outside (the API): no deadlines, no results, until `resume` or a ping. */
  pause(monitorId: string): void {
    const entry = this.entries.get(monitorId);
    if (!entry || entry.pausedByCall) return;
    entry.pausedByCall = true;
    entry.pristine = false;
    this.update();
  }

  /** Undoes `pause`. A heartbeat paused by its configuration stays paused. */
  resume(monitorId: string): void {
    const entry = this.entries.get(monitorId);
    if (!entry || !entry.pausedByCall) return;
    entry.pausedByCall = false;
    if (!this.isPaused(entry)) this.unpause(entry, this.clock.now());
    this.update();
  }

  /**
   * A ping to `/ping/<key>…`. Returns false for an unknown key, else a promise that resolves once what the ping
   * changed is stored (at once for `/start` and `/log`, which store nothing). A ping to a paused heartbeat is
   * acknowledged; its success or failure ping resumes it unless its configuration pauses it (then it is ignored).
   */
  ping(key: string, ping: HeartbeatPing): false | Promise<void> {
    const entry = this.byKey.get(key);
    if (!entry) return false;
    const now = this.clock.now();
    // Deadlines that passed before this ping count first, as they would have if the timer had been on time.
    this.process(now);
    if (entry.config.paused) return Promise.resolve();
    entry.pristine = false;
    const message = ping.body === undefined || ping.body === '' ? undefined : sanitizeMessage(ping.body);
    if (message !== undefined) {
      entry.lastMessage = message;
      entry.lastMessageAt = now;
    }
    if (ping.action === 'log') {
      this.changed(entry);
      this.update();
      return Promise.resolve();
    }
    if (ping.action === 'start') {
      this.startRun(entry, ping.rid, now);
      this.update();
      return Promise.resolve();
    }
    // A success or failure ping: the run ends and the schedule counts from now.
    entry.pausedByCall = false;
    const run = this.endRun(entry, ping.rid);
    const durationMs = run === undefined ? null : Math.max(0, now - run.startedAt);
    const failed = ping.action === 'fail' || (ping.exitStatus !== undefined && ping.exitStatus !== 0);
    entry.lastPingAt = now;
    entry.anchorAt = now;
    entry.expectedAt = entry.schedule.expectedAfter(now);
    entry.lastDurationMs = durationMs;
    entry.lastExitStatus = ping.exitStatus ?? null;
    entry.base = failed ? 'down' : 'up';
    const result: CheckResult = {
      monitorId: entry.config.id,
      at: now,
      status: failed ? 'unhealthy' : 'healthy',
      latencyMs: durationMs ?? 0,
      location: 'local',
      kind: 'ping',
    };
    if (failed) {
      const cause = ping.exitStatus !== undefined ? `exit status ${ping.exitStatus}` : (ping.reason ?? 'failure reported by ping');
      const detail = excerpt(message);
      result.error = detail === undefined ? cause : `${cause}: ${detail}`;
    }
    const stored = Promise.resolve(this.options.onResult(result));
    this.changed(entry);
    this.update();
    return stored;
  }

  /** The configuration of the heartbeat a ping key belongs to. */
  configOf(key: string): HeartbeatMonitorConfig | undefined {
    return this.byKey.get(key)?.config;
  }

  /** Whether a ping key belongs to a heartbeat. */
  hasKey(key: string): boolean {
    return this.byKey.has(key);
  }

  view(monitorId: string): HeartbeatView | undefined {
    const entry = this.entries.get(monitorId);
    if (!entry) return undefined;
    this.process(this.clock.now());
    return this.viewOf(entry, this.clock.now());
  }

  views(): HeartbeatView[] {
    const now = this.clock.now();
    // A timer that fires late (a busy event loop) must not show a stale state.
    this.process(now);
    return [...this.entries.values()].map((entry) => this.viewOf(entry, now));
  }

  /** Clears the timer; pings are still taken, but deadlines no longer fire (the service is shutting down). */
  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  private create(config: HeartbeatMonitorConfig, now: number): Entry {
    const schedule = createSchedule(config.schedule);
    const entry: Entry = {
      config,
      schedule,
      key: heartbeatPingId(config),
      base: 'new',
      anchorAt: now,
      expectedAt: schedule.expectedAfter(now),
      pausedByCall: false,
      lastPingAt: null,
      runs: new Map(),
      lastDurationMs: null,
      lastExitStatus: null,
      lastMessage: null,
      lastMessageAt: null,
      shown: 'new',
      pristine: true,
    };
    const restored = this.restored.get(config.id);
    if (restored) {
      this.restored.delete(config.id);
      this.applyRestored(entry, restored);
    }
    entry.shown = this.stateOf(entry, now);
    return entry;
  }

  private applyRestored(entry: Entry, state: HeartbeatRestoreState): void {
    const now = this.clock.now();
    if (state.lastPingAt !== undefined && state.lastPingAt <= now) {
      entry.lastPingAt = state.lastPingAt;
      entry.anchorAt = state.lastPingAt;
      entry.expectedAt = entry.schedule.expectedAfter(state.lastPingAt);
      entry.base = 'up';
    }
    if (state.lastStatus === 'down') entry.base = 'down';
    else if (state.lastStatus === 'up') entry.base = 'up';
  }

  /** Explicit ping keys first, then ids: a key set on purpose is never shadowed by another monitor's id. */
  private rebuildKeys(): void {
    this.byKey.clear();
    const entries = [...this.entries.values()];
    for (const entry of entries) {
      if (entry.config.ping_key !== undefined && !this.byKey.has(entry.key)) this.byKey.set(entry.key, entry);
    }
    for (const entry of entries) {
      if (entry.config.ping_key === undefined && !this.byKey.has(entry.key)) this.byKey.set(entry.key, entry);
    }
    // `<scope key>/<slug>` holds a slash, which no plain key has: they cannot shadow each other.
    for (const entry of entries) {
      const slugKey = entry.config.slug_key;
      if (slugKey !== undefined && !this.byKey.has(slugKey)) this.byKey.set(slugKey, entry);
    }
  }

  private isPaused(entry: Entry): boolean {
    return entry.config.paused || entry.pausedByCall;
  }

  /** Back from a pause: a fresh start, counted from now (the time paused is not held against the job). */
  private unpause(entry: Entry, now: number): void {
    entry.base = 'new';
    entry.anchorAt = now;
    entry.expectedAt = entry.schedule.expectedAfter(now);
    // A run that overran while paused was not reported then, and is not news now.
    const maxRuntime = entry.config.max_runtime;
    for (const run of entry.runs.values()) {
      if (maxRuntime !== undefined && now >= run.startedAt + maxRuntime) run.overdue = true;
    }
  }

  private startRun(entry: Entry, rid: string | undefined, now: number): void {
    const slot = rid ?? '';
    entry.runs.delete(slot);
    entry.runs.set(slot, { startedAt: now, rid, overdue: false });
    if (entry.runs.size > MAX_RUNS) {
      const oldest = entry.runs.keys().next().value;
      if (oldest !== undefined) entry.runs.delete(oldest);
    }
    this.changed(entry);
  }

  /** The run an end ping finishes: the one with its rid, or without a rid the most recent one. */
  private endRun(entry: Entry, rid: string | undefined): Run | undefined {
    if (rid !== undefined) {
      const run = entry.runs.get(rid);
      entry.runs.delete(rid);
      return run;
    }
    const latest = this.latestRun(entry);
    if (latest) entry.runs.delete(latest.rid ?? '');
    return latest;
  }

  private latestRun(entry: Entry): Run | undefined {
    let latest: Run | undefined;
    for (const run of entry.runs.values()) {
      if (!latest || run.startedAt >= latest.startedAt) latest = run;
    }
    return latest;
  }

  private stateOf(entry: Entry, now: number): HeartbeatState {
    if (this.isPaused(entry)) return 'paused';
    if (entry.base === 'down') return 'down';
    if (entry.expectedAt !== null && now >= entry.expectedAt) {
      return now >= entry.expectedAt + entry.schedule.grace ? 'down' : 'late';
    }
    return entry.base;
  }

  /** Fires every deadline that has passed: missed pings go down, overlong runs are reported. */
  private process(now: number): void {
    if (this.stopped) return;
    for (const entry of this.entries.values()) {
      if (this.isPaused(entry)) {
        this.announce(entry, now);
        continue;
      }
      const maxRuntime = entry.config.max_runtime;
      if (maxRuntime !== undefined) {
        for (const run of entry.runs.values()) {
          if (run.overdue || now < run.startedAt + maxRuntime) continue;
          run.overdue = true;
          entry.base = 'down';
          this.options.onResult({
            monitorId: entry.config.id,
            at: now,
            status: 'unhealthy',
            latencyMs: now - run.startedAt,
            error: `run started at ${formatInstant(run.startedAt)} still running after ${formatDuration(maxRuntime)}`,
            location: 'local',
            kind: 'overran',
          });
        }
      }
      if (entry.base !== 'down' && entry.expectedAt !== null && now >= entry.expectedAt + entry.schedule.grace) {
        entry.base = 'down';
        this.options.onResult({
          monitorId: entry.config.id,
          at: now,
          status: 'unhealthy',
          latencyMs: 0,
          error: entry.schedule.describeMiss(entry.expectedAt, entry.anchorAt),
          location: 'local',
          kind: 'missed',
        });
      }
      this.announce(entry, now);
    }
  }

  /** Calls `onChange` when the visible state moved (up → late has no result, but the view changed). */
  private announce(entry: Entry, now: number): void {
    const state = this.stateOf(entry, now);
    if (state === entry.shown) return;
    entry.shown = state;
    this.options.onChange?.(entry.config.id);
  }

  private changed(entry: Entry): void {
    entry.shown = this.stateOf(entry, this.clock.now());
    this.options.onChange?.(entry.config.id);
  }

  /** Processes what is due and sets the one timer for the earliest deadline to come. */
  private update(): void {
    const now = this.clock.now();
    this.process(now);
    if (this.stopped) return;
    let next = Infinity;
    for (const entry of this.entries.values()) {
      if (this.isPaused(entry)) continue;
      if (entry.base !== 'down' && entry.expectedAt !== null) {
        // Up → late (announced) and late → down.
        if (entry.expectedAt > now) next = Math.min(next, entry.expectedAt);
        next = Math.min(next, entry.expectedAt + entry.schedule.grace);
      }
      const maxRuntime = entry.config.max_runtime;
      if (maxRuntime === undefined) continue;
      for (const run of entry.runs.values()) {
        if (!run.overdue) next = Math.min(next, run.startedAt + maxRuntime);
      }
    }
    if (this.timer && this.timer.at === next) return;
    if (this.timer) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (next === Infinity) return;
    this.timer = this.clock.setTimer(next, () => {
      this.timer = undefined;
      this.update();
    });
  }

  private viewOf(entry: Entry, now: number): HeartbeatView {
    const paused = this.isPaused(entry);
    const run = this.latestRun(entry);
    const expected = paused ? null : entry.expectedAt;
    return {
      monitorId: entry.config.id,
      state: this.stateOf(entry, now),
      pingPath: `/ping/${entry.key}`,
      slug: entry.config.slug_key?.slice(entry.config.slug_key.indexOf('/') + 1) ?? null,
      lastPingAt: entry.lastPingAt,
      nextExpectedAt: expected,
      lateAt: expected === null ? null : expected + entry.schedule.grace,
      running: run !== undefined,
      runStartedAt: run?.startedAt ?? null,
      lastDurationMs: entry.lastDurationMs,
      lastExitStatus: entry.lastExitStatus,
      lastMessage: entry.lastMessage,
      lastMessageAt: entry.lastMessageAt,
    };
  }
}
