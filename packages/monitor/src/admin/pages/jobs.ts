/**
 * Background jobs, for each Redis connection of the configuration (its `redis` monitors): queues with counts per
 * state, workers, jobs of a state with their arguments and error, the scheduled job log and the running jobs'
 * progress. The page is a frame: the script reads each view from the REST API (a slow or down Redis delays only its
 * own section) and refreshes the running jobs every two seconds.
 */
import { API_PREFIX } from '../../api/context.js';
import { escapeHtml } from '../layout.js';

export interface JobsPageInput {
  connections: readonly { id: string; name: string; target: string }[];
  canWrite: boolean;
}

export function renderJobsPage({ connections, canWrite }: JobsPageInput): string {
  if (connections.length === 0) {
    return `<h1>Background jobs</h1><p class="muted">No Redis connection in the configuration: add a monitor of <code>type: redis</code> (with <code>bullmq_prefix</code> if your queues do not use <code>bull</code>) and its BullMQ queues show here.</p>`;
  }
  const sections = connections
    .map((connection) => {
      const api = `${API_PREFIX}/jobs/${encodeURIComponent(connection.id)}`;
      return `<section class="jobs" data-api="${escapeHtml(api)}" data-can-write="${canWrite}" aria-labelledby="jobs-${escapeHtml(connection.id)}">
<h2 id="jobs-${escapeHtml(connection.id)}">${escapeHtml(connection.name)} <span class="muted small">${escapeHtml(connection.target)}</span></h2>
<p class="jobs-error form-error" role="alert" hidden></p>
<h3>Queues</h3><div class="table-wrap"><table class="jobs-queues"><thead><tr><th scope="col">Queue</th><th scope="col" class="num">Waiting</th><th scope="col" class="num">Active</th><th scope="col" class="num">Delayed</th><th scope="col" class="num">Failed</th><th scope="col" class="num">Completed</th><th scope="col">Paused</th></tr></thead><tbody><tr><td colspan="7" class="muted">Loading…</td></tr></tbody></table></div>
<h3>Workers</h3><div class="table-wrap"><table class="jobs-workers"><thead><tr><th scope="col">Worker</th><th scope="col">Queue</th><th scope="col">State</th><th scope="col">Current job</th></tr></thead><tbody><tr><td colspan="4" class="muted">Loading…</td></tr></tbody></table></div>
<h3>Running jobs</h3><div class="table-wrap"><table class="jobs-progress"><thead><tr><th scope="col">Job</th><th scope="col">Queue</th><th scope="col">Progress</th><th scope="col">Started</th></tr></thead><tbody><tr><td colspan="4" class="muted">Loading…</td></tr></tbody></table></div>
<h3>Jobs</h3><p><label>State <select class="jobs-state"><option>failed</option><option>active</option><option>waiting</option><option>delayed</option><option>completed</option></select></label></p>
<div class="table-wrap"><table class="jobs-list"><thead><tr><th scope="col">Job</th><th scope="col">Queue</th><th scope="col">Arguments</th><th scope="col">Attempts</th><th scope="col">Error</th><th scope="col">When</th><th scope="col"></th></tr></thead><tbody><tr><td colspan="7" class="muted">Loading…</td></tr></tbody></table></div>
<h3>Scheduled jobs</h3><div class="table-wrap"><table class="jobs-schedules"><thead><tr><th scope="col">Scheduler</th><th scope="col">Queue / job</th><th scope="col">Result</th><th scope="col">Ended</th><th scope="col" class="num">Took</th></tr></thead><tbody><tr><td colspan="5" class="muted">Loading…</td></tr></tbody></table></div>
</section>`;
    })
    .join('\n');
  return `<h1>Background jobs</h1>\n${sections}`;
}
