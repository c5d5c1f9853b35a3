/** How a status page sums up states, and how a day of history looks. */
import { describe, expect, it } from 'vitest';
import { cellLevel } from '../../src/status-page/render.js';
import { combineStates, pageStateOf } from '../../src/status-page/states.js';

describe('page states', () => {
  it('maps monitor states: pending is not an outage yet, paused and new have no data', () => {
    expect(pageStateOf('healthy')).toBe('operational');
    expect(pageStateOf('pending')).toBe('operational');
    expect(pageStateOf('degraded')).toBe('degraded');
    expect(pageStateOf('unhealthy')).toBe('major');
    expect(pageStateOf('maintenance')).toBe('maintenance');
    expect(pageStateOf('paused')).toBe('nodata');
    expect(pageStateOf('new')).toBe('nodata');
  });

  it('sums up a group or a page', () => {
    expect(combineStates([])).toBe('nodata');
    expect(combineStates(['nodata', 'nodata'])).toBe('nodata');
    expect(combineStates(['operational', 'nodata'])).toBe('operational');
    expect(combineStates(['major', 'major', 'nodata'])).toBe('major');
    expect(combineStates(['major', 'operational'])).toBe('partial');
    expect(combineStates(['partial', 'operational'])).toBe('partial');
    expect(combineStates(['degraded', 'operational', 'maintenance'])).toBe('degraded');
    expect(combineStates(['maintenance', 'maintenance'])).toBe('maintenance');
    expect(combineStates(['maintenance', 'operational'])).toBe('operational');
    expect(combineStates(['major', 'degraded'])).toBe('partial');
  });
});

describe('a day or an hour of history', () => {
  const cell = (checks: number, uptime: number | undefined, extra: { degraded?: number; downMs?: number; incidents?: number } = {}) => ({
    start: 0,
    checks,
    ...(uptime === undefined ? {} : { uptime }),
    degraded: extra.degraded ?? 0,
    downMs: extra.downMs ?? 0,
    incidents: extra.incidents ?? 0,
  });

  it('tells no data, good, degraded, some downtime and much downtime apart', () => {
    expect(cellLevel(cell(0, undefined))).toBe('n');
    expect(cellLevel(cell(100, 1))).toBe('');
    expect(cellLevel(cell(100, 1, { degraded: 2 }))).toBe('');
    expect(cellLevel(cell(100, 1, { degraded: 5 }))).toBe('d');
    expect(cellLevel(cell(100, 1, { incidents: 1 }))).toBe('d');
    expect(cellLevel(cell(1000, 0.995))).toBe('p');
    expect(cellLevel(cell(100, 1, { downMs: 60_000, incidents: 1 }))).toBe('p');
    expect(cellLevel(cell(100, 0.98))).toBe('m');
    // An incident on a day without checks (the monitor was down and not checked) is not "no data".
    expect(cellLevel(cell(0, undefined, { incidents: 1, downMs: 3_600_000 }))).toBe('p');
  });
});
