/**
 * The events feed: the durable, ordered list of state changes the check pipeline commits (the `events` table),
 * read by cursor. What reacts to a state change — the API's event stream, and later alerts and live pages —
 * subscribes here and reads the feed; nothing is handed over by callback.
 *
 * The feed follows the table's newest cursor (`head`): after each commit that stored changes (`wake`), and every
 * `pollMs` in any case (another process could write to the same store). A subscriber starts from any cursor and
 * catches up from the store; the most recent events are kept in memory so that many live subscribers do not each
 * query the store for every change.
 */
import { describeError, type Logger } from '../log/logger.js';
import type { StateChangeEvent } from '../model.js';
import type { Store } from '../store/store.js';

export interface EventFeedOptions {
  store: Store;
  logger: Logger;
  /** How often the store is read even without a wake-up. Default 5,000 ms. */
  pollMs?: number;
  /** Recent events kept in memory. Default 1,000. */
  cacheSize?: number;
  /** Events read from the store at a time. Default 500. */
  pageSize?: number;
}

export interface FeedSubscription {
  /** The cursor of the last event delivered. */
  readonly cursor: number;
  close(): void;
}

interface Subscriber {
  cursor: number;
  deliver: (events: StateChangeEvent[]) => void;
  onClose: () => void;
  reading: boolean;
  closed: boolean;
}

export class EventFeed {
  private readonly store: Store;
  private readonly logger: Logger;
  private readonly pollMs: number;
  private readonly cacheSize: number;
  private readonly pageSize: number;
  private readonly subscribers = new Set<Subscriber>();
  /** Recent events in cursor order; they are every event after `cachedAfter`. */
  private recent: StateChangeEvent[] = [];
  private cachedAfter = 0;
  private headId = 0;
  private refreshing: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;

  constructor(options: EventFeedOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.pollMs = options.pollMs ?? 5000;
    this.cacheSize = options.cacheSize ?? 1000;
    this.pageSize = options.pageSize ?? 500;
  }

  /** Reads where the feed ends now, then follows it. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.headId = await this.store.lastEventId();
    this.cachedAfter = this.headId;
    this.schedulePoll();
  }

  /** The cursor of the newest event known. */
  get head(): number {
    return this.headId;
  }

  /** New events were committed: read them now (wake-ups that come while reading are folded into one more read). */
  wake(): void {
    if (this.stopped || !this.started) return;
    if (this.refreshing) {
      this.again = true;
      return;
    }
    this.refreshing = this.refresh().finally(() => {
      this.refreshing = undefined;
      if (this.again) {
        this.again = false;
        this.wake();
      }
    });
  }

  /**
   * Delivers every event after `after` (read from the store as far back as it keeps them), then each new one as it
   * is committed, in cursor order, each once. `onClose` is called when the feed stops.
   */
  subscribe(after: number, deliver: (events: StateChangeEvent[]) => void, onClose: () => void = () => undefined): FeedSubscription {
    const subscriber: Subscriber = { cursor: Math.max(0, after), deliver, onClose, reading: false, closed: false };
    this.subscribers.add(subscriber);
    void this.catchUp(subscriber);
    return {
      get cursor() {
        return subscriber.cursor;
      },
      close: () => {
        subscriber.closed = true;
        this.subscribers.delete(subscriber);
      },
    };
  }

  /** Stops following; every subscriber is closed. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    for (const subscriber of this.subscribers) {
      subscriber.closed = true;
      try {
        subscriber.onClose();
      } catch {
        // A subscriber's own cleanup must not stop the others'.
      }
    }
    this.subscribers.clear();
  }

  private schedulePoll(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.wake();
      this.schedulePoll();
    }, this.pollMs);
    this.timer.unref();
  }

  private async refresh(): Promise<void> {
    try {
      for (;;) {
        const page = await this.store.events({ after: this.headId, limit: this.pageSize });
        if (page.length === 0) break;
        this.recent.push(...page);
        this.headId = page.at(-1)!.id;
        if (page.length < this.pageSize) break;
      }
      if (this.recent.length > this.cacheSize) {
        const dropped = this.recent.splice(0, this.recent.length - this.cacheSize);
        this.cachedAfter = dropped.at(-1)!.id;
      }
    } catch (error) {
      this.logger.error({ event: 'feed_read_failed', error: describeError(error) }, 'reading the events feed failed; retried at the next wake-up');
    }
    for (const subscriber of this.subscribers) void this.catchUp(subscriber);
  }

  /** Delivers what the subscriber has not seen, up to the feed's head: from memory when it can, else from the store. */
  private async catchUp(subscriber: Subscriber): Promise<void> {
    if (subscriber.reading) return;
    subscriber.reading = true;
    try {
      while (!subscriber.closed && subscriber.cursor < this.headId) {
        const page =
          subscriber.cursor >= this.cachedAfter
            ? this.recent.filter((event) => event.id > subscriber.cursor).slice(0, this.pageSize)
            : await this.store.events({ after: subscriber.cursor, limit: this.pageSize });
        if (page.length === 0 || subscriber.closed) break;
        subscriber.cursor = page.at(-1)!.id;
        subscriber.deliver(page);
      }
    } catch (error) {
      this.logger.error({ event: 'feed_read_failed', error: describeError(error) }, 'reading the events feed for a subscriber failed; retried at the next wake-up');
    } finally {
      subscriber.reading = false;
    }
  }
}
