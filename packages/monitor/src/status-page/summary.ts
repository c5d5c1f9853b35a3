/**
 * `GET /status/<slug>/summary.json` in the shape of the widely used hosted status-page API (Atlassian
 * Statuspage's `/api/v2/summary.json`): `page`, `status.indicator`, `components` (groups are components with
 * `group: true`), `incidents` (unresolved) and `scheduled_maintenances`, so existing widgets and tools can read a
 * Vigil page. Only what the page shows is in it.
 */
import type { MonitorView } from '../api/types.js';
import type { StatusPageConfig } from '../config/status-pages.js';
import type { Incident } from '../model.js';
import type { StatusIncident } from '../store/store.js';
import { incidentImpacts, shownState, type PageMaintenance } from './data.js';
import { combineStates, type PageState } from './states.js';

const COMPONENT_STATUS: Record<PageState, string> = {
  operational: 'operational',
  degraded: 'degraded_performance',
  partial: 'partial_outage',
  major: 'major_outage',
  maintenance: 'under_maintenance',
  nodata: 'operational',
};

const INDICATOR: Record<PageState, { indicator: string; description: string }> = {
  operational: { indicator: 'none', description: 'All Systems Operational' },
  nodata: { indicator: 'none', description: 'No Data Yet' },
  degraded: { indicator: 'minor', description: 'Degraded Performance' },
  partial: { indicator: 'major', description: 'Partial System Outage' },
  major: { indicator: 'critical', description: 'Major System Outage' },
  maintenance: { indicator: 'maintenance', description: 'Service Under Maintenance' },
};

const iso = (at: number | undefined) => (at === undefined ? null : new Date(at).toISOString());

export interface SummaryInput {
  config: StatusPageConfig;
  url: string;
  sections: Array<{ index: number; title?: string; monitors: MonitorView[] }>;
  /** The monitors' own open incidents. */
  openIncidents: readonly Incident[];
  /** Published status incidents of the page that are not resolved. */
  statusIncidents: readonly StatusIncident[];
  maintenance: readonly PageMaintenance[];
  now: number;
}

export function statusSummary(input: SummaryInput): unknown {
  const { config, now } = input;
  const page = { id: config.slug, name: config.title, url: input.url, time_zone: 'Etc/UTC', updated_at: iso(now) };
  const components: unknown[] = [];
  const impacts = incidentImpacts(input.statusIncidents);
  const stateOf = (view: MonitorView) => shownState(view, impacts);
  const monitors = new Map<string, MonitorView>();
  let position = 1;
  for (const section of input.sections) {
    const groupId = section.title === undefined ? null : `group-${section.index}`;
    if (groupId !== null) {
      components.push({
        id: groupId,
        name: section.title,
        status: COMPONENT_STATUS[combineStates(section.monitors.map(stateOf))],
        created_at: null,
        updated_at: iso(now),
        position: position++,
        description: null,
        showcase: false,
        start_date: null,
        group_id: null,
        page_id: config.slug,
        group: true,
        only_show_if_degraded: false,
        components: section.monitors.map((view) => view.id),
      });
    }
    for (const view of section.monitors) {
      monitors.set(view.id, view);
      components.push({
        id: view.id,
        name: view.name,
        status: COMPONENT_STATUS[stateOf(view)],
        created_at: null,
        updated_at: iso(view.since ?? view.lastCheckAt),
        position: position++,
        description: view.description ?? null,
        showcase: true,
        start_date: null,
        group_id: groupId,
        page_id: config.slug,
        group: false,
        only_show_if_degraded: false,
      });
    }
  }
  const state = combineStates([...monitors.values()].map(stateOf));
  const componentOf = (id: string) => {
    const view = monitors.get(id);
    return view && { id: view.id, name: view.name, status: COMPONENT_STATUS[stateOf(view)] };
  };
  const written = input.statusIncidents.map((incident) => ({
    id: `s${incident.id}`,
    name: incident.title,
    status: incident.status,
    created_at: iso(incident.createdAt),
    updated_at: iso(incident.updatedAt),
    monitoring_at: iso(incident.updates.find((update) => update.status === 'monitoring')?.at),
    resolved_at: iso(incident.resolvedAt),
    impact: incident.impact,
    shortlink: `${input.url}/history#incident-${incident.id}`,
    started_at: iso(incident.createdAt),
    page_id: config.slug,
    incident_updates: [...incident.updates].reverse().map((update) => ({
      id: `u${update.id}`,
      status: update.status,
      body: update.message,
      incident_id: `s${incident.id}`,
      created_at: iso(update.at),
      updated_at: iso(update.at),
      display_at: iso(update.at),
    })),
    components: incident.monitors.flatMap((monitor) => componentOf(monitor.id) ?? []),
  }));
  const covered = new Set(input.statusIncidents.flatMap((incident) => incident.monitors.map((monitor) => monitor.id)));
  const measured = input.openIncidents
    .filter((incident) => monitors.has(incident.monitorId) && !covered.has(incident.monitorId))
    .map((incident) => {
      const view = monitors.get(incident.monitorId)!;
      const down = incident.status === 'unhealthy';
      return {
        id: String(incident.id),
        name: `${view.name}: ${down ? 'outage' : 'degraded performance'}`,
        status: incident.acknowledged ? 'identified' : 'investigating',
        created_at: iso(incident.startedAt),
        updated_at: iso(incident.acknowledged?.at ?? incident.startedAt),
        monitoring_at: null,
        resolved_at: null,
        impact: down ? 'major' : 'minor',
        shortlink: `${input.url}#m-${view.id}`,
        started_at: iso(incident.startedAt),
        page_id: config.slug,
        incident_updates: [],
        components: [componentOf(view.id)!],
      };
    });
  const incidents = [...written, ...measured];
  const scheduled = input.maintenance.map((entry) => {
    const affected = entry.monitors.length === 0 ? [...monitors.values()] : [...monitors.values()].filter((view) => entry.monitors.includes(view.name));
    return {
      id: `${entry.name}@${entry.start}`,
      name: entry.name,
      status: entry.active ? 'in_progress' : 'scheduled',
      created_at: null,
      updated_at: iso(now),
      monitoring_at: null,
      resolved_at: null,
      impact: 'maintenance',
      shortlink: input.url,
      started_at: iso(entry.start),
      scheduled_for: iso(entry.start),
      scheduled_until: iso(entry.end),
      page_id: config.slug,
      incident_updates: [],
      components: affected.map((view) => componentOf(view.id)!),
    };
  });
  return { page, components, incidents, scheduled_maintenances: scheduled, status: INDICATOR[state] };
}
