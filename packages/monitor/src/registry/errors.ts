/**
 * What can go wrong when monitors are changed, in the registry's own terms. The API maps each code to an HTTP
 * status (api/errors.ts); nothing below `api/` knows HTTP.
 */

/** A problem with one field of a monitor definition. */
export interface FieldIssue {
  /** The field, e.g. `interval` or `auth.basic.password`; empty for the definition as a whole. */
  path: string;
  message: string;
}

export type MonitorErrorCode =
  /** No such monitor (or not one the caller may see). */
  | 'not_found'
  /** Defined in a configuration file: change the file. */
  | 'read_only'
  /** The id or name is taken. */
  | 'conflict'
  /** The definition does not validate: see `issues`. */
  | 'invalid'
  /** Paused by its definition (`paused: true`), which a resume cannot override. */
  | 'paused_in_config';

export class MonitorError extends Error {
  override readonly name = 'MonitorError';

  constructor(
    readonly code: MonitorErrorCode,
    message: string,
    readonly issues?: readonly FieldIssue[],
  ) {
    super(message);
  }
}

/** User-supplied text quoted in a message: bounded, so an error never echoes a whole request back. */
export function quote(value: string, max = 100): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}

export const monitorNotFound = (id: string) => new MonitorError('not_found', `no monitor with id ${quote(id)}`);

export function invalidMonitor(issues: readonly FieldIssue[]): MonitorError {
  const listed = issues.map((issue) => (issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`));
  return new MonitorError('invalid', `invalid monitor definition: ${listed.join('; ')}`, issues);
}
