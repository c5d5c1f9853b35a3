/** Percentiles over the most recent samples (a ring buffer); cheap to record, sorted only when read. */
export interface LatenessSummary {
  /** Samples in the window. */
  count: number;
  /** Milliseconds; 0 when there are no samples. */
  p50: number;
  p99: number;
  max: number;
}

export class RecentSamples {
  private readonly samples: Float64Array;
  private next = 0;
  private filled = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`window must be a positive integer, got ${capacity}`);
    this.samples = new Float64Array(capacity);
  }

  record(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.filled < this.capacity) this.filled++;
  }

  summary(): LatenessSummary {
    if (this.filled === 0) return { count: 0, p50: 0, p99: 0, max: 0 };
    const sorted = this.samples.slice(0, this.filled).sort();
    return {
      count: this.filled,
      p50: quantile(sorted, 0.5),
      p99: quantile(sorted, 0.99),
      max: sorted[sorted.length - 1] as number,
    };
  }
}

/** Nearest-rank quantile of sorted values. */
function quantile(sorted: Float64Array, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[rank - 1] as number;
}
