import type { BudgetState, BudgetStore } from '../pos/call-budget.ts';
import type { SqlQueryable } from './sql.ts';

/**
 * MonthlyCallBudget calls its store synchronously (load in its constructor, save on every call),
 * so this store is preloaded before the adapter is built and writes behind: each save updates the
 * cached state at once and queues a write. Writes are coalesced (only the latest state is sent)
 * and monotone within a month (`greatest`), so a late or repeated write can never lower the
 * count. A failed write stays pending and is retried by the next save or flush; call flush()
 * before closing the core so the last calls of a run are not lost.
 */
export class DbBudgetStore implements BudgetStore {
  private state: BudgetState | null;
  private dirty = false;
  private writing: Promise<void> | null = null;
  private lastError: Error | null = null;

  private constructor(
    private readonly sql: SqlQueryable,
    readonly accountId: string,
    initial: BudgetState | null,
    private readonly onError?: (error: Error) => void,
  ) {
    this.state = initial;
  }

  /** Reads the account's latest month once; the budget rolls over by itself when the month changed. */
  static async open(sql: SqlQueryable, accountId: string, options: { onError?: (error: Error) => void } = {}): Promise<DbBudgetStore> {
    const { rows } = await sql.query<{ month: string; used: number }>(
      'select month, used from call_budgets where account_id = $1 order by month desc limit 1',
      [accountId],
    );
    const row = rows[0];
    return new DbBudgetStore(sql, accountId, row ? { month: row.month, used: row.used } : null, options.onError);
  }

  load(): BudgetState | null {
    return this.state ? { ...this.state } : null;
  }

  save(state: BudgetState): void {
    this.state = { ...state };
    this.dirty = true;
    this.kick();
  }

  /** True while a save has not reached the database yet. */
  get pending(): boolean {
    return this.dirty || this.writing !== null;
  }

  /** Resolves once every save so far is stored; rejects with the write error if one failed. */
  async flush(): Promise<void> {
    this.kick();
    while (this.writing) await this.writing;
    if (this.dirty && this.lastError) throw this.lastError;
  }

  private kick(): void {
    if (this.writing || !this.dirty) return;
    this.writing = this.drain().finally(() => {
      this.writing = null;
    });
  }

  private async drain(): Promise<void> {
    while (this.dirty && this.state) {
      const state = this.state;
      this.dirty = false;
      try {
        await this.sql.query(
          `insert into call_budgets (account_id, month, used) values ($1, $2, $3)
           on conflict (account_id, month) do update
             set used = greatest(call_budgets.used, excluded.used), updated_at = now()`,
          [this.accountId, state.month, state.used],
        );
        this.lastError = null;
      } catch (error) {
        // Keep it pending; the next save or flush tries again.
        this.dirty = true;
        this.lastError = error as Error;
        this.onError?.(this.lastError);
        return;
      }
    }
  }
}
