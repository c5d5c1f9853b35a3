/** Why an action on a failed BullMQ job was refused: its own file, so that checking for it loads no BullMQ. */
export type FailedJobRefusal = 'not_found' | 'not_failed';

/** The job is missing, or not in the failed state (any more). */
export class FailedJobError extends Error {
  override readonly name = 'FailedJobError';

  constructor(
    readonly refusal: FailedJobRefusal,
    message: string,
  ) {
    super(message);
  }
}
