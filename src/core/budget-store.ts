import type { BudgetStore } from '../pos/call-budget.ts';
import type { SqlQueryable } from './sql.ts';

/**
 * A POS account's monthly call count in the core database, counted in one conditional statement
 * per call, so every instance sharing the database spends one budget: the count is the calls
 * made, and never passes the limit however many instances call at once.
 */
export class DbBudgetStore implements BudgetStore {
  private latest: { month: string; used: number } | null;

  private constructor(
    private readonly sql: SqlQueryable,
    readonly accountId: string,
    initial: { month: string; used: number } | null,
  ) {
    this.latest = initial;
  }

  /** Reads the account's latest month, so status shows the count before the first call. */
  static async open(sql: SqlQueryable, accountId: string): Promise<DbBudgetStore> {
    const { rows } = await sql.query<{ month: string; used: number }>(
      'select month, used from call_budgets where account_id = $1 order by month desc limit 1',
      [accountId],
    );
    return new DbBudgetStore(sql, accountId, rows[0] ?? null);
  }

  async take(month: string, limit: number): Promise<{ taken: boolean; used: number }> {
    // The insert counts the month's first call; the update counts the others while under the limit.
    const { rows } = await this.sql.query<{ used: number }>(
      `insert into call_budgets as b (account_id, month, used) select $1, $2, 1 where $3::int > 0
       on conflict (account_id, month) do update set used = b.used + 1, updated_at = now() where b.used < $3::int
       returning used`,
      [this.accountId, month, limit],
    );
    const used = rows[0]?.used ?? (await this.current(month));
    this.note(month, used);
    return { taken: rows.length > 0, used };
  }

  async raise(month: string, used: number): Promise<void> {
    this.note(month, used);
    await this.sql.query(
      `insert into call_budgets as b (account_id, month, used) values ($1, $2, $3)
       on conflict (account_id, month) do update set used = greatest(b.used, excluded.used), updated_at = now()`,
      [this.accountId, month, used],
    );
  }

  seen(month: string): number {
    return this.latest?.month === month ? this.latest.used : 0;
  }

  private async current(month: string): Promise<number> {
    const { rows } = await this.sql.query<{ used: number }>('select used from call_budgets where account_id = $1 and month = $2', [this.accountId, month]);
    return rows[0]?.used ?? 0;
  }

  private note(month: string, used: number): void {
    if (!this.latest || month > this.latest.month || (month === this.latest.month && used > this.latest.used)) this.latest = { month, used };
  }
}
