// Seeds a SQLite store for bench/status-page.mjs through the built store, as `vigil serve` would have written it:
// 90 days of results of `count` monitors with failures, degraded checks and incidents (opened and closed through
// `store.commit`, so incidents, state-change events and runtime states are real rows), then `store.maintain` with
// the default retention, so that the days before the last week exist only as hourly and daily rollups.
//
// To keep seeding to about a minute, the last 7 days (kept raw) have a result every 10–15 minutes per monitor and older
// days one every `oldSpacingH` hours: the page reads those days from daily rollups either way (the same rows, the
// same queries), only the uptime figures inside them are coarser. Rolling up costs about 30 ms per hour of 1,000
// monitors on this machine, so hours without results are what keeps it short.
import { openStore } from '../packages/monitor/dist/store/index.js';

export const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
export const RETENTION = { rawMs: 7 * DAY_MS, hourlyMs: 90 * DAY_MS, dailyMs: 730 * DAY_MS };
const LOCATION = 'local';

/** A small deterministic PRNG (mulberry32), so that every run seeds the same history. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const monitorId = (index) => `site-${String(index).padStart(5, '0')}`;

/**
 * Each monitor's incidents over the 90 days: most monitors have one or two, one in twenty is flaky (eight), a few
 * minutes to two hours long, one in six degraded rather than down. `downIndex` is down now (an open incident).
 */
function incidentsOf(index, from, now, downIndex) {
  const rand = random(index * 7919 + 17);
  const count = index % 20 === 3 ? 8 : Math.floor(rand() * 3);
  const starts = Array.from({ length: count }, () => from + DAY_MS + rand() * (now - from - 2 * DAY_MS)).sort((a, b) => a - b);
  const incidents = [];
  let free = from;
  for (const start of starts) {
    const startedAt = Math.max(start, free + HOUR_MS);
    const endedAt = startedAt + (5 + rand() * 115) * MINUTE_MS;
    if (endedAt > now - HOUR_MS) break;
    incidents.push({ status: rand() < 1 / 6 ? 'degraded' : 'unhealthy', startedAt, endedAt });
    free = endedAt;
  }
  if (index === downIndex) incidents.push({ status: 'unhealthy', startedAt: now - 47 * MINUTE_MS });
  return incidents;
}

function resultsOf(index, from, now, incidents, oldSpacingH) {
  const rand = random(index * 104_729 + 3);
  const results = [];
  const rawFrom = now - RETENTION.rawMs;
  let incident = 0;
  for (let at = Math.ceil(from / HOUR_MS) * HOUR_MS + rand() * 50 * MINUTE_MS; at < now; ) {
    while (incident < incidents.length && (incidents[incident].endedAt ?? now) <= at) incident++;
    const current = incidents[incident];
    const inside = current !== undefined && current.startedAt <= at;
    const roll = rand();
    // Outside incidents, in the last week: one check in 3,000 fails (a blip that retries absorb, on about one day in
    // thirty) and one in two hundred is slow (too few in a day to colour it). Older days have fewer checks: a blip
    // as often per day, and no slow ones (one slow check in eight would colour the day).
    const sparse = at + oldSpacingH * HOUR_MS < rawFrom;
    const blip = sparse ? (0.0003 * oldSpacingH * 60) / 12.5 : 0.0003;
    const slow = sparse ? 0 : 0.005;
    const status = inside ? current.status : roll < blip ? 'unhealthy' : roll < blip + slow ? 'degraded' : 'healthy';
    const latencyMs = status === 'unhealthy' ? 5000 : status === 'degraded' ? 1200 + rand() * 800 : 15 + rand() * 60;
    results.push({
      monitorId: monitorId(index),
      at: Math.round(at),
      status,
      latencyMs,
      location: LOCATION,
      ...(status === 'unhealthy' ? { error: 'connect ECONNREFUSED 127.0.0.1:1' } : {}),
    });
    // Older results all fall in the same hours (every `oldSpacingH`-th), so that only those hours are rolled up.
    at += sparse ? oldSpacingH * HOUR_MS : (10 + rand() * 5) * MINUTE_MS;
  }
  return results;
}

const stateOf = (index, state, seq, since, lastCheckAt) => ({
  monitorId: monitorId(index),
  location: LOCATION,
  state,
  consecutiveFailures: state === 'unhealthy' ? 3 : 0,
  seq,
  since,
  lastCheckAt,
});

