/**
 * Per-account facts for the Accounts page that the engine's status does not carry: items no
 * longer on the POS, calls used this month, token expiry. Items and stale items come from the
 * engine's freshness (status().accounts[].freshness), the one rule for staleness.
 */
import type { SqlQueryable } from '../../core/sql.ts';

/** Items flagged as gone from the POS (rule 5: flagged, never zeroed), per account. */
export async function missingOnPosByAccount(sql: SqlQueryable): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ account_id: string; n: string }>('select account_id, count(*) as n from mappings where missing_on_pos group by account_id');
  return new Map(rows.map((r) => [r.account_id, Number(r.n)]));
}

/** Calls counted this calendar month (UTC), per account, by the persisted call budget. */
export async function callsThisMonth(sql: SqlQueryable): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ account_id: string; used: number }>(
    `select account_id, used from call_budgets where month = to_char(now() at time zone 'UTC', 'YYYY-MM')`,
  );
  return new Map(rows.map((r) => [r.account_id, r.used]));
}

/** When each stored OAuth token expires (never the token itself). */
export async function tokenExpiries(sql: SqlQueryable): Promise<Map<string, { expiresAt: Date; updatedAt: Date }>> {
  const { rows } = await sql.query<{ account_id: string; expires_at: Date; updated_at: Date }>('select account_id, expires_at, updated_at from pos_tokens');
  return new Map(rows.map((r) => [r.account_id, { expiresAt: r.expires_at, updatedAt: r.updated_at }]));
}
