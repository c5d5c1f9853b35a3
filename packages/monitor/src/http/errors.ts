/**
 * Errors that become HTTP responses: a status, a stable machine-readable code and a message written for the
 * caller. Anything else thrown by a handler is an internal error and is answered without details.
 */

import type { FieldIssue } from '../registry/errors.js';

export type { FieldIssue };

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

export { quote } from '../registry/errors.js';
