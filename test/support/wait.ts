import { setTimeout as delay } from 'node:timers/promises';

type Truthy<T> = Exclude<T, undefined | null | false | 0 | ''>;

/**
 * The one wait in the tests: polls `check` until it returns something truthy and returns that,
 * or fails after `timeoutMs` saying what it waited for and what it last saw. A check that throws
 * counts as not yet (a server still starting), and its error is what the failure reports.
 * Tests never sleep for a fixed time; the deadline only bounds a failure, so it can be generous.
 * A state that lasts less than ~100 ms can be missed: wait on what it leaves behind instead.
 */
export async function waitUntil<T>(what: string, check: () => T | Promise<T>, timeoutMs = 120_000): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  // Soon at first, then every 100 ms: many checks ask a service over HTTP, and on a 2-core machine
  // a check every 20 ms through a long wait took CPU from the very work it waited on.
  let pause = 10;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) {
      const seen = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; last saw ${seen}`);
    }
    await delay(pause);
    pause = Math.min(100, pause * 2);
  }
}
