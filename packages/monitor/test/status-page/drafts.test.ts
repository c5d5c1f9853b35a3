/**
 * Status page incidents drafted by Vigil from the state changes of public monitors, on the real SQLite store and
 * the real feed: one draft per monitor incident, resolved by Vigil unless a person took it over, and nothing lost
 * when the changes happened while Vigil was not running.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log/logger.js';
import { EventFeed } from '../../src/pipeline/feed.js';
import { StatusIncidentDrafts } from '../../src/service/status-incident-drafts.js';
import { StatusIncidentService } from '../../src/service/status-incidents.js';
import { openStore } from '../../src/store/open.js';
import type { Store } from '../../src/store/store.js';
import { seedChange } from '../store/seed.js';

const NOW = Date.UTC(2026, 11, 6, 12, 0);
const NAMES: Record<string, string> = { web: 'Website', api: 'Public API' };

let store: Store;
let feed: EventFeed;
let incidents: StatusIncidentService;
let drafts: StatusIncidentDrafts | undefined;
let mode: 'off' | 'draft' | 'publish';

beforeEach(async () => {
  store = await openStore({ type: 'sqlite', path: ':memory:' }, { dataDir: 'unused-in-memory' });
  feed = new EventFeed({ store, logger: silentLogger, pollMs: 60_000 });
  await feed.start();
  incidents = new StatusIncidentService({ store, monitorExists: (id) => id in NAMES || id === 'private', now: () => NOW });
  mode = 'publish';
});

afterEach(async () => {
  drafts?.stop();
  drafts = undefined;
  feed.stop();
  await store.close();
});

async function startDrafts(): Promise<StatusIncidentDrafts> {
  drafts = new StatusIncidentDrafts({ store, feed, incidents, logger: silentLogger, mode: () => mode, publicName: (id) => NAMES[id], locations: ['local'] });
  await drafts.start();
  return drafts;
}

/** A state change as the pipeline commits it, handed to the drafts through the feed. */
async function change(monitorId: string, to: 'unhealthy' | 'degraded' | 'healthy', at: number): Promise<void> {
  const { eventId } = await seedChange(store, monitorId, to, at);
  feed.wake();
  const deadline = Date.now() + 5000;
  while ((drafts?.cursor ?? 0) < eventId) {
    if (Date.now() > deadline) throw new Error(`the drafts never saw event ${eventId}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await drafts?.idle();
}

const all = () => store.statusIncidents({ limit: 50 });

describe('drafted status page incidents', () => {
  it('a public monitor down: one published incident naming it; back up: resolved by Vigil', async () => {
    await startDrafts();
    await change('web', 'unhealthy', NOW - 60_000);
    let list = await all();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      title: 'Website: outage',
      status: 'investigating',
      impact: 'major',
      published: true,
      monitors: [{ id: 'web', impact: 'major' }],
    });
    expect(list[0]!.updates[0]).toMatchObject({ author: 'vigil', message: 'Website has not been answering as expected since 2026-12-06T11:59:00Z. We are looking into it.' });
    await change('web', 'healthy', NOW);
    list = await all();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'resolved', resolvedAt: NOW });
    expect(list[0]!.updates.at(-1)).toMatchObject({ status: 'resolved', author: 'vigil', message: 'Website is working normally again.' });
  });

  it('drafts only (unpublished) with auto: draft; nothing with off; nothing for a monitor that is not public', async () => {
    mode = 'draft';
    await startDrafts();
    await change('api', 'degraded', NOW - 60_000);
    const [draft] = await all();
    expect(draft).toMatchObject({ title: 'Public API: degraded performance', impact: 'minor', published: false, monitors: [{ id: 'api', impact: 'degraded' }] });
    await change('private', 'unhealthy', NOW - 30_000);
    mode = 'off';
    await change('web', 'unhealthy', NOW - 20_000);
    expect(await all()).toHaveLength(1);
  });

  it('leaves the resolve to a person who has written an update', async () => {
    await startDrafts();
    await change('web', 'unhealthy', NOW - 60_000);
    const [drafted] = await all();
    await incidents.update(drafted!.id, { status: 'identified', message: 'The database is full.' }, { name: 'ops' });
    await change('web', 'healthy', NOW);
    const [after] = await all();
    expect(after).toMatchObject({ status: 'identified' });
    expect(after!.updates.map((update) => update.author)).toEqual(['vigil', 'ops']);
  });

  it('degraded, then down: the first incident resolved, a second one opened', async () => {
    await startDrafts();
    await change('web', 'degraded', NOW - 120_000);
    await change('web', 'unhealthy', NOW - 60_000);
    const list = await all();
    expect(list.map((incident) => `${incident.title} ${incident.status}`)).toEqual(['Website: outage investigating', 'Website: degraded performance resolved']);
  });

  it('catches up at start with what changed while it was not running, and drafts once whatever it sees twice', async () => {
    // Down while Vigil was not drafting: drafted at start.
    await seedChange(store, 'web', 'unhealthy', NOW - 60_000);
    await startDrafts();
    expect((await all()).map((incident) => incident.status)).toEqual(['investigating']);
    drafts!.stop();
    // Back up while it was not drafting: resolved at the next start; and starting again drafts nothing twice.
    await seedChange(store, 'web', 'healthy', NOW - 30_000);
    await startDrafts();
    drafts!.stop();
    await startDrafts();
    const list = await all();
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'resolved' });
  });
});
