/**
 * The status page's script. The page is complete without it; it adds: tooltips on the history bars (hover, tap,
 * or focus a bar and move with the arrow keys), live state changes from the page's event stream, the theme
 * switch and response-time charts on demand. No framework: it only touches what the server rendered.
 */

type Texts = {
  state: Record<string, string>;
  banner: Record<string, string>;
  noData: string;
  uptimePercent: string;
  minutesDown: string;
  noDowntime: string;
  incidents: string;
  showChart: string;
  hideChart: string;
  chartTitle: string;
  chartRange: Record<string, string>;
  chartEmpty: string;
  chartAverage: string;
  chartP95: string;
  ms: string;
};

// The status page's <main> (#status) or the history page's (#history): both carry the page's base path.
const main = document.querySelector('main') as HTMLElement;
const texts = JSON.parse(document.getElementById('texts')?.textContent ?? '{}') as Texts;
const base = main.dataset.base ?? '';
const lang = document.documentElement.lang || 'en';
const fill = (template: string, values: Record<string, string | number>) =>
  template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
const dayFormat = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', year: 'numeric', month: 'short', day: 'numeric' });
const hourFormat = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });
const percentFormat = new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const wholePercent = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 0 });

// ------------------------------------------------------------------------------------------------------- theme
const THEME_KEY = 'vigil-theme';
function applyTheme(theme: string): void {
  if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;
  else delete document.documentElement.dataset.theme;
}
function readTheme(): string {
  try {
    return localStorage.getItem(THEME_KEY) ?? 'system';
  } catch {
    return 'system';
  }
}
const themeBox = document.querySelector<HTMLElement>('.theme');
const themeSelect = document.getElementById('theme') as HTMLSelectElement | null;
if (themeBox && themeSelect) {
  themeSelect.value = readTheme();
  applyTheme(themeSelect.value);
  themeBox.hidden = false;
  themeSelect.addEventListener('change', () => {
    applyTheme(themeSelect.value);
    try {
      localStorage.setItem(THEME_KEY, themeSelect.value);
    } catch {
      // Private browsing: the choice lasts for this page.
    }
  });
}

// ---------------------------------------------------------------------------------------------------- tooltips
const tip = document.getElementById('tip') as HTMLElement;
const live = document.createElement('div');
live.className = 'sr';
live.setAttribute('aria-live', 'polite');
document.body.append(live);

/** What one cell says: its date, uptime, minutes down, incidents. */
function describeCell(bar: HTMLElement, index: number): { title: string; lines: string[] } {
  const unit = bar.dataset.unit === 'h' ? 3_600_000 : 86_400_000;
  const start = Number(bar.dataset.from) + index * unit;
  const title = unit === 3_600_000 ? hourFormat.format(start) : dayFormat.format(start);
  const cell = bar.children[index] as HTMLElement;
  if (cell.classList.contains('n')) return { title, lines: [texts.noData] };
  // A good cell carries no data: all checks up, no downtime, no incident.
  const [uptime = '10000', minutes = '0', count = '0'] = (cell.dataset.v ?? '10000,0,0').split(',');
  const lines: string[] = [];
  lines.push(uptime === '-' ? texts.noData : fill(texts.uptimePercent, { value: uptime === '10000' ? wholePercent.format(1) : percentFormat.format(Number(uptime) / 10_000) }));
  if (minutes !== '0') lines.push(fill(texts.minutesDown, { value: minutes }));
  else if (uptime === '10000') lines.push(texts.noDowntime);
  if (count !== '0') lines.push(fill(texts.incidents, { count }));
  return { title, lines };
}

let current: { bar: HTMLElement; index: number } | undefined;

