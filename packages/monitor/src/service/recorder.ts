/**
 * Where every check result goes: the latest result per monitor (for /metrics and the API), the monitor's state
 * (retries, `pending`, incidents: runner/state-machine.ts), and the batch writer that stores results in one
 * transaction per batch. Runtime states are saved every `stateSaveMs`, so after a crash the schedule resumes
 * from the last check and retries are not forgotten.
 *
 * The state step of one monitor runs after the previous one has finished (a chain per monitor): an incident
 * opened by one result has its id before the next result decides whether to close it.
 */
import { sanitizeMessage } from '@vigil/core';
import type { CheckResult, MonitorRuntimeState } from '../model.js';
import { BatchWriter } from '../runner/batch-writer.js';
import { type CheckVerdict, nextState, type StateTransition, type Verdict } from '../runner/state-machine.js';
import { type Clock, systemClock, type TimerHandle } from '../scheduler/clock.js';
import type { Store } from '../store/store.js';

export interface RecorderOptions {
  store: Store;
  clock?: Clock;
  /** The longest a result waits in memory before it is stored (what `kill -9` can lose). Default 1,000 ms. */
  maxWriteDelayMs?: number;
  /** How often changed runtime states are saved. Default 2,000 ms. */
  stateSaveMs?: number;
  /** Failed checks in a row a monitor tolerates (`retries`) before it goes down. */
  retriesOf: (monitorId: string) => number;
  /** A monitor changed state (after its incident changes are stored). Must not throw. */
  onTransition?: (transition: StateTransition) => void;
  log?: (message: string) => void;
}

export interface RecorderStats {
  /** Results waiting to be stored. */
  buffered: number;
  written: number;
  dropped: number;
  /** Failed writes in a row (0 when the last write succeeded). */
  failingWrites: number;
}

export class ResultRecorder {
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly writer: BatchWriter<CheckResult>;
  private readonly states = new Map<string, MonitorRuntimeState>();
  private readonly latest = new Map<string, CheckResult>();
  private readonly chains = new Map<string, Promise<void>>();
  private readonly dirty = new Set<string>();
  /** Monitors forgotten: a step still running for one of them must not bring its state back. */
  private readonly gone = new Set<string>();
  private readonly stateSaveMs: number;
  private saveTimer: TimerHandle | undefined;
  private saving: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(private readonly options: RecorderOptions) {
    this.store = options.store;
    this.clock = options.clock ?? systemClock;
    this.stateSaveMs = options.stateSaveMs ?? 2000;
    this.writer = new BatchWriter<CheckResult>({
      write: (batch) => this.store.appendResults(batch),
      clock: this.clock,
      maxDelayMs: options.maxWriteDelayMs ?? 1000,
      onError: (error, failure) =>
        this.log(
          `storing ${failure.batchSize} results failed (attempt ${failure.attempt}, retrying in ${failure.retryInMs} ms): ${describe(error)}`,
        ),
      onDrop: (count, reason) =>
        this.log(
          reason === 'overflow'
            ? `${count} results dropped: the store has been failing and the buffer is full`
            : `${count} results arrived after shutdown and were not stored`,
        ),
    });
  }

  /** States saved by a previous run (the store's `runtimeStates()`), before the first result. */
  restore(states: ReadonlyMap<string, MonitorRuntimeState>): void {
    for (const [id, state] of states) this.states.set(id, { ...state });
  }

  state(monitorId: string): MonitorRuntimeState | undefined {
    return this.states.get(monitorId);
  }

  latestResult(monitorId: string): CheckResult | undefined {
    return this.latest.get(monitorId);
  }

  /** Stores a result and moves its monitor's state. Never throws; storage happens in the background. */
  record(result: CheckResult): void {
    if (this.closed) return;
    this.latest.set(result.monitorId, result);
    this.writer.add(result);
    this.step({
      monitorId: result.monitorId,
      status: result.status,
      at: result.at,
      retries: this.options.retriesOf(result.monitorId),
      ...(result.error === undefined ? {} : { cause: result.error }),
    });
  }

