import type { Registry } from 'prom-client';
import type { MetricFamily, MetricFamilyType } from './format.js';
import { gaugeNameProblem, labelNameProblem } from './names.js';

/** One series of a scrape gauge. */
export interface ScrapeGaugeSample<L extends string = string> {
  /** A value for every label name of the gauge (bounded values: doctypes, queue names — never ids). */
  labels?: Readonly<Record<L, string | number>>;
  value: number;
}

export interface ScrapeGaugeContext {
  /** Aborted when the collector's timeout passes: pass it on to the query. */
  signal: AbortSignal;
}

export type ScrapeGaugeResult<L extends string> = number | readonly ScrapeGaugeSample<L>[];

/** A gauge whose value is read at scrape time, e.g. documents per doctype or today's sales. */
export interface ScrapeGaugeOptions<L extends string = never> {
  /** snake_case, in base units, not ending in `_total`/`_count`/`_sum`/`_bucket` (a gauge is not a counter). */
  name: string;
  help: string;
  labelNames?: readonly L[];
  /** Returns the value (no labels) or one sample per label set. May be async; a throw leaves the gauge out. */
  collect: (context: ScrapeGaugeContext) => ScrapeGaugeResult<L> | Promise<ScrapeGaugeResult<L>>;
  /** A slower collect is abandoned (its signal aborted) and the gauge left out. Default `collectorTimeoutMs`. */
  timeoutMs?: number;
  /** Reuse a successful result this long (ms). Default 0: every scrape collects; concurrent scrapes share a call. */
  cacheTtlMs?: number;
  /** More series than this is an error (labels must stay bounded). Default 1000. */
  maxSeries?: number;
}

export class CollectorTimeoutError extends Error {
  constructor(collector: string, timeoutMs: number) {
    super(`collector ${collector} timed out after ${timeoutMs} ms`);
    this.name = 'CollectorTimeoutError';
  }
}

export const MAX_TIMEOUT_MS = 2 ** 31 - 1;
const DEFAULT_MAX_SERIES = 1000;

/** The value shape prom-client's registry reads from a metric's `get()`. */
interface PromValue {
  value: number;
  labels?: Record<string, string | number>;
  metricName?: string;
}
interface PromFamily {
  name: string;
  help: string;
  type: string;
  aggregator?: string;
  values?: PromValue[];
}
/** What every metric in a prom-client registry has at run time (its typings omit `get`). */
interface Collectable {
  name: string;
  get(): PromFamily | Promise<PromFamily>;
}

export interface ScrapeGaugeRuntime {
  defaultTimeoutMs: number;
  now: () => number;
  /** Called once per failed collect (not once per scrape that shared it). */
  onError: (collector: string, error: Error) => void;
}

/**
 * A gauge read at scrape time through a callback, registered on the instance's prom-client registry (it has the
 * `get()`/`reset()` shape the registry reads). Stateless between scrapes unless `cacheTtlMs` is set, so
 * concurrent scrapes never see each other's half-written values; concurrent scrapes share one in-flight call.
 */
export class ScrapeGauge<L extends string = string> {
  readonly type = 'gauge';
  readonly aggregator = 'sum';
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly L[];
  readonly timeoutMs: number;
  readonly #collect: ScrapeGaugeOptions<L>['collect'];
  readonly #cacheTtlMs: number;
  readonly #maxSeries: number;
  readonly #runtime: ScrapeGaugeRuntime;
  #inFlight: Promise<PromFamily> | undefined;
  #cached: { family: PromFamily; expiresAt: number } | undefined;

