import { PosQuotaExhaustedError } from './errors.ts';

/**
 * A monthly call budget (Hiboutik counts calls per shop per calendar month). Reads stop while
 * `reserveForWrites` calls are left, so polling can never starve the sales that must still be posted.
 */
export type CallPurpose = 'read' | 'write';

export interface BudgetState {
  /** "YYYY-MM" in UTC. */
  month: string;
  used: number;
}

export interface BudgetStore {
  load(): BudgetState | null;
  save(state: BudgetState): void;
}

export interface MonthlyBudgetOptions {
  callsPerMonth: number;
  reserveForWrites: number;
  now?: () => number;
  store?: BudgetStore;
}

export class MonthlyCallBudget {
  private state: BudgetState;
  private readonly now: () => number;

  constructor(private readonly options: MonthlyBudgetOptions) {
    this.now = options.now ?? Date.now;
    const month = monthOf(this.now());
    const saved = options.store?.load();
    this.state = saved && saved.month === month ? { ...saved } : { month, used: 0 };
  }

  /** Counts one call, or throws when the budget (less the reserve, for reads) is spent. */
  take(purpose: CallPurpose): void {
    this.rollOver();
    const limit = purpose === 'read' ? this.options.callsPerMonth - this.options.reserveForWrites : this.options.callsPerMonth;
    if (this.state.used >= limit) {
      const resetsAt = nextMonth(this.now());
      const message =
        purpose === 'read'
          ? `polling paused: ${this.state.used} of ${this.options.callsPerMonth} calls used this month; the last ${this.options.reserveForWrites} are kept for sales (resets ${resetsAt.toISOString()})`
          : `monthly call quota spent: ${this.state.used} of ${this.options.callsPerMonth} calls used (resets ${resetsAt.toISOString()})`;
      throw new PosQuotaExhaustedError(message, resetsAt, this.now());
    }
    this.state.used += 1;
    this.options.store?.save({ ...this.state });
  }

  /** Records that the POS itself refused us for quota: nothing more this month. */
  exhaust(): void {
    this.rollOver();
    this.state.used = Math.max(this.state.used, this.options.callsPerMonth);
    this.options.store?.save({ ...this.state });
  }

  usage(): { month: string; used: number; limit: number; reserveForWrites: number } {
    this.rollOver();
    return { ...this.state, limit: this.options.callsPerMonth, reserveForWrites: this.options.reserveForWrites };
  }

  private rollOver(): void {
    const month = monthOf(this.now());
    if (month !== this.state.month) this.state = { month, used: 0 };
  }
}

function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

function nextMonth(ms: number): Date {
  const date = new Date(ms);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1));
}
