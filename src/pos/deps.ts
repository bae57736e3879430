import type { RetryPolicy } from './retry.ts';
import type { TokenStore } from './token-store.ts';
import type { BudgetStore } from './call-budget.ts';
import type { SendWindowStore } from './send-window.ts';

/** What the core hands every adapter factory besides the account's own settings. */
export interface AdapterDeps {
  /** Persists rotated OAuth tokens (the core's database in production). */
  tokenStore: TokenStore;
  /** Persists call-budget usage across restarts. */
  budgetStore?: BudgetStore;
  /** Counts sends per POS rate-limit key across instances (Lightspeed's burst limiter); default: the adapter's own. */
  sendWindow?: SendWindowStore;
  fetch?: typeof fetch;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  policy?: Partial<RetryPolicy>;
  /** Per-attempt timeout. */
  timeoutMs?: number;
}
