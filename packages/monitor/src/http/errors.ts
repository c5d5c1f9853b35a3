/**
 * Errors that become HTTP responses: a status, a stable machine-readable code and a message written for the
 * caller. Anything else thrown by a handler is an internal error and is answered without details.
 */

/** A problem with one field of a request body, as returned in `error.issues`. */
export interface FieldIssue {
  /** The field, e.g. `interval` or `auth.basic.password`; empty for the body as a whole. */
  path: string;
  message: string;
}

export class HttpError extends Error {
  override readonly name = 'HttpError';

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers (`Allow`, `WWW-Authenticate`, `Connection`). */
    readonly headers: Readonly<Record<string, string>> = {},
    /** Field problems, for 422 responses. */
    readonly issues?: readonly FieldIssue[],
  ) {
    super(message);
  }
}

export const badRequest = (message: string) => new HttpError(400, 'bad_request', message);
export const notFound = (message: string) => new HttpError(404, 'not_found', message);
export const conflict = (message: string, code = 'conflict') => new HttpError(409, code, message);
export const unprocessable = (message: string, issues?: readonly FieldIssue[], code = 'invalid_request') =>
  new HttpError(422, code, message, {}, issues);

/** User-supplied text quoted in a message: bounded, so an error never echoes a whole request back. */
export function quote(value: string, max = 100): string {
  return JSON.stringify(value.length > max ? `${value.slice(0, max)}…` : value);
}
