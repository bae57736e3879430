import { getMappings } from '../core/mappings.ts';
import { markSinkWritten } from '../core/sink-state.ts';
import { shopQuantity } from '../core/item-sources.ts';
import type { SyncContext } from './sync.ts';

const BATCH = 500;
const SHOP_ROW_CONCURRENCY = 4;

/** Creates or refreshes the shop rows of these items with what the core holds now. */
export async function writeShopRows(context: Pick<SyncContext, 'core' | 'sink'>, ecommerceIds: readonly string[]): Promise<void> {
  for (let i = 0; i < ecommerceIds.length; i += BATCH) {
    const mappings = await getMappings(context.core.sql, ecommerceIds.slice(i, i + BATCH));
    const rows = mappings.map((mapping) => ({
      ecommerceId: mapping.ecommerceId,
      posItemId: mapping.posItemId,
      accountId: mapping.accountId,
      description: mapping.description,
      limitQuantity: mapping.limitQuantity,
      // 0 until a POS counts it, so an uncounted item is not sold online; the sum of its sources'.
      quantity: shopQuantity(mapping) ?? 0,
    }));
    const sink = context.sink;
    if (sink.upsertItems) await sink.upsertItems(rows);
    else {
      const queue = [...rows];
      const worker = async () => {
        for (let row = queue.shift(); row; row = queue.shift()) await sink.upsertItem(row);
      };
      await Promise.all(Array.from({ length: SHOP_ROW_CONCURRENCY }, worker));
    }
    await markSinkWritten(
      context.core.sql,
      mappings.flatMap((m) => {
        const quantity = shopQuantity(m);
        return quantity === null ? [] : [{ ecommerceId: m.ecommerceId, quantity }];
      }),
    );
  }
}
