import { type Check, type Observation, runProbe } from '@vigil/core';

interface Slot {
  observation?: Observation;
  /** Epoch ms after which the observation is stale. */
  expiresAt: number;
  inFlight?: Promise<Observation>;
}

export interface CheckRunnerOptions {
  now?: () => number;
  /** Called with every fresh observation (metrics, logs). Must not throw. */
  onObservation?: (check: Check, observation: Observation) => void;
}

/**
 * Runs checks with their deadline, caches each result (failures included) for the check's TTL, and lets
 * concurrent callers share one in-flight run: a load balancer polling hard never multiplies database queries.
 */
export class CheckRunner {
  readonly #slots = new Map<string, Slot>();
  readonly #now: () => number;
  readonly #onObservation: CheckRunnerOptions['onObservation'];

  constructor(options: CheckRunnerOptions = {}) {
    this.#now = options.now ?? Date.now;
    this.#onObservation = options.onObservation;
  }

  run(check: Check): Promise<Observation> {
    let slot = this.#slots.get(check.name);
    if (!slot) {
      slot = { expiresAt: 0 };
      this.#slots.set(check.name, slot);
    }
    if (slot.observation && this.#now() < slot.expiresAt) return Promise.resolve(slot.observation);
    if (slot.inFlight) return slot.inFlight;
    const current = slot;
    const started = runProbe((context) => check.run(context), {
      timeoutMs: check.timeoutMs,
      sanitize: check.sanitize,
      now: this.#now,
    }).then((observation) => {
      current.observation = observation;
      current.expiresAt = this.#now() + check.cacheTtlMs;
      current.inFlight = undefined;
      try {
        this.#onObservation?.(check, observation);
      } catch {
        // An observer's bug must not turn into a failed health check.
      }
      return observation;
    });
    current.inFlight = started;
    return started;
  }

  /** The cached observation while it is fresh, without starting a run. */
  fresh(check: Check, at: number = this.#now()): Observation | undefined {
    const slot = this.#slots.get(check.name);
    return slot?.observation && at < slot.expiresAt ? slot.observation : undefined;
  }

  /** The last observation of a check, fresh or not, without running it (for scrapes). */
  last(name: string): Observation | undefined {
    return this.#slots.get(name)?.observation;
  }

  /** Forget cached results, e.g. after a config change. */
  clear(): void {
    for (const slot of this.#slots.values()) {
      slot.observation = undefined;
      slot.expiresAt = 0;
    }
  }
}
