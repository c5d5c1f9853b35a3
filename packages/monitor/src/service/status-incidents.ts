/**
 * Status page incidents as the service writes them: validated (the monitors they name exist), stored with their
 * audit entry, and counted in `version`, which the status pages compare to know that they must rebuild.
 * Vigil's own drafts (status-incident-drafts.ts) go through here too.
 */
import { MonitorError, quote } from '../registry/errors.js';
import type { Actor, NewAuditEntry, StatusIncident, StatusIncidentChange, Store } from '../store/store.js';
import type { NewStatusIncident } from '../store/store.js';

export type StatusIncidentInput = Omit<NewStatusIncident, 'at' | 'author'>;

export interface StatusIncidentServiceOptions {
  store: Store;
  /** Whether a monitor with this id exists now. */
  monitorExists: (id: string) => boolean;
  now: () => number;
}

export class StatusIncidentService {
  private changes = 0;

  constructor(private readonly options: StatusIncidentServiceOptions) {}

  /** Increases with every change (the status pages' cache key). */
  get version(): number {
    return this.changes;
  }

  private checkMonitors(monitors: ReadonlyArray<{ id: string }> | undefined): void {
    const unknown = (monitors ?? []).map((monitor, index) => ({ monitor, index })).filter(({ monitor }) => !this.options.monitorExists(monitor.id));
    if (unknown.length === 0) return;
    throw new MonitorError(
      'invalid',
      `no monitor with id ${quote(unknown[0]!.monitor.id)}`,
      unknown.map(({ monitor, index }) => ({ path: `monitors[${index}]`, message: `no monitor with id ${quote(monitor.id)}` })),
    );
  }

  private audit(actor: Actor, action: NewAuditEntry['action'], subject: string, at: number, after?: unknown): NewAuditEntry {
    return { at, actor, action, subject, ...(after === undefined ? {} : { after }) };
  }

  async create(input: StatusIncidentInput, actor: Actor): Promise<StatusIncident> {
    this.checkMonitors(input.monitors);
    const at = this.options.now();
    const created = await this.options.store.createStatusIncident(
      { ...input, at, author: actor.name },
      this.audit(actor, 'status_incident.create', 'status-incident', at, { title: input.title, status: input.status, published: input.published }),
    );
    this.changes++;
    return created;
  }

  async update(id: number, change: Omit<StatusIncidentChange, 'at' | 'author'>, actor: Actor): Promise<StatusIncident> {
    this.checkMonitors(change.monitors);
    const at = this.options.now();
    const updated = await this.options.store.updateStatusIncident(
      id,
      { ...change, at, author: actor.name },
      this.audit(actor, 'status_incident.update', `status-incident/${id}`, at, change),
    );
    if (updated === undefined) throw new MonitorError('not_found', `no status incident ${id}`);
    this.changes++;
    return updated;
  }

  async remove(id: number, actor: Actor): Promise<void> {
    const at = this.options.now();
    if (!(await this.options.store.deleteStatusIncident(id, this.audit(actor, 'status_incident.delete', `status-incident/${id}`, at)))) {
      throw new MonitorError('not_found', `no status incident ${id}`);
    }
    this.changes++;
  }
}
