import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AckPolicy,
  jetstream,
  type JetStreamClient, type JetStreamManager,
  jetstreamManager,
  type JsMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Check } from '../src/check.js';
import { runProbe } from '../src/probe.js';
import { natsCheck, natsProbe } from '../src/probes/nats.js';
import { hangingTcpServer, unusedPort } from './support/net.js';
import { NATS_URL } from '../../../test/services.js';

const SERVER = NATS_URL;

/** What a user of the check sees: the probe under its deadline, errors sanitized. */
const observe = (check: Check) => runProbe(check.run, { timeoutMs: check.timeoutMs, sanitize: check.sanitize });

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const giveUp = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > giveUp) throw new Error(`condition not met within ${timeoutMs} ms`);
    await sleep(20);
  }
}

describe('natsCheck against the shared JetStream server', () => {
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let js: JetStreamClient;
  /** Streams of this file only, deleted afterwards. */
  const streams: string[] = [];
  let stream: string;

  beforeAll(async () => {
    nc = await connect({ servers: SERVER });
    jsm = await jetstreamManager(nc);
    js = jetstream(nc);
  });
  afterAll(async () => {
    for (const name of streams) await jsm.streams.delete(name).catch(() => {});
    await nc?.close();
  });

  /** A fresh stream with `messages` published to it and a durable pull consumer `worker` (and push `pusher`). */
  async function freshStream(messages: number): Promise<string> {
    const name = `vigil_test_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
    streams.push(name);
    await jsm.streams.add({ name, subjects: [`${name}.>`] });
    await jsm.consumers.add(name, { durable_name: 'worker', ack_policy: AckPolicy.Explicit, ack_wait: 60e9 });
    await jsm.consumers.add(name, {
      durable_name: 'pusher',
      ack_policy: AckPolicy.Explicit,
      deliver_subject: `${name}_deliver`,
      ack_wait: 60e9,
    });
    for (let i = 0; i < messages; i++) await js.publish(`${name}.orders`, `order ${i}`);
    return name;
  }

  async function fetchWithoutAck(name: string, count: number): Promise<JsMsg[]> {
    const consumer = await js.consumers.get(name, 'worker');
    const batch = await consumer.fetch({ max_messages: count, expires: 2000 });
    const got: JsMsg[] = [];
    for await (const message of batch) {
      got.push(message);
      if (got.length === count) break;
    }
    return got;
  }

  beforeEach(async () => {
    stream = await freshStream(5);
  });

  it('is healthy with the server, JetStream and a consumer with nothing waiting', async () => {
    const empty = await freshStream(0);
    const check = natsCheck({ servers: SERVER, consumers: [{ stream: empty, consumer: 'worker' }] });
    expect(check).toMatchObject({ name: 'nats', kind: 'nats', componentType: 'datastore' });
    const result = await observe(check);
    expect(result.error).toBeUndefined();
    expect(result.status).toBe('healthy');
    expect(result.details).toMatchObject({
      type: 'nats',
      latency_ms: expect.any(Number),
      connect_ms: expect.any(Number),
      consumers: { [`${empty}/worker`]: { kind: 'pull', pending: 0, ackPending: 0, redelivered: 0 } },
    });
    expect(result.facts).toMatchObject({ connected: true });
  });

  it('judges the backlog (num_pending) against its degraded and unhealthy thresholds', async () => {
    const run = (maxPending: number | { degraded?: number; unhealthy?: number }) =>
      observe(
        natsCheck({
          servers: SERVER,
          // Nobody consumes in this test: judge the backlog alone.
          consumers: [{ stream, consumer: 'worker', maxPending, whenNoConsumers: 'healthy' }],
        }),
      );
    expect((await run(10)).status).toBe('healthy');
    const degraded = await run({ degraded: 2, unhealthy: 10 });
    expect(degraded.status).toBe('degraded');
    expect(degraded.error).toBe(`consumer "worker" of stream "${stream}": pending messages 5 (degraded above 2)`);
    const unhealthy = await run({ degraded: 2, unhealthy: 4 });
    expect(unhealthy.status).toBe('unhealthy');
    expect(unhealthy.error).toBe(`consumer "worker" of stream "${stream}": pending messages 5 (unhealthy above 4)`);
    expect(unhealthy.measurements).toContainEqual({ measurement: `consumer.${stream}/worker.pending`, value: 5 });
  });

  it('is unhealthy when messages wait and no client pulls, and counts a client with unacknowledged messages as consuming', async () => {
    const nobody = await observe(natsCheck({ servers: SERVER, consumers: [{ stream, consumer: 'worker' }] }));
    expect(nobody.status).toBe('unhealthy');
    expect(nobody.error).toBe(`consumer "worker" of stream "${stream}": 5 messages pending and no client is pulling from it`);

    const held = await fetchWithoutAck(stream, 3);
    expect(held).toHaveLength(3);
    const busy = await observe(
      natsCheck({
        servers: SERVER,
        consumers: [{ stream, consumer: 'worker', maxAckPending: { degraded: 1, unhealthy: 3 } }],
      }),
    );
    expect(busy.status).toBe('degraded');
    expect(busy.error).toBe(`consumer "worker" of stream "${stream}": unacknowledged messages 3 (degraded above 1)`);
    expect(busy.details?.consumers).toMatchObject({ [`${stream}/worker`]: { pending: 2, ackPending: 3, consuming: true } });
    const tooMany = await observe(
      natsCheck({ servers: SERVER, consumers: [{ stream, consumer: 'worker', maxAckPending: { unhealthy: 2 } }] }),
    );
    expect(tooMany.status).toBe('unhealthy');
    expect(tooMany.error).toBe(`consumer "worker" of stream "${stream}": unacknowledged messages 3 (unhealthy above 2)`);
  });

  it('judges redelivered messages', async () => {
    for (const message of await fetchWithoutAck(stream, 3)) message.nak();
    await nc.flush();
    // Fetched again: now they are redeliveries, waiting for an ack.
    const again = await fetchWithoutAck(stream, 3);
    expect(again.every((m) => m.redelivered)).toBe(true);
    const result = await observe(
      natsCheck({ servers: SERVER, consumers: [{ stream, consumer: 'worker', maxRedelivered: 2 }] }),
    );
    expect(result.status).toBe('degraded');
    expect(result.error).toBe(`consumer "worker" of stream "${stream}": redelivered messages 3 (degraded above 2)`);
  });

  it('is healthy while a client is bound to a push consumer, unhealthy when none is', async () => {
    const unbound = await observe(natsCheck({ servers: SERVER, consumers: [{ stream, consumer: 'pusher' }] }));
    expect(unbound.status).toBe('unhealthy');
    expect(unbound.error).toBe(
      `consumer "pusher" of stream "${stream}": 5 messages pending, 0 unacknowledged, and no client is bound to it`,
    );
    const subscription = nc.subscribe(`${stream}_deliver`);
    try {
      await nc.flush();
      const giveUp = Date.now() + 3000;
      let bound = await observe(natsCheck({ servers: SERVER, consumers: [{ stream, consumer: 'pusher' }] }));
      while (bound.status !== 'healthy' && Date.now() < giveUp) {
        await sleep(100);
        bound = await observe(natsCheck({ servers: SERVER, consumers: [{ stream, consumer: 'pusher' }] }));
      }
      expect(bound.status).toBe('healthy');
      expect(bound.details?.consumers).toMatchObject({ [`${stream}/pusher`]: { kind: 'push', pushBound: true } });
    } finally {
      subscription.unsubscribe();
    }
  });

  it('names a missing consumer and a missing stream', async () => {
    const result = await observe(
      natsCheck({
        servers: SERVER,
        consumers: [
          { stream, consumer: 'nobody_here' },
          { stream: `${stream}_missing`, consumer: 'worker' },
        ],
      }),
    );
    expect(result.status).toBe('unhealthy');
    expect(result.error).toBe(
      `consumer "nobody_here" of stream "${stream}" does not exist; stream "${stream}_missing" does not exist`,
    );
  });

  it("uses the app's connection without closing it", async () => {
    const result = await observe(natsCheck({ connection: nc, consumers: [{ stream, consumer: 'worker', whenNoConsumers: 'healthy' }] }));
    expect(result.status).toBe('healthy');
    expect(nc.isClosed()).toBe(false);
  });

  it('says when JetStream does not answer (a wrong domain)', async () => {
    const result = await observe(natsCheck({ servers: SERVER, domain: 'nowhere' }));
    expect(result.status).toBe('unhealthy');
    expect(result.error).toMatch(/^JetStream did not answer \(no responders\): it is not enabled/);
  });

  it('closes its connection after each run', async () => {
    const sockets = () => process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap').length;
    const before = sockets();
    for (let i = 0; i < 3; i++) expect((await observe(natsCheck({ servers: SERVER }))).status).toBe('healthy');
    await until(() => sockets() === before, 2000);
  });
});

/** A nats-server of the test's own, with a password or a token and JetStream in a temporary folder. */
async function privateNats(auth: string[]): Promise<{ port: number; stop: () => Promise<void> }> {
  const port = await unusedPort();
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-nats-'));
  const child: ChildProcess = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir, ...auth], {
    stdio: 'ignore',
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const giveUp = Date.now() + 5000;
  while (!(await accepts(port))) {
    if (Date.now() > giveUp || child.exitCode !== null) {
      await stop();
      throw new Error('nats-server did not start (is it installed? apt-get install nats-server)');
    }
    await sleep(50);
  }
  return { port, stop };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('natsCheck with credentials (a private nats-server)', () => {
  it('logs in with user and password from the URL or the options; a wrong password is a redacted error', async () => {
    const server = await privateNats(['--user', 'vigil', '--pass', 'pa55-word']);
    try {
      const inUrl = await observe(natsCheck({ servers: `nats://vigil:pa55-word@127.0.0.1:${server.port}` }));
      expect(inUrl.error).toBeUndefined();
      expect(inUrl.status).toBe('healthy');
      const inOptions = await observe(
        natsCheck({ servers: `nats://127.0.0.1:${server.port}`, user: 'vigil', pass: 'pa55-word' }),
      );
      expect(inOptions.status).toBe('healthy');
      const wrong = await observe(natsCheck({ servers: `nats://vigil:wr0ng-pass@127.0.0.1:${server.port}` }));
      expect(wrong.status).toBe('unhealthy');
      expect(wrong.error).toMatch(/^cannot connect to NATS at nats:\/\/127\.0\.0\.1:\d+: .*[Aa]uthorization/);
      expect(wrong.error).not.toContain('wr0ng-pass');
    } finally {
      await server.stop();
    }
  });

  it('logs in with a token from the URL', async () => {
    const server = await privateNats(['--auth', 'tok3n-value']);
    try {
      const result = await observe(natsCheck({ servers: `nats://tok3n-value@127.0.0.1:${server.port}` }));
      expect(result.error).toBeUndefined();
      expect(result.status).toBe('healthy');
    } finally {
      await server.stop();
    }
  });
});

