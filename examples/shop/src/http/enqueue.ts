import { sanitizeMessage } from '@vigil/health';
import type { JobName, JobPayloads } from '../jobs/definitions.js';
import { enqueue } from '../jobs/queues.js';
import type { AppDeps } from './deps.js';

/** Where a queued job can be looked up: GET /api/jobs/<queue>/<id>. */
export interface JobRef {
  queue: string;
  id: string;
}

export interface Queued {
  job: JobRef | null;
  /** Why the job could not be queued (the document itself is saved either way). */
  warning?: string;
}

/**
 * Queues a follow-up job of a document that is already committed. A failure (Redis down) must not turn the
 * saved document into an error answer: it is reported as a warning, counted and logged.
 */
export async function queueFollowUp<N extends JobName>(
  { queues, health }: Pick<AppDeps, 'queues' | 'health'>,
  name: N,
  data: JobPayloads[N],
  jobId: string,
): Promise<Queued> {
  try {
    const job = await enqueue(queues, name, data, { jobId });
    return { job: { queue: job.queueName, id: job.id ?? jobId } };
  } catch (error) {
    health.metrics.countError('job_enqueue_failed');
    const reason = sanitizeMessage(error instanceof Error ? error.message : String(error));
    console.error(`could not queue ${name} (${jobId}): ${reason}`);
    return { job: null, warning: `${name} could not be queued: ${reason}` };
  }
}
