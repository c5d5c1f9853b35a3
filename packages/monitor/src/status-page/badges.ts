/**
 * Badges for READMEs and dashboards: a page's or a monitor's status, a monitor's uptime over a window and its
 * response time — as SVG drawn by shields.io's own library (badge-maker, which escapes the texts), or as the JSON
 * a shields.io endpoint badge reads (`https://img.shields.io/endpoint?url=…`).
 */
import { lazily } from '../lazily.js';
import type { PageState } from './states.js';

export type BadgeKind = 'status' | 'uptime' | 'response';
export const BADGE_WINDOWS = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000 } as const;
export type BadgeWindow = keyof typeof BADGE_WINDOWS;

export interface Badge {
  label: string;
  message: string;
  /** shields.io's named colours. */
  color: string;
}

const STATE_BADGE: Record<PageState, { message: string; color: string }> = {
  operational: { message: 'up', color: 'brightgreen' },
  degraded: { message: 'degraded', color: 'yellow' },
  partial: { message: 'partial outage', color: 'orange' },
  major: { message: 'down', color: 'red' },
  maintenance: { message: 'maintenance', color: 'blue' },
  nodata: { message: 'no data', color: 'lightgrey' },
};

export function statusBadge(label: string, state: PageState): Badge {
  return { label, ...STATE_BADGE[state] };
}

export function uptimeBadge(label: string, uptime: number | undefined): Badge {
  if (uptime === undefined) return { label, message: 'no data', color: 'lightgrey' };
  const percent = Math.floor(uptime * 10_000) / 100;
  const color = percent >= 99.9 ? 'brightgreen' : percent >= 99 ? 'green' : percent >= 95 ? 'yellow' : percent >= 90 ? 'orange' : 'red';
  return { label, message: `${percent >= 100 ? '100' : percent.toFixed(2)}%`, color };
}

export function responseBadge(label: string, averageMs: number | undefined): Badge {
  if (averageMs === undefined) return { label, message: 'no data', color: 'lightgrey' };
  const ms = Math.round(averageMs);
  const color = ms < 200 ? 'brightgreen' : ms < 500 ? 'green' : ms < 1000 ? 'yellow' : ms < 2000 ? 'orange' : 'red';
  return { label, message: `${ms} ms`, color };
}

// badge-maker (with its font metrics) is loaded on the first SVG badge asked for, not when `vigil serve` starts.
const loadBadgeMaker = lazily(() => import('badge-maker'));

export async function badgeSvg(badge: Badge): Promise<string> {
  const { makeBadge } = await loadBadgeMaker();
  return makeBadge({ label: badge.label, message: badge.message, color: badge.color });
}

/** https://shields.io/badges/endpoint-badge */
export function shieldsJson(badge: Badge): { schemaVersion: 1; label: string; message: string; color: string } {
  return { schemaVersion: 1, label: badge.label, message: badge.message, color: badge.color };
}
