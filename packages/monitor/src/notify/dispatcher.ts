/**
 * The dispatcher: sends what the check pipeline wrote to the outbox, never on a check's path.
 *
 * It claims due notifications (a lease each, so a dispatcher that dies mid-send leaves them to be claimed again
 * when the lease ends), sends each through its channel's notifier within a deadline, and records the attempt:
 * delivered; a transient failure is tried again after an exponential backoff with jitter (at least what the
 * receiver's `Retry-After` asked) until the notification's deadline, then it is dead; a permanent failure is dead at
 * once. A channel sends at most `perChannelPerMinute`; beyond, a claim is given back, due when the channel has room.
 *
 * "Exactly once" is the store's and the receiver's together: a notification is written once per idempotency key
 * (monitor, location, alert number, channel), and it is sent until one attempt is recorded as delivered — a crash
 * between a receiver's answer and that record sends it again, with the same key, which the receiver uses to drop
 * the second copy (the `Idempotency-Key` header, PagerDuty's dedup key, Opsgenie's alias, Alertmanager's labels).
 */
import { describeError, type Logger } from '../log/logger.js';
import type { ClaimedNotification, DeliveryAttempt, DeliveryNext, Store } from '../store/store.js';
import type { Notification, Notifier, SendOutcome } from './notifier.js';

export interface DispatcherOptions {
  store: Store;
  /** The notifier of a channel of the running configuration; undefined for a channel that is gone. */
  notifierOf: (channel: string) => Notifier | undefined;
  logger: Logger;
  now?: () => number;
  /** How often to look for due notifications when nothing wakes it. Default 1 s. */
  pollMs?: number;
  /** The time one send may take. Default 10 s. */
  sendTimeoutMs?: number;
  /** How long a claim is held: past it, another dispatcher may send. Default twice the send timeout + 5 s. */
  leaseMs?: number;
  /** Sends at once, in all. Default 8. */
  concurrency?: number;
  /** Backoff after a transient failure: base × 2^(attempt−1), at most `maxBackoffMs`, ±20 %. Default 5 s, 10 min. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** After this long since it was made, a notification that still failed is dead. Default 6 h. */
  deadlineMs?: number;
  /** Messages a channel may send per minute (read at each send: a reload changes it). Default 30. */
  perChannelPerMinute?: number | (() => number);
  /** Told of every attempt (metrics). Must not throw. */
  onAttempt?: (channel: string, outcome: DeliveryAttempt['outcome'] | 'dead', notification: ClaimedNotification) => void;
  random?: () => number;
}

export interface DispatcherStats {
  inFlight: number;
  sent: number;
}

const MINUTE_MS = 60_000;

export class NotificationDispatcher {
  private readonly now: () => number;
  private readonly sendTimeoutMs: number;
  private readonly leaseMs: number;
  private readonly concurrency: number;
  private readonly perChannel: () => number;
  private readonly random: () => number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Send times of the last minute, per channel. */
  private readonly recent = new Map<string, number[]>();
  private sent = 0;

