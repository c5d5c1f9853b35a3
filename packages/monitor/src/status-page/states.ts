/**
 * What a status page shows: each monitor, group and the page as one of six states. A monitor's own state maps to
 * one; a group or a page sums its monitors up — some down is a partial outage, all down a major one.
 */
import type { MonitorState } from '../model.js';

export const PAGE_STATES = ['operational', 'degraded', 'partial', 'major', 'maintenance', 'nodata'] as const;
export type PageState = (typeof PAGE_STATES)[number];

/**
 * `pending` (failing, retries left) is not confirmed: the page does not alarm its readers until the monitor is
 * down. A paused monitor, like a new one, has no current data.
 */
const FROM_MONITOR: Record<MonitorState, PageState> = {
  new: 'nodata',
  healthy: 'operational',
  pending: 'operational',
  degraded: 'degraded',
  unhealthy: 'major',
  maintenance: 'maintenance',
  paused: 'nodata',
};

export function pageStateOf(state: MonitorState): PageState {
  return FROM_MONITOR[state];
}

/** The state of a group or a page from its monitors' (or groups') states. */
export function combineStates(states: readonly PageState[]): PageState {
  const live = states.filter((state) => state !== 'nodata');
  if (live.length === 0) return 'nodata';
  const down = live.filter((state) => state === 'major').length;
  const partlyDown = live.some((state) => state === 'partial');
  if (down === live.length) return 'major';
  if (down > 0 || partlyDown) return 'partial';
  if (live.some((state) => state === 'degraded')) return 'degraded';
  if (live.every((state) => state === 'maintenance')) return 'maintenance';
  return 'operational';
}

/** The order a page sorts by when it puts problems first: worst first. */
export const SEVERITY: Record<PageState, number> = { major: 5, partial: 4, degraded: 3, maintenance: 2, operational: 1, nodata: 0 };
