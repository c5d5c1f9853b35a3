/**
 * Which monitors this instance checks when several share one store. Every `renewMs` (a third of the lease, with a
 * little jitter so the instances do not beat in step) one round:
 *
 * 1. says this instance is alive and learns which are (a dead instance's leases are freed by that);
 * 2. renews every lease it holds in one statement (those it does not get back were taken: lost);
 * 3. claims the monitors that prefer it (rendezvous hashing over the live instances) and are not held by a live
 *    owner, and — every few rounds — any monitor nobody has held for a while (an instance that does not know it);
 * 4. gives up a bounded share of the monitors that now prefer another live instance (one that joined), so a join
 *    moves about 1/n of the monitors a few rounds apart rather than all at once.
 *
 * A monitor counts as owned (`owns`) from the moment its state has been read back from the store (`onGained`)
 * until its lease could have expired by this process's monotonic clock: a process that was stopped or cut off
 * stops checking on its own, before another can have claimed its monitors; its late writes are fenced anyway.
 */
import { performance } from 'node:perf_hooks';
import { describeError, type Logger } from '../log/logger.js';
import type { MonitorOwnership } from '../scheduler/ownership.js';
import type { CommitFence } from '../store/store.js';
import type { ClusterMembership, HeldLeases } from './cluster-store.js';
import { preferredInstance } from './rendezvous.js';

export interface LeaseManagerOptions {
  membership: ClusterMembership;
  leaseMs: number;
  /** Default: a third of the lease. */
  renewMs?: number;
  /** Every monitor the instance knows (the same list on every instance, normally). */
  monitorIds: () => readonly string[];
  /** Monitors won: their state is read back before they count as owned. A rejection gives them up again. */
  onGained: (ids: string[]) => Promise<void>;
  /** Monitors gained, now that they count as owned (after `onGained`). Must not throw. */
  onOwned?: (ids: string[]) => void;
  /** Monitors no longer owned (taken over, given up, or a lease that could have expired). Must not throw. */
  onLost: (ids: string[]) => void;
  logger: Logger;
}

export interface LeaseStats {
  owned: number;
  liveInstances: number;
  rounds: number;
  failedRounds: number;
  claimed: number;
  released: number;
  lost: number;
}

/** Orphans are looked for every this many rounds, and a monitor is one after this many rounds unheld. */
const ORPHAN_EVERY = 3;
const ORPHAN_GRACE_ROUNDS = 3;

export class LeaseManager implements MonitorOwnership {
  private readonly membership: ClusterMembership;
  private readonly leaseMs: number;
  private readonly renewMs: number;
  /** Leases held and whose state is loaded: monitor → epoch. */
  private held: HeldLeases = new Map();
  /** Until when (performance.now()) the leases held cannot have expired. */
  private validUntil = 0;
  private live: string[] = [];
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private roundNumber = 0;
  private readonly counters = { rounds: 0, failedRounds: 0, claimed: 0, released: 0, lost: 0 };

  constructor(private readonly options: LeaseManagerOptions) {
    this.membership = options.membership;
    this.leaseMs = options.leaseMs;
    this.renewMs = options.renewMs ?? Math.max(100, Math.floor(options.leaseMs / 3));
  }

  get instanceId(): string {
    return this.membership.instance.id;
  }

  owns(monitorId: string): boolean {
    return this.held.has(monitorId) && performance.now() < this.validUntil;
  }

  /** The lease a commit of this monitor is made under; undefined when it is not owned. */
  fenceOf(monitorId: string): CommitFence | undefined {
    const epoch = this.held.get(monitorId);
    if (epoch === undefined || performance.now() >= this.validUntil) return undefined;
    return { owner: this.instanceId, epoch };
  }

  /** A commit found its lease taken: the monitor is given up at once (the next round confirms it). */
  fenced(monitorId: string): void {
    if (this.held.delete(monitorId)) {
      this.counters.lost++;
      this.options.onLost([monitorId]);
    }
  }

  liveInstances(): readonly string[] {
    return this.live;
  }

  stats(): LeaseStats {
    return { owned: performance.now() < this.validUntil ? this.held.size : 0, liveInstances: this.live.length, ...this.counters };
  }

  /** Runs the first round (so that this instance owns its share before it starts checking), then every `renewMs`. */
  async start(): Promise<void> {
    await this.round();
    this.arm();
  }

  /** Runs a round now (after a notice that monitors changed, so new ones are claimed at once). */
  async roundNow(): Promise<void> {
    await this.round();
  }

