/**
 * An agent: checks from another place, for a `vigil serve` it reports to. It fetches the monitors assigned to its
 * location (then every 30 s, with `If-None-Match`: nothing is sent while nothing changed), runs them with the same
 * probes and scheduler as the server, and sends what it checked in batches — every second, or at once when 500
 * results wait — to `POST /api/v1/results`, where the server's check pipeline for that location takes them.
 *
 * Every result goes through the on-disk buffer (buffer.ts) before it is sent, and leaves it once the server has
 * stored it: while the server cannot be reached or answers 5xx, results pile up there (bounded) and are sent in
 * order, oldest first, when it is back; `kill -9` loses what was taken in the last second. Sends are retried with
 * an exponential backoff capped at 10 s. A refused token (401, 403) stops the agent: nothing will work until
 * someone changes it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { agentResultJson } from '../api/agent.js';
import { describeError, type Logger } from '../log/logger.js';
import type { CheckResult } from '../model.js';
import { MONITOR_KINDS, monitorHost, type PreparedMonitor, prepareMonitor, type ProbingMonitor, type ScheduledProbe } from '../monitors/index.js';
import { checkResult } from '../pipeline/check-result.js';
import { type Clock, systemClock } from '../scheduler/clock.js';
import { RunAbortedError, Scheduler } from '../scheduler/scheduler.js';
import type { HeldSegment, ResultBuffer } from './buffer.js';
import { type AgentClient, AgentFatalError, type AgentMonitorJson } from './client.js';

export interface AgentOptions {
  client: AgentClient;
  buffer: ResultBuffer;
  location: string;
  logger: Logger;
  clock?: Clock;
  /** How often the monitors are fetched again. Default 30 s. */
  pollMs?: number;
  /** The longest a result waits in memory before it is written to the buffer (what `kill -9` loses). Default 1 s. */
  flushMs?: number;
  /** Results per request (and written at once when this many wait). Default 500. */
  batchMax?: number;
  /** Bytes of results per request, at most (the server takes 1 MiB). Default 512 KiB. */
  batchBytes?: number;
  /** First retry delay; it doubles up to `retryMaxMs`. Defaults 1 s and 10 s. */
  retryMs?: number;
  retryMaxMs?: number;
  /** On SIGTERM: how long buffered results may still be sent before the agent exits. Default 5 s. */
  drainMs?: number;
  /** Told once when the agent cannot go on (a refused token): it has stopped checking. */
  onFatal?: (error: AgentFatalError) => void;
}

type Schedulable = ScheduledProbe;

/** What a monitor from the server must have for the scheduler and a probe; why not, when it has not. */
function monitorProblem(json: AgentMonitorJson): string | undefined {
  const config = json.config as Partial<ProbingMonitor> | undefined;
  if (config === undefined || typeof config !== 'object') return 'it has no configuration';
  if (typeof config.type !== 'string' || !Object.hasOwn(MONITOR_KINDS, config.type)) return `this agent cannot check type ${JSON.stringify(config.type)}`;
  if (typeof config.id !== 'string' || config.id === '') return 'it has no id';
  if (typeof config.interval !== 'number' || config.interval < 1000) return 'its interval is not a number of milliseconds of at least 1000';
  if (typeof config.timeout !== 'number' || config.timeout <= 0) return 'its timeout is not a positive number of milliseconds';
  return undefined;
}

