/**
 * RSS 2.0 and Atom feeds of a status page: its published incidents of the last 90 days (an entry per incident,
 * updated with each of its updates) and its maintenance, open or coming. Texts are escaped for XML; links are
 * absolute, from the address the reader used.
 */
import type { StatusPageConfig } from '../config/status-pages.js';
import type { StatusIncident } from '../store/store.js';
import type { PageMaintenance } from './data.js';
import { catalogOf, format } from './i18n/index.js';

export function escapeXml(value: string): string {
  // Characters XML 1.0 cannot carry at all are dropped.
  return value
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

interface Entry {
  id: string;
  title: string;
  link: string;
  updated: number;
  published: number;
  text: string;
}

export interface FeedInput {
  config: StatusPageConfig;
  /** The page's absolute URL: `https://status.example.com/status/acme`. */
  url: string;
  incidents: readonly StatusIncident[];
  maintenance: readonly PageMaintenance[];
  now: number;
}

const iso = (at: number) => new Date(at).toISOString();

function entries(input: FeedInput): Entry[] {
  const t = catalogOf(input.config.language);
  const incidents = input.incidents.map((incident) => ({
    id: `${input.url}/history#incident-${incident.id}`,
    title: `[${t.incidentState[incident.status]}] ${incident.title}`,
    link: `${input.url}/history#incident-${incident.id}`,
    updated: incident.updatedAt,
    published: incident.createdAt,
    text: [...incident.updates]
      .reverse()
      .map((update) => `${t.incidentState[update.status]} (${iso(update.at)}): ${update.message}`)
      .join('\n\n'),
  }));
  const maintenance = input.maintenance.map((entry) => ({
    id: `${input.url}#maintenance-${encodeURIComponent(entry.name)}-${entry.start}`,
    title: `[${entry.active ? t.maintenanceNow : t.maintenanceUpcoming}] ${entry.name}`,
    link: input.url,
    updated: entry.start,
    published: entry.start,
    text: `${format(t.maintenanceFrom, { start: iso(entry.start), end: iso(entry.end) })}. ${format(t.maintenanceAffects, { names: entry.monitors.length ? entry.monitors.join(', ') : t.allMonitors })}`,
  }));
  return [...incidents, ...maintenance].sort((a, b) => b.updated - a.updated);
}

export function rssFeed(input: FeedInput): string {
  const items = entries(input)
    .map(
      (entry) => `<item>
<title>${escapeXml(entry.title)}</title>
<link>${escapeXml(entry.link)}</link>
<guid isPermaLink="false">${escapeXml(`${entry.id}@${entry.updated}`)}</guid>
<pubDate>${new Date(entry.updated).toUTCString()}</pubDate>
<description>${escapeXml(entry.text)}</description>
</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
<channel>
<title>${escapeXml(input.config.title)}</title>
<link>${escapeXml(input.url)}</link>
<atom:link href="${escapeXml(`${input.url}/feed.rss`)}" rel="self" type="application/rss+xml"/>
<description>${escapeXml(input.config.description ?? input.config.title)}</description>
<language>${input.config.language}</language>
<lastBuildDate>${new Date(input.now).toUTCString()}</lastBuildDate>
${items}
</channel>
</rss>
`;
}

export function atomFeed(input: FeedInput): string {
  const list = entries(input);
  const updated = list[0]?.updated ?? input.now;
  const items = list
    .map(
      (entry) => `<entry>
<id>${escapeXml(entry.id)}</id>
<title>${escapeXml(entry.title)}</title>
<link href="${escapeXml(entry.link)}"/>
<published>${iso(entry.published)}</published>
<updated>${iso(entry.updated)}</updated>
<content type="text">${escapeXml(entry.text)}</content>
</entry>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${input.config.language}">
<id>${escapeXml(input.url)}</id>
<title>${escapeXml(input.config.title)}</title>
<link href="${escapeXml(input.url)}"/>
<link rel="self" href="${escapeXml(`${input.url}/feed.atom`)}"/>
<updated>${iso(updated)}</updated>
<author><name>${escapeXml(input.config.title)}</name></author>
${items}
</feed>
`;
}
