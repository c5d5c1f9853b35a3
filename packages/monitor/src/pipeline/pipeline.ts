/**
 * The check pipeline: the one path from a result to stored state.
 *
 * Each result (or a state put from outside: paused, maintenance, resumed) is a verdict for its monitor's lane. The
 * state machine turns the lane's committed state and the verdict into a step:
 *
 * - a quiet step (same state, no incident change) moves the lane on at once; its result and state wait in the
 *   batch writer and are stored with others within `maxWriteDelayMs` (after `kill -9`, at most that is lost: no
 *   state change, no incident);
 * - a loud step (the state changes, an incident opens or closes) is written at once — its result, the new state,
 *   the incident changes and the state change's event in ONE transaction (`Store.commit`), together with every
 *   result of any monitor buffered before it — and nothing in memory moves on until it has committed: the lane
 *   waits, its next verdicts queue behind it. A failed write is retried with backoff; other lanes keep running.
 *
 * A restart resumes each lane from its committed state (`restore`). Everything that reacts to a state change reads
 * the events feed the commit wrote (feed.ts); `onChangesCommitted` only says that there is something to read.
 */
import { sanitizeMessage, type Status } from '@vigil/core';
import { describeError, type Logger } from '../log/logger.js';
import type { CheckResult, MonitorRuntimeState } from '../model.js';
import { type Clock, systemClock } from '../scheduler/clock.js';
import type { Notification, Severity } from '../notify/notifier.js';
import type { CommitFence, CommitResult, CommitStep, MonitorCommit, NewNotification, Store } from '../store/store.js';
import { BatchWriter } from './batch-writer.js';
import {
  acknowledge as acknowledgeAlert,
  type AlertingRule,
  type AlertStep,
  type CheckVerdict,
  isLoud,
  nextState,
  type StateStep,
  type Verdict,
} from './state-machine.js';

/** How one monitor alerts, as the service resolves it from the configuration. */
export interface MonitorAlerting {
  rule: AlertingRule;
  severity: Severity;
  /** Channel names; none: the monitor does not alert. */
  channels: readonly string[];
  /** The channels an unacknowledged alert escalates to. */
  escalateTo?: readonly string[];
  /** The monitor as messages show it. */
  monitor: Notification['monitor'];
  /** A link to the monitor, when the server's public URL is known. */
  url?: string;
}

/** The outbox rows of an alert step: one per channel, each with its idempotency key. */
export function notificationsOf(
  alerting: MonitorAlerting,
  location: string,
  alert: AlertStep,
  context: {
    state: MonitorRuntimeState['state'];
    at: number;
    cause?: string;
    /** Monitors down with it (for a trigger). */
    children?: string[];
    /** A monitor it depends on that is down: the notification is recorded, not sent (never a resolve). */
    suppressedBy?: string;
  },
): NewNotification[] {
  // A certificate warning stands alone: its key names the certificate (by its expiry).
  const alertKey =
    alert.kind === 'certificate' && alert.certificate !== undefined
      ? `${alerting.monitor.id}/${location}/certificate/${alert.certificate.expiresAt}`
      : `${alerting.monitor.id}/${location}/${alert.trigger}`;
  const further = alerting.escalateTo ?? [];
  // An escalation goes to the further channels; the resolve of an escalated alert to both.
  const channels =
    alert.kind === 'escalation' ? further : alert.escalated ? [...new Set([...alerting.channels, ...further])] : alerting.channels;
  return channels.map((channel) => {
    const idempotencyKey = `${alerting.monitor.id}/${location}/${alert.seq}/${channel}`;
    const payload: Notification = {
      idempotencyKey,
      alertKey,
      kind: alert.kind,
      severity: alerting.severity,
      monitor: alerting.monitor,
      location,
      state: context.state,
      ...(context.cause !== undefined ? { cause: sanitizeMessage(context.cause) } : {}),
      at: context.at,
      ...(alert.kind === 'trigger' || alert.kind === 'certificate' ? {} : { since: alert.since }),
      ...(alert.certificate !== undefined ? { certificate: alert.certificate } : {}),
      ...(alerting.url !== undefined ? { url: alerting.url } : {}),
      ...(context.children !== undefined && context.children.length > 0 ? { children: context.children } : {}),
    };
    const suppressed = context.suppressedBy !== undefined && alert.kind !== 'resolve';
    return {
      idempotencyKey,
      monitorId: alerting.monitor.id,
      location,
      alertSeq: alert.seq,
      channel,
      kind: alert.kind,
      payload,
      createdAt: context.at,
      ...(suppressed ? { suppressedBy: context.suppressedBy } : {}),
    };
  });
}

