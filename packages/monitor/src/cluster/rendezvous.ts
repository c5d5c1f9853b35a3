/**
 * Which live instance a monitor belongs to: rendezvous (highest random weight) hashing. Every instance computes
 * the same answer from the same list of live instances, without talking to the others; when an instance joins or
 * leaves, only the monitors it wins or held move (about 1/n of them), and the rest keep their owner.
 */
import { hashId } from '../scheduler/spread.js';

/** The monitor's weight for an instance (ids have no NUL, so the pair is unambiguous). */
function weight(monitorId: string, instanceId: string): number {
  return hashId(`${monitorId}\u0000${instanceId}`);
}

/** The instance among `instances` (non-empty) that `monitorId` prefers; ties (vanishingly rare) go to the lower id. */
export function preferredInstance(monitorId: string, instances: readonly string[]): string {
  let best = instances[0]!;
  let bestWeight = -1;
  for (const instance of instances) {
    const w = weight(monitorId, instance);
    if (w > bestWeight || (w === bestWeight && instance < best)) {
      best = instance;
      bestWeight = w;
    }
  }
  return best;
}
