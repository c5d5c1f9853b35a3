import { JOB_QUEUE, SCHEDULES } from './definitions.js';
import type { ShopQueues } from './queues.js';

/**
 * Creates or updates the job schedulers (idempotent: every worker start may run it), or removes them when
 * scheduling is off, so SHOP_SCHEDULERS=false really stops them. Returns one line per scheduler for the log.
 */
export async function syncSchedulers(queues: ShopQueues, enabled: boolean): Promise<string[]> {
  const lines: string[] = [];
  for (const schedule of SCHEDULES) {
    const queue = queues[JOB_QUEUE[schedule.name]];
    if (enabled) {
      await queue.upsertJobScheduler(schedule.id, schedule.repeat, { name: schedule.name, data: schedule.data });
      const tz = 'tz' in schedule.repeat ? ` ${schedule.repeat.tz}` : '';
      lines.push(`${schedule.id} → ${schedule.name} on ${queue.name} at "${schedule.repeat.pattern}"${tz}`);
    } else if (await queue.removeJobScheduler(schedule.id)) {
      lines.push(`${schedule.id} removed (SHOP_SCHEDULERS=false)`);
    }
  }
  return lines;
}
