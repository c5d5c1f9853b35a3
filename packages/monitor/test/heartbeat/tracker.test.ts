import { describe, expect, it } from 'vitest';
import {
  type HeartbeatMonitorConfig,
  type HeartbeatScheduleConfig,
  HeartbeatTracker,
  type HeartbeatView,
} from '../../src/heartbeat/index.js';
import type { CheckResult } from '../../src/model.js';
import { ManualClock } from '../../src/scheduler/clock.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.parse('2026-11-22T02:00:00Z');
const RID_A = '6f1c6a52-6a8e-4b8e-9c59-3f0b1f3c0a01';
const RID_B = '6f1c6a52-6a8e-4b8e-9c59-3f0b1f3c0a02';

function heartbeat(
  id: string,
  schedule: Partial<HeartbeatScheduleConfig> = {},
  extra: Partial<HeartbeatMonitorConfig> = {},
): HeartbeatMonitorConfig {
  return { id, paused: false, schedule: { period: HOUR, grace: 30 * MINUTE, ...schedule }, ...extra };
}

function setup(monitors: HeartbeatMonitorConfig[], start = T0) {
  const clock = new ManualClock(start);
  const results: CheckResult[] = [];
  const changes: string[] = [];
  const tracker = new HeartbeatTracker({
    clock,
    onResult: (result) => {
      results.push(result);
    },
    onChange: (id) => changes.push(id),
  });
  tracker.setMonitors(monitors);
  const view = (id: string): HeartbeatView => {
    const found = tracker.view(id);
    if (!found) throw new Error(`no heartbeat ${id}`);
    return found;
  };
  const failures = (id?: string) => results.filter((r) => r.status === 'unhealthy' && (id === undefined || r.monitorId === id));
  return { clock, results, changes, tracker, view, failures };
}

describe('period heartbeats', () => {
  it('goes late at the expected time without alerting, then down once when the grace period ends', async () => {
    const { clock, tracker, view, results, failures, changes } = setup([heartbeat('backup')]);
    await clock.advanceTo(Date.parse('2026-11-22T03:00:00Z'));
    expect(tracker.ping('backup', { action: 'success' })).toBeInstanceOf(Promise);
    expect(results).toEqual([
      { monitorId: 'backup', at: Date.parse('2026-11-22T03:00:00Z'), status: 'healthy', latencyMs: 0, location: 'local', kind: 'ping' },
    ]);
    expect(view('backup')).toMatchObject({
      state: 'up',
      lastPingAt: Date.parse('2026-11-22T03:00:00Z'),
      nextExpectedAt: Date.parse('2026-11-22T04:00:00Z'),
      lateAt: Date.parse('2026-11-22T04:30:00Z'),
    });

    await clock.advanceTo(Date.parse('2026-11-22T04:00:00Z'));
    expect(view('backup').state).toBe('late');
    expect(failures()).toEqual([]);
    expect(changes.at(-1)).toBe('backup');

    await clock.advanceTo(Date.parse('2026-11-22T04:29:59Z'));
    expect(view('backup').state).toBe('late');
    await clock.advanceTo(Date.parse('2026-11-22T04:30:00Z'));
    expect(view('backup').state).toBe('down');
    expect(failures()).toEqual([
      {
        monitorId: 'backup',
        at: Date.parse('2026-11-22T04:30:00Z'),
        status: 'unhealthy',
        latencyMs: 0,
        error: 'no ping since 2026-11-22T03:00:00Z (expected every 1h, grace 30m)',
        location: 'local',
        kind: 'missed',
      },
    ]);

    // Down stays down, silently: no result per missed period, per view, or per reload.
    await clock.advance(48 * HOUR);
    tracker.views();
    tracker.setMonitors([heartbeat('backup')]);
    await clock.advance(HOUR);
    expect(failures()).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);

    // The next ping brings it back up, and the schedule counts from it.
    expect(tracker.ping('backup', { action: 'success' })).toBeInstanceOf(Promise);
    expect(results.at(-1)?.status).toBe('healthy');
    expect(view('backup')).toMatchObject({ state: 'up', nextExpectedAt: clock.now() + HOUR });
  });

  it('is back up without any failing result when a late ping arrives within the grace period', async () => {
    const { clock, tracker, view, results } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'success' });
    await clock.advance(HOUR + 20 * MINUTE);
    expect(view('backup').state).toBe('late');
    tracker.ping('backup', { action: 'success' });
    expect(view('backup').state).toBe('up');
    await clock.advance(HOUR + 29 * MINUTE);
    expect(results.map((r) => r.status)).toEqual(['healthy', 'healthy']);
  });

  it('expects a never-pinged heartbeat one period after it was first seen', async () => {
    const { clock, view, failures } = setup([heartbeat('backup')]);
    expect(view('backup')).toMatchObject({ state: 'new', lastPingAt: null, nextExpectedAt: T0 + HOUR });
    await clock.advance(HOUR);
    expect(view('backup').state).toBe('late');
    await clock.advance(30 * MINUTE);
    expect(view('backup').state).toBe('down');
    expect(failures().map((r) => r.error)).toEqual(['no ping since 2026-11-22T02:00:00Z (expected every 1h, grace 30m)']);
  });

  it('reports down exactly once per missed expectation, and again after the next ping is missed', async () => {
    const { clock, tracker, failures } = setup([heartbeat('backup', { period: 10 * MINUTE, grace: 5 * MINUTE })]);
    tracker.ping('backup', { action: 'success' });
    for (let i = 0; i < 30; i++) await clock.advance(MINUTE);
    expect(failures()).toHaveLength(1);
    tracker.ping('backup', { action: 'success' });
    for (let i = 0; i < 30; i++) await clock.advance(MINUTE);
    expect(failures()).toHaveLength(2);
  });

  it('uses one timer for all heartbeats, set for the earliest deadline', async () => {
    const { clock, tracker } = setup([
      heartbeat('a', { period: HOUR }),
      heartbeat('b', { period: 10 * MINUTE, grace: MINUTE }),
      heartbeat('c', { cron: '*/15 * * * *', period: undefined, grace: MINUTE }),
    ]);
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerAt()).toBe(T0 + 10 * MINUTE); // b is due first
    tracker.ping('b', { action: 'success' });
    tracker.ping('c', { action: 'success' });
    expect(clock.pendingTimers).toBe(1);
    expect(clock.nextTimerAt()).toBe(T0 + 10 * MINUTE); // b again, from its ping
    for (let i = 0; i < 12; i++) {
      await clock.advance(5 * MINUTE);
      expect(clock.pendingTimers).toBeLessThanOrEqual(1);
    }
  });

  it('stops waking up after stop()', async () => {
    const { clock, tracker, failures } = setup([heartbeat('backup')]);
    tracker.stop();
    expect(clock.pendingTimers).toBe(0);
    await clock.advance(10 * HOUR);
    expect(failures()).toEqual([]);
  });
});

