/** Alerts: every notification with its deliveries and attempts, and a test message per channel. */
import { API_PREFIX } from '../../api/context.js';
import type { StoredNotification } from '../../store/store.js';
import { actionButton, ADMIN_PREFIX, emptyRow, escapeHtml } from '../layout.js';
import { notificationRows } from './monitor.js';

export interface NotificationsPageInput {
  notifications: readonly StoredNotification[];
  channels: readonly { name: string; type: string }[];
  status: string;
  canWrite: boolean;
  /** The id before which the next page starts, when there is one. */
  next?: number;
}

export function renderNotificationsPage(input: NotificationsPageInput): string {
  const channels = input.channels.length
    ? input.channels
        .map((channel) => `<tr><td>${escapeHtml(channel.name)}</td><td>${escapeHtml(channel.type)}</td><td>${input.canWrite ? actionButton('Send a test', 'POST', `${API_PREFIX}/channels/${encodeURIComponent(channel.name)}/test`, { after: 'toast' }) : ''}</td></tr>`)
        .join('')
    : emptyRow(3, 'No notification channels in the configuration (alerting.channels).');
  const statuses = ['', 'pending', 'delivered', 'dead', 'suppressed']
    .map((status) => (status === input.status ? `<span aria-current="true">${status || 'all'}</span>` : `<a href="${ADMIN_PREFIX}/notifications${status ? `?status=${status}` : ''}">${status || 'all'}</a>`))
    .join(' · ');
  return `<h1>Alerts</h1>
<section aria-labelledby="channels"><h2 id="channels">Channels</h2><div class="table-wrap"><table><thead><tr><th scope="col">Channel</th><th scope="col">Type</th><th scope="col"></th></tr></thead><tbody>${channels}</tbody></table></div></section>
<section aria-labelledby="sent"><h2 id="sent">Notifications</h2><p>${statuses}</p>
<div class="table-wrap"><table><thead><tr><th scope="col">Created</th><th scope="col">Monitor</th><th scope="col">Channel</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last error</th></tr></thead><tbody>${notificationRows(input.notifications, true)}</tbody></table></div>
${input.next === undefined ? '' : `<p><a href="${ADMIN_PREFIX}/notifications?before=${input.next}${input.status ? `&status=${input.status}` : ''}">Older</a></p>`}</section>`;
}
