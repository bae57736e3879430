import assert from 'node:assert/strict';
import { ConfigError } from '../../src/config/errors.ts';

/** The problems a config build reports (fails the test when it does not throw a ConfigError). */
export function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  assert.fail('expected a ConfigError');
}
