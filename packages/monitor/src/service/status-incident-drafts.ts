/**
 * Status page incidents drafted by Vigil (`status_incidents.auto: draft | publish`): when a public monitor goes
 * down or degraded, an incident naming it (investigating), as a draft for someone to edit and publish or published
 * at once; when the monitor recovers, Vigil resolves it — unless a person has written an update to it, in which
 * case resolving is theirs.
 *
 * It follows the feed of state changes, and at start it reconciles with what is stored (every open monitor
 * incident of a public monitor has its draft; every draft of Vigil's whose monitor incident ended is resolved), so
 * a change that happened while the server was stopped, or just before a crash, is not lost. Creating is idempotent
 * by monitor incident, so a change seen twice drafts once. What is written is public: the monitor's name and the
 * time, never the cause.
 */
import { describeError, type Logger } from '../log/logger.js';
import type { StateChangeEvent } from '../model.js';
import type { EventFeed, FeedSubscription } from '../pipeline/feed.js';
import type { Actor, StatusIncident, Store } from '../store/store.js';
import type { StatusIncidentService } from './status-incidents.js';

export const VIGIL_AUTHOR: Actor = { name: 'vigil' };

export interface DraftsOptions {
  store: Store;
  feed: EventFeed;
  incidents: StatusIncidentService;
  logger: Logger;
  /** `off`, `draft` or `publish`, as configured now. */
  mode: () => 'off' | 'draft' | 'publish';
  /** A public monitor's name (undefined for a monitor that is not public, or gone). */
  publicName: (id: string) => string | undefined;
  /** The locations whose incidents are the monitor's: the server's own, and the state judged over several (`*`). */
  locations: readonly string[];
  /**
   * Several instances: whether this one owns the monitor (the one that committed its change, normally), so that one
   * instance drafts and resolves, not all. Default: every monitor.
   */
  owns?: (monitorId: string) => boolean;
}

const iso = (at: number) => new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');

export class StatusIncidentDrafts {
  private subscription: FeedSubscription | undefined;
  /** Events are handled one batch after the other: a trigger and its resolve never race. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: DraftsOptions) {}

  async start(): Promise<void> {
    this.subscription = this.options.feed.subscribe(this.options.feed.head, (events) => {
      this.queue = this.queue.then(() => this.handle(events)).catch((error: unknown) => this.failed(error));
    });
    this.queue = this.queue.then(() => this.reconcile()).catch((error: unknown) => this.failed(error));
    await this.queue;
  }

  stop(): void {
    this.subscription?.close();
    this.subscription = undefined;
  }

  /** The last state change handed over (the feed's cursor). */
  get cursor(): number {
    return this.subscription?.cursor ?? 0;
  }

  /** Resolves when what was handed over so far is handled (for tests). */
  idle(): Promise<void> {
    return this.queue;
  }

  private failed(error: unknown): void {
    this.options.logger.error({ event: 'status_incident_draft_failed', error: describeError(error) }, `drafting a status page incident failed: ${describeError(error)}`);
  }

  private async handle(events: readonly StateChangeEvent[]): Promise<void> {
    if (this.options.mode() === 'off') return;
    for (const event of events) {
      if (!this.options.locations.includes(event.location) || event.incidentId === undefined) continue;
      if (this.options.owns?.(event.monitorId) === false) continue;
      const name = this.options.publicName(event.monitorId);
      if (name === undefined) continue;
      if (event.to === 'unhealthy' || event.to === 'degraded') {
        // From degraded to down (or back): the monitor's previous incident ended and a new one began.
        await this.resolveOthers(event.monitorId, event.incidentId, name);
        await this.draft(event.monitorId, name, event.to, event.incidentId, event.at);
      } else await this.resolve(event.incidentId, name);
    }
  }

  private async draft(monitorId: string, name: string, state: 'unhealthy' | 'degraded', sourceIncidentId: number, at: number): Promise<void> {
    const down = state === 'unhealthy';
    await this.options.incidents.create(
      {
        title: down ? `${name}: outage` : `${name}: degraded performance`,
        status: 'investigating',
        impact: down ? 'major' : 'minor',
        monitors: [{ id: monitorId, impact: down ? 'major' : 'degraded' }],
        published: this.options.mode() === 'publish',
        message: down ? `${name} has not been answering as expected since ${iso(at)}. We are looking into it.` : `${name} has been slower than usual since ${iso(at)}. We are looking into it.`,
        sourceIncidentId,
      },
      VIGIL_AUTHOR,
    );
  }

  /** Resolves Vigil's draft of a monitor incident that ended, unless a person has taken it over. */
  private async resolve(sourceIncidentId: number, name: string): Promise<void> {
    const drafted = await this.options.store.statusIncidentBySource(sourceIncidentId);
    if (drafted === undefined || !this.isVigils(drafted)) return;
    await this.options.incidents.update(drafted.id, { status: 'resolved', message: `${name} is working normally again.` }, VIGIL_AUTHOR);
  }

  /** Vigil's open drafts for a monitor, other than the one of `sourceIncidentId`: resolved. */
  private async resolveOthers(monitorId: string, sourceIncidentId: number, name: string): Promise<void> {
    const open = await this.options.store.statusIncidents({ limit: 100, since: Number.MAX_SAFE_INTEGER });
    for (const incident of open) {
      const source = incident.sourceIncidentId;
      if (source === undefined || source === sourceIncidentId || !this.isVigils(incident)) continue;
      if (incident.monitors.some((monitor) => monitor.id === monitorId)) await this.resolve(source, name);
    }
  }

  private isVigils(incident: StatusIncident): boolean {
    return incident.status !== 'resolved' && incident.updates.every((update) => update.author === VIGIL_AUTHOR.name);
  }

  /** What the feed may not have shown: changes while the server was stopped. */
  private async reconcile(): Promise<void> {
    if (this.options.mode() === 'off') return;
    const states = (await Promise.all(this.options.locations.map((location) => this.options.store.runtimeStates(location)))).flatMap((map) => [
      ...map.values(),
    ]);
    for (const state of states) {
      const name = this.options.publicName(state.monitorId);
      if (name === undefined || state.openIncidentId === undefined) continue;
      if (state.state !== 'unhealthy' && state.state !== 'degraded') continue;
      await this.draft(state.monitorId, name, state.state, state.openIncidentId, state.since ?? Date.now());
    }
    const open = await this.options.store.statusIncidents({ limit: 500, since: Number.MAX_SAFE_INTEGER });
    for (const incident of open) {
      if (incident.sourceIncidentId === undefined || !this.isVigils(incident)) continue;
      const source = await this.options.store.incident(incident.sourceIncidentId);
      if (source?.endedAt === undefined) continue;
      await this.resolve(incident.sourceIncidentId, this.options.publicName(source.monitorId) ?? incident.title);
    }
  }
}