describe('natsCheck when the server cannot be reached', () => {
  it('fails fast on a refused port with a clear error, credentials redacted', async () => {
    const port = await unusedPort();
    const check = natsCheck({ servers: `nats://vigil:s3cret-pw@127.0.0.1:${port}`, timeoutMs: 2000 });
    const result = await observe(check);
    expect(result.status).toBe('unhealthy');
    expect(result.timedOut).toBe(false);
    expect(result.durationMs).toBeLessThan(2000);
    expect(result.error).toBe(
      `cannot connect to NATS at nats://vigil:***@127.0.0.1:${port}: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
    expect(result.facts).toEqual({ connected: false });
  });

  it('redacts a token given in the URL', async () => {
    const port = await unusedPort();
    const result = await observe(natsCheck({ servers: `nats://tok3n-secret@127.0.0.1:${port}` }));
    expect(result.error).not.toContain('tok3n-secret');
    expect(result.error).toContain('nats://***@127.0.0.1');
  });

  it('times out at the deadline on a server that never answers, and closes its socket', async () => {
    const server = await hangingTcpServer();
    try {
      await until(() => server.clientSockets() === 0, 2000);
      const result = await observe(natsCheck({ servers: `nats://127.0.0.1:${server.port}`, timeoutMs: 300 }));
      expect(result).toMatchObject({ status: 'unhealthy', timedOut: true, error: 'timed out after 300 ms' });
      expect(result.durationMs).toBeLessThan(1500);
      expect(server.accepted()).toBe(1);
      await until(() => server.clientSockets() === 0, 1500);
    } finally {
      await server.close();
    }
  });

  it('stops when its signal aborts', async () => {
    const server = await hangingTcpServer();
    try {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 100);
      const started = Date.now();
      const result = await natsProbe(
        { servers: `nats://127.0.0.1:${server.port}` },
        { signal: controller.signal, deadline: Date.now() + 3000 },
      );
      expect(result.status).toBe('unhealthy');
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await server.close();
    }
  });

  it('rejects unusable options when the check is made', () => {
    expect(() => natsCheck({})).toThrow('nats check: pass either `connection` or `servers`');
    expect(() => natsCheck({ servers: 'http://127.0.0.1:4222' })).toThrow(/nats:\/\/ \(or tls:\/\/\) URLs/);
    expect(() => natsCheck({ servers: SERVER, consumers: [{ stream: 'a.b', consumer: 'c' }] })).toThrow(
      /stream names have no spaces/,
    );
    expect(() => natsCheck({ servers: SERVER, consumers: [{ stream: 'a', consumer: 'c', maxPending: -1 }] })).toThrow(
      /maxPending must be a whole number/,
    );
  });
});
