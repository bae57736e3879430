/**
 * The Square error a real server would answer for an OpenAPI schema problem found by
 * spec-validator.ts: its ErrorCode and its dotted field name.
 */
import type { SpecProblem } from './spec-validator.ts';

export const REQUIRED_BODY_MESSAGE = 'request body is required';

/** The subset of Square's ErrorCode values that schema failures map to (all present in the spec's enum). */
export type SquareValidationErrorCode =
  | 'INVALID_ENUM_VALUE'
  | 'EXPECTED_STRING'
  | 'EXPECTED_INTEGER'
  | 'EXPECTED_FLOAT'
  | 'EXPECTED_BOOLEAN'
  | 'EXPECTED_ARRAY'
  | 'EXPECTED_OBJECT'
  | 'EXPECTED_JSON_BODY'
  | 'VALUE_TOO_LONG'
  | 'VALUE_TOO_SHORT'
  | 'VALUE_TOO_HIGH'
  | 'VALUE_TOO_LOW'
  | 'MISSING_REQUIRED_PARAMETER'
  | 'ARRAY_LENGTH_TOO_LONG'
  | 'ARRAY_LENGTH_TOO_SHORT'
  | 'INVALID_VALUE';

export interface SquareValidationError {
  category: 'INVALID_REQUEST_ERROR';
  code: SquareValidationErrorCode;
  detail: string;
  /** Square's dotted field path, e.g. `changes[0].adjustment.from_state`; absent for the body as a whole. */
  field?: string;
}

const decodePointerSegment = (segment: string): string => segment.replace(/~1/g, '/').replace(/~0/g, '~');

/** JSON pointer (`/changes/0/adjustment/from_state`) to Square's field style (`changes[0].adjustment.from_state`). */
export function pointerToField(pointer: string): string {
  if (pointer === '') return '';
  let field = '';
  for (const raw of pointer.split('/').slice(1)) {
    const segment = decodePointerSegment(raw);
    if (/^\d+$/.test(segment)) field += `[${segment}]`;
    else field += field === '' ? segment : `.${segment}`;
  }
  return field;
}

/**
 * The Square error a real server would answer for a schema problem. Works from the message,
 * which this module words deterministically (Ajv's phrasing), so a copied problem maps the same.
 */
export function toSquareError(problem: SpecProblem): SquareValidationError {
  const field = pointerToField(problem.pointer);
  const code = codeFor(problem.message);
  const detail = field === '' ? problem.message : `\`${field}\` ${problem.message}`;
  return field === ''
    ? { category: 'INVALID_REQUEST_ERROR', code, detail }
    : { category: 'INVALID_REQUEST_ERROR', code, detail, field };
}

const TYPE_CODES: Record<string, SquareValidationErrorCode> = {
  string: 'EXPECTED_STRING',
  integer: 'EXPECTED_INTEGER',
  number: 'EXPECTED_FLOAT',
  boolean: 'EXPECTED_BOOLEAN',
  array: 'EXPECTED_ARRAY',
  object: 'EXPECTED_OBJECT',
};

function codeFor(message: string): SquareValidationErrorCode {
  if (message.startsWith(REQUIRED_BODY_MESSAGE)) return 'EXPECTED_JSON_BODY';
  if (message.startsWith('must have required property')) return 'MISSING_REQUIRED_PARAMETER';
  if (message.startsWith('must be equal to one of the allowed values')) return 'INVALID_ENUM_VALUE';
  if (/^must NOT have more than \d+ characters/.test(message)) return 'VALUE_TOO_LONG';
  if (/^must NOT have fewer than \d+ characters/.test(message)) return 'VALUE_TOO_SHORT';
  if (/^must NOT have more than \d+ items/.test(message)) return 'ARRAY_LENGTH_TOO_LONG';
  if (/^must NOT have fewer than \d+ items/.test(message)) return 'ARRAY_LENGTH_TOO_SHORT';
  if (/^must be <=? /.test(message)) return 'VALUE_TOO_HIGH';
  if (/^must be >=? /.test(message)) return 'VALUE_TOO_LOW';
  const type = /^must be (\w+)/.exec(message)?.[1];
  return (type !== undefined ? TYPE_CODES[type] : undefined) ?? 'INVALID_VALUE';
}
