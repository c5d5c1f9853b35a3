/**
 * A status page as HTML, complete without JavaScript: the banner, maintenance, current incidents, then each
 * section with its monitors — state (an icon and a label, never colour alone), 90-day and 24-hour bars, uptime
 * over four windows and, for assistive technology, a table of the days with downtime. The page's script
 * (web/status.ts) adds tooltips, live updates, the theme switch and response-time charts.
 *
 * Markup per monitor is kept small (a good day is `<i></i>`): a page of 1,000 monitors stays a few hundred KB
 * before compression. Everything a user typed goes through `escapeHtml`.
 */
import { catalogOf, format, formattersOf, type Catalog, type Formatters } from './i18n/index.js';
import type { StatusPageConfig } from '../config/status-pages.js';
import type { StatusIncident } from '../store/store.js';
import type { HistoryCell, PageData, PageMaintenance, PageMonitor, PageSection } from './data.js';
import { PAGE_STATES, pageStateOf, type PageState } from './states.js';

export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

export interface RenderOptions {
  /** Where the page's own routes live: `/status/<slug>`. */
  base: string;
  /** Asset URLs (content-hashed). */
  css: string;
  script: string;
  /** Groups start collapsed above this many monitors on the page (unless something is wrong in them). */
  collapseAbove?: number;
}

/** One symbol per state: each a different shape, so no state is told by colour alone. */
const ICONS: Record<PageState, string> = {
  operational: '<circle cx="8" cy="8" r="6.5"/><path d="M4.8 8.3l2.2 2.2 4.2-4.6"/>',
  degraded: '<path d="M8 1.8l6.6 12H1.4z"/><path d="M8 6.2v3.6M8 11.4v.8"/>',
  partial: '<path d="M8 1.2l6.8 6.8-6.8 6.8-6.8-6.8z"/><path d="M8 1.2l-6.8 6.8 6.8 6.8z" class="fill"/>',
  major: '<circle cx="8" cy="8" r="6.5"/><path d="M5.4 5.4l5.2 5.2M10.6 5.4l-5.2 5.2"/>',
  maintenance: '<rect x="2" y="2" width="12" height="12" rx="2"/><path d="M6.3 5.2v5.6M9.7 5.2v5.6"/>',
  nodata: '<circle cx="8" cy="8" r="6.5" stroke-dasharray="2.6 2"/><path d="M5.2 8h5.6"/>',
};

function sprite(): string {
  const symbols = PAGE_STATES.map((state) => `<symbol id="i-${state}" viewBox="0 0 16 16">${ICONS[state]}</symbol>`).join('');
  return `<svg class="sprite" aria-hidden="true" focusable="false">${symbols}</svg>`;
}

function icon(state: PageState): string {
  return `<svg class="icon" aria-hidden="true" focusable="false"><use href="#i-${state}"/></svg>`;
}

function stateBadge(state: PageState, t: Catalog): string {
  return `<span class="st" data-state="${state}">${icon(state)}<span class="st-label">${t.state[state]}</span></span>`;
}

/** A cell's look: no data, good, degraded, some downtime (≥ 99%), much downtime. */
export function cellLevel(cell: HistoryCell): '' | 'n' | 'd' | 'p' | 'm' {
  if (cell.checks === 0 && cell.incidents === 0) return 'n';
  const uptime = cell.uptime ?? 1;
  if (uptime < 0.99) return 'm';
  if (uptime < 1 || cell.downMs > 0) return 'p';
  // A few slow checks in a day are not worth a yellow bar; an incident or one check in twenty is.
  if (cell.degraded >= cell.checks * 0.05 || cell.incidents > 0) return 'd';
  return '';
}

/**
 * The bar: good cells carry nothing; others their level and, when there is something to say, `data-v` with the
 * uptime in basis points (or `-` without checks), the minutes down and the incidents: the script's tooltips.
 */
