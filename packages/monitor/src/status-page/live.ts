/**
 * Live updates of a page (`GET /status/<slug>/events`, server-sent events): one subscription to the feed of state
 * changes per page with readers, whatever their number; each batch of changes to the page's monitors becomes one
 * `state` event with their new states, the states of every section and the banner. Nothing else about a monitor
 * (no reason, no target) goes out: the page is public.
 */
import type { ServerResponse } from 'node:http';
import { EVENT_STREAM_HEADERS, startEventStream } from '../http/event-stream.js';
import type { MonitorView } from '../api/types.js';
import type { StatusPageConfig } from '../config/status-pages.js';
import type { MonitorState, StateChangeEvent } from '../model.js';
import type { EventFeed, FeedSubscription } from '../pipeline/feed.js';
import { pageSections, shownState } from './data.js';
import { combineStates, type PageState } from './states.js';

export interface LiveUpdate {
  banner: string;
  groups: Array<{ index: number; state: string }>;
  monitors: Array<{ id: string; state: string }>;
}

/** What changes on a page after `events`, or undefined when none of them is about a monitor on it. */
export function liveUpdate(
  config: StatusPageConfig,
  views: readonly MonitorView[],
  events: readonly StateChangeEvent[],
  impacts: ReadonlyMap<string, PageState> = new Map(),
): LiveUpdate | undefined {
  const sections = pageSections(config, views);
  const onPage = new Set<string>();
  for (const section of sections) for (const view of section.monitors) onPage.add(view.id);
  // The events say where each monitor is now: the service's own view of it may not have caught up yet.
  const latest = new Map<string, MonitorState>();
  for (const event of events) if (onPage.has(event.monitorId)) latest.set(event.monitorId, event.to);
  if (latest.size === 0) return undefined;
  // An open incident that says a monitor is worse off than its checks do keeps it so.
  const stateOf = (view: MonitorView) => shownState({ ...view, state: latest.get(view.id) ?? view.state }, impacts);
  return {
    banner: combineStates(sections.flatMap((section) => section.monitors.map(stateOf))),
    groups: sections.map((section) => ({ index: section.index, state: combineStates(section.monitors.map(stateOf)) })),
    monitors: [...latest].map(([id]) => ({ id, state: stateOf(views.find((view) => view.id === id)!) })),
  };
}

interface Hub {
  clients: Set<ServerResponse>;
  subscription: FeedSubscription;
  /** Batches are sent one after the other, in order. */
  sending: Promise<void>;
}

export class LivePages {
  private readonly hubs = new Map<string, Hub>();

  constructor(
    private readonly feed: EventFeed,
    private readonly views: () => MonitorView[],
    private readonly pageOf: (slug: string) => StatusPageConfig | undefined,
    /** What open published incidents say of monitors (their impact). */
    private readonly impacts: () => Promise<ReadonlyMap<string, PageState>>,
  ) {}

  /** Follows `slug` for this response until the client goes away. */
  follow(slug: string, res: ServerResponse): void {
    res.writeHead(200, EVENT_STREAM_HEADERS);
    startEventStream(res, 3000);
    let hub = this.hubs.get(slug);
    if (hub === undefined) {
      const clients = new Set<ServerResponse>();
      const created: Hub = { clients, subscription: undefined as unknown as FeedSubscription, sending: Promise.resolve() };
      created.subscription = this.feed.subscribe(
        this.feed.head,
        (events) => {
          created.sending = created.sending.then(() => this.broadcast(slug, clients, events)).catch(() => undefined);
        },
        () => {
          for (const client of clients) client.end();
        },
      );
      hub = created;
      this.hubs.set(slug, hub);
    }
    const joined = hub;
    joined.clients.add(res);
    res.on('close', () => {
      joined.clients.delete(res);
      if (joined.clients.size === 0 && this.hubs.get(slug) === joined) {
        joined.subscription.close();
        this.hubs.delete(slug);
      }
    });
  }

  /** Readers following pages now. */
  get readers(): number {
    let count = 0;
    for (const hub of this.hubs.values()) count += hub.clients.size;
    return count;
  }

  private async broadcast(slug: string, clients: ReadonlySet<ServerResponse>, events: StateChangeEvent[]): Promise<void> {
    const config = this.pageOf(slug);
    if (config === undefined) {
      for (const client of clients) client.end();
      return;
    }
    const update = liveUpdate(config, this.views(), events, await this.impacts());
    if (update === undefined) return;
    const message = `id: ${events.at(-1)!.id}\nevent: state\ndata: ${JSON.stringify(update)}\n\n`;
    for (const client of clients) if (!client.destroyed) client.write(message);
  }
}
