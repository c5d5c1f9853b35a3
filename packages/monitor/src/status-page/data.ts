/**
 * A status page's content, gathered from the store with a constant number of queries whatever the number of
 * monitors: daily summaries (90-day bars and uptime), hourly summaries (24-hour bar and uptime), the monitors'
 * incidents that overlap the 90 days (each one call for every monitor on the page), and the published status page
 * incidents open or resolved in the last week.
 */
import type { MonitorView } from '../api/types.js';
import type { StatusPageConfig } from '../config/status-pages.js';
import type { MaintenanceWindowConfig } from '../config/maintenance.js';
import type { Incident } from '../model.js';
import type { MonitorImpact, StatusIncident, Store, StoreSummary } from '../store/store.js';
import { DAY_MS, HOUR_MS, floorTo } from '../store/time.js';
import { covers, nextSpan, openSpan } from '../windows/schedule.js';
import { combineStates, pageStateOf, SEVERITY, type PageState } from './states.js';

export const HISTORY_DAYS = 90;
export const HISTORY_HOURS = 24;
/** Scheduled maintenance is announced this far ahead. */
export const UPCOMING_MS = 14 * DAY_MS;
/** A page shows at most this many monitors; more go to further pages (`?page=2`). */
export const MONITORS_PER_PAGE = 1000;

/** One bar of a history: a UTC day or hour. */
export interface HistoryCell {
  start: number;
  checks: number;
  /** Checks that were not downtime ÷ checks; undefined without checks. */
  uptime?: number;
  /** Checks whose status was degraded. */
  degraded: number;
  /** Time inside incidents that were downtime (unhealthy), clipped to the cell and to now. */
  downMs: number;
  /** Incidents (down or degraded) that overlap the cell. */
  incidents: number;
}

export interface UptimeWindows {
  h24?: number;
  d7?: number;
  d30?: number;
  d90?: number;
}

export interface PageMonitor {
  view: MonitorView;
  /** Its measured state, or the impact an open incident gives it when that is worse. */
  state: PageState;
  days: HistoryCell[];
  hours: HistoryCell[];
  uptime: UptimeWindows;
  /** The open incident, if any. */
  openIncident?: Incident;
}

export interface PageSection {
  /** Its position among the page's sections (across page numbers): live updates name sections by it. */
  index: number;
  title?: string;
  /** The state of the whole section, including monitors on other page numbers. */
  state: PageState;
  monitors: PageMonitor[];
}

export interface PageMaintenance {
  name: string;
  start: number;
  end: number;
  /** Names of the page's monitors it covers; empty when it covers every monitor. */
  monitors: string[];
  active: boolean;
}

export interface PageData {
  config: StatusPageConfig;
  state: PageState;
  sections: PageSection[];
  maintenance: PageMaintenance[];
  /** Published incidents of the page that are not resolved, newest first. */
  incidents: StatusIncident[];
  /** Published incidents of the page resolved in the last 7 days, newest first. */
  recent: StatusIncident[];
  /** Monitors on the whole page, across all its pages. */
  total: number;
  pageNumber: number;
  pageCount: number;
  generatedAt: number;
}

/** Every public monitor in the order a page lists them, by section (before pagination). */
export function pageSections(config: StatusPageConfig, views: readonly MonitorView[]): Array<{ index: number; title?: string; monitors: MonitorView[] }> {
  const visible = views.filter((view) => view.public);
  if (config.sections === undefined) {
    const groups = new Map<string, MonitorView[]>();
    for (const view of visible) {
      const group = view.group ?? '';
      const list = groups.get(group);
      if (list) list.push(view);
      else groups.set(group, [view]);
    }
    return [...groups].map(([group, monitors], index) => ({ index, ...(group === '' ? {} : { title: group }), monitors }));
  }
  const byId = new Map(visible.map((view) => [view.id, view]));
  return config.sections.map((section, index) => ({
    index,
    title: section.title ?? section.group,
    monitors:
      section.group !== undefined
        ? visible.filter((view) => view.group === section.group)
        : (section.monitors ?? []).flatMap((id) => (byId.has(id) ? [byId.get(id)!] : [])),
  }));
}

