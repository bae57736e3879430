import type { ErrorKind, ErrorReply } from '../kit/server.ts';

/** One entry of Square's `errors` array. */
export interface SquareErrorItem {
  category: string;
  code: string;
  detail?: string;
  field?: string;
}

/** Thrown by handlers; the Square scope's error handler turns it into `{errors: [...]}`. */
export class SquareApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errors: SquareErrorItem[],
    readonly headers: Record<string, string> = {},
  ) {
    super(errors.map((e) => `${e.code}: ${e.detail ?? ''}`).join('; '));
  }
}

/** 400 INVALID_REQUEST_ERROR with one code; the most common failure of a bad body. */
export function invalidRequest(code: string, detail: string, field?: string): SquareApiError {
  return new SquareApiError(400, [{ category: 'INVALID_REQUEST_ERROR', code, detail, ...(field === undefined ? {} : { field }) }]);
}

export const notFound = (detail: string, field?: string): SquareApiError =>
  new SquareApiError(404, [{ category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail, ...(field === undefined ? {} : { field }) }]);

export const unauthorized = (detail: string): SquareApiError =>
  new SquareApiError(401, [{ category: 'AUTHENTICATION_ERROR', code: 'UNAUTHORIZED', detail }]);

export const insufficientScopes = (scope: string): SquareApiError =>
  new SquareApiError(403, [{ category: 'AUTHENTICATION_ERROR', code: 'INSUFFICIENT_SCOPES', detail: `The merchant has not given your application sufficient permissions to do this (needs ${scope}).` }]);

/** The kit's hook for injected faults, unknown routes and parser errors, in Square's shape. */
export function squareErrorReply(kind: ErrorKind, status: number, message: string, retryAfterSeconds?: number | null): ErrorReply {
  const headers: Record<string, string> = {};
  let item: SquareErrorItem;
  if (kind === 'rate_limit') {
    item = { category: 'RATE_LIMIT_ERROR', code: 'RATE_LIMITED', detail: message };
    // Square's Retry-After is unconfirmed (POS-APIS §1.3): only sent when the fault asks for it.
    if (retryAfterSeconds !== undefined && retryAfterSeconds !== null) headers['retry-after'] = String(retryAfterSeconds);
  } else if (kind === 'not_found') {
    item = { category: 'INVALID_REQUEST_ERROR', code: 'NOT_FOUND', detail: message };
  } else if (kind === 'bad_request') {
    item = { category: 'INVALID_REQUEST_ERROR', code: status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 413 ? 'REQUEST_ENTITY_TOO_LARGE' : 'BAD_REQUEST', detail: message };
  } else {
    const code = status === 503 ? 'SERVICE_UNAVAILABLE' : status === 502 ? 'BAD_GATEWAY' : status === 504 ? 'GATEWAY_TIMEOUT' : status === 429 ? 'RATE_LIMITED' : status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST';
    item = { category: status === 429 ? 'RATE_LIMIT_ERROR' : status >= 500 ? 'API_ERROR' : 'INVALID_REQUEST_ERROR', code, detail: message };
  }
  return { status, body: { errors: [item] }, headers };
}

/** Fastify's own errors (bad JSON, wrong content type) as Square answers them. */
export function fromFastifyError(error: Error & { statusCode?: number; code?: string }): SquareApiError {
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
  // A simulator bug: say what broke so the failing test points at it.
  if (status === 500) return new SquareApiError(500, [{ category: 'API_ERROR', code: 'INTERNAL_SERVER_ERROR', detail: `Internal error in the simulator: ${error.message}` }]);
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) {
    return invalidRequest('EXPECTED_JSON_BODY', 'The request body is not valid JSON.');
  }
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new SquareApiError(415, [{ category: 'INVALID_REQUEST_ERROR', code: 'UNSUPPORTED_MEDIA_TYPE', detail: error.message }]);
  }
  if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    return new SquareApiError(413, [{ category: 'INVALID_REQUEST_ERROR', code: 'REQUEST_ENTITY_TOO_LARGE', detail: error.message }]);
  }
  return new SquareApiError(status, [{ category: 'INVALID_REQUEST_ERROR', code: 'BAD_REQUEST', detail: error.message }]);
}
