import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findItem } from '../matching.ts';
import { orCost } from './client.ts';
import { ENDPOINTS, startRig } from '../../../test/support/lightspeed-adapter.ts';

test('or= goes out with raw | separators: a name holding a pipe is found exactly', async (t) => {
  const rig = await startRig({ items: 30 });
  t.after(() => rig.close());
  rig.sim.store.items.get('7')!.description = 'Red|Blue Scarf';
  const found = await findItem(rig.adapter, { name: 'Red|Blue Scarf' });
  assert.equal(found.posItemId, '7');
  assert.equal(rig.sim.kit.stats.requestsTo(ENDPOINTS.items), 1, 'an exact match needs no fallback search');
});

test('the gate books the or= operands and keeps under the burst limiter: no 429 in a storm of searches', async (t) => {
  const rig = await startRig({ items: 30 });
  t.after(() => rig.close());
  const start = rig.clock.now();
  await rig.adapter.searchItems(rig.seed.items[3]!.name);
  // 1 for the list + 6 operands (description and five SKU fields) on one entity.
  assert.equal(rig.sim.bucketLevel(), 7);
  assert.equal(orCost(['description=~,%a%', 'customSku=a']), 2);
  assert.equal(orCost(['description=~,a%', 'description=~,%b']), 0, 'one field: no extra');
  // One after another: the manual clock the gate sleeps on is the simulator's too, so requests in
  // flight while another waits would reach the server "late" and drain a bucket nobody drained.
  for (let i = 0; i < 40; i++) await rig.adapter.searchItems(rig.seed.items[i % 30]!.name);
  assert.deepEqual(rig.statuses().filter((s) => s === '429'), [], 'neither the bucket nor the burst limiter refused');
  assert.ok(rig.clock.now() - start >= 2_000, 'the gate waited (on the shared manual clock) instead');
});

test('cheap calls faster than 20 a second wait for the next window instead of meeting the burst limiter', async (t) => {
  const rig = await startRig({ items: 30 });
  t.after(() => rig.close());
  const start = rig.clock.now();
  for (let i = 0; i < 45; i++) await rig.adapter.getItems([String((i % 30) + 1)]);
  assert.deepEqual(rig.statuses().filter((s) => s === '429'), []);
  assert.ok(rig.sim.bucketLevel() < 89, 'the bucket alone would have let all 45 through');
  assert.ok(rig.clock.now() - start >= 2_000, '45 calls need three one-second windows');
});