describe('cron heartbeats', () => {
  it('expects the first run after the last ping in the time zone, across a DST change', async () => {
    const cron = heartbeat('nightly', { cron: '30 2 * * *', timezone: 'Europe/Paris', period: undefined, grace: HOUR });
    // Saturday 2026-03-28, the job pinged at 02:31 CET; that night 02:30 does not exist (clocks jump to 03:00).
    const { clock, tracker, view, failures } = setup([cron], Date.parse('2026-03-28T01:31:00Z'));
    tracker.ping('nightly', { action: 'success' });
    expect(view('nightly')).toMatchObject({
      nextExpectedAt: Date.parse('2026-03-29T01:00:00Z'), // 03:00 CEST
      lateAt: Date.parse('2026-03-29T02:00:00Z'),
    });
    await clock.advanceTo(Date.parse('2026-03-29T01:00:00Z'));
    expect(view('nightly').state).toBe('late');
    await clock.advanceTo(Date.parse('2026-03-29T02:00:00Z'));
    expect(view('nightly').state).toBe('down');
    expect(failures().map((r) => r.error)).toEqual([
      'no ping within grace after 2026-03-29 03:00 Europe/Paris (cron "30 2 * * *", grace 1h)',
    ]);

    // Monday's run, at 02:30 CEST, is on time.
    await clock.advanceTo(Date.parse('2026-03-30T00:30:07Z'));
    tracker.ping('nightly', { action: 'success' });
    expect(view('nightly')).toMatchObject({ state: 'up', nextExpectedAt: Date.parse('2026-03-31T00:30:00Z') });
  });

  it('stays up through the repeated hour when the clocks go back', async () => {
    const cron = heartbeat('nightly', { cron: '30 2 * * *', timezone: 'Europe/Paris', period: undefined, grace: 30 * MINUTE });
    const { clock, tracker, view, failures } = setup([cron], Date.parse('2026-10-25T00:30:05Z')); // 02:30:05 CEST
    tracker.ping('nightly', { action: 'success' });
    // 02:30 CET comes an hour later: the job already ran tonight, so it is expected tomorrow.
    await clock.advanceTo(Date.parse('2026-10-25T02:30:00Z'));
    expect(view('nightly')).toMatchObject({ state: 'up', nextExpectedAt: Date.parse('2026-10-26T01:30:00Z') });
    expect(failures()).toEqual([]);
  });
});

