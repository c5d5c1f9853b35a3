/**
 * The monitors the service knows: those of the configuration files (read-only through the API) and those created
 * through the API (stored definitions), and which of them are paused through the API. A configuration monitor wins
 * over an API monitor with the same id (a reload may add one): the API monitor is set aside and reported.
 *
 * Changes are checked here and refused with a `MonitorError` (not found, read-only, conflict, invalid, paused in
 * the configuration); what a change means for checks, states and incidents is the service's business. Each change
 * stores its audit entry (who, what, before and after with secrets redacted) in the same transaction as itself.
 */
import type { MonitorConfig, VigilConfig } from '../config/index.js';
import { redactDefinition } from '../api/redact.js';
import type { Actor, AuditAction, NewAuditEntry, Store, StoredMonitor } from '../store/store.js';
import { invalidMonitor, MonitorError, monitorNotFound, quote } from './errors.js';
import { apiMonitorConfig, checkTimeout, definitionId, validateDefinition } from './validate.js';

export interface ActiveMonitor {
  config: MonitorConfig;
  source: 'config' | 'api';
  /** API monitors: the definition as submitted (shown redacted by the API). */
  definition?: Readonly<Record<string, unknown>>;
}

/** What a reload changed, for the service to act on. */
export interface RegistryChanges {
  /** Gone from the configuration (and not an API monitor). */
  removed: string[];
  /** Paused by the new configuration. */
  paused: string[];
  /** No longer paused by the configuration (nor through the API). */
  resumed: string[];
}

export class MonitorRegistry {
  private configMonitors: MonitorConfig[] = [];
  private defaults: VigilConfig['defaults'];
  private readonly apiMonitors = new Map<string, ActiveMonitor>();
  private readonly pausedThroughApi = new Set<string>();
  private merged: ActiveMonitor[] = [];
  private byId = new Map<string, ActiveMonitor>();
  /** API monitors hidden by a configuration monitor with the same id. */
  shadowed: string[] = [];

  constructor(
    private readonly store: Store,
    config: VigilConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.configMonitors = [...config.monitors];
    this.defaults = config.defaults;
    this.rebuild();
  }

  /** What the store holds: API monitors (returns the ids whose definition no longer validates) and API pauses. */
  load(stored: readonly StoredMonitor[], paused: Iterable<string>): string[] {
    const invalid: string[] = [];
    for (const monitor of stored) {
      try {
        const definition = monitor.definition as Readonly<Record<string, unknown>>;
        this.apiMonitors.set(monitor.id, { config: apiMonitorConfig(definition, this.defaults), source: 'api', definition });
      } catch {
        invalid.push(monitor.id);
      }
    }
    for (const id of paused) this.pausedThroughApi.add(id);
    this.rebuild();
    return invalid;
  }

  /**
   * What the store holds now, written by another instance sharing it: API monitors and API pauses are replaced by
   * the stored ones. Returns what changed, like a reload, and the ids whose stored definition does not validate.
   */
  sync(stored: readonly StoredMonitor[], paused: Iterable<string>): RegistryChanges & { invalid: string[] } {
    const before = new Map(this.merged.map((monitor) => [monitor.config.id, this.isPaused(monitor.config.id)]));
    const invalid: string[] = [];
    const next = new Map<string, ActiveMonitor>();
    for (const monitor of stored) {
      const current = this.apiMonitors.get(monitor.id);
      const definition = monitor.definition as Readonly<Record<string, unknown>>;
      // Unchanged definitions keep their config object: the service prepares a monitor again only when it changed.
      if (current?.definition !== undefined && JSON.stringify(current.definition) === JSON.stringify(definition)) {
        next.set(monitor.id, current);
        continue;
      }
      try {
        next.set(monitor.id, { config: apiMonitorConfig(definition, this.defaults), source: 'api', definition });
      } catch {
        invalid.push(monitor.id);
      }
    }
    this.apiMonitors.clear();
    for (const [id, monitor] of next) this.apiMonitors.set(id, monitor);
    this.pausedThroughApi.clear();
    for (const id of paused) this.pausedThroughApi.add(id);
    this.rebuild();
    return { ...this.changesSince(before), invalid };
  }