  constructor(private readonly options: DispatcherOptions) {
    this.now = options.now ?? Date.now;
    this.sendTimeoutMs = options.sendTimeoutMs ?? 10_000;
    // Long enough for the send and the write of its outcome; what a crash mid-send costs in delay.
    this.leaseMs = options.leaseMs ?? 2 * this.sendTimeoutMs + 5000;
    this.concurrency = options.concurrency ?? 8;
    const limit = options.perChannelPerMinute ?? 30;
    this.perChannel = typeof limit === 'function' ? limit : () => limit;
    this.random = options.random ?? Math.random;
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  /** Something was written: look now (and again after the round in progress, if any). */
  wake(): void {
    if (this.stopped) return;
    if (this.running !== undefined) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.running = this.round()
      .catch((error: unknown) =>
        this.options.logger.error({ event: 'notify_failed', error: describeError(error) }, `reading the notification outbox failed: ${describeError(error)}`),
      )
      .finally(() => {
        this.running = undefined;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.options.pollMs ?? 1000);
          this.timer.unref?.();
        }
      });
  }

  /** Stops claiming; waits for the sends in flight (each bounded by the send timeout). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
    await Promise.allSettled([...this.inFlight]);
  }

  stats(): DispatcherStats {
    return { inFlight: this.inFlight.size, sent: this.sent };
  }

  private async round(): Promise<void> {
    const free = this.concurrency - this.inFlight.size;
    if (free <= 0) return;
    const claimed = await this.options.store.claimNotifications({ now: this.now(), leaseMs: this.leaseMs, limit: free });
    for (const claim of claimed) {
      const wait = this.roomIn(claim.channel);
      if (wait > 0) {
        await this.options.store.releaseNotification(claim, this.now() + wait);
        continue;
      }
      const sending = this.deliver(claim).finally(() => {
        this.inFlight.delete(sending);
        this.wake();
      });
      this.inFlight.add(sending);
    }
  }

  /** 0 when the channel may send now (and counts the send); else how long until it may. */
  private roomIn(channel: string): number {
    const now = this.now();
    const times = (this.recent.get(channel) ?? []).filter((at) => now - at < MINUTE_MS);
    if (times.length >= this.perChannel()) {
      this.recent.set(channel, times);
      return MINUTE_MS - (now - times[0]!);
    }
    times.push(now);
    this.recent.set(channel, times);
    return 0;
  }

  private async deliver(claim: ClaimedNotification): Promise<void> {
    const notifier = this.options.notifierOf(claim.channel);
    const started = this.now();
    let sent: SendOutcome;
    if (notifier === undefined) {
      sent = { outcome: 'permanent', error: `no channel named "${claim.channel}" in the configuration any more` };
    } else {
      try {
        sent = await notifier.send(claim.payload as Notification, { signal: AbortSignal.timeout(this.sendTimeoutMs) });
      } catch (error) {
        // A notifier is not meant to throw: a bug there is a transient failure, logged.
        sent = { outcome: 'transient', error: `the notifier failed: ${describeError(error)}` };
      }
    }
    const at = this.now();
    const attempt: DeliveryAttempt = {
      attempt: claim.attempt,
      at,
      outcome: sent.outcome,
      durationMs: at - started,
      ...(sent.status !== undefined ? { status: sent.status } : {}),
      ...(sent.outcome === 'delivered' ? (sent.response ? { response: sent.response } : {}) : { error: sent.error }),
    };
    const next = this.nextAfter(claim, sent, at);
    try {
      const recorded = await this.options.store.finishNotification(claim, attempt, next);
      if (!recorded) {
        this.options.logger.warn(
          { event: 'notify_fenced', channel: claim.channel, key: claim.idempotencyKey },
          `notification ${claim.idempotencyKey} was claimed again while it was being sent (its lease ran out): the receiver may get it twice, with the same idempotency key`,
        );
      }
    } catch (error) {
      this.options.logger.error(
        { event: 'notify_record_failed', channel: claim.channel, key: claim.idempotencyKey, error: describeError(error) },
        `recording the delivery of ${claim.idempotencyKey} failed: it will be sent again when its lease ends`,
      );
    }
    if (sent.outcome === 'delivered') this.sent++;
    this.report(claim, next.status === 'dead' ? 'dead' : sent.outcome);
    this.log(claim, sent, next);
  }

  private nextAfter(claim: ClaimedNotification, sent: SendOutcome, at: number): DeliveryNext {
    if (sent.outcome === 'delivered') return { status: 'delivered' };
    if (sent.outcome === 'permanent') return { status: 'dead' };
    const base = this.options.baseBackoffMs ?? 5000;
    const max = this.options.maxBackoffMs ?? 10 * MINUTE_MS;
    const backoff = Math.min(max, base * 2 ** Math.min(30, claim.attempt - 1)) * (0.8 + 0.4 * this.random());
    const nextAttemptAt = at + Math.round(Math.max(backoff, sent.retryAfterMs ?? 0));
    const deadline = claim.createdAt + (this.options.deadlineMs ?? 6 * 60 * MINUTE_MS);
    return nextAttemptAt > deadline ? { status: 'dead' } : { status: 'pending', nextAttemptAt };
  }

  private report(claim: ClaimedNotification, outcome: DeliveryAttempt['outcome'] | 'dead'): void {
    try {
      this.options.onAttempt?.(claim.channel, outcome, claim);
    } catch {
      // Metrics only.
    }
  }

  private log(claim: ClaimedNotification, sent: SendOutcome, next: DeliveryNext): void {
    const fields = { event: 'notification', channel: claim.channel, key: claim.idempotencyKey, kind: claim.kind, attempt: claim.attempt, outcome: sent.outcome };
    const what = `${claim.kind} of ${claim.monitorId} to ${claim.channel}`;
    if (sent.outcome === 'delivered') this.options.logger.info(fields, `${what}: delivered`);
    else if (next.status === 'dead') this.options.logger.error({ ...fields, error: sent.error }, `${what}: not delivered, given up: ${sent.error}`);
    else
      this.options.logger.warn(
        { ...fields, error: sent.error, retryAt: new Date((next as { nextAttemptAt: number }).nextAttemptAt).toISOString() },
        `${what}: not delivered (attempt ${claim.attempt}): ${sent.error}; trying again`,
      );
  }
}
