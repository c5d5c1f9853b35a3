import { describe, expect, it } from 'vitest';
import type { MonitorRuntimeState, MonitorState } from '../../src/model.js';
import { type CheckVerdict, isLoud, nextState, type Verdict } from '../../src/pipeline/state-machine.js';

const AT = 1_700_000_000_000;
/** The sequence number of the last change of every `prev` state. */
const SEQ = 41;

function prev(state: MonitorState, consecutiveFailures = 0, openIncidentId?: number): MonitorRuntimeState {
  return {
    monitorId: 'm',
    location: 'local',
    state,
    consecutiveFailures,
    lastCheckAt: AT - 60_000,
    seq: SEQ,
    since: AT - 120_000,
    ...(openIncidentId !== undefined ? { openIncidentId } : {}),
  };
}

function verdict(status: Verdict, retries = 0, extra: Partial<CheckVerdict> = {}): CheckVerdict {
  return { monitorId: 'm', location: 'local', status, at: AT, retries, ...extra };
}

interface Row {
  name: string;
  previous: MonitorRuntimeState | undefined;
  status: Verdict;
  retries?: number;
  /** Expected state and failure count. */
  state: MonitorState;
  failures: number;
  /** Expected change `from→to`, or none. */
  transition?: string;
  close?: number;
  open?: 'unhealthy' | 'degraded';
  /** The open incident carried over. */
  keeps?: number;
}

