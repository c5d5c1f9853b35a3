/**
 * One monitor: its state and why (the last result's error, the failed conditions with their actual values, a health
 * endpoint's components), latency over 24 h / 7 d / 30 d with the phases of a check, the latest results, its
 * incidents and the notifications sent for it (and a heartbeat's latest pings); pause, resume, check now, edit and
 * delete.
 */
import type { MonitorView } from '../../api/types.js';
import type { SourcePosition } from '../../config/index.js';
import type { CheckResult, Incident, PhaseTimings } from '../../model.js';
import type { StoredNotification, StoredPing, StoreSummary } from '../../store/store.js';
import { API_PREFIX } from '../../api/context.js';
import { actionButton, ADMIN_PREFIX, durationText, emptyRow, escapeHtml, stateBadge, timeTag, uptimePercent } from '../layout.js';

export const LATENCY_RANGES = { '24h': 24 * 3_600_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 } as const;
export type LatencyRange = keyof typeof LATENCY_RANGES;

export interface LatencyPoint {
  at: number;
  avg: number;
  p95?: number;
}

export interface MonitorPageInput {
  view: MonitorView;
  source?: SourcePosition;
  results: readonly CheckResult[];
  range: LatencyRange;
  latency: readonly LatencyPoint[];
  /** Average of each phase over the raw results of the range, and how many results that is. */
  phases: { averages: PhaseTimings; count: number };
  summary?: StoreSummary;
  incidents: readonly Incident[];
  notifications: readonly StoredNotification[];
  /** A heartbeat's latest pings, newest first. */
  pings?: readonly StoredPing[];
  canWrite: boolean;
  now: number;
}

const PHASES: readonly [keyof PhaseTimings, string][] = [
  ['dns', 'DNS'],
  ['connect', 'Connect'],
  ['tls', 'TLS'],
  ['firstByte', 'First byte'],
  ['transfer', 'Transfer'],
];

/** The average of each phase over the results that have it. */
export function averagePhases(results: readonly CheckResult[]): { averages: PhaseTimings; count: number } {
  const sums: Record<string, { total: number; n: number }> = {};
  let count = 0;
  for (const result of results) {
    if (!result.timings) continue;
    count++;
    for (const [key] of PHASES) {
      const value = result.timings[key];
      if (value === undefined) continue;
      const sum = (sums[key] ??= { total: 0, n: 0 });
      sum.total += value;
      sum.n++;
    }
  }
  const averages: PhaseTimings = {};
  for (const [key] of PHASES) {
    const sum = sums[key];
    if (sum && sum.n > 0) averages[key] = sum.total / sum.n;
  }
  return { averages, count };
}

function why(view: MonitorView, last: CheckResult | undefined): string {
  if (!last) return `<p class="muted">No result yet${view.paused ? ': the monitor is paused' : ''}.</p>`;
  const parts: string[] = [];
  parts.push(`<p>Last check ${timeTag(last.at)}: <strong>${escapeHtml(last.status)}</strong> in ${Math.round(last.latencyMs)} ms${last.statusCode === undefined ? '' : `, HTTP ${last.statusCode}`}${last.excused ? ` (excused: ${escapeHtml(last.excused)})` : ''}.</p>`);
  if (last.error) parts.push(`<p class="error-text">${escapeHtml(last.error)}</p>`);
  const conditions = last.conditions ?? [];
  if (conditions.length) {
    parts.push(`<table class="compact"><caption>Conditions</caption><thead><tr><th scope="col">Condition</th><th scope="col">Result</th><th scope="col">Actual</th></tr></thead><tbody>${conditions
      .map((c) => `<tr data-ok="${c.success}"><td><code>${escapeHtml(c.condition)}</code></td><td>${c.success ? 'passed' : '<strong>failed</strong>'}</td><td><code>${escapeHtml(c.output)}</code></td></tr>`)
      .join('')}</tbody></table>`);
  }
  const components = Object.entries(last.components ?? {});
  if (components.length) {
    parts.push(`<table class="compact"><caption>Components</caption><tbody>${components.map(([name, status]) => `<tr><th scope="row">${escapeHtml(name)}</th><td>${escapeHtml(status)}</td></tr>`).join('')}</tbody></table>`);
  }
  if (last.certificateExpiresAt !== undefined) parts.push(`<p>Certificate expires ${timeTag(last.certificateExpiresAt)}.</p>`);
  return parts.join('\n');
}