function bar(cells: readonly HistoryCell[], unit: 'd' | 'h', name: string, t: Catalog): string {
  const inner = cells
    .map((cell) => {
      const level = cellLevel(cell);
      if (level === '') return '<i></i>';
      if (level === 'n') return '<i class="n"></i>';
      const uptime = cell.uptime === undefined ? '-' : Math.floor(cell.uptime * 10_000);
      return `<i class="${level}" data-v="${uptime},${Math.round(cell.downMs / 60_000)},${cell.incidents}"></i>`;
    })
    .join('');
  const label = format(t.barsLabel, { name, unit: unit === 'd' ? t.unitDay : t.unitHour });
  return `<div class="bar" data-unit="${unit}" data-from="${cells[0]?.start ?? 0}" role="group" aria-label="${escapeHtml(label)}">${inner}</div>`;
}

function percentOr(value: number | undefined, f: Formatters, t: Catalog): string {
  return value === undefined ? t.noData : f.percent(value);
}

/** For screen readers (and anyone without CSS): the days with downtime, as a table. */
function downtimeTable(monitor: PageMonitor, t: Catalog, f: Formatters): string {
  const bad = monitor.days.filter((cell) => cellLevel(cell) === 'p' || cellLevel(cell) === 'm');
  if (bad.length === 0) return `<p class="sr">${t.noDaysWithDowntime}</p>`;
  const rows = bad
    .map(
      (cell) =>
        `<tr><th scope="row">${f.day(cell.start)}</th><td>${percentOr(cell.uptime, f, t)}</td><td>${f.integer(Math.round(cell.downMs / 60_000))}</td><td>${cell.incidents}</td></tr>`,
    )
    .join('');
  const head = `<tr><th scope="col">${t.period}</th><th scope="col">${t.uptime}</th><th scope="col">${escapeHtml(format(t.minutesDown, { value: '' }).trim())}</th><th scope="col">${escapeHtml(format(t.incidents, { count: '' }).trim())}</th></tr>`;
  return `<table class="sr"><caption>${escapeHtml(monitor.view.name)}: ${t.daysWithDowntime}</caption><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

/** Each monitor's markup, kept with its data: a rebuild after a state change renders only what changed. */
const fragments = new WeakMap<PageMonitor, string>();

function monitorItem(monitor: PageMonitor, t: Catalog, f: Formatters): string {
  let html = fragments.get(monitor);
  if (html === undefined) {
    html = renderMonitorItem(monitor, t, f);
    fragments.set(monitor, html);
  }
  return html;
}

function renderMonitorItem(monitor: PageMonitor, t: Catalog, f: Formatters): string {
  const { view } = monitor;
  const id = escapeHtml(view.id);
  const name = escapeHtml(view.name);
  const description = view.description ? `<p class="md">${escapeHtml(view.description)}</p>` : '';
  const heartbeat = view.heartbeat
    ? `<p class="md">${escapeHtml(view.heartbeat.lastPingAt === null ? t.noPingYet : format(t.lastPing, { time: f.dateTime(view.heartbeat.lastPingAt) }))}</p>`
    : '';
  // Checked from several places: the state at each, next to the one judged over all of them.
  const locations = view.locations
    ? `<p class="md" aria-label="${escapeHtml(`${view.name}: ${t.byLocation}`)}">${view.locations
        .map(({ location, state }) => `${escapeHtml(location)}: ${t.state[pageStateOf(state)]}`)
        .join(' · ')}</p>`
    : '';
  const windows = (['h24', 'd7', 'd30', 'd90'] as const)
    .map((key) => `<div><dt>${t.uptimeWindows[key]}</dt><dd>${percentOr(monitor.uptime[key], f, t)}</dd></div>`)
    .join('');
  return `<li class="mon" id="m-${id}" data-id="${id}" data-state="${monitor.state}">
<div class="mh"><h3>${name}</h3>${stateBadge(monitor.state, t)}</div>${description}${heartbeat}${locations}
${bar(monitor.days, 'd', view.name, t)}<div class="axis" aria-hidden="true"><span>${t.daysAgo}</span><span>${t.today}</span></div>
${bar(monitor.hours, 'h', view.name, t)}<div class="axis" aria-hidden="true"><span>${t.hoursAgo}</span><span>${t.now}</span></div>
<dl class="uptimes" aria-label="${escapeHtml(`${view.name}: ${t.uptime}`)}">${windows}</dl>
<button class="chart-toggle" type="button" hidden aria-expanded="false" aria-controls="c-${id}">${t.showChart}</button><div class="chart" id="c-${id}" hidden></div>
${downtimeTable(monitor, t, f)}</li>`;
}

function sectionBlock(section: PageSection, open: boolean, t: Catalog, f: Formatters): string {
  const index = section.index;
  const items = section.monitors.map((monitor) => monitorItem(monitor, t, f)).join('\n');
  const heading = section.title === undefined ? '' : escapeHtml(section.title);
  if (heading === '') return `<section class="group" data-group="${index}" data-state="${section.state}"><ul class="monitors">${items}</ul></section>`;
  return `<section class="group" data-group="${index}" data-state="${section.state}"><details${open ? ' open' : ''}><summary><h2>${heading}</h2>${stateBadge(section.state, t)}</summary><ul class="monitors">${items}</ul></details></section>`;
}

function maintenanceBlock(entries: readonly PageMaintenance[], t: Catalog, f: Formatters): string {
  if (entries.length === 0) return '';
  const item = (entry: PageMaintenance) => {
    const when = entry.active
      ? format(t.maintenanceUntil, { time: f.dateTime(entry.end) })
      : format(t.maintenanceFrom, { start: f.dateTime(entry.start), end: f.dateTime(entry.end) });
    const affects = format(t.maintenanceAffects, { names: entry.monitors.length === 0 ? t.allMonitors : entry.monitors.join(', ') });
    return `<li><strong>${escapeHtml(entry.name)}</strong> <span>${escapeHtml(when)}</span><br><span class="muted">${escapeHtml(affects)}</span></li>`;
  };
  const active = entries.filter((entry) => entry.active);
  const upcoming = entries.filter((entry) => !entry.active);
  const block = (title: string, list: readonly PageMaintenance[], css: string) =>
    list.length === 0 ? '' : `<section class="notice ${css}"><h2>${icon(css === 'now' ? 'maintenance' : 'nodata')}${title}</h2><ul>${list.map(item).join('')}</ul></section>`;
  return block(t.maintenanceNow, active, 'now') + block(t.maintenanceUpcoming, upcoming, 'upcoming');
}

/** One status incident: title, state, affected monitors, and its updates, newest first. */
export function incidentArticle(incident: StatusIncident, names: ReadonlyMap<string, string>, t: Catalog, f: Formatters, heading: 'h3' | 'h4' = 'h3'): string {
  const affected = incident.monitors
    .filter((monitor) => names.has(monitor.id))
    .map((monitor) => `${names.get(monitor.id)!} (${t.state[monitor.impact]})`);
  const updates = [...incident.updates]
    .reverse()
    .map(
      (update) =>
        `<li><strong>${t.incidentState[update.status]}</strong> <time datetime="${new Date(update.at).toISOString()}">${escapeHtml(f.dateTime(update.at))}</time>${update.message ? `<p>${escapeHtml(update.message)}</p>` : ''}</li>`,
    )
    .join('');
  return `<article class="incident" id="incident-${incident.id}" data-status="${incident.status}" data-impact="${incident.impact}"><${heading}>${escapeHtml(incident.title)}</${heading}><p class="muted"><span class="pill">${t.incidentState[incident.status]}</span>${affected.length ? ` ${escapeHtml(format(t.affected, { names: affected.join(', ') }))}` : ''}</p><ol class="updates">${updates}</ol></article>`;
}

function incidentsBlock(data: PageData, base: string, t: Catalog, f: Formatters): string {
  const monitors = data.sections.flatMap((section) => section.monitors);
  const names = new Map(monitors.map((monitor) => [monitor.view.id, monitor.view.name]));
  // A monitor's own open incident is listed unless a written incident already covers the monitor.
  const covered = new Set(data.incidents.flatMap((incident) => incident.monitors.map((monitor) => monitor.id)));
  const measured = monitors
    .filter((monitor) => monitor.openIncident !== undefined && !covered.has(monitor.view.id))
    .map((monitor) => {
      const text = format(t.incidentSince, { name: monitor.view.name, state: t.state[monitor.state], time: f.dateTime(monitor.openIncident!.startedAt) });
      return `<li data-state="${monitor.state}">${icon(monitor.state)}<a href="#m-${escapeHtml(monitor.view.id)}">${escapeHtml(text)}</a></li>`;
    })
    .join('');
  const current =
    data.incidents.length === 0 && measured === ''
      ? ''
      : `<section class="notice incidents"><h2>${t.currentIncidents}</h2>${data.incidents.map((incident) => incidentArticle(incident, names, t, f)).join('')}${measured ? `<ul>${measured}</ul>` : ''}</section>`;
  const past =
    data.recent.length === 0
      ? ''
      : `<section class="notice recent"><h2>${t.pastIncidents}</h2><ul>${data.recent
          .map(
            (incident) =>
              `<li><a href="${escapeHtml(base)}/history#incident-${incident.id}">${escapeHtml(incident.title)}</a> <span class="muted">${escapeHtml(format(t.resolvedOn, { time: f.dateTime(incident.resolvedAt ?? incident.updatedAt) }))}</span></li>`,
          )
          .join('')}</ul></section>`;
  return current + past;
}

function pager(data: PageData, base: string, t: Catalog): string {
  if (data.pageCount <= 1) return '';
  const link = (n: number, text: string, rel: string) => `<a href="${escapeHtml(base)}?page=${n}" rel="${rel}">${text}</a>`;
  const previous = data.pageNumber > 1 ? link(data.pageNumber - 1, t.previous, 'prev') : '';
  const next = data.pageNumber < data.pageCount ? link(data.pageNumber + 1, t.next, 'next') : '';
  return `<nav class="pager" aria-label="${escapeHtml(format(t.page, { n: data.pageNumber, total: data.pageCount }))}">${previous}<span>${format(t.page, { n: data.pageNumber, total: data.pageCount })}</span>${next}</nav>`;
}

/** The texts the script needs, in the page's language (a JSON data block: not executed, allowed by the CSP). */
function scriptTexts(t: Catalog): string {
  const texts = {
    state: t.state,
    banner: t.banner,
    noData: t.noData,
    uptimePercent: t.uptimePercent,
    minutesDown: t.minutesDown,
    noDowntime: t.noDowntime,
    incidents: t.incidents,
    showChart: t.showChart,
    hideChart: t.hideChart,
    chartTitle: t.chartTitle,
    chartRange: t.chartRange,
    chartEmpty: t.chartEmpty,
    chartAverage: t.chartAverage,
    chartP95: t.chartP95,
    ms: t.ms,
    theme: t.theme,
    themeSystem: t.themeSystem,
    themeLight: t.themeLight,
    themeDark: t.themeDark,
  };
  // `<` escaped so that no text can close the script element.
  return JSON.stringify(texts).replace(/</g, '\\u003c');
}

interface LayoutInput {
  config: StatusPageConfig;
  options: RenderOptions;
  t: Catalog;
  /** The document title. */
  title: string;
  /** The id "skip to content" goes to. */
  skipTo: string;
  /** Attributes of <main> (trusted, already escaped). */
  mainAttributes: string;
  main: string;
}

/** The frame every page of a status page shares: head, header with links and theme, footer with feeds. */
function layout({ config, options, t, title, skipTo, mainAttributes, main }: LayoutInput): string {
  const logo = config.logo ? `<img class="logo" src="${escapeHtml(config.logo)}" alt="" width="40" height="40">` : '';
  const description = config.description ? `<p class="lead">${escapeHtml(config.description)}</p>` : '';
  const links = config.links.length
    ? `<nav aria-label="${t.links}"><ul class="links">${config.links.map((link) => `<li><a href="${escapeHtml(link.url)}">${escapeHtml(link.label)}</a></li>`).join('')}</ul></nav>`
    : '';
  const footer = config.footer ? `<p>${escapeHtml(config.footer)}</p>` : '';
  const base = escapeHtml(options.base);
  return `<!doctype html>
<html lang="${config.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
${config.description ? `<meta name="description" content="${escapeHtml(config.description)}">` : ''}
<meta name="color-scheme" content="light dark">
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(options.css)}">
<link rel="alternate" type="application/rss+xml" title="${escapeHtml(config.title)} (RSS)" href="${base}/feed.rss">
<link rel="alternate" type="application/atom+xml" title="${escapeHtml(config.title)} (Atom)" href="${base}/feed.atom">
<script src="${escapeHtml(options.script)}" defer></script>
</head>
<body>
${sprite()}
<a class="skip" href="#${skipTo}">${t.skipToContent}</a>
<header class="top">
<div class="brand">${logo}<div><h1>${escapeHtml(config.title)}</h1>${description}</div></div>
${links}
<div class="theme" hidden><label for="theme">${t.theme}</label> <select id="theme"><option value="system">${t.themeSystem}</option><option value="light">${t.themeLight}</option><option value="dark">${t.themeDark}</option></select></div>
</header>
<main ${mainAttributes}>
${main}
</main>
<footer class="bottom">${footer}<p><a href="${base}">${t.currentStatus}</a> · <a href="${base}/history">${t.incidentHistory}</a> · ${t.subscribe}: <a href="${base}/feed.rss">RSS</a> · <a href="${base}/feed.atom">Atom</a></p><p>${t.poweredBy}</p></footer>
<div id="tip" class="tip" role="tooltip" hidden></div>
<script type="application/json" id="texts">${scriptTexts(t)}</script>
</body>
</html>
`;
}

export function renderStatusPage(data: PageData, options: RenderOptions): string {
  const { config } = data;
  const t = catalogOf(config.language);
  const f = formattersOf(config.language);
  const total = data.sections.reduce((sum, section) => sum + section.monitors.length, 0);
  const collapse = total > (options.collapseAbove ?? 200);
  const sections = data.sections.map((section) => sectionBlock(section, !collapse || section.state !== 'operational', t, f)).join('\n');
  const bannerText = total === 0 && data.total === 0 ? t.banner.empty : t.banner[data.state];
  const main = `<section class="banner" data-state="${data.state}" aria-labelledby="banner-text">${icon(data.state)}<div><h2 id="banner-text" role="status">${bannerText}</h2><p class="updated">${escapeHtml(format(t.updated, { time: f.dateTime(data.generatedAt) }))} · ${escapeHtml(format(t.monitorCount, { count: data.total }))}</p></div></section>
