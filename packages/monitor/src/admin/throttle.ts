/**
 * Slows down guessing: after a few failed sign-ins from one address, each further attempt must wait, twice as
 * long after each failure (up to a limit). A success clears the address. Bounded memory: the oldest addresses go
 * first when the table is full.
 */
export interface ThrottleOptions {
  now?: () => number;
  /** Failures allowed before waiting starts. Default 3. */
  freeFailures?: number;
  /** First wait, doubled per further failure. Default 1 s. */
  baseDelayMs?: number;
  /** Longest wait. Default 60 s. */
  maxDelayMs?: number;
  /** Failures are forgotten after this quiet time. Default 15 min. */
  forgetAfterMs?: number;
  maxEntries?: number;
}

interface Entry {
  failures: number;
  lastAt: number;
  blockedUntil: number;
}

export class SignInThrottle {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;

  constructor(private readonly options: ThrottleOptions = {}) {
    this.now = options.now ?? Date.now;
  }

  /** Milliseconds this address must still wait before trying again (0: it may try now). */
  waitFor(address: string): number {
    const entry = this.current(address);
    return entry ? Math.max(0, entry.blockedUntil - this.now()) : 0;
  }

  failed(address: string): void {
    const now = this.now();
    const entry = this.current(address) ?? { failures: 0, lastAt: now, blockedUntil: 0 };
    entry.failures++;
    entry.lastAt = now;
    const free = this.options.freeFailures ?? 3;
    if (entry.failures > free) {
      const delay = (this.options.baseDelayMs ?? 1000) * 2 ** Math.min(entry.failures - free - 1, 20);
      entry.blockedUntil = now + Math.min(delay, this.options.maxDelayMs ?? 60_000);
    }
    this.entries.delete(address);
    this.entries.set(address, entry);
    const max = this.options.maxEntries ?? 10_000;
    while (this.entries.size > max) this.entries.delete(this.entries.keys().next().value as string);
  }

  succeeded(address: string): void {
    this.entries.delete(address);
  }

  private current(address: string): Entry | undefined {
    const entry = this.entries.get(address);
    if (entry && this.now() - entry.lastAt > (this.options.forgetAfterMs ?? 15 * 60_000)) {
      this.entries.delete(address);
      return undefined;
    }
    return entry;
  }
}
