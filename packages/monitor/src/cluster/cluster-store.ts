/**
 * What several `vigil serve` instances sharing one store need from it: membership (who is alive), monitor leases
 * (who checks what), an inbox for heartbeat pings received by an instance that does not own the heartbeat, and
 * notifications between instances. PostgreSQL implements it (store/postgres-cluster.ts); times are the
 * database's, so the instances' clocks need not agree.
 */

/** One `vigil serve` process, as the others see it. */
export interface InstanceInfo {
  /** Unique per process start. */
  id: string;
  /** For people: host and pid. */
  name: string;
  location: string;
}

/** What one instance tells the others: something changed that they should read from the store. */
export const CLUSTER_TOPICS = ['monitors', 'events', 'pings', 'acks', 'check'] as const;
export type ClusterTopic = (typeof CLUSTER_TOPICS)[number];

export interface ClusterHandlers {
  /** The connection that makes this instance a member broke: it is no longer seen as alive. */
  onLost(error: Error): void;
  /** Another instance said `topic` changed (`subject`: which monitor, for `check`). Must not throw. */
  onNotice(topic: ClusterTopic, subject?: string): void;
}

/** Leases held: monitor id → the epoch it was claimed at. */
export type HeldLeases = Map<string, number>;

/** A heartbeat ping taken by an instance that does not own the heartbeat, waiting for the owner. */
export interface InboxPing {
  id: number;
  monitorId: string;
  /** The ping key it came to. */
  key: string;
  /** The ping as the handler parsed it (heartbeat/tracker.ts `HeartbeatPing`). */
  ping: unknown;
  /** When it was received (the receiving instance's clock). */
  at: number;
}

export interface ClusterMembership {
  readonly instance: InstanceInfo;
  /**
   * Says this instance is alive and returns the instances that are (this one included), sorted: an instance is
   * alive while its membership connection is open and it called `heartbeat` within `leaseMs`. The leases of
   * instances whose connection is gone (a crash, `kill -9`) are made free at once.
   */
  heartbeat(): Promise<string[]>;
  /** Renews every lease this instance holds (one statement); returns them. A lease taken by another is not among them. */
  renew(): Promise<HeldLeases>;
  /** Claims the monitors among `ids` whose lease is free or expired (each takes the next epoch); returns those won. */
  claim(ids: readonly string[]): Promise<HeldLeases>;
  /** Of `ids`, those nobody has held for `graceMs` (first seen by this call when never leased). */
  orphans(ids: readonly string[], graceMs: number): Promise<string[]>;
  /** Gives leases up at once: free for another instance to claim (the epoch stays until then). */
  release(ids: readonly string[]): Promise<void>;
  /** Tells the other instances that `topic` changed (`check`: that the owner of monitor `subject` should check it now). */
  notify(topic: ClusterTopic, subject?: string): Promise<void>;
  /** Puts a ping in the inbox for the owner of `monitorId` (and tells the others); resolves once stored. */
  forwardPing(ping: Omit<InboxPing, 'id'>): Promise<void>;
  /**
   * Takes the pings waiting for the given monitors, oldest first, and passes them to `take` one by one; each is
   * removed from the inbox once `take` resolved (a crash before leaves it for the next owner).
   */
  drainPings(monitorIds: readonly string[], take: (ping: InboxPing) => Promise<void>): Promise<number>;
  /** Releases every lease, leaves the membership and closes its connection. Idempotent. */
  leave(): Promise<void>;
}

export interface ClusterStore {
  /** Joins the instances sharing the store, holding a connection of its own for as long as the membership lasts. */
  join(instance: InstanceInfo, leaseMs: number, handlers: ClusterHandlers): Promise<ClusterMembership>;
}