/** A line chart of average and p95 latency as inline SVG (no script, no style attribute: the CSP allows it). */
export function latencyChart(points: readonly LatencyPoint[], from: number, to: number): string {
  if (points.length === 0) return '<p class="muted">No checks in this range.</p>';
  const width = 720;
  const height = 160;
  const max = Math.max(1, ...points.map((p) => Math.max(p.avg, p.p95 ?? 0)));
  const x = (at: number) => ((at - from) / Math.max(1, to - from)) * width;
  const y = (ms: number) => height - 4 - (ms / max) * (height - 16);
  const line = (pick: (p: LatencyPoint) => number | undefined) =>
    points
      .filter((p) => pick(p) !== undefined)
      .map((p) => `${x(p.at).toFixed(1)},${y(pick(p) as number).toFixed(1)}`)
      .join(' ');
  const p95 = points.some((p) => p.p95 !== undefined) ? `<polyline class="p95" points="${line((p) => p.p95)}"/>` : '';
  return `<figure class="chart"><svg viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="Latency, up to ${Math.round(max)} ms"><line class="axis" x1="0" y1="${height}" x2="${width}" y2="${height}"/>${p95}<polyline class="avg" points="${line((p) => p.avg)}"/></svg><figcaption><span class="key avg">average</span>${p95 ? ' <span class="key p95">p95</span>' : ''} · max ${Math.round(max)} ms</figcaption></figure>`;
}

function phaseBreakdown(phases: MonitorPageInput['phases']): string {
  const present = PHASES.filter(([key]) => phases.averages[key] !== undefined);
  if (present.length === 0) return '';
  const total = present.reduce((sum, [key]) => sum + (phases.averages[key] ?? 0), 0) || 1;
  const bar = present
    .map(([key, label]) => `<rect class="phase-${key}" x="${((present.slice(0, present.findIndex(([k]) => k === key)).reduce((s, [k]) => s + (phases.averages[k] ?? 0), 0) / total) * 100).toFixed(2)}%" y="0" width="${(((phases.averages[key] ?? 0) / total) * 100).toFixed(2)}%" height="16"><title>${label}</title></rect>`)
    .join('');
  const rows = present.map(([key, label]) => `<tr><th scope="row"><span class="swatch phase-${key}"></span>${label}</th><td class="num">${(phases.averages[key] ?? 0).toFixed(1)} ms</td></tr>`).join('');
  return `<h3>Where the time goes</h3><svg class="phases" width="100%" height="16" role="img" aria-label="Phases of a check">${bar}</svg><table class="compact"><caption>Average of the last ${phases.count} checks in this range</caption><tbody>${rows}</tbody></table>`;
}

function resultRows(results: readonly CheckResult[]): string {
  if (results.length === 0) return emptyRow(5, 'No results yet.');
  return results
    .map((r) => `<tr data-status="${r.status}"><td>${timeTag(r.at)}</td><td>${escapeHtml(r.status)}${r.excused ? ' <span class="muted">(excused)</span>' : ''}</td><td class="num">${Math.round(r.latencyMs)} ms</td><td>${r.statusCode ?? ''}</td><td>${escapeHtml(r.error ?? '')}</td></tr>`)
    .join('');
}

/** How much of a ping's body the table shows (the API has all of it). */
const PING_BODY_SHOWN = 200;

