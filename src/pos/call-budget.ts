import { PosQuotaExhaustedError } from './errors.ts';

/**
 * A monthly call budget (Hiboutik counts calls per shop per calendar month). Reads stop while
 * `reserveForWrites` calls are left, so polling can never starve the sales that must still be posted.
 */
export type CallPurpose = 'read' | 'write';

export interface BudgetStore {
  /**
   * Counts one call of `month` if fewer than `limit` are counted, in one step: instances sharing
   * the store (one POS account, several processes) never count past the limit between them.
   */
  take(month: string, limit: number): Promise<{ taken: boolean; used: number }>;
  /** Raises the month's count to at least `used` (the POS said the quota is spent). */
  raise(month: string, used: number): Promise<void>;
  /** The latest count this store has seen for `month` (0 if none): for status, never for decisions. */
  seen(month: string): number;
}

/** A store for one process (tests, or an adapter built without a database). */
export class MemoryBudgetStore implements BudgetStore {
  private readonly used = new Map<string, number>();
  async take(month: string, limit: number) {
    const used = this.seen(month);
    if (used >= limit) return { taken: false, used };
    this.used.set(month, used + 1);
    return { taken: true, used: used + 1 };
  }
  async raise(month: string, used: number) {
    this.used.set(month, Math.max(this.seen(month), used));
  }
  seen(month: string): number {
    return this.used.get(month) ?? 0;
  }
}

export interface MonthlyBudgetOptions {
  callsPerMonth: number;
  reserveForWrites: number;
  now?: () => number;
  /** Where the count lives; one per POS account (default: this process only). */
  store?: BudgetStore;
}

export class MonthlyCallBudget {
  private readonly now: () => number;
  private readonly store: BudgetStore;

  constructor(private readonly options: MonthlyBudgetOptions) {
    this.now = options.now ?? Date.now;
    this.store = options.store ?? new MemoryBudgetStore();
  }

  /** Counts one call, or throws when the budget (less the reserve, for reads) is spent. */
  async take(purpose: CallPurpose): Promise<void> {
    const month = monthOf(this.now());
    const limit = purpose === 'read' ? this.options.callsPerMonth - this.options.reserveForWrites : this.options.callsPerMonth;
    const { taken, used } = await this.store.take(month, limit);
    if (taken) return;
    const resetsAt = nextMonth(this.now());
    const message =
      purpose === 'read'
        ? `polling paused: ${used} of ${this.options.callsPerMonth} calls used this month; the last ${this.options.reserveForWrites} are kept for sales (resets ${resetsAt.toISOString()})`
        : `monthly call quota spent: ${used} of ${this.options.callsPerMonth} calls used (resets ${resetsAt.toISOString()})`;
    throw new PosQuotaExhaustedError(message, resetsAt, this.now());
  }

  /** Records that the POS itself refused us for quota: nothing more this month. */
  exhaust(): Promise<void> {
    return this.store.raise(monthOf(this.now()), this.options.callsPerMonth);
  }

  usage(): { month: string; used: number; limit: number; reserveForWrites: number } {
    const month = monthOf(this.now());
    return { month, used: this.store.seen(month), limit: this.options.callsPerMonth, reserveForWrites: this.options.reserveForWrites };
  }
}

function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

function nextMonth(ms: number): Date {
  const date = new Date(ms);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
}
