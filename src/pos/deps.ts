import type { RetryPolicy } from './retry.ts';
import type { TokenStore } from './token-store.ts';
import type { BudgetStore } from './call-budget.ts';
import type { RateLimitStore } from './rate-limit-store.ts';

/** What the core hands every adapter factory besides the account's own settings. */
export interface AdapterDeps {
  /** Persists rotated OAuth tokens (the core's database in production). */
  tokenStore: TokenStore;
  /** Persists call-budget usage across restarts. */
  budgetStore?: BudgetStore;
  /** Books requests per POS rate-limit key across instances (Lightspeed's bucket and burst limiter); default: the adapter's own estimate. */
  rateLimits?: RateLimitStore;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  policy?: Partial<RetryPolicy>;
  /** Per-attempt timeout. */
  timeoutMs?: number;
}
