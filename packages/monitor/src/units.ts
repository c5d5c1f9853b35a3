/**
 * Durations as they are shown (metrics, API): rounded to the microsecond, so that a float sum such as
 * 3.58 ms / 1000 prints `0.00358`, not `0.0035800000000000003`. Finer than any clock a check is timed with.
 */

/** Milliseconds, to the microsecond (three decimals). */
export function roundMs(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

/** Milliseconds as seconds, to the microsecond (six decimals). */
export function msToSeconds(ms: number): number {
  return Math.round(ms * 1000) / 1e6;
}
