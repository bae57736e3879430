import type { SqlClient, SqlQueryable } from './sql.ts';
import { lockPosItems } from './pos-item-lock.ts';

/**
 * Set-based reads and writes for bulk mapping: the mappings a batch of rows could clash with in
 * one statement, and new mappings inserted a batch per statement.
 */
export interface ExistingBinding {
  ecommerceId: string;
  accountId: string;
  posItemId: string;
  limitQuantity: number;
  /** An item's extra source (item_sources), not its mapping: it only makes its POS item taken. */
  extraSource: boolean;
}

const CLASHES = `
  select ecommerce_id, account_id, pos_item_id, limit_quantity, false as extra from mappings
  where ecommerce_id = any($1::text[])
  union
  select m.ecommerce_id, m.account_id, m.pos_item_id, m.limit_quantity, false
  from mappings m join unnest($2::text[], $3::text[]) as w(account_id, pos_item_id)
    on m.account_id = w.account_id and m.pos_item_id = w.pos_item_id
  union
  -- A POS item that is an extra source of some item (item-sources.ts) is taken as well.
  select s.ecommerce_id, s.account_id, s.pos_item_id, s.limit_quantity, true
  from item_sources s join unnest($2::text[], $3::text[]) as w(account_id, pos_item_id)
    on s.account_id = w.account_id and s.pos_item_id = w.pos_item_id`;

/** Mappings holding any of these e-commerce ids or any of these (account, POS item) pairs. */
export async function existingBindings(
  sql: SqlQueryable,
  ecommerceIds: readonly string[],
  posItems: ReadonlyArray<{ accountId: string; posItemId: string }>,
): Promise<ExistingBinding[]> {
  const { rows } = await sql.query<{ ecommerce_id: string; account_id: string; pos_item_id: string; limit_quantity: number; extra: boolean }>(CLASHES, [
    [...ecommerceIds],
    posItems.map((p) => p.accountId),
    posItems.map((p) => p.posItemId),
  ]);
  return rows.map((r) => ({ ecommerceId: r.ecommerce_id, accountId: r.account_id, posItemId: r.pos_item_id, limitQuantity: r.limit_quantity, extraSource: r.extra }));
}

export interface BulkNewMapping {
  ecommerceId: string;
  accountId: string;
  posItemId: string;
  description: string;
  limitQuantity: number;
}

// Either unique key (e-commerce id, or account + POS item) makes a row a no-op: one mapped by
// someone else meanwhile is not overwritten, and the caller reports it. So does a POS item that
// became an item's extra source meanwhile (checked under the POS items' locks, pos-item-lock.ts).
const INSERT = `
  insert into mappings (ecommerce_id, account_id, pos_item_id, description, limit_quantity)
  select * from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[]) as u(ecommerce_id, account_id, pos_item_id, description, limit_quantity)
   where not exists (select 1 from item_sources s where s.account_id = u.account_id and s.pos_item_id = u.pos_item_id)
  on conflict do nothing
  returning ecommerce_id`;

/** Inserts the batch; returns the e-commerce ids actually inserted. */
export async function insertMappings(sql: SqlClient, rows: readonly BulkNewMapping[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const column = <K extends keyof BulkNewMapping>(key: K) => rows.map((row) => row[key]);
  return sql.transaction(async (tx) => {
    await lockPosItems(tx, rows);
    const { rows: inserted } = await tx.query<{ ecommerce_id: string }>(INSERT, [
      column('ecommerceId'),
      column('accountId'),
      column('posItemId'),
      column('description'),
      column('limitQuantity'),
    ]);
    return new Set(inserted.map((r) => r.ecommerce_id));
  });
}

const SET_LIMITS = `
  update mappings m set limit_quantity = u.limit_quantity, updated_at = now()
  from unnest($1::text[], $2::int[]) as u(ecommerce_id, limit_quantity)
  where m.ecommerce_id = u.ecommerce_id and m.limit_quantity <> u.limit_quantity
  returning m.ecommerce_id, m.account_id, m.available, m.on_hand`;

/** New floors for existing mappings; returns the rows that changed (for the journal). */
export async function setLimits(
  sql: SqlQueryable,
  changes: ReadonlyArray<{ ecommerceId: string; limitQuantity: number }>,
): Promise<Array<{ ecommerceId: string; accountId: string; available: number | null; onHand: number | null }>> {
  if (changes.length === 0) return [];
  const { rows } = await sql.query<{ ecommerce_id: string; account_id: string; available: number | null; on_hand: number | null }>(SET_LIMITS, [
    changes.map((c) => c.ecommerceId),
    changes.map((c) => c.limitQuantity),
  ]);
  return rows.map((r) => ({ ecommerceId: r.ecommerce_id, accountId: r.account_id, available: r.available, onHand: r.on_hand }));
}
