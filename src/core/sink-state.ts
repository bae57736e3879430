import type { SqlQueryable } from './sql.ts';

/** Items whose available quantity the shop's table has not been given yet. */
export async function pendingSinkWrites(
  sql: SqlQueryable,
  accountId: string | null,
  limit: number,
): Promise<Array<{ ecommerceId: string; quantity: number }>> {
  const { rows } = await sql.query<{ ecommerce_id: string; available: number }>(
    `select ecommerce_id, available from mappings
      where available is not null and available is distinct from sink_quantity
        and ($1::text is null or account_id = $1)
      order by ecommerce_id
      limit $2`,
    [accountId, limit],
  );
  return rows.map((r) => ({ ecommerceId: r.ecommerce_id, quantity: r.available }));
}

/**
 * Records what was written. Guarded by the value: if available moved again while the sink was
 * being written, the row stays pending and the next flush writes the newer value.
 */
export async function markSinkWritten(sql: SqlQueryable, rows: ReadonlyArray<{ ecommerceId: string; quantity: number }>): Promise<void> {
  if (rows.length === 0) return;
  await sql.query(
    `update mappings m set sink_quantity = w.quantity
       from unnest($1::text[], $2::int[]) as w(ecommerce_id, quantity)
      where m.ecommerce_id = w.ecommerce_id and m.available = w.quantity`,
    [rows.map((r) => r.ecommerceId), rows.map((r) => r.quantity)],
  );
}