  /** Puts a monitor in a state from outside (paused, maintenance), closing its open incident. */
  setState(monitorId: string, status: Extract<Verdict, 'paused' | 'maintenance'>, at: number): void {
    if (this.closed) return;
    this.step({ monitorId, status, at, retries: 0 });
  }

  /** A monitor that is gone: keep nothing in memory (stored results stay until retention removes them). */
  forget(monitorId: string): void {
    this.gone.add(monitorId);
    this.latest.delete(monitorId);
    this.states.delete(monitorId);
    this.dirty.delete(monitorId);
  }

  stats(): RecorderStats {
    const writer = this.writer.stats();
    return {
      buffered: writer.buffered,
      written: writer.written,
      dropped: writer.dropped,
      failingWrites: writer.failing,
    };
  }

  /** Everything recorded so far, stored now (results, incidents and states). */
  async flush(): Promise<void> {
    await Promise.all(this.chains.values());
    await this.writer.flush();
    await this.saveStates();
  }

  /** On shutdown: stop accepting results and store everything buffered. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.saveTimer) this.clock.clearTimer(this.saveTimer);
    this.saveTimer = undefined;
    await Promise.all(this.chains.values());
    try {
      await this.writer.close();
    } finally {
      await this.saveStates();
    }
  }

  private step(verdict: CheckVerdict): void {
    const id = verdict.monitorId;
    this.gone.delete(id);
    const previous = this.chains.get(id) ?? Promise.resolve();
    const next = previous.then(() => this.apply(verdict));
    this.chains.set(id, next);
    // Drop the chain once it is the last link, so a quiet monitor holds no promise.
    void next.then(() => {
      if (this.chains.get(id) === next) this.chains.delete(id);
    });
  }

  private async apply(verdict: CheckVerdict): Promise<void> {
    const id = verdict.monitorId;
    const step = nextState(this.states.get(id), verdict);
    const state = step.state;
    try {
      if (step.closeIncidentId !== undefined) await this.store.closeIncident(step.closeIncidentId, verdict.at);
      if (step.openIncident) state.openIncidentId = (await this.store.openIncident(step.openIncident)).id;
    } catch (error) {
      this.log(`recording an incident of monitor "${id}" failed: ${describe(error)}`);
    }
    // A monitor removed while its step ran stays removed.
    if (this.gone.has(id)) return;
    this.states.set(id, state);
    this.markDirty(id);
    if (step.transition) {
      try {
        this.options.onTransition?.(step.transition);
      } catch (error) {
        this.log(`a state-change listener failed: ${describe(error)}`);
      }
    }
  }

  private markDirty(id: string): void {
    this.dirty.add(id);
    if (this.saveTimer || this.closed) return;
    this.saveTimer = this.clock.setTimer(this.clock.now() + this.stateSaveMs, () => {
      this.saveTimer = undefined;
      void this.saveStates();
    });
  }

  private saveStates(): Promise<void> {
    this.saving = this.saving.then(async () => {
      if (this.dirty.size === 0) return;
      const states: MonitorRuntimeState[] = [];
      for (const id of this.dirty) {
        const state = this.states.get(id);
        if (state) states.push(state);
      }
      this.dirty.clear();
      try {
        await this.store.saveRuntimeStates(states);
      } catch (error) {
        for (const state of states) this.dirty.add(state.monitorId);
        this.log(`saving monitor states failed (kept for the next save): ${describe(error)}`);
      }
    });
    return this.saving;
  }

  private log(message: string): void {
    (this.options.log ?? ((line: string) => console.error(line)))(`vigil: ${message}`);
  }
}

function describe(error: unknown): string {
  return sanitizeMessage(error instanceof Error ? error.message : String(error));
}