${maintenanceBlock(data.maintenance, t, f)}${incidentsBlock(data, options.base, t, f)}
<div id="monitors" tabindex="-1">
${sections}
</div>
${pager(data, options.base, t)}`;
  return layout({
    config,
    options,
    t,
    title: config.title,
    skipTo: 'monitors',
    mainAttributes: `id="status" data-base="${escapeHtml(options.base)}" data-page="${data.pageNumber}"`,
    main,
  });
}

export interface HistoryInput {
  config: StatusPageConfig;
  /** Published incidents of the page over the last 90 days, newest first. */
  incidents: readonly StatusIncident[];
  /** Names of the page's monitors, by id. */
  names: ReadonlyMap<string, string>;
  generatedAt: number;
}

/** `/status/<slug>/history`: the page's incidents of the last 90 days, by day, newest first. */
export function renderHistoryPage(input: HistoryInput, options: RenderOptions): string {
  const { config } = input;
  const t = catalogOf(config.language);
  const f = formattersOf(config.language);
  const days = new Map<string, StatusIncident[]>();
  for (const incident of input.incidents) {
    const day = f.day(incident.createdAt);
    days.set(day, [...(days.get(day) ?? []), incident]);
  }
  const body =
    input.incidents.length === 0
      ? `<p>${t.noIncidents}</p>`
      : [...days].map(([day, incidents]) => `<section class="day"><h3>${escapeHtml(day)}</h3>${incidents.map((incident) => incidentArticle(incident, input.names, t, f, 'h4')).join('')}</section>`).join('\n');
  return layout({
    config,
    options,
    t,
    title: format(t.historyTitle, { title: config.title }),
    skipTo: 'history',
    mainAttributes: `id="history" tabindex="-1" data-base="${escapeHtml(options.base)}"`,
    main: `<h2 class="page-title">${t.incidentHistory}</h2>\n${body}`,
  });
}
