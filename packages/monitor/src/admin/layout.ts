/**
 * The frame every dashboard page shares (navigation, sign-out, the CSRF token for the page's script) and the
 * small pieces the pages are written with. Everything a user typed goes through `escapeHtml`.
 */
import { escapeHtml } from '../status-page/render.js';
import type { MonitorState } from '../model.js';
import type { Session } from './session.js';

export { escapeHtml };

export const ADMIN_PREFIX = '/admin';

export type Section = 'monitors' | 'incidents' | 'notifications' | 'jobs' | 'tokens';

const NAV: readonly [Section, string, string][] = [
  ['monitors', 'Monitors', `${ADMIN_PREFIX}`],
  ['incidents', 'Incidents', `${ADMIN_PREFIX}/incidents`],
  ['notifications', 'Alerts', `${ADMIN_PREFIX}/notifications`],
  ['jobs', 'Jobs', `${ADMIN_PREFIX}/jobs`],
  ['tokens', 'Tokens', `${ADMIN_PREFIX}/tokens`],
];

export interface AdminAssets {
  script: string;
  style: string;
}

export interface PageInput {
  title: string;
  section?: Section;
  session?: Session;
  assets: AdminAssets;
  main: string;
}

export function layout({ title, section, session, assets, main }: PageInput): string {
  const nav = session
    ? `<nav aria-label="Dashboard"><ul>${NAV.map(
        ([key, label, href]) => `<li><a href="${href}"${key === section ? ' aria-current="page"' : ''}>${label}</a></li>`,
      ).join('')}</ul></nav>
<form method="post" action="${ADMIN_PREFIX}/logout" class="signout"><input type="hidden" name="_csrf" value="${escapeHtml(session.csrf)}"><span class="muted">${escapeHtml(session.token.name)} · ${session.token.scope}</span> <button type="submit">Sign out</button></form>`
    : '';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Vigil</title>
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="same-origin">
${session ? `<meta name="csrf-token" content="${escapeHtml(session.csrf)}">\n<meta name="scope" content="${session.token.scope}">` : ''}
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeHtml(assets.style)}">
<script src="${escapeHtml(assets.script)}" defer></script>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
<header class="top"><a class="brand" href="${ADMIN_PREFIX}">Vigil</a>${nav}</header>
<main id="main" tabindex="-1">
${main}
</main>
<div id="toast" class="toast" role="status" aria-live="polite"></div>
</body>
</html>
`;
}

export const STATE_LABELS: Readonly<Record<MonitorState, string>> = {
  unhealthy: 'Down',
  degraded: 'Degraded',
  pending: 'Pending',
  maintenance: 'Maintenance',
  paused: 'Paused',
  new: 'New',
  healthy: 'Up',
};

/** Most urgent first: the default order of the monitors table. */
export const STATE_ORDER: readonly MonitorState[] = ['unhealthy', 'degraded', 'pending', 'maintenance', 'new', 'paused', 'healthy'];

export function stateBadge(state: MonitorState): string {
  return `<span class="state" data-state="${state}">${STATE_LABELS[state]}</span>`;
}

/** `<time>` with an ISO value the script turns into "3 min ago"; readable without the script too. */
export function timeTag(ms: number | undefined | null, empty = '—'): string {
  if (ms === undefined || ms === null || !Number.isFinite(ms)) return empty;
  const iso = new Date(ms).toISOString();
  return `<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** Uptime as a percentage with two decimals, rounded down: 99.999% never shows as 100.00%. */
export function uptimePercent(ratio: number): string {
  return `${(Math.floor(ratio * 10_000) / 100).toFixed(2)}%`;
}

export function durationText(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = Math.round(ms / 1000);
  if (s < 120) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.round(m / 60);
  return h < 48 ? `${h} h` : `${Math.round(h / 24)} d`;
}

/** A button the script turns into an API call (with the CSRF token): `data-method`, `data-url`, and what follows. */
export function actionButton(
  label: string,
  method: string,
  url: string,
  options: { confirm?: string; after?: 'reload' | 'remove-row' | string; kind?: 'danger' | 'primary'; body?: unknown } = {},
): string {
  const attributes = [
    `type="button"`,
    `data-method="${method}"`,
    `data-url="${escapeHtml(url)}"`,
    `data-after="${escapeHtml(options.after ?? 'reload')}"`,
    options.confirm ? `data-confirm="${escapeHtml(options.confirm)}"` : '',
    options.kind ? `class="${options.kind}"` : '',
    options.body === undefined ? '' : `data-body="${escapeHtml(JSON.stringify(options.body))}"`,
  ].filter(Boolean);
  return `<button ${attributes.join(' ')}>${escapeHtml(label)}</button>`;
}

export function emptyRow(columns: number, text: string): string {
  return `<tr><td colspan="${columns}" class="muted">${escapeHtml(text)}</td></tr>`;
}
