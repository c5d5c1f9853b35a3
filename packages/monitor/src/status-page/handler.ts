/**
 * The status pages over HTTP, for anyone (only public monitors are on them):
 *
 *   GET /                                        the default page
 *   GET /status/<slug>[?page=N]                  a page
 *   GET /status/<slug>/history                   its published incidents of the last 90 days
 *   GET /status/<slug>/feed.rss|feed.atom        its incidents and maintenance as RSS and Atom
 *   GET /status/<slug>/summary.json              the page in the hosted status-page API's shape
 *   GET /status/<slug>/events                    live state changes (server-sent events)
 *   GET /status/<slug>/badge.svg|.json           the page's status as a badge / a shields.io endpoint
 *   GET /status/<slug>/monitors/<id>/latency.json?range=h24|d7|d30
 *   GET /status/<slug>/monitors/<id>/badge/<status|uptime|response>.svg|.json[?window=24h|7d|30d|90d]
 *   GET /status-assets/<file>                    the script and style sheet, content-hashed
 *
 * A page's HTML is built once and kept until a monitor changes state, monitors, incidents or the configuration
 * change, or it is a minute old (the bars of the hour and the day in progress move); concurrent readers share one build.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MonitorView } from '../api/types.js';
import type { MaintenanceWindowConfig } from '../config/maintenance.js';
import type { StatusPageConfig } from '../config/status-pages.js';
import type { VigilConfig } from '../config/schema.js';
import { describeError, type Logger } from '../log/logger.js';
import type { EventFeed } from '../pipeline/feed.js';
import type { StatusIncident, Store, StoreSummary } from '../store/store.js';
import { DAY_MS, HOUR_MS, floorTo } from '../store/time.js';
import { ASSET_PREFIX, sendAsset, statusAssets, type Asset } from './assets.js';
import { BADGE_WINDOWS, badgeSvg, responseBadge, shieldsJson, statusBadge, uptimeBadge, type Badge, type BadgeWindow } from './badges.js';
import { CompressedBody, sendCompressed } from './compressed.js';
import { atomFeed, rssFeed } from './feeds.js';
import { FinishedDays, gatherPage, type PageData, HISTORY_DAYS, incidentImpacts, incidentOnPage, isOnPage, pageMaintenance, pageSections, shownState } from './data.js';
import { LivePages } from './live.js';
import { renderHistoryPage, renderStatusPage } from './render.js';
import { combineStates, type PageState } from './states.js';
import { statusSummary } from './summary.js';

/** A built page is kept at most this long (the history of the hour in progress moves). */
export const PAGE_MAX_AGE_MS = 60_000;
/** A rebuild after fewer state changes than this re-reads and re-renders only the monitors that changed. */
export const PARTIAL_REBUILD_MAX = 100;

/** The page served at `/` when none is marked `default`: every public monitor, by group. */
export const ALL_PUBLIC: StatusPageConfig = {
  slug: 'all',
  title: 'Status',
  links: [],
  language: 'en',
  default: true,
};

export interface StatusPageDeps {
  store: Store;
  feed: EventFeed;
  views: () => MonitorView[];
  /** One monitor's view (cheaper than all of them); from `views` when not given. */
  view?: (id: string) => MonitorView | undefined;
  config: () => VigilConfig;
  /** Changes (by identity) whenever monitors are added, changed or removed. */
  monitorsVersion: () => unknown;
  /** Changes whenever a status page incident is written. */
  incidentsVersion: () => number;
  /**
   * The maintenance windows to show (the configuration's and those scheduled through the API): the same array, by
   * identity, until they change. Default: the configuration's.
   */
  maintenance?: () => readonly MaintenanceWindowConfig[];
  logger: Logger;
  now?: () => number;
}

interface Built {
  body: CompressedBody;
  /** Pages of the status page when it was built (a `?page=` beyond is the last one). */
  pageCount?: number;
  /** The address the body names (summary.json): another Host builds anew. */
  host?: string;
  head: number;
  config: VigilConfig;
  monitors: unknown;
  incidents: number;
  windows: readonly MaintenanceWindowConfig[];
  at: number;
}

const HTML_HEADERS = { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'referrer-policy': 'same-origin' };
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'access-control-allow-origin': '*', 'x-content-type-options': 'nosniff' };

