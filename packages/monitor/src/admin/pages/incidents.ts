/**
 * Incidents: the monitors' open incidents (acknowledge them), the status page's incidents (post an update, resolve,
 * publish a draft, create one), and maintenance (schedule a window, end or delete one).
 */
import { API_PREFIX } from '../../api/context.js';
import type { MaintenanceEntry, MonitorView } from '../../api/types.js';
import type { Incident } from '../../model.js';
import { STATUS_IMPACTS, STATUS_INCIDENT_STATES, type StatusIncident } from '../../store/store.js';
import { actionButton, ADMIN_PREFIX, durationText, emptyRow, escapeHtml, timeTag } from '../layout.js';

export interface IncidentsPageInput {
  open: readonly Incident[];
  statusIncidents: readonly StatusIncident[];
  /** Ongoing and coming windows, from the configuration and scheduled here. */
  maintenance: readonly MaintenanceEntry[];
  monitors: readonly MonitorView[];
  canWrite: boolean;
  now: number;
}

const covers = (item: MaintenanceEntry) =>
  item.allMonitors ? 'every monitor' : [...item.monitors, ...item.groups.map((group) => `group ${group}`)].join(', ');

const stateOptions = (selected?: string) =>
  STATUS_INCIDENT_STATES.map((state) => `<option${state === selected ? ' selected' : ''}>${state}</option>`).join('');

function statusIncident(incident: StatusIncident, names: ReadonlyMap<string, string>, canWrite: boolean): string {
  const updates = incident.updates
    .map((update) => `<li><strong>${update.status}</strong> ${timeTag(update.at)} <span class="muted">by ${escapeHtml(update.author)}</span>${update.message ? `<p>${escapeHtml(update.message)}</p>` : ''}</li>`)
    .join('');
  const affected = incident.monitors.map((m) => `${escapeHtml(names.get(m.id) ?? m.id)} (${m.impact})`).join(', ');
  const url = `${API_PREFIX}/status-incidents/${incident.id}`;
  const controls = canWrite
    ? `<form class="api-form inline-form" data-method="POST" data-url="${url}/updates" data-after="reload" novalidate>
<div class="form-error" role="alert" hidden></div>
<div class="field" data-field="status"><label for="si-${incident.id}-status">Status</label><select id="si-${incident.id}-status" name="status" data-kind="choice">${stateOptions(incident.status === 'resolved' ? 'resolved' : incident.status)}</select><p class="field-error"></p></div>
<div class="field" data-field="message"><label for="si-${incident.id}-message">Update</label><textarea id="si-${incident.id}-message" name="message" data-kind="text" rows="2" required></textarea><p class="field-error"></p></div>
<p><button type="submit" class="primary">Post update</button> ${incident.published ? '' : actionButton('Publish', 'PATCH', url, { body: { published: true } })} ${actionButton('Delete', 'DELETE', url, { kind: 'danger', confirm: `Delete the incident "${incident.title}" and its updates?` })}</p>
</form>`
    : '';
  return `<article class="card" id="status-incident-${incident.id}" data-status="${incident.status}"><h3>${escapeHtml(incident.title)}</h3><p class="muted"><span class="pill">${incident.status}</span> impact ${incident.impact}${incident.published ? '' : ' · <strong>draft</strong> (not on the status page)'}${affected ? ` · affects ${affected}` : ''}</p><ol class="updates">${updates}</ol>${controls}</article>`;
}