function pingRows(pings: readonly StoredPing[]): string {
  if (pings.length === 0) return emptyRow(6, 'No pings yet.');
  return pings
    .map((ping) => {
      const what = ping.exitStatus === undefined ? ping.kind : `${ping.kind} (exit status ${ping.exitStatus})`;
      const note = ping.note === undefined ? '' : ` <span class="muted">${escapeHtml(ping.note)}</span>`;
      const body = ping.body === undefined ? '' : ping.body.length > PING_BODY_SHOWN ? `${ping.body.slice(0, PING_BODY_SHOWN)}…` : ping.body;
      return `<tr data-kind="${escapeHtml(ping.kind)}"><td>${timeTag(ping.at)}</td><td>${escapeHtml(what)}${note}</td><td>${escapeHtml(ping.method)}</td><td>${escapeHtml(ping.remoteAddress ?? '')}</td><td>${escapeHtml(ping.userAgent ?? '')}</td><td><code>${escapeHtml(body)}</code></td></tr>`;
    })
    .join('');
}

function incidentRows(incidents: readonly Incident[], canWrite: boolean, now: number): string {
  if (incidents.length === 0) return emptyRow(5, 'No incidents.');
  return incidents
    .map((incident) => {
      const open = incident.endedAt === undefined;
      const ack = incident.acknowledged
        ? `acknowledged by ${escapeHtml(incident.acknowledged.by)} ${timeTag(incident.acknowledged.at)}`
        : open && canWrite
          ? actionButton('Acknowledge', 'POST', `${API_PREFIX}/incidents/${incident.id}/acknowledge`)
          : '';
      return `<tr><td>${timeTag(incident.startedAt)}</td><td>${open ? '<strong>open</strong>' : timeTag(incident.endedAt)}</td><td>${durationText((incident.endedAt ?? now) - incident.startedAt)}</td><td>${escapeHtml(incident.cause ?? '')}</td><td>${ack}</td></tr>`;
    })
    .join('');
}

export function notificationRows(notifications: readonly StoredNotification[], showMonitor = false): string {
  if (notifications.length === 0) return emptyRow(showMonitor ? 7 : 6, 'No notifications.');
  return notifications
    .map((n) => {
      const attempts = n.attempts.length
        ? `<details><summary>${n.attempts.length} attempt${n.attempts.length === 1 ? '' : 's'}</summary><ol>${n.attempts
            .map((a) => `<li>${timeTag(a.at)} ${escapeHtml(a.outcome)}${a.status === undefined ? '' : ` (HTTP ${a.status})`} in ${Math.round(a.durationMs)} ms${a.error ? `: ${escapeHtml(a.error)}` : ''}</li>`)
            .join('')}</ol></details>`
        : 'none yet';
      const monitor = showMonitor ? `<td>${n.monitorId ? `<a href="${ADMIN_PREFIX}/monitors/${encodeURIComponent(n.monitorId)}">${escapeHtml(n.monitorId)}</a>` : ''}</td>` : '';
      return `<tr data-status="${n.status}"><td>${timeTag(n.createdAt)}</td>${monitor}<td>${escapeHtml(n.channel)}</td><td>${escapeHtml(n.kind)}</td><td><span class="delivery" data-status="${n.status}">${n.status}</span></td><td>${attempts}</td><td>${escapeHtml(n.lastError ?? '')}</td></tr>`;
    })
    .join('');
}

