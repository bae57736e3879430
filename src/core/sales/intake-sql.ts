import type { SqlQueryable } from '../sql.ts';
import type { SaleState } from './states.ts';
import { refreshSourcesAvailable } from '../item-sources.ts';

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
  /** A part of a split sale other than the first: the sale (first part) it belongs to. */
  parentId?: string | null;
  /** For a split sale: which part this is, of how many. */
  part?: { index: number; of: number };
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

/**
 * An item's extra sources (item_sources), locked until commit. Their item rows must already be
 * locked (lockItems above): every transaction takes the item row first, so these never wait in a cycle.
 */
export async function lockSources(tx: SqlQueryable, ecommerceIds: readonly string[]): Promise<Map<string, StockRow[]>> {
  const { rows } = await tx.query<StockRow>(
    `select ecommerce_id, account_id, pos_item_id, available, on_hand, limit_quantity from item_sources
      where ecommerce_id = any($1::text[]) order by ecommerce_id, created_at, account_id for update`,
    [ecommerceIds],
  );
  const byItem = new Map<string, StockRow[]>();
  for (const row of rows) byItem.set(row.ecommerce_id, [...(byItem.get(row.ecommerce_id) ?? []), row]);
  return byItem;
}

/**
 * Accounts a sale should be routed around when others can serve it: the last poll failed (the
 * account is down, or its answers are refused), or its sales are failing (a failed sale, or one
 * pending after an error).
 */
export async function troubledAccounts(tx: SqlQueryable, accountIds: readonly string[]): Promise<Set<string>> {
  if (accountIds.length === 0) return new Set();
  const { rows } = await tx.query<{ account_id: string }>(
    `select a.id as account_id from unnest($1::text[]) as a(id)
      where coalesce((select r.status = 'failed' from sync_runs r where r.account_id = a.id and r.status <> 'running' order by r.id desc limit 1), false)
         or exists (select 1 from sales s where s.account_id = a.id
                     and (s.state = 'failed' or (s.state in ('accepted', 'dispatching') and s.last_error is not null)))`,
    [[...accountIds]],
  );
  return new Set(rows.map((r) => r.account_id));
}

export interface Accepted {
  sale: BatchSale;
  item: StockRow;
  before: number;
  after: number;
  /** False when the part reserves on an extra source (item_sources) rather than the item's first source. */
  primary?: boolean;
}

/** Writes the accepted sales: new available quantities, ledger rows, first transitions, journal. */
export async function recordAccepted(tx: SqlQueryable, accepted: readonly Accepted[]): Promise<void> {
  if (accepted.length === 0) return;
  const finalAvailable = new Map<string, number>();
  const finalSource = new Map<string, { ecommerceId: string; accountId: string; available: number }>();
  for (const a of accepted) {
    if (a.primary === false) finalSource.set(`${a.item.ecommerce_id}\u0000${a.item.account_id}`, { ecommerceId: a.item.ecommerce_id, accountId: a.item.account_id, available: a.after });
    else finalAvailable.set(a.item.ecommerce_id, a.after);
  }
  if (finalSource.size > 0) {
    const parts = [...finalSource.values()];
    await tx.query(
      `update item_sources s set available = u.available, updated_at = now()
         from unnest($1::text[], $2::text[], $3::int[]) as u(ecommerce_id, account_id, available)
        where s.ecommerce_id = u.ecommerce_id and s.account_id = u.account_id`,
      [parts.map((p) => p.ecommerceId), parts.map((p) => p.accountId), parts.map((p) => p.available)],
    );
    await refreshSourcesAvailable(tx, parts.map((p) => p.ecommerceId));
  }
  if (finalAvailable.size > 0) await tx.query(
    `update mappings m set available = u.available, updated_at = now()
       from unnest($1::text[], $2::int[]) as u(ecommerce_id, available)
      where m.ecommerce_id = u.ecommerce_id`,
    [[...finalAvailable.keys()], [...finalAvailable.values()]],
  );
  const col = <T>(pick: (a: Accepted) => T) => accepted.map(pick);
  await tx.query(
    `insert into sales (id, idempotency_key, request_hash, ecommerce_id, account_id, pos_item_id, quantity, amount_cents, reference, state, parent_id)
     select id, idempotency_key, request_hash, ecommerce_id, account_id, pos_item_id, quantity, amount_cents, reference, 'accepted', parent_id
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::int[], $8::bigint[], $9::text[], $10::text[])
         with ordinality as s(id, idempotency_key, request_hash, ecommerce_id, account_id, pos_item_id, quantity, amount_cents, reference, parent_id, n)
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
      col((a) => a.sale.parentId ?? null),
    ],
  );
  await tx.query(
    `insert into sale_transitions (sale_id, from_state, to_state, reason)
     select id, null, 'accepted', 'accepted: ' || quantity || ' unit(s) reserved' || coalesce(part, '')
       from unnest($1::text[], $2::int[], $3::text[]) with ordinality as t(id, quantity, part, n) order by n`,
    [
      col((a) => a.sale.id),
      col((a) => a.sale.quantity),
      col((a) => (a.sale.part ? ` on account ${a.item.account_id} (part ${a.sale.part.index} of ${a.sale.part.of})` : null)),
    ],
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