  /** Stops renewing and gives every lease up (others take them at their next round). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => undefined);
    const ids = [...this.held.keys()];
    this.held = new Map();
    if (ids.length > 0) this.options.onLost(ids);
    await this.membership.leave();
  }

  private arm(): void {
    if (this.stopped) return;
    const jitter = 0.9 + Math.random() * 0.2;
    this.timer = setTimeout(() => {
      void this.round().finally(() => this.arm());
    }, Math.round(this.renewMs * jitter));
    this.timer.unref();
  }

  /** One round at a time: a round asked for during one runs after it. */
  private round(): Promise<void> {
    const previous = this.running ?? Promise.resolve();
    const next = previous.then(() => this.roundOnce()).catch((error: unknown) => {
      this.counters.failedRounds++;
      this.options.logger.error(
        { event: 'lease_round_failed', error: describeError(error) },
        `renewing this instance's monitor leases failed: it keeps checking its monitors until their leases could expire`,
      );
      this.expireIfDue();
    });
    this.running = next;
    return next;
  }

  private async roundOnce(): Promise<void> {
    if (this.stopped) return;
    this.roundNumber++;
    const sentAt = performance.now();
    const me = this.instanceId;
    this.live = await this.membership.heartbeat();
    const renewed = await this.membership.renew();
    // The leases renewed hold until at least sentAt + leaseMs (the database set them later than that).
    const lost = [...this.held.keys()].filter((id) => !renewed.has(id));
    const wasValid = performance.now() < this.validUntil;
    this.held = new Map([...renewed].filter(([id]) => this.held.has(id)));
    this.validUntil = sentAt + this.leaseMs * 0.9;
    if (lost.length > 0) {
      this.counters.lost += lost.length;
      this.options.logger.warn({ event: 'leases_lost', count: lost.length }, `${lost.length} monitors are checked by another instance now`);
      this.options.onLost(lost);
    }
    // Renewed but not known as held (a round that failed after claiming): read their state before counting them.
    const unloaded = [...renewed].filter(([id]) => !this.held.has(id));
    if (!wasValid && this.held.size > 0) this.options.logger.info({ event: 'leases_renewed', count: this.held.size }, 'monitor leases renewed');

    const ids = this.options.monitorIds();
    const known = new Set(ids);
    const preferred = (id: string) => preferredInstance(id, this.live.length > 0 ? this.live : [me]);
    const wanted = ids.filter((id) => !this.held.has(id) && !renewed.has(id) && preferred(id) === me);
    if (this.roundNumber % ORPHAN_EVERY === 1) {
      const others = ids.filter((id) => !this.held.has(id) && !renewed.has(id) && preferred(id) !== me);
      wanted.push(...(await this.membership.orphans(others, this.renewMs * ORPHAN_GRACE_ROUNDS)));
    }
    const claimed = await this.membership.claim(wanted);
    const gained = new Map([...unloaded, ...claimed]);
    if (gained.size > 0) {
      const gainedIds = [...gained.keys()];
      try {
        await this.options.onGained(gainedIds);
        for (const [id, epoch] of gained) this.held.set(id, epoch);
        this.options.onOwned?.(gainedIds);
        this.counters.claimed += claimed.size;
        if (claimed.size > 0) {
          this.options.logger.info({ event: 'leases_claimed', count: claimed.size, owned: this.held.size }, `${claimed.size} monitors claimed (${this.held.size} owned)`);
        }
      } catch (error) {
        await this.membership.release(gainedIds).catch(() => undefined);
        throw error;
      }
    }

    // Monitors removed everywhere, and a share of those that prefer an instance that joined.
    const gone = [...this.held.keys()].filter((id) => !known.has(id));
    const moving = [...this.held.keys()].filter((id) => known.has(id) && preferred(id) !== me);
    const share = Math.max(1, Math.ceil(this.held.size / Math.max(2, this.live.length) / 2));
    const release = [...gone, ...moving.slice(0, share)];
    if (release.length > 0) {
      // Not owned from now: nothing more is checked or written under these leases before they are given up.
      for (const id of release) this.held.delete(id);
      this.options.onLost(release);
      await this.membership.release(release);
      this.counters.released += release.length;
      this.options.logger.info({ event: 'leases_released', count: release.length, owned: this.held.size }, `${release.length} monitors handed over (${this.held.size} owned)`);
    }
    this.counters.rounds++;
  }

  /** After a failed round: leases that could have expired are dropped, so that this instance stops checking them. */
  private expireIfDue(): void {
    if (performance.now() < this.validUntil || this.held.size === 0) return;
    const ids = [...this.held.keys()];
    this.held = new Map();
    this.counters.lost += ids.length;
    this.options.logger.warn({ event: 'leases_expired', count: ids.length }, `${ids.length} monitor leases could have expired: not checking them until renewed`);
    this.options.onLost(ids);
  }
}
