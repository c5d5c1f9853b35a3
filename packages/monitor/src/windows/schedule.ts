/**
 * When maintenance windows are open: a window's span that contains an instant, and which monitors a window covers.
 * Weekly windows are cron expressions too (`30 2 * * sun,wed`), run by croner in the window's time zone — the
 * library the configuration validated them with — so daylight-saving changes move them as a wall clock would.
 */
import { Cron } from 'croner';
import type { MaintenanceWindowConfig } from '../config/maintenance.js';
import { WEEKDAYS } from '../config/maintenance.js';

export interface WindowSpan {
  start: number;
  end: number;
}

/** How many earlier starts are looked at: a window longer than its period overlaps the ones before it. */
const LOOK_BACK = 8;

function cronOf(window: MaintenanceWindowConfig): { expression: string; durationMs: number } | undefined {
  if (window.weekly !== undefined) {
    const [hour, minute] = window.weekly.at.split(':').map(Number);
    const days = window.weekly.days.map((day) => WEEKDAYS.indexOf(day)).join(',');
    return { expression: `${minute} ${hour} * * ${days}`, durationMs: window.weekly.duration };
  }
  if (window.cron !== undefined && window.duration !== undefined) return { expression: window.cron, durationMs: window.duration };
  return undefined;
}

const crons = new WeakMap<MaintenanceWindowConfig, Cron>();

function cron(window: MaintenanceWindowConfig, expression: string): Cron {
  let compiled = crons.get(window);
  if (compiled === undefined) {
    compiled = new Cron(expression, { timezone: window.timezone, paused: true });
    crons.set(window, compiled);
  }
  return compiled;
}

/** The span of `window` that contains `now`, if it is open now. */
export function openSpan(window: MaintenanceWindowConfig, now: number): WindowSpan | undefined {
  if (window.once !== undefined) {
    const start = Date.parse(window.once.start);
    const end = window.once.end !== undefined ? Date.parse(window.once.end) : start + (window.once.duration ?? 0);
    return start <= now && now < end ? { start, end } : undefined;
  }
  const recurring = cronOf(window);
  if (recurring === undefined) return undefined;
  // Starts at or before now (croner's previous runs are strictly before the date given).
  const starts = cron(window, recurring.expression).previousRuns(LOOK_BACK, new Date(now + 1));
  for (const started of starts) {
    const start = started.getTime();
    if (start <= now && now < start + recurring.durationMs) return { start, end: start + recurring.durationMs };
  }
  return undefined;
}

/** Whether `window` covers the monitor: named, in a named group, or every monitor when it names neither. */
export function covers(window: MaintenanceWindowConfig, monitor: { id: string; group?: string | undefined }): boolean {
  if (window.monitors === undefined && window.groups === undefined) return true;
  return (
    (window.monitors?.includes(monitor.id) ?? false) ||
    (monitor.group !== undefined && (window.groups?.includes(monitor.group) ?? false))
  );
}

/** The next span of `window` that starts after `now` and before `until`, if any (for "scheduled maintenance"). */
export function nextSpan(window: MaintenanceWindowConfig, now: number, until: number): WindowSpan | undefined {
  if (window.once !== undefined) {
    const start = Date.parse(window.once.start);
    const end = window.once.end !== undefined ? Date.parse(window.once.end) : start + (window.once.duration ?? 0);
    return start > now && start < until ? { start, end } : undefined;
  }
  const recurring = cronOf(window);
  if (recurring === undefined) return undefined;
  const next = cron(window, recurring.expression).nextRun(new Date(now));
  if (next === null || next.getTime() >= until) return undefined;
  return { start: next.getTime(), end: next.getTime() + recurring.durationMs };
}