const rows: Row[] = [
  // First checks.
  { name: 'first check healthy', previous: undefined, status: 'healthy', state: 'healthy', failures: 0, transition: 'new→healthy' },
  { name: 'first check degraded', previous: undefined, status: 'degraded', state: 'degraded', failures: 0, transition: 'new→degraded', open: 'degraded' },
  { name: 'first check fails, no retries', previous: undefined, status: 'unhealthy', state: 'unhealthy', failures: 1, transition: 'new→unhealthy', open: 'unhealthy' },
  { name: 'first check fails, retries left', previous: undefined, status: 'unhealthy', retries: 2, state: 'pending', failures: 1, transition: 'new→pending' },

  // Healthy.
  { name: 'healthy stays healthy', previous: prev('healthy'), status: 'healthy', state: 'healthy', failures: 0 },
  { name: 'healthy → degraded at once', previous: prev('healthy'), status: 'degraded', retries: 3, state: 'degraded', failures: 0, transition: 'healthy→degraded', open: 'degraded' },
  { name: 'healthy → unhealthy with no retries', previous: prev('healthy'), status: 'unhealthy', state: 'unhealthy', failures: 1, transition: 'healthy→unhealthy', open: 'unhealthy' },
  { name: 'healthy → pending on a first failure with retries', previous: prev('healthy'), status: 'unhealthy', retries: 2, state: 'pending', failures: 1, transition: 'healthy→pending' },

  // Retries: with retries 2, failures 1 and 2 are pending, failure 3 goes down.
  { name: 'pending stays pending while retries last', previous: prev('pending', 1), status: 'unhealthy', retries: 2, state: 'pending', failures: 2 },
  { name: 'pending → unhealthy when retries are used up', previous: prev('pending', 2), status: 'unhealthy', retries: 2, state: 'unhealthy', failures: 3, transition: 'pending→unhealthy', open: 'unhealthy' },
  { name: 'pending → healthy: no incident', previous: prev('pending', 2), status: 'healthy', retries: 2, state: 'healthy', failures: 0, transition: 'pending→healthy' },
  { name: 'pending → degraded opens a degraded incident', previous: prev('pending', 1), status: 'degraded', retries: 2, state: 'degraded', failures: 0, transition: 'pending→degraded', open: 'degraded' },
  { name: 'retries lowered below the count: down now', previous: prev('pending', 3), status: 'unhealthy', retries: 1, state: 'unhealthy', failures: 4, transition: 'pending→unhealthy', open: 'unhealthy' },

  // Unhealthy.
  { name: 'unhealthy stays unhealthy, incident kept', previous: prev('unhealthy', 4, 7), status: 'unhealthy', retries: 2, state: 'unhealthy', failures: 5, keeps: 7 },
  { name: 'unhealthy stays unhealthy even if retries were raised', previous: prev('unhealthy', 1, 7), status: 'unhealthy', retries: 5, state: 'unhealthy', failures: 2, keeps: 7 },
  { name: 'unhealthy → healthy closes the incident', previous: prev('unhealthy', 4, 7), status: 'healthy', state: 'healthy', failures: 0, transition: 'unhealthy→healthy', close: 7 },
  { name: 'unhealthy → degraded: close down, open degraded', previous: prev('unhealthy', 4, 7), status: 'degraded', state: 'degraded', failures: 0, transition: 'unhealthy→degraded', close: 7, open: 'degraded' },
  { name: 'unhealthy without an incident (open failed): open one', previous: prev('unhealthy', 2), status: 'unhealthy', state: 'unhealthy', failures: 3, open: 'unhealthy' },

  // Degraded.
  { name: 'degraded stays degraded, incident kept', previous: prev('degraded', 0, 3), status: 'degraded', state: 'degraded', failures: 0, keeps: 3 },
  { name: 'degraded → healthy closes', previous: prev('degraded', 0, 3), status: 'healthy', state: 'healthy', failures: 0, transition: 'degraded→healthy', close: 3 },
  { name: 'degraded → unhealthy: close degraded, open down', previous: prev('degraded', 0, 3), status: 'unhealthy', state: 'unhealthy', failures: 1, transition: 'degraded→unhealthy', close: 3, open: 'unhealthy' },
  { name: 'degraded → pending keeps the degraded incident', previous: prev('degraded', 0, 3), status: 'unhealthy', retries: 1, state: 'pending', failures: 1, transition: 'degraded→pending', keeps: 3 },
  { name: 'pending (from degraded) → unhealthy: close degraded, open down', previous: prev('pending', 1, 3), status: 'unhealthy', retries: 1, state: 'unhealthy', failures: 2, transition: 'pending→unhealthy', close: 3, open: 'unhealthy' },
  { name: 'pending (from degraded) → degraded: same incident', previous: prev('pending', 1, 3), status: 'degraded', retries: 1, state: 'degraded', failures: 0, transition: 'pending→degraded', keeps: 3 },
  { name: 'pending (from degraded) → healthy closes', previous: prev('pending', 1, 3), status: 'healthy', retries: 1, state: 'healthy', failures: 0, transition: 'pending→healthy', close: 3 },

  // Paused and maintenance pass through, close incidents, reset the count.
  { name: 'unhealthy → paused closes', previous: prev('unhealthy', 4, 7), status: 'paused', state: 'paused', failures: 0, transition: 'unhealthy→paused', close: 7 },
  { name: 'degraded → maintenance closes', previous: prev('degraded', 0, 3), status: 'maintenance', state: 'maintenance', failures: 0, transition: 'degraded→maintenance', close: 3 },
  { name: 'pending → maintenance', previous: prev('pending', 2), status: 'maintenance', retries: 3, state: 'maintenance', failures: 0, transition: 'pending→maintenance' },
  { name: 'maintenance stays', previous: prev('maintenance'), status: 'maintenance', state: 'maintenance', failures: 0 },
  { name: 'paused → healthy', previous: prev('paused'), status: 'healthy', state: 'healthy', failures: 0, transition: 'paused→healthy' },
  { name: 'maintenance → failure starts counting afresh', previous: prev('maintenance', 5), status: 'unhealthy', retries: 1, state: 'pending', failures: 1, transition: 'maintenance→pending' },
  { name: 'maintenance → unhealthy with no retries', previous: prev('maintenance'), status: 'unhealthy', state: 'unhealthy', failures: 1, transition: 'maintenance→unhealthy', open: 'unhealthy' },

  // Stale incident ids are closed.
  { name: 'healthy with an incident left open: close it', previous: prev('healthy', 0, 9), status: 'healthy', state: 'healthy', failures: 0, close: 9 },
  { name: 'healthy with a stale incident → pending: close it', previous: prev('healthy', 0, 9), status: 'unhealthy', retries: 1, state: 'pending', failures: 1, transition: 'healthy→pending', close: 9 },

  // Odd retries values.
  { name: 'negative retries count as 0', previous: prev('healthy'), status: 'unhealthy', retries: -1, state: 'unhealthy', failures: 1, transition: 'healthy→unhealthy', open: 'unhealthy' },
  { name: 'fractional retries are floored', previous: prev('pending', 1), status: 'unhealthy', retries: 1.9, state: 'unhealthy', failures: 2, transition: 'pending→unhealthy', open: 'unhealthy' },
];

