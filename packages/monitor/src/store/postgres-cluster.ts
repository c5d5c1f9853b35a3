/**
 * Several `vigil serve` instances on one PostgreSQL schema: membership, monitor leases, the ping inbox and
 * notifications (cluster/cluster-store.ts says what each does).
 *
 * - An instance is a row in `instances` plus a session advisory lock held by a connection of its own: when the
 *   process dies (`kill -9`, a crash) PostgreSQL drops the lock with the connection, and the others free its
 *   leases at their next heartbeat instead of waiting for them to expire. A process that is stopped (`SIGSTOP`)
 *   or cut off keeps its connection for a while: its leases expire by time.
 * - A lease is a row in `monitor_leases` (owner, epoch, expiry in the database's milliseconds). A claim is a
 *   conditional upsert (only a free or expired lease is taken, with the next epoch), a renewal one UPDATE for all
 *   of an instance's leases, and every commit checks owner and epoch (`PostgresStore.commit`) under a share lock,
 *   so a claim waits for a commit in flight and the commit after it is fenced out. Rows are never deleted: the
 *   epoch of a monitor only grows.
 */
import pg from 'pg';
import type {
  ClusterHandlers,
  ClusterMembership,
  ClusterStore,
  ClusterTopic,
  HeldLeases,
  InboxPing,
  InstanceInfo,
} from '../cluster/cluster-store.js';
import { CLUSTER_TOPICS } from '../cluster/cluster-store.js';

/** The database's clock, in epoch milliseconds (the instances' own clocks are never compared). */
export const DB_NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export interface PostgresClusterSettings {
  pool: pg.Pool;
  connection: pg.ClientConfig;
  /** The store's schema, and quoted. */
  schema: string;
  s: string;
  lockKey: (text: string) => number;
  /** The store's transaction: `fn` on one connection between BEGIN and COMMIT (ROLLBACK when it throws). */
  tx: <T>(fn: (client: pg.PoolClient) => Promise<T>) => Promise<T>;
}

export class PostgresCluster implements ClusterStore {
  constructor(private readonly settings: PostgresClusterSettings) {}

  async join(instance: InstanceInfo, leaseMs: number, handlers: ClusterHandlers): Promise<ClusterMembership> {
    const membership = new PostgresMembership(this.settings, instance, leaseMs, handlers);
    await membership.open();
    return membership;
  }
}

/** The advisory-lock namespace of a schema's instances (the first of the two keys). */
const instanceNamespace = (settings: PostgresClusterSettings) => settings.lockKey(`vigil-instances:${settings.schema}`);

/** A lock held by some session, as `pg_locks` shows a two-key advisory lock. */
const lockHeld = (namespace: string, key: string) =>
  `EXISTS (SELECT 1 FROM pg_locks l WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2
     AND l.classid::bigint = (${namespace}::bigint & 4294967295) AND l.objid::bigint = (${key}::bigint & 4294967295))`;

class PostgresMembership implements ClusterMembership {
  private client: pg.Client | undefined;
  private lockKey = 0;
  private left = false;
  private readonly s: string;
  private readonly channel: string;

  constructor(
    private readonly settings: PostgresClusterSettings,
    readonly instance: InstanceInfo,
    private readonly leaseMs: number,
    private readonly handlers: ClusterHandlers,
  ) {
    this.s = settings.s;
    this.channel = `vigil_${settings.schema}`;
  }

