/**
 * The monitors page: every monitor (not only public ones) in one table, most urgent first, with search and filters
 * by state, group, tag and type. The server filters and pages (250 rows a page: bench/dashboard measured about 2 ms
 * of browser time per row on a 2-core machine, so 1,000 rows would take 2 s to be usable); on a single page the
 * script filters as one types, and it moves rows to their new state as state changes arrive.
 */
import type { MonitorView } from '../../api/types.js';
import { MONITOR_STATES, type MonitorState } from '../../model.js';
import { ADMIN_PREFIX, emptyRow, escapeHtml, STATE_LABELS, STATE_ORDER, stateBadge, timeTag, uptimePercent } from '../layout.js';

export const MONITORS_PAGE_SIZE = 250;

export const SORTS = ['health', 'name', 'checked'] as const;
export type MonitorSort = (typeof SORTS)[number];

export interface MonitorFilters {
  q: string;
  state: MonitorState | '';
  group: string;
  tag: string;
  type: string;
  sort: MonitorSort;
  page: number;
}

export function filtersOf(query: URLSearchParams): MonitorFilters {
  const state = query.get('state') ?? '';
  const sort = query.get('sort') ?? 'health';
  const page = Number(query.get('page') ?? '1');
  return {
    q: (query.get('q') ?? '').slice(0, 200),
    state: (MONITOR_STATES as readonly string[]).includes(state) ? (state as MonitorState) : '',
    group: (query.get('group') ?? '').slice(0, 200),
    tag: (query.get('tag') ?? '').slice(0, 200),
    type: (query.get('type') ?? '').slice(0, 50),
    sort: (SORTS as readonly string[]).includes(sort) ? (sort as MonitorSort) : 'health',
    page: Number.isSafeInteger(page) && page >= 1 ? page : 1,
  };
}

/** What the search box matches: name, id, target, group and tags, lower-cased. */
export function searchText(view: MonitorView): string {
  return [view.name, view.id, view.target, view.group ?? '', ...view.tags].join(' ').toLowerCase();
}

function matches(view: MonitorView, filters: MonitorFilters, words: readonly string[]): boolean {
  if (filters.state && view.state !== filters.state) return false;
  if (filters.group && (view.group ?? '') !== filters.group) return false;
  if (filters.tag && !view.tags.includes(filters.tag)) return false;
  if (filters.type && view.type !== filters.type) return false;
  if (words.length === 0) return true;
  const text = searchText(view);
  return words.every((word) => text.includes(word));
}

const rank = (state: MonitorState) => STATE_ORDER.indexOf(state);

export function sortMonitors(views: MonitorView[], sort: MonitorSort): MonitorView[] {
  const byName = (a: MonitorView, b: MonitorView) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
  if (sort === 'name') return views.sort(byName);
  if (sort === 'checked') return views.sort((a, b) => (b.lastCheckAt ?? 0) - (a.lastCheckAt ?? 0) || byName(a, b));
  // Health: the most urgent state first, and within it the longest-standing problem first.
  return views.sort((a, b) => rank(a.state) - rank(b.state) || (a.since ?? Infinity) - (b.since ?? Infinity) || byName(a, b));
}

function row(view: MonitorView, uptime: number | undefined): string {
  const id = escapeHtml(view.id);
  const tags = view.tags.map((tag) => `<span class="tag">${escapeHtml(tag)}</span>`).join(' ');
  return `<tr data-id="${id}" data-state="${view.state}" data-group="${escapeHtml(view.group ?? '')}" data-type="${escapeHtml(view.type)}" data-tags="${escapeHtml(view.tags.join('\n'))}" data-search="${escapeHtml(searchText(view))}"><td>${stateBadge(view.state)}</td><td><a href="${ADMIN_PREFIX}/monitors/${encodeURIComponent(view.id)}">${escapeHtml(view.name)}</a><br><span class="muted small">${escapeHtml(view.target)}</span></td><td>${escapeHtml(view.type)}</td><td>${escapeHtml(view.group ?? '')}</td><td>${tags}</td><td class="since">${timeTag(view.since)}</td><td>${timeTag(view.lastCheckAt)}</td><td class="num">${uptime === undefined ? '—' : uptimePercent(uptime)}</td></tr>`;
}

function options(values: readonly string[], selected: string, all: string, label: (value: string) => string = (v) => v): string {
  return [`<option value="">${escapeHtml(all)}</option>`, ...values.map((value) => `<option value="${escapeHtml(value)}"${value === selected ? ' selected' : ''}>${escapeHtml(label(value))}</option>`)].join('');
}

const distinct = (values: Iterable<string>) => [...new Set(values)].sort((a, b) => a.localeCompare(b));

function queryOf(filters: MonitorFilters, change: Partial<MonitorFilters>): string {
  const merged = { ...filters, ...change };
  const params = new URLSearchParams();
  for (const key of ['q', 'state', 'group', 'tag', 'type'] as const) if (merged[key]) params.set(key, merged[key]);
  if (merged.sort !== 'health') params.set('sort', merged.sort);
  if (merged.page > 1) params.set('page', String(merged.page));
  const text = params.toString();
  return text ? `?${text}` : '';
}