/**
 * Seeds `path` with `count` monitors (`site-00000` …), each with `days` of history and, like after a check, its
 * runtime state (healthy, or down with an open incident for `downIndex`): their next check changes nothing.
 */
export async function seedStore(path, { count, now, downIndex = 7, oldSpacingH = 3, days = 90 }) {
  const store = await openStore({ type: 'sqlite', path }, { monitorsPerStep: 1000, purgeBatch: 100_000 });
  try {
    await store.migrate();
    const from = now - days * DAY_MS;
    let results = 0;
    let incidents = 0;
    // Results, in batches of whole monitors (one monitor's rows are contiguous in the primary key).
    let batch = [];
    const plans = [];
    for (let index = 0; index < count; index++) {
      const own = incidentsOf(index, from, now, downIndex);
      plans.push(own);
      incidents += own.length;
      batch.push(...resultsOf(index, from, now, own, oldSpacingH));
      if (batch.length >= 50_000) {
        await store.appendResults(batch);
        results += batch.length;
        batch = [];
      }
    }
    await store.appendResults(batch);
    results += batch.length;

    // State changes and incidents as the pipeline commits them: one round per step, all monitors at once.
    const steps = plans.map((own, index) => {
      const list = [{ at: from, from: 'new', to: 'healthy' }];
      for (const incident of own) {
        list.push({ at: incident.startedAt, from: 'healthy', to: incident.status, open: incident.status });
        if (incident.endedAt !== undefined) list.push({ at: incident.endedAt, from: incident.status, to: 'healthy', close: true });
      }
      return { index, list, seq: 0, openIncidentId: undefined };
    });
    for (let round = 0; ; round++) {
      const due = steps.filter((entry) => round < entry.list.length);
      if (due.length === 0) break;
      const commits = due.map((entry) => {
        const step = entry.list[round];
        const seq = entry.seq + 1;
        return {
          monitorId: monitorId(entry.index),
          location: LOCATION,
          results: [],
          state: { ...stateOf(entry.index, step.to, seq, step.at, step.at), ...(entry.openIncidentId && !step.close ? { openIncidentId: entry.openIncidentId } : {}) },
          step: {
            at: step.at,
            change: { seq, from: step.from, to: step.to, at: step.at, reason: step.open ? 'connect ECONNREFUSED' : 'recovered' },
            ...(step.open ? { openIncident: { status: step.open, cause: 'connect ECONNREFUSED 127.0.0.1:1' } } : {}),
            ...(step.close ? { closeIncidentId: entry.openIncidentId } : {}),
          },
        };
      });
      const outcome = await store.commit(commits);
      outcome.forEach((result, i) => {
        if (result.status !== 'applied') throw new Error(`seeding: commit ${result.status} for ${commits[i].monitorId}`);
        due[i].seq = result.state.seq;
        due[i].openIncidentId = result.state.openIncidentId;
      });
    }
    // The state after the last check: the scheduler's next result changes nothing.
    const last = steps.map((entry) => {
      const step = entry.list.at(-1);
      return {
        monitorId: monitorId(entry.index),
        location: LOCATION,
        results: [],
        state: { ...stateOf(entry.index, step.to, entry.seq, step.at, now - 5 * MINUTE_MS), ...(entry.openIncidentId && !step.close ? { openIncidentId: entry.openIncidentId } : {}) },
      };
    });
    for (let i = 0; i < last.length; i += 5000) await store.commit(last.slice(i, i + 5000));

    const maintained = await store.maintain(now, RETENTION);
    return { results, incidents, maintained };
  } finally {
    await store.close();
  }
}

/**
 * Adds monitors `from … to - 1` to a seeded store with a healthy runtime state and no history (the 10,000-monitor
 * copy: the first page shows the first 1,000, which have theirs; the others only count).
 */
export async function addStates(path, { from, to, now }) {
  const store = await openStore({ type: 'sqlite', path }, {});
  try {
    const commits = [];
    for (let index = from; index < to; index++) {
      commits.push({ monitorId: monitorId(index), location: LOCATION, results: [], state: stateOf(index, 'healthy', 0, undefined, now - 5 * MINUTE_MS) });
    }
    for (let i = 0; i < commits.length; i += 5000) await store.commit(commits.slice(i, i + 5000));
  } finally {
    await store.close();
  }
}
