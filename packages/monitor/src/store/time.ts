/** Rollup resolutions and UTC bucket arithmetic. Days are UTC days. */

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** The start of the bucket of `size` milliseconds that holds `at`. */
export function floorTo(at: number, size: number): number {
  return Math.floor(at / size) * size;
}

/** The start of the first bucket of `size` milliseconds that begins at or after `at`. */
export function ceilTo(at: number, size: number): number {
  return Math.ceil(at / size) * size;
}
