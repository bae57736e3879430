/**
 * Items for the Items pages: search (e-commerce id, POS id, or words of the name), keyset paging
 * on the e-commerce id, units held by unposted sales, and an item's journal and quantity series.
 */
import type { SqlQueryable } from '../../core/sql.ts';
import { MAPPING_COLUMNS, toMapping, type Mapping } from '../../core/mappings.ts';
import { RESERVING_STATES } from '../../core/sales/states.ts';

export interface ItemRow extends Mapping {
  /** Units held by sales the POS does not have yet (accepted, dispatching, failed). */
  reserved: number;
  /** What possync last wrote to the shop's table (null: nothing yet). */
  sinkQuantity: number | null;
}

type MappingRow = Parameters<typeof toMapping>[0];

export interface ItemQuery {
  q?: string;
  accountId?: string;
  /** The last e-commerce id of the previous page. */
  after?: string;
  limit?: number;
}

/**
 * An exact e-commerce or POS id first (two index probes); when nothing has that id, items whose
 * name contains the text. Keyset-paged on the e-commerce id.
 */
export async function searchItems(sql: SqlQueryable, query: ItemQuery): Promise<{ items: ItemRow[]; next: string | null }> {
  const limit = query.limit ?? 50;
  const q = query.q?.trim() || null;
  const select = async (where: string, param: string | null) => {
    const { rows } = await sql.query<MappingRow & { sink_quantity: number | null }>(
      `select ${MAPPING_COLUMNS}, sink_quantity from mappings
        where ${where} and ($2::text is null or account_id = $2) and ($3::text is null or ecommerce_id > $3)
        order by ecommerce_id limit $4`,
      [param, query.accountId || null, query.after || null, limit + 1],
    );
    return rows;
  };
  // Exact ids never fill a page, so a next page (after) is always of a name search.
  let rows = q === null ? await select('$1::text is null', null) : query.after ? [] : await select('(ecommerce_id = $1 or pos_item_id = $1)', q);
  if (q !== null && rows.length === 0) rows = await select(`lower(description) like '%' || lower($1) || '%'`, escapeLike(q));
  const page = rows.slice(0, limit);
  const reserved = await reservedFor(sql, page.map((r) => r.ecommerce_id));
  const items = page.map((row) => ({ ...toMapping(row), reserved: reserved.get(row.ecommerce_id) ?? 0, sinkQuantity: row.sink_quantity }));
  return { items, next: rows.length > limit ? page[page.length - 1]!.ecommerce_id : null };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function reservedFor(sql: SqlQueryable, ecommerceIds: readonly string[]): Promise<Map<string, number>> {
  if (ecommerceIds.length === 0) return new Map();
  const { rows } = await sql.query<{ ecommerce_id: string; units: string }>(
    `select ecommerce_id, sum(quantity) as units from sales
      where ecommerce_id = any($1::text[]) and state = any($2::text[]) group by 1`,
    [[...ecommerceIds], [...RESERVING_STATES]],
  );
  return new Map(rows.map((r) => [r.ecommerce_id, Number(r.units)]));
}

export async function getItem(sql: SqlQueryable, ecommerceId: string): Promise<ItemRow | null> {
  const { rows } = await sql.query<MappingRow & { sink_quantity: number | null }>(
    `select ${MAPPING_COLUMNS}, sink_quantity from mappings where ecommerce_id = $1`,
    [ecommerceId],
  );
  const row = rows[0];
  if (!row) return null;
  const reserved = await reservedFor(sql, [ecommerceId]);
  return { ...toMapping(row), reserved: reserved.get(ecommerceId) ?? 0, sinkQuantity: row.sink_quantity };
}

/** An item's quantities over time, oldest first: the last `limit` journal entries. */
export async function quantitySeries(sql: SqlQueryable, ecommerceId: string, limit = 500): Promise<Array<{ at: Date; available: number | null; onHand: number | null }>> {
  const { rows } = await sql.query<{ at: Date; after: number | null; on_hand_after: number | null }>(
    `select at, after, on_hand_after from (
       select id, at, after, on_hand_after from stock_journal where ecommerce_id = $1 order by id desc limit $2
     ) latest order by id`,
    [ecommerceId, limit],
  );
  return rows.map((r) => ({ at: r.at, available: r.after, onHand: r.on_hand_after }));
}

/** Journal entries of an item since the start of today (UTC). */
export async function changesToday(sql: SqlQueryable, ecommerceId: string): Promise<number> {
  const { rows } = await sql.query<{ n: string }>(
    `select count(*) as n from (
       select 1 from stock_journal where ecommerce_id = $1 and at >= date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'
       order by id desc limit 10000
     ) today`,
    [ecommerceId],
  );
  return Number(rows[0]?.n ?? 0);
}

export interface ItemSale {
  id: string;
  state: string;
  quantity: number;
  createdAt: Date;
  lastError: string | null;
}

export async function salesOfItem(sql: SqlQueryable, ecommerceId: string, limit = 20): Promise<ItemSale[]> {
  const { rows } = await sql.query<{ id: string; state: string; quantity: number; created_at: Date; last_error: string | null }>(
    'select id, state, quantity, created_at, last_error from sales where ecommerce_id = $1 order by seq desc limit $2',
    [ecommerceId, limit],
  );
  return rows.map((r) => ({ id: r.id, state: r.state, quantity: r.quantity, createdAt: r.created_at, lastError: r.last_error }));
}
