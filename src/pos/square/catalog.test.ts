import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findItem } from '../matching.ts';
import { PosNotFoundError } from '../errors.ts';
import { MemoryTokenStore } from '../token-store.ts';
import type { SquareApi } from './api.ts';
import { searchTexts } from './catalog.ts';
import { createSquareAdapter } from './index.ts';
import { ENDPOINTS, startRig } from '../../../test/support/square-adapter.ts';

/** Catalog lookups: batched names, search fallbacks, naming of multi-variation items, paging of counts. */
test('getItems is batched (1000 ids a call) and names single-variation items by the item', async (t) => {
  const rig = await startRig({ items: 2500 });
  t.after(async () => {
    assert.deepEqual(rig.sim.specViolations(), []);
    await rig.close();
  });
  const records = rig.sim.state.catalog.records;
  const found = await rig.adapter.getItems([...records.map((r) => r.variationId), 'NOSUCHVARIATION0000000000', records[0]!.itemId]);
  assert.equal(found.length, 2500, 'an unknown id and an ITEM id are left out');
  assert.equal(rig.requests(ENDPOINTS.batchGet), 3);
  assert.deepEqual(found[9], { posItemId: records[9]!.variationId, name: records[9]!.name, sku: records[9]!.sku, priceCents: records[9]!.priceCents });

  // The original app's "Item - Variation" form still finds the item, under that name.
  const long = `${records[4]!.name} - Regular`;
  const item = await findItem(rig.adapter, { name: long });
  assert.equal(item.posItemId, records[4]!.variationId);
  assert.equal(item.name, long);
});

test('a typo finds nothing by text: one shorter search brings the close matches', async (t) => {
  const rig = await startRig({ items: 300 });
  t.after(() => rig.close());
  const target = rig.sim.state.catalog.records[3]!;
  const before = rig.requests(ENDPOINTS.search);
  await assert.rejects(findItem(rig.adapter, { name: `${target.name.slice(0, -1)}X` }), (error: unknown) => {
    assert.ok(error instanceof PosNotFoundError);
    assert.equal(error.closeMatches[0]?.posItemId, target.variationId);
    return true;
  });
  assert.equal(rig.requests(ENDPOINTS.search) - before, 2);
  await assert.rejects(findItem(rig.adapter, { sku: `${target.sku!.slice(0, -1)}Z` }), (error: unknown) => {
    assert.ok(error instanceof PosNotFoundError);
    assert.ok(error.closeMatches.some((m) => m.posItemId === target.variationId));
    return true;
  });
});

test('search texts: as given, then without the last word, then the longest word', () => {
  assert.deepEqual(searchTexts('Blue Scarf 0000X'), ['Blue Scarf 0000X', 'Blue Scarf', 'Scarf']);
  assert.deepEqual(searchTexts('Blue Mug - Regular'), ['Blue Mug Regular', 'Blue Mug', 'Regular']);
  assert.deepEqual(searchTexts('SKU-0000Z'), ['SKU-0000Z', 'SKU-0000']);
  assert.deepEqual(searchTexts('  '), []);
});

/** A fake API in the SDK's camelCase shapes, for catalog layouts the simulator does not seed. */
function fakeApi(overrides: Partial<SquareApi>): SquareApi {
  let calls = 0;
  const fail = async (): Promise<unknown> => {
    throw new Error('not expected');
  };
  const api: SquareApi = { batchGetCounts: fail, recordAdjustment: fail, catalogBatchGet: fail, searchItems: fail, listItems: fail, calls: () => calls, ...overrides };
  const counted = <K extends keyof SquareApi>(key: K) => {
    const original = api[key] as (...args: unknown[]) => Promise<unknown>;
    return async (...args: unknown[]) => {
      calls += 1;
      return original(...args);
    };
  };
  return { ...api, batchGetCounts: counted('batchGetCounts'), catalogBatchGet: counted('catalogBatchGet'), searchItems: counted('searchItems') };
}

const variation = (id: string, itemId: string, name: string, sku: string) => ({ type: 'ITEM_VARIATION', id, itemVariationData: { itemId, name, sku, priceMoney: { amount: 1500n, currency: 'USD' } } });
const SHIRT = { type: 'ITEM', id: 'ITEM1', itemData: { name: 'T-shirt', variations: [variation('V-S', 'ITEM1', 'Small', 'TS-S'), variation('V-L', 'ITEM1', 'Large', 'TS-L')] } };
const deps = { tokenStore: new MemoryTokenStore(), sleep: async () => {} };
const connection = { pos: 'square' as const, baseUrl: 'http://127.0.0.1:9', accessToken: 'token', locationIds: ['L1', 'L2'] };

test('a variation among several is "Item - Variation", from lookups and from searches', async () => {
  const api = fakeApi({
    catalogBatchGet: async (ids) => ({ objects: SHIRT.itemData.variations.filter((v) => ids.includes(v.id)), relatedObjects: [SHIRT] }),
    searchItems: async () => ({ items: [SHIRT], matchedVariationIds: ['V-L'] }),
  });
  const adapter = createSquareAdapter(connection, deps, { api });
  assert.deepEqual(await adapter.getItems(['V-L']), [{ posItemId: 'V-L', name: 'T-shirt - Large', sku: 'TS-L', priceCents: 1500 }]);
  assert.equal((await findItem(adapter, { sku: 'TS-L' })).name, 'T-shirt - Large');
  assert.equal((await findItem(adapter, { name: 't-shirt  -  large' })).posItemId, 'V-L');
});

test('rows of one variation on different pages are summed before it is yielded', async () => {
  const row = (id: string, location: string, quantity: string) => ({ catalogObjectId: id, locationId: location, state: 'IN_STOCK', quantity, calculatedAt: '2026-11-27T08:00:00Z' });
  const pages: Record<string, unknown> = {
    '': { counts: [row('A', 'L1', '1'), row('B', 'L1', '2'), row('B', 'L2', '3')], cursor: 'p2' },
    p2: { counts: [row('A', 'L2', '4'), row('C', 'L2', '5'), row('X', 'L9', '7')] },
  };
  const api = fakeApi({ batchGetCounts: async (query) => pages[query.cursor ?? ''] });
  const adapter = createSquareAdapter(connection, deps, { api });
  const seen: Array<Array<[string, number | null]>> = [];
  for await (const page of adapter.readCounts()) seen.push(page.map((c) => [c.posItemId, c.onHand]));
  assert.deepEqual(seen, [[['B', 5]], [['A', 5]], [['C', 5]]], 'C was never counted at L1: its sum comes after the last page; L9 is not ours');
});
