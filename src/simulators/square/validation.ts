/**
 * Wiring for the OpenAPI checks done by spec-validator.ts (a separate module, not edited here):
 * request problems become Square 400s, response problems are kept as violations for tests.
 */
import { SquareApiError, type SquareErrorItem } from './errors.ts';
import { loadSquareSpecValidator, type SpecProblem, type SquareSpecValidator } from './spec-validator.ts';

export type { SpecProblem, SquareSpecValidator };

/** A response the simulator sent that the spec rejects: a simulator bug for tests to catch. */
export interface SpecViolation {
  at: string;
  method: string;
  path: string;
  status: number;
  problems: SpecProblem[];
}

/** Cached per process by spec-validator.ts; the spec file is parsed once. */
export function loadSpecValidator(): SquareSpecValidator {
  return loadSquareSpecValidator();
}

/** JSON pointer `/changes/0/adjustment/quantity` → Square's field name `changes[0].adjustment.quantity`. */
export function pointerToField(pointer: string, extra?: string): string | undefined {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  let field = '';
  for (const part of parts) field += /^\d+$/.test(part) ? `[${part}]` : field === '' ? part : `.${part}`;
  return field === '' ? undefined : field;
}

/** Picks the Square error code that fits a schema complaint (by its wording; ajv-style messages). */
export function problemToError(problem: SpecProblem): SquareErrorItem {
  const message = problem.message;
  const required = /required property '?"?([^'"]+)'?"?/.exec(message);
  const typed = /must be (string|integer|number|boolean|array|object)\b/.exec(message);
  let code = 'INVALID_VALUE';
  let extra: string | undefined;
  if (message.startsWith('request body is required')) code = 'EXPECTED_JSON_BODY';
  else if (required) {
    code = 'MISSING_REQUIRED_PARAMETER';
    // Name the missing field itself, unless the pointer already ends with it.
    if (!problem.pointer.endsWith(`/${required[1]}`)) extra = required[1];
  } else if (typed) {
    code = { string: 'EXPECTED_STRING', integer: 'EXPECTED_INTEGER', number: 'EXPECTED_FLOAT', boolean: 'EXPECTED_BOOLEAN', array: 'EXPECTED_ARRAY', object: 'EXPECTED_OBJECT' }[typed[1] as 'string'];
  } else if (/allowed values|enum/i.test(message)) code = 'INVALID_ENUM_VALUE';
  else if (/more than \d+ characters|maxLength/i.test(message)) code = 'VALUE_TOO_LONG';
  else if (/fewer than \d+ characters|minLength/i.test(message)) code = 'VALUE_TOO_SHORT';
  else if (/more than \d+ items|maxItems/i.test(message)) code = 'ARRAY_LENGTH_TOO_LONG';
  else if (/fewer than \d+ items|minItems/i.test(message)) code = 'ARRAY_LENGTH_TOO_SHORT';
  else if (/must be <=?|maximum/i.test(message)) code = 'VALUE_TOO_HIGH';
  else if (/must be >=?|minimum/i.test(message)) code = 'VALUE_TOO_LOW';
  const field = pointerToField(problem.pointer, extra);
  return { category: 'INVALID_REQUEST_ERROR', code, detail: `${field ?? 'body'}: ${message}`, ...(field === undefined ? {} : { field }) };
}

/** Square lists several problems at once; ten is plenty to read. */
export function requestProblemsError(problems: SpecProblem[]): SquareApiError {
  return new SquareApiError(400, problems.slice(0, 10).map(problemToError));
}
