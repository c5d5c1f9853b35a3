/** Error answers: one JSON shape, a message that says what to fix, and no internals for 5xx. */
import type { FastifyError, FastifyReply, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import { sanitizeMessage } from '@vigil/health';
import { ShopError } from '../shop/errors.js';
import { DATE_PATTERN } from './schemas.js';

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
};

export function errorBody(statusCode: number, message: string): ErrorBody {
  return { statusCode, error: REASONS[statusCode] ?? 'Error', message };
}

/** `/lines/0/qty` → `body.lines[0].qty`: the path as a JavaScript caller writes it. */
function fieldPath(dataVar: string, instancePath: string): string {
  return instancePath
    .split('/')
    .slice(1)
    .reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : `${path}.${part}`), dataVar);
}

/**
 * Turns Ajv's first error into a sentence naming the field: Fastify's default says "body must NOT have additional
 * properties" without saying which one.
 */
export function formatValidationErrors(errors: FastifySchemaValidationError[], dataVar: string): Error {
  const first = errors[0];
  if (!first) return new Error(`invalid ${dataVar}`);
  const path = fieldPath(dataVar, first.instancePath);
  const { params } = first;
  let message: string;
  switch (first.keyword) {
    case 'required':
      message = `${path}.${String(params.missingProperty)} is required`;
      break;
    case 'additionalProperties':
      message = `${path} has an unknown property "${String(params.additionalProperty)}"`;
      break;
    case 'enum': {
      const allowed = Array.isArray(params.allowedValues) ? params.allowedValues : [];
      message = `${path} must be one of ${allowed.map((v) => JSON.stringify(v)).join(', ')}`;
      break;
    }
    case 'format':
      message = params.format === 'date' ? dateMessage(path) : `${path} must be a valid ${String(params.format)}`;
      break;
    case 'pattern':
      message = params.pattern === DATE_PATTERN ? dateMessage(path) : `${path} ${first.message ?? 'is invalid'}`;
      break;
    default:
      message = `${path} ${first.message ?? 'is invalid'}`;
  }
  return new Error(message);
}

function dateMessage(path: string): string {
  return `${path} must be a date (YYYY-MM-DD) from 1900 to 2999`;
}

/** 4xx with their message; anything else is logged (sanitized) and answered as a bare 500. */
export function handleError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (error instanceof ShopError) return reply.code(error.statusCode).send(errorBody(error.statusCode, error.message));
  const fastifyError = error as Partial<FastifyError>;
  const status = fastifyError.statusCode;
  // Validation errors, bad JSON (400), a too large body (413), a wrong content type (415): the caller's to fix.
  if (status === 415) {
    return reply.code(415).send(errorBody(415, 'send the body as JSON, with content-type: application/json'));
  }
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.code(status).send(errorBody(status, fastifyError.message ?? 'invalid request'));
  }
  const message = error instanceof Error ? error.message : String(error);
  console.error(`${request.method} ${request.url} failed: ${sanitizeMessage(message)}`);
  return reply.code(500).send(errorBody(500, 'internal error; the server log has the details'));
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return reply.code(404).send(errorBody(404, `no route for ${request.method} ${request.url.split('?')[0]}`));
}
