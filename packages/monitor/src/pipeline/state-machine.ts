/**
 * A monitor's state after one more check: a pure function of the previous committed state and the new verdict.
 *
 * - `healthy` and `degraded` apply at once and reset the failure count.
 * - `unhealthy` counts a failure. With `retries: N`, the first N failures in a row leave the monitor `pending`
 *   (failing, not down); failure N + 1 makes it `unhealthy`. Once unhealthy it stays so until a check passes.
 * - `paused`, `maintenance` and `new` (resumed: no verdict yet) are put from outside: they replace the state as
 *   they are and reset the failure count.
 *
 * Incidents follow the state: one opens on entering `unhealthy` or `degraded`, and closes on returning to
 * `healthy` (or on `paused` / `maintenance` / `new`, which are never downtime). Going from `degraded` to
 * `unhealthy` (or back) closes the open incident and opens one with the new status. `pending` changes nothing: an
 * incident open before it (a degraded one) stays open, and none opens until the retries are used up.
 *
 * A step that changes the state carries the change, numbered `seq` (the previous one + 1, without gaps). The
 * caller commits the step — result, state, incident changes and the change's event in one transaction — before
 * anything in memory moves on, and stores the opened incident's id in `state.openIncidentId`.
 */
import type { Status } from '@vigil/core';
import { type AlertProgress, type Excuse, type Incident, isDowntime, type MonitorRuntimeState, type MonitorState } from '../model.js';

/** A probe's verdict, or a state the monitor is put in from outside. */
export type Verdict = Status | 'paused' | 'maintenance' | 'new';

export interface CheckVerdict {
  monitorId: string;
  location: string;
  status: Verdict;
  /** When the check ran (epoch ms): becomes `lastCheckAt` (for check verdicts) and the change's time. */
  at: number;
  /** Failed checks in a row tolerated as `pending` before the monitor goes down. */
  retries: number;
  /** What failed (error or failed condition), or why the state was set from outside; sanitized. */
  cause?: string;
  /** When the monitor alerts; absent (or without channels) for one that never does. */
  alerting?: AlertingRule;
  /** A check made while the monitor is in maintenance (`status: 'maintenance'`): what the probe found. */
  observed?: Status;
  /** A monitor this one depends on that is down: a trigger now is held back (recorded, not sent). */
  heldBy?: string;
  /** When the certificate the check saw expires. */
  certificateExpiresAt?: number;
  /**
   * False for one location of a monitor checked from several: its state is kept, and the incidents are those of
   * the state judged for all locations (pipeline/quorum.ts). An incident left open is closed.
   */
  incidents?: boolean;
}

/** The part of a monitor's alert rule the state machine applies. */
export interface AlertingRule {
  failureThreshold: number;
  successThreshold: number;
  sendResolved: boolean;
  /** 0: no reminders. */
  remindEveryMs: number;
  onDegraded: boolean;
  /** 0: never. After this long unacknowledged, the alert goes to the rule's further channels too. */
  escalateAfterMs?: number;
  /** Warn when the certificate expires within these many days (each once per certificate); none: never. */
  certificateDays?: readonly number[];
}

export type AlertKind = 'trigger' | 'reminder' | 'escalation' | 'resolve' | 'certificate';

/** A notification the step makes: committed with it, one outbox row per channel. */
export interface AlertStep {
  kind: AlertKind;
  /** Its number (`alert.seq` after the step). */
  seq: number;
  /** The number of the trigger of the alert it belongs to. */
  trigger: number;
  /** When the alert started. */
  since: number;
  /** A held-back trigger: the monitor it depends on that was down. Recorded, not sent; the alert is not open. */
  suppressedBy?: string;
  /** A certificate warning: when it expires, and the whole days left. */
  certificate?: { expiresAt: number; daysLeft: number };
  /** A resolve of an escalated alert: it goes to the further channels too. */
  escalated?: boolean;
}

/** An acknowledgement of the open alert (no more reminders, no escalation); the state unchanged if none is open. */
export function acknowledge(state: MonitorRuntimeState, at: number, by: string): MonitorRuntimeState {
  const open = state.alert?.open;
  if (state.alert === undefined || open === undefined || open.acknowledged !== undefined) return state;
  return { ...state, alert: { ...state.alert, open: { ...open, acknowledged: { at, by } } } };
}

/** A state change, before it is stored (the feed adds its cursor). */
export interface PendingChange {
  seq: number;
  from: MonitorState;
  to: MonitorState;
  at: number;
  reason?: string;
}

export type IncidentStatus = Incident['status'];

export interface StateStep {
  /** The state after the step; an incident it opens has no id yet (`openIncidentId` is set on commit). */
  state: MonitorRuntimeState;
  /** Present when the state changed. */
  change?: PendingChange;
  /** The open incident to close at the verdict's time. */
  closeIncidentId?: number;
  /** The incident to open at the verdict's time. */
  openIncident?: { status: IncidentStatus; cause?: string };
  /** An unhealthy verdict that did not make its monitor down (`isDowntime`): why. */
  excused?: Excuse;
  /** A notification to send: a trigger, a reminder or a resolve. */
  alert?: AlertStep;
}