describe('nextState', () => {
  it.each(rows)('$name', (row) => {
    const step = nextState(row.previous, verdict(row.status, row.retries ?? 0, { cause: 'boom' }));
    expect(step.state.monitorId).toBe('m');
    expect(step.state.location).toBe('local');
    expect(step.state.state).toBe(row.state);
    expect(step.state.consecutiveFailures).toBe(row.failures);
    expect(step.change ? `${step.change.from}→${step.change.to}` : undefined).toBe(row.transition);
    const before = row.previous?.seq ?? 0;
    if (step.change) {
      // Numbered after the previous change, without gaps; the state records when it changed.
      expect(step.change).toEqual({ seq: before + 1, from: row.previous?.state ?? 'new', to: row.state, at: AT, reason: 'boom' });
      expect(step.state).toMatchObject({ seq: before + 1, since: AT });
    } else {
      expect(step.state.seq).toBe(before);
      expect(step.state.since).toBe(row.previous?.since);
    }
    expect(step.closeIncidentId).toBe(row.close);
    expect(step.openIncident?.status).toBe(row.open);
    if (step.openIncident) expect(step.openIncident).toEqual({ status: row.open, cause: 'boom' });
    expect(step.state.openIncidentId).toBe(row.keeps);
    // Loud steps (committed on their own before the next verdict) are exactly those that change something.
    expect(isLoud(step)).toBe(row.transition !== undefined || row.close !== undefined || row.open !== undefined);
  });

  it('marks a failed check that did not make the monitor down as excused (pending), the rest not', () => {
    expect(nextState(prev('healthy'), verdict('unhealthy', 2)).excused).toBe('pending');
    expect(nextState(prev('pending', 1), verdict('unhealthy', 2)).excused).toBe('pending');
    expect(nextState(prev('pending', 2), verdict('unhealthy', 2)).excused).toBeUndefined();
    expect(nextState(prev('unhealthy', 3), verdict('unhealthy', 5)).excused).toBeUndefined();
    expect(nextState(prev('healthy'), verdict('degraded')).excused).toBeUndefined();
  });

  it('sets lastCheckAt to the check time, but not for a state set from outside', () => {
    expect(nextState(prev('healthy'), verdict('unhealthy')).state.lastCheckAt).toBe(AT);
    expect(nextState(prev('healthy'), verdict('maintenance')).state.lastCheckAt).toBe(AT - 60_000);
    expect(nextState(prev('healthy'), verdict('paused')).state.lastCheckAt).toBe(AT - 60_000);
    expect(nextState(prev('paused'), verdict('new')).state.lastCheckAt).toBe(AT - 60_000);
  });

  it('resuming (new) from paused is a change; the next check moves on from new, with no incident left', () => {
    const resumed = nextState(prev('paused'), verdict('new', 0, { cause: 'resumed through the API' }));
    expect(resumed.change).toEqual({ seq: SEQ + 1, from: 'paused', to: 'new', at: AT, reason: 'resumed through the API' });
    const checked = nextState(resumed.state, verdict('unhealthy', 1));
    expect(checked.change).toMatchObject({ seq: SEQ + 2, from: 'new', to: 'pending' });
    expect(checked.state.consecutiveFailures).toBe(1);
  });

  it('leaves reason and cause out when there is none', () => {
    const step = nextState(prev('healthy'), verdict('unhealthy'));
    expect(step.change).toEqual({ seq: SEQ + 1, from: 'healthy', to: 'unhealthy', at: AT });
    expect(step.openIncident).toEqual({ status: 'unhealthy' });
  });

  it('does not mutate the previous state', () => {
    const previous = prev('unhealthy', 2, 7);
    const copy = structuredClone(previous);
    nextState(previous, verdict('healthy'));
    expect(previous).toEqual(copy);
  });

  it('walks a whole outage: retries, down, recovery — one incident', () => {
    let state: MonitorRuntimeState | undefined;
    const log: string[] = [];
    let nextId = 1;
    const statuses: Verdict[] = ['healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy', 'unhealthy', 'healthy'];
    statuses.forEach((status, i) => {
      const step = nextState(state, { monitorId: 'm', location: 'local', status, at: i, retries: 2 });
      if (step.closeIncidentId !== undefined) log.push(`close #${step.closeIncidentId} @${i}`);
      if (step.openIncident) {
        step.state.openIncidentId = nextId++;
        log.push(`open #${step.state.openIncidentId} ${step.openIncident.status} @${i}`);
      }
      state = step.state;
    });
    expect(log).toEqual(['open #1 unhealthy @3', 'close #1 @5']);
  });
});

