/**
 * A monitor checked from several locations (`locations: [local, eu-west, us-east]`) has a state per location and
 * one for all of them, judged from those by its `quorum`: down when at least `quorum` locations find it down; when
 * fewer do, degraded, naming them (a problem near one location is shown, and does not alert unless the rule alerts
 * on degraded). Only the state for all locations opens incidents and alerts; its lane is at `QUORUM_LOCATION`.
 */
import type { Status } from '@vigil/core';
import type { MonitorState } from '../model.js';

/** The location of a multi-location monitor's judged state (not a location name one can configure). */
export const QUORUM_LOCATION = '*';

/** The quorum when none is configured: a majority of the locations. */
export function defaultQuorum(locations: number): number {
  return Math.floor(locations / 2) + 1;
}

export interface LocationState {
  state: MonitorState;
  /** Why it changed to this state (the reason of its last change). */
  cause?: string;
  /** Its last check (or, when only its last change is known, that change's time). */
  lastCheckAt?: number;
}

/**
 * A location reports while its last check is recent: within three intervals and half a minute. One that stopped
 * (an agent that is down, a location removed) does not vote: the quorum is taken among those that report, so a
 * monitor whose other locations are silent still goes down when the ones left find it down.
 */
export function reporting(state: LocationState | undefined, intervalMs: number, now: number): boolean {
  if (state === undefined || state.lastCheckAt === undefined) return false;
  if (state.state === 'new' || state.state === 'paused') return false;
  return now - state.lastCheckAt <= 3 * intervalMs + 30_000;
}

/** The verdict for all locations, or undefined while no location has a verdict yet (all new, paused or in maintenance). */
export function quorumVerdict(
  locations: readonly string[],
  states: ReadonlyMap<string, LocationState>,
  quorum: number,
  isReporting: (location: string) => boolean = () => true,
): { status: Status; cause?: string } | undefined {
  const voters = locations.filter(isReporting);
  const silent = locations.filter((location) => !voters.includes(location) && states.get(location) !== undefined);
  const note = silent.length === 0 ? '' : `; ${silent.join(', ')} not reporting`;
  // Among the locations that report; at least one must find it down.
  quorum = Math.max(1, Math.min(quorum, voters.length));
  const down = voters.filter((location) => states.get(location)?.state === 'unhealthy');
  const degraded = voters.filter((location) => states.get(location)?.state === 'degraded');
  const why = (location: string | undefined) => {
    const cause = location === undefined ? undefined : states.get(location)?.cause;
    return cause === undefined ? '' : `: ${cause}`;
  };
  if (down.length >= quorum) {
    return { status: 'unhealthy', cause: `down from ${down.join(', ')} (${down.length} of ${voters.length}${note})${why(down[0])}` };
  }
  if (down.length > 0) {
    return { status: 'degraded', cause: `down from ${down.join(', ')} only (down takes ${quorum} of ${voters.length}${note})${why(down[0])}` };
  }
  if (degraded.length > 0) return { status: 'degraded', cause: `degraded from ${degraded.join(', ')}${why(degraded[0])}` };
  const checked = voters.filter((location) => {
    const state = states.get(location)?.state;
    return state === 'healthy' || state === 'pending';
  });
  return checked.length > 0 ? { status: 'healthy' } : undefined;
}