/** Whether a page shows a monitor (without building the page's sections: for one monitor's badge or chart). */
export function isOnPage(config: StatusPageConfig, view: MonitorView): boolean {
  if (!view.public) return false;
  if (config.sections === undefined) return true;
  return config.sections.some((section) => (section.group !== undefined ? view.group === section.group : (section.monitors ?? []).includes(view.id)));
}

/** Sections cut to one page of `MONITORS_PER_PAGE` monitors (a section may continue on the next page). */
function paginate<T extends { monitors: MonitorView[] }>(
  sections: T[],
  requested: number,
): { sections: T[]; total: number; pageNumber: number; pageCount: number } {
  const total = sections.reduce((sum, section) => sum + section.monitors.length, 0);
  const pageCount = Math.max(1, Math.ceil(total / MONITORS_PER_PAGE));
  const pageNumber = Math.min(Math.max(1, Math.floor(requested)), pageCount);
  const first = (pageNumber - 1) * MONITORS_PER_PAGE;
  const last = first + MONITORS_PER_PAGE;
  const out: T[] = [];
  let offset = 0;
  for (const section of sections) {
    const from = Math.max(first - offset, 0);
    const to = Math.min(last - offset, section.monitors.length);
    if (from < to) out.push({ ...section, monitors: section.monitors.slice(from, to) });
    offset += section.monitors.length;
  }
  return { sections: out, total, pageNumber, pageCount };
}

function cellOf(start: number, summary: StoreSummary | undefined): HistoryCell {
  // Built 114 times per monitor per build: no spread, one shape.
  const cell: HistoryCell = { start, checks: summary?.checks ?? 0, degraded: summary?.degraded ?? 0, downMs: 0, incidents: 0 };
  if (summary?.uptime !== undefined) cell.uptime = summary.uptime;
  return cell;
}

/** Cells of `size` from `from`, `count` of them, with each incident's share added. */
function history(
  from: number,
  size: number,
  count: number,
  summaries: ReadonlyMap<number, StoreSummary> | undefined,
  incidents: readonly Incident[],
  now: number,
  last?: StoreSummary,
): HistoryCell[] {
  const cells = new Array<HistoryCell>(count);
  for (let index = 0; index < count; index++) {
    const start = from + index * size;
    cells[index] = cellOf(start, index === count - 1 && last !== undefined ? last : summaries?.get(start));
  }
  for (const incident of incidents) {
    const end = incident.endedAt ?? now;
    const firstCell = Math.max(0, Math.floor((incident.startedAt - from) / size));
    const lastCell = Math.min(count - 1, Math.floor((end - 1 - from) / size));
    for (let index = firstCell; index <= lastCell; index++) {
      const cell = cells[index]!;
      const overlap = Math.min(end, cell.start + size, now) - Math.max(incident.startedAt, cell.start);
      if (overlap <= 0 && !(incident.endedAt === undefined && index === lastCell)) continue;
      cell.incidents++;
      if (incident.status === 'unhealthy') cell.downMs += Math.max(0, overlap);
    }
  }
  return cells;
}

/** Uptime over the last cells (checks that were not downtime ÷ checks), undefined without checks. */
function uptimeOver(cells: readonly HistoryCell[]): number | undefined {
  let checks = 0;
  let up = 0;
  for (const cell of cells) {
    if (cell.uptime === undefined) continue;
    checks += cell.checks;
    up += cell.uptime * cell.checks;
  }
  return checks === 0 ? undefined : up / checks;
}

/** Maintenance windows that cover a monitor on the page: open now, or starting within `UPCOMING_MS`. */
export function pageMaintenance(windows: readonly MaintenanceWindowConfig[], monitors: readonly MonitorView[], now: number): PageMaintenance[] {
  const out: PageMaintenance[] = [];
  for (const window of windows) {
    const covered = monitors.filter((monitor) => covers(window, monitor));
    if (covered.length === 0) continue;
    const everything = window.monitors === undefined && window.groups === undefined;
    const names = everything ? [] : covered.map((monitor) => monitor.name);
    const open = openSpan(window, now);
    if (open) out.push({ name: window.name, ...open, monitors: names, active: true });
    const next = nextSpan(window, open?.end ?? now, now + UPCOMING_MS);
    if (next) out.push({ name: window.name, ...next, monitors: names, active: false });
  }
  return out.sort((a, b) => a.start - b.start);
}

