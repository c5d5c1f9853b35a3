/**
 * The crash test of the check pipeline, for either store: `vigil serve` (the built CLI, a real process) watches a
 * target that alternates up and down, and a heartbeat pinged alternately with success and failure, while it is
 * killed with `kill -9` at random moments and started again. Afterwards the store must agree with itself:
 *
 * - replaying the state machine over each monitor's stored results gives exactly the stored state changes (no
 *   change missing, none extra), numbered 1, 2, 3… without gap or repeat, and exactly the stored incidents (no
 *   duplicate, none missing, none open while the monitor is up), and the stored state is the last change's;
 * - every ping that was answered `OK` is stored;
 * - alerting (every monitor alerts at its first failure and resolves at its first pass, to a webhook receiver that
 *   answers slowly, so that kills land between a commit and its delivery and in the middle of sends): the outbox
 *   holds exactly the notifications the replay gives — no gap, no duplicate — all delivered in the end, and the
 *   receiver got every idempotency key, and no other (a key it got twice is the documented at-least-once send,
 *   which the key lets it drop).
 *
 * This holds because a result that changes a monitor's state is committed with the state, the incident and the
 * event in one transaction, after every result of that monitor taken before it: what survives a crash is always a
 * prefix of each monitor's results, and the state stored is the state after that prefix.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { expect } from 'vitest';
import type { CheckResult, Incident, MonitorRuntimeState, StateChangeEvent } from '../../src/model.js';
import { nextState } from '../../src/pipeline/state-machine.js';
import type { Store } from '../../src/store/store.js';
import { CLI } from '../support.js';
import { writeConfig } from '../service/harness.js';

export interface CrashRun {
  /** Target flips seen (up → down or down → up). */
  flips: number;
  kills: number;
  /** Idempotency keys of the notifications the receiver got, each as often as it got it. */
  received: string[];
  /** Pings answered OK (each must be stored). */
  acknowledgedPings: number;
  /** Pings answered OK, by the number in their body, with what they said. */
  acknowledged: ReadonlyMap<number, 'success' | 'fail'>;
  monitors: ReadonlyArray<{ id: string; retries: number }>;
}

export interface CrashOptions {
  /** A directory for the configuration (and the SQLite database). */
  dir: string;
  /** `storage:` of the configuration. */
  storage: string;
  /** The target alternates at least this many times. */
  flips: number;
  /** And the server is killed at least this many times (a slow machine starts it more slowly: the loop goes on). */
  kills: number;
  flipEveryMs: number;
  /** Random time the server runs before it is killed. */
  killAfterMs: readonly [number, number];
  random?: () => number;
}

const PING_KEY = 'crash-test-ping-key-0001';

/** Every monitor alerts at its first failure and resolves at its first pass: as many notifications as can be. */
const ALERT_RULE = { failureThreshold: 1, successThreshold: 1, sendResolved: true, remindEveryMs: 0, onDegraded: false };

/** A webhook receiver that answers after 0–300 ms, recording each notification's idempotency key. */
async function slowReceiver(random: () => number) {
  const received: string[] = [];
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      received.push(String(req.headers['idempotency-key']));
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('ok');
      }, random() * 300);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A target that answers 200 or 503, switching every `everyMs`. */