  constructor(options: ScrapeGaugeOptions<L>, runtime: ScrapeGaugeRuntime) {
    const nameProblem = gaugeNameProblem(options.name);
    if (nameProblem) {
      throw new TypeError(`metrics.gauge: name ${JSON.stringify(options.name)} is invalid: ${nameProblem}`);
    }
    if (typeof options.help !== 'string' || options.help.trim() === '') {
      throw new TypeError(`metrics.gauge ${options.name}: help is required (one line saying what the value means)`);
    }
    const labelNames = [...(options.labelNames ?? [])];
    for (const label of labelNames) {
      const problem = labelNameProblem(label);
      if (problem) {
        throw new TypeError(`metrics.gauge ${options.name}: label ${JSON.stringify(label)} is invalid: ${problem}`);
      }
    }
    if (new Set(labelNames).size !== labelNames.length) {
      throw new TypeError(`metrics.gauge ${options.name}: labelNames must not repeat a name`);
    }
    if (typeof options.collect !== 'function') {
      throw new TypeError(`metrics.gauge ${options.name}: collect must be a function`);
    }
    const timeoutMs = options.timeoutMs ?? runtime.defaultTimeoutMs;
    if (!(timeoutMs > 0 && timeoutMs <= MAX_TIMEOUT_MS)) {
      throw new TypeError(`metrics.gauge ${options.name}: timeoutMs must be a positive number of milliseconds`);
    }
    const cacheTtlMs = options.cacheTtlMs ?? 0;
    if (!(cacheTtlMs >= 0)) throw new TypeError(`metrics.gauge ${options.name}: cacheTtlMs must be zero or more`);
    const maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    if (!(Number.isInteger(maxSeries) && maxSeries > 0)) {
      throw new TypeError(`metrics.gauge ${options.name}: maxSeries must be a positive integer`);
    }
    this.name = options.name;
    this.help = options.help.replace(/\s+/g, ' ').trim();
    this.labelNames = labelNames;
    this.timeoutMs = timeoutMs;
    this.#collect = options.collect;
    this.#cacheTtlMs = cacheTtlMs;
    this.#maxSeries = maxSeries;
    this.#runtime = runtime;
  }

