/**
 * Wiring for the OpenAPI checks done by spec-validator.ts (a separate module, not edited here):
 * request problems become Square 400s, response problems are kept as violations for tests.
 */
import { SquareApiError, type SquareErrorItem } from './errors.ts';
import { loadSquareSpecValidator, type SpecProblem, type SquareSpecValidator } from './spec-validator.ts';
import { toSquareError } from './spec-errors.ts';

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

/** A schema complaint as the Square error a real server would answer (code and field from spec-errors.ts). */
export function problemToError(problem: SpecProblem): SquareErrorItem {
  const error = toSquareError(problem);
  return { ...error, detail: `${error.field ?? 'body'}: ${problem.message}` };
}

/** Square lists several problems at once; ten is plenty to read. */
export function requestProblemsError(problems: SpecProblem[]): SquareApiError {
  return new SquareApiError(400, problems.slice(0, 10).map(problemToError));
}
