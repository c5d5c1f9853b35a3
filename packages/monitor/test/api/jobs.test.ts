/**
 * /api/v1/jobs against real BullMQ queues, workers and a job scheduler on the shared Redis, under a key prefix of
 * this file's own (removed at the end): the connections, queues, workers, jobs per state, the scheduled job log and
 * progress; retrying and removing a failed job; refusals (404, 409, 400, 401, 403); and a Redis that is down or
 * hung, answered 502 within the deadline without the password. Every answer is checked against the OpenAPI document.
 */
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';
import type { Job, Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unusedPort } from '../../../core/test/support/net.js';
import { sharedRedisWorld, until } from '../../../jobs/test/support.js';
import { REDIS_URL } from '../../../../test/services.js';
import { createApiHandler, openApiDocument } from '../../src/api/index.js';
import { createApiToken } from '../../src/api/tokens.js';
import { ConfigError, parseConfigSources } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/logger.js';
import { EventFeed } from '../../src/pipeline/feed.js';
import { type JobConnection, jobConnectionsOf } from '../../src/service/job-connections.js';
import { startMonitor } from '../../src/commands/serve.js';
import { tempDir } from '../support.js';
import { writeConfig } from '../service/harness.js';
import { FakeService, memoryStore, NOW } from './harness.js';

const world = sharedRedisWorld();
const { prefix } = world;

const DOWN_PASSWORD = 'hunter2-down-secret';
const HUNG_PASSWORD = 'hunter2-hung-secret';
/** The deadline of the API that talks to the broken servers. */
const SHORT_DEADLINE_MS = 400;

// --- An API on a random port, with job connections and a deadline of its choosing ---

interface Answer {
  status: number;
  body: any;
  text: string;
}

interface JobsApi {
  request(path: string, options?: { method?: string; token?: 'admin' | 'read' | 'write' | 'none' }): Promise<Answer>;
  close(): Promise<void>;
}