  /** Collects (or reuses a cached or in-flight collection). Rejects when the callback fails or times out. */
  get(): Promise<PromFamily> {
    const cached = this.#cached;
    if (cached && this.#runtime.now() < cached.expiresAt) return Promise.resolve(cached.family);
    this.#inFlight ??= this.#run().finally(() => {
      this.#inFlight = undefined;
    });
    return this.#inFlight;
  }

  /** Nothing to reset: values live only for one scrape. (prom-client's `resetMetrics()` calls this.) */
  reset(): void {
    this.#cached = undefined;
  }

  async #run(): Promise<PromFamily> {
    const controller = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new CollectorTimeoutError(this.name, this.timeoutMs);
        controller.abort(error);
        reject(error);
      }, this.timeoutMs);
      timer.unref?.();
    });
    try {
      const result = await Promise.race([
        Promise.resolve().then(() => this.#collect({ signal: controller.signal })),
        timedOut,
      ]);
      const family: PromFamily = {
        name: this.name,
        help: this.help,
        type: this.type,
        aggregator: this.aggregator,
        values: this.#values(result),
      };
      if (this.#cacheTtlMs > 0) this.#cached = { family, expiresAt: this.#runtime.now() + this.#cacheTtlMs };
      return family;
    } catch (thrown) {
      const error = thrown instanceof Error ? thrown : new Error(String(thrown));
      this.#runtime.onError(this.name, error);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  #values(result: unknown): PromValue[] {
    const fail = (why: string): never => {
      throw new TypeError(`collector ${this.name} returned an invalid result: ${why}`);
    };
    if (typeof result === 'number') {
      if (this.labelNames.length > 0) fail(`a bare number, but the gauge has labels (${this.labelNames.join(', ')})`);
      return [{ value: result, labels: {} }];
    }
    if (!Array.isArray(result)) return fail('expected a number or an array of { labels, value }');
    if (result.length > this.#maxSeries) fail(`${result.length} series, more than maxSeries (${this.#maxSeries})`);
    const seen = new Set<string>();
    return result.map((sample: unknown, i) => {
      if (typeof sample !== 'object' || sample === null) return fail(`item ${i} is not a { labels, value } object`);
      const { labels = {}, value } = sample as { labels?: unknown; value?: unknown };
      if (typeof value !== 'number') return fail(`item ${i} has no numeric value`);
      if (typeof labels !== 'object' || labels === null) return fail(`item ${i} has labels that are not an object`);
      const given = labels as Record<string, unknown>;
      const out: Record<string, string> = {};
      for (const key of Object.keys(given)) {
        if (!(this.labelNames as readonly string[]).includes(key)) fail(`item ${i} has an undeclared label "${key}"`);
      }
      for (const key of this.labelNames) {
        const labelValue = given[key];
        if (typeof labelValue !== 'string' && typeof labelValue !== 'number') {
          return fail(`item ${i} has no string or number value for label "${key}"`);
        }
        out[key] = String(labelValue);
      }
      const identity = JSON.stringify(this.labelNames.map((key) => out[key]));
      if (seen.has(identity)) fail(`item ${i} repeats the label set of an earlier item`);
      seen.add(identity);
      return { value, labels: out };
    });
  }
}

export interface CollectOptions {
  /** For every metric that does not time itself (everything but scrape gauges). */
  timeoutMs: number;
  /** Counts a failed or timed-out metric. */
  onError: (collector: string, error: Error) => void;
  /** Collected after the others, so that this scrape's failures already show in them. */
  last: ReadonlySet<string>;
}

const TIMED_OUT = Symbol('timed out');

/**
 * Reads every metric of the registry for one scrape, concurrently, each under a timeout: a metric whose
 * collection throws or hangs is left out of this scrape (and counted) while the others are served.
 */
export async function collectFamilies(registry: Registry, options: CollectOptions): Promise<MetricFamily[]> {
  // prom-client's typings describe registry entries without their `get()`; every entry has one at run time.
  const metrics = registry.getMetricsAsArray() as unknown as Collectable[];
  const timers: NodeJS.Timeout[] = [];
  /** One timer per phase, shared by the metrics collected in it (created only if one of them needs it). */
  const phaseDeadline = () => {
    let deadline: Promise<typeof TIMED_OUT> | undefined;
    return () =>
      (deadline ??= new Promise((resolve) => {
        const timer = setTimeout(() => resolve(TIMED_OUT), options.timeoutMs);
        timer.unref?.();
        timers.push(timer);
      }));
  };

  const collectOne = async (
    metric: Collectable,
    deadline: () => Promise<typeof TIMED_OUT>,
  ): Promise<MetricFamily | undefined> => {
    if (metric instanceof ScrapeGauge) {
      // Times itself out and counts its own failures (once per call, however many scrapes shared it).
      return metric.get().then(toFamily, () => undefined);
    }
    try {
      const outcome = await Promise.race([Promise.resolve().then(() => metric.get()), deadline()]);
      if (outcome === TIMED_OUT) throw new CollectorTimeoutError(metric.name, options.timeoutMs);
      return toFamily(outcome);
    } catch (thrown) {
      options.onError(metric.name, thrown instanceof Error ? thrown : new Error(String(thrown)));
      return undefined;
    }
  };

  try {
    const results = new Map<Collectable, MetricFamily | undefined>();
    const collectAll = async (selected: Collectable[]) => {
      const deadline = phaseDeadline();
      await Promise.all(selected.map(async (m) => results.set(m, await collectOne(m, deadline))));
    };
    await collectAll(metrics.filter((m) => !options.last.has(m.name)));
    await collectAll(metrics.filter((m) => options.last.has(m.name)));
    return metrics.map((m) => results.get(m)).filter((f): f is MetricFamily => f !== undefined);
  } finally {
    for (const timer of timers) clearTimeout(timer);
  }
}

const TYPES: readonly MetricFamilyType[] = ['counter', 'gauge', 'histogram', 'summary', 'untyped'];

function toFamily(family: PromFamily): MetricFamily {
  const type = (TYPES as readonly string[]).includes(family.type) ? (family.type as MetricFamilyType) : 'untyped';
  return {
    name: family.name,
    help: family.help,
    type,
    samples: (family.values ?? []).map((v) => ({
      name: v.metricName ?? family.name,
      labels: v.labels ?? {},
      value: v.value,
    })),
  };
}
