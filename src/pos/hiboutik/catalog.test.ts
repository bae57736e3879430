import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { PosNotFoundError } from '../errors.ts';
import { findItem } from '../matching.ts';
import { ENDPOINTS, startRig, type Rig } from '../../../test/support/hiboutik-adapter.ts';

describe('catalog lookups and their cost in calls', () => {
  let rig: Rig;
  before(async () => {
    rig = await startRig({ items: 600 });
  });
  after(() => rig.close());
  const model = (id: number) => rig.sim.store.products.get(id)!.model;
  const cost = async <T>(work: () => Promise<T>) => {
    const start = rig.adapter.apiCalls();
    const result = await work();
    return { result, calls: rig.adapter.apiCalls() - start };
  };

  test('one or two ids: one product call each; more: the paged list until all are found', async () => {
    const one = await cost(() => rig.adapter.getItems(['42']));
    assert.deepEqual(one.result.map((i) => i.name), [model(42)]);
    assert.equal(one.calls, 1);
    const start = rig.requests(ENDPOINTS.products);
    const many = await cost(() => rig.adapter.getItems(['3', '260', '7', 'x', '100000']));
    assert.deepEqual(many.result.map((i) => i.posItemId).sort(), ['260', '3', '7']);
    assert.equal(many.calls, 3, 'pages 1 and 2, then page 3 ends the list still missing 100000');
    assert.equal(rig.requests(ENDPOINTS.products) - start, 3);
  });

  test('by exact name: one search call; by SKU: name and barcode searches', async () => {
    const byName = await cost(() => findItem(rig.adapter, { name: model(77).toUpperCase() }));
    assert.equal(byName.result.posItemId, '77');
    assert.equal(byName.calls, 1);
    const bySku = await cost(() => findItem(rig.adapter, { sku: 'SKU-00077' }));
    assert.equal(bySku.result.posItemId, '77');
    assert.equal(bySku.calls, 2);
  });

  test('a typo: the halves of the text are searched, so the real item is the closest match', async () => {
    const name = model(123);
    const typo = `${name.slice(0, 4)}x${name.slice(5)}`;
    const miss = await cost(() => findItem(rig.adapter, { name: typo }).catch((e: unknown) => e));
    assert.ok(miss.result instanceof PosNotFoundError);
    assert.equal(miss.result.closeMatches[0]?.posItemId, '123');
    assert.equal(miss.calls, 3);
  });

  test('nothing near: at most four product pages are read for close matches', async () => {
    const miss = await cost(() => findItem(rig.adapter, { name: 'Qqqqqq Zzzzzz' }).catch((e: unknown) => e));
    assert.ok(miss.result instanceof PosNotFoundError);
    assert.equal(miss.calls, 3 + 3, 'name, two halves, then the 600-product list (3 pages)');
  });
});
