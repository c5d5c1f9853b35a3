/**
 * Where in its interval a monitor runs. Each monitor has a fixed phase — a hash of its id, as an offset into
 * the interval, counted from the epoch — so first runs are spread evenly over one interval, the same monitor
 * lands on the same slot after every restart and on every instance, and no two starts make a herd.
 */

/** FNV-1a over the UTF-16 code units, then murmur3's finalizer so that ids differing in one character spread. */
export function hashId(id: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    hash ^= id.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The monitor's offset in [0, interval). */
export function phaseOffset(id: string, intervalMs: number): number {
  return hashId(id) % intervalMs;
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

/** The first time ≥ `now` on the monitor's phase: in [now, now + interval). */
export function nextPhaseSlot(id: string, intervalMs: number, now: number): number {
  return now + mod(phaseOffset(id, intervalMs) - now, intervalMs);
}

/**
 * When a monitor that is not yet scheduled runs first. With a reference time (its last check, from the store
 * after a restart, or the last slot it was given in this process) the schedule resumes: `reference + interval`.
 * When that is already past, or there is no reference, the monitor runs at its phase slot, within one interval
 * from now — so after a restart every monitor has run within one interval, and overdue monitors are not run all
 * at once.
 */
export function firstDue(id: string, intervalMs: number, now: number, reference?: number): number {
  if (reference !== undefined && Number.isFinite(reference)) {
    const next = Math.min(reference, now) + intervalMs;
    if (next >= now) return next;
  }
  return nextPhaseSlot(id, intervalMs, now);
}
