import type { SqlQueryable } from '../sql.ts';

/**
 * The dispatch lease: at most one live dispatcher per account, on PGlite and on any number of
 * instances sharing a PostgreSQL. A lease is taken only when free or expired; its holder renews
 * it while it works (across the POS call) and frees it when done. Each take-over increments the
 * fencing token, and every sale write of a dispatcher is conditional on its token being current.
 */
export interface Lease {
  accountId: string;
  token: string;
}

/** The lease, or null when another live dispatcher holds it. */
export async function takeLease(sql: SqlQueryable, accountId: string, holder: string, ttlMs: number): Promise<Lease | null> {
  const { rows } = await sql.query<{ token: string }>(
    `insert into dispatch_leases (account_id, token, holder, expires_at)
     values ($1, 1, $2, now() + $3 * interval '1 millisecond')
     on conflict (account_id) do update
       set token = dispatch_leases.token + 1, holder = excluded.holder, expires_at = excluded.expires_at
       where dispatch_leases.expires_at <= now()
     returning token::text`,
    [accountId, holder, ttlMs],
  );
  const token = rows[0]?.token;
  return token === undefined ? null : { accountId, token };
}

/** Extends the lease; false when it was taken over (the holder must stop writing). */
export async function renewLease(sql: SqlQueryable, lease: Lease, ttlMs: number): Promise<boolean> {
  const { rows } = await sql.query(
    `update dispatch_leases set expires_at = now() + $3 * interval '1 millisecond'
      where account_id = $1 and token = $2::bigint returning 1`,
    [lease.accountId, lease.token, ttlMs],
  );
  return rows.length > 0;
}

export async function freeLease(sql: SqlQueryable, lease: Lease): Promise<void> {
  await sql.query(`update dispatch_leases set expires_at = '-infinity' where account_id = $1 and token = $2::bigint`, [lease.accountId, lease.token]);
}

/** At boot on PGlite (one process by its lock file): every lease left is a dead process's. */
export async function freeAllLeases(sql: SqlQueryable): Promise<number> {
  const { rows } = await sql.query(`update dispatch_leases set expires_at = '-infinity' where expires_at > now() returning 1`);
  return rows.length;
}

/** SQL condition: the lease `$n` (a token) of the sale's account is still current. */
export function leaseHeld(accountColumn: string, tokenParam: string): string {
  return `exists (select 1 from dispatch_leases l where l.account_id = ${accountColumn} and l.token = ${tokenParam}::bigint)`;
}

/** A dispatcher's write was refused because its lease was taken over. */
export class LeaseLostError extends Error {
  constructor(readonly lease: Lease) {
    super(`the dispatch lease of account ${lease.accountId} (token ${lease.token}) was taken over; this dispatcher stops`);
    this.name = 'LeaseLostError';
  }
}
