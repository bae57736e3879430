import { PosError } from '../pos/errors.ts';

/**
 * A one-line reason for run records and task results. PosErrors are built without secrets; other
 * errors come from our own code and drivers, whose messages name hosts and tables, never passwords.
 */
export function describeError(error: unknown): string {
  if (error instanceof PosError) return `${error.kind}: ${error.message}`;
  if (error instanceof Error) return error.message;
  return String(error);
}
