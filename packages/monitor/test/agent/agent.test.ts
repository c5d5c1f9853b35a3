/**
 * `vigil agent` against a real `vigil serve` (SQLite), both the built CLI in processes of their own, checking local
 * HTTP targets every second:
 *
 * - an agent runs the monitors assigned to its location and only those; its results are stored under its location
 *   and go through the check pipeline there (state changes, incidents); the server no longer checks a monitor whose
 *   `locations` leave its own out;
 * - an agent token can do nothing else (every other route 403, /metrics and the dashboard sign-in included), a read
 *   token cannot send results, a result for a monitor not assigned to the location is refused, naming it; an agent
 *   whose token is refused, or whose settings are wrong, stops saying why, never showing its token;
 * - an agent cut off from its server for a minute loses no result: one per second, none twice, in order; an agent
 *   killed with `kill -9` while it buffers loses at most its last second, and sends the rest once started again.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeConfig } from '../service/harness.js';
import { agent, createToken, launch, type Proc, serve, storedResults, type StoredResult, tcpProxy, until } from './processes.js';

const INTERVAL_MS = 1000;

let dir: string;
let configFile: string;
let server: Proc & { url: string };
let tokens: { agent: string; read: string; write: string; admin: string };
const targets: http.Server[] = [];
/** Requests the targets got, by path. */
const hits = new Map<string, number>();
/** The flaky target answers 503 until this is set. */
let flakyUp = false;

async function target(): Promise<string> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const up = path !== '/flaky' || flakyUp;
    res.writeHead(up ? 200 : 503, { 'content-type': 'text/plain' }).end(up ? 'ok' : 'down');
  });
  targets.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/**
 * One result per interval, none missing, none twice, in order. A check starts a little after its slot (how late
 * depends on the machine's load), so times are compared by slot: every gap under two intervals, and as many
 * results as slots from the first to the last.
 */
function expectEveryInterval(results: readonly StoredResult[], label: string): void {
  const gaps = results.slice(1).map((result, i) => ({ from: new Date((results[i] as StoredResult).at).toISOString(), gap: result.at - (results[i] as StoredResult).at }));
  expect(gaps.filter(({ gap }) => gap <= 0 || gap >= INTERVAL_MS * 1.9), `${label}: results twice, out of order, or a slot missing`).toEqual([]);
  const span = (results.at(-1)?.at ?? 0) - (results[0]?.at ?? 0);
  expect(results.length, `${label}: one result per slot`).toBe(Math.round(span / INTERVAL_MS) + 1);
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'vigil-agent-'));
  const url = await target();
  configFile = await writeConfig(
    dir,
    `
location: home
defaults: { interval: 1s, timeout: 800ms }
monitors:
  - name: Flaky
    type: http
    url: ${url}/flaky
    locations: [eu-west]
  - name: Everywhere
    type: http
    url: ${url}/everywhere
    locations: [home, eu-west]
  - name: Home only
    type: http
    url: ${url}/home-only
  - name: Steady
    type: http
    url: ${url}/steady
    locations: [us-east]
  - name: Pulse
    type: http
    url: ${url}/pulse
    headers: { X-Api-Key: pulse-secret-key }
    locations: [ap-south]
`,
  );
  server = await serve(configFile, dir);
  const [agentToken, read, write, admin] = await Promise.all([
    createToken(configFile, dir, 'agent-eu-west', 'agent'),
    createToken(configFile, dir, 'reader', 'read'),
    createToken(configFile, dir, 'writer', 'write'),
    createToken(configFile, dir, 'admin', 'admin'),
  ]);
  tokens = { agent: agentToken, read, write, admin };
}, 60_000);

afterAll(async () => {
  await server?.stop();
  for (const target of targets) {
    target.closeAllConnections();
    await new Promise((resolve) => target.close(resolve));
  }
  await rm(dir, { recursive: true, force: true });
});

