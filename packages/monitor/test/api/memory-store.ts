/**
 * An in-memory Store for the API tests: the whole contract, computed naively from arrays. Not a product
 * backend (no rollups, no persistence); summaries are computed from raw results.
 */
import type { CheckResult, Incident, MonitorRuntimeState } from '../../src/model.js';
import type {
  MaintenanceReport,
  MigrationReport,
  Retention,
  Store,
  StoredMonitor,
  StoredToken,
  StoreSummary,
  StoreUsage,
} from '../../src/store/store.js';

const DAY = 86_400_000;

function summarize(results: readonly CheckResult[]): StoreSummary {
  if (results.length === 0) return { checks: 0, failures: 0, degraded: 0, exact: true };
  const failures = results.filter((r) => r.status === 'unhealthy').length;
  const degraded = results.filter((r) => r.status === 'degraded').length;
  const latencies = results
    .filter((r) => r.status !== 'unhealthy')
    .map((r) => r.latencyMs)
    .sort((a, b) => a - b);
  const p95 = latencies[Math.max(0, Math.ceil(latencies.length * 0.95) - 1)];
  return {
    checks: results.length,
    failures,
    degraded,
    exact: true,
    uptime: (results.length - failures) / results.length,
    ...(latencies.length === 0 ? {} : { latencyAvgMs: latencies.reduce((sum, l) => sum + l, 0) / latencies.length }),
    ...(p95 === undefined ? {} : { latencyP95Ms: p95 }),
  };
}

export class MemoryStore implements Store {
  readonly kind = 'sqlite' as const;
  results: CheckResult[] = [];
  incidentRows: Incident[] = [];
  states = new Map<string, MonitorRuntimeState>();
  tokens = new Map<string, StoredToken>();
  monitors = new Map<string, StoredMonitor>();
  touches: Array<{ id: string; at: number }> = [];
  migrations = 0;
  closed = false;
  #nextIncident = 1;

  async migrate(): Promise<MigrationReport> {
    this.migrations++;
    return { from: 1, to: 1 };
  }

  async ping(): Promise<void> {}

  async appendResults(results: readonly CheckResult[]): Promise<void> {
    this.results.push(...results.map((r) => structuredClone(r)));
  }

  async latestResults(monitorId: string, limit: number): Promise<CheckResult[]> {
    return this.results
      .filter((r) => r.monitorId === monitorId)
      .sort((a, b) => b.at - a.at)
      .slice(0, limit)
      .map((r) => structuredClone(r));
  }

  async summary(monitorId: string, from: number, to: number): Promise<StoreSummary> {
    return summarize(this.results.filter((r) => r.monitorId === monitorId && r.at >= from && r.at < to));
  }

  async dailySummaries(
    monitorIds: readonly string[],
    from: number,
    to: number,
  ): Promise<Map<string, Map<number, StoreSummary>>> {
    const out = new Map<string, Map<number, StoreSummary>>();
    for (const id of monitorIds) {
      const days = new Map<number, StoreSummary>();
      for (let day = Math.floor(from / DAY) * DAY; day < to; day += DAY) {
        const rows = this.results.filter((r) => r.monitorId === id && r.at >= day && r.at < day + DAY);
        if (rows.length > 0) days.set(day, summarize(rows));
      }
      out.set(id, days);
    }
    return out;
  }

  async openIncident(incident: Omit<Incident, 'id' | 'endedAt'>): Promise<Incident> {
    const row: Incident = { ...incident, id: this.#nextIncident++ };
    this.incidentRows.push(row);
    return { ...row };
  }

  async closeIncident(id: number, endedAt: number): Promise<boolean> {
    const row = this.incidentRows.find((i) => i.id === id);
    if (!row || row.endedAt !== undefined) return false;
    row.endedAt = endedAt;
    return true;
  }

  async incidents(options: { monitorId?: string; limit: number }): Promise<Incident[]> {
    return this.incidentRows
      .filter((i) => options.monitorId === undefined || i.monitorId === options.monitorId)
      .sort((a, b) => b.startedAt - a.startedAt || b.id - a.id)
      .slice(0, options.limit)
      .map((i) => ({ ...i }));
  }

  async saveRuntimeStates(states: readonly MonitorRuntimeState[]): Promise<void> {
    for (const state of states) this.states.set(state.monitorId, { ...state });
  }

  async runtimeStates(): Promise<Map<string, MonitorRuntimeState>> {
    return new Map([...this.states].map(([id, state]) => [id, { ...state }]));
  }

  async maintain(now: number, retention: Retention): Promise<MaintenanceReport> {
    const before = this.results.length;
    this.results = this.results.filter((r) => r.at >= now - retention.rawMs);
    return {
      ran: true,
      hoursRolledUp: 0,
      daysRolledUp: 0,
      lateHoursRecomputed: 0,
      deleted: { results: before - this.results.length, hourly: 0, daily: 0, incidents: 0 },
    };
  }

  async createToken(token: StoredToken): Promise<void> {
    if (this.tokens.has(token.id)) throw new Error(`token ${token.id} exists`);
    this.tokens.set(token.id, { ...token });
  }

  async findTokenByHash(hash: string): Promise<StoredToken | undefined> {
    const found = [...this.tokens.values()].find((t) => t.hash === hash);
    return found && { ...found };
  }

  async touchToken(id: string, at: number): Promise<void> {
    this.touches.push({ id, at });
    const token = this.tokens.get(id);
    if (token) token.lastUsedAt = at;
  }

  async listTokens(): Promise<StoredToken[]> {
    return [...this.tokens.values()].sort((a, b) => a.createdAt - b.createdAt).map((t) => ({ ...t }));
  }

  async deleteToken(id: string): Promise<boolean> {
    return this.tokens.delete(id);
  }

  async listMonitors(): Promise<StoredMonitor[]> {
    return [...this.monitors.values()].sort((a, b) => (a.id < b.id ? -1 : 1)).map((m) => structuredClone(m));
  }

  async saveMonitor(monitor: StoredMonitor): Promise<void> {
    const createdAt = this.monitors.get(monitor.id)?.createdAt ?? monitor.createdAt;
    this.monitors.set(monitor.id, structuredClone({ ...monitor, createdAt }));
  }

  async deleteMonitor(id: string): Promise<boolean> {
    return this.monitors.delete(id);
  }

  async usage(): Promise<StoreUsage> {
    const resultBytes = Buffer.byteLength(JSON.stringify(this.results));
    return { results: this.results.length, resultBytes, totalBytes: resultBytes };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}
