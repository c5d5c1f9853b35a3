/**
 * What the REST API needs from the service that mounts it: the store, the current monitors with their runtime
 * state, and the operations that change monitors. The API validates, authorises and formats; the service
 * schedules, persists and decides.
 */
import type { MonitorTypeName } from '../config/index.js';
import type { MonitorState } from '../model.js';
import type { Store } from '../store/store.js';

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
  /** Epoch milliseconds. */
  lastCheckAt?: number;
  /** What is checked, for display: a URL or host:port with credentials redacted (see `describeTarget`). */
  target: string;
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
 * `monitors()` then shows the change. They may throw an `HttpError` (e.g. 409 or 422) to refuse with a message
 * for the caller; any other error is answered as a 500 without details (and logged).
 */
export interface MonitorControl {
  /** Pause a monitor, from either source (a runtime state, not a change of its definition). */
  pause(id: string): Promise<void> | void;
  resume(id: string): Promise<void> | void;
  /** Persist (`store.saveMonitor`) and start checking a new API monitor. The id is not in use. */
  create(definition: MonitorDefinition): Promise<void> | void;
  /** Replace an API monitor's definition (same id). */
  update(id: string, definition: MonitorDefinition): Promise<void> | void;
  /** Stop and delete an API monitor (`store.deleteMonitor`); its results may be kept. */
  remove(id: string): Promise<void> | void;
}

/** Defaults applied to monitors that do not set their own (`defaults:` of the configuration, in ms). */
export interface MonitorDefaults {
  interval: number;
  timeout: number;
}

export interface ApiDeps {
  store: Store;
  /** Every monitor, config and API, with its runtime state. Called on each request: keep it cheap. */
  monitors: () => readonly MonitorView[];
  control: MonitorControl;
  /** `config.api.cors.origins`: origins allowed to call from a browser; `*` for read-only access by any. */
  corsOrigins: readonly string[];
  /** Clock, epoch milliseconds. Default `Date.now`. */
  now?: () => number;
  /** When given, a created or updated monitor whose timeout is not below its interval is refused (422). */
  defaults?: MonitorDefaults;
  /** Largest accepted request body, bytes. Default 1 MiB. */
  maxBodyBytes?: number;
  /** Where internal errors are reported (already sanitized). Default `console.error`. */
  log?: (message: string) => void;
}