  async open(): Promise<void> {
    const name = `vigil serve ${this.instance.name}`.slice(0, 63);
    const client = new pg.Client({ ...this.settings.connection, application_name: name, keepAlive: true });
    await client.connect();
    try {
      const namespace = instanceNamespace(this.settings);
      // A random key per process; another instance holding the same one (1 in 4 billion) just means another draw.
      for (let tries = 0; ; tries++) {
        const key = (Math.random() * 2 ** 32) | 0;
        const [row] = (await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1, $2) AS locked', [namespace, key])).rows;
        if (row?.locked) {
          this.lockKey = key;
          break;
        }
        if (tries > 10) throw new Error('could not take an instance lock in PostgreSQL');
      }
      await client.query(
        `INSERT INTO ${this.s}.instances (id, name, location, lock_key, started_at, seen_at) VALUES ($1, $2, $3, $4, ${DB_NOW_MS}, ${DB_NOW_MS})`,
        [this.instance.id, this.instance.name, this.instance.location, this.lockKey],
      );
      await client.query(`LISTEN "${this.channel}"`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    client.on('notification', (message) => {
      if (message.channel !== this.channel || message.payload === undefined) return;
      const [topic, from, subject] = message.payload.split(' ');
      if (from === this.instance.id || !CLUSTER_TOPICS.includes(topic as ClusterTopic)) return;
      this.handlers.onNotice(topic as ClusterTopic, subject);
    });
    const lost = (error: Error) => {
      if (this.left) return;
      this.left = true;
      this.handlers.onLost(new Error(`the connection that keeps this instance a member of the cluster was lost: ${error.message}`));
    };
    client.on('error', lost);
    client.on('end', () => lost(new Error('the connection ended')));
    this.client = client;
  }

  private get pool(): pg.Pool {
    return this.settings.pool;
  }

  async heartbeat(): Promise<string[]> {
    const s = this.s;
    const namespace = instanceNamespace(this.settings);
    const seen = await this.pool.query(`UPDATE ${s}.instances SET seen_at = ${DB_NOW_MS} WHERE id = $1`, [this.instance.id]);
    if (seen.rowCount === 0) {
      // Removed by another instance that saw no lock (a connection that came back?): the row is written again.
      await this.pool.query(
        `INSERT INTO ${s}.instances (id, name, location, lock_key, started_at, seen_at) VALUES ($1, $2, $3, $4, ${DB_NOW_MS}, ${DB_NOW_MS})
         ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at`,
        [this.instance.id, this.instance.name, this.instance.location, this.lockKey],
      );
    }
    const rows = (
      await this.pool.query<{ id: string; locked: boolean; fresh: boolean }>(
        `SELECT id, ${lockHeld('$1', 'lock_key')} AS locked, seen_at > ${DB_NOW_MS} - $2 AS fresh FROM ${s}.instances ORDER BY id`,
        [namespace, this.leaseMs],
      )
    ).rows;
    const dead = rows.filter((row) => !row.locked && row.id !== this.instance.id).map((row) => row.id);
    if (dead.length > 0) {
      // Gone with their connection: their leases are free now, not when they expire.
      await this.pool.query(`UPDATE ${s}.monitor_leases SET expires_at = 0 WHERE owner = ANY($1::text[]) AND expires_at > 0`, [dead]);
      await this.pool.query(`DELETE FROM ${s}.instances WHERE id = ANY($1::text[])`, [dead]);
    }
    return rows.filter((row) => row.id === this.instance.id || (row.locked && row.fresh)).map((row) => row.id);
  }

  async renew(): Promise<HeldLeases> {
    const rows = (
      await this.pool.query<{ id: string; epoch: string }>(
        `UPDATE ${this.s}.monitor_leases SET expires_at = ${DB_NOW_MS} + $2 WHERE owner = $1 AND expires_at > 0
         RETURNING monitor_id AS id, epoch`,
        [this.instance.id, this.leaseMs],
      )
    ).rows;
    return new Map(rows.map((row) => [row.id, Number(row.epoch)]));
  }

  async claim(ids: readonly string[]): Promise<HeldLeases> {
    if (ids.length === 0) return new Map();
    // Sorted: two instances claiming overlapping sets lock rows in the same order (no deadlock).
    const sorted = [...ids].sort();
    const rows = (
      await this.pool.query<{ id: string; epoch: string }>(
        `INSERT INTO ${this.s}.monitor_leases AS l (monitor_id, owner, epoch, expires_at)
         SELECT id, $2, 1, ${DB_NOW_MS} + $3 FROM unnest($1::text[]) WITH ORDINALITY AS t(id, n) ORDER BY n
         ON CONFLICT (monitor_id) DO UPDATE SET owner = excluded.owner, epoch = l.epoch + 1, expires_at = excluded.expires_at
         WHERE l.expires_at <= ${DB_NOW_MS}
         RETURNING monitor_id AS id, epoch`,
        [sorted, this.instance.id, this.leaseMs],
      )
    ).rows;
    return new Map(rows.map((row) => [row.id, Number(row.epoch)]));
  }

  async orphans(ids: readonly string[], graceMs: number): Promise<string[]> {
    if (ids.length === 0) return [];
    const s = this.s;
    // A monitor never leased gets a row that says since when it waits (owner '', epoch 0: expired from the start).
    await this.pool.query(
      `INSERT INTO ${s}.monitor_leases (monitor_id, owner, epoch, expires_at)
       SELECT id, '', 0, ${DB_NOW_MS} FROM unnest($1::text[]) AS id ORDER BY id ON CONFLICT (monitor_id) DO NOTHING`,
      [[...ids].sort()],
    );
    const rows = (
      await this.pool.query<{ id: string }>(
        `SELECT monitor_id AS id FROM ${s}.monitor_leases WHERE monitor_id = ANY($1::text[]) AND expires_at < ${DB_NOW_MS} - $2`,
        [ids, graceMs],
      )
    ).rows;
    return rows.map((row) => row.id);
  }

  async release(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.pool.query(`UPDATE ${this.s}.monitor_leases SET expires_at = 0 WHERE owner = $1 AND monitor_id = ANY($2::text[])`, [
      this.instance.id,
      ids,
    ]);
  }

  async notify(topic: ClusterTopic, subject?: string): Promise<void> {
    // Monitor ids have no spaces (their pattern), so the payload splits back on them.
    const payload = subject === undefined ? `${topic} ${this.instance.id}` : `${topic} ${this.instance.id} ${subject}`;
    await this.pool.query('SELECT pg_notify($1, $2)', [this.channel, payload]);
  }

  async forwardPing(ping: Omit<InboxPing, 'id'>): Promise<void> {
    await this.pool.query(
      `WITH inserted AS (INSERT INTO ${this.s}.ping_inbox (monitor_id, key, ping, at) VALUES ($1, $2, $3, $4) RETURNING id)
       SELECT pg_notify($5, $6) FROM inserted`,
      [ping.monitorId, ping.key, JSON.stringify(ping.ping), ping.at, this.channel, `pings ${this.instance.id}`],
    );
  }

  async drainPings(monitorIds: readonly string[], take: (ping: InboxPing) => Promise<void>): Promise<number> {
    if (monitorIds.length === 0) return 0;
    let failure: unknown;
    const count = await this.settings.tx(async (client) => {
      // Locked until taken: another instance draining at the same time skips them; a crash leaves them here.
      const rows = (
        await client.query<{ id: string; monitorId: string; key: string; ping: unknown; at: string }>(
          `SELECT id, monitor_id AS "monitorId", key, ping, at FROM ${this.s}.ping_inbox WHERE monitor_id = ANY($1::text[])
           ORDER BY id LIMIT 1000 FOR UPDATE SKIP LOCKED`,
          [monitorIds],
        )
      ).rows;
      const taken: string[] = [];
      for (const row of rows) {
        try {
          await take({ id: Number(row.id), monitorId: row.monitorId, key: row.key, ping: row.ping, at: Number(row.at) });
        } catch (error) {
          // The ones taken before it are removed; it and the rest wait for the next drain.
          failure = error;
          break;
        }
        taken.push(row.id);
      }
      if (taken.length > 0) await client.query(`DELETE FROM ${this.s}.ping_inbox WHERE id = ANY($1::bigint[])`, [taken]);
      return taken.length;
    });
    if (failure !== undefined) throw failure;
    return count;
  }

  async leave(): Promise<void> {
    if (this.left || this.client === undefined) return;
    this.left = true;
    const client = this.client;
    try {
      // Given up at once, so the others take them at their next round instead of after the lease.
      await client.query(`UPDATE ${this.s}.monitor_leases SET expires_at = 0 WHERE owner = $1`, [this.instance.id]);
      await client.query(`DELETE FROM ${this.s}.instances WHERE id = $1`, [this.instance.id]);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}
