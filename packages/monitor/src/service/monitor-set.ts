/**
 * The monitors the service knows: those of the configuration files (read-only through the API) and those
 * created through the API (stored definitions). A configuration monitor wins over an API monitor with the same
 * id (a reload may add one): the API monitor is set aside and reported.
 */
import { monitorSchema, type MonitorConfig, resolveMonitor, type VigilConfig } from '../config/index.js';
import type { MonitorView } from '../api/types.js';
import type { StoredMonitor } from '../store/store.js';

export interface ActiveMonitor {
  config: MonitorConfig;
  source: MonitorView['source'];
  /** API monitors: the definition as submitted (shown redacted by the API). */
  definition?: Readonly<Record<string, unknown>>;
}

/** Validates and resolves an API monitor's stored definition with the configuration's defaults. */
export function apiMonitorConfig(definition: unknown, defaults: VigilConfig['defaults']): MonitorConfig {
  return resolveMonitor(monitorSchema.parse(definition), defaults);
}

export class MonitorSet {
  private configMonitors: MonitorConfig[] = [];
  private readonly apiMonitors = new Map<string, ActiveMonitor>();
  private merged: ActiveMonitor[] = [];
  private byId = new Map<string, ActiveMonitor>();
  /** API monitors hidden by a configuration monitor with the same id. */
  shadowed: string[] = [];

  setConfigMonitors(monitors: readonly MonitorConfig[]): void {
    this.configMonitors = [...monitors];
    this.rebuild();
  }

  setApiMonitor(config: MonitorConfig, definition: Readonly<Record<string, unknown>>): void {
    this.apiMonitors.set(config.id, { config, source: 'api', definition });
    this.rebuild();
  }

  deleteApiMonitor(id: string): boolean {
    const deleted = this.apiMonitors.delete(id);
    if (deleted) this.rebuild();
    return deleted;
  }

  /** Loads stored API monitors; returns the ids whose stored definition no longer validates. */
  loadApiMonitors(stored: readonly StoredMonitor[], defaults: VigilConfig['defaults']): string[] {
    const invalid: string[] = [];
    for (const monitor of stored) {
      try {
        const definition = monitor.definition as Readonly<Record<string, unknown>>;
        this.apiMonitors.set(monitor.id, {
          config: apiMonitorConfig(definition, defaults),
          source: 'api',
          definition,
        });
      } catch {
        invalid.push(monitor.id);
      }
    }
    this.rebuild();
    return invalid;
  }

  /** Re-resolves API monitors after the defaults changed (a reload). */
  reresolveApiMonitors(defaults: VigilConfig['defaults']): void {
    for (const [id, monitor] of this.apiMonitors) {
      if (monitor.definition) {
        try {
          this.apiMonitors.set(id, { ...monitor, config: apiMonitorConfig(monitor.definition, defaults) });
        } catch {
          // Validated when stored; a definition cannot become invalid through defaults alone.
        }
      }
    }
    this.rebuild();
  }

  all(): readonly ActiveMonitor[] {
    return this.merged;
  }

  get(id: string): ActiveMonitor | undefined {
    return this.byId.get(id);
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