export interface PipelineOptions {
  store: Store;
  /** Where this process checks from: the location of its results, states and events. */
  location: string;
  /** Failed checks in a row a monitor tolerates (`retries`) before it goes down. */
  retriesOf: (monitorId: string) => number;
  logger: Logger;
  clock?: Clock;
  /** The longest a quiet result waits in memory before it is stored (what `kill -9` can lose). Default 1,000 ms. */
  maxWriteDelayMs?: number;
  /** Verdicts that wait behind a lane's uncommitted step; beyond, the oldest results are dropped. Default 100. */
  maxQueuedPerMonitor?: number;
  /** A commit stored state changes: the events feed has something new to read. Must not throw. */
  onChangesCommitted?: () => void;
  /** A monitor's name, for the log line of its changes. */
  nameOf?: (monitorId: string) => string | undefined;
  /** How a monitor alerts (none: it does not). */
  alertingOf?: (monitorId: string) => MonitorAlerting | undefined;
  /** A commit stored notifications: the dispatcher has something to send. Must not throw. */
  onNotificationsCommitted?: () => void;
  /** Whether a monitor is in a maintenance window now: its checks then keep it `maintenance`, excused. */
  inMaintenance?: (monitorId: string) => boolean;
  /** A monitor this one depends on that is down now, if any: its new alerts are held back. */
  dependencyDown?: (monitorId: string) => string | undefined;
  /** The monitors that depend on this one and are down, by name: listed in its trigger. */
  childrenDown?: (monitorId: string) => string[];
  /**
   * Several instances share the store: the lease a monitor's steps are committed under, undefined when this
   * instance does not own the monitor — its verdicts are then not taken (a durable one is rejected with
   * `NotOwnedError`). Without it every monitor is this process's.
   */
  fenceOf?: (monitorId: string) => CommitFence | undefined;
  /** A commit found the monitor's lease taken by another instance. Must not throw. */
  onFenced?: (monitorId: string) => void;
  /**
   * False for a monitor whose incidents are judged over several locations (pipeline/quorum.ts): this location's
   * lane keeps its state and opens none. Default: every monitor's lane opens its incidents.
   */
  incidentsOf?: (monitorId: string) => boolean;
  /**
   * A failed check that leaves this location down (not pending, not in maintenance): whether it is excused as
   * `quorum` because fewer locations than the monitor's quorum find it down, counting this one.
   */
  belowQuorum?: (monitorId: string) => boolean;
}

/** A verdict for a monitor another instance owns: nothing was taken. */
export class NotOwnedError extends Error {
  constructor(readonly monitorId: string) {
    super(`monitor ${monitorId} is checked by another Vigil instance`);
    this.name = 'NotOwnedError';
  }
}

export interface PipelineStats {
  /** Results and states waiting to be stored. */
  buffered: number;
  written: number;
  /** Results lost: the store kept failing and memory was full, or they arrived after shutdown. */
  dropped: number;
  /** Failed writes in a row (0 when the last write succeeded). */
  failingWrites: number;
  /** Monitors whose state change waits for the store. */
  waitingSteps: number;
}

/** What the writer stores: one result (or none, for a state set from outside) and the lane's state after it. */
interface Entry {
  monitorId: string;
  location: string;
  result?: CheckResult;
  state: MonitorRuntimeState;
  step?: CommitStep;
  /** The lease it was taken under (several instances). */
  fence?: CommitFence;
  /** Set once written. */
  outcome?: CommitResult;
}

interface Job {
  verdict: CheckVerdict;
  /** Instead of a verdict: a change of the committed state itself (an acknowledgement), stored at once. */
  amend?: (state: MonitorRuntimeState) => MonitorRuntimeState;
  result?: CheckResult;
  /** Stored before `done` is told, even when the step is quiet (a heartbeat ping is acknowledged once stored). */
  durable: boolean;
  done?: { resolve: () => void; reject: (error: unknown) => void };
}

interface Lane {
  /** The committed state (undefined: never seen at this location). */
  state: MonitorRuntimeState | undefined;
  /** A loud step waits for its commit: verdicts queue. */
  busy: boolean;
  /** While busy: the state that step leads to (see `stateAhead`). */
  ahead?: MonitorRuntimeState | undefined;
  queue: Job[];
}

