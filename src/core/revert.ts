import type { SqlQueryable } from './sql.ts';
import { recordChanges } from './journal.ts';
import { availableFrom } from './stock.ts';
import type { PlanItem } from './run-plans.ts';
import { refreshSourcesAvailable } from './item-sources.ts';

/**
 * Puts back the counts an applied run replaced (issue 12), for the items whose POS count is still
 * the one the run set. "Not changed since" is judged on the count, not on what the shop sees: a
 * sale since the run changed the available quantity but not the count, and it stays subtracted
 * (available is recomputed with the reservations of now). Journaled with cause `revert`. An item
 * the run's account feeds as an extra source (item_sources) gets that source's count back, by the
 * same rule.
 */

export interface RevertOutcome {
  restored: Array<{ ecommerceId: string; before: number | null; after: number | null; onHandBefore: number | null; onHandAfter: number | null }>;
  skipped: Array<{ ecommerceId: string; reason: string }>;
}

interface RowNow {
  ecommerce_id: string;
  account_id: string;
  on_hand: number | null;
  available: number | null;
}

export async function revertItems(
  tx: SqlQueryable,
  run: { id: number; accountId: string },
  changes: readonly PlanItem[],
  reservedByItem: ReadonlyMap<string, number>,
): Promise<RevertOutcome> {
  const outcome: RevertOutcome = { restored: [], skipped: [] };
  const ids = changes.map((c) => c.ecommerceId);
  // Locked in the one order every locker uses (ecommerce_id), like a poll page or a sale batch.
  const { rows } = await tx.query<RowNow>(
    'select ecommerce_id, account_id, on_hand, available from mappings where ecommerce_id = any($1::text[]) order by ecommerce_id for update',
    [ids],
  );
  const now = new Map(rows.map((r) => [r.ecommerce_id, r]));
  // Extra sources of these items in the run's account, locked while their items' rows are (item-sources.ts).
  const { rows: sourceRows } = await tx.query<RowNow>(
    `select ecommerce_id, account_id, on_hand, available from item_sources
      where account_id = $1 and ecommerce_id = any($2::text[]) order by ecommerce_id for update`,
    [run.accountId, ids],
  );
  const extra = new Map(sourceRows.map((r) => [r.ecommerce_id, r]));
  const sourceRestored = new Set<string>();
  for (const change of changes) {
    const first = now.get(change.ecommerceId);
    const source = first && first.account_id !== run.accountId ? extra.get(change.ecommerceId) : undefined;
    if (source) sourceRestored.add(change.ecommerceId);
    const row = source ?? first;
    if (!row || row.account_id !== run.accountId) {
      outcome.skipped.push({ ecommerceId: change.ecommerceId, reason: 'no longer mapped to this account' });
    } else if (change.onHandBefore === null) {
      outcome.skipped.push({ ecommerceId: change.ecommerceId, reason: 'it had no count before the run: nothing to put back' });
    } else if (row.on_hand !== change.onHandAfter) {
      outcome.skipped.push({ ecommerceId: change.ecommerceId, reason: `changed since: the count is now ${row.on_hand ?? 'unknown'}, the run set ${change.onHandAfter ?? 'unknown'}` });
    } else {
      const available = availableFrom(change.onHandBefore, reservedByItem.get(change.ecommerceId) ?? 0);
      outcome.restored.push({ ecommerceId: change.ecommerceId, before: row.available, after: available, onHandBefore: row.on_hand, onHandAfter: change.onHandBefore });
    }
  }
  if (outcome.restored.length === 0) return outcome;
  const r = outcome.restored;
  const firsts = r.filter((x) => !sourceRestored.has(x.ecommerceId));
  const sources = r.filter((x) => sourceRestored.has(x.ecommerceId));
  await tx.query(
    `update mappings m set on_hand = u.on_hand, available = u.available, updated_at = now()
       from unnest($1::text[], $2::int[], $3::int[]) as u(ecommerce_id, on_hand, available)
      where m.ecommerce_id = u.ecommerce_id`,
    [firsts.map((x) => x.ecommerceId), firsts.map((x) => x.onHandAfter), firsts.map((x) => x.after)],
  );
  if (sources.length > 0) {
    await tx.query(
      `update item_sources s set on_hand = u.on_hand, available = u.available, updated_at = now()
         from unnest($2::text[], $3::int[], $4::int[]) as u(ecommerce_id, on_hand, available)
        where s.account_id = $1 and s.ecommerce_id = u.ecommerce_id`,
      [run.accountId, sources.map((x) => x.ecommerceId), sources.map((x) => x.onHandAfter), sources.map((x) => x.after)],
    );
    await refreshSourcesAvailable(tx, sources.map((x) => x.ecommerceId));
  }
  await recordChanges(tx, r.map(({ ecommerceId, before, after, onHandBefore, onHandAfter }) => ({ ecommerceId, before, after, onHandBefore, onHandAfter })), {
    accountId: run.accountId,
    cause: 'revert',
    runId: run.id,
    note: `revert of run ${run.id}`,
  });
  return outcome;
}

/**
 * When the counts a revert puts back were read, at the latest: the start of the account's last
 * applied run before this one (else this run's own). Sales posted after it are still subtracted,
 * so a restored count can only under-state, never oversell (rule 4).
 */
export async function restoredCountsReadBy(sql: SqlQueryable, run: { id: number; accountId: string }): Promise<Date> {
  const { rows } = await sql.query<{ at: Date }>(
    `select coalesce(
       (select coalesce(read_started_at, started_at) from sync_runs where account_id = $1 and id < $2 and status = 'ok' order by id desc limit 1),
       (select started_at from sync_runs where id = $2)) as at`,
    [run.accountId, run.id],
  );
  return rows[0]!.at;
}