describe('vigil agent', () => {
  it('runs the monitors of its location; its results go through the pipeline there: states, incidents', async () => {
    const euWest = agent({ server: server.url, token: tokens.agent, location: 'eu-west', buffer: path.join(dir, 'buffer-eu-west') });
    try {
      const [, listed] = await euWest.waitFor(/"event":"monitors","location":"eu-west","monitors":(\[[^\]]*\])/);
      expect(JSON.parse(listed as string)).toEqual(['everywhere', 'flaky']);
      // Down for a few checks, then up: the pipeline of eu-west opens an incident and closes it.
      await until('flaky down from eu-west', () => storedResults(server.url, tokens.read, 'flaky', 'eu-west'), (r) => r.length >= 3);
      flakyUp = true;
      await until('flaky up again', () => storedResults(server.url, tokens.read, 'flaky', 'eu-west'), (r) => r.at(-1)?.status === 'healthy');
      const events = (await (await fetch(`${server.url}/api/v1/events?monitor=flaky`, { headers: { Authorization: `Bearer ${tokens.read}` } })).json()) as {
        events: Array<{ location: string; from: string; to: string; incident: number | null }>;
      };
      expect(events.events.map(({ location, from, to }) => [location, from, to])).toEqual([
        ['eu-west', 'new', 'unhealthy'],
        ['eu-west', 'unhealthy', 'healthy'],
      ]);
      const incidents = (await (await fetch(`${server.url}/api/v1/incidents?monitor=flaky`, { headers: { Authorization: `Bearer ${tokens.read}` } })).json()) as {
        incidents: Array<{ id: number; status: string; ended_at: string | null }>;
      };
      expect(incidents.incidents).toHaveLength(1);
      expect(incidents.incidents[0]).toMatchObject({ id: events.events[0]?.incident, status: 'unhealthy', ended_at: expect.any(String) });

      // Flaky is checked from eu-west only; Everywhere from both; Home only by the server alone.
      expect(await storedResults(server.url, tokens.read, 'flaky', 'home')).toEqual([]);
      await until('everywhere from both places', () => storedResults(server.url, tokens.read, 'everywhere', 'eu-west'), (r) => r.length >= 2);
      expect((await storedResults(server.url, tokens.read, 'everywhere', 'home')).length).toBeGreaterThan(0);
      expect((await storedResults(server.url, tokens.read, 'home-only', 'home')).length).toBeGreaterThan(0);
      expect(await storedResults(server.url, tokens.read, 'home-only', 'eu-west')).toEqual([]);

      // SIGTERM: it stops checking, sends what it holds, exits 0 with an empty buffer.
      expect(await euWest.stop('SIGTERM')).toBe(0);
      expect(euWest.output()).toMatch(/"event":"stopped","buffered":0/);
      expect((await readdir(path.join(dir, 'buffer-eu-west'))).filter((name) => name.endsWith('.jsonl'))).toEqual([]);
      expect(euWest.output()).not.toContain(tokens.agent);
    } finally {
      await euWest.stop('SIGKILL');
    }
  }, 60_000);

  it('an agent token can do nothing else; a read token cannot send results; a monitor not assigned is refused', async () => {
    const call = (method: string, route: string, token: string, body?: unknown, headers: Record<string, string> = {}) =>
      fetch(`${server.url}${route}`, {
        method,
        headers: { Authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    // Everything else, reads, writes and /metrics included: 403, saying what the token is for.
    for (const [method, route, body] of [
      ['GET', '/api/v1/monitors'],
      ['GET', '/api/v1/monitors/flaky/results'],
      ['GET', '/api/v1/openapi.json'],
      ['POST', '/api/v1/monitors', { type: 'http', name: 'X', url: 'http://127.0.0.1:1/' }],
      ['POST', '/api/v1/monitors/flaky/pause'],
      ['GET', '/api/v1/tokens'],
      ['GET', '/metrics'],
    ] as const) {
      const response = await call(method, route, tokens.agent, body);
      expect(response.status, `${method} ${route}`).toBe(403);
      expect(await response.text(), `${method} ${route}`).toContain('has scope agent, which may only fetch the monitors of its location and send their results');
    }
    // Nor the dashboard.
    const form = await fetch(`${server.url}/admin/login`);
    const loginToken = /name="_login" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const cookie = (form.headers.get('set-cookie') ?? '').split(';')[0] as string;
    const signIn = await fetch(`${server.url}/admin/login`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _login: loginToken, next: '/admin', token: tokens.agent }).toString(),
    });
    expect(signIn.status).toBe(403);
    expect(await signIn.text()).toContain('This token has scope agent');
    expect(signIn.headers.get('set-cookie') ?? '').not.toContain('vigil_session');

    // The agent endpoints: agent and admin tokens; read and write tokens are refused.
    for (const token of [tokens.read, tokens.write]) {
      expect((await call('GET', '/api/v1/agent/monitors?location=eu-west', token)).status).toBe(403);
      const sent = await call('POST', '/api/v1/results', token, { location: 'eu-west', results: [] });
      expect(sent.status).toBe(403);
      expect(await sent.text()).toContain('needs a token with scope agent (or admin)');
    }
    const listed = await call('GET', '/api/v1/agent/monitors?location=ap-south', tokens.admin);
    expect(listed.status).toBe(200);
    const body = (await listed.json()) as { monitors: Array<{ id: string; config: { headers?: Record<string, string> } }> };
    // Secrets included: the agent runs the monitor.
    expect(body.monitors.map((m) => [m.id, m.config.headers])).toEqual([['pulse', { 'X-Api-Key': 'pulse-secret-key' }]]);
    // Polling costs nothing while nothing changed.
    const etag = listed.headers.get('etag') as string;
    const again = await call('GET', '/api/v1/agent/monitors?location=ap-south', tokens.agent, undefined, { 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    expect((await call('GET', '/api/v1/agent/monitors?location=home', tokens.agent)).status).toBe(422);

    // Results: each must be of a monitor checked from the location (the refusal names which), none is stored then.
    const at = (offsetMs: number) => new Date(Date.now() - 60_000 + offsetMs).toISOString();
    const result = (monitor: string, offsetMs: number) => ({ monitor, at: at(offsetMs), status: 'healthy', latency_ms: 3 });
    const refused = await call('POST', '/api/v1/results', tokens.agent, { location: 'eu-west', results: [result('flaky', 0), result('home-only', 0), result('steady', 0)] });
    expect(refused.status).toBe(422);
    const refusal = (await refused.json()) as { error: { message: string; issues: Array<{ path: string; message: string }> } };
    expect(refusal.error.issues.map((issue) => issue.path)).toEqual(['results.1.monitor', 'results.2.monitor']);
    expect(refusal.error.message).toContain('monitor "home-only" is not checked from location "eu-west"');
    const own = await call('POST', '/api/v1/results', tokens.agent, { location: 'home', results: [result('home-only', 0)] });
    expect(own.status).toBe(422);
    expect(await own.text()).toContain("is this server's own");
    const unordered = await call('POST', '/api/v1/results', tokens.agent, { location: 'eu-west', results: [result('flaky', 2000), result('flaky', 1000)] });
    expect(unordered.status).toBe(422);

    // A batch sent twice (an unclear failure) is stored once: the second time, every result is skipped.
    const batch = { location: 'ap-south', results: [result('pulse', 0), result('pulse', 1000)] };
    expect(await (await call('POST', '/api/v1/results', tokens.agent, batch)).json()).toEqual({ accepted: 2, skipped: 0 });
    expect(await (await call('POST', '/api/v1/results', tokens.agent, batch)).json()).toEqual({ accepted: 0, skipped: 2 });
  }, 30_000);

  it('an agent whose token is refused stops at once, saying why, without showing the token', async () => {
    const refused = agent({ server: server.url, token: tokens.read, location: 'eu-west', buffer: path.join(dir, 'buffer-refused') });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain('refused the token (HTTP 403');
    expect(refused.output()).toContain('--scope agent');
    expect(refused.output()).not.toContain(tokens.read);
  }, 20_000);

  it('says what is missing or wrong in its settings, the token never shown', async () => {
    const bare = launch(['agent']);
    expect(await bare.exited).toBe(1);
    expect(bare.output()).toBe(
      'vigil: missing --server URL (or VIGIL_SERVER); --token TOKEN (or VIGIL_TOKEN), an agent token: vigil token create --name NAME --scope agent; --location NAME (or VIGIL_LOCATION), where this agent checks from\n',
    );
    const wrong = launch(['agent', '--server', 'ftp://vigil', '--location', 'eu-west'], { VIGIL_TOKEN: tokens.agent });
    expect(await wrong.exited).toBe(1);
    expect(wrong.output()).toContain('--server: expected an http:// or https:// URL');
    const small = agent({ server: server.url, token: tokens.agent, location: 'Eu West', buffer: path.join(dir, 'unused') });
    expect(await small.exited).toBe(1);
    expect(small.output()).toContain('--location: expected a location name like "eu-west"');
    expect(small.output() + wrong.output()).not.toContain(tokens.agent);
  }, 20_000);

  it(
    'an agent cut off from its server for a minute loses no result; kill -9 while it buffers loses at most its last second',
    async () => {
      // Both at once, each behind a proxy of its own: us-east cut off for 60 s, ap-south killed while cut off.
      await Promise.all([cutOffForAMinute(), killedWhileBuffering()]);
    },
    150_000,
  );
});

async function cutOffForAMinute(): Promise<void> {
  const proxy = await tcpProxy(server.url);
  const buffer = path.join(dir, 'buffer-us-east');
  const usEast = agent({ server: proxy.url, token: tokens.agent, location: 'us-east', buffer });
  try {
    const read = () => storedResults(server.url, tokens.read, 'steady', 'us-east');
    await until('steady checked from us-east', read, (r) => r.length >= 3);
    await proxy.cut();
    const cutAt = Date.now();
    await usEast.waitFor(/"event":"server_unreachable"/);
    await new Promise((resolve) => setTimeout(resolve, 60_000));
    // Nothing arrived meanwhile: it was all kept.
    expect((await read()).filter((result) => result.at > cutAt + 1000)).toEqual([]);
    await proxy.restore();
    const backAt = Date.now();
    const results = await until('the minute sent, and checks after it', read, (r) => (r.at(-1)?.at ?? 0) > backAt + 3000, 30_000);
    expect(usEast.output()).toMatch(/"event":"server_reachable"/);
    expect(results[0]?.at).toBeLessThan(cutAt - 2000);
    expectEveryInterval(results, 'us-east');
    expect(results.length).toBeGreaterThan(60);
    expect(await usEast.stop('SIGTERM')).toBe(0);
  } finally {
    await usEast.stop('SIGKILL');
    await proxy.close();
  }
}

async function killedWhileBuffering(): Promise<void> {
  const proxy = await tcpProxy(server.url);
  const buffer = path.join(dir, 'buffer-ap-south');
  const read = () => storedResults(server.url, tokens.read, 'pulse', 'ap-south');
  // The results test 2 sent for ap-south (a minute ago) are not this agent's.
  const before = (await read()).length;
  const first = agent({ server: proxy.url, token: tokens.agent, location: 'ap-south', buffer });
  let second: Proc | undefined;
  try {
    await until('pulse checked from ap-south', read, (r) => r.length >= before + 3);
    await proxy.cut();
    const cutAt = Date.now();
    await first.waitFor(/"event":"server_unreachable"/);
    // Results pile up on disk for a while; then the agent dies without a word.
    await new Promise((resolve) => setTimeout(resolve, 6000));
    expect((await readdir(buffer)).some((name) => name.endsWith('.jsonl'))).toBe(true);
    await first.stop('SIGKILL');
    const killedAt = Date.now();
    await proxy.restore();
    second = agent({ server: proxy.url, token: tokens.agent, location: 'ap-south', buffer });
    await second.waitFor(/"event":"buffer_found","results":(\d+)/);
    const restartedAt = Date.now();
    const results = (await until('the buffered results, then new ones', read, (r) => (r.at(-1)?.at ?? 0) > restartedAt + 3000)).slice(before);
    // None twice, in order; one a second before the kill and one a second after the restart. Between them a gap
    // as long as the restart took — or none: the agent starts in well under a second, and resumes from its last
    // stored check.
    const beforeKill = results.filter((result) => result.at <= killedAt);
    const afterRestart = results.filter((result) => result.at > killedAt);
    expectEveryInterval(beforeKill, 'ap-south before the kill');
    expectEveryInterval(afterRestart, 'ap-south after the restart');
    expect(afterRestart.length).toBeGreaterThan(0);
    expect((afterRestart[0] as StoredResult).at - (beforeKill.at(-1) as StoredResult).at).toBeGreaterThan(0);
    // …and what it lost is at most its last second (a flush period, and the check that was running then).
    const lastBeforeKill = beforeKill.at(-1)?.at ?? 0;
    expect(lastBeforeKill).toBeGreaterThan(cutAt);
    expect(killedAt - lastBeforeKill).toBeLessThan(2 * INTERVAL_MS + 500);
    expect(second.output()).not.toContain(tokens.agent);
    expect(await second.stop('SIGTERM')).toBe(0);
  } finally {
    await first.stop('SIGKILL');
    await second?.stop('SIGKILL');
    await proxy.close();
  }
}