export function renderIncidentsPage(input: IncidentsPageInput): string {
  const names = new Map(input.monitors.map((m) => [m.id, m.name]));
  const open = input.open.length
    ? input.open
        .map(
          (incident) =>
            `<tr><td><a href="${ADMIN_PREFIX}/monitors/${encodeURIComponent(incident.monitorId)}">${escapeHtml(names.get(incident.monitorId) ?? incident.monitorId)}</a></td><td>${incident.status === 'unhealthy' ? 'down' : 'degraded'}</td><td>${timeTag(incident.startedAt)} (${durationText(input.now - incident.startedAt)})</td><td>${escapeHtml(incident.cause ?? '')}</td><td>${incident.acknowledged ? `by ${escapeHtml(incident.acknowledged.by)}` : input.canWrite ? actionButton('Acknowledge', 'POST', `${API_PREFIX}/incidents/${incident.id}/acknowledge`) : ''}</td></tr>`,
        )
        .join('')
    : emptyRow(5, 'No open incidents: every monitor is up.');
  const current = input.statusIncidents.filter((incident) => incident.status !== 'resolved');
  const past = input.statusIncidents.filter((incident) => incident.status === 'resolved');
  const newIncident = input.canWrite
    ? `<details class="card"><summary>New status page incident</summary>
<form class="api-form" data-method="POST" data-url="${API_PREFIX}/status-incidents" data-after="reload" novalidate>
<div class="form-error" role="alert" hidden></div>
<div class="field" data-field="title"><label for="si-title">Title</label><input id="si-title" name="title" data-kind="text" required maxlength="200"><p class="field-error"></p></div>
<div class="field" data-field="status"><label for="si-status">Status</label><select id="si-status" name="status" data-kind="choice">${stateOptions('investigating')}</select><p class="field-error"></p></div>
<div class="field" data-field="impact"><label for="si-impact">Impact</label><select id="si-impact" name="impact" data-kind="choice">${STATUS_IMPACTS.map((impact) => `<option${impact === 'minor' ? ' selected' : ''}>${impact}</option>`).join('')}</select><p class="field-error"></p></div>
<div class="field" data-field="monitors"><label for="si-monitors">Affected monitors</label><select id="si-monitors" name="monitors" data-kind="multi" multiple size="6">${input.monitors.map((m) => `<option value="${escapeHtml(m.id)}">${escapeHtml(m.name)}${m.public ? '' : ' (private)'}</option>`).join('')}</select><p class="field-error"></p></div>
<div class="field" data-field="message"><label for="si-message">First update</label><textarea id="si-message" name="message" data-kind="text" rows="3" required></textarea><p class="field-error"></p></div>
<div class="field" data-field="published"><label><input type="checkbox" name="published" data-kind="checkbox" checked> Publish on the status page now</label><p class="field-error"></p></div>
<p><button type="submit" class="primary">Create incident</button></p>
</form></details>`
    : '';
  const maintenance = input.maintenance.length
    ? input.maintenance
        .map(
          (item) =>
            `<tr><td>${escapeHtml(item.title)}</td><td>${timeTag(item.start)}</td><td>${timeTag(item.end)}</td><td>${escapeHtml(covers(item))}</td><td>${item.source === 'config' ? 'configuration' : 'scheduled here'}</td><td>${item.source === 'api' && item.id !== undefined && input.canWrite ? actionButton('Delete', 'DELETE', `${API_PREFIX}/maintenance/${item.id}`, { kind: 'danger', confirm: `Delete the maintenance "${item.title}"?` }) : ''}</td></tr>`,
        )
        .join('')
    : emptyRow(6, 'No maintenance ongoing or planned.');
  const schedule = input.canWrite
    ? `<details class="card"><summary>Schedule maintenance</summary>
<form class="api-form" data-method="POST" data-url="${API_PREFIX}/maintenance" data-after="reload" novalidate>
<div class="form-error" role="alert" hidden></div>
<div class="field" data-field="title"><label for="mw-title">Title</label><input id="mw-title" name="title" data-kind="text" required maxlength="200"><p class="field-error"></p></div>
<div class="field" data-field="starts_at"><label for="mw-start">Starts (your local time)</label><input id="mw-start" name="starts_at" type="datetime-local" data-kind="datetime" required><p class="field-error"></p></div>
<div class="field" data-field="ends_at"><label for="mw-end">Ends (your local time)</label><input id="mw-end" name="ends_at" type="datetime-local" data-kind="datetime" required><p class="field-error"></p></div>
<div class="field" data-field="monitors"><label for="mw-monitors">Monitors</label><select id="mw-monitors" name="monitors" data-kind="multi" multiple size="6">${input.monitors.map((m) => `<option value="${escapeHtml(m.id)}">${escapeHtml(m.name)}</option>`).join('')}</select><p class="field-error"></p></div>
<div class="field" data-field="message"><label for="mw-message">Message (optional)</label><textarea id="mw-message" name="message" data-kind="text" rows="2"></textarea><p class="field-error"></p></div>
<p><button type="submit" class="primary">Schedule</button></p>
</form></details>`
    : '';
  return `<h1>Incidents</h1>
<section aria-labelledby="open"><h2 id="open">Open incidents</h2><div class="table-wrap"><table><thead><tr><th scope="col">Monitor</th><th scope="col">State</th><th scope="col">Since</th><th scope="col">Cause</th><th scope="col">Acknowledged</th></tr></thead><tbody>${open}</tbody></table></div></section>
<section aria-labelledby="status-incidents"><h2 id="status-incidents">Status page incidents</h2>
${newIncident}
${current.length ? current.map((incident) => statusIncident(incident, names, input.canWrite)).join('\n') : '<p class="muted">No current status page incident.</p>'}
${past.length ? `<h3>Resolved</h3>${past.map((incident) => statusIncident(incident, names, false)).join('\n')}` : ''}</section>
<section aria-labelledby="maintenance"><h2 id="maintenance">Maintenance</h2>
${schedule}
<div class="table-wrap"><table><thead><tr><th scope="col">Title</th><th scope="col">Starts</th><th scope="col">Ends</th><th scope="col">Covers</th><th scope="col">From</th><th scope="col"></th></tr></thead><tbody>${maintenance}</tbody></table></div></section>`;
}
