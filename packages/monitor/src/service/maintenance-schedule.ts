/**
 * Maintenance windows scheduled through the API, next to those of the configuration: validated, stored with their
 * audit entry, kept in memory (read from the store at start), and merged with the configuration's into the one
 * list of windows the service runs (maintenance-windows.ts) and the status pages show. A change applies at once:
 * `apply` moves the monitors of a window that opens or closes before the change's promise resolves.
 */
import type { MaintenanceControl, MaintenanceEntry, MaintenanceInput } from '../api/types.js';
import type { MaintenanceWindowConfig } from '../config/maintenance.js';
import { type FieldIssue, MonitorError, quote } from '../registry/errors.js';
import type { Actor, StoredMaintenance, Store } from '../store/store.js';
import { DAY_MS } from '../store/time.js';
import { nextSpan, openSpan } from '../windows/schedule.js';

/** The longest window that can be scheduled through the API. */
export const MAINTENANCE_MAX_MS = 30 * DAY_MS;
export const MAINTENANCE_TITLE_MAX = 200;

export interface MaintenanceScheduleOptions {
  store: Store;
  now: () => number;
  /** The configuration's windows (called each time: a reload may change them). */
  configured: () => readonly MaintenanceWindowConfig[];
  /** The monitors that exist now, with their group. */
  monitors: () => Iterable<{ id: string; group?: string | undefined }>;
  /** Runs the windows after a change; resolves once the monitors that entered or left one are moved. */
  apply?: () => Promise<void>;
}

/** A stored window as the service runs it: one-off, covering its monitors and groups (never every monitor). */
function windowOf(stored: StoredMaintenance): MaintenanceWindowConfig {
  return {
    name: stored.title,
    monitors: stored.monitors,
    groups: stored.groups,
    once: { start: new Date(stored.startsAt).toISOString(), end: new Date(stored.endsAt).toISOString() },
    timezone: 'UTC',
  };
}

function scheduleOf(window: MaintenanceWindowConfig): MaintenanceEntry['schedule'] {
  return window.weekly !== undefined ? 'weekly' : window.cron !== undefined ? 'cron' : 'once';
}

export function storedEntry(stored: StoredMaintenance, now: number): MaintenanceEntry {
  return {
    source: 'api',
    id: stored.id,
    title: stored.title,
    ...(stored.message === undefined ? {} : { message: stored.message }),
    start: stored.startsAt,
    end: stored.endsAt,
    active: stored.startsAt <= now && now < stored.endsAt,
    monitors: stored.monitors,
    groups: stored.groups,
    allMonitors: false,
    schedule: 'once',
    createdAt: stored.createdAt,
    author: stored.author,
  };
}

const unique = (values: readonly string[]) => [...new Set(values)];

export class MaintenanceSchedule implements MaintenanceControl {
  /** The stored windows that have not ended, by start. */
  private stored: StoredMaintenance[] = [];
  private changes = 0;
  private merged: { configured: readonly MaintenanceWindowConfig[]; changes: number; windows: readonly MaintenanceWindowConfig[] } | undefined;
  private readonly asWindow = new WeakMap<StoredMaintenance, MaintenanceWindowConfig>();

  constructor(private readonly options: MaintenanceScheduleOptions) {}

  /** Reads the stored windows that have not ended (at start). */
  async load(): Promise<void> {
    this.stored = await this.options.store.maintenanceWindows({ endsAfter: this.options.now() });
    this.changes++;
  }

  /**
   * The windows to run: the configuration's, then the stored ones that have not ended. The same array (by
   * identity) until the configuration or the stored windows change, so a reader can tell that nothing changed.
   */
  windows(): readonly MaintenanceWindowConfig[] {
    const now = this.options.now();
    if (this.stored.some((stored) => stored.endsAt <= now)) {
      this.stored = this.stored.filter((stored) => stored.endsAt > now);
      this.changes++;
    }
    const configured = this.options.configured();
    if (this.merged?.configured !== configured || this.merged.changes !== this.changes) {
      const stored = this.stored.map((window) => {
        let converted = this.asWindow.get(window);
        if (converted === undefined) this.asWindow.set(window, (converted = windowOf(window)));
        return converted;
      });
      this.merged = { configured, changes: this.changes, windows: [...configured, ...stored] };
    }
    return this.merged.windows;
  }