export class CheckPipeline {
  private readonly store: Store;
  private readonly location: string;
  private readonly clock: Clock;
  private readonly logger: Logger;
  private readonly maxQueued: number;
  private readonly writer: BatchWriter<Entry>;
  private readonly lanes = new Map<string, Lane>();
  private readonly latest = new Map<string, CheckResult>();
  private waitingSteps = 0;
  private droppedQueued = 0;
  private closed = false;

  constructor(private readonly options: PipelineOptions) {
    this.store = options.store;
    this.location = options.location;
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.maxQueued = options.maxQueuedPerMonitor ?? 100;
    this.writer = new BatchWriter<Entry>({
      write: (entries) => this.write(entries),
      clock: this.clock,
      maxDelayMs: options.maxWriteDelayMs ?? 1000,
      onError: (error, failure) =>
        this.logger.error(
          { event: 'store_write_failed', attempt: failure.attempt, entries: failure.batchSize, retryInMs: failure.retryInMs, error: describeError(error) },
          `storing ${failure.batchSize} results and states failed (attempt ${failure.attempt}); retrying in ${failure.retryInMs} ms, nothing moves on until it succeeds`,
        ),
      onDrop: (count, reason) =>
        this.logger.error(
          { event: 'results_dropped', count, reason },
          reason === 'overflow'
            ? `${count} results dropped: the store has been failing and the buffer is full`
            : `${count} results arrived after shutdown and were not stored`,
        ),
    });
  }

  /** Committed states from the store (`runtimeStates(location)`), before the first verdict. */
  restore(states: Iterable<MonitorRuntimeState>): void {
    for (const state of states) this.lane(state.monitorId).state = { ...state };
  }

  /**
   * Monitors this instance has just become the owner of: their lanes continue from the state read back from the
   * store now (none: never checked here), not from what this instance last saw.
   */
  reload(monitorIds: readonly string[], states: ReadonlyMap<string, MonitorRuntimeState>): void {
    for (const id of monitorIds) {
      const state = states.get(id);
      this.lane(id).state = state === undefined ? undefined : { ...state };
    }
  }

  /** The monitor's committed state here. */
  state(monitorId: string): MonitorRuntimeState | undefined {
    return this.lanes.get(monitorId)?.state;
  }

  /**
   * The state a monitor is going to: that of its change waiting for its commit, else the committed one. For
   * judgements across monitors (dependencies): a change's write waits for the end of the event loop's turn, and the
   * checks finishing in that same turn must see it.
   */
  stateAhead(monitorId: string): MonitorRuntimeState | undefined {
    const lane = this.lanes.get(monitorId);
    return lane?.ahead ?? lane?.state;
  }

  latestResult(monitorId: string): CheckResult | undefined {
    return this.latest.get(monitorId);
  }

  /** A check's result. Its step is taken at once, or after the monitor's uncommitted step; storing follows. */
  record(result: CheckResult): void {
    this.enqueue({ verdict: this.verdictOf(result), result, durable: false });
  }

  /** A result acknowledged to someone (a heartbeat ping): resolves once it is stored, whatever its step. */
  recordDurably(result: CheckResult): Promise<void> {
    return new Promise((resolve, reject) => {
      this.enqueue({ verdict: this.verdictOf(result), result, durable: true, done: { resolve, reject } });
    });
  }

  /**
   * Acknowledges the monitor's open alert (no more reminders, no escalation), stored before it resolves; false when
   * no alert is open.
   */
  acknowledge(monitorId: string, by: string): Promise<boolean> {
    const at = this.clock.now();
    let changed = false;
    const amend = (state: MonitorRuntimeState) => {
      const next = acknowledgeAlert(state, at, by);
      changed = next !== state;
      return next;
    };
    const verdict: CheckVerdict = { monitorId, location: this.location, status: 'new', at, retries: 0 };
    return new Promise<void>((resolve, reject) => this.enqueue({ verdict, amend, durable: true, done: { resolve, reject } })).then(
      () => changed,
    );
  }