/** Days of resolved incidents shown on the page itself (the history page has 90). */
export const RECENT_DAYS = 7;

/** A published incident is on a page when it names one of the page's monitors, or no monitor at all. */
export function incidentOnPage(incident: StatusIncident, monitorIds: ReadonlySet<string>): boolean {
  return incident.monitors.length === 0 || incident.monitors.some((monitor) => monitorIds.has(monitor.id));
}

const IMPACT_STATE: Record<MonitorImpact, PageState> = { degraded: 'degraded', partial: 'partial', major: 'major', maintenance: 'maintenance' };

/** What open incidents say of each monitor: the worst impact given to it. */
export function incidentImpacts(open: readonly StatusIncident[]): Map<string, PageState> {
  const impacts = new Map<string, PageState>();
  for (const incident of open) {
    for (const monitor of incident.monitors) {
      const state = IMPACT_STATE[monitor.impact];
      const before = impacts.get(monitor.id);
      if (before === undefined || SEVERITY[state] > SEVERITY[before]) impacts.set(monitor.id, state);
    }
  }
  return impacts;
}

/** A monitor's state on the page: measured, unless an open incident says it is worse. */
export function shownState(view: MonitorView, impacts: ReadonlyMap<string, PageState>): PageState {
  const measured = pageStateOf(view.state);
  const impact = impacts.get(view.id);
  return impact !== undefined && SEVERITY[impact] > SEVERITY[measured] ? impact : measured;
}

type Summaries = Map<string, Map<number, StoreSummary>>;

/**
 * The finished days of a page's 90-day bars change once a day: read once and kept until the UTC day turns (and at
 * most an hour, for results stored late), so a rebuild after a state change reads only the last 24 hours.
 */
export class FinishedDays {
  private readonly entries = new Map<string, { ids: string; today: number; at: number; days: Promise<Summaries> }>();

  read(key: string, store: Store, ids: readonly string[], from: number, today: number, now: number): Promise<Summaries> {
    const idsKey = ids.join('\n');
    const entry = this.entries.get(key);
    if (entry && entry.ids === idsKey && entry.today === today && now - entry.at < HOUR_MS) return entry.days;
    const days = store.dailySummaries(ids, from, today, { p95: false });
    this.entries.set(key, { ids: idsKey, today, at: now, days });
    days.catch(() => this.entries.delete(key));
    return days;
  }
}

/** The day in progress, from its hours (already read for the 24-hour bar). */
function todayFromHours(hours: ReadonlyMap<number, StoreSummary> | undefined, today: number): StoreSummary | undefined {
  let summary: StoreSummary | undefined;
  for (const [start, hour] of hours ?? []) {
    if (start < today) continue;
    summary ??= { checks: 0, failures: 0, degraded: 0, excused: 0, exact: false };
    summary.checks += hour.checks;
    summary.failures += hour.failures;
    summary.degraded += hour.degraded;
    summary.excused += hour.excused;
  }
  if (summary && summary.checks > 0) summary.uptime = (summary.checks - summary.failures) / summary.checks;
  return summary;
}

export interface GatherInput {
  store: Store;
  config: StatusPageConfig;
  views: readonly MonitorView[];
  windows: readonly MaintenanceWindowConfig[];
  now: number;
  pageNumber?: number;
  /** Keeps the finished days between builds (under `cacheKey`); without it every build reads them. */
  finishedDays?: { cache: FinishedDays; key: string };
  /**
   * A rebuild after state changes: the monitors of `data` (a recent build of the same page, same day) are taken as
   * they were, except those in `changed`, which are read again. Incidents are those of `data`.
   */
  reuse?: { data: PageData; changed: ReadonlySet<string> };
}