describe('alerting', () => {
  const rule = { failureThreshold: 3, successThreshold: 2, sendResolved: true, remindEveryMs: 0, onDegraded: false };
  /** Runs verdicts one after the other, a minute apart; returns each step's alert kind (or '-') and the last state. */
  function walk(statuses: Verdict[], options: { retries?: number; alerting?: typeof rule; from?: MonitorRuntimeState } = {}) {
    let state = options.from;
    const kinds: string[] = [];
    statuses.forEach((status, i) => {
      const step = nextState(
        state,
        verdict(status, options.retries ?? 0, { at: AT + i * 60_000, ...(options.alerting === null ? {} : { alerting: options.alerting ?? rule }) }),
      );
      kinds.push(step.alert ? `${step.alert.kind}#${step.alert.seq}` : '-');
      if (step.alert) expect(isLoud(step)).toBe(true);
      state = step.state;
    });
    return { kinds, state: state! };
  }

  it('triggers at the third failure in a row, once; resolves after two passes', () => {
    const { kinds, state } = walk(['healthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy', 'healthy', 'healthy']);
    expect(kinds).toEqual(['-', '-', '-', 'trigger#1', '-', '-', 'resolve#2', '-']);
    expect(state.alert).toEqual({ seq: 2, bad: 0, good: 3 });
  });

  it('a flapping target never reaches the threshold: no alert at all', () => {
    const { kinds } = walk(['unhealthy', 'unhealthy', 'healthy', 'unhealthy', 'unhealthy', 'healthy', 'unhealthy']);
    expect(kinds.every((kind) => kind === '-')).toBe(true);
  });

  it('one pass inside an alert does not resolve it (success threshold), and the alert goes on', () => {
    const { kinds, state } = walk(['unhealthy', 'unhealthy', 'unhealthy', 'healthy', 'unhealthy', 'healthy', 'healthy']);
    expect(kinds).toEqual(['-', '-', 'trigger#1', '-', '-', '-', 'resolve#2']);
    expect(state.alert?.open).toBeUndefined();
  });

  it('retries keep the monitor pending, and pending never alerts: the trigger waits for the monitor to be down', () => {
    const { kinds } = walk(['unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy'], { retries: 4 });
    expect(kinds).toEqual(['-', '-', '-', '-', 'trigger#1']);
  });

  it('reminds while the alert lasts, at a failed check at least remind_every after the last message', () => {
    const { kinds } = walk(['unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'unhealthy', 'healthy', 'healthy'], {
      alerting: { ...rule, remindEveryMs: 2 * 60_000 },
    });
    expect(kinds).toEqual(['-', '-', 'trigger#1', '-', 'reminder#2', '-', 'reminder#3', '-', 'resolve#4']);
  });

  it('without send_resolved the alert ends quietly', () => {
    const { kinds, state } = walk(['unhealthy', 'unhealthy', 'unhealthy', 'healthy', 'healthy'], { alerting: { ...rule, sendResolved: false } });
    expect(kinds).toEqual(['-', '-', 'trigger#1', '-', '-']);
    expect(state.alert).toEqual({ seq: 1, bad: 0, good: 2 });
  });

  it('degraded alerts only with on_degraded', () => {
    expect(walk(['degraded', 'degraded', 'degraded']).kinds).toEqual(['-', '-', '-']);
    expect(walk(['degraded', 'degraded', 'degraded', 'healthy', 'healthy'], { alerting: { ...rule, onDegraded: true } }).kinds).toEqual([
      '-',
      '-',
      'trigger#1',
      '-',
      'resolve#2',
    ]);
  });

  it('a pause ends an open alert with its resolve, and counts start again after it', () => {
    const { kinds, state } = walk(['unhealthy', 'unhealthy', 'unhealthy', 'paused', 'new', 'unhealthy', 'unhealthy', 'unhealthy']);
    expect(kinds).toEqual(['-', '-', 'trigger#1', 'resolve#2', '-', '-', '-', 'trigger#3']);
    expect(state.alert?.open).toEqual({ trigger: 3, since: AT + 7 * 60_000, notifiedAt: AT + 7 * 60_000 });
  });

  it('a monitor without a rule (no channel) keeps no alert progress; one whose rule is removed ends its alert quietly', () => {
    expect(walk(['unhealthy', 'unhealthy', 'unhealthy'], { alerting: null as never }).state.alert).toBeUndefined();
    const open = walk(['unhealthy', 'unhealthy', 'unhealthy']).state;
    const step = nextState(open, verdict('unhealthy', 0, { at: AT + 10 * 60_000 }));
    expect(step.alert).toBeUndefined();
    expect(step.state.alert).toEqual({ seq: 1, bad: 0, good: 0 });
  });

  it('the next alert after a resolve takes the next numbers: keys never repeat', () => {
    const { kinds } = walk(['unhealthy', 'unhealthy', 'unhealthy', 'healthy', 'healthy', 'unhealthy', 'unhealthy', 'unhealthy']);
    expect(kinds).toEqual(['-', '-', 'trigger#1', '-', 'resolve#2', '-', '-', 'trigger#3']);
  });
});

