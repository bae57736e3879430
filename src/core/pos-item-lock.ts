import type { SqlClient, SqlQueryable } from './sql.ts';

/**
 * A POS item feeds one online item only, but it can be bound in two tables: as an item's first
 * source (`mappings`) or as an extra one (`item_sources`). Each table's unique key covers itself
 * only, and a check of the other table then an insert is a race under READ COMMITTED (two
 * transactions both see nothing and both insert). So every path that binds a POS item takes this
 * transaction-scoped advisory lock on (account, POS item) before its check: the second one waits
 * for the first to commit, and its check (a later statement, a newer snapshot) then sees it.
 * Taken before any row lock, so it never sits inside a row-lock cycle.
 */
export async function lockPosItems(tx: SqlQueryable, items: ReadonlyArray<{ accountId: string; posItemId: string }>): Promise<void> {
  if (items.length === 0) return;
  // Sorted and deduplicated: two binders of overlapping batches take the locks in the same order.
  await tx.query(
    `select pg_advisory_xact_lock(hashtext('possync.pos-item'), hashtext(k))
       from (select distinct a || E'\\n' || p as k from unnest($1::text[], $2::text[]) as u(a, p) order by 1) keys`,
    [items.map((i) => i.accountId), items.map((i) => i.posItemId)],
  );
}

/** Runs `fn` in a transaction: the caller's when `sql` is one already, else a new one (the lock above is transaction-scoped). */
export function inTransaction<T>(sql: SqlQueryable | SqlClient, fn: (tx: SqlQueryable) => Promise<T>): Promise<T> {
  return 'transaction' in sql && typeof sql.transaction === 'function' ? sql.transaction(fn) : fn(sql);
}