describe('pings', () => {
  it('turns failure pings and exit statuses into unhealthy results with the start of the log', () => {
    const { tracker, results, view } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'fail' });
    expect(results.at(-1)).toMatchObject({ status: 'unhealthy', error: 'failure reported by ping' });
    expect(view('backup').state).toBe('down');

    tracker.ping('backup', { action: 'fail', exitStatus: 3, body: 'pg_dump: connection refused\n' });
    expect(results.at(-1)).toMatchObject({ status: 'unhealthy', error: 'exit status 3: pg_dump: connection refused' });
    expect(view('backup')).toMatchObject({ state: 'down', lastExitStatus: 3, lastMessage: 'pg_dump: connection refused\n' });

    const long = 'x'.repeat(500);
    tracker.ping('backup', { action: 'fail', body: long });
    expect(results.at(-1)?.error).toBe(`failure reported by ping: ${'x'.repeat(200)}…`);
    expect(view('backup').lastMessage).toBe(long);

    tracker.ping('backup', { action: 'success', exitStatus: 0, body: 'done' });
    expect(results.at(-1)).toMatchObject({ status: 'healthy' });
    expect(view('backup')).toMatchObject({ state: 'up', lastExitStatus: 0, lastMessage: 'done' });
  });

  it('masks secrets in the log it keeps and reports', () => {
    const { tracker, results, view } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'fail', body: 'connecting to postgres://app:hunter2@db/shop failed' });
    expect(results.at(-1)?.error).not.toContain('hunter2');
    expect(view('backup').lastMessage).not.toContain('hunter2');
  });

  it('keeps /log messages without changing the state or sending a result', async () => {
    const { clock, tracker, results, view } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'success' });
    await clock.advance(HOUR + MINUTE);
    tracker.ping('backup', { action: 'log', body: 'disk 81% full' });
    expect(results).toHaveLength(1);
    expect(view('backup')).toMatchObject({ state: 'late', lastMessage: 'disk 81% full', lastMessageAt: clock.now() });
    expect(view('backup').lastPingAt).toBe(T0);
  });

  it('answers false for an unknown key, and lets an explicit ping_key win over another monitor id', () => {
    const { tracker, view } = setup([
      heartbeat('backup-job'),
      heartbeat('sweeper', {}, { ping_key: 'backup-job' }),
    ]);
    expect(tracker.ping('nope-nope', { action: 'success' })).toBe(false);
    expect(tracker.hasKey('nope-nope')).toBe(false);
    tracker.ping('backup-job', { action: 'success' });
    expect(view('sweeper').state).toBe('up');
    expect(view('backup-job').state).toBe('new');
    expect(view('sweeper').pingPath).toBe('/ping/backup-job');
  });

  it('returns views that survive JSON unchanged', () => {
    const { tracker } = setup([heartbeat('backup', {}, { max_runtime: HOUR })]);
    tracker.ping('backup', { action: 'start', rid: RID_A });
    const views = tracker.views();
    expect(JSON.parse(JSON.stringify(views))).toEqual(views);
    expect(Object.keys(views[0] ?? {}).sort()).toEqual(
      [
        'lastDurationMs',
        'lastExitStatus',
        'lastMessage',
        'lastMessageAt',
        'lastPingAt',
        'lateAt',
        'monitorId',
        'nextExpectedAt',
        'pingPath',
        'runStartedAt',
        'running',
        'slug',
        'state',
      ].sort(),
    );
  });
});

