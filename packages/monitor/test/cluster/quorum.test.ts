/**
 * A monitor checked from three locations — this server (`local`) and two agents, whose results are sent to
 * `POST /api/v1/results` with an agent token as `vigil agent` sends them — with the default quorum (2 of 3): one
 * location failing alone shows it degraded, naming the location, and does not alert; two failing take it down
 * (one trigger, one incident); their recovery resolves it. The locations' own states are kept, and open no
 * incident of their own.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { agentResultJson } from '../../src/api/agent.js';
import { createApiToken } from '../../src/api/tokens.js';
import type { RunningMonitor } from '../../src/commands/serve.js';
import type { CheckResult } from '../../src/model.js';
import { QUORUM_LOCATION } from '../../src/pipeline/quorum.js';
import { tempDir } from '../support.js';
import { LocalServers, serveAlerting } from '../notify/servers.js';

let servers: LocalServers;
let dir: { dir: string; remove: () => Promise<void> };
let running: RunningMonitor | undefined;

beforeEach(async () => {
  servers = new LocalServers();
  dir = await tempDir('quorum');
});

afterEach(async () => {
  await running?.stop();
  running = undefined;
  await servers.closeAll();
  await dir.remove();
});

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('one location failing alone is shown degraded and does not alert; two take the monitor down and alert once', async () => {
  const triggers: Array<{ kind: string; location: string; cause?: string }> = [];
  const hook = await servers.receiver((_path, body: { kind: string; location: string; cause?: string }) => triggers.push(body));
  const target = await servers.listen((_req, res) => res.writeHead(200).end('ok'));
  running = await serveAlerting(
    dir.dir,
    [
      'alerts:',
      `  channels: { hook: { type: webhook, url: "${hook}/hook" } }`,
      '  routes: { critical: [hook] }',
      '  defaults: { failure_threshold: 1, success_threshold: 1 }',
      'status_incidents: { auto: publish }',
      'monitors:',
      '  - name: shop',
      '    type: http',
      `    url: ${target}/`,
      '    interval: 2s',
      '    timeout: 1s',
      '    locations: [local, eu-west, us-east]',
      '    public: true',
    ].join('\n'),
  );
  const { token } = await createApiToken(running.store, 'agents', { scope: 'agent' });
  const service = running.service;
  let at = Date.now();
  const send = async (location: string, status: CheckResult['status'], error?: string) => {
    at += 10;
    const result: CheckResult = { monitorId: 'shop', at, status, latencyMs: 12, location, ...(error ? { error } : {}) };
    const response = await fetch(`${running!.url}/api/v1/results`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ location, results: [agentResultJson(result)] }),
    });
    expect(response.status, await response.clone().text()).toBe(200);
  };
  const state = () => service.status('shop')?.state;

  await send('eu-west', 'healthy');
  await send('us-east', 'healthy');
  await until('healthy from all locations', () => (state() === 'healthy' ? true : undefined));
  await until('checked by this server too', () => (service.locationStates('shop').get('local')?.state === 'healthy' ? true : undefined));

  // One location down: degraded, naming it; no alert.
  await send('eu-west', 'unhealthy', 'connection refused');
  await until('degraded', () => (state() === 'degraded' ? true : undefined));
  expect(service.status('shop')?.runtime?.location).toBe(QUORUM_LOCATION);
  const events = await running.store.events({ after: 0, limit: 100, monitorId: 'shop' });
  const degraded = events.find((event) => event.location === QUORUM_LOCATION && event.to === 'degraded');
  expect(degraded?.reason).toContain('down from eu-west only');
  expect(degraded?.reason).toContain('connection refused');
  expect(service.locationStates('shop').get('eu-west')?.state).toBe('unhealthy');
  // The API shows the state at each location next to the one judged over all.
  const { token: reader } = await createApiToken(running.store, 'reader', { scope: 'read' });
  const shown = (await (await fetch(`${running.url}/api/v1/monitors/shop`, { headers: { authorization: `Bearer ${reader}` } })).json()) as {
    state: string;
    locations: Array<{ location: string; state: string }>;
  };
  expect(shown.state).toBe('degraded');
  expect(shown.locations).toEqual([
    { location: 'local', state: 'healthy' },
    { location: 'eu-west', state: 'unhealthy' },
    { location: 'us-east', state: 'healthy' },
  ]);
  // So does the status page.
  await until('the status page by location', async () => {
    const page = await (await fetch(`${running!.url}/`)).text();
    return page.includes('local: Operational · eu-west: Major outage · us-east: Operational') ? true : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(triggers).toEqual([]);

  // A second location down: down, one trigger naming both.
  await send('us-east', 'unhealthy', 'timeout');
  await until('down', () => (state() === 'unhealthy' ? true : undefined));
  await until('the trigger', () => (triggers.length > 0 ? true : undefined));
  expect(triggers).toHaveLength(1);
  expect(triggers[0]).toMatchObject({ kind: 'trigger' });
  expect(triggers[0]!.cause).toContain('down from eu-west, us-east');
  const open = (await running.store.incidents({ monitorId: 'shop', limit: 10 })).filter((incident) => incident.endedAt === undefined);
  expect(open).toHaveLength(1);
  expect(open[0]!.status).toBe('unhealthy');

  // Uptime counts a location's failure only when it made the monitor down: eu-west's first failure (alone) is
  // excused, us-east's (the second location) is downtime.
  const failed = async (location: string) =>
    (await running!.store.latestResults('shop', 50)).filter((result) => result.location === location && result.status === 'unhealthy');
  await until('the failures stored', async () => ((await failed('us-east')).length > 0 ? true : undefined));
  expect((await failed('eu-west')).map((result) => result.excused)).toEqual(['quorum']);
  expect((await failed('us-east')).map((result) => result.excused)).toEqual([undefined]);

  // Both recover: resolved.
  await send('eu-west', 'healthy');
  await send('us-east', 'healthy');
  await until('healthy again', () => (state() === 'healthy' ? true : undefined));
  await until('the resolve', () => (triggers.some((body) => body.kind === 'resolve') ? true : undefined));
  expect(triggers.map((body) => body.kind)).toEqual(['trigger', 'resolve']);
  // The locations opened no incident of their own: every incident is the state judged over all of them (degraded
  // while one failed, down while two did, degraded again while the second recovered), one of them downtime.
  const incidents = (await running.store.incidents({ monitorId: 'shop', limit: 10 })).reverse();
  expect(incidents.map((incident) => incident.status)).toEqual(['degraded', 'unhealthy', 'degraded']);
  for (const incident of incidents) expect(incident.cause).toMatch(/^down from /);
  expect(incidents.every((incident) => incident.endedAt !== undefined)).toBe(true);
  // The status page's incident is drafted from the judged one (the outage), and resolved with it.
  await service.draftsIdle();
  const outage = await until('the drafted outage resolved', async () => {
    const drafted = await running!.store.statusIncidentBySource(incidents[1]!.id);
    return drafted?.status === 'resolved' ? drafted : undefined;
  });
  expect(outage.title).toBe('shop: outage');
}, 30_000);
