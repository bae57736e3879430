import type { SqlQueryable } from './sql.ts';

/**
 * Accounts whose polls wait for an operator (issue 12): a revert pauses its account so the next
 * poll does not re-apply what was undone. Webhook and change-poll updates wait too; sales do not.
 */
export interface AccountPause {
  accountId: string;
  reason: string;
  runId: number | null;
  pausedAt: Date;
}

interface PauseRow {
  account_id: string;
  reason: string;
  run_id: string | number | null;
  paused_at: Date;
}

const toPause = (r: PauseRow): AccountPause => ({ accountId: r.account_id, reason: r.reason, runId: r.run_id === null ? null : Number(r.run_id), pausedAt: r.paused_at });

export async function pauseAccount(sql: SqlQueryable, accountId: string, reason: string, runId: number | null): Promise<void> {
  await sql.query(
    `insert into account_pauses (account_id, reason, run_id) values ($1, $2, $3)
     on conflict (account_id) do update set reason = excluded.reason, run_id = excluded.run_id, paused_at = now()`,
    [accountId, reason, runId],
  );
}

/** Returns the pause lifted, or null when the account was not paused. */
export async function resumeAccount(sql: SqlQueryable, accountId: string): Promise<AccountPause | null> {
  const { rows } = await sql.query<PauseRow>('delete from account_pauses where account_id = $1 returning *', [accountId]);
  return rows[0] ? toPause(rows[0]) : null;
}

export async function accountPause(sql: SqlQueryable, accountId: string): Promise<AccountPause | null> {
  const { rows } = await sql.query<PauseRow>('select * from account_pauses where account_id = $1', [accountId]);
  return rows[0] ? toPause(rows[0]) : null;
}

export async function allPauses(sql: SqlQueryable): Promise<Map<string, AccountPause>> {
  const { rows } = await sql.query<PauseRow>('select * from account_pauses');
  return new Map(rows.map((r) => [r.account_id, toPause(r)]));
}