describe('runs', () => {
  it('pairs /start with its end ping by rid, so overlapping runs get their own durations', async () => {
    const { clock, tracker, results, view } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'start', rid: RID_A });
    await clock.advance(MINUTE);
    tracker.ping('backup', { action: 'start', rid: RID_B });
    expect(view('backup')).toMatchObject({ running: true, runStartedAt: T0 + MINUTE });
    await clock.advance(4 * MINUTE);
    tracker.ping('backup', { action: 'success', rid: RID_A });
    expect(results.at(-1)).toMatchObject({ status: 'healthy', latencyMs: 5 * MINUTE });
    expect(view('backup')).toMatchObject({ running: true, lastDurationMs: 5 * MINUTE, runStartedAt: T0 + MINUTE });
    await clock.advance(2 * MINUTE);
    tracker.ping('backup', { action: 'fail', exitStatus: 1, rid: RID_B });
    expect(results.at(-1)).toMatchObject({ status: 'unhealthy', latencyMs: 6 * MINUTE, error: 'exit status 1' });
    expect(view('backup')).toMatchObject({ running: false, runStartedAt: null, lastDurationMs: 6 * MINUTE });
  });

  it('pairs an end ping without rid with the most recent /start', async () => {
    const { clock, tracker, results, view } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'start', rid: RID_A });
    await clock.advance(2 * MINUTE);
    tracker.ping('backup', { action: 'start' });
    await clock.advance(MINUTE);
    tracker.ping('backup', { action: 'success' });
    expect(results.at(-1)?.latencyMs).toBe(MINUTE);
    expect(view('backup').running).toBe(true); // run A has not ended
  });

  it('reports no duration for an end ping without a matching /start', () => {
    const { tracker, results, view } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'start', rid: RID_A });
    tracker.ping('backup', { action: 'success', rid: RID_B });
    expect(results.at(-1)?.latencyMs).toBe(0);
    expect(view('backup')).toMatchObject({ lastDurationMs: null, running: true });
  });

  it('does not count /start as a ping', async () => {
    const { clock, tracker, view } = setup([heartbeat('backup')]);
    await clock.advance(50 * MINUTE);
    tracker.ping('backup', { action: 'start' });
    expect(view('backup')).toMatchObject({ state: 'new', lastPingAt: null, running: true });
  });

  it('reports a run longer than max_runtime once, and recovers on its end ping', async () => {
    const { clock, tracker, results, failures, view } = setup([heartbeat('backup', { period: 24 * HOUR }, { max_runtime: HOUR })]);
    await clock.advanceTo(Date.parse('2026-11-22T02:30:00Z'));
    tracker.ping('backup', { action: 'start', rid: RID_A });
    await clock.advance(HOUR - 1);
    expect(failures()).toEqual([]);
    await clock.advance(1);
    expect(failures()).toEqual([
      {
        monitorId: 'backup',
        at: Date.parse('2026-11-22T03:30:00Z'),
        status: 'unhealthy',
        latencyMs: HOUR,
        error: 'run started at 2026-11-22T02:30:00Z still running after 1h',
        location: 'local',
        kind: 'overran',
      },
    ]);
    expect(view('backup')).toMatchObject({ state: 'down', running: true });
    await clock.advance(3 * HOUR);
    expect(failures()).toHaveLength(1);
    tracker.ping('backup', { action: 'success', rid: RID_A });
    expect(results.at(-1)).toMatchObject({ status: 'healthy', latencyMs: 4 * HOUR });
    expect(view('backup')).toMatchObject({ state: 'up', running: false });
  });
});

describe('pausing', () => {
  it('never alerts for a heartbeat paused in its configuration, and ignores its pings', async () => {
    const { clock, tracker, results, view } = setup([heartbeat('backup', {}, { paused: true, max_runtime: MINUTE })]);
    expect(view('backup')).toMatchObject({ state: 'paused', nextExpectedAt: null, lateAt: null });
    expect(tracker.ping('backup', { action: 'success' })).toBeInstanceOf(Promise);
    expect(tracker.ping('backup', { action: 'start' })).toBeInstanceOf(Promise);
    await clock.advance(10 * HOUR);
    expect(results).toEqual([]);
    expect(view('backup')).toMatchObject({ state: 'paused', lastPingAt: null, running: false });
    expect(clock.pendingTimers).toBe(0);
  });

  it('counts from the resume after pause()/resume()', async () => {
    const { clock, tracker, results, view } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'success' });
    tracker.pause('backup');
    await clock.advance(5 * HOUR);
    expect(view('backup').state).toBe('paused');
    tracker.resume('backup');
    expect(view('backup')).toMatchObject({ state: 'new', lastPingAt: T0, nextExpectedAt: clock.now() + HOUR });
    expect(results.map((r) => r.status)).toEqual(['healthy']);
  });

  it('resumes a paused heartbeat on its ping, unless the configuration pauses it', async () => {
    const { clock, tracker, results, view } = setup([heartbeat('backup')]);
    tracker.pause('backup');
    await clock.advance(3 * HOUR);
    expect(tracker.ping('backup', { action: 'log', body: 'still here' })).toBeInstanceOf(Promise);
    expect(view('backup').state).toBe('paused');
    expect(tracker.ping('backup', { action: 'success' })).toBeInstanceOf(Promise);
    expect(view('backup')).toMatchObject({ state: 'up', lastPingAt: clock.now() });
    expect(results.map((r) => r.status)).toEqual(['healthy']);

    tracker.setMonitors([heartbeat('backup', {}, { paused: true })]);
    tracker.resume('backup'); // the configuration wins
    tracker.ping('backup', { action: 'success' });
    expect(view('backup').state).toBe('paused');
    expect(results).toHaveLength(1);
  });

  it('starts counting again when the configuration stops pausing it', async () => {
    const { clock, tracker, view } = setup([heartbeat('backup', {}, { paused: true })]);
    await clock.advance(5 * HOUR);
    tracker.setMonitors([heartbeat('backup')]);
    expect(view('backup')).toMatchObject({ state: 'new', nextExpectedAt: clock.now() + HOUR });
  });
});