export class Agent {
  private readonly clock: Clock;
  /** The clock's time for a check's context: one function for every check, not a closure per check. */
  private readonly clockNow = (): number => this.clock.now();
  private readonly logger: Logger;
  private readonly scheduler: Scheduler<Schedulable>;
  /** Per monitor: its configuration as sent (to prepare it again only when it changed) and its prepared checks. */
  private readonly prepared = new Map<string, { json: string; prepared: PreparedMonitor }>();
  private etag: string | undefined;
  private pending: CheckResult[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private readonly stopping = new AbortController();
  private sender: Promise<void> | undefined;
  /** Counts the times the sender was told there is more to send (a wake-up between its look and its wait counts). */
  private wakeups = 0;
  private senderWaiting: (() => void) | undefined;
  private failingSince: number | undefined;
  private lastOutageLog = 0;
  /** When fetching the monitors last failed with a warning (then once a minute, not at every retry). */
  private lastMonitorsWarning = -Infinity;
  private fatal: AgentFatalError | undefined;
  private readonly sendAborter = new AbortController();

  constructor(private readonly options: AgentOptions) {
    this.clock = options.clock ?? systemClock;
    this.logger = options.logger;
    this.scheduler = new Scheduler<Schedulable>({
      clock: this.clock,
      run: (monitor, signal, info) => this.run(monitor, signal, info.startedAt, info.deadline),
      onError: (error, monitor) => this.logger.error({ event: 'check_failed', monitor: monitor.id, error: describeError(error) }, `the check of monitor ${monitor.id} failed`),
    });
  }

  /** Sends what an earlier run left, fetches the monitors (until the server answers), then checks. */
  async start(): Promise<void> {
    const left = this.options.buffer.stats();
    if (left.results > 0) {
      this.logger.info(
        { event: 'buffer_found', results: left.results, bytes: left.bytes, dir: this.options.buffer.dir },
        `${left.results} results from an earlier run wait in ${this.options.buffer.dir}: sending them first`,
      );
    }
    this.sender = this.sendLoop();
    this.flushTimer = setInterval(() => this.flush(), this.options.flushMs ?? 1000);
    await this.firstMonitors();
    if (this.stopping.signal.aborted) return;
    this.scheduler.start();
    const poll = () => {
      this.pollTimer = setTimeout(() => {
        void this.refresh().finally(() => {
          if (!this.stopping.signal.aborted) poll();
        });
      }, this.options.pollMs ?? 30_000);
    };
    poll();
  }

  /** Stops checking, writes what is in memory to the buffer, and sends what it can within `drainMs`. */
  async stop(): Promise<void> {
    if (this.stopping.signal.aborted) return;
    this.stopping.abort();
    clearTimeout(this.pollTimer);
    clearInterval(this.flushTimer);
    await this.scheduler.stop();
    await this.flush();
    this.wakeSender();
    const drainMs = this.options.drainMs ?? 5000;
    const drained = await Promise.race([this.sender?.then(() => true), sleep(drainMs, false, { ref: false })]);
    if (drained !== true) {
      this.sendAborter.abort();
      await this.sender;
    }
    const left = this.options.buffer.stats();
    this.logger.info(
      { event: 'stopped', buffered: left.results },
      left.results > 0 ? `stopped: ${left.results} results stay in ${this.options.buffer.dir} for the next start` : 'stopped: every result was sent',
    );
  }

  /** The checks of the monitors, as the server's scheduler runs them; a result joins the next batch. */
  private async run(monitor: Schedulable, signal: AbortSignal, startedAt: number, deadline: number): Promise<void> {
    const outcome = await monitor.monitor.check({ signal, deadline, now: this.clockNow });
    // Removed, paused or stopping: the result is not the target's doing, so it is not sent.
    if (signal.aborted && !(signal.reason instanceof RunAbortedError && signal.reason.reason === 'timeout')) return;
    this.pending.push(checkResult(outcome, monitor.id, startedAt, this.options.location));
    if (this.pending.length >= (this.options.batchMax ?? 500)) void this.flush();
  }

  /** Writes the results in memory to the buffer (each monitor's oldest first), then wakes the sender. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.pending.length === 0) return;
      const batch = this.pending.sort((a, b) => a.at - b.at);
      this.pending = [];
      try {
        await this.options.buffer.append(batch.map((result) => JSON.stringify(agentResultJson(result))));
      } catch (error) {
        // Kept in memory: the next flush tries again.
        this.pending = [...batch, ...this.pending];
        this.logger.error({ event: 'buffer_write_failed', results: batch.length, error: describeError(error) }, `writing ${batch.length} results to the buffer failed; retrying`);
        return;
      }
      this.wakeSender();
    });
    return this.flushing;
  }

  private wakeSender(): void {
    this.wakeups++;
    this.senderWaiting?.();
  }

  /** The first list of monitors: without it there is nothing to check, so it is asked for until it comes. */
  private async firstMonitors(): Promise<void> {
    for (let attempt = 1, wait = this.options.retryMs ?? 1000; !this.stopping.signal.aborted && this.fatal === undefined; attempt++) {
      const got = await this.refresh();
      if (got) return;
      if (attempt === 1) {
        this.logger.warn({ event: 'waiting_for_server', server: this.options.client.server }, `waiting for ${this.options.client.server} to send the monitors of location ${this.options.location}`);
      }
      await this.pause(wait);
      wait = Math.min(wait * 2, this.options.retryMaxMs ?? 10_000);
    }
  }

  /** Fetches the monitors; true when the server answered. */
  private async refresh(): Promise<boolean> {
    let outcome: Awaited<ReturnType<AgentClient['monitors']>>;
    try {
      outcome = await this.options.client.monitors(this.etag, this.stopping.signal);
    } catch (error) {
      if (error instanceof AgentFatalError) this.fail(error);
      else this.logger.error({ event: 'monitors_failed', error: describeError(error) }, 'fetching the monitors failed');
      return false;
    }
    if (outcome.kind === 'retry') {
      const now = this.clock.now();
      const loud = now - this.lastMonitorsWarning >= 60_000;
      if (loud) this.lastMonitorsWarning = now;
      (loud ? this.logger.warn : this.logger.debug).call(this.logger, { event: 'monitors_unavailable', reason: outcome.reason }, `fetching the monitors failed: ${outcome.reason}`);
      return false;
    }
    this.lastMonitorsWarning = -Infinity;
    if (outcome.kind === 'same') return true;
    this.etag = outcome.etag;
    this.apply(outcome.monitors);
    return true;
  }

  private apply(monitors: readonly AgentMonitorJson[]): void {
    const schedulable: Schedulable[] = [];
    const seen = new Set<string>();
    for (const json of monitors) {
      const problem = monitorProblem(json);
      if (problem !== undefined) {
        this.logger.warn({ event: 'monitor_skipped', monitor: String(json.id) }, `monitor ${JSON.stringify(json.id)} is not checked: ${problem}`);
        continue;
      }
      const config = json.config as unknown as ProbingMonitor;
      const text = JSON.stringify(config);
      let entry = this.prepared.get(config.id);
      // A monitor prepared once per version of its configuration, as the server does.
      if (entry?.json !== text) {
        entry = { json: text, prepared: prepareMonitor(config) };
        this.prepared.set(config.id, entry);
      }
      seen.add(config.id);
      const host = monitorHost(config);
      schedulable.push({
        id: config.id,
        intervalMs: config.interval,
        timeoutMs: config.timeout,
        paused: false,
        monitor: entry.prepared,
        ...(host === undefined ? {} : { host }),
      });
    }
    for (const id of this.prepared.keys()) if (!seen.has(id)) this.prepared.delete(id);
    this.scheduler.setMonitors(schedulable);
    this.logger.info(
      { event: 'monitors', location: this.options.location, monitors: schedulable.map((m) => m.id) },
      schedulable.length === 0
        ? `no monitor is assigned to location ${this.options.location} (set \`locations\` on monitors of the server)`
        : `checking ${schedulable.length} monitor${schedulable.length === 1 ? '' : 's'} from location ${this.options.location}`,
    );
  }

  /** Sends the buffer, oldest first, until stopped (and, when stopping, until it is empty or aborted). */
  private async sendLoop(): Promise<void> {
    let wait = this.options.retryMs ?? 1000;
    while (!this.sendAborter.signal.aborted && this.fatal === undefined) {
      const wakeups = this.wakeups;
      const segment = await this.options.buffer.oldest();
      if (segment === undefined || segment.dropped || segment.sent >= segment.lines.length) {
        if (segment !== undefined) {
          await this.options.buffer.acknowledge(segment);
          if (segment.unreadable > 0) {
            this.logger.warn({ event: 'buffer_lines_skipped', results: segment.unreadable }, `${segment.unreadable} results cut short by a kill while being written were skipped`);
          }
          continue;
        }
        if (this.stopping.signal.aborted) return;
        if (this.wakeups === wakeups) await new Promise<void>((resolve) => (this.senderWaiting = resolve));
        this.senderWaiting = undefined;
        continue;
      }
      const chunk = this.chunkOf(segment);
      let outcome: Awaited<ReturnType<AgentClient['send']>>;
      try {
        outcome = await this.options.client.send(chunk, this.sendAborter.signal);
      } catch (error) {
        if (error instanceof AgentFatalError) return this.fail(error);
        outcome = { kind: 'retry', reason: describeError(error) };
      }
      if (this.sendAborter.signal.aborted) return;
      switch (outcome.kind) {
        case 'stored':
          segment.sent += chunk.length;
          wait = this.options.retryMs ?? 1000;
          this.reachable();
          break;
        case 'retry':
          this.unreachable(outcome.reason);
          await this.pause(wait, this.sendAborter.signal);
          // Jitter: agents cut off together do not all come back in the same millisecond.
          wait = Math.min(wait * 2, this.options.retryMaxMs ?? 10_000) * (0.8 + Math.random() * 0.4);
          break;
        case 'refused': {
          this.reachable();
          const drop = outcome.indices.length > 0 ? outcome.indices : chunk.map((_line, index) => index);
          for (const index of [...drop].sort((a, b) => b - a)) {
            if (index < chunk.length) segment.lines.splice(segment.sent + index, 1);
          }
          this.logger.error(
            { event: 'results_refused', results: drop.length, reasons: outcome.issues.slice(0, 5).map((issue) => `${issue.path}: ${issue.message}`) },
            `the server refused ${drop.length} results (${outcome.reason}); they are dropped, the others are sent`,
          );
          // A monitor no longer assigned here: the list changed on the server.
          void this.refresh();
          break;
        }
        case 'invalid':
          this.reachable();
          segment.lines.splice(segment.sent, chunk.length);
          this.logger.error({ event: 'results_refused', results: chunk.length, reason: outcome.reason }, `the server refused ${chunk.length} results (${outcome.reason}); they are dropped`);
          break;
      }
    }
  }

  /** The next results of a segment to send: at most `batchMax`, and `batchBytes` (at least one). */
  private chunkOf(segment: HeldSegment): string[] {
    const max = this.options.batchMax ?? 500;
    const maxBytes = this.options.batchBytes ?? 512 * 1024;
    const chunk: string[] = [];
    let bytes = 0;
    for (let index = segment.sent; index < segment.lines.length && chunk.length < max; index++) {
      const line = segment.lines[index] as string;
      bytes += Buffer.byteLength(line) + 1;
      if (chunk.length > 0 && bytes > maxBytes) break;
      chunk.push(line);
    }
    return chunk;
  }

  private unreachable(reason: string): void {
    const now = this.clock.now();
    if (this.failingSince === undefined) {
      this.failingSince = now;
      this.lastOutageLog = now;
      this.logger.warn({ event: 'server_unreachable', reason }, `${reason}: results are kept in ${this.options.buffer.dir} until it is back`);
    } else if (now - this.lastOutageLog >= 60_000) {
      this.lastOutageLog = now;
      const { results, bytes } = this.options.buffer.stats();
      this.logger.warn(
        { event: 'server_unreachable', reason, forMs: now - this.failingSince, buffered: results, bytes },
        `still failing after ${Math.round((now - this.failingSince) / 1000)} s (${reason}): ${results} results buffered`,
      );
    }
  }

  private reachable(): void {
    if (this.failingSince === undefined) return;
    const { results } = this.options.buffer.stats();
    this.logger.info(
      { event: 'server_reachable', afterMs: this.clock.now() - this.failingSince, buffered: results },
      `the server takes results again after ${Math.round((this.clock.now() - this.failingSince) / 1000)} s: sending the ${results} buffered, oldest first`,
    );
    this.failingSince = undefined;
  }

  /** Waits, unless stopping (or `signal`) ends the wait sooner. */
  private async pause(ms: number, signal: AbortSignal = this.stopping.signal): Promise<void> {
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      // Woken to stop.
    }
  }

  /** A refused token: nothing will work until someone changes it. Stops checking; what is buffered stays. */
  private fail(error: AgentFatalError): void {
    if (this.fatal !== undefined) return;
    this.fatal = error;
    this.logger.error({ event: 'agent_refused', error: error.message }, error.message);
    this.options.onFatal?.(error);
  }
}