describe('alerting with a dependency down', () => {
  const rule = { failureThreshold: 2, successThreshold: 1, sendResolved: true, remindEveryMs: 0, onDegraded: false };
  function run(steps: Array<{ status: Verdict; heldBy?: string }>) {
    let state: MonitorRuntimeState | undefined;
    return steps.map(({ status, heldBy }, i) => {
      const step = nextState(state, verdict(status, 0, { at: AT + i * 60_000, alerting: rule, ...(heldBy ? { heldBy } : {}) }));
      state = step.state;
      return step.alert ? `${step.alert.kind}#${step.alert.seq}${step.alert.suppressedBy ? ` held by ${step.alert.suppressedBy}` : ''}` : '-';
    });
  }

  it('a trigger while a parent is down is recorded once as held, the alert not opened; it fires when the parent is up', () => {
    expect(
      run([
        { status: 'unhealthy', heldBy: 'db' },
        { status: 'unhealthy', heldBy: 'db' },
        { status: 'unhealthy', heldBy: 'db' },
        { status: 'unhealthy', heldBy: 'db' },
        { status: 'unhealthy' },
        { status: 'healthy' },
      ]),
    ).toEqual(['-', 'trigger#1 held by db', '-', '-', 'trigger#2', 'resolve#3']);
  });

  it('a held trigger that recovers before its parent needs no resolve (nothing was sent)', () => {
    expect(run([{ status: 'unhealthy', heldBy: 'db' }, { status: 'unhealthy', heldBy: 'db' }, { status: 'healthy' }, { status: 'healthy' }])).toEqual([
      '-',
      'trigger#1 held by db',
      '-',
      '-',
    ]);
  });

  it('an alert open before the parent went down still gets its resolve', () => {
    expect(run([{ status: 'unhealthy' }, { status: 'unhealthy' }, { status: 'unhealthy', heldBy: 'db' }, { status: 'healthy', heldBy: 'db' }])).toEqual([
      '-',
      'trigger#1',
      '-',
      'resolve#2',
    ]);
  });
});

describe('certificate warnings', () => {
  const DAY = 86_400_000;
  const rule = { failureThreshold: 3, successThreshold: 2, sendResolved: true, remindEveryMs: 0, onDegraded: false, certificateDays: [14, 3] };
  /** Daily checks, each seeing a certificate that expires at `expiries[i]` (ms after the first check). */
  function days(expiries: Array<number | undefined>, statuses: Verdict[] = []) {
    let state: MonitorRuntimeState | undefined;
    return expiries.map((expiresIn, i) => {
      const at = AT + i * DAY;
      const step = nextState(
        state,
        verdict(statuses[i] ?? 'healthy', 0, { at, alerting: rule, ...(expiresIn === undefined ? {} : { certificateExpiresAt: AT + expiresIn }) }),
      );
      state = step.state;
      return step.alert ? `${step.alert.kind}${step.alert.certificate ? ` ${step.alert.certificate.daysLeft}d` : ''}` : '-';
    });
  }

  it('warns once at 14 days and once at 3, then renews', () => {
    const expiry = 20 * DAY;
    const seen = days([expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, expiry, 100 * DAY, 100 * DAY]);
    expect(seen.filter((s) => s !== '-')).toEqual(['certificate 14d', 'certificate 3d']);
    expect(seen[6]).toBe('certificate 14d');
    expect(seen[17]).toBe('certificate 3d');
  });

  it('a certificate first seen within 3 days gets one warning, the smallest; a renewed one that is short again warns again', () => {
    expect(days([2 * DAY, 2 * DAY]).filter((s) => s !== '-')).toEqual(['certificate 2d']);
    expect(days([10 * DAY, 100 * DAY, 100 * DAY + 10 * DAY - 100 * DAY]).filter((s) => s !== '-')).toEqual(['certificate 10d', 'certificate 8d']);
  });

  it('waits for a check without another notification', () => {
    // The third failure and the 14-day threshold on the same check: the trigger first, the warning at the next.
    const seen = days([30 * DAY, 30 * DAY, 10 * DAY, 10 * DAY], ['unhealthy', 'unhealthy', 'unhealthy', 'unhealthy']);
    expect(seen).toEqual(['-', '-', 'trigger', 'certificate 7d']);
  });
});
