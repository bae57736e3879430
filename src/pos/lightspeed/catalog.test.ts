import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findItem } from '../matching.ts';
import { PosNotFoundError } from '../errors.ts';
import { ENDPOINTS, startRig } from '../../../test/support/lightspeed-adapter.ts';

test('findItem by every SKU field, and close matches for a typo in one extra call', async (t) => {
  const rig = await startRig({ items: 300 });
  t.after(() => rig.close());
  const record = rig.sim.store.items.get('42')!;
  for (const sku of [record.customSku, record.systemSku, record.upc]) {
    const found = await findItem(rig.adapter, { sku });
    assert.equal(found.posItemId, '42', sku);
    assert.equal(found.sku, sku, 'the SKU field that matched is the one reported');
  }
  const before = rig.sim.kit.stats.requestsTo(ENDPOINTS.items);
  const typo = `${record.description.slice(0, 3)}x${record.description.slice(4)}`;
  await assert.rejects(findItem(rig.adapter, { name: typo }), (error: unknown) => {
    assert.ok(error instanceof PosNotFoundError);
    assert.equal(error.closeMatches[0]?.posItemId, '42', `closest to "${typo}"`);
    return true;
  });
  assert.equal(rig.sim.kit.stats.requestsTo(ENDPOINTS.items) - before, 2, 'the search plus one fallback');
  assert.deepEqual(await rig.adapter.searchItems('   '), []);
  assert.deepEqual(await rig.adapter.getItems(['abc', '0']), [], 'ids Lightspeed cannot have are not sent');
});