async function startJobsApi(connections: JobConnection[], jobTimeoutMs?: number): Promise<JobsApi> {
  const service = new FakeService(await memoryStore());
  const feed = new EventFeed({ store: service.store, logger: silentLogger, pollMs: 60_000 });
  const handler = createApiHandler({
    store: service.store,
    monitors: service.monitors,
    control: service.control,
    statusIncidents: service.statusIncidents,
    feed,
    corsOrigins: [],
    now: () => NOW,
    jobConnections: () => connections,
    ...(jobTimeoutMs === undefined ? {} : { jobTimeoutMs }),
  });
  const server: Server = createServer((req, res) => handler(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const tokens = {
    admin: (await createApiToken(service.store, 'ops', { scope: 'admin', now: () => NOW })).token,
    read: (await createApiToken(service.store, 'reader', { scope: 'read', now: () => NOW })).token,
    write: (await createApiToken(service.store, 'writer', { scope: 'write', now: () => NOW })).token,
  };
  return {
    async request(path, { method = 'GET', token = 'write' } = {}) {
      const response = await fetch(`${url}${path}`, {
        method,
        headers: token === 'none' ? {} : { Authorization: `Bearer ${tokens[token]}` },
      });
      const text = await response.text();
      const answer = { status: response.status, text, body: text === '' ? undefined : JSON.parse(text) };
      expectDocumented(method, path, answer);
      return answer;
    },
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await service.store.close();
    },
  };
}

// --- Every answer as the OpenAPI document describes it ---

const doc = openApiDocument() as any;
const DOCUMENT_ID = 'https://vigil.invalid/api/v1/openapi.json';
const ajv = new Ajv2020({ strict: true, allErrors: true });
ajvFormats.default(ajv);
ajv.addVocabulary(['openapi', 'info', 'jsonSchemaDialect', 'servers', 'paths', 'webhooks', 'components', 'security', 'tags', 'externalDocs']);
ajv.addSchema(doc, DOCUMENT_ID);
const pointer = (...keys: string[]) => keys.map((key) => `/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`).join('');

function validatorAt(at: string): ValidateFunction {
  const validate = ajv.getSchema(`${DOCUMENT_ID}#${at.split('/').map(encodeURIComponent).join('/')}`);
  if (!validate) throw new Error(`no schema at ${at}`);
  return validate;
}

/** The documented pattern of a request path (`/api/v1/jobs/{connection}/queues`). */
function patternOf(path: string): string {
  const segments = path.split('?')[0]!.split('/');
  const pattern = Object.keys(doc.paths).find((candidate) => {
    const parts = candidate.split('/');
    return parts.length === segments.length && parts.every((part, i) => part.startsWith('{') || part === segments[i]);
  });
  if (!pattern) throw new Error(`no documented path for ${path}`);
  return pattern;
}

function expectDocumented(method: string, path: string, answer: Answer): void {
  const pattern = patternOf(path);
  const node = doc.paths[pattern]?.[method.toLowerCase()]?.responses?.[String(answer.status)];
  expect(node, `${method} ${pattern} does not document ${answer.status}`).toBeDefined();
  const at =
    typeof node.$ref === 'string' ? node.$ref.slice(1) : pointer('paths', pattern, method.toLowerCase(), 'responses', String(answer.status));
  const resolved = at.split('/').slice(1).reduce((n: any, key: string) => n[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
  if (answer.status === 204) {
    expect(answer.text).toBe('');
    expect(resolved.content).toBeUndefined();
    return;
  }
  const validate = validatorAt(`${at}${pointer('content', 'application/json', 'schema')}`);
  expect(validate(answer.body) ? [] : validate.errors, `${method} ${path} → ${answer.status}`).toEqual([]);
}

/**
 * A server that accepts connections, reads and never writes: a hung Redis. It never closes its side, so a client
 * that gives up must close its own: `unclosed()` counts the connections whose client has not.
 */
async function silentServer() {
  const sockets = new Set<net.Socket>();
  let accepted = 0;
  let closedByClient = 0;
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    accepted++;
    sockets.add(socket);
    socket.resume();
    socket.on('error', () => {});
    socket.on('end', () => closedByClient++);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    accepted: () => accepted,
    unclosed: () => accepted - closedByClient,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// --- The world: queues, workers, jobs in every state, a job scheduler ---

let emails: Queue;
let reports: Queue;
let api: JobsApi;
let fastApi: JobsApi;
let hung: Awaited<ReturnType<typeof silentServer>>;
let downPort: number;
const attempts = new Map<string, number>();
let release: () => void = () => {};

const jobs = (connection = 'shop-redis') => `/api/v1/jobs/${connection}`;

beforeAll(async () => {
  emails = world.newQueue('emails');
  reports = world.newQueue('reports');
  const held = new Promise<void>((resolve) => {
    release = resolve;
  });
  world.newWorker(
    emails,
    async (job: Job) => {
      const attempt = (attempts.get(job.id!) ?? 0) + 1;
      attempts.set(job.id!, attempt);
      if (job.name === 'bad') throw new Error(`SMTP 550: mailbox unavailable for ${String(job.data.to)}`);
      if (job.name === 'flaky' && attempt === 1) throw new Error('SMTP 421: try again later');
      if (job.name === 'hold') {
        await job.updateProgress({ done: 2, of: 5 });
        await held;
      }
      return 'sent';
    },
    { name: 'mailer-1', concurrency: 5 },
  );
  world.newWorker(reports, async () => 'digested', { name: 'reporter' });

  await emails.add('bad', { to: 'ann@example.com' }, { jobId: 'bad-1' });
  await emails.add('flaky', { to: 'bob@example.com' }, { jobId: 'flaky-1' });
  await emails.add('ok', { to: 'cy@example.com' }, { jobId: 'ok-1' });
  await until(async () => (await emails.getFailedCount()) === 2 && (await emails.getCompletedCount()) === 1);
  await emails.add('hold', { to: 'dee@example.com' }, { jobId: 'hold-1' });
  await emails.add('later', { to: 'eve@example.com' }, { jobId: 'later-1', delay: 3_600_000 });
  await until(async () => (await emails.getJob('hold-1'))?.progress !== 0);
  await reports.upsertJobScheduler('nightly', { every: 300 }, { name: 'digest', data: { kind: 'daily' } });
  await until(async () => (await reports.getCompletedCount()) >= 1);

  hung = await silentServer();
  downPort = await unusedPort();
  api = await startJobsApi([
    { id: 'shop-redis', name: 'Shop Redis', url: REDIS_URL, prefix },
    { id: 'cache', name: 'Cache', url: 'redis://:cache-secret@cache.internal:6379/2', prefix: 'bull' },
  ]);
  fastApi = await startJobsApi(
    [
      { id: 'down', name: 'Down', url: `redis://:${DOWN_PASSWORD}@127.0.0.1:${downPort}`, prefix: 'bull' },
      { id: 'hung', name: 'Hung', url: `redis://127.0.0.1:${hung.port}`, password: HUNG_PASSWORD, prefix: 'bull' },
    ],
    SHORT_DEADLINE_MS,
  );
});

afterAll(async () => {
  release();
  await api?.close();
  await fastApi?.close();
  await hung?.close();
  // Stops the workers, obliterates this file's queues and unlinks what is left under its prefix: nothing else.
  await world.dispose();
});

describe('GET /api/v1/jobs', () => {
  it('lists the connections with their password hidden, for token holders', async () => {
    const answer = await api.request('/api/v1/jobs', { token: 'read' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      connections: [
        { id: 'shop-redis', name: 'Shop Redis', target: REDIS_URL, prefix },
        { id: 'cache', name: 'Cache', target: 'redis://:***@cache.internal:6379/2', prefix: 'bull' },
      ],
    });
    expect(answer.text).not.toContain('cache-secret');
    expect((await api.request('/api/v1/jobs', { token: 'none' })).status).toBe(401);
  });
});

describe('the views', () => {
  it('queues: found under the prefix, with their jobs counted per state', async () => {
    const answer = await api.request(`${jobs()}/queues`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ connection: 'shop-redis', prefix, complete: true });
    const byName = Object.fromEntries(answer.body.queues.map((q: any) => [q.name, q]));
    expect(Object.keys(byName)).toEqual([emails.name, reports.name]);
    expect(byName[emails.name]).toMatchObject({
      exists: true,
      paused: false,
      counts: { waiting: 0, prioritized: 0, delayed: 1, active: 1, waiting_children: 0, completed: 1, failed: 2 },
      workers: 1,
      schedulers: 0,
    });
    expect(byName[reports.name]).toMatchObject({ exists: true, workers: 1, schedulers: 1 });

    const one = await api.request(`${jobs()}/queues?queue=${reports.name}&queue=missing`);
    expect(one.body.queues.map((q: any) => [q.name, q.exists])).toEqual([
      [reports.name, true],
      ['missing', false],
    ]);
  });

  it('workers: busy or idle, with the job each runs', async () => {
    const answer = await api.request(`${jobs()}/workers?queue=${emails.name}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ connection: 'shop-redis', queues: [emails.name], complete: true });
    expect(answer.body.workers).toEqual([
      expect.objectContaining({
        queue: emails.name,
        name: 'mailer-1',
        status: 'busy',
        current_jobs: [expect.objectContaining({ id: 'hold-1', name: 'hold' })],
        successful_jobs: 1,
        failed_jobs: 2,
      }),
    ]);
    const all = await api.request(`${jobs()}/workers`);
    expect(all.body.workers.map((w: any) => [w.queue, w.name])).toEqual([
      [emails.name, 'mailer-1'],
      [reports.name, 'reporter'],
    ]);
  });

  it('jobs: one state of one queue, with arguments, error and its first stack frame, attempts and times', async () => {
    const failed = await api.request(`${jobs()}/jobs?queue=${emails.name}&state=failed`);
    expect(failed.status).toBe(200);
    expect(failed.body).toMatchObject({ connection: 'shop-redis', queue: emails.name, state: 'failed' });
    const bad = failed.body.jobs.find((j: any) => j.id === 'bad-1');
    expect(bad).toMatchObject({
      queue: emails.name,
      state: 'failed',
      name: 'bad',
      arguments: '{"to":"ann@example.com"}',
      exception: { message: 'SMTP 550: mailbox unavailable for ann@example.com' },
      attempts: 1,
      worker: 'mailer-1',
      scheduler: null,
    });
    expect(bad.exception.location).toMatch(/^at .*jobs\.test\.ts:\d+:\d+\)?$/);
    expect(bad.ended_at).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(failed.body.jobs.map((j: any) => j.id).sort()).toEqual(['bad-1', 'flaky-1']);

    const ids = async (state: string) =>
      (await api.request(`${jobs()}/jobs?queue=${emails.name}&state=${state}`)).body.jobs.map((j: any) => j.id);
    expect(await ids('delayed')).toEqual(['later-1']);
    expect(await ids('waiting')).toEqual([]);
    expect(await ids('completed')).toEqual(['ok-1']);
    const active = await api.request(`${jobs()}/jobs?queue=${emails.name}&state=active`);
    expect(active.body.jobs).toEqual([expect.objectContaining({ id: 'hold-1', progress: { done: 2, of: 5 } })]);
    expect((await api.request(`${jobs()}/jobs?queue=${emails.name}&state=failed&limit=1`)).body.jobs).toHaveLength(1);
  });

  it('schedules: the runs of the job scheduler, newest first', async () => {
    const answer = await api.request(`${jobs()}/schedules?scheduler=nightly&limit=5`);
    expect(answer.status).toBe(200);
    expect(answer.body.queues).toEqual([emails.name, reports.name]);
    expect(answer.body.runs.length).toBeGreaterThanOrEqual(1);
    expect(answer.body.runs[0]).toMatchObject({ scheduler: 'nightly', queue: reports.name, job: 'digest', status: 'Complete', error: null });
    expect(answer.body.runs[0].job_id).toMatch(/^repeat:nightly:/);
    expect((await api.request(`${jobs()}/schedules?scheduler=weekly`)).body.runs).toEqual([]);
  });

  it('progress: what the active jobs last reported', async () => {
    const answer = await api.request(`${jobs()}/progress?queue=${emails.name}`);
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ connection: 'shop-redis', queues: [emails.name], complete: true });
    expect(answer.body.jobs).toEqual([
      expect.objectContaining({ queue: emails.name, id: 'hold-1', name: 'hold', worker: 'mailer-1', progress: { done: 2, of: 5 } }),
    ]);
    // Every queue: the scheduler's digest job may be running too.
    const all = await api.request(`${jobs()}/progress`);
    expect(all.body.queues).toEqual([emails.name, reports.name]);
    expect(all.body.jobs.map((j: any) => j.id)).toContain('hold-1');
  });

  it('refuses bad parameters with 400, saying what is expected', async () => {
    const cases: Array<[string, RegExp]> = [
      [`${jobs()}/jobs?state=failed`, /query parameter queue is required/],
      [`${jobs()}/jobs?queue=${emails.name}`, /query parameter state is required: one of waiting, prioritized, delayed/],
      [`${jobs()}/jobs?queue=${emails.name}&state=lost`, /unknown state "lost": expected one of waiting/],
      [`${jobs()}/jobs?queue=${emails.name}&state=failed&limit=0`, /limit must be a whole number from 1 to 1000/],
      [`${jobs()}/jobs?queue=a:b&state=failed`, /queue "a:b" is not a BullMQ queue name \(no spaces or ':'/],
      [`${jobs()}/queues?queue=${encodeURIComponent('two words')}`, /queue "two words" is not a BullMQ queue name/],
      [`${jobs()}/progress?limit=5000`, /limit must be a whole number from 1 to 1000/],
      [`${jobs()}/schedules?limit=x`, /limit must be a whole number/],
    ];
    for (const [path, message] of cases) {
      const answer = await api.request(path);
      expect(answer.status, path).toBe(400);
      expect(answer.body.error.code).toBe('bad_request');
      expect(answer.body.error.message, path).toMatch(message);
    }
  });

  it('answers 404 for an unknown connection, and 401 without a token', async () => {
    for (const view of ['queues', 'workers', 'jobs?queue=q&state=failed', 'schedules', 'progress']) {
      const answer = await api.request(`${jobs('nope')}/${view}`);
      expect(answer.status, view).toBe(404);
      expect(answer.body.error.message).toBe('no job connection "nope": the connections are the redis monitors of the configuration, listed at /api/v1/jobs');
      expect((await api.request(`${jobs()}/${view}`, { token: 'none' })).status).toBe(401);
    }
  });
});

describe('retrying and removing a failed job', () => {
  const action = (queue: string, id: string, verb: 'retry' | 'remove', token?: 'read' | 'write' | 'none', connection = 'shop-redis') =>
    api.request(
      `${jobs(connection)}/queues/${encodeURIComponent(queue)}/jobs/${encodeURIComponent(id)}${verb === 'retry' ? '/retry' : ''}`,
      { method: verb === 'retry' ? 'POST' : 'DELETE', ...(token ? { token } : {}) },
    );

  it('retries a failed job: the worker runs it again, and this time it succeeds', async () => {
    const answer = await action(emails.name, 'flaky-1', 'retry');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ connection: 'shop-redis', queue: emails.name, id: 'flaky-1', state: expect.stringMatching(/^(waiting|active|completed)$/) });
    await until(async () => (await emails.getJobState('flaky-1')) === 'completed');
    expect(attempts.get('flaky-1')).toBe(2);
    const completed = await api.request(`${jobs()}/jobs?queue=${emails.name}&state=completed`);
    expect(completed.body.jobs.find((j: any) => j.id === 'flaky-1')).toMatchObject({ state: 'completed', attempts: 2 });
    // Completed now: not failed, so not retried again.
    const again = await action(emails.name, 'flaky-1', 'retry');
    expect(again.status).toBe(409);
    expect(again.body.error).toEqual({
      code: 'conflict',
      message: `job "flaky-1" of queue "${emails.name}" is completed, not failed: only a failed job can be retried`,
    });
  });

  it('removes a failed job (204), then it is gone (404)', async () => {
    const answer = await action(emails.name, 'bad-1', 'remove');
    expect(answer.status).toBe(204);
    expect(await emails.getJob('bad-1')).toBeUndefined();
    const failed = await api.request(`${jobs()}/jobs?queue=${emails.name}&state=failed`);
    expect(failed.body.jobs.map((j: any) => j.id)).not.toContain('bad-1');
    const again = await action(emails.name, 'bad-1', 'remove');
    expect(again.status).toBe(404);
    expect(again.body.error.message).toBe(`no job "bad-1" in queue "${emails.name}"`);
  });

  it('refuses jobs that are not failed (409), missing ones (404) and unknown connections (404)', async () => {
    const active = await action(emails.name, 'hold-1', 'remove');
    expect(active.status).toBe(409);
    expect(active.body.error.message).toBe(`job "hold-1" of queue "${emails.name}" is active, not failed: only a failed job can be removed`);
    expect((await emails.getJobState('hold-1'))).toBe('active');
    const delayed = await action(emails.name, 'later-1', 'retry');
    expect(delayed.status).toBe(409);
    expect(delayed.body.error.message).toContain('is delayed, not failed');
    expect((await action(emails.name, 'no-such-job', 'retry')).status).toBe(404);
    expect((await action('no-such-queue', 'bad-1', 'retry')).status).toBe(404);
    const unknown = await action(emails.name, 'flaky-1', 'retry', undefined, 'nope');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toMatch(/^no job connection "nope"/);
    expect((await action('a:b', 'x', 'remove')).status).toBe(400);
  });

  it('needs a write token: 403 for a read token, 401 without one', async () => {
    for (const verb of ['retry', 'remove'] as const) {
      const read = await action(emails.name, 'later-1', verb, 'read');
      expect(read.status, verb).toBe(403);
      expect(read.body.error.code).toBe('forbidden');
      expect((await action(emails.name, 'later-1', verb, 'none')).status).toBe(401);
    }
    expect(await emails.getJobState('later-1')).toBe('delayed');
  });
});

describe('a Redis that is down or hung', () => {
  const paths = (connection: string) => [
    { path: `${jobs(connection)}/queues`, method: 'GET' },
    { path: `${jobs(connection)}/workers`, method: 'GET' },
    { path: `${jobs(connection)}/jobs?queue=emails&state=failed`, method: 'GET' },
    { path: `${jobs(connection)}/schedules`, method: 'GET' },
    { path: `${jobs(connection)}/progress`, method: 'GET' },
    { path: `${jobs(connection)}/queues/emails/jobs/1/retry`, method: 'POST' },
    { path: `${jobs(connection)}/queues/emails/jobs/1`, method: 'DELETE' },
  ];

  it('down (connection refused): 502 redis_unavailable naming the server, never the password', async () => {
    for (const { path, method } of paths('down')) {
      const answer = await fastApi.request(path, { method });
      expect(answer.status, `${method} ${path}`).toBe(502);
      expect(answer.body.error).toEqual({
        code: 'redis_unavailable',
        message: `cannot connect to Redis at redis://:***@127.0.0.1:${downPort}: connection refused (is Redis running there?)`,
      });
      expect(answer.text).not.toContain(DOWN_PASSWORD);
    }
  });

  it('hung (accepts the connection, never answers): 502 once the deadline passes, never the password, connection closed', async () => {
    for (const { path, method } of paths('hung')) {
      const started = performance.now();
      const answer = await fastApi.request(path, { method });
      const elapsed = performance.now() - started;
      expect(answer.status, `${method} ${path}`).toBe(502);
      expect(answer.body.error.code).toBe('redis_unavailable');
      expect(answer.body.error.message).toBe(
        `Redis at redis://127.0.0.1:${hung.port} did not answer within 400ms (is it overloaded, or is something other than Redis listening there?)`,
      );
      expect(answer.text).not.toContain(HUNG_PASSWORD);
      expect(elapsed, `${method} ${path}`).toBeGreaterThanOrEqual(SHORT_DEADLINE_MS - 20);
      expect(elapsed, `${method} ${path}`).toBeLessThan(SHORT_DEADLINE_MS + 2000);
    }
    expect(hung.accepted()).toBe(7);
    // Each request closed the connection it opened.
    await until(() => hung.unclosed() === 0, 2000);
  });
});

describe('jobConnectionsOf', () => {
  const load = (yaml: string) => parseConfigSources([{ file: 'vigil.yaml', text: yaml }], { env: { REDIS_PASSWORD: 's3cret' } }).config;

  it('makes one connection per redis monitor, with its prefix (default bull) and password', () => {
    const config = load(`
monitors:
  - name: Queues
    type: redis
    url: redis://10.0.0.5:6379/1
    password: \${REDIS_PASSWORD}
    bullmq_prefix: shop
  - name: Shop API
    type: http
    url: https://shop.example.com/health
  - name: Cache
    type: redis
    url: redis://cache.internal:6379
`);
    expect(jobConnectionsOf(config)).toEqual([
      { id: 'queues', name: 'Queues', url: 'redis://10.0.0.5:6379/1', password: 's3cret', prefix: 'shop' },
      { id: 'cache', name: 'Cache', url: 'redis://cache.internal:6379', prefix: 'bull' },
    ]);
  });

  it('refuses a bullmq_prefix with spaces', () => {
    expect(() =>
      load(`
monitors:
  - name: Queues
    type: redis
    url: redis://10.0.0.5:6379
    bullmq_prefix: two words
`),
    ).toThrow(ConfigError);
  });
});

describe('vigil serve', () => {
  it('serves the jobs of its redis monitors, with their bullmq_prefix', async () => {
    const dir = await tempDir('jobs-api');
    try {
      const file = await writeConfig(
        dir.dir,
        `
monitors:
  - name: Shop Redis
    type: redis
    url: ${REDIS_URL}
    bullmq_prefix: ${prefix}
    interval: 1h
`,
      );
      const running = await startMonitor({ config: [file], port: '0', data: dir.dir, logFormat: 'pretty' }, { env: {}, logDestination: { write: () => {} } });
      try {
        const { token } = await createApiToken(running.store, 'reader', { scope: 'read' });
        const get = async (path: string) => {
          const response = await fetch(`${running.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
          return { status: response.status, body: (await response.json()) as any };
        };
        expect((await get('/api/v1/jobs')).body).toEqual({
          connections: [{ id: 'shop-redis', name: 'Shop Redis', target: REDIS_URL, prefix }],
        });
        const queues = await get(`/api/v1/jobs/shop-redis/queues?queue=${emails.name}`);
        expect(queues.status).toBe(200);
        expect(queues.body.queues[0]).toMatchObject({ name: emails.name, exists: true });
      } finally {
        await running.stop();
      }
    } finally {
      await dir.remove();
    }
  });
});
