import type { SqlQueryable } from './sql.ts';
import { shopQuantitySql } from './item-sources.ts';

const SHOP = shopQuantitySql('m');

/**
 * Items whose quantity the shop's table has not been given yet. An item with one source is
 * pending when its available differs from what was written (the partial index's test); one with
 * extra sources (few) when the sum of its sources does. An account's flush covers the items it
 * feeds either way.
 */
export async function pendingSinkWrites(
  sql: SqlQueryable,
  accountId: string | null,
  limit: number,
): Promise<Array<{ ecommerceId: string; quantity: number }>> {
  const { rows } = await sql.query<{ ecommerce_id: string; quantity: number }>(
    `(select m.ecommerce_id, m.available as quantity from mappings m
       where m.available is not null and m.available is distinct from m.sink_quantity
         and m.sources_available is null
         and ($1::text is null or m.account_id = $1)
       order by m.ecommerce_id limit $2)
     union all
     (select m.ecommerce_id, ${SHOP} as quantity from mappings m
       where m.sources_available is not null and ${SHOP} is distinct from m.sink_quantity
         and ($1::text is null or m.account_id = $1
              or exists (select 1 from item_sources s where s.ecommerce_id = m.ecommerce_id and s.account_id = $1))
       order by m.ecommerce_id limit $2)
     order by ecommerce_id
     limit $2`,
    [accountId, limit],
  );
  return rows.map((r) => ({ ecommerceId: r.ecommerce_id, quantity: r.quantity }));
}

/**
 * Records what was written. Guarded by the value: if the quantity moved again while the sink was
 * being written, the row stays pending and the next flush writes the newer value.
 */
export async function markSinkWritten(sql: SqlQueryable, rows: ReadonlyArray<{ ecommerceId: string; quantity: number }>): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(
    `update mappings m set sink_quantity = w.quantity
       from unnest($1::text[], $2::int[]) as w(ecommerce_id, quantity)
      where m.ecommerce_id = w.ecommerce_id and ${SHOP} = w.quantity`,
    [rows.map((r) => r.ecommerceId), rows.map((r) => r.quantity)],
  );
}
