import type { SqlQueryable } from '../sql.ts';
import type { SaleState } from './states.ts';

/**
 * Sale intake for a whole batch in a fixed number of statements (group commit): PGlite answers
 * one query at a time, so a statement per sale would cap intake near a thousand a second.
 * Reservations are still decided one sale at a time, in arrival order, on rows locked for the
 * transaction, so the outcome is the same as running the sales one by one (rule 3).
 */
export interface BatchSale {
  id: string;
  ecommerceId: string;
  quantity: number;
  amountCents: number;
  idempotencyKey: string | null;
  requestHash: string;
  reference: string | null;
}

export interface ExistingKey {
  id: string;
  request_hash: string;
  state: SaleState;
}

export async function existingKeys(tx: SqlQueryable, keys: readonly string[]): Promise<Map<string, ExistingKey>> {
  if (keys.length === 0) return new Map();
  const { rows } = await tx.query<ExistingKey & { idempotency_key: string }>(
    'select idempotency_key, id, request_hash, state from sales where idempotency_key = any($1::text[])',
    [keys],
  );
  return new Map(rows.map((r) => [r.idempotency_key, r]));
}

export interface StockRow {
  ecommerce_id: string;
  account_id: string;
  pos_item_id: string;
  available: number | null;
  on_hand: number | null;
  limit_quantity: number;
}

/** The batch's items, locked until commit: a poll page or another instance's intake waits. */
export async function lockItems(tx: SqlQueryable, ecommerceIds: readonly string[]): Promise<Map<string, StockRow>> {
  const { rows } = await tx.query<StockRow>(
    `select ecommerce_id, account_id, pos_item_id, available, on_hand, limit_quantity from mappings
      where ecommerce_id = any($1::text[]) order by ecommerce_id for update`,
    [ecommerceIds],
  );
  return new Map(rows.map((r) => [r.ecommerce_id, r]));
}

export interface Accepted {
  sale: BatchSale;
  item: StockRow;
  before: number;
  after: number;
}

/** Writes the accepted sales: new available quantities, ledger rows, first transitions, journal. */
export async function recordAccepted(tx: SqlQueryable, accepted: readonly Accepted[]): Promise<void> {
  if (accepted.length === 0) return;
  const finalAvailable = new Map<string, number>();
  for (const a of accepted) finalAvailable.set(a.item.ecommerce_id, a.after);
  await tx.query(
    `update mappings m set available = u.available, updated_at = now()
       from unnest($1::text[], $2::int[]) as u(ecommerce_id, available)
      where m.ecommerce_id = u.ecommerce_id`,
    [[...finalAvailable.keys()], [...finalAvailable.values()]],
  );
  const col = <T>(pick: (a: Accepted) => T) => accepted.map(pick);
  await tx.query(
    `insert into sales (id, idempotency_key, request_hash, ecommerce_id, account_id, pos_item_id, quantity, amount_cents, reference, state)
     select id, idempotency_key, request_hash, ecommerce_id, account_id, pos_item_id, quantity, amount_cents, reference, 'accepted'
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::text[])
         with ordinality as s(id, idempotency_key, request_hash, ecommerce_id, account_id, pos_item_id, quantity, amount_cents, reference, n)
      order by n`,
    [
      col((a) => a.sale.id),
      col((a) => a.sale.idempotencyKey),
      col((a) => a.sale.requestHash),
      col((a) => a.sale.ecommerceId),
      col((a) => a.item.account_id),
      col((a) => a.item.pos_item_id),
      col((a) => a.sale.quantity),
      col((a) => a.sale.amountCents),
      col((a) => a.sale.reference),
    ],
  );
  await tx.query(
    `insert into sale_transitions (sale_id, from_state, to_state, reason)
     select id, null, 'accepted', 'accepted: ' || quantity || ' unit(s) reserved'
       from unnest($1::text[], $2::int[]) with ordinality as t(id, quantity, n) order by n`,
    [col((a) => a.sale.id), col((a) => a.sale.quantity)],
  );
  await tx.query(
    `insert into stock_journal (ecommerce_id, account_id, before, after, on_hand_before, on_hand_after, cause, sale_id)
     select ecommerce_id, account_id, before, after, on_hand, on_hand, 'sale', sale_id
       from unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::text[])
         with ordinality as j(ecommerce_id, account_id, before, after, on_hand, sale_id, n)
      order by n`,
    [col((a) => a.sale.ecommerceId), col((a) => a.item.account_id), col((a) => a.before), col((a) => a.after), col((a) => a.item.on_hand), col((a) => a.sale.id)],
  );
}