  /**
   * Puts a monitor in a state from outside — `paused` (closing its open incident), `maintenance`, or `new` (resumed,
   * no verdict yet) — with the reason recorded on the change. Resolves once committed.
   */
  setState(monitorId: string, status: Extract<Verdict, 'paused' | 'maintenance' | 'new'>, reason: string): Promise<void> {
    const rule = this.alertingRuleOf(monitorId);
    const verdict: CheckVerdict = {
      monitorId,
      location: this.location,
      status,
      at: this.clock.now(),
      retries: 0,
      cause: reason,
      ...(rule !== undefined ? { alerting: rule } : {}),
    };
    return new Promise((resolve, reject) => this.enqueue({ verdict: this.withIncidents(verdict), durable: true, done: { resolve, reject } }));
  }

  /**
   * A verdict that is not one check's result: the state judged over a monitor's locations (pipeline/quorum.ts),
   * taken like a check's (it alerts, opens and closes incidents) and stored before it resolves. No result is stored.
   */
  judge(monitorId: string, status: Status, cause: string | undefined): Promise<void> {
    const rule = this.alertingRuleOf(monitorId);
    const maintenance = this.options.inMaintenance?.(monitorId) === true;
    const verdict: CheckVerdict = {
      monitorId,
      location: this.location,
      status: maintenance ? 'maintenance' : status,
      ...(maintenance ? { observed: status } : {}),
      at: this.clock.now(),
      // The locations' own lanes counted their retries already.
      retries: 0,
      ...(cause !== undefined ? { cause } : {}),
      ...(rule !== undefined ? { alerting: rule } : {}),
    };
    return new Promise((resolve, reject) => this.enqueue({ verdict, durable: true, done: { resolve, reject } }));
  }

  /** A monitor that is gone: its last result is not kept (its state stays, for the sequence of its changes). */
  forget(monitorId: string): void {
    this.latest.delete(monitorId);
  }

  stats(): PipelineStats {
    const writer = this.writer.stats();
    return {
      buffered: writer.buffered,
      written: writer.written,
      dropped: writer.dropped + this.droppedQueued,
      failingWrites: writer.failing,
      waitingSteps: this.waitingSteps,
    };
  }

  /** Everything taken so far, stored now (tests, benchmarks). Rejects while the store fails. */
  async flush(): Promise<void> {
    await this.writer.flush();
  }

  /** On shutdown: take no more verdicts and store everything buffered (retrying for a while). */
  async close(): Promise<void> {
    this.closed = true;
    await this.writer.close();
  }

  private verdictOf(result: CheckResult): CheckVerdict {
    const rule = this.alertingRuleOf(result.monitorId);
    const heldBy = rule !== undefined && result.status !== 'healthy' ? this.options.dependencyDown?.(result.monitorId) : undefined;
    // In a maintenance window a check is recorded, and changes nothing: the monitor stays in maintenance.
    const maintenance = this.options.inMaintenance?.(result.monitorId) === true;
    // Property by property, not spreads: this runs for every check.
    const verdict: CheckVerdict = {
      monitorId: result.monitorId,
      location: this.location,
      status: maintenance ? 'maintenance' : result.status,
      at: result.at,
      retries: this.options.retriesOf(result.monitorId),
    };
    if (maintenance) verdict.observed = result.status;
    if (result.error !== undefined) verdict.cause = result.error;
    if (rule !== undefined) verdict.alerting = rule;
    if (heldBy !== undefined) verdict.heldBy = heldBy;
    if (result.certificateExpiresAt !== undefined) verdict.certificateExpiresAt = result.certificateExpiresAt;
    return this.withIncidents(verdict);
  }

  private withIncidents(verdict: CheckVerdict): CheckVerdict {
    return this.options.incidentsOf?.(verdict.monitorId) === false ? { ...verdict, incidents: false } : verdict;
  }

  /** The rule the state machine applies, when the monitor alerts through at least one channel. */
  private alertingRuleOf(monitorId: string): AlertingRule | undefined {
    const alerting = this.options.alertingOf?.(monitorId);
    return alerting !== undefined && alerting.channels.length > 0 ? alerting.rule : undefined;
  }

  private lane(monitorId: string): Lane {
    let lane = this.lanes.get(monitorId);
    if (lane === undefined) {
      lane = { state: undefined, busy: false, queue: [] };
      this.lanes.set(monitorId, lane);
    }
    return lane;
  }