export function renderMonitorPage(input: MonitorPageInput): string {
  const { view } = input;
  const id = encodeURIComponent(view.id);
  const api = `${API_PREFIX}/monitors/${id}`;
  const last = input.results[0];
  const actions: string[] = [];
  if (input.canWrite) {
    actions.push(view.paused ? actionButton('Resume', 'POST', `${api}/resume`, { kind: 'primary' }) : actionButton('Pause', 'POST', `${api}/pause`));
    if (view.type !== 'heartbeat' && !view.paused) actions.push(actionButton('Check now', 'POST', `${api}/check`, { after: 'reload-soon' }));
    if (view.source === 'api') {
      actions.push(`<a class="button" href="${ADMIN_PREFIX}/monitors/${id}/edit">Edit</a>`);
      actions.push(actionButton('Delete', 'DELETE', api, { kind: 'danger', confirm: `Delete the monitor "${view.name}"? Its results are kept.`, after: `go:${ADMIN_PREFIX}` }));
    }
  }
  const source =
    view.source === 'config'
      ? `from the configuration file <code>${escapeHtml(input.source ? `${input.source.file}:${input.source.line}` : 'unknown')}</code> (read-only here: edit the file)`
      : 'created through the API or this dashboard';
  const ranges = (Object.keys(LATENCY_RANGES) as LatencyRange[])
    .map((range) => (range === input.range ? `<span aria-current="true">${range}</span>` : `<a href="?range=${range}#latency">${range}</a>`))
    .join(' · ');
  const to = input.now;
  const from = to - LATENCY_RANGES[input.range];
  const uptime = input.summary?.uptime;
  return `<p class="crumbs"><a href="${ADMIN_PREFIX}">Monitors</a> /</p>
<div class="heading"><h1>${escapeHtml(view.name)}</h1>${stateBadge(view.state)}</div>
<p class="muted">${escapeHtml(view.type)} · <code>${escapeHtml(view.target)}</code>${view.group ? ` · group ${escapeHtml(view.group)}` : ''}${view.tags.length ? ` · tags ${view.tags.map(escapeHtml).join(', ')}` : ''}${view.intervalMs ? ` · every ${durationText(view.intervalMs)}` : ''} · ${view.public ? 'public' : 'private'}</p>
<p class="muted small">Id <code>${escapeHtml(view.id)}</code>, ${source}.</p>
${view.description ? `<p>${escapeHtml(view.description)}</p>` : ''}
<div class="actions" id="actions">${actions.join(' ')}</div>
<section aria-labelledby="why"><h2 id="why">State</h2><p>${stateBadge(view.state)} since ${timeTag(view.since, 'unknown')}</p>${why(view, last)}</section>
<section aria-labelledby="latency"><h2 id="latency">Latency</h2><p>${ranges}${uptime === undefined ? '' : ` · uptime ${uptimePercent(uptime)} over ${input.range}`}${input.summary?.latencyAvgMs === undefined ? '' : ` · average ${Math.round(input.summary.latencyAvgMs)} ms`}${input.summary?.latencyP95Ms === undefined ? '' : ` · p95 ${Math.round(input.summary.latencyP95Ms)} ms`}</p>
${latencyChart(input.latency, from, to)}
${phaseBreakdown(input.phases)}</section>
<section aria-labelledby="results"><h2 id="results">Latest results</h2><div class="table-wrap"><table><thead><tr><th scope="col">At</th><th scope="col">Result</th><th scope="col" class="num">Time</th><th scope="col">HTTP</th><th scope="col">Error</th></tr></thead><tbody>${resultRows(input.results.slice(0, 20))}</tbody></table></div></section>
${input.pings === undefined ? '' : `<section aria-labelledby="pings"><h2 id="pings">Latest pings</h2><div class="table-wrap"><table><thead><tr><th scope="col">At</th><th scope="col">Ping</th><th scope="col">Method</th><th scope="col">From</th><th scope="col">User agent</th><th scope="col">Body</th></tr></thead><tbody>${pingRows(input.pings)}</tbody></table></div></section>
`}<section aria-labelledby="incidents"><h2 id="incidents">Incidents</h2><div class="table-wrap"><table><thead><tr><th scope="col">Started</th><th scope="col">Ended</th><th scope="col">Lasted</th><th scope="col">Cause</th><th scope="col">Acknowledged</th></tr></thead><tbody>${incidentRows(input.incidents, input.canWrite, input.now)}</tbody></table></div></section>
<section aria-labelledby="notifications"><h2 id="notifications">Notifications sent</h2><div class="table-wrap"><table><thead><tr><th scope="col">Created</th><th scope="col">Channel</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th></tr></thead><tbody>${notificationRows(input.notifications)}</tbody></table></div></section>`;
}
