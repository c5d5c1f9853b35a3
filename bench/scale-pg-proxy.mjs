// A PostgreSQL proxy for bench/scale: forwards bytes unchanged between `vigil serve` instances and the server, and
// counts the statements the instances send, by kind, from the SQL text of each Query ('Q') and Parse ('P')
// message (node-postgres sends a query with parameters as an unnamed Parse, one without as a Query). It also knows
// the local port of each of its connections to the server, which is the `client_port` of the backend serving it in
// pg_stat_activity: that is how the benchmark finds the backends, and their CPU, that belong to the instances.
import net from 'node:net';
import { performance } from 'node:perf_hooks';

/** Statement kinds, first match wins. `lease:` ones are the lease rounds (cluster/leases.ts, store/postgres-cluster.ts). */
const KINDS = [
  // Every commit of a batch of results checks owner and epoch of the leases it writes under (PostgresStore.commit).
  ['fence: lease check of a commit', /FROM \S+\.monitor_leases l\s+JOIN unnest/],
  ['lease: renew', /UPDATE \S+\.monitor_leases SET expires_at = [^\n]*\+ \$2 WHERE owner = \$1/],
  ['lease: claim', /INSERT INTO \S+\.monitor_leases AS l/],
  ['lease: orphans', /INSERT INTO \S+\.monitor_leases \(monitor_id|SELECT monitor_id AS id FROM \S+\.monitor_leases/],
  ['lease: release / free the dead', /UPDATE \S+\.monitor_leases SET expires_at = 0/],
  ['lease: other', /\.monitor_leases\b/],
  ['lease: heartbeat (instances)', /\.instances\b/],
  ['join: advisory lock, LISTEN', /pg_try_advisory_lock|^LISTEN /],
];

export function kindOf(sql) {
  for (const [kind, pattern] of KINDS) if (pattern.test(sql)) return kind;
  return 'other';
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;

/**
 * Reads a stream of protocol messages without copying more than a message's head: `onMessage(type, body)` for the
 * message types in `wanted` (body without type and length), the others skipped. `startup`: the stream begins with
 * an untyped startup message (a client's), possibly after an SSL or GSS request.
 */
function scanner(wanted, onMessage, startup) {
  let started = !startup;
  let skip = 0; // bytes of a message that need no reading
  let pending = Buffer.alloc(0);
  return (chunk) => {
    let buf = pending.length > 0 ? Buffer.concat([pending, chunk]) : chunk;
    pending = Buffer.alloc(0);
    for (;;) {
      if (skip > 0) {
        const n = Math.min(skip, buf.length);
        skip -= n;
        buf = buf.subarray(n);
        if (skip > 0) return;
      }
      if (!started) {
        if (buf.length < 8) break;
        const code = buf.readInt32BE(4);
        if (code !== SSL_REQUEST && code !== GSSENC_REQUEST) started = true;
        skip = buf.readInt32BE(0);
        continue;
      }
      if (buf.length < 5) break;
      const type = buf[0];
      const length = buf.readInt32BE(1);
      if (!wanted.has(type)) {
        skip = 1 + length;
        continue;
      }
      if (buf.length < 1 + length) break;
      onMessage(type, buf.subarray(5, 1 + length));
      buf = buf.subarray(1 + length);
    }
    if (buf.length > 0) pending = Buffer.from(buf);
  };
}

const cstring = (buf, from = 0) => buf.toString('utf8', from, buf.indexOf(0, from));
const QUERY = 0x51; // 'Q'
const PARSE = 0x50; // 'P'
const COMMAND_COMPLETE = 0x43; // 'C'
const READY = 0x5a; // 'Z'

/**
 * Starts the proxy on a free loopback port. Per kind of statement it counts statements, rows (from the server's
 * CommandComplete: `UPDATE 1000` is 1,000 rows) and milliseconds from the statement sent to the server ready again
 * (node-postgres sends one statement at a time per connection, so each answer is the last statement's).
 */
export async function startPgProxy(target) {
  const stats = new Map();
  const statsOf = (kind) => {
    let entry = stats.get(kind);
    if (!entry) stats.set(kind, (entry = { statements: 0, rows: 0, ms: 0 }));
    return entry;
  };
  /** Local ports of the connections to the server that are open now. */
  const ports = new Set();
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host);
    sockets.add(client);
    sockets.add(upstream);
    let port;
    upstream.once('connect', () => {
      port = upstream.localPort;
      ports.add(port);
    });
    let kind = 'other';
    let sentAt;
    client.on(
      'data',
      scanner(
        new Set([QUERY, PARSE]),
        (type, body) => {
          kind = kindOf(type === QUERY ? cstring(body) : cstring(body, body.indexOf(0) + 1));
          statsOf(kind).statements++;
          sentAt ??= performance.now();
        },
        true,
      ),
    );
    upstream.on(
      'data',
      scanner(new Set([COMMAND_COMPLETE, READY]), (type, body) => {
        if (type === COMMAND_COMPLETE) {
          const rows = Number(/ (\d+)$/.exec(cstring(body))?.[1] ?? 0);
          statsOf(kind).rows += rows;
        } else if (sentAt !== undefined) {
          statsOf(kind).ms += performance.now() - sentAt;
          sentAt = undefined;
        }
      }),
    );
    client.pipe(upstream);
    upstream.pipe(client);
    const close = () => {
      if (port !== undefined) ports.delete(port);
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: server.address().port,
    /** Statements, rows and milliseconds so far, by kind (a copy). */
    stats: () => new Map([...stats].map(([k, v]) => [k, { ...v }])),
    ports: () => [...ports],
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
