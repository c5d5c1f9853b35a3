/**
 * Three `vigil serve` instances on one PostgreSQL schema behind a round-robin TCP "load balancer", and two
 * `vigil agent` processes (eu-west, us-east) sending their results through it, for a monitor checked from those two
 * locations with the default quorum (2 of 2). A network problem near one location is made by a module preloaded
 * into that agent that refuses its connections to the target while a flag file exists. One location failing alone
 * shows the monitor degraded and does not alert; both failing take it down and alert once; recovery resolves once —
 * whichever instance took each agent's results, and after the instance that judged the monitor was killed with -9.
 */
import { rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createApiToken } from '../../src/api/tokens.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { POSTGRES_URL } from '../../../../test/services.js';
import { launch, type Proc } from '../agent/processes.js';
import { writeConfig } from '../service/harness.js';
import { tempDir } from '../support.js';

const SCHEMA = `vigil_agents_${process.pid}_${Date.now().toString(36)}`;
const URL_WITH_SCHEMA = `${POSTGRES_URL}${POSTGRES_URL.includes('?') ? '&' : '?'}schema=${SCHEMA}`;

/** Refuses the process's connections to one port while a file exists: a network problem near that location. */
const BLOCKER = `
import fs from 'node:fs';
import net from 'node:net';
const port = Number(process.env.VIGIL_TEST_BLOCK_PORT);
const flag = process.env.VIGIL_TEST_BLOCK_FLAG;
const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  // net.connect() passes its normalized arguments as one array.
  const first = Array.isArray(args[0]) ? args[0][0] : args[0];
  const options = typeof first === 'object' && first !== null ? first : { port: first };
  if (Number(options.port) === port && fs.existsSync(flag)) {
    const error = Object.assign(new Error('connect ECONNREFUSED (a network problem near this location)'), { code: 'ECONNREFUSED' });
    process.nextTick(() => this.destroy(error));
    return this;
  }
  return connect.apply(this, args);
};
`;

let dir: { dir: string; remove: () => Promise<void> };
let target: http.Server;
let receiver: http.Server;
let balancer: net.Server;
let db: pg.Pool;
const instances: Array<Proc & { url: string; port: number }> = [];
const agents: Proc[] = [];
const notifications: Array<{ kind: string; cause?: string; key: string }> = [];
let token = '';
let reader = '';
let balancerUrl = '';

async function listen(server: http.Server | net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Round robin over the instances still listening: a connection refused by one goes to the next. */
function roundRobin(): net.Server {
  let next = 0;
  return net.createServer((client) => {
    client.pause();
    const attempt = (tries: number) => {
      if (tries >= instances.length) return client.destroy();
      const instance = instances[next++ % instances.length]!;
      const upstream = net.connect(instance.port, '127.0.0.1');
      upstream.once('error', () => attempt(tries + 1));
      upstream.once('connect', () => {
        upstream.removeAllListeners('error');
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
        client.resume();
      });
    };
    attempt(0);
  });
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Shown {
  state: string;
  locations: Array<{ location: string; state: string }> | null;
}

async function shown(): Promise<Shown> {
  const response = await fetch(`${balancerUrl}/api/v1/monitors/shop`, { headers: { authorization: `Bearer ${reader}` } });
  return (await response.json()) as Shown;
}

const flag = (location: string) => path.join(dir.dir, `block-${location}`);

beforeAll(async () => {
  dir = await tempDir('cluster-agents');
  target = http.createServer((_req, res) => res.writeHead(200).end('ok'));
  const targetPort = await listen(target);
  receiver = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { kind: string; cause?: string };
      notifications.push({ kind: parsed.kind, ...(parsed.cause ? { cause: parsed.cause } : {}), key: String(req.headers['idempotency-key']) });
      res.end('ok');
    });
  });
  const hook = `http://127.0.0.1:${await listen(receiver)}/hook`;
  const configFile = await writeConfig(
    dir.dir,
    [
      `storage: "${URL_WITH_SCHEMA}"`,
      'cluster: { lease: 3s }',
      'alerts:',
      `  channels: { hook: { type: webhook, url: "${hook}" } }`,
      '  routes: { critical: [hook] }',
      '  per_channel_per_minute: 100000',
      '  defaults: { failure_threshold: 1, success_threshold: 1 }',
      'monitors:',
      '  - name: shop',
      '    type: http',
      `    url: http://127.0.0.1:${targetPort}/`,
      '    interval: 1s',
      '    timeout: 500ms',
      '    locations: [eu-west, us-east]',
    ].join('\n'),
  );
  db = new pg.Pool({ connectionString: POSTGRES_URL, max: 2 });
  await Promise.all(
    [1, 2, 3].map(async () => {
      const proc = launch(['serve', '--config', configFile, '--port', '0', '--data', dir.dir, '--log-format', 'json']);
      const [, url] = await proc.waitFor(/"event":"listening","url":"(http:\/\/[^"]+)"/);
      instances.push(Object.assign(proc, { url: url!, port: Number(new URL(url!).port) }));
    }),
  );
  balancer = roundRobin();
  balancerUrl = `http://127.0.0.1:${await listen(balancer)}`;
  const store = new PostgresStore(POSTGRES_URL, { schema: SCHEMA, poolSize: 2 });
  token = (await createApiToken(store, 'agents', { scope: 'agent' })).token;
  reader = (await createApiToken(store, 'reader', { scope: 'read' })).token;
  await store.close();
  const blocker = path.join(dir.dir, 'blocker.mjs');
  await writeFile(blocker, BLOCKER);
  for (const location of ['eu-west', 'us-east']) {
    // `vigil agent` with the blocker preloaded, the token in the environment as the docs advise.
    const blocked = launch(
      ['agent', '--server', balancerUrl, '--location', location, '--buffer', path.join(dir.dir, `buffer-${location}`), '--log-format', 'json'],
      {
        VIGIL_TOKEN: token,
        NODE_OPTIONS: `--import ${blocker}`,
        VIGIL_TEST_BLOCK_PORT: String(targetPort),
        VIGIL_TEST_BLOCK_FLAG: flag(location),
      },
    );
    agents.push(blocked);
  }
}, 60_000);

