/**
 * A module (or anything costly) loaded on first use and shared after: `vigil serve` keeps out of its memory what
 * most configurations never use (BullMQ for job views, nodemailer, badge-maker), and pays for it on the first call.
 */
export function lazily<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}
