import type { ErrorKind, ErrorReply } from '../kit/server.ts';

/**
 * Hiboutik's error body: `{error, code, error_description, details}`. The slug catalogue is
 * UNCONFIRMED upstream, so the slugs below are ours; `code` repeats the HTTP status.
 */
export interface HiboutikErrorBody {
  error: string;
  code: number;
  error_description: string;
  details: Record<string, unknown>;
}

const SLUGS: Record<number, string> = {
  400: 'bad_request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'method_not_allowed',
  406: 'not_acceptable',
  409: 'conflict',
  422: 'unprocessable_entity',
  429: 'too_many_requests',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
};

export function errorBody(status: number, description: string, details: Record<string, unknown> = {}): HiboutikErrorBody {
  return { error: SLUGS[status] ?? (status >= 500 ? 'internal_error' : 'error'), code: status, error_description: description, details };
}

/** Thrown by handlers and the store; the scope's hook turns it into the error body. */
export class HiboutikError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }

  body(): HiboutikErrorBody {
    return errorBody(this.status, this.message, this.details);
  }
}

export const notFound = (what: string, details: Record<string, unknown> = {}) => new HiboutikError(404, `${what} not found`, details);
export const invalid = (message: string, details: Record<string, unknown> = {}) => new HiboutikError(422, message, details);

/** `definition.errorReply`: injected faults, 404s and parse errors in Hiboutik's shape. */
export function hiboutikErrorReply(_kind: ErrorKind, status: number, message: string, retryAfterSeconds?: number | null): ErrorReply {
  const headers: Record<string, string> = {};
  if (retryAfterSeconds) headers['retry-after'] = String(retryAfterSeconds);
  return { status, body: errorBody(status, message), headers };
}