export type MonitorSelection = ReturnType<typeof selectMonitors>;

export interface MonitorsPageInput {
  views: readonly MonitorView[];
  /** `selectMonitors(views, filters)`: what the page shows. */
  selection: MonitorSelection;
  /** Uptime over the last 24 hours, by monitor id. */
  uptime: ReadonlyMap<string, number | undefined>;
  filters: MonitorFilters;
  canWrite: boolean;
}

/** The monitors shown on the requested page, after filters and sort (the caller reads uptime for these only). */
export function selectMonitors(views: readonly MonitorView[], filters: MonitorFilters): { shown: MonitorView[]; matching: number; pageCount: number; page: number } {
  const words = filters.q.toLowerCase().split(/\s+/).filter(Boolean);
  const matching = sortMonitors(views.filter((view) => matches(view, filters, words)), filters.sort);
  const pageCount = Math.max(1, Math.ceil(matching.length / MONITORS_PAGE_SIZE));
  const page = Math.min(filters.page, pageCount);
  return { shown: matching.slice((page - 1) * MONITORS_PAGE_SIZE, page * MONITORS_PAGE_SIZE), matching: matching.length, pageCount, page };
}

export function renderMonitorsPage(input: MonitorsPageInput): string {
  const { views, filters } = input;
  const { shown, matching, pageCount, page } = input.selection;
  const counts = new Map<MonitorState, number>();
  for (const view of views) counts.set(view.state, (counts.get(view.state) ?? 0) + 1);
  const chips = STATE_ORDER.filter((state) => counts.has(state))
    .map((state) => `<a class="chip" data-state="${state}" href="${ADMIN_PREFIX}${queryOf(filters, { state: filters.state === state ? '' : state, page: 1 })}"${filters.state === state ? ' aria-current="true"' : ''}>${STATE_LABELS[state]} <strong data-count="${state}">${counts.get(state)}</strong></a>`)
    .join(' ');
  const sortLink = (sort: MonitorSort, label: string) =>
    filters.sort === sort ? `<span aria-current="true">${label}</span>` : `<a href="${ADMIN_PREFIX}${queryOf(filters, { sort, page: 1 })}">${label}</a>`;
  const pager =
    pageCount > 1
      ? `<nav class="pager" aria-label="Pages">${page > 1 ? `<a rel="prev" href="${ADMIN_PREFIX}${queryOf(filters, { page: page - 1 })}">Previous</a>` : ''}<span>Page ${page} of ${pageCount}</span>${page < pageCount ? `<a rel="next" href="${ADMIN_PREFIX}${queryOf(filters, { page: page + 1 })}">Next</a>` : ''}</nav>`
      : '';
  const rows = shown.length ? shown.map((view) => row(view, input.uptime.get(view.id))).join('\n') : emptyRow(8, views.length ? 'No monitor matches these filters.' : 'No monitors yet.');
  return `<div class="heading"><h1>Monitors</h1>${input.canWrite ? `<a class="button primary" href="${ADMIN_PREFIX}/monitors/new">New monitor</a>` : ''}</div>
<p class="chips">${chips}</p>
<form class="filters" method="get" action="${ADMIN_PREFIX}" role="search" data-single-page="${pageCount === 1 ? 'true' : 'false'}">
<label>Search <input type="search" name="q" value="${escapeHtml(filters.q)}" placeholder="name, id, target, tag" autocomplete="off"></label>
<label>State <select name="state">${options(STATE_ORDER, filters.state, 'All states', (s) => STATE_LABELS[s as MonitorState])}</select></label>
<label>Group <select name="group">${options(distinct(views.map((v) => v.group ?? '').filter(Boolean)), filters.group, 'All groups')}</select></label>
<label>Tag <select name="tag">${options(distinct(views.flatMap((v) => v.tags)), filters.tag, 'All tags')}</select></label>
<label>Type <select name="type">${options(distinct(views.map((v) => v.type)), filters.type, 'All types')}</select></label>
${filters.sort === 'health' ? '' : `<input type="hidden" name="sort" value="${filters.sort}">`}
<button type="submit">Filter</button>
</form>
<p class="muted" id="shown-count" aria-live="polite">${matching === views.length ? `${views.length} monitors` : `${matching} of ${views.length} monitors`} · sort: ${sortLink('health', 'health')} · ${sortLink('name', 'name')} · ${sortLink('checked', 'last check')}</p>
<div class="table-wrap"><table class="monitors" id="monitors">
<thead><tr><th scope="col">State</th><th scope="col">Monitor</th><th scope="col">Type</th><th scope="col">Group</th><th scope="col">Tags</th><th scope="col">Since</th><th scope="col">Last check</th><th scope="col" class="num">24 h</th></tr></thead>
<tbody>
${rows}
</tbody></table></div>
${pager}`;
}
