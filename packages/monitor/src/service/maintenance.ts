/**
 * Store maintenance on a timer: rollups and retention (`Store.maintain`) every few minutes, the first run shortly
 * after start. A failed run is logged and retried at the next one; one run at a time.
 */
import { describeError, type Logger } from '../log/logger.js';
import type { Clock, TimerHandle } from '../scheduler/clock.js';
import type { Retention, Store } from '../store/store.js';

export interface MaintenanceLoopOptions {
  store: Store;
  clock: Clock;
  logger: Logger;
  /** Read at every run: a reload may change it. */
  retention: () => Retention;
  /** Time between runs. Default 5 minutes. */
  intervalMs?: number;
  /** Time until the first run. Default 30 s. */
  firstRunMs?: number;
}

export class MaintenanceLoop {
  private timer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  /** The last run: when, and whether it succeeded. */
  last: { at: number; ok: boolean } | undefined;

  constructor(private readonly options: MaintenanceLoopOptions) {}

  start(): void {
    this.schedule(this.options.firstRunMs ?? 30_000);
  }

  /** Runs maintenance now (or waits for the run in progress). */
  run(): Promise<void> {
    if (this.running) return this.running;
    const { store, clock, logger } = this.options;
    const attempt = async () => {
      const at = clock.now();
      try {
        await store.maintain(at, this.options.retention());
        this.last = { at, ok: true };
      } catch (error) {
        this.last = { at, ok: false };
        logger.error({ event: 'maintenance_failed', error: describeError(error) }, 'store maintenance failed (retried at the next run)');
      }
    };
    this.running = attempt().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** Stops the timer and waits for a run in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.options.clock.clearTimer(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    const { clock } = this.options;
    this.timer = clock.setTimer(clock.now() + delayMs, () => {
      void this.run().finally(() => this.schedule(this.options.intervalMs ?? 5 * 60_000));
    });
  }
}
