/**
 * A monitor's state after one more check: a pure function of the previous runtime state and the new verdict.
 *
 * - `healthy` and `degraded` apply at once and reset the failure count.
 * - `unhealthy` counts a failure. With `retries: N`, the first N failures in a row leave the monitor `pending`
 *   (failing, not down); failure N + 1 makes it `unhealthy`. Once unhealthy it stays so until a check passes.
 * - `paused` and `maintenance` pass through: they replace the state as they are and reset the failure count.
 *
 * Incidents follow the state: one opens on entering `unhealthy` or `degraded`, and closes on returning to
 * `healthy` (or on `paused` / `maintenance`, which never count as downtime). Going from `degraded` to
 * `unhealthy` (or back) closes the open incident and opens one with the new status. `pending` changes nothing: an
 * incident open before it (a degraded one) stays open, and none opens until the retries are used up.
 *
 * The caller performs the returned incident changes (close first, then open) and stores the opened incident's
 * id in `state.openIncidentId`.
 */
import type { Status } from '@vigil/core';
import type { Incident, MonitorRuntimeState, MonitorState } from '../model.js';

/** A probe's verdict, or a state the monitor is put in from outside. */
export type Verdict = Status | 'paused' | 'maintenance';

export interface CheckVerdict {
  monitorId: string;
  status: Verdict;
  /** When the check ran (epoch ms): becomes `lastCheckAt` (except for `paused`) and the transition's time. */
  at: number;
  /** Failed checks in a row tolerated as `pending` before the monitor goes down. */
  retries: number;
  /** What failed (error or failed condition), sanitized. */
  cause?: string;
}

export interface StateTransition {
  monitorId: string;
  /** `undefined` for the monitor's first check. */
  from: MonitorState | undefined;
  to: MonitorState;
  at: number;
  cause?: string;
}

export type IncidentStatus = Incident['status'];

export interface StateStep {
  state: MonitorRuntimeState;
  /** Present when the state changed. */
  transition?: StateTransition;
  /** The open incident to close at `transition.at` (the verdict's time). */
  closeIncidentId?: number;
  /** The incident to open; store its id in `state.openIncidentId`. */
  openIncident?: Omit<Incident, 'id' | 'endedAt'>;
}

/** The incident status a state calls for; `undefined` for none; `'keep'` for whatever is open. */
function incidentFor(state: MonitorState): IncidentStatus | 'keep' | undefined {
  switch (state) {
    case 'unhealthy':
    case 'degraded':
      return state;
    case 'pending':
      return 'keep';
    default:
      return undefined;
  }
}

/**
 * The status of the incident that is open in `state`. Only a degraded incident can be open while pending (an
 * unhealthy monitor stays unhealthy until it passes, and paused/maintenance close incidents).
 */
function openIncidentStatus(state: MonitorRuntimeState): IncidentStatus | undefined {
  if (state.openIncidentId === undefined) return undefined;
  if (state.state === 'unhealthy' || state.state === 'degraded') return state.state;
  if (state.state === 'pending') return 'degraded';
  return undefined; // an incident left open in a state that calls for none: close it
}

export function nextState(previous: MonitorRuntimeState | undefined, verdict: CheckVerdict): StateStep {
  const retries = Number.isFinite(verdict.retries) ? Math.max(0, Math.floor(verdict.retries)) : 0;
  const before: MonitorRuntimeState = previous ?? { monitorId: verdict.monitorId, state: 'pending', consecutiveFailures: 0 };
  const wasPassThrough = before.state === 'paused' || before.state === 'maintenance';

  let to: MonitorState;
  let failures: number;
  switch (verdict.status) {
    case 'healthy':
    case 'degraded':
    case 'paused':
    case 'maintenance':
      to = verdict.status;
      failures = 0;
      break;
    case 'unhealthy':
      failures = (wasPassThrough ? 0 : before.consecutiveFailures) + 1;
      to = before.state === 'unhealthy' || failures > retries ? 'unhealthy' : 'pending';
      break;
  }

  const state: MonitorRuntimeState = {
    monitorId: verdict.monitorId,
    state: to,
    consecutiveFailures: failures,
    lastCheckAt: verdict.status === 'paused' ? before.lastCheckAt : verdict.at,
  };

  const step: StateStep = { state };
  const from = previous?.state;
  if (from !== to) {
    step.transition = { monitorId: verdict.monitorId, from, to, at: verdict.at };
    if (verdict.cause !== undefined) step.transition.cause = verdict.cause;
  }

  const open = openIncidentStatus(before);
  const called = incidentFor(to);
  const wanted = called === 'keep' ? open : called;
  if (wanted !== undefined && wanted === open) {
    state.openIncidentId = before.openIncidentId;
  } else {
    if (before.openIncidentId !== undefined) step.closeIncidentId = before.openIncidentId;
    if (wanted !== undefined) {
      step.openIncident = { monitorId: verdict.monitorId, status: wanted, startedAt: verdict.at };
      if (verdict.cause !== undefined) step.openIncident.cause = verdict.cause;
    }
  }
  return step;
}