  /** A reload: the new configuration's monitors replace the old ones; API monitors are resolved with its defaults. */
  applyConfig(config: VigilConfig): RegistryChanges {
    const before = new Map(this.merged.map((monitor) => [monitor.config.id, this.isPaused(monitor.config.id)]));
    this.configMonitors = [...config.monitors];
    this.defaults = config.defaults;
    for (const [id, monitor] of this.apiMonitors) {
      if (monitor.definition) {
        try {
          this.apiMonitors.set(id, { ...monitor, config: apiMonitorConfig(monitor.definition, this.defaults) });
        } catch {
          // Validated when stored; a definition cannot become invalid through defaults alone.
        }
      }
    }
    this.rebuild();
    return this.changesSince(before);
  }

  /** What changed since `before` (each monitor's id and whether it was paused): removed, paused, resumed. */
  private changesSince(before: ReadonlyMap<string, boolean>): RegistryChanges {
    const changes: RegistryChanges = { removed: [], paused: [], resumed: [] };
    for (const [id, wasPaused] of before) {
      if (!this.byId.has(id)) changes.removed.push(id);
      else if (!wasPaused && this.isPaused(id)) changes.paused.push(id);
      else if (wasPaused && !this.isPaused(id)) changes.resumed.push(id);
    }
    for (const monitor of this.merged) {
      if (!before.has(monitor.config.id) && this.isPaused(monitor.config.id)) changes.paused.push(monitor.config.id);
    }
    return changes;
  }

  all(): readonly ActiveMonitor[] {
    return this.merged;
  }

  get(id: string): ActiveMonitor | undefined {
    return this.byId.get(id);
  }

  /** Paused by its definition, or through the API. */
  isPaused(id: string): boolean {
    const monitor = this.byId.get(id);
    return monitor !== undefined && (monitor.config.paused || this.pausedThroughApi.has(id));
  }

  /** Paused through the API (a ping resumes such a heartbeat; `paused: true` in its definition cannot be resumed). */
  isPausedThroughApi(id: string): boolean {
    return this.pausedThroughApi.has(id);
  }

  /** Creates an API monitor from a definition as submitted; returns it as stored. */
  async create(input: unknown, actor: Actor): Promise<ActiveMonitor> {
    const parsed = validateDefinition(input);
    const id = definitionId(parsed);
    checkTimeout(parsed, this.defaults);
    const existing = this.byId.get(id);
    if (existing) {
      const where = existing.source === 'config' ? ' in a configuration file' : '';
      throw new MonitorError('conflict', `a monitor with id ${quote(id)} already exists${where}: choose another id`);
    }
    this.checkNameFree(parsed.name, id);
    return this.save(id, { ...(input as Record<string, unknown>), id }, actor);
  }

  /** Replaces an API monitor's definition (same id). */
  async replace(id: string, input: unknown, actor: Actor): Promise<ActiveMonitor> {
    const current = this.writable(id);
    const parsed = validateDefinition(input);
    if (parsed.id !== undefined && parsed.id !== id) {
      throw invalidMonitor([{ path: 'id', message: `cannot be changed (it is ${quote(id)}, from the URL); create a new monitor instead` }]);
    }
    checkTimeout(parsed, this.defaults);
    this.checkNameFree(parsed.name, id);
    return this.save(id, { ...(input as Record<string, unknown>), id }, actor, current);
  }

  /** Deletes an API monitor's definition (its results stay until retention removes them). */
  async remove(id: string, actor: Actor): Promise<void> {
    const current = this.writable(id);
    await this.store.deleteMonitor(id, this.auditEntry(actor, 'monitor.delete', id, current.definition));
    if (this.pausedThroughApi.delete(id)) await this.store.setPaused(id, undefined);
    this.apiMonitors.delete(id);
    this.rebuild();
  }

