/**
 * What the REST API needs from the service that mounts it: the store, the current monitors with their runtime
 * state, the operations that change monitors, and the events feed. The API authorises, maps errors to HTTP and
 * formats; the service (its registry) validates, schedules, persists and decides.
 */
import type { MonitorTypeName } from '../config/index.js';
import type { CheckResult } from '../model.js';
import type { ProbingMonitor } from '../monitors/types.js';
import type { HeartbeatView } from '../heartbeat/index.js';
import type { Sessions } from '../admin/session.js';
import type { Incident, MonitorState } from '../model.js';
import type { EventFeed } from '../pipeline/feed.js';
import type { Logger } from '../log/logger.js';
import type { JobConnection } from '../service/job-connections.js';
import type {
  Actor,
  NewStatusIncident,
  StatusIncident,
  StatusIncidentChange,
  Store,
} from '../store/store.js';

/** One monitor as the service knows it now: from a configuration file (read-only) or created through the API. */
export interface MonitorView {
  id: string;
  name: string;
  type: string;
  group?: string;
  tags: readonly string[];
  description?: string;
  /** Shown to anonymous callers. */
  public: boolean;
  source: 'config' | 'api';
  paused: boolean;
  /** Time between checks; absent for heartbeats. */
  intervalMs?: number;
  state: MonitorState;
  /** When the state last changed, epoch milliseconds. */
  since?: number;
  /** Epoch milliseconds. */
  lastCheckAt?: number;
  /** Heartbeats: their own state, pings and runs. */
  heartbeat?: HeartbeatView;
  /** Checked from several locations: the state at each, in the order of its `locations`. */
  locations?: ReadonlyArray<{ location: string; state: MonitorState }>;
  /** What is checked, for display: a URL or host:port with credentials redacted (see `describeTarget`). */
  target: string;
  /** Every text that names the target (`targetTexts`): hidden from anonymous callers in errors. */
  targetTexts: readonly string[];
  /**
   * The definition: the config-file entry for `config` monitors, the stored definition (as submitted) for
   * `api` monitors. The API redacts secret fields before returning it, and shows it to token holders only.
   */
  definition?: Readonly<Record<string, unknown>>;
}

/**
 * A monitor definition sent to the API: the same shape as an entry of `monitors:` in vigil.yaml (durations as
 * `"30s"`, …), validated with `monitorSchema`, with `id` always set. This is what `StoredMonitor.definition`
 * holds. It never goes through `${ENV}` substitution.
 */
export type MonitorDefinition = Readonly<Record<string, unknown>> & {
  readonly id: string;
  readonly type: MonitorTypeName;
  readonly name: string;
};

/**
 * Changes to monitors, implemented by the service. Each call has completed when its promise resolves:
 * `monitors()` then shows the change, and the audit log holds it with `actor` (stored in the same transaction). They refuse with a `MonitorError` (not found, read-only, conflict, invalid,
 * paused in the configuration), which the API answers with its HTTP status; any other error is answered as a 500
 * without details (and logged).
 */
export interface MonitorControl {
  /** Pause a monitor, from either source (a runtime state, not a change of its definition). */
  pause(id: string, actor: Actor): Promise<void>;
  resume(id: string, actor: Actor): Promise<void>;
  /** Validate, persist and start checking a new API monitor (the definition as submitted; `id` derived if absent). */
  create(definition: unknown, actor: Actor): Promise<{ config: { id: string } }>;
  /** Replace an API monitor's definition (same id). */
  replace(id: string, definition: unknown, actor: Actor): Promise<unknown>;
  /** Stop and delete an API monitor; its results are kept. */
  remove(id: string, actor: Actor): Promise<void>;
  /**
   * Acknowledge an open incident: its alert's reminders and escalation stop, the checks go on. Refused (conflict)
   * when it has ended; an incident acknowledged before is returned as it is.
   */
  acknowledge(incidentId: number, actor: Actor): Promise<Incident>;
  /**
   * Run a monitor's check at once, outside its schedule (its phase stays), through the same pipeline as a
   * scheduled check (result, state step, incident, alerts). Resolves once the check is queued — or at once, doing
   * nothing more, when a check of it is already queued or running. Refused (conflict) for heartbeats and paused
   * monitors.
   */
  checkNow(id: string, actor: Actor): Promise<void>;
}

/** One notification channel of the configuration, as the API shows it: never its settings (URLs, keys). */
export interface ChannelView {
  name: string;
  type: string;
}

/** What a test message through a channel came to. */
export type TestDelivery =
  | { delivered: true; status?: number; durationMs: number }
  | { delivered: false; error: string; status?: number; durationMs: number };

/** The notification channels of the running configuration (`alerts.channels`). */
export interface ChannelControl {
  list(): readonly ChannelView[];
  /**
   * Sends a test message through a channel now (as `vigil notify test`), within a deadline; undefined for an
   * unknown channel. The error of a failed delivery holds none of the channel's secrets.
   */
  test(name: string): Promise<TestDelivery | undefined>;
}

