// The dashboard's script. Pages are complete HTML from the server; this adds: relative times, writes through the
// REST API with the session's CSRF token (buttons and forms), instant filtering of the monitors table, live state
// changes, and the jobs views. Text from the server is only ever set with textContent, never parsed as HTML.

export {};

interface ApiError {
  error?: { code?: string; message?: string; issues?: { path: string; message: string }[] };
}

const csrf = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? '';

function toast(text: string, failed = false): void {
  const box = document.getElementById('toast');
  if (!box) return;
  box.textContent = text;
  box.dataset.failed = String(failed);
  box.classList.add('shown');
  window.setTimeout(() => box.classList.remove('shown'), 6000);
}

async function api(method: string, url: string, body?: unknown): Promise<{ ok: boolean; status: number; data: unknown }> {
  const headers: Record<string, string> = { 'x-csrf-token': csrf, accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, credentials: 'same-origin', ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
  if (response.status === 401) {
    window.location.href = `/admin/login?next=${encodeURIComponent(location.pathname + location.search)}`;
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

const messageOf = (data: unknown, status: number) => (data as ApiError | null)?.error?.message ?? `the server answered ${status}`;

// ---------------------------------------------------------------------------------------------- relative times

function relative(iso: string): string {
  const seconds = Math.round((Date.now() - Date.parse(iso)) / 1000);
  const future = seconds < 0;
  const s = Math.abs(seconds);
  const text = s < 60 ? `${s} s` : s < 3600 ? `${Math.round(s / 60)} min` : s < 172_800 ? `${Math.round(s / 3600)} h` : `${Math.round(s / 86_400)} d`;
  return future ? `in ${text}` : `${text} ago`;
}

function refreshTimes(root: ParentNode = document): void {
  for (const time of root.querySelectorAll<HTMLTimeElement>('time[datetime]')) {
    if (!time.title) time.title = time.textContent ?? '';
    time.textContent = relative(time.dateTime);
  }
}

// ------------------------------------------------------------------------------------------------ the actions

function after(action: string, data: unknown, button?: HTMLElement): void {
  if (action === 'reload') window.location.reload();
  else if (action === 'reload-soon') {
    toast('Checking now…');
    window.setTimeout(() => window.location.reload(), 2000);
  } else if (action.startsWith('go:')) window.location.href = action.slice(3);
  else if (action === 'remove-row') button?.closest('tr')?.remove();
  else if (action === 'toast') {
    const result = data as { delivered?: boolean; duration_ms?: number } | null;
    toast(result?.delivered ? `Delivered in ${Math.round(result.duration_ms ?? 0)} ms.` : 'Done.');
  }
}

document.addEventListener('click', (event) => {
  const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-method]');
  if (!button) return;
  const { method = 'POST', url = '', confirm: question, body } = button.dataset;
  if (question && !window.confirm(question)) return;
  button.disabled = true;
  api(method, url, body === undefined ? undefined : JSON.parse(body))
    .then(({ ok, status, data }) => {
      if (ok) after(button.dataset.after ?? 'reload', data, button);
      else toast(messageOf(data, status), true);
    })
    .catch(() => toast('The server could not be reached.', true))
    .finally(() => {
      button.disabled = false;
    });
});

// -------------------------------------------------------------------------------------------------- the forms

type Control = HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement;

/** A form's fields as a definition: empty fields are left out (the defaults apply), each read as its kind says. */
function formValue(form: HTMLFormElement): { value: Record<string, unknown>; problems: [Control, string][] } {
  const value: Record<string, unknown> = {};
  const problems: [Control, string][] = [];
  for (const control of form.querySelectorAll<Control>('[name]')) {
    if (control.disabled || control.closest('fieldset[disabled]')) continue;
    const name = control.name;
    const kind = control.dataset.kind ?? 'text';
    if (control instanceof HTMLInputElement && control.type === 'hidden') {
      if (!name.startsWith('_')) value[name] = control.value;
      continue;
    }
    if (kind === 'checkbox' && control instanceof HTMLInputElement) {
      value[name] = control.checked;
      continue;
    }
    if (kind === 'multi' && control instanceof HTMLSelectElement) {
      const chosen = [...control.selectedOptions].map((option) => option.value);
      if (chosen.length) value[name] = chosen;
      continue;
    }
    const raw = control.value.trim();
    if (raw === '') continue;
    if (kind === 'number') value[name] = Number(raw);
    else if (kind === 'boolean') value[name] = raw === 'true';
    else if (kind === 'lines') value[name] = raw.split('\n').map((line) => line.trim()).filter(Boolean);
    else if (kind === 'datetime') value[name] = new Date(raw).toISOString();
    else if (kind === 'json') {
      try {
        value[name] = JSON.parse(raw);
      } catch {
        problems.push([control, 'not valid JSON']);
      }
    } else value[name] = raw;
  }
  return { value, problems };
}

function clearErrors(form: HTMLFormElement): void {
  for (const box of form.querySelectorAll<HTMLElement>('.field-error')) box.textContent = '';
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  const general = form.querySelector<HTMLElement>('.form-error');
  if (general) {
    general.hidden = true;
    general.textContent = '';
  }
}

/** Shows each problem next to its field (by the first segment of its path), the rest at the top. */
function showErrors(form: HTMLFormElement, message: string, issues: { path: string; message: string }[]): void {
  const general: string[] = [];
  let first: Control | undefined;
  for (const issue of issues) {
    const name = issue.path.split(/[.[]/)[0] ?? '';
    const field = [...form.querySelectorAll<HTMLElement>('[data-field]')].find((candidate) => candidate.dataset.field === name && !candidate.closest('fieldset[disabled]'));
    const box = field?.querySelector<HTMLElement>('.field-error');
    const control = field?.querySelector<Control>('[name]');
    if (!box || !control) {
      general.push(issue.path ? `${issue.path}: ${issue.message}` : issue.message);
      continue;
    }
    box.textContent = box.textContent ? `${box.textContent}; ${issue.message}` : issue.path === name ? issue.message : `${issue.path}: ${issue.message}`;
    control.setAttribute('aria-invalid', 'true');
    first ??= control;
  }
  const top = form.querySelector<HTMLElement>('.form-error');
  if (top && (general.length || !first)) {
    top.textContent = general.length ? general.join(' · ') : message;
    top.hidden = false;
  }
  (first ?? top)?.focus?.();
}

for (const form of document.querySelectorAll<HTMLFormElement>('form.api-form, form.monitor-form')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    clearErrors(form);
    const { value, problems } = formValue(form);
    if (problems.length) {
      showErrors(form, 'Some fields are not valid.', problems.map(([control, message]) => ({ path: control.name, message })));
      return;
    }
    const submit = form.querySelector<HTMLButtonElement>('button[type="submit"]');
    if (submit) submit.disabled = true;
    api(form.dataset.method ?? 'POST', form.dataset.url ?? '', value)
      .then(({ ok, status, data }) => {
        if (!ok) {
          const error = (data as ApiError | null)?.error;
          showErrors(form, messageOf(data, status), error?.issues ?? []);
          return;
        }
        if (form.classList.contains('monitor-form')) {
          const id = (data as { id?: string } | null)?.id ?? '';
          window.location.href = `${form.dataset.done ?? '/admin/monitors/'}${encodeURIComponent(id)}`;
        } else if (form.dataset.after === 'show-token') {
          const box = document.getElementById('new-token');
          const code = document.getElementById('new-token-value');
          if (box && code) {
            code.textContent = (data as { token?: string } | null)?.token ?? '';
            box.hidden = false;
            box.setAttribute('tabindex', '-1');
            box.focus();
          }
          form.reset();
        } else after(form.dataset.after ?? 'reload', data);
      })
      .catch(() => toast('The server could not be reached.', true))
      .finally(() => {
        if (submit) submit.disabled = false;
      });
  });
}

// The monitor form: one fieldset per type, only the chosen one enabled.
const typeChoice = document.getElementById('monitor-type') as HTMLSelectElement | null;
typeChoice?.addEventListener('change', () => {
  for (const fieldset of document.querySelectorAll<HTMLFieldSetElement>('fieldset[data-type]')) {
    const shown = fieldset.dataset.type === typeChoice.value;
    fieldset.hidden = !shown;
    fieldset.disabled = !shown;
  }
});

// ------------------------------------------------------------------------------------------ the monitors table

const table = document.getElementById('monitors') as HTMLTableElement | null;
const filters = document.querySelector<HTMLFormElement>('form.filters');
const STATE_LABELS: Record<string, string> = { healthy: 'Up', unhealthy: 'Down', degraded: 'Degraded', pending: 'Pending', maintenance: 'Maintenance', paused: 'Paused', new: 'New' };

function applyFilters(): void {
  if (!table || !filters) return;
  const data = new FormData(filters);
  const words = String(data.get('q') ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const state = String(data.get('state') ?? '');
  const group = String(data.get('group') ?? '');
  const tag = String(data.get('tag') ?? '');
  const type = String(data.get('type') ?? '');
  let shown = 0;
  const rows = table.tBodies[0]?.rows ?? [];
  for (const row of rows) {
    const d = row.dataset;
    if (d.id === undefined) continue;
    const visible =
      (!state || d.state === state) &&
      (!group || d.group === group) &&
      (!tag || (d.tags ?? '').split('\n').includes(tag)) &&
      (!type || d.type === type) &&
      words.every((word) => (d.search ?? '').includes(word));
    row.hidden = !visible;
    if (visible) shown++;
  }
  const count = document.getElementById('shown-count');
  const total = [...rows].filter((row) => row.dataset.id !== undefined).length;
  if (count?.firstChild) count.firstChild.textContent = `${shown === total ? `${total} monitors` : `${shown} of ${total} monitors`} · sort: `;
  const params = new URLSearchParams();
  for (const [key, value] of data) if (typeof value === 'string' && value) params.set(key, value);
  history.replaceState(null, '', `${location.pathname}${params.size ? `?${params}` : ''}`);
}

if (filters?.dataset.singlePage === 'true') {
  filters.addEventListener('input', applyFilters);
  filters.addEventListener('change', applyFilters);
  filters.addEventListener('submit', (event) => {
    event.preventDefault();
    applyFilters();
  });
} else if (filters) {
  // Several pages: the server filters. A choice applies at once; the search on Enter (or the Filter button).
  for (const select of filters.querySelectorAll('select')) select.addEventListener('change', () => filters.requestSubmit());
}

function setState(element: Element | null, state: string): void {
  if (!element) return;
  element.setAttribute('data-state', state);
  element.textContent = STATE_LABELS[state] ?? state;
}

function recount(): void {
  if (!table) return;
  const counts = new Map<string, number>();
  for (const row of table.tBodies[0]?.rows ?? []) if (row.dataset.state) counts.set(row.dataset.state, (counts.get(row.dataset.state) ?? 0) + 1);
  for (const count of document.querySelectorAll<HTMLElement>('[data-count]')) count.textContent = String(counts.get(count.dataset.count ?? '') ?? 0);
}

interface StateChange {
  monitor: string;
  to: string;
  at: string;
}

const detail = document.getElementById('actions') ? location.pathname.match(/^\/admin\/monitors\/([^/]+)$/) : null;
if (table || detail) {
  const source = new EventSource('/api/v1/events/stream');
  source.addEventListener('state-change', (event) => {
    const change = JSON.parse((event as MessageEvent<string>).data) as StateChange;
    if (table) {
      const row = [...(table.tBodies[0]?.rows ?? [])].find((candidate) => candidate.dataset.id === change.monitor);
      if (!row) return;
      row.dataset.state = change.to;
      setState(row.querySelector('.state'), change.to);
      const since = row.querySelector('.since');
      if (since) {
        since.textContent = '';
        const time = document.createElement('time');
        time.dateTime = change.at;
        since.append(time);
        refreshTimes(since);
      }
      row.classList.add('changed');
      recount();
      if (filters?.dataset.singlePage === 'true') applyFilters();
    } else if (detail && decodeURIComponent(detail[1] ?? '') === change.monitor) {
      for (const badge of document.querySelectorAll('.state')) setState(badge, change.to);
      toast(`Now ${STATE_LABELS[change.to] ?? change.to}.`);
    }
  });
}

// -------------------------------------------------------------------------------------------- the jobs views

function cell(row: HTMLTableRowElement, text: string, className?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function fill<T>(tbody: HTMLTableSectionElement | null | undefined, items: readonly T[], columns: number, empty: string, render: (row: HTMLTableRowElement, item: T) => void): void {
  if (!tbody) return;
  tbody.replaceChildren();
  if (items.length === 0) {
    const row = tbody.insertRow();
    const td = cell(row, empty, 'muted');
    td.colSpan = columns;
    return;
  }
  for (const item of items) render(tbody.insertRow(), item);
}

const progressText = (progress: unknown) => (typeof progress === 'number' ? `${progress}%` : progress === null || progress === undefined ? '—' : JSON.stringify(progress));
const when = (iso: string | null | undefined) => (iso ? relative(iso) : '—');

interface JobQueue { name: string; paused: boolean; counts: Record<string, number> }
interface JobWorker { queue: string; name: string | null; status: string; current_jobs: { id: string; name: string | null }[] }
interface JobItem { id: string; queue: string; state: string; name: string; arguments: string; attempts: number; exception: { message: string } | null; created_at: string | null; ended_at: string | null; started_at: string | null; progress: unknown }
interface SchedulerRun { scheduler: string; queue: string; job: string; status: string; ended_at: string | null; duration_ms: number | null; error: string | null }

for (const section of document.querySelectorAll<HTMLElement>('section.jobs')) {
  const base = section.dataset.api ?? '';
  const canWrite = section.dataset.canWrite === 'true';
  const errorBox = section.querySelector<HTMLElement>('.jobs-error');
  const stateChoice = section.querySelector<HTMLSelectElement>('.jobs-state');
  let queues: JobQueue[] = [];
  const failed = (message: string) => {
    if (!errorBox) return;
    errorBox.textContent = message;
    errorBox.hidden = false;
  };
  const get = async <T>(path: string): Promise<T | undefined> => {
    const { ok, status, data } = await api('GET', `${base}${path}`);
    if (!ok) {
      failed(messageOf(data, status));
      return undefined;
    }
    if (errorBox) errorBox.hidden = true;
    return data as T;
  };
  const tbody = (name: string) => section.querySelector<HTMLTableElement>(`table.${name}`)?.tBodies[0];

  const loadQueues = async () => {
    const data = await get<{ queues: JobQueue[] }>('/queues');
    if (!data) return;
    queues = data.queues;
    fill(tbody('jobs-queues'), queues, 7, 'No queue found.', (row, queue) => {
      cell(row, queue.name);
      for (const key of ['waiting', 'active', 'delayed', 'failed', 'completed']) cell(row, String(queue.counts[key] ?? 0), 'num');
      cell(row, queue.paused ? 'paused' : '');
    });
  };
  const loadWorkers = async () => {
    const data = await get<{ workers: JobWorker[] }>('/workers');
    if (!data) return;
    fill(tbody('jobs-workers'), data.workers, 4, 'No worker connected.', (row, worker) => {
      cell(row, worker.name ?? '(unnamed)');
      cell(row, worker.queue);
      cell(row, worker.status);
      cell(row, worker.current_jobs.map((job) => `${job.name ?? ''} #${job.id}`).join(', ') || '—');
    });
  };
  const loadProgress = async () => {
    const data = await get<{ jobs: JobItem[] }>('/progress');
    if (!data) return;
    fill(tbody('jobs-progress'), data.jobs, 4, 'No job running.', (row, job) => {
      cell(row, `${job.name ?? ''} #${job.id}`);
      cell(row, job.queue);
      const td = row.insertCell();
      const bar = document.createElement('progress');
      if (typeof job.progress === 'number') {
        bar.max = 100;
        bar.value = job.progress;
      }
      bar.setAttribute('aria-label', `progress of job ${job.id}`);
      td.append(bar, ` ${progressText(job.progress)}`);
      cell(row, when(job.started_at));
    });
  };
  const loadJobs = async () => {
    const state = stateChoice?.value ?? 'failed';
    const lists = await Promise.all(queues.map((queue) => get<{ jobs: JobItem[] }>(`/jobs?queue=${encodeURIComponent(queue.name)}&state=${state}&limit=50`)));
    const jobs = lists.flatMap((list) => list?.jobs ?? []);
    fill(tbody('jobs-list'), jobs, 7, `No ${state} job.`, (row, job) => {
      cell(row, `${job.name} #${job.id}`);
      cell(row, job.queue);
      const args = cell(row, job.arguments);
      args.className = 'code';
      cell(row, String(job.attempts), 'num');
      cell(row, job.exception?.message ?? '');
      cell(row, when(job.ended_at ?? job.started_at ?? job.created_at));
      const actions = row.insertCell();
      if (canWrite && job.state === 'failed') {
        const url = `${base}/queues/${encodeURIComponent(job.queue)}/jobs/${encodeURIComponent(job.id)}`;
        for (const [label, method, path] of [['Retry', 'POST', `${url}/retry`], ['Remove', 'DELETE', url]] as const) {
          const button = document.createElement('button');
          button.type = 'button';
          button.textContent = label;
          button.dataset.method = method;
          button.dataset.url = path;
          button.dataset.after = 'none';
          if (label === 'Remove') button.className = 'danger';
          button.setAttribute('aria-label', `${label} job ${job.id}`);
          actions.append(button, ' ');
        }
      }
    });
  };
  const loadSchedules = async () => {
    const data = await get<{ runs: SchedulerRun[] }>('/schedules');
    if (!data) return;
    fill(tbody('jobs-schedules'), data.runs.slice(0, 50), 5, 'No scheduled job has run.', (row, run) => {
      cell(row, run.scheduler);
      cell(row, `${run.queue} / ${run.job}`);
      cell(row, run.status === 'Failed' ? `failed: ${run.error ?? ''}` : 'completed');
      cell(row, when(run.ended_at));
      cell(row, run.duration_ms === null ? '—' : `${Math.round(run.duration_ms)} ms`, 'num');
    });
  };
  const loadAll = async () => {
    await loadQueues();
    await Promise.all([loadWorkers(), loadProgress(), loadJobs(), loadSchedules()]);
  };
  stateChoice?.addEventListener('change', () => void loadJobs());
  section.addEventListener('click', (event) => {
    const button = (event.target as Element | null)?.closest<HTMLButtonElement>('button[data-method]');
    // After the shared handler has sent it: show the new counts and lists.
    if (button) window.setTimeout(() => void loadAll(), 700);
  });
  void loadAll();
  window.setInterval(() => void loadProgress(), 2000);
  window.setInterval(() => void loadAll(), 15_000);
}

refreshTimes();
window.setInterval(() => refreshTimes(), 30_000);