  list(): MaintenanceEntry[] {
    const now = this.options.now();
    const entries: MaintenanceEntry[] = [];
    for (const window of this.options.configured()) {
      const span = openSpan(window, now) ?? nextSpan(window, now, Number.POSITIVE_INFINITY);
      if (span === undefined) continue;
      const everything = window.monitors === undefined && window.groups === undefined;
      entries.push({
        source: 'config',
        title: window.name,
        start: span.start,
        end: span.end,
        active: span.start <= now && now < span.end,
        monitors: window.monitors ?? [],
        groups: window.groups ?? [],
        allMonitors: everything,
        schedule: scheduleOf(window),
      });
    }
    for (const stored of this.stored) if (stored.endsAt > now) entries.push(storedEntry(stored, now));
    // Stable: configuration windows before API ones that start at the same time.
    return entries.sort((a, b) => a.start - b.start);
  }

  /** The problems of a new window, each naming its field as the API does. */
  private problems(input: MaintenanceInput, now: number): FieldIssue[] {
    const issues: FieldIssue[] = [];
    const title = input.title.trim();
    if (title === '') issues.push({ path: 'title', message: 'must not be empty' });
    if (title.length > MAINTENANCE_TITLE_MAX) issues.push({ path: 'title', message: `at most ${MAINTENANCE_TITLE_MAX} characters` });
    if (!Number.isFinite(input.startsAt)) issues.push({ path: 'starts_at', message: 'expected a date and time' });
    if (!Number.isFinite(input.endsAt)) issues.push({ path: 'ends_at', message: 'expected a date and time' });
    else if (input.endsAt <= input.startsAt) issues.push({ path: 'ends_at', message: 'must be after starts_at' });
    else if (input.endsAt <= now) issues.push({ path: 'ends_at', message: 'is in the past: a window must end in the future' });
    else if (input.endsAt - input.startsAt > MAINTENANCE_MAX_MS) {
      issues.push({ path: 'ends_at', message: `a window lasts at most ${MAINTENANCE_MAX_MS / DAY_MS} days` });
    }
    if (input.monitors.length === 0 && input.groups.length === 0) {
      issues.push({ path: 'monitors', message: 'name the monitors it covers (monitors), or their groups (groups)' });
    }
    const monitors = [...this.options.monitors()];
    const ids = new Set(monitors.map((monitor) => monitor.id));
    const groups = new Set(monitors.map((monitor) => monitor.group).filter((group) => group !== undefined));
    input.monitors.forEach((id, index) => {
      if (!ids.has(id)) issues.push({ path: `monitors[${index}]`, message: `no monitor with id ${quote(id)}` });
    });
    input.groups.forEach((group, index) => {
      if (!groups.has(group)) issues.push({ path: `groups[${index}]`, message: `no monitor is in the group ${quote(group)}` });
    });
    return issues;
  }

  async create(input: MaintenanceInput, actor: Actor): Promise<MaintenanceEntry> {
    const now = this.options.now();
    const issues = this.problems(input, now);
    if (issues.length > 0) {
      const listed = issues.map((issue) => `${issue.path}: ${issue.message}`);
      throw new MonitorError('invalid', `invalid maintenance window: ${listed.join('; ')}`, issues);
    }
    const window = {
      title: input.title.trim(),
      ...(input.message === undefined || input.message.trim() === '' ? {} : { message: input.message.trim() }),
      startsAt: input.startsAt,
      endsAt: input.endsAt,
      monitors: unique(input.monitors),
      groups: unique(input.groups),
      createdAt: now,
      author: actor.name,
    };
    const stored = await this.options.store.createMaintenance(window, {
      at: now,
      actor,
      action: 'maintenance.create',
      subject: 'maintenance',
      after: {
        title: window.title,
        starts_at: new Date(window.startsAt).toISOString(),
        ends_at: new Date(window.endsAt).toISOString(),
        monitors: window.monitors,
        groups: window.groups,
      },
    });
    this.stored = [...this.stored, stored].sort((a, b) => a.startsAt - b.startsAt || a.id - b.id);
    this.changes++;
    await this.options.apply?.();
    return storedEntry(stored, this.options.now());
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const known = this.stored.find((stored) => stored.id === id);
    const audit = {
      at: this.options.now(),
      actor,
      action: 'maintenance.delete' as const,
      subject: `maintenance/${id}`,
      ...(known === undefined ? {} : { before: { title: known.title, starts_at: new Date(known.startsAt).toISOString(), ends_at: new Date(known.endsAt).toISOString() } }),
    };
    if (!(await this.options.store.deleteMaintenance(id, audit))) throw new MonitorError('not_found', `no maintenance window ${id}`);
    if (known !== undefined) {
      this.stored = this.stored.filter((stored) => stored.id !== id);
      this.changes++;
      await this.options.apply?.();
    }
  }
}
