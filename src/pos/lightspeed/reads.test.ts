import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StockCount } from '../contract.ts';
import type { SeedFile } from '../../simulators/kit/seed.ts';
import { asList, readListPage, relationRows, text } from './normalise.ts';
import { toCatalogItem } from './catalog.ts';
import { ENDPOINTS, startRig } from '../../../test/support/lightspeed-adapter.ts';
import { readAll } from '../../../test/support/pos-conformance.ts';


const byId = (counts: StockCount[]) => Object.fromEntries(counts.map((c) => [c.posItemId, c.onHand]));

const THREE_SHOPS: SeedFile = {
  locations: [
    { id: '1', name: 'Main Street' },
    { id: '2', name: 'Harbour' },
    { id: '3', name: 'Station' },
  ],
  items: [
    { id: '1', name: 'Blue Scarf', sku: 'SKU-1', priceCents: 1250, stock: { '1': 10, '2': 4, '3': 7 } },
    { id: '2', name: 'Red Mug', sku: 'SKU-2', priceCents: 800, stock: { '1': 3 } },
    { id: '3', name: 'Oak Teapot', sku: 'SKU-3', priceCents: 3000, stock: {} },
    { id: '4', name: 'Tin Box', sku: 'SKU-4', priceCents: 500, stock: { '2': 0, '3': 2 } },
  ],
};

test('counts come from the configured shop, never the first row or the shop 0 total', async (t) => {
  const rig = await startRig({ seed: THREE_SHOPS, shopIndex: 1 });
  t.after(() => rig.close());
  assert.equal(rig.connection.shopId, '2');
  assert.deepEqual(byId((await readAll(rig.adapter)).counts), { '1': 4, '4': 0 }, 'a full read lists what shop 2 counted');
  const { counts } = await readAll(rig.adapter, ['1', '2', '3', '4', '99', 'abc']);
  assert.deepEqual(byId(counts), { '1': 4, '2': null, '3': null, '4': 0 }, 'known but never counted in shop 2 → null; unknown ids left out');
});

test('one-element collections and relations are normalised', async (t) => {
  const rig = await startRig({ seed: THREE_SHOPS });
  t.after(() => rig.close());
  // A one-row answer is an object, not an array: both paths must still read it.
  assert.deepEqual(byId((await readAll(rig.adapter, ['2'])).counts), { '2': 3 });
  assert.deepEqual((await rig.adapter.getItems(['1'])).map((i) => [i.posItemId, i.name, i.sku, i.priceCents]), [['1', 'Blue Scarf', 'SKU-1', 1250]]);

  assert.deepEqual(asList(undefined, 'x'), []);
  assert.deepEqual(asList({ a: '1' }, 'x'), [{ a: '1' }]);
  const item = { itemID: '7', description: 'Jug', customSku: '', systemSku: '210000000007', ItemShops: { ItemShop: { shopID: '1', qoh: '2' } }, Prices: { ItemPrice: { amount: '4.5', useType: 'Default' } } };
  assert.deepEqual(relationRows(item, 'ItemShops', 'ItemShop', 'Item').map((r) => text(r, 'qoh')), ['2']);
  assert.deepEqual(relationRows({ itemID: '8' }, 'ItemShops', 'ItemShop', 'Item'), []);
  assert.deepEqual(toCatalogItem(item), { posItemId: '7', name: 'Jug', sku: '210000000007', priceCents: 450 });
  assert.deepEqual(toCatalogItem(item, '210000000007').sku, '210000000007');
  assert.deepEqual(readListPage({ '@attributes': { next: '', previous: '' } }, 'Item'), { records: [], next: '' }, 'an empty list has no entity key');
});

test('a 1,000-item read through a tiny bucket never earns a 429, and the gate waits for the bucket', async (t) => {
  const size = 4;
  const drip = 1;
  const rig = await startRig({ items: 1000, switches: { bucketSize: String(size), dripRate: String(drip) } });
  t.after(() => rig.close());
  const floorMs = (calls: number) => (Math.max(0, calls - size) / drip) * 1000; // every call here costs 1 drip

  let start = rig.clock.now();
  const full = await readAll(rig.adapter);
  const fullCalls = rig.adapter.apiCalls();
  const counted = rig.seed.items.filter((i) => i.stock[rig.connection.shopId] !== undefined).length;
  assert.equal(full.counts.length, counted);
  assert.equal(fullCalls, Math.ceil(counted / 100), 'a full read is one call per 100 counted items');
  // Time against the bucket floor is printed by `npm run bench:adapters`, not asserted here.
  t.diagnostic(`full read: ${rig.clock.now() - start} ms on the simulator's clock, floor ${floorMs(fullCalls)} ms`);

  rig.clock.advance(3_600_000); // let the bucket drain
  start = rig.clock.now();
  const ids = rig.seed.items.map((i) => i.id);
  const byIds = await readAll(rig.adapter, ids);
  const idCalls = rig.adapter.apiCalls() - fullCalls;
  assert.equal(byIds.counts.length, 1000, 'every id: counted, or null when the shop never counted it');
  assert.equal(byIds.counts.filter((c) => c.onHand === null).length, 1000 - counted);
  assert.equal(idCalls, 10 + Math.ceil((1000 - counted) / 100), '10 count calls + one Item.json per 100 never-counted ids');
  t.diagnostic(`read by ids: ${rig.clock.now() - start} ms on the simulator's clock, floor ${floorMs(idCalls)} ms`);

  assert.ok(!rig.statuses().includes('429'), `no 429 (statuses seen: ${[...new Set(rig.statuses())].join(', ')})`);
  assert.ok(rig.adapter.bucketWaitMs() > 0, 'the gate did wait');
});

test('10,000 mapped items: ≤ 102 calls and no 429 (default bucket 90, 1/s; time vs floor in bench:adapters)', async (t) => {
  const rig = await startRig({ items: 10_000 });
  t.after(() => rig.close());
  const start = rig.clock.now();
  const { counts } = await readAll(rig.adapter, rig.seed.items.map((i) => i.id));
  const calls = rig.adapter.apiCalls();
  const elapsed = rig.clock.now() - start;
  const floorMs = Math.max(0, calls - 90) * 1000;
  t.diagnostic(`calls=${calls} elapsed=${elapsed}ms floor=${floorMs}ms`);
  assert.equal(counts.length, 10_000);
  assert.ok(calls <= 102, `${calls} calls`);
  assert.ok(!rig.statuses().includes('429'));
});

test('incremental read: only rows changed since a time, for the configured shop', async (t) => {
  const rig = await startRig({ seed: THREE_SHOPS });
  t.after(() => rig.close());
  rig.clock.advance(5_000);
  const since = new Date(rig.clock.now());
  rig.clock.advance(2_000);
  const set = async (item: string, location: string, quantity: number) => {
    const response = await fetch(`${rig.sim.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item, location, quantity }) });
    assert.equal(response.status, 200);
  };
  await set('2', '1', 9);
  await set('1', '2', 1); // another shop: not ours
  const changed: StockCount[] = [];
  for await (const page of rig.adapter.readChangedSince(since)) changed.push(...page);
  assert.deepEqual(byId(changed), { '2': 9 });
  assert.ok(changed[0]?.countedAt && Date.parse(changed[0].countedAt) >= since.getTime() - 1000);
  assert.equal(rig.sim.kit.stats.requestsTo(ENDPOINTS.itemShops), 1);
});