  private enqueue(job: Job): void {
    if (this.closed) {
      if (job.done !== undefined) job.done.reject(new Error('the check pipeline is closed'));
      else this.droppedQueued++;
      return;
    }
    if (this.options.fenceOf !== undefined && this.options.fenceOf(job.verdict.monitorId) === undefined) {
      // Another instance owns it (or this one lost its lease): its owner decides its state.
      job.done?.reject(new NotOwnedError(job.verdict.monitorId));
      return;
    }
    const lane = this.lane(job.verdict.monitorId);
    if (!lane.busy) {
      this.take(lane, job);
      return;
    }
    lane.queue.push(job);
    if (lane.queue.length > this.maxQueued) {
      // The store has been failing for a while: keep memory bounded, oldest results first.
      const index = lane.queue.findIndex((queued) => queued.result !== undefined && queued.done === undefined);
      if (index >= 0) {
        lane.queue.splice(index, 1);
        this.droppedQueued++;
      }
    }
  }

  /** Takes one verdict: a quiet step moves the lane on now, a loud one holds it until committed. */
  private take(lane: Lane, job: Job): void {
    // The lease a step taken now is committed under (none when one process owns the store).
    const fence = this.options.fenceOf?.(job.verdict.monitorId);
    if (fence === undefined && this.options.fenceOf !== undefined) {
      // The lease went while this verdict waited behind a step.
      job.done?.reject(new NotOwnedError(job.verdict.monitorId));
      return;
    }
    if (job.amend !== undefined) {
      const before = lane.state;
      const after = before === undefined ? undefined : job.amend(before);
      if (after === undefined || after === before) {
        job.done?.resolve();
        return;
      }
      lane.state = after;
      const amended: Entry = { monitorId: job.verdict.monitorId, location: this.location, state: after };
      if (fence !== undefined) amended.fence = fence;
      this.writer.addUrgent(amended).then(
        () => job.done?.resolve(),
        (error: unknown) => job.done?.reject(error),
      );
      return;
    }
    const step = nextState(lane.state, job.verdict);
    const excused =
      step.excused ??
      (job.result?.status === 'unhealthy' && step.state.state === 'unhealthy' && this.options.belowQuorum?.(job.verdict.monitorId) === true
        ? 'quorum'
        : undefined);
    const result = job.result && excused !== undefined ? { ...job.result, excused } : job.result;
    const entry: Entry = { monitorId: job.verdict.monitorId, location: this.location, state: step.state };
    if (result !== undefined) entry.result = result;
    if (fence !== undefined) entry.fence = fence;
    if (!isLoud(step)) {
      lane.state = step.state;
      if (result !== undefined) this.latest.set(result.monitorId, result);
      if (!job.durable) {
        this.writer.add(entry);
        job.done?.resolve();
      } else {
        this.writer.addUrgent(entry).then(
          () => job.done?.resolve(),
          (error: unknown) => job.done?.reject(error),
        );
      }
      return;
    }
    entry.step = commitStepOf(job.verdict, step, result);
    if (step.alert !== undefined) {
      const alerting = this.options.alertingOf?.(job.verdict.monitorId);
      if (alerting !== undefined && alerting.channels.length > 0) {
        const monitorId = job.verdict.monitorId;
        const parentDown = step.alert.suppressedBy;
        const children = step.alert.kind === 'trigger' && parentDown === undefined ? this.options.childrenDown?.(monitorId) : undefined;
        entry.step.notifications = notificationsOf(alerting, this.location, step.alert, {
          state: step.state.state,
          at: job.verdict.at,
          ...(job.verdict.cause !== undefined ? { cause: job.verdict.cause } : {}),
          ...(children !== undefined ? { children } : {}),
          ...(parentDown !== undefined ? { suppressedBy: parentDown } : {}),
        });
      }
    }
    lane.busy = true;
    lane.ahead = step.state;
    this.waitingSteps++;
    this.writer.addUrgent(entry).then(
      () => {
        this.committed(lane, entry, step);
        job.done?.resolve();
        this.resume(lane);
      },
      (error: unknown) => {
        // Closed before it could be stored: the lane stays where it was committed.
        this.waitingSteps--;
        job.done?.reject(error);
      },
    );
  }

