/**
 * The verdict over several locations: down at `quorum` of the locations that report, degraded (naming them) below
 * it; a location that stopped reporting (an agent down) does not vote, so the others still decide.
 */
import { describe, expect, it } from 'vitest';
import { defaultQuorum, type LocationState, quorumVerdict, reporting } from '../../src/pipeline/quorum.js';

const NOW = 1_800_000_000_000;
const at = (state: LocationState['state'], cause?: string, ago = 1000): LocationState => ({ state, lastCheckAt: NOW - ago, ...(cause ? { cause } : {}) });
const LOCATIONS = ['local', 'eu-west', 'us-east'];
const verdict = (states: Record<string, LocationState>, quorum = 2) =>
  quorumVerdict(LOCATIONS, new Map(Object.entries(states)), quorum, (location) => reporting(states[location], 60_000, NOW));

describe('quorum', () => {
  it('defaults to a majority', () => {
    expect([1, 2, 3, 4, 5].map(defaultQuorum)).toEqual([1, 2, 2, 3, 3]);
  });

  it('is down at the quorum, degraded naming the locations below it, healthy when none fails', () => {
    expect(verdict({ local: at('healthy'), 'eu-west': at('healthy'), 'us-east': at('healthy') })).toEqual({ status: 'healthy' });
    expect(verdict({ local: at('healthy'), 'eu-west': at('unhealthy', 'timeout'), 'us-east': at('healthy') })).toEqual({
      status: 'degraded',
      cause: 'down from eu-west only (down takes 2 of 3): timeout',
    });
    expect(verdict({ local: at('healthy'), 'eu-west': at('unhealthy', 'timeout'), 'us-east': at('unhealthy', 'refused') })).toEqual({
      status: 'unhealthy',
      cause: 'down from eu-west, us-east (2 of 3): timeout',
    });
    // Pending (retries left) is not down.
    expect(verdict({ local: at('pending'), 'eu-west': at('unhealthy'), 'us-east': at('healthy') })?.status).toBe('degraded');
    expect(verdict({ local: at('degraded', 'slow'), 'eu-west': at('healthy'), 'us-east': at('healthy') })).toEqual({
      status: 'degraded',
      cause: 'degraded from local: slow',
    });
  });

  it('has no verdict before any location checked', () => {
    expect(verdict({})).toBeUndefined();
    expect(verdict({ local: { state: 'new' } })).toBeUndefined();
  });

  it('counts only the locations that report: an agent that stopped does not keep the monitor up', () => {
    const stale = 3 * 60_000 + 30_001;
    expect(reporting(at('healthy', undefined, stale), 60_000, NOW)).toBe(false);
    expect(reporting(at('healthy', undefined, stale - 2), 60_000, NOW)).toBe(true);
    // Two agents silent (their last state healthy): the server alone finding it down takes it down.
    expect(verdict({ local: at('unhealthy', 'refused'), 'eu-west': at('healthy', undefined, stale), 'us-east': at('healthy', undefined, stale) })).toEqual({
      status: 'unhealthy',
      cause: 'down from local (1 of 1; eu-west, us-east not reporting): refused',
    });
    // One silent: the quorum of 2 is taken among the two that report.
    expect(verdict({ local: at('unhealthy'), 'eu-west': at('healthy', undefined, stale), 'us-east': at('healthy') })?.status).toBe('degraded');
    // A location never heard from (no agent yet) does not vote either.
    expect(verdict({ local: at('unhealthy', 'refused') })?.status).toBe('unhealthy');
  });
});
