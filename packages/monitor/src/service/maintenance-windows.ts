/**
 * Maintenance windows, as the service runs them: once a second it works out which monitors a window covers now,
 * and puts a monitor that enters one in `maintenance` (its open incident closed; its checks go on, recorded and
 * excused) and one that leaves it back to `new` (the next check decides). It compares with the committed state, so
 * a restart during a window, or after one ended, comes out right. A paused monitor stays paused.
 *
 * With no window open and no monitor in maintenance (most of the time), a tick skips the walk over the monitors —
 * at 100,000 monitors a walk a second was a measurable share of the CPU — and walks once a minute instead, in case a
 * state was put in maintenance from elsewhere; `tick()` from outside (a reload, a change of windows) always walks.
 */
import { describeError, type Logger } from '../log/logger.js';
import type { MonitorState } from '../model.js';
import type { Clock } from '../scheduler/clock.js';
import type { MaintenanceWindowConfig } from '../config/maintenance.js';
import { covers, openSpan, type WindowSpan } from '../windows/schedule.js';

export interface MaintenanceWindowsOptions {
  clock: Clock;
  logger: Logger;
  windows: () => readonly MaintenanceWindowConfig[];
  /** The monitors to consider (paused ones are left alone). */
  monitors: () => Iterable<{ id: string; group?: string | undefined; paused: boolean }>;
  /** A monitor's committed state. */
  stateOf: (id: string) => MonitorState | undefined;
  setState: (id: string, status: 'maintenance' | 'new', reason: string) => Promise<void>;
  /** Default 1 s. */
  tickMs?: number;
}

/** With nothing to do, one tick in this many walks the monitors anyway. */
export const IDLE_WALK_EVERY_TICKS = 60;

export class MaintenanceWindows {
  private timer: NodeJS.Timeout | undefined;
  /** Monitors in a window now, with the window. */
  private inside = new Map<string, { window: MaintenanceWindowConfig; span: WindowSpan }>();
  /** Monitors whose change of state is being committed. */
  private readonly moving = new Set<string>();
  /** Those commits, for `apply` to wait for. */
  private readonly commits = new Set<Promise<void>>();
  private running = false;
  private stopped = false;
  /** The last walk found no monitor in maintenance and moved none: ticks may skip the walk while no window opens. */
  private quiet = false;
  private skippedTicks = 0;

  constructor(private readonly options: MaintenanceWindowsOptions) {}

  /** Whether a monitor is in a window now (its checks then keep it in maintenance). */
  isIn(id: string): boolean {
    return this.inside.has(id);
  }

  /** The window a monitor is in, if any. */
  windowOf(id: string): { name: string; end: number } | undefined {
    const entry = this.inside.get(id);
    return entry && { name: entry.window.name, end: entry.span.end };
  }

  start(): void {
    this.stopped = false;
    this.running = true;
    this.tick();
  }

  stop(): void {
    this.stopped = true;
    this.running = false;
    clearTimeout(this.timer);
  }

  /**
   * After a change of the windows: works them out now, and resolves once the monitors that entered or left one are
   * moved (never rejects: a failed move is logged, and tried again at the next tick). Nothing before `start`.
   */
  async apply(): Promise<void> {
    if (!this.running) return;
    this.tick();
    await Promise.all(this.commits);
  }

  /** Works out the windows now (walking every monitor) and moves the monitors that entered or left one. */
  tick(): void {
    this.run(true);
  }

  private run(walk: boolean): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    try {
      this.update(walk);
    } catch (error) {
      this.options.logger.error({ event: 'maintenance_failed', error: describeError(error) }, `maintenance windows: ${describeError(error)}`);
    }
    this.timer = setTimeout(() => this.run(false), this.options.tickMs ?? 1000);
    this.timer.unref?.();
  }

  private update(walk: boolean): void {
    const now = this.options.clock.now();
    const open = this.options
      .windows()
      .map((window) => ({ window, span: openSpan(window, now) }))
      .filter((entry): entry is { window: MaintenanceWindowConfig; span: WindowSpan } => entry.span !== undefined);
    const idle = open.length === 0 && this.inside.size === 0 && this.moving.size === 0 && this.quiet;
    if (!walk && idle && ++this.skippedTicks < IDLE_WALK_EVERY_TICKS) return;
    this.skippedTicks = 0;
    let quiet = true;
    const inside = new Map<string, { window: MaintenanceWindowConfig; span: WindowSpan }>();
    for (const monitor of this.options.monitors()) {
      if (monitor.paused) continue;
      const entry = open.find(({ window }) => covers(window, monitor));
      if (entry !== undefined) inside.set(monitor.id, entry);
      const state = this.options.stateOf(monitor.id);
      if (state === 'maintenance') quiet = false;
      if (this.moving.has(monitor.id)) continue;
      if (entry !== undefined && state !== 'maintenance') {
        this.move(monitor.id, 'maintenance', `maintenance window "${entry.window.name}" until ${new Date(entry.span.end).toISOString()}`);
      } else if (entry === undefined && state === 'maintenance') {
        const left = this.inside.get(monitor.id);
        this.move(monitor.id, 'new', left ? `maintenance window "${left.window.name}" ended` : 'maintenance ended');
      }
    }
    this.inside = inside;
    this.quiet = quiet && this.moving.size === 0;
  }

  private move(id: string, status: 'maintenance' | 'new', reason: string): void {
    this.moving.add(id);
    const commit = this.options
      .setState(id, status, reason)
      .catch((error: unknown) =>
        this.options.logger.error({ event: 'maintenance_failed', monitor: id, error: describeError(error) }, `putting ${id} in ${status} failed`),
      )
      .finally(() => {
        this.moving.delete(id);
        this.commits.delete(commit);
      });
    this.commits.add(commit);
  }
}