  private committed(lane: Lane, entry: Entry, step: StateStep): void {
    this.waitingSteps--;
    lane.ahead = undefined;
    const outcome = entry.outcome;
    if (outcome?.status === 'applied') {
      lane.state = outcome.state;
      if (entry.result !== undefined) this.latest.set(entry.monitorId, entry.result);
      if (outcome.event !== undefined) {
        const { event } = outcome;
        const fields = {
          event: 'state_change',
          monitor: event.monitorId,
          location: event.location,
          from: event.from,
          to: event.to,
          seq: event.seq,
          ...(event.reason !== undefined ? { reason: sanitizeMessage(event.reason) } : {}),
          ...(event.incidentId !== undefined ? { incident: event.incidentId } : {}),
        };
        const name = this.options.nameOf?.(event.monitorId);
        const reason = fields.reason !== undefined ? `: ${fields.reason}` : '';
        const message = `monitor ${name !== undefined ? `${JSON.stringify(name)} (${event.monitorId})` : event.monitorId}: ${event.from} → ${event.to}${reason}`;
        // A monitor's first check finding it healthy is what is expected: with thousands, a line each would bury the rest.
        if (event.from === 'new' && event.to === 'healthy') this.logger.debug(fields, message);
        else this.logger.info(fields, message);
      }
      return;
    }
    // Stored before (a retried commit), or written by someone else: the lane follows what is stored.
    lane.state = outcome?.state;
    if (outcome?.status === 'fenced') {
      this.logger.warn(
        { event: 'lease_fenced', monitor: entry.monitorId, location: entry.location },
        `monitor ${entry.monitorId}: another instance took it over; this instance's step was not stored`,
      );
      this.tell(() => this.options.onFenced?.(entry.monitorId), 'giving up a lease');
    } else if (outcome?.status === 'conflict') {
      this.logger.error(
        { event: 'state_conflict', monitor: entry.monitorId, location: entry.location, storedSeq: outcome.state?.seq ?? 0, seq: step.state.seq },
        `monitor ${entry.monitorId}: its stored state is not the one this step followed (another writer?); continuing from the stored state`,
      );
    }
  }

  private resume(lane: Lane): void {
    lane.busy = false;
    while (!lane.busy && lane.queue.length > 0) this.take(lane, lane.queue.shift()!);
  }

  /** One transaction: the entries grouped by monitor (each monitor's entries in order, a loud one last). */
  private async write(entries: Entry[]): Promise<void> {
    const groups = new Map<string, { commit: MonitorCommit & { results: CheckResult[] }; entries: Entry[] }>();
    for (const entry of entries) {
      // Entries taken under different leases of one monitor are separate commits: each is fenced by its own.
      const key = `${entry.monitorId}\u0000${entry.location}\u0000${entry.fence?.epoch ?? ''}`;
      let group = groups.get(key);
      if (group === undefined) {
        group = {
          commit: { monitorId: entry.monitorId, location: entry.location, results: [], state: entry.state, ...(entry.fence ? { fence: entry.fence } : {}) },
          entries: [],
        };
        groups.set(key, group);
      }
      if (entry.result !== undefined) group.commit.results.push(entry.result);
      group.commit.state = entry.state;
      if (entry.step !== undefined) group.commit.step = entry.step;
      group.entries.push(entry);
    }
    const ordered = [...groups.values()];
    const outcomes = await this.store.commit(ordered.map((group) => group.commit));
    let changed = false;
    let notified = false;
    ordered.forEach((group, i) => {
      const outcome = outcomes[i];
      for (const entry of group.entries) entry.outcome = outcome;
      if (outcome?.status === 'applied' && (group.commit.step?.notifications?.length ?? 0) > 0) notified = true;
      if (outcome?.status === 'applied' && outcome.event !== undefined) changed = true;
      else if (outcome?.status === 'conflict' && group.commit.step === undefined) {
        this.lane(group.commit.monitorId).state = outcome.state;
      } else if (outcome?.status === 'fenced' && group.commit.step === undefined) {
        this.tell(() => this.options.onFenced?.(group.commit.monitorId), 'giving up a lease');
      }
    });
    if (changed) this.tell(() => this.options.onChangesCommitted?.(), 'a feed wake-up');
    if (notified) this.tell(() => this.options.onNotificationsCommitted?.(), 'a dispatcher wake-up');
  }

  private tell(listener: () => void, what: string): void {
    try {
      listener();
    } catch (error) {
      this.logger.error({ event: 'listener_failed', error: describeError(error) }, `${what} failed`);
    }
  }
}

function commitStepOf(verdict: CheckVerdict, step: StateStep, result: CheckResult | undefined): CommitStep {
  return {
    at: verdict.at,
    ...(step.change !== undefined ? { change: step.change } : {}),
    ...(result !== undefined ? { resultAt: result.at } : {}),
    ...(step.closeIncidentId !== undefined ? { closeIncidentId: step.closeIncidentId } : {}),
    ...(step.openIncident !== undefined ? { openIncident: step.openIncident } : {}),
  };
}