  /** Pauses a monitor of either source; false when it was paused already. */
  async pause(id: string, at: number, actor: Actor): Promise<boolean> {
    if (!this.byId.has(id)) throw monitorNotFound(id);
    if (this.isPaused(id)) return false;
    await this.store.setPaused(id, at, this.auditEntry(actor, 'monitor.pause', id));
    this.pausedThroughApi.add(id);
    return true;
  }

  /** Undoes `pause`; false when it was not paused. A monitor paused by its definition is refused. */
  async resume(id: string, actor: Actor): Promise<boolean> {
    const monitor = this.byId.get(id);
    if (!monitor) throw monitorNotFound(id);
    if (monitor.config.paused) {
      throw new MonitorError(
        'paused_in_config',
        `monitor ${quote(id)} is paused in its ${monitor.source === 'config' ? 'configuration file' : 'definition'} (paused: true): change that to resume it`,
      );
    }
    if (!this.pausedThroughApi.has(id)) return false;
    await this.store.setPaused(id, undefined, this.auditEntry(actor, 'monitor.resume', id));
    this.pausedThroughApi.delete(id);
    return true;
  }

  /** A heartbeat's ping resumed it (as Healthchecks.io does): the API pause is over. */
  async resumedByPing(id: string): Promise<void> {
    if (!this.pausedThroughApi.delete(id)) return;
    await this.store.setPaused(id, undefined);
  }

  private writable(id: string): ActiveMonitor {
    const monitor = this.byId.get(id);
    if (!monitor) throw monitorNotFound(id);
    if (monitor.source === 'config') {
      throw new MonitorError(
        'read_only',
        `monitor ${quote(id)} is defined in a configuration file and is read-only through the API: edit the file and reload (SIGHUP) to change or remove it`,
      );
    }
    return monitor;
  }

  private checkNameFree(name: string, id: string): void {
    const other = this.merged.find((monitor) => monitor.config.name === name && monitor.config.id !== id);
    if (other) {
      throw new MonitorError('conflict', `a monitor named ${quote(name)} already exists (id ${quote(other.config.id)}): names are unique`);
    }
  }

  private auditEntry(
    actor: Actor,
    action: AuditAction,
    subject: string,
    before?: Readonly<Record<string, unknown>>,
    after?: Readonly<Record<string, unknown>>,
  ): NewAuditEntry {
    return {
      at: this.now(),
      actor,
      action,
      subject,
      ...(before ? { before: redactDefinition(before) } : {}),
      ...(after ? { after: redactDefinition(after) } : {}),
    };
  }

  private async save(
    id: string,
    definition: Record<string, unknown>,
    actor: Actor,
    current?: ActiveMonitor,
  ): Promise<ActiveMonitor> {
    const config = apiMonitorConfig(definition, this.defaults);
    const now = this.now();
    const audit = current
      ? this.auditEntry(actor, 'monitor.update', id, current.definition, definition)
      : this.auditEntry(actor, 'monitor.create', id, undefined, definition);
    await this.store.saveMonitor({ id, definition, createdAt: now, updatedAt: now }, audit);
    const monitor: ActiveMonitor = { config, source: 'api', definition };
    this.apiMonitors.set(id, monitor);
    this.rebuild();
    return monitor;
  }

  private rebuild(): void {
    const merged: ActiveMonitor[] = this.configMonitors.map((config) => ({ config, source: 'config' as const }));
    const ids = new Set(merged.map((monitor) => monitor.config.id));
    const shadowed: string[] = [];
    for (const monitor of this.apiMonitors.values()) {
      if (ids.has(monitor.config.id)) shadowed.push(monitor.config.id);
      else merged.push(monitor);
    }
    this.merged = merged;
    this.byId = new Map(merged.map((monitor) => [monitor.config.id, monitor]));
    this.shadowed = shadowed;
  }
}