afterAll(async () => {
  await Promise.all(agents.map((proc) => proc.stop('SIGKILL')));
  await Promise.all(instances.map((proc) => proc.stop('SIGKILL')));
  balancer?.close();
  target?.closeAllConnections();
  target?.close();
  receiver?.closeAllConnections();
  receiver?.close();
  await db.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
  await db.end();
  await dir.remove();
});

it('judge a monitor over two agents: one location failing alone does not alert, two do, once, across instances', async () => {
  // Both agents report through the balancer (so through several instances): healthy from both.
  await until('healthy from both locations', async () => {
    const monitor = await shown();
    return monitor.state === 'healthy' && monitor.locations?.every((location) => location.state === 'healthy') ? monitor : undefined;
  });
  const locations = await db.query<{ location: string }>(
    `SELECT DISTINCT location FROM "${SCHEMA}".runtime_states WHERE monitor_id = 'shop' ORDER BY location`,
  );
  expect(locations.rows.map((row) => row.location)).toEqual(['*', 'eu-west', 'us-east']);

  // The instance that judges the monitor dies: another takes the judging over.
  const owner = await db.query<{ pid: string }>(
    `SELECT substring(i.name from 'pid ([0-9]+)') AS pid FROM "${SCHEMA}".monitor_leases l JOIN "${SCHEMA}".instances i ON i.id = l.owner
     WHERE l.monitor_id = 'shop' AND l.expires_at > 0`,
  );
  const judge = instances.find((instance) => instance.child.pid === Number(owner.rows[0]?.pid));
  expect(judge).toBeDefined();
  await judge!.stop('SIGKILL');

  // A network problem near eu-west only: degraded, naming it; no alert.
  await writeFile(flag('eu-west'), '');
  const degraded = await until('degraded', async () => {
    const monitor = await shown();
    return monitor.state === 'degraded' ? monitor : undefined;
  });
  expect(degraded.locations).toEqual([
    { location: 'eu-west', state: 'unhealthy' },
    { location: 'us-east', state: 'healthy' },
  ]);
  await new Promise((resolve) => setTimeout(resolve, 2000));
  expect(notifications).toEqual([]);

  // Near us-east too: down, one trigger naming both.
  await writeFile(flag('us-east'), '');
  await until('down', async () => ((await shown()).state === 'unhealthy' ? true : undefined));
  await until('the trigger', async () => (notifications.length > 0 ? true : undefined));
  expect(notifications[0]).toMatchObject({ kind: 'trigger' });
  expect(notifications[0]!.cause).toMatch(/^down from eu-west, us-east \(2 of 2\)/);

  // Both recover: one resolve; nothing sent twice.
  await rm(flag('eu-west'));
  await rm(flag('us-east'));
  await until('healthy again', async () => ((await shown()).state === 'healthy' ? true : undefined));
  await until('the resolve', async () => (notifications.some((notification) => notification.kind === 'resolve') ? true : undefined));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(notifications.map((notification) => notification.kind)).toEqual(['trigger', 'resolve']);
  expect(new Set(notifications.map((notification) => notification.key)).size).toBe(2);
}, 90_000);
