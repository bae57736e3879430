import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync } from '../../src/main.ts';
import { ACCOUNTS, readmeConfig, startSimulators, type CatalogMaker } from '../support/readme-setup.ts';
import { freshPostgresDatabase } from '../support/databases.ts';

/**
 * A bulk mapping whose catalog pages carry the counts (Lightspeed's, with ItemShops): each bound
 * batch's counts and shop rows are written while the next batch binds. Every row must still end
 * with its mapping, its count and its shop row, across several batches (BIND_BATCH is 500).
 */
const COUNT = 1_150;
const onHandOf = (i: number) => (i * 7) % 23;
const catalog: CatalogMaker = (locations, itemId) =>
  Array.from({ length: COUNT }, (_, i) => ({ id: itemId(i), name: `Carried ${i + 1}`, sku: `CAR-${i + 1}`, priceCents: 100, stock: { [locations[0]!]: onHandOf(i) } }));

test('bulk mapping with counts carried by the catalog: every batch gets its counts and shop rows', { timeout: 300_000 }, async (t) => {
  const sims = await startSimulators({}, { lightspeed: catalog });
  t.after(() => sims.close());
  const core = await freshPostgresDatabase();
  t.after(() => core.drop());
  const possync = await startPossync(await readmeConfig(sims, { POSSYNC__hangfireDatabaseConnectionString: core.url }), { log: () => {} });
  t.after(() => possync.close());
  const rows = Array.from({ length: COUNT }, (_, i) => ({ row: i + 1, ecommerceId: String(5000 + i), accountId: ACCOUNTS.lightspeed, key: { by: 'sku' as const, value: `CAR-${i + 1}` } }));
  const task = await possync.service.items.bulk(rows, { dryRun: false, wait: true });
  assert.deepEqual(task.summary?.counts.mapped, COUNT, JSON.stringify(task.summary?.counts));
  const mapped = await possync.core.sql.query<{ ecommerce_id: string; on_hand: number | null; sink_quantity: number | null }>(
    `select m.ecommerce_id, m.on_hand, s.quantity as sink_quantity from mappings m left join stock s on s."idProductEcommerce" = m.ecommerce_id order by m.ecommerce_id::int`,
  );
  assert.equal(mapped.rows.length, COUNT);
  mapped.rows.forEach((row, i) => {
    assert.equal(row.on_hand, onHandOf(i), `on-hand of ${row.ecommerce_id}`);
    assert.equal(row.sink_quantity, onHandOf(i), `shop row of ${row.ecommerce_id}`);
  });
  const again = await possync.service.items.bulk(rows, { dryRun: false, wait: true });
  assert.equal(again.summary?.counts.unchanged, COUNT);
});