/** Status page incidents, written through the service (which also makes the status pages show the change at once). */
export interface StatusIncidentControl {
  create(input: Omit<NewStatusIncident, 'at' | 'author' | 'sourceIncidentId'>, actor: Actor): Promise<StatusIncident>;
  update(id: number, change: Omit<StatusIncidentChange, 'at' | 'author'>, actor: Actor): Promise<StatusIncident>;
  remove(id: number, actor: Actor): Promise<void>;
}

/** A maintenance window as the API lists it: from the configuration (read-only, its current or next span) or the API. */
export interface MaintenanceEntry {
  source: 'config' | 'api';
  /** API windows only (configuration windows are changed in the configuration). */
  id?: number;
  title: string;
  message?: string;
  /** The span: the current one when it is open, else the next (epoch milliseconds). */
  start: number;
  end: number;
  /** Open now. */
  active: boolean;
  /** Monitor ids and group names it covers; both empty when it covers every monitor (`allMonitors`). */
  monitors: readonly string[];
  groups: readonly string[];
  allMonitors: boolean;
  /** API windows are one-off. */
  schedule: 'once' | 'weekly' | 'cron';
  createdAt?: number;
  author?: string;
}

/** A maintenance window to schedule through the API. */
export interface MaintenanceInput {
  title: string;
  message?: string;
  startsAt: number;
  endsAt: number;
  monitors: readonly string[];
  groups: readonly string[];
}

/**
 * Maintenance windows scheduled through the API, run by the service with the configuration's: a change applies
 * at once (the monitors of a window that is open go to `maintenance`, or back, before the promise resolves).
 * Refuses with a `MonitorError`: `invalid` (with `issues` naming the fields: times, unknown monitors or groups),
 * `not_found`.
 */
export interface MaintenanceControl {
  /** The windows that have not ended, both sources, by start. */
  list(): readonly MaintenanceEntry[];
  create(input: MaintenanceInput, actor: Actor): Promise<MaintenanceEntry>;
  remove(id: number, actor: Actor): Promise<void>;
}

export interface ApiDeps {
  store: Store;
  /** Dashboard sessions: their cookie stands for their token (writes need the session's CSRF token). */
  sessions?: Sessions;
  /** Every monitor, config and API, with its runtime state. Called on each request: keep it cheap. */
  monitors: () => readonly MonitorView[];
  control: MonitorControl;
  /**
   * Status page incidents. Refuses with a `MonitorError` as `control` does: `not_found` (404), `invalid` (an unknown
   * monitor id: 400, the message naming the field from `issues`).
   */
  statusIncidents: StatusIncidentControl;
  /** The events feed (state changes), for `/api/v1/events`. */
  feed: EventFeed;
  /** `config.api.cors.origins`: origins allowed to call from a browser; `*` for read-only access by any. */
  corsOrigins: readonly string[];
  /** Clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** Largest accepted request body, bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Where internal errors are reported (sanitized). Default: nowhere. */
  logger?: Logger;
  /** Maintenance windows, for `/api/v1/maintenance`. Default: none listed, and scheduling refused. */
  maintenance?: MaintenanceControl;
  /** The notification channels, for `/api/v1/channels`. Default: none. */
  channels?: ChannelControl;
  /** The Redis connections whose background jobs `/api/v1/jobs` shows (the `redis` monitors). Default: none. */
  jobConnections?: () => readonly JobConnection[];
  /** How long each Redis access of `/api/v1/jobs` may take before it answers 502. Default 5 s. */
  jobTimeoutMs?: number;
  /** Agents checking from other locations: their monitors, and the results they send. Default: none assigned. */
  agents?: AgentControl;
}

/**
 * What the agent endpoints need (service/remote-locations.ts): which monitors each location checks, and a way to
 * record an agent's results so that states, incidents, events and alerts follow as for the server's own checks.
 */
export interface AgentControl {
  /** The server's own `location`: an agent must have another one. */
  readonly ownLocation: string;
  /**
   * The probing monitors whose `locations` include `location`, paused ones too (`paused` says so): an agent is sent
   * the others, and results it took before a pause are still recorded. Each with its full configuration, secrets
   * included (the agent runs it).
   */
  monitorsAt(location: string): ReadonlyArray<{ config: ProbingMonitor; paused: boolean }>;
  /**
   * Records results checked from `location` (not the server's own; every monitor assigned to it; each monitor's
   * results oldest first). Resolves once they are stored; a result not newer than the last one recorded for its
   * monitor there is skipped, as one already stored (an agent sending a batch again after an unclear failure).
   */
  record(location: string, results: readonly CheckResult[]): Promise<{ accepted: number; skipped: number }>;
}