type Handler = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface StatusPages {
  handle: Handler;
  /** Builds the default page ahead of its first reader (call once the monitors' states are loaded). */
  warm(): Promise<void>;
  /** Pages built since start (for tests and benchmarks: a cached page is not built again). */
  readonly builds: number;
}

export function createStatusPages(deps: StatusPageDeps): StatusPages {
  const now = deps.now ?? Date.now;
  const assets = statusAssets();
  const assetsByPath = new Map<string, Asset>([assets.script, assets.style].map((asset) => [asset.path, asset]));
  const cache = new Map<string, Built>();
  const finishedDays = new FinishedDays();
  const viewOf = deps.view ?? ((id: string) => deps.views().find((view) => view.id === id));
  const building = new Map<string, Promise<Built>>();
  const windows = deps.maintenance ?? (() => deps.config().maintenance);
  let builds = 0;

  const pages = () => deps.config().status_pages;
  const pageOf = (slug: string): StatusPageConfig | undefined =>
    pages().find((page) => page.slug === slug) ?? (slug === ALL_PUBLIC.slug ? ALL_PUBLIC : undefined);
  const defaultPage = (): StatusPageConfig => pages().find((page) => page.default) ?? pageOf(ALL_PUBLIC.slug)!;
  // Open published incidents, read again only when incidents changed: live updates need their impacts.
  let openIncidents: { version: number; impacts: Promise<ReadonlyMap<string, PageState>> } | undefined;
  const impacts = (): Promise<ReadonlyMap<string, PageState>> => {
    const version = deps.incidentsVersion();
    if (openIncidents?.version !== version) {
      const read = deps.store.statusIncidents({ limit: 200, since: Number.MAX_SAFE_INTEGER, publishedOnly: true }).then(incidentImpacts);
      openIncidents = { version, impacts: read };
      read.catch(() => (openIncidents = undefined));
    }
    return openIncidents.impacts;
  };
  const live = new LivePages(deps.feed, deps.views, pageOf, impacts);

  const csp = (page: StatusPageConfig) => {
    const logo = page.logo ? ` ${new URL(page.logo).origin}` : '';
    return `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:${logo}; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
  };

  const fresh = (built: Built | undefined): built is Built =>
    built !== undefined &&
    built.head === deps.feed.head &&
    built.config === deps.config() &&
    built.monitors === deps.monitorsVersion() &&
    built.incidents === deps.incidentsVersion() &&
    built.windows === windows() &&
    now() - built.at < PAGE_MAX_AGE_MS;

  const stamp = () => ({
    head: deps.feed.head,
    config: deps.config(),
    monitors: deps.monitorsVersion(),
    incidents: deps.incidentsVersion(),
    windows: windows(),
    at: now(),
  });
  const renderOptions = (page: StatusPageConfig) => ({ base: `/status/${page.slug}`, css: assets.style.path, script: assets.script.path });

  /** Each page's last data, and when its history was last read in full. */
  const lastData = new Map<string, { data: PageData; stamp: ReturnType<typeof stamp>; fullAt: number }>();

  /**
   * The monitors that changed state since `last` was built, when a rebuild can reuse the others: same
   * configuration, monitors, incidents and UTC hour, history read in full less than a minute ago, and few changes.
   */
  async function changedSince(last: { stamp: ReturnType<typeof stamp>; fullAt: number } | undefined, at: ReturnType<typeof stamp>): Promise<Set<string> | undefined> {
    if (
      last === undefined ||
      last.stamp.config !== at.config ||
      last.stamp.monitors !== at.monitors ||
      last.stamp.incidents !== at.incidents ||
      last.stamp.windows !== at.windows
    ) {
      return undefined;
    }
    // Same hour (so the same day): every monitor's bars start at the same hour and day.
    if (at.at - last.fullAt >= PAGE_MAX_AGE_MS || floorTo(at.at, HOUR_MS) !== floorTo(last.fullAt, HOUR_MS)) return undefined;
    const events = await deps.store.events({ after: last.stamp.head, limit: PARTIAL_REBUILD_MAX });
    if (events.length >= PARTIAL_REBUILD_MAX) return undefined;
    // Every change read, also those after the stamp's head: the views the page is built from already show them.
    return new Set(events.map((event) => event.monitorId));
  }

  async function buildPage(page: StatusPageConfig, pageNumber: number): Promise<Built> {
    const at = stamp();
    const key = `${page.slug}\n${pageNumber}`;
    const last = lastData.get(key);
    const changed = await changedSince(last, at);
    const data = await gatherPage({
      store: deps.store,
      config: page,
      views: deps.views(),
      windows: at.windows,
      now: at.at,
      pageNumber,
      finishedDays: { cache: finishedDays, key },
      ...(changed && last ? { reuse: { data: last.data, changed } } : {}),
    });
    lastData.set(key, { data, stamp: at, fullAt: changed && last ? last.fullAt : at.at });
    const html = renderStatusPage(data, renderOptions(page));
    builds++;
    return { ...at, pageCount: data.pageCount, body: new CompressedBody(Buffer.from(html)) };
  }

  /** Published incidents of the last 90 days that concern the page, newest first. */
  async function pageIncidents(page: StatusPageConfig, at: number): Promise<{ incidents: StatusIncident[]; monitors: MonitorView[] }> {
    const monitors = pageSections(page, deps.views()).flatMap((section) => section.monitors);
    const ids = new Set(monitors.map((view) => view.id));
    const incidents = await deps.store.statusIncidents({ limit: 500, since: at - HISTORY_DAYS * DAY_MS, publishedOnly: true });
    return { incidents: incidents.filter((incident) => incidentOnPage(incident, ids)), monitors };
  }

  async function buildHistory(page: StatusPageConfig): Promise<Built> {
    const at = stamp();
    const { incidents, monitors } = await pageIncidents(page, at.at);
    const names = new Map(monitors.map((view) => [view.id, view.name]));
    const html = renderHistoryPage({ config: page, incidents, names, generatedAt: at.at }, renderOptions(page));
    builds++;
    return { ...at, body: new CompressedBody(Buffer.from(html)) };
  }

  /** The page's HTML, from the cache when nothing changed; one build at a time per page. */
  async function cachedBuild(key: string, build: () => Promise<Built>, host?: string): Promise<Built> {
    const cached = cache.get(key);
    if (fresh(cached) && cached.host === host) return cached;
    let pending = building.get(key);
    if (pending === undefined) {
      pending = build().finally(() => building.delete(key));
      building.set(key, pending);
      const built = await pending;
      cache.set(key, built);
      return built;
    }
    return pending;
  }

  const cachedBody = async (key: string, build: () => Promise<Built>, host?: string) => (await cachedBuild(key, build, host)).body;

  async function servePage(req: IncomingMessage, res: ServerResponse, page: StatusPageConfig, url: URL): Promise<void> {
    const requested = Number.parseInt(url.searchParams.get('page') ?? '1', 10);
    let number = Number.isSafeInteger(requested) && requested > 0 ? requested : 1;
    // Beyond the last page is the last page, never a cache entry of its own: `?page=` with any number cannot fill
    // the cache. The count comes from the first page's build (counting monitors on each request costs too much).
    if (number > 1) {
      const first = await cachedBuild(`${page.slug}\n1`, () => buildPage(page, 1));
      number = Math.min(number, first.pageCount ?? 1);
    }
    const body = await cachedBody(`${page.slug}\n${number}`, () => buildPage(page, number));
    await sendCompressed(req, res, body, { ...HTML_HEADERS, 'content-security-policy': csp(page), 'cache-control': 'no-cache' });
  }

  function json(req: IncomingMessage, res: ServerResponse, status: number, value: unknown, cache = 'no-cache'): Promise<void> {
    if (status !== 200) {
      res.writeHead(status, { ...JSON_HEADERS, 'cache-control': 'no-store' });
      res.end(JSON.stringify(value));
      return Promise.resolve();
    }
    return sendCompressed(req, res, new CompressedBody(Buffer.from(JSON.stringify(value))), { ...JSON_HEADERS, 'cache-control': cache });
  }

  function notFound(res: ServerResponse): void {
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('not found\n');
  }

  async function summary(req: IncomingMessage, res: ServerResponse, page: StatusPageConfig): Promise<void> {
    const url = pageUrl(req, page);
    const built = await cachedBuild(
      `${page.slug}\nsummary`,
      async () => {
        const at = stamp();
        const sections = pageSections(page, deps.views());
        const monitors = sections.flatMap((section) => section.monitors);
        const ids = new Set(monitors.map((view) => view.id));
        const [open, written] = await Promise.all([
          monitors.length ? deps.store.incidentsOverlapping({ from: at.at, to: at.at + 1, monitorIds: [...ids] }) : [],
          deps.store.statusIncidents({ limit: 200, since: Number.MAX_SAFE_INTEGER, publishedOnly: true }),
        ]);
        const value = statusSummary({
          config: page,
          url,
          sections,
          openIncidents: open.filter((incident) => incident.endedAt === undefined),
          statusIncidents: written.filter((incident) => incidentOnPage(incident, ids)),
          maintenance: pageMaintenance(at.windows, monitors, at.at),
          now: at.at,
        });
        return { ...at, host: url, body: new CompressedBody(Buffer.from(JSON.stringify(value))) };
      },
      url,
    );
    await sendCompressed(req, res, built.body, { ...JSON_HEADERS, 'cache-control': 'no-cache' });
  }

  async function feed(req: IncomingMessage, res: ServerResponse, page: StatusPageConfig, kind: 'rss' | 'atom'): Promise<void> {
    const url = pageUrl(req, page);
    // Feed readers poll: built once per change, like the page.
    const built = await cachedBuild(
      `${page.slug}\nfeed.${kind}`,
      async () => {
        const at = stamp();
        const { incidents, monitors } = await pageIncidents(page, at.at);
        const input = { config: page, url, incidents, maintenance: pageMaintenance(at.windows, monitors, at.at), now: at.at };
        return { ...at, host: url, body: new CompressedBody(Buffer.from(kind === 'rss' ? rssFeed(input) : atomFeed(input))) };
      },
      url,
    );
    await sendCompressed(req, res, built.body, {
      'content-type': kind === 'rss' ? 'application/rss+xml; charset=utf-8' : 'application/atom+xml; charset=utf-8',
      'cache-control': 'public, max-age=60',
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': '*',
    });
  }

  const badgeBody = async (badge: Badge, format: 'svg' | 'json') =>
    new CompressedBody(Buffer.from(format === 'json' ? JSON.stringify(shieldsJson(badge)) : await badgeSvg(badge)));

  function sendBadgeBody(req: IncomingMessage, res: ServerResponse, body: CompressedBody, format: 'svg' | 'json'): Promise<void> {
    if (format === 'json') return sendCompressed(req, res, body, { ...JSON_HEADERS, 'cache-control': 'public, max-age=60' });
    return sendCompressed(req, res, body, {
      'content-type': 'image/svg+xml; charset=utf-8',
      'cache-control': 'public, max-age=60',
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
      'x-content-type-options': 'nosniff',
      'access-control-allow-origin': '*',
    });
  }

  const sendBadge = async (req: IncomingMessage, res: ServerResponse, badge: Badge, format: 'svg' | 'json') =>
    sendBadgeBody(req, res, await badgeBody(badge, format), format);

  async function monitorBadge(req: IncomingMessage, res: ServerResponse, view: MonitorView, kind: string, format: 'svg' | 'json', url: URL): Promise<void> {
    if (kind === 'status') return sendBadge(req, res, statusBadge(view.name, shownState(view, await impacts())), format);
    const window = (url.searchParams.get('window') ?? (kind === 'uptime' ? '30d' : '24h')) as BadgeWindow;
    if (!(window in BADGE_WINDOWS)) return json(req, res, 400, { error: `window must be one of ${Object.keys(BADGE_WINDOWS).join(', ')}` });
    const at = now();
    const figures = await deps.store.summary(view.id, at - BADGE_WINDOWS[window], at + 1);
    if (kind === 'uptime') return sendBadge(req, res, uptimeBadge(`uptime ${window}`, figures.uptime), format);
    if (kind === 'response') return sendBadge(req, res, responseBadge(`response ${window}`, figures.latencyAvgMs), format);
    notFound(res);
  }

  async function latency(req: IncomingMessage, res: ServerResponse, view: MonitorView, url: URL): Promise<void> {
    const range = url.searchParams.get('range') ?? 'h24';
    const at = now();
    let series: Map<number, StoreSummary> | undefined;
    let unit: 'hour' | 'day';
    if (range === 'h24' || range === 'd7') {
      const hours = range === 'h24' ? 24 : 168;
      const from = floorTo(at, HOUR_MS) - (hours - 1) * HOUR_MS;
      series = (await deps.store.hourlySummaries([view.id], from, at + 1)).get(view.id);
      unit = 'hour';
    } else if (range === 'd30') {
      const from = floorTo(at, DAY_MS) - 29 * DAY_MS;
      series = (await deps.store.dailySummaries([view.id], from, at + 1)).get(view.id);
      unit = 'day';
    } else return json(req, res, 400, { error: 'range must be h24, d7 or d30' });
    const round = (value: number | undefined) => (value === undefined ? null : Math.round(value));
    const points = [...(series ?? new Map<number, StoreSummary>())]
      .sort(([a], [b]) => a - b)
      .map(([start, figures]) => [start, round(figures.latencyAvgMs), round(figures.latencyP95Ms)]);
    await json(req, res, 200, { monitor: view.id, unit, points }, 'public, max-age=60');
  }

  async function route(req: IncomingMessage, res: ServerResponse, next: () => void): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (path === '/') return servePage(req, res, defaultPage(), url);
    if (path.startsWith(ASSET_PREFIX)) {
      const asset = assetsByPath.get(path);
      if (!asset) return notFound(res);
      const body = { body: asset.body, etag: asset.etag };
      return sendAsset(req, res, asset, body.etag);
    }
    const match = /^\/status\/([a-z0-9-]+)\/?(.*)$/.exec(path);
    if (!match) return next();
    const page = pageOf(match[1]!);
    if (page === undefined) return notFound(res);
    const rest = match[2]!;
    if (rest === '') return servePage(req, res, page, url);
    if (rest === 'summary.json') return summary(req, res, page);
    if (rest === 'history') {
      const body = await cachedBody(`${page.slug}\nhistory`, () => buildHistory(page));
      return sendCompressed(req, res, body, { ...HTML_HEADERS, 'content-security-policy': csp(page), 'cache-control': 'no-cache' });
    }
    if (rest === 'feed.rss' || rest === 'feed.atom') return feed(req, res, page, rest === 'feed.rss' ? 'rss' : 'atom');
    if (rest === 'events') return live.follow(page.slug, res);
    const pageBadge = /^badge\.(svg|json)$/.exec(rest);
    if (pageBadge) {
      const format = pageBadge[1] as 'svg' | 'json';
      const built = await cachedBuild(`${page.slug}\nbadge.${format}`, async () => {
        const at = stamp();
        const open = await impacts();
        const state = combineStates(pageSections(page, deps.views()).flatMap((section) => section.monitors.map((view) => shownState(view, open))));
        return { ...at, body: await badgeBody(statusBadge(page.title, state), format) };
      });
      return sendBadgeBody(req, res, built.body, format);
    }
    const monitorPath = /^monitors\/([a-z0-9_-]+)\/(latency\.json|badge\/(status|uptime|response)\.(svg|json))$/.exec(rest);
    if (!monitorPath) return notFound(res);
    // Only a monitor the page shows: anything else is unknown here, public or not.
    const view = viewOf(monitorPath[1]!);
    if (!view || !isOnPage(page, view)) return notFound(res);
    if (monitorPath[2] === 'latency.json') return latency(req, res, view, url);
    return monitorBadge(req, res, view, monitorPath[3]!, monitorPath[4] as 'svg' | 'json', url);
  }

  const handle: Handler = (req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = (req.url ?? '/').split('?')[0]!;
    if (path !== '/' && !path.startsWith('/status/') && !path.startsWith(ASSET_PREFIX)) return next();
    route(req, res, next).catch((error: unknown) => {
      deps.logger.error({ event: 'status_page_failed', path, error: describeError(error) }, 'a status page request failed');
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('internal error\n');
      } else res.destroy();
    });
  };

  return {
    handle,
    warm: async () => {
      const page = defaultPage();
      await cachedBuild(`${page.slug}\n1`, () => buildPage(page, 1));
    },
    get builds() {
      return builds;
    },
  };
}

/** The page's absolute URL as the reader reached it (behind a TLS proxy, the scheme it sets is not trusted). */
function pageUrl(req: IncomingMessage, page: StatusPageConfig): string {
  const host = typeof req.headers.host === 'string' && /^[\w.:[\]-]+$/.test(req.headers.host) ? req.headers.host : 'localhost';
  const scheme = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return `${scheme}://${host}/status/${page.slug}`;
}