function showTip(bar: HTMLElement, index: number, announce: boolean): void {
  const count = bar.children.length;
  if (count === 0) return;
  index = Math.max(0, Math.min(count - 1, index));
  current?.bar.children[current.index]?.classList.remove('cur');
  current = { bar, index };
  const cell = bar.children[index] as HTMLElement;
  cell.classList.add('cur');
  const { title, lines } = describeCell(bar, index);
  tip.replaceChildren();
  const strong = document.createElement('strong');
  strong.textContent = title;
  tip.append(strong, ...lines.map((line) => Object.assign(document.createElement('span'), { textContent: line })));
  for (const span of tip.querySelectorAll('span')) span.style.display = 'block';
  tip.hidden = false;
  const box = cell.getBoundingClientRect();
  const width = tip.offsetWidth;
  const left = Math.min(Math.max(8, box.left + box.width / 2 - width / 2 + window.scrollX), document.documentElement.clientWidth - width - 8 + window.scrollX);
  tip.style.left = `${left}px`;
  tip.style.top = `${box.bottom + window.scrollY + 8}px`;
  if (announce) live.textContent = `${title}: ${lines.join(', ')}`;
}

function hideTip(): void {
  current?.bar.children[current.index]?.classList.remove('cur');
  current = undefined;
  tip.hidden = true;
}

for (const bar of document.querySelectorAll<HTMLElement>('.bar')) {
  bar.tabIndex = 0;
  bar.setAttribute('aria-describedby', 'tip');
  const cellIndex = (target: EventTarget | null) => (target instanceof HTMLElement && target.parentElement === bar ? [...bar.children].indexOf(target) : -1);
  bar.addEventListener('focus', () => showTip(bar, current?.bar === bar ? current.index : bar.children.length - 1, true));
  bar.addEventListener('blur', hideTip);
  bar.addEventListener('keydown', (event) => {
    const index = current?.bar === bar ? current.index : bar.children.length - 1;
    const moves: Record<string, number> = { ArrowLeft: index - 1, ArrowRight: index + 1, Home: 0, End: bar.children.length - 1 };
    if (event.key in moves) {
      event.preventDefault();
      showTip(bar, moves[event.key]!, true);
    } else if (event.key === 'Escape') hideTip();
  });
  bar.addEventListener('pointermove', (event) => {
    const index = cellIndex(event.target);
    if (index >= 0 && event.pointerType === 'mouse') showTip(bar, index, false);
  });
  bar.addEventListener('pointerleave', (event) => {
    if (event.pointerType === 'mouse' && document.activeElement !== bar) hideTip();
  });
  // A tap (or a click) opens the day's tooltip; a second tap on the same day closes it.
  bar.addEventListener('click', (event) => {
    const index = cellIndex(event.target);
    if (index < 0) return;
    if (current?.bar === bar && current.index === index && event.pointerType !== 'mouse' && !tip.hidden) hideTip();
    else showTip(bar, index, true);
  });
}
document.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') hideTip();
});

// -------------------------------------------------------------------------------------------------- live state
function setBadge(container: Element | null, state: string): void {
  if (!container) return;
  container.setAttribute('data-state', state);
  const badge = container.querySelector(':scope > .st, :scope > .mh > .st, :scope > details > summary > .st');
  if (!badge) return;
  badge.setAttribute('data-state', state);
  badge.querySelector('use')?.setAttribute('href', `#i-${state}`);
  const label = badge.querySelector('.st-label');
  if (label) label.textContent = texts.state[state] ?? state;
}

interface LiveUpdate {
  banner: string;
  groups: Array<{ index: number; state: string }>;
  monitors: Array<{ id: string; state: string }>;
}

function applyUpdate(update: LiveUpdate): void {
  for (const monitor of update.monitors) setBadge(document.getElementById(`m-${monitor.id}`), monitor.state);
  for (const group of update.groups) setBadge(main.querySelector(`.group[data-group="${group.index}"]`), group.state);
  const banner = main.querySelector<HTMLElement>('.banner');
  if (banner && banner.dataset.state !== update.banner) {
    banner.dataset.state = update.banner;
    banner.querySelector(':scope > .icon use')?.setAttribute('href', `#i-${update.banner}`);
    const text = banner.querySelector('h2');
    if (text) text.textContent = texts.banner[update.banner] ?? update.banner;
  }
}

if ('EventSource' in window && base && main.id === 'status') {
  const source = new EventSource(`${base}/events?page=${main.dataset.page ?? '1'}`);
  source.addEventListener('state', (event) => applyUpdate(JSON.parse((event as MessageEvent<string>).data) as LiveUpdate));
  main.dataset.live = 'connecting';
  source.addEventListener('open', () => (main.dataset.live = 'on'));
  source.addEventListener('error', () => (main.dataset.live = 'retrying'));
}

