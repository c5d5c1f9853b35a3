/** The registry's refusals as HTTP answers: the one place that knows which status each one gets. */
import { HttpError } from '../http/errors.js';
import { MonitorError, type MonitorErrorCode } from '../registry/errors.js';

const ANSWERS: Readonly<Record<MonitorErrorCode, { status: number; code: string }>> = {
  not_found: { status: 404, code: 'not_found' },
  read_only: { status: 409, code: 'read_only' },
  conflict: { status: 409, code: 'conflict' },
  invalid: { status: 422, code: 'invalid_monitor' },
  paused_in_config: { status: 409, code: 'paused_in_config' },
};

/** An HttpError for a domain error; undefined for anything else (an internal error). */
export function httpErrorOf(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  if (!(error instanceof MonitorError)) return undefined;
  const { status, code } = ANSWERS[error.code];
  return new HttpError(status, code, error.message, {}, error.issues);
}