/**
 * Whether a step must be committed on its own before the monitor's next verdict (state or incident changed, or a
 * notification made).
 */
export function isLoud(step: StateStep): boolean {
  return (
    step.change !== undefined || step.closeIncidentId !== undefined || step.openIncident !== undefined || step.alert !== undefined
  );
}

/**
 * The alerting after one more verdict. A trigger needs `failureThreshold` bad checks in a row *and* the monitor in
 * an alerting state (down; degraded too with `onDegraded`): retries keep a monitor pending, and pending never
 * alerts. `successThreshold` good checks in a row resolve it (a notification only with `sendResolved`). While it
 * lasts, a bad check at least `remindEveryMs` after the last notification makes a reminder.
 *
 * A pause ends an open alert with its resolve (every trigger gets one). Maintenance sends nothing: an alert open
 * when it starts stays open through it, the counts start again after it (`new`), and the checks after it decide —
 * still down, nothing new; recovered, the resolve; down since the window started, a trigger once the threshold is
 * reached.
 */
function nextAlert(
  before: AlertProgress | undefined,
  verdict: CheckVerdict,
  to: MonitorState,
): { alert: AlertProgress | undefined; step?: AlertStep } {
  const rule = verdict.alerting;
  const previous: AlertProgress = before ?? { seq: 0, bad: 0, good: 0 };
  if (rule === undefined) {
    // No longer alerting (no channel, or alerts off): an open alert ends without a message.
    if (before === undefined) return { alert: undefined };
    const { open: _ended, ...rest } = previous;
    return { alert: { ...rest, bad: 0, good: 0 } };
  }
  const resolve = (alert: AlertProgress, open: NonNullable<AlertProgress['open']>) => {
    const { open: _ended, ...rest } = alert;
    if (!rule.sendResolved) return { alert: rest };
    const seq = rest.seq + 1;
    return {
      alert: { ...rest, seq },
      step: { kind: 'resolve' as const, seq, trigger: open.trigger, since: open.since, ...(open.escalated ? { escalated: true } : {}) },
    };
  };
  const status = verdict.status;
  if (status === 'maintenance' || status === 'new') return { alert: { ...previous, bad: 0, good: 0 } };
  if (status === 'paused') {
    const reset = { ...previous, bad: 0, good: 0 };
    return previous.open ? resolve(reset, previous.open) : { alert: reset };
  }
  const bad = status === 'unhealthy' || (status === 'degraded' && rule.onDegraded);
  const counted: AlertProgress = bad
    ? { ...previous, bad: previous.bad + 1, good: 0 }
    : { ...previous, bad: 0, good: previous.good + 1 };
  // A held-back trigger lasts while the check fails; a pass ends it.
  const { held, ...rest } = counted;
  const alert: AlertProgress = bad && held !== undefined ? { ...rest, held } : rest;
  const open = alert.open;
  if (open === undefined) {
    const alerting = to === 'unhealthy' || (to === 'degraded' && rule.onDegraded);
    if (!bad || !alerting || alert.bad < rule.failureThreshold) return { alert };
    if (verdict.heldBy !== undefined) {
      // Recorded once per parent; the trigger comes when the parent is up and this one still fails.
      if (alert.held === verdict.heldBy) return { alert };
      const seq = alert.seq + 1;
      return {
        alert: { ...alert, seq, held: verdict.heldBy },
        step: { kind: 'trigger', seq, trigger: seq, since: verdict.at, suppressedBy: verdict.heldBy },
      };
    }
    delete alert.held;
    const seq = alert.seq + 1;
    return {
      alert: { ...alert, seq, open: { trigger: seq, since: verdict.at, notifiedAt: verdict.at } },
      step: { kind: 'trigger', seq, trigger: seq, since: verdict.at },
    };
  }
  if (!bad) return alert.good >= rule.successThreshold ? resolve(alert, open) : { alert };
  // Acknowledged: someone is on it — no reminder, no escalation.
  if (open.acknowledged !== undefined) return { alert };
  const escalateAfter = rule.escalateAfterMs ?? 0;
  if (escalateAfter > 0 && open.escalated !== true && verdict.at - open.since >= escalateAfter) {
    const seq = alert.seq + 1;
    return {
      alert: { ...alert, seq, open: { ...open, escalated: true, notifiedAt: verdict.at } },
      step: { kind: 'escalation', seq, trigger: open.trigger, since: open.since },
    };
  }
  if (rule.remindEveryMs > 0 && verdict.at - open.notifiedAt >= rule.remindEveryMs) {
    const seq = alert.seq + 1;
    return {
      alert: { ...alert, seq, open: { ...open, notifiedAt: verdict.at } },
      step: { kind: 'reminder', seq, trigger: open.trigger, since: open.since },
    };
  }
  return { alert };
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

/** The state of a monitor never seen at this location. */
export function initialState(monitorId: string, location: string): MonitorRuntimeState {
  return { monitorId, location, state: 'new', consecutiveFailures: 0, seq: 0 };
}

const DAY_MS = 86_400_000;

/**
 * A warning when the certificate a check saw expires within one of the rule's `certificateDays`: once per threshold
 * and certificate (a renewed certificate starts over), the smallest threshold crossed.
 */
function certificateWarning(
  alert: AlertProgress | undefined,
  verdict: CheckVerdict,
): { alert: AlertProgress | undefined; step?: AlertStep } {
  const days = verdict.alerting?.certificateDays ?? [];
  const expiresAt = verdict.certificateExpiresAt;
  if (verdict.alerting === undefined || days.length === 0 || expiresAt === undefined) return { alert };
  const left = (expiresAt - verdict.at) / DAY_MS;
  const crossed = days.filter((threshold) => left <= threshold);
  const base: AlertProgress = alert ?? { seq: 0, bad: 0, good: 0 };
  const sameCertificate = base.certificate?.expiresAt === expiresAt;
  if (crossed.length === 0) {
    // Not close yet (or renewed): forget the old warnings.
    if (base.certificate === undefined) return { alert };
    const { certificate: _renewed, ...rest } = base;
    return { alert: rest };
  }
  const threshold = Math.min(...crossed);
  if (sameCertificate && base.certificate!.days <= threshold) return { alert };
  const seq = base.seq + 1;
  return {
    alert: { ...base, seq, certificate: { expiresAt, days: threshold } },
    step: {
      kind: 'certificate',
      seq,
      trigger: seq,
      since: verdict.at,
      certificate: { expiresAt, daysLeft: Math.max(0, Math.floor(left)) },
    },
  };
}

export function nextState(previous: MonitorRuntimeState | undefined, verdict: CheckVerdict): StateStep {
  const retries = Number.isFinite(verdict.retries) ? Math.max(0, Math.floor(verdict.retries)) : 0;
  const before = previous ?? initialState(verdict.monitorId, verdict.location);
  const fromOutside = (state: MonitorState) => state === 'paused' || state === 'maintenance' || state === 'new';

  let to: MonitorState;
  let failures: number;
  switch (verdict.status) {
    case 'unhealthy':
      failures = (fromOutside(before.state) ? 0 : before.consecutiveFailures) + 1;
      to = before.state === 'unhealthy' || failures > retries ? 'unhealthy' : 'pending';
      break;
    default:
      to = verdict.status;
      failures = 0;
  }

  const checked = !fromOutside(verdict.status) || verdict.observed !== undefined;
  // Property by property, not spreads: every check makes one, and the monitor keeps it until its next check (a
  // spread here can give each of them a hidden class of its own).
  const state: MonitorRuntimeState = {
    monitorId: verdict.monitorId,
    location: verdict.location,
    state: to,
    consecutiveFailures: failures,
    seq: before.seq,
  };
  if (checked) state.lastCheckAt = verdict.at;
  else if (before.lastCheckAt !== undefined) state.lastCheckAt = before.lastCheckAt;
  if (before.since !== undefined) state.since = before.since;

  const alerted = nextAlert(before.alert, verdict, to);
  // A certificate warning waits for a check without another notification (one per step).
  const { alert, step: alertStep } = alerted.step === undefined ? certificateWarning(alerted.alert, verdict) : alerted;
  if (alert !== undefined) state.alert = alert;
  const step: StateStep = { state };
  if (alertStep) step.alert = alertStep;
  if (before.state !== to) {
    state.seq = before.seq + 1;
    state.since = verdict.at;
    step.change = {
      seq: state.seq,
      from: before.state,
      to,
      at: verdict.at,
      ...(verdict.cause !== undefined ? { reason: verdict.cause } : {}),
    };
  }
  // A failed check whose monitor is not down (retries left: `pending`) is not downtime.
  if (verdict.status === 'unhealthy' && !isDowntime(to)) step.excused = 'pending';
  // A check that failed during maintenance is not downtime either.
  if (verdict.status === 'maintenance' && verdict.observed === 'unhealthy') step.excused = 'maintenance';

  const open = openIncidentStatus(before);
  const called = verdict.incidents === false ? undefined : incidentFor(to);
  const wanted = called === 'keep' ? open : called;
  if (wanted !== undefined && wanted === open) {
    state.openIncidentId = before.openIncidentId;
  } else {
    if (before.openIncidentId !== undefined) step.closeIncidentId = before.openIncidentId;
    if (wanted !== undefined) {
      step.openIncident = { status: wanted, ...(verdict.cause !== undefined ? { cause: verdict.cause } : {}) };
    }
  }
  return step;
}