async function flippingTarget(everyMs: number) {
  let up = true;
  let flips = 0;
  const server = http.createServer((_req, res) => {
    res.writeHead(up ? 200 : 503, { 'content-type': 'text/plain' });
    res.end(up ? 'up' : 'down');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const timer = setInterval(() => {
    up = !up;
    flips++;
  }, everyMs);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get flips() {
      return flips;
    },
    /** Stops flipping and stays up. */
    settle() {
      clearInterval(timer);
      up = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        clearInterval(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function configYaml(options: CrashOptions, targetUrl: string, monitors: CrashRun['monitors'], hookUrl: string): string {
  const lines = [
    'alerts:',
    `  channels: { hook: { type: webhook, url: "${hookUrl}" } }`,
    '  routes: { critical: [hook] }',
    '  per_channel_per_minute: 100000',
    '  send_timeout: 1s',
    `  defaults: { failure_threshold: ${ALERT_RULE.failureThreshold}, success_threshold: ${ALERT_RULE.successThreshold} }`,
    // A status page incident drafted and resolved by Vigil for each incident of the (public) http monitors.
    'status_incidents: { auto: publish }',
    `storage: ${options.storage}`,
    'defaults:',
    '  interval: 1s',
    '  timeout: 400ms',
    // The test reads the states from /metrics without a token.
    'metrics: { public: all }',
    'monitors:',
  ];
  for (const monitor of monitors) {
    lines.push(`  - name: ${monitor.id}`, `    type: http`, `    url: ${targetUrl}/${monitor.id}`, `    retries: ${monitor.retries}`, '    public: true');
  }
  lines.push(
    '  - name: nightly',
    '    type: heartbeat',
    `    ping_key: ${PING_KEY}`,
    '    schedule: { period: 1h, grace: 10m }',
  );
  return `${lines.join('\n')}\n`;
}

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

/** Starts `vigil serve`; retries while the previous instance's hold on the store has not been let go yet. */
async function serve(configFile: string, dataDir: string): Promise<Server> {
  for (let attempt = 0; ; attempt++) {
    const child = spawn(process.execPath, [CLI, 'serve', '--config', configFile, '--port', '0', '--data', dataDir, '--log-format', 'json'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, VIGIL_PORT: '', VIGIL_HOST: '', VIGIL_CONFIG: '', VIGIL_LOG_LEVEL: 'info' },
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let output = '';
    const url = await new Promise<string | undefined>((resolve) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        const match = /"event":"listening","url":"(http:\/\/[^"]+)"/.exec(output);
        if (match) resolve(match[1]);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then(() => resolve(undefined));
      setTimeout(() => resolve(undefined), 20_000).unref();
    });
    if (url !== undefined) return { child, url, exited };
    child.kill('SIGKILL');
    await exited;
    if (!/another vigil serve is already using/.test(output) || attempt >= 50) {
      throw new Error(`vigil serve did not start:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Runs the crash loop; returns what happened, for `checkConsistency`. */
export async function crashLoop(options: CrashOptions): Promise<CrashRun> {
  const random = options.random ?? Math.random;
  const monitors = [
    { id: 'a', retries: 0 },
    { id: 'b', retries: 0 },
    { id: 'c', retries: 1 },
    { id: 'd', retries: 2 },
  ];
  const target = await flippingTarget(options.flipEveryMs);
  const receiver = await slowReceiver(random);
  const configFile = await writeConfig(options.dir, configYaml(options, target.url, monitors, receiver.url));
  let kills = 0;
  let acknowledgedPings = 0;
  /** Each ping's body is `ping <n>`: the ones answered OK, by number, with what they said. */
  const acknowledged = new Map<number, 'success' | 'fail'>();
  let sent = 0;
  let current: Server | undefined;
  let pinging = true;
  let success = true;
  // Pings sent all along: some reach a server that is about to die, some a port that is closed.
  const pinger = (async () => {
    while (pinging) {
      const url = current?.url;
      if (url !== undefined) {
        success = !success;
        sent += 1;
        const n = sent;
        try {
          const response = await fetch(`${url}/ping/${PING_KEY}${success ? '' : '/fail'}`, {
            method: 'POST',
            body: `ping ${n}`,
            signal: AbortSignal.timeout(2000),
          });
          if (response.status === 200 && (await response.text()) === 'OK') {
            acknowledgedPings++;
            acknowledged.set(n, success ? 'success' : 'fail');
          }
        } catch {
          // Killed mid-request: not acknowledged, so not promised.
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  })();
  try {
    while (target.flips < options.flips || kills < options.kills) {
      current = await serve(configFile, options.dir);
      const [low, high] = options.killAfterMs;
      await new Promise((resolve) => setTimeout(resolve, low + random() * (high - low)));
      current.child.kill('SIGKILL');
      await current.exited;
      current = undefined;
      kills++;
    }
    // Last run: the target stays up; every monitor must end up healthy with no incident open.
    target.settle();
    current = await serve(configFile, options.dir);
    const url = current.url;
    const deadline = Date.now() + 20_000;
    for (;;) {
      const states = await monitorStates(url);
      if (monitors.every((m) => states.get(m.id) === 'healthy')) break;
      if (Date.now() > deadline) throw new Error(`monitors not healthy at the end: ${JSON.stringify([...states])}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    pinging = false;
    await pinger;
    // Every notification delivered (a failed send waits out its backoff: a few seconds at most here).
    const drained = Date.now() + 60_000;
    while ((await pendingNotifications(url)) > 0) {
      if (Date.now() > drained) throw new Error('notifications still pending at the end');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // Every status page incident Vigil drafted is resolved (all monitors are up).
    const resolved = Date.now() + 20_000;
    while ((await openStatusIncidents(url)) > 0) {
      if (Date.now() > resolved) throw new Error('status page incidents still open at the end');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    current.child.kill('SIGKILL');
    await current.exited;
    current = undefined;
    return { flips: target.flips, kills, received: [...receiver.received], acknowledgedPings, acknowledged, monitors };
  } finally {
    pinging = false;
    await pinger;
    if (current) {
      current.child.kill('SIGKILL');
      await current.exited;
    }
    await target.close();
    await receiver.close();
  }
}

/** Status page incidents not resolved, from the API. */
async function openStatusIncidents(url: string): Promise<number> {
  const response = await fetch(`${url}/api/v1/status-incidents?limit=1000`);
  const body = (await response.json()) as { incidents: Array<{ status: string }> };
  return body.incidents.filter((incident) => incident.status !== 'resolved').length;
}

/** Notifications waiting to be delivered, from the server's /metrics. */
async function pendingNotifications(url: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Number(/^vigil_notifications_pending (\d+)$/m.exec(text)?.[1] ?? Number.NaN);
}

/** Monitor states from the server's /metrics (every monitor: the configuration says `metrics.public: all`). */
async function monitorStates(url: string): Promise<Map<string, string>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const states = new Map<string, string>();
  for (const match of text.matchAll(/^vigil_monitor_status\{monitor="([^"]+)",type="[^"]+",status="([^"]+)"\} 1$/gm)) {
    states.set(match[1]!, match[2]!);
  }
  return states;
}

/** The incidents and changes a replay of the state machine over `results` gives. */
function replay(monitorId: string, retries: number, results: readonly CheckResult[]) {
  let state: MonitorRuntimeState | undefined;
  const changes: Array<{ seq: number; from: string; to: string; at: number }> = [];
  const incidents: Array<{ status: string; startedAt: number; endedAt?: number }> = [];
  const excused: Array<{ at: number; excused: boolean }> = [];
  const alerts: Array<{ seq: number; kind: string }> = [];
  for (const result of results) {
    const step = nextState(state, { monitorId, location: 'local', status: result.status, at: result.at, retries, alerting: ALERT_RULE });
    if (step.alert) alerts.push({ seq: step.alert.seq, kind: step.alert.kind });
    if (step.change) changes.push({ seq: step.change.seq, from: step.change.from, to: step.change.to, at: step.change.at });
    if (step.closeIncidentId !== undefined) {
      const open = incidents.at(-1);
      if (open) open.endedAt = result.at;
    }
    if (step.openIncident) {
      incidents.push({ status: step.openIncident.status, startedAt: result.at });
      step.state.openIncidentId = incidents.length;
    }
    excused.push({ at: result.at, excused: step.excused !== undefined });
    state = step.state;
  }
  return { changes, incidents, excused, alerts, state };
}

/** Everything the store says agrees with everything else it says (see the file's comment). */
export async function checkConsistency(
  store: Store,
  run: CrashRun,
): Promise<{ changes: number; incidents: number; notifications: number; resent: number }> {
  const events = await store.events({ after: 0, limit: 1_000_000 });
  const states = await store.runtimeStates('local');
  let changes = 0;
  let incidentsSeen = 0;
  const outboxKeys: string[] = [];
  for (const { id, retries } of [...run.monitors, { id: 'nightly', retries: 0 }]) {
    const results = (await store.latestResults(id, 1_000_000)).reverse();
    const mine = events.filter((event: StateChangeEvent) => event.monitorId === id);
    const derived = replay(id, retries, results);
    // The changes: those the results give, no more, no fewer, numbered without gaps.
    expect(mine.map((e) => ({ seq: e.seq, from: e.from, to: e.to, at: e.at })), `changes of ${id}`).toEqual(derived.changes);
    expect(mine.map((e) => e.seq), `sequence of ${id}`).toEqual(mine.map((_, i) => i + 1));
    // Each change names the result that caused it (stored in the same transaction).
    for (const event of mine) expect(results.some((r) => r.at === event.resultAt), `result of change ${event.seq} of ${id}`).toBe(true);
    // The incidents: exactly the replay's, none open but the last (and only while not up).
    const incidents = (await store.incidents({ monitorId: id, limit: 1_000_000 })).reverse();
    expect(
      incidents.map((i: Incident) => ({ status: i.status, startedAt: i.startedAt, ...(i.endedAt !== undefined ? { endedAt: i.endedAt } : {}) })),
      `incidents of ${id}`,
    ).toEqual(derived.incidents);
    expect(incidents.filter((i) => i.endedAt === undefined).length, `open incidents of ${id}`).toBe(
      derived.state?.state === 'unhealthy' || derived.state?.state === 'degraded' ? 1 : 0,
    );
    // A failed check with retries left is stored as excused (not downtime); one that went down is not.
    expect(results.map((r) => ({ at: r.at, excused: r.excused !== undefined })), `excused results of ${id}`).toEqual(derived.excused);
    // The stored state is the state after the stored results.
    const stored = states.get(id);
    expect(stored?.state, `state of ${id}`).toBe(derived.state?.state);
    expect(stored?.seq, `seq of ${id}`).toBe(mine.length);
    if (stored?.openIncidentId !== undefined) {
      expect(incidents.find((i) => i.id === stored.openIncidentId)?.endedAt, `open incident of ${id}`).toBeUndefined();
    }
    // The notifications: exactly those the replay gives, numbered without gaps, each delivered.
    const notifications = (await store.notifications({ monitorId: id, limit: 1_000_000 })).reverse();
    expect(notifications.map((n) => ({ seq: n.alertSeq, kind: n.kind })), `notifications of ${id}`).toEqual(derived.alerts);
    expect(notifications.filter((n) => n.status !== 'delivered').map((n) => n.idempotencyKey), `undelivered of ${id}`).toEqual([]);
    expect(stored?.alert?.seq ?? 0, `alert number of ${id}`).toBe(derived.alerts.length);
    outboxKeys.push(...notifications.map((n) => n.idempotencyKey));
    changes += mine.length;
    incidentsSeen += incidents.length;
  }
  // Status page incidents: exactly one drafted per incident of a public monitor (none lost, none twice, whatever
  // the kills), each resolved since its incident ended; none for the heartbeat, which is not public.
  const drafted = await store.statusIncidents({ limit: 1_000_000 });
  const bySource = new Map(drafted.map((incident) => [incident.sourceIncidentId, incident]));
  expect(bySource.size, 'one status incident per source').toBe(drafted.length);
  const sources: number[] = [];
  for (const { id } of run.monitors) sources.push(...(await store.incidents({ monitorId: id, limit: 1_000_000 })).map((incident) => incident.id));
  expect([...bySource.keys()].sort((a, b) => (a ?? 0) - (b ?? 0)), 'status incidents drafted').toEqual(sources.sort((a, b) => a - b));
  expect(drafted.filter((incident) => incident.status !== 'resolved').map((incident) => incident.id), 'status incidents left open').toEqual([]);
  // The receiver got every key the outbox holds, and nothing else: exactly once per key, once it drops repeats.
  expect(new Set(outboxKeys).size, 'idempotency keys are unique').toBe(outboxKeys.length);
  expect([...new Set(run.received)].sort(), 'keys the receiver got').toEqual([...outboxKeys].sort());
  const resent = run.received.length - outboxKeys.length;
  // The http monitors ended up (the last run waited for it): nothing open.
  for (const { id } of run.monitors) {
    expect(states.get(id)?.state).toBe('healthy');
    expect(states.get(id)?.openIncidentId).toBeUndefined();
  }
  // Every ping answered OK was stored before it was answered.
  const pings = (await store.latestResults('nightly', 1_000_000)).filter((r) => r.kind === 'ping');
  expect(pings.length).toBeGreaterThanOrEqual(run.acknowledgedPings);
  // The ping log (its last 100): in order, none twice, and every ping answered OK since its oldest entry is there,
  // with what it said. A ping cut off by a kill may be logged too (its answer was lost, not its log line).
  const log = await store.recentPings('nightly', 1000);
  expect(log.length).toBeLessThanOrEqual(100);
  expect(log.length, 'pings logged').toBeGreaterThanOrEqual(Math.min(100, run.acknowledged.size));
  const numbers = log.map((ping) => Number(/^ping (\d+)$/.exec(ping.body ?? '')?.[1]));
  expect(numbers.every((n, i) => Number.isInteger(n) && (i === 0 || n < (numbers[i - 1] ?? 0))), `ping log order: ${numbers.join(' ')}`).toBe(true);
  const oldest = Math.min(...numbers);
  const logged = new Map(log.map((ping, i) => [numbers[i], ping.kind]));
  for (const [n, kind] of run.acknowledged) {
    if (n >= oldest) expect(logged.get(n), `ping ${n} answered OK`).toBe(kind);
  }
  return { changes, incidents: incidentsSeen, notifications: outboxKeys.length, resent };
}

export const SQLITE_FILE = (dir: string) => path.join(dir, 'vigil.db');

/**
 * The whole test for one store: the crash loop (200 flips of the target, killed with -9 at random moments), then
 * the store, opened by `open` once every process is dead, checked for consistency.
 */
export async function crashTest(dir: string, storage: string, open: () => Promise<Store>): Promise<void> {
  const run = await crashLoop({ dir, storage, flips: 200, kills: 10, flipEveryMs: 250, killAfterMs: [200, 3000] });
  expect(run.flips).toBeGreaterThanOrEqual(200);
  expect(run.kills).toBeGreaterThanOrEqual(10);
  const store = await open();
  try {
    const { changes, incidents, notifications, resent } = await checkConsistency(store, run);
    // The loop did what it is for: many state changes, incidents and notifications, many crashes between them.
    expect(changes).toBeGreaterThanOrEqual(100);
    expect(incidents).toBeGreaterThanOrEqual(20);
    expect(notifications).toBeGreaterThanOrEqual(50);
    console.info(`crash test (${storage}): ${run.kills} kills, ${changes} changes, ${incidents} incidents, ${notifications} notifications, ${resent} sent again after a crash`);
    expect(run.acknowledgedPings).toBeGreaterThanOrEqual(20);
  } finally {
    await store.close();
  }
}
