/**
 * How Lightspeed R-Series spells its answers: every scalar a string, a collection of one record
 * an object, an empty collection left out, errors as {httpCode, httpMessage, message, errorClass}.
 */

export const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

/** An error a handler raises; the API scope turns it into the Lightspeed error body. */
export class LsHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly errorClass = defaultErrorClass(statusCode),
  ) {
    super(message);
  }
}

export function defaultErrorClass(status: number): string {
  if (status === 404) return 'NotFoundException';
  if (status === 401) return 'BadAuthenticationRequestError';
  if (status === 429) return 'RateLimitException';
  if (status >= 500) return 'ServerErrorException';
  return 'Exception';
}

export function lsErrorBody(status: number, message: string, errorClass = defaultErrorClass(status)) {
  return { httpCode: String(status), httpMessage: STATUS_TEXT[status] ?? 'Error', message, errorClass };
}

/** Deep copy where numbers and booleans become strings and undefined/null fields disappear. */
export function stringifyScalars(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(stringifyScalars);
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, inner] of Object.entries(value)) {
      const converted = stringifyScalars(inner);
      if (converted !== undefined) out[key] = converted;
    }
    return out;
  }
  return String(value);
}

/** The API's collection rule: none → absent, one → the object itself, more → an array. */
export function oneOrMany<T>(rows: readonly T[]): T | T[] | undefined {
  if (rows.length === 0) return undefined;
  if (rows.length === 1) return rows[0];
  return [...rows];
}

/** A relation holder like {"ItemShop": …}, or undefined when there is nothing to hold. */
export function relation<T>(name: string, rows: readonly T[]): Record<string, T | T[]> | undefined {
  const inner = oneOrMany(rows);
  return inner === undefined ? undefined : { [name]: inner };
}

/** Lightspeed writes times to the second with an explicit offset: 2026-11-02T09:00:00+00:00. */
export function lsTime(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

export function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** Relations in request bodies come as an object or an array; absent means none. */
export function asList(value: unknown): unknown[] {
  if (value === undefined || value === null || value === '') return [];
  return Array.isArray(value) ? value : [value];
}
