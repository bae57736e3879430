import type { SqlQueryable } from './sql.ts';
import { recordChanges, type JournalCause } from './journal.ts';
import { refreshSourcesAvailable } from './item-sources.ts';
import type { StockChange } from './stock.ts';

/**
 * POS counts applied to extra sources (item_sources), with the rules applyCountsPage keeps for
 * first sources: a count read before the stored one is ignored, an unknown count keeps the old
 * value, available subtracts what is reserved on that source (rule 4), only changes are journaled.
 * Simpler than the first source's state: a counted source row is stamped confirmed each time
 * (sources are few; no run-level confirmation is derived for them).
 */

export interface SourceCount {
  posItemId: string;
  onHand: number | null;
  note?: string;
}

interface Row {
  ecommerce_id: string;
  pos_item_id: string;
  on_hand: number | null;
  on_hand_read_at: Date | null;
  available: number | null;
  missing_on_pos: boolean;
}

export interface SourcePage {
  accountId: string;
  runId: number | null;
  readStartedAt: Date;
  reservedByItem?: ReadonlyMap<string, number>;
  cause?: JournalCause;
  eventIds?: ReadonlyMap<string, string>;
}

/** Applies the counts to this account's extra sources; returns the changes and the POS ids they used. */
export async function applySourceCounts(tx: SqlQueryable, page: SourcePage, counts: ReadonlyMap<string, SourceCount>): Promise<{ changes: StockChange[]; matched: Set<string>; uncounted: string[]; written: string[] }> {
  const changes: StockChange[] = [];
  const written: string[] = [];
  const matched = new Set<string>();
  const uncounted: string[] = [];
  if (counts.size === 0) return { changes, matched, uncounted, written };
  const { rows } = await tx.query<Row>(
    `select ecommerce_id, pos_item_id, on_hand, on_hand_read_at, available, missing_on_pos from item_sources
      where account_id = $1 and pos_item_id = any($2::text[]) order by ecommerce_id for update`,
    [page.accountId, [...counts.keys()]],
  );
  const ids: string[] = [];
  const onHands: (number | null)[] = [];
  const availables: (number | null)[] = [];
  const counted: boolean[] = [];
  for (const row of rows) {
    matched.add(row.pos_item_id);
    const count = counts.get(row.pos_item_id)!;
    const outdated = row.on_hand_read_at !== null && row.on_hand_read_at.getTime() > page.readStartedAt.getTime();
    const isCounted = count.onHand !== null && !outdated;
    if (count.onHand === null) uncounted.push(row.ecommerce_id);
    const onHand = isCounted ? count.onHand : row.on_hand;
    const available = outdated || onHand === null ? row.available : Math.max(0, onHand - (page.reservedByItem?.get(row.ecommerce_id) ?? 0));
    const changed = onHand !== row.on_hand || available !== row.available;
    if (!changed && !isCounted && !row.missing_on_pos) continue;
    ids.push(row.ecommerce_id);
    written.push(row.pos_item_id);
    onHands.push(onHand);
    availables.push(available);
    counted.push(isCounted);
    if (changed) {
      changes.push({
        ecommerceId: row.ecommerce_id,
        posItemId: row.pos_item_id,
        before: row.available,
        after: available,
        onHandBefore: row.on_hand,
        onHandAfter: onHand,
        ...(count.note ? { note: count.note } : {}),
      });
    }
  }
  if (ids.length === 0) return { changes, matched, uncounted, written };
  await tx.query(
    `update item_sources s set
       on_hand = u.on_hand, available = u.available,
       on_hand_read_at = case when u.counted then $3::timestamptz else s.on_hand_read_at end,
       last_confirmed_at = case when u.counted then now() else s.last_confirmed_at end,
       missing_on_pos = false, missing_since = null, updated_at = now()
      from unnest($2::text[], $4::int[], $5::int[], $6::bool[]) as u(ecommerce_id, on_hand, available, counted)
     where s.account_id = $1 and s.ecommerce_id = u.ecommerce_id`,
    [page.accountId, ids, page.readStartedAt, onHands, availables, counted],
  );
  await refreshSourcesAvailable(tx, changes.map((c) => c.ecommerceId));
  await recordChanges(tx, changes, { accountId: page.accountId, cause: page.cause ?? 'poll', runId: page.runId, eventIds: page.eventIds });
  return { changes, matched, uncounted, written };
}

/** Flags extra sources the POS no longer knows; their quantity stays (rule 5). Returns the items flagged. */
export async function flagMissingSources(sql: SqlQueryable, accountId: string, posItemIds: readonly string[]): Promise<string[]> {
  if (posItemIds.length === 0) return [];
  const { rows } = await sql.query<{ ecommerce_id: string }>(
    `update item_sources set missing_on_pos = true, missing_since = now(), updated_at = now()
      where account_id = $1 and pos_item_id = any($2::text[]) and not missing_on_pos
      returning ecommerce_id`,
    [accountId, [...posItemIds]],
  );
  return rows.map((r) => r.ecommerce_id).sort();
}
