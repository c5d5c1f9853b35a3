import { randomUUID } from 'node:crypto';
import amqp, { type Channel, type ChannelModel } from 'amqplib';
import { type Observation, rabbitmqCheck, type RabbitmqCheckOptions, rabbitmqProbe, runProbe } from '@vigil/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hangingTcpServer, unusedPort } from '../../../core/test/support/net.js';
import { type RunningServer, startHttpServer } from '../../../core/test/support/tls.js';
import { monitorHost } from '../../src/monitors/index.js';
import { check, eventually, leaked, monitor, tcpSockets } from './support.js';
import { RABBITMQ_URL, withDatabase, withPassword } from '../../../../test/services.js';

const URL = RABBITMQ_URL;
/** The password of the shared server's user (guest), for the `password` field. */
const SHARED_PASSWORD = decodeURIComponent(new globalThis.URL(URL).password);

/** The probe as a check runs it: under its deadline. */
const probe = (options: RabbitmqCheckOptions, timeoutMs = 5000): Promise<Observation> =>
  runProbe((context) => rabbitmqProbe(options, context), { timeoutMs });

/** Queues of this run, non-exclusive (so another connection sees them), expiring if a run leaves one behind. */
let admin: ChannelModel;
let channel: Channel;
let waiting: string;
let consumed: string;

beforeAll(async () => {
  admin = await amqp.connect(URL);
  channel = await admin.createChannel();
  const id = randomUUID().slice(0, 8);
  waiting = `vigil-test-waiting-${id}`;
  consumed = `vigil-test-consumed-${id}`;
  for (const queue of [waiting, consumed]) {
    await channel.assertQueue(queue, { durable: false, arguments: { 'x-expires': 120_000 } });
    for (let i = 0; i < 3; i++) channel.sendToQueue(queue, Buffer.from(`job ${i}`));
  }
  // A consumer that takes one message and never acknowledges it: 2 ready, 1 unacknowledged.
  await channel.prefetch(1);
  await channel.consume(consumed, () => {}, { noAck: false });
  await new Promise((resolve) => setTimeout(resolve, 200));
});

afterAll(async () => {
  await channel?.deleteQueue(waiting).catch(() => {});
  await channel?.deleteQueue(consumed).catch(() => {});
  await admin?.close();
});

describe('rabbitmq monitor', () => {
  it('is healthy: a connection, a channel and a publish/get round trip, closed after', async () => {
    const before = tcpSockets();
    const outcome = await check(monitor('rabbitmq', { url: URL, conditions: ['[CONNECTED] == true'] }));
    expect(outcome.status).toBe('healthy');
    expect(outcome.error).toBeUndefined();
    expect(outcome.timings).toEqual({ connect: expect.any(Number), firstByte: expect.any(Number) });
    expect(outcome.conditions?.[0]?.success).toBe(true);
    await eventually(() => tcpSockets() <= before);
  });

  it('checks that its queue exists, and is unhealthy naming it when it does not', async () => {
    expect((await check(monitor('rabbitmq', { url: URL, queue: waiting }))).status).toBe('healthy');
    const missing = await check(monitor('rabbitmq', { url: URL, queue: 'vigil-no-such-queue' }));
    expect(missing).toMatchObject({ status: 'unhealthy', error: 'queue "vigil-no-such-queue" does not exist' });
  });

  it('a wrong password is refused, and never shows', async () => {
    const inUrl = await check(monitor('rabbitmq', { url: withPassword(URL, 'Wrong-Amqp-Secret') }));
    const inField = await check(
      monitor('rabbitmq', { url: withPassword(URL, ''), password: 'Wrong-Amqp-Secret' }),
    );
    for (const outcome of [inUrl, inField]) {
      expect(outcome.status).toBe('unhealthy');
      expect(outcome.error).toMatch(/^login refused \(wrong user name or password\): .*ACCESS-REFUSED/);
    }
    expect(leaked([inUrl, inField], ['Wrong-Amqp-Secret'])).toEqual([]);
    expect((await check(monitor('rabbitmq', { url: withPassword(URL, ''), password: SHARED_PASSWORD }))).status).toBe(
      'healthy',
    );
  });

  it('an unknown vhost is named', async () => {
    const outcome = await check(monitor('rabbitmq', { url: withDatabase(URL, 'vigil-no-such-vhost') }));
    expect(outcome.error).toBe(
      'the broker refused to open vhost "vigil-no-such-vhost": it does not exist, or this user may not use it',
    );
  });

  it('a broker that accepts and never answers: timed out, the socket closed', async () => {
    const hung = await hangingTcpServer();
    // This file keeps one connection of its own open.
    const before = hung.clientSockets();
    try {
      const outcome = await check(monitor('rabbitmq', { url: `amqp://127.0.0.1:${hung.port}`, timeout: '400ms' }));
      expect(outcome).toMatchObject({ status: 'unhealthy', error: 'timed out after 400 ms' });
      expect(outcome.wallMs).toBeLessThan(1000);
      expect(hung.accepted()).toBe(1);
      await eventually(() => hung.clientSockets() === before);
    } finally {
      await hung.close();
    }
  });

  it('a refused port is unhealthy at once', async () => {
    const outcome = await check(monitor('rabbitmq', { url: `amqp://127.0.0.1:${await unusedPort()}` }));
    expect(outcome.error).toContain('ECONNREFUSED');
    expect(outcome.wallMs).toBeLessThan(1000);
  });

  it('targets the host of its URL', () => {
    expect(monitorHost(monitor('rabbitmq', { url: 'amqps://app:pw@Rabbit.internal/prod' }))).toBe('rabbit.internal');
  });
});

