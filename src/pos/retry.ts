/**
 * Retry decisions as values, so callers and tests can see why a call is retried and for how long.
 * A wait longer than `maxInlineWaitMs` is not slept through by the adapter: it surfaces as an error
 * carrying the decision, and the job queue schedules the retry instead of holding a worker.
 */
export interface RetryDecision {
  retry: boolean;
  reason: string;
  waitMs: number;
}

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest wait an adapter sleeps through in-line. */
  maxInlineWaitMs: number;
  /** Upper bound applied to any Retry-After a POS sends. */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 4,
  baseDelayMs: 200,
  maxDelayMs: 5_000,
  maxInlineWaitMs: 10_000,
  maxRetryAfterMs: 120_000,
};

/** What happened on one attempt, in POS-neutral terms. */
export type AttemptOutcome =
  | { type: 'status'; status: number; retryAfterMs?: number }
  | { type: 'network'; afterSend: boolean }
  | { type: 'timeout' };

/** Exponential back-off with full jitter; `random` is injectable for tests. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Decides whether attempt number `attempt` (1-based) should be followed by another.
 * `idempotent` says whether repeating the request is safe (reads, keyed writes); a write that
 * is not gets no automatic retry after it may have reached the POS.
 */
export function decideRetry(outcome: AttemptOutcome, attempt: number, idempotent: boolean, policy: RetryPolicy = DEFAULT_RETRY_POLICY): RetryDecision {
  const exhausted = attempt >= policy.maxAttempts;
  if (outcome.type === 'status') {
    const { status } = outcome;
    if (status === 429) {
      const waitMs = Math.min(outcome.retryAfterMs ?? backoffMs(attempt, policy), policy.maxRetryAfterMs);
      return { retry: !exhausted, reason: `rate limited (429)${outcome.retryAfterMs !== undefined ? ', Retry-After honoured' : ''}`, waitMs };
    }
    if (status === 408 || status >= 500) {
      if (!idempotent) return { retry: false, reason: `server error ${status} on a write that may have applied`, waitMs: 0 };
      return { retry: !exhausted, reason: `server error ${status}`, waitMs: backoffMs(attempt, policy) };
    }
    return { retry: false, reason: `status ${status} is final`, waitMs: 0 };
  }
  if (outcome.type === 'network' && !outcome.afterSend) {
    return { retry: !exhausted, reason: 'connection failed before the request was sent', waitMs: backoffMs(attempt, policy) };
  }
  if (!idempotent) return { retry: false, reason: 'no answer to a write that may have applied', waitMs: 0 };
  return { retry: !exhausted, reason: outcome.type === 'timeout' ? 'timed out' : 'connection lost', waitMs: backoffMs(attempt, policy) };
}

/** Parses Retry-After (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