/** Everything a page shows. Four store calls for the whole page. */
export async function gatherPage(input: GatherInput): Promise<PageData> {
  const { store, now } = input;
  const all = pageSections(input.config, input.views);
  const { sections, total, pageNumber, pageCount } = paginate(all, input.pageNumber ?? 1);
  const reuse = input.reuse;
  const before = new Map(reuse?.data.sections.flatMap((section) => section.monitors.map((monitor) => [monitor.view.id, monitor] as const)) ?? []);
  const ids = [...new Set(sections.flatMap((section) => section.monitors.map((monitor) => monitor.id)))].filter(
    (id) => reuse === undefined || reuse.changed.has(id) || !before.has(id),
  );
  const today = floorTo(now, DAY_MS);
  const daysFrom = today - (HISTORY_DAYS - 1) * DAY_MS;
  const thisHour = floorTo(now, HOUR_MS);
  const hoursFrom = thisHour - (HISTORY_HOURS - 1) * HOUR_MS;
  const [daily, hourly, incidents, published] = await Promise.all([
    !ids.length
      ? new Map<string, Map<number, StoreSummary>>()
      : input.finishedDays && reuse === undefined
        ? input.finishedDays.cache.read(input.finishedDays.key, store, ids, daysFrom, today, now)
        : store.dailySummaries(ids, daysFrom, today, { p95: false }),
    ids.length ? store.hourlySummaries(ids, hoursFrom, now + 1, { p95: false }) : new Map<string, Map<number, StoreSummary>>(),
    ids.length ? store.incidentsOverlapping({ from: daysFrom, to: now + 1, monitorIds: ids }) : ([] as Incident[]),
    reuse ? [] : store.statusIncidents({ limit: 200, since: now - RECENT_DAYS * DAY_MS, publishedOnly: true }),
  ]);
  const everyone = all.flatMap((section) => section.monitors);
  const everyId = new Set(everyone.map((view) => view.id));
  const onPage = published.filter((incident) => incidentOnPage(incident, everyId));
  const open = reuse ? reuse.data.incidents : onPage.filter((incident) => incident.status !== 'resolved');
  const impacts = incidentImpacts(open);
  const incidentsOf = new Map<string, Incident[]>();
  for (const incident of incidents) {
    const list = incidentsOf.get(incident.monitorId);
    if (list) list.push(incident);
    else incidentsOf.set(incident.monitorId, [incident]);
  }

  const monitorOf = (view: MonitorView): PageMonitor => {
    // Unchanged since the build reused: the same object (its rendered fragment is kept with it).
    const kept = reuse && !reuse.changed.has(view.id) ? before.get(view.id) : undefined;
    if (kept) return kept;
    const own = incidentsOf.get(view.id) ?? [];
    // Finished days from the (shared) daily figures, today from its hours.
    const days = history(daysFrom, DAY_MS, HISTORY_DAYS, daily.get(view.id), own, now, todayFromHours(hourly.get(view.id), today));
    const hours = history(hoursFrom, HOUR_MS, HISTORY_HOURS, hourly.get(view.id), own, now);
    const open = own.find((incident) => incident.endedAt === undefined);
    return {
      view,
      state: shownState(view, impacts),
      days,
      hours,
      uptime: {
        ...optional('h24', uptimeOver(hours)),
        ...optional('d7', uptimeOver(days.slice(-7))),
        ...optional('d30', uptimeOver(days.slice(-30))),
        ...optional('d90', uptimeOver(days)),
      },
      ...(open ? { openIncident: open } : {}),
    };
  };
  const pageSectionsOut = sections.map((section) => ({
    index: section.index,
    ...(section.title === undefined ? {} : { title: section.title }),
    state: combineStates(all[section.index]!.monitors.map((view) => shownState(view, impacts))),
    monitors: section.monitors.map(monitorOf),
  }));
  // The banner sums up the whole page, not only the monitors of this page number.
  return {
    config: input.config,
    state: combineStates(everyone.map((view) => shownState(view, impacts))),
    sections: pageSectionsOut,
    maintenance: pageMaintenance(input.windows, everyone, now),
    incidents: open,
    recent: reuse ? reuse.data.recent : onPage.filter((incident) => incident.status === 'resolved'),
    total,
    pageNumber,
    pageCount,
    generatedAt: now,
  };
}

function optional<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}