describe('rabbitmq probe (core)', () => {
  it('reports the round trip and each queue: ready messages and consumers', async () => {
    const result = await probe({ url: URL, queues: [consumed] });
    expect(result.status).toBe('healthy');
    expect(result.details).toMatchObject({
      type: 'rabbitmq',
      connect_ms: expect.any(Number),
      round_trip_ms: expect.any(Number),
      queues: { [consumed]: { messages: 2, consumers: 1 } },
    });
    expect(result.measurements).toEqual(
      expect.arrayContaining([
        { measurement: `queue.${consumed}.messages`, value: 2 },
        { measurement: `queue.${consumed}.consumers`, value: 1 },
      ]),
    );
  });

  it('is unhealthy when messages wait and no consumer is attached (unless requireConsumers is off)', async () => {
    const result = await probe({ url: URL, queues: [waiting] });
    expect(result).toMatchObject({
      status: 'unhealthy',
      error: `queue "${waiting}": 3 messages wait and no consumer is attached`,
    });
    expect((await probe({ url: URL, queues: [{ name: waiting, requireConsumers: false }] })).status).toBe('healthy');
  });

  it('judges the backlog: degraded above one threshold, unhealthy above the other', async () => {
    const degraded = await probe({ url: URL, queues: [{ name: consumed, backlogDegradedAbove: 1 }] });
    expect(degraded).toMatchObject({
      status: 'degraded',
      error: `queue "${consumed}": 2 messages ready (degraded above 1)`,
    });
    const unhealthy = await probe({
      url: URL,
      queues: [{ name: consumed, backlogDegradedAbove: 0, backlogUnhealthyAbove: 1 }],
    });
    expect(unhealthy.status).toBe('unhealthy');
  });

  it('checks every queue even after one is missing (a 404 closes the channel)', async () => {
    const result = await probe({ url: URL, queues: ['vigil-no-such-queue', consumed] });
    expect(result.status).toBe('unhealthy');
    expect(result.error).toBe('queue "vigil-no-such-queue" does not exist');
    expect(result.details?.queues).toEqual({ [consumed]: { messages: 2, consumers: 1 } });
  });

  it('reads unacknowledged counts from the management API, with the AMQP credentials', async () => {
    const authorizations: Array<string | undefined> = [];
    const management: RunningServer & { url: string } = await startHttpServer((req, res) => {
      authorizations.push(req.headers.authorization);
      if (req.url === `/api/queues/%2F/${consumed}`) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ name: consumed, messages_ready: 2, messages_unacknowledged: 1, consumers: 1 }));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    try {
      const result = await probe({ url: URL, queues: [consumed], managementUrl: management.url });
      expect(result.status).toBe('healthy');
      expect(result.details?.queues).toEqual({ [consumed]: { messages: 2, consumers: 1, unacknowledged: 1 } });
      expect(result.measurements).toContainEqual({ measurement: `queue.${consumed}.unacknowledged`, value: 1 });
      expect(authorizations).toEqual([`Basic ${Buffer.from('guest:guest').toString('base64')}`]);
    } finally {
      await management.close();
    }
  });

  it('a management API that cannot be read is a warning, not an outage, and shows no password', async () => {
    const port = await unusedPort();
    const result = await probe({
      url: URL,
      queues: [consumed],
      managementUrl: `http://admin:Mgmt-Secret-9@127.0.0.1:${port}`,
    });
    expect(result.status).toBe('degraded');
    expect(result.error).toMatch(/^management API: .*ECONNREFUSED.*\(unacknowledged counts unknown\)$/);
    expect(leaked(result, ['Mgmt-Secret-9'])).toEqual([]);
  });

  it("works on the app's own connection (rabbitmqCheck for @vigil/health), leaving it open", async () => {
    const check = rabbitmqCheck({ client: admin, queues: [consumed], name: 'broker' });
    expect(check).toMatchObject({ name: 'broker', kind: 'rabbitmq', componentType: 'datastore' });
    const result = await runProbe(check.run, { timeoutMs: 5000 });
    expect(result.status).toBe('healthy');
    // The connection is still usable.
    expect((await channel.checkQueue(consumed)).consumerCount).toBe(1);
  });

  it('is degraded when slower than degradedAboveMs', async () => {
    const result = await probe({ url: URL, degradedAboveMs: 0 });
    expect(result.status).toBe('degraded');
    expect(result.error).toMatch(/^responded in [\d.]+ ms \(degraded above 0 ms\)$/);
  });

  it('rejects options that cannot work, before connecting', () => {
    expect(() => rabbitmqCheck({ url: 'http://127.0.0.1:5672' })).toThrow('rabbitmq: url must be an amqp:// or amqps:// URL');
    expect(() => rabbitmqCheck({ url: withPassword(URL, 'guest'), password: 'x' })).toThrow('the password is both in `url` and in `password`');
    expect(() => rabbitmqCheck({ url: URL, queues: [{ name: 'q', backlogDegradedAbove: -1 }] })).toThrow(
      'backlogDegradedAbove must be a whole number',
    );
  });
});
