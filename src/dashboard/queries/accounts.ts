/**
 * Per-account health for the Accounts page and the overview: items mapped and stale, calls used
 * this month, token expiry. `staleItems` is possync's simple freshness rule written once, so a
 * richer one (the freshness work of issue 8) can replace it in one place.
 */
import type { SqlQueryable } from '../../core/sql.ts';

export interface ItemHealth {
  mapped: number;
  /** Never confirmed by the POS, or not confirmed within `staleAfterSeconds`. */
  stale: number;
  missingOnPos: number;
}

/** An item is stale when no POS count arrived for it within `staleAfterSeconds` (or ever). */
export async function itemHealthByAccount(sql: SqlQueryable, staleAfterSeconds: number): Promise<Map<string, ItemHealth>> {
  const { rows } = await sql.query<{ account_id: string; mapped: string; stale: string; missing: string }>(
    `select account_id, count(*) as mapped,
            count(*) filter (where last_confirmed_at is null or last_confirmed_at < now() - make_interval(secs => $1)) as stale,
            count(*) filter (where missing_on_pos) as missing
       from mappings group by account_id`,
    [staleAfterSeconds],
  );
  return new Map(rows.map((r) => [r.account_id, { mapped: Number(r.mapped), stale: Number(r.stale), missingOnPos: Number(r.missing) }]));
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