// ------------------------------------------------------------------------------------------------------ charts
const SVG = 'http://www.w3.org/2000/svg';
type Point = [number, number | null, number | null];

function svg<K extends keyof SVGElementTagNameMap>(name: K, attributes: Record<string, string | number>): SVGElementTagNameMap[K] {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  return element;
}

function drawChart(box: HTMLElement, name: string, points: Point[]): void {
  const plot = box.querySelector('.plot') ?? box.appendChild(Object.assign(document.createElement('div'), { className: 'plot' }));
  plot.replaceChildren();
  const values = points.flatMap(([, avg, p95]) => [avg, p95]).filter((value): value is number => value !== null);
  if (values.length === 0) {
    plot.append(Object.assign(document.createElement('p'), { className: 'muted', textContent: texts.chartEmpty }));
    return;
  }
  const width = 600;
  const height = 140;
  const top = Math.max(...values) * 1.1 || 1;
  const first = points[0]![0];
  const span = Math.max(1, points[points.length - 1]![0] - first);
  const x = (t: number) => (points.length === 1 ? width / 2 : 40 + ((t - first) / span) * (width - 48));
  const y = (v: number) => height - 18 - (v / top) * (height - 28);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': fill(texts.chartTitle, { name }) });
  for (const fraction of [0, 0.5, 1]) {
    chart.append(svg('line', { class: 'grid', x1: 40, x2: width - 8, y1: y(top * fraction), y2: y(top * fraction) }));
    const label = svg('text', { x: 0, y: y(top * fraction) + 4 });
    label.textContent = fill(texts.ms, { value: Math.round(top * fraction) });
    chart.append(label);
  }
  const line = (index: 1 | 2, css: string) => {
    const path = points
      .filter((point) => point[index] !== null)
      .map((point, at) => `${at === 0 ? 'M' : 'L'}${x(point[0]).toFixed(1)},${y(point[index]!).toFixed(1)}`)
      .join('');
    if (path) chart.append(svg('path', { class: css, d: path }));
    // Few points (a new monitor, a quiet range): each one is marked, so a single hour still shows.
    if (points.length <= 48) {
      for (const point of points) if (point[index] !== null) chart.append(svg('circle', { class: css, cx: x(point[0]).toFixed(1), cy: y(point[index]!).toFixed(1), r: 2.5 }));
    }
  };
  line(2, 'p95');
  line(1, 'avg');
  const legend = document.createElement('p');
  legend.className = 'legend';
  legend.textContent = `— ${texts.chartAverage}   - - ${texts.chartP95}`;
  plot.append(chart, legend);
}

async function loadChart(box: HTMLElement, id: string, name: string, range: string): Promise<void> {
  for (const button of box.querySelectorAll<HTMLButtonElement>('.ranges button')) button.setAttribute('aria-pressed', String(button.dataset.range === range));
  try {
    const response = await fetch(`${base}/monitors/${encodeURIComponent(id)}/latency.json?range=${range}`);
    if (!response.ok) throw new Error(String(response.status));
    const body = (await response.json()) as { points: Point[] };
    drawChart(box, name, body.points);
  } catch {
    drawChart(box, name, []);
  }
}

for (const toggle of document.querySelectorAll<HTMLButtonElement>('.chart-toggle')) {
  const box = document.getElementById(toggle.getAttribute('aria-controls') ?? '') as HTMLElement | null;
  const item = toggle.closest<HTMLElement>('.mon');
  if (!box || !item) continue;
  const id = item.dataset.id ?? '';
  const name = item.querySelector('h3')?.textContent ?? id;
  toggle.hidden = false;
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? texts.hideChart : texts.showChart;
    box.hidden = !open;
    if (!open || box.childElementCount > 0) return;
    const ranges = document.createElement('div');
    ranges.className = 'ranges';
    for (const [range, label] of Object.entries(texts.chartRange)) {
      const button = Object.assign(document.createElement('button'), { type: 'button', textContent: label });
      button.dataset.range = range;
      button.addEventListener('click', () => void loadChart(box, id, name, range));
      ranges.append(button);
    }
    box.append(ranges);
    void loadChart(box, id, name, 'h24');
  });
}