describe('restore and reload', () => {
  it('resumes from the last ping after a restart instead of calling the heartbeat new', () => {
    const { tracker, view, failures } = setup([]);
    tracker.restore(new Map([['backup', { lastPingAt: T0 - 20 * MINUTE, lastStatus: 'up' as const }]]));
    tracker.setMonitors([heartbeat('backup')]);
    expect(view('backup')).toMatchObject({ state: 'up', lastPingAt: T0 - 20 * MINUTE, nextExpectedAt: T0 + 40 * MINUTE });
    expect(failures()).toEqual([]);
  });

  it('goes down at once, and says so once, when the ping was due while Vigil was stopped', () => {
    const { tracker, view, failures } = setup([heartbeat('backup')]);
    tracker.restore(new Map([['backup', { lastPingAt: T0 - 3 * HOUR, lastStatus: 'up' as const }]]));
    expect(view('backup').state).toBe('down');
    expect(failures().map((r) => r.error)).toEqual(['no ping since 2026-11-21T23:00:00Z (expected every 1h, grace 30m)']);
  });

  it('stays down without alerting again when it was down before the restart', async () => {
    const { clock, tracker, view, failures } = setup([]);
    tracker.restore(new Map([['backup', { lastPingAt: T0 - 3 * HOUR, lastStatus: 'down' as const }]]));
    tracker.setMonitors([heartbeat('backup')]);
    await clock.advance(5 * HOUR);
    expect(view('backup')).toMatchObject({ state: 'down', lastPingAt: T0 - 3 * HOUR });
    expect(failures()).toEqual([]);
  });

  it('does not let a restored state overwrite a ping received since', () => {
    const { tracker, view } = setup([heartbeat('backup')]);
    tracker.ping('backup', { action: 'success' });
    tracker.restore(new Map([['backup', { lastPingAt: T0 - 3 * HOUR, lastStatus: 'down' as const }]]));
    expect(view('backup')).toMatchObject({ state: 'up', lastPingAt: T0 });
  });

  it('keeps the state of heartbeats that stay across setMonitors, and forgets removed ones', async () => {
    const { clock, tracker, view } = setup([heartbeat('backup'), heartbeat('sweeper')]);
    tracker.ping('backup', { action: 'start', rid: RID_A });
    await clock.advance(10 * MINUTE);
    tracker.ping('backup', { action: 'success', body: 'ok' });
    tracker.ping('sweeper', { action: 'success' });

    // A reload: backup's schedule changes and it gets a key; sweeper is removed; a new heartbeat appears.
    await clock.advance(MINUTE);
    tracker.setMonitors([heartbeat('backup', { period: 2 * HOUR }, { ping_key: 'k3y-for-backup' }), heartbeat('reports')]);
    expect(view('backup')).toMatchObject({
      state: 'up',
      lastPingAt: T0 + 10 * MINUTE,
      lastDurationMs: 10 * MINUTE,
      lastMessage: 'ok',
      nextExpectedAt: T0 + 10 * MINUTE + 2 * HOUR, // the new period, from the last ping
      pingPath: '/ping/k3y-for-backup',
    });
    expect(view('reports')).toMatchObject({ state: 'new', nextExpectedAt: clock.now() + HOUR });
    expect(tracker.view('sweeper')).toBeUndefined();
    expect(tracker.ping('sweeper', { action: 'success' })).toBe(false);
    expect(tracker.ping('backup', { action: 'success' })).toBe(false);
    expect(tracker.ping('k3y-for-backup', { action: 'success' })).toBeInstanceOf(Promise);
  });

  it('keeps a down heartbeat down across a reload', async () => {
    const { clock, tracker, view, failures } = setup([heartbeat('backup')]);
    await clock.advance(2 * HOUR);
    expect(failures()).toHaveLength(1);
    tracker.setMonitors([heartbeat('backup', { grace: 2 * HOUR })]);
    expect(view('backup').state).toBe('down');
    await clock.advance(2 * HOUR);
    expect(failures()).toHaveLength(1);
  });
});
