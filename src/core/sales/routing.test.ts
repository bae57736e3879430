import assert from 'node:assert/strict';
import { test } from 'node:test';
import { route, splitAmount, type RoutableSource, type RoutingPolicy } from './routing.ts';

const src = (accountId: string, available: number | null, limitQuantity = 0, healthy = true): RoutableSource => ({ accountId, posItemId: `${accountId}-item`, available, limitQuantity, healthy });
const MOST: RoutingPolicy = { kind: 'most-available' };
const shape = (parts: ReturnType<typeof route> | null) => parts?.map((p) => [p.source.accountId, p.quantity]) ?? null;

test('most-available: one source when one can serve, the largest above its floor; ties go to the first source', () => {
  assert.deepEqual(shape(route([src('a', 5), src('b', 9)], 3, MOST)), [['b', 3]]);
  // b has more on hand but its floor leaves it less to give.
  assert.deepEqual(shape(route([src('a', 5), src('b', 9, 6)], 3, MOST)), [['a', 3]]);
  assert.deepEqual(shape(route([src('a', 4), src('b', 4)], 2, MOST)), [['a', 2]]);
});

test('a sale is split only when no source can serve it whole, largest first; refused when all together cannot', () => {
  assert.deepEqual(shape(route([src('a', 3), src('b', 4)], 4, MOST)), [['b', 4]]);
  assert.deepEqual(shape(route([src('a', 3), src('b', 4)], 6, MOST)), [['b', 4], ['a', 2]]);
  assert.deepEqual(shape(route([src('a', 3, 1), src('b', 4), src('c', null)], 6, MOST)), [['b', 4], ['a', 2]]);
  assert.equal(route([src('a', 3, 1), src('b', 4)], 7, MOST), null);
  assert.equal(route([src('a', null)], 1, MOST), null);
});

test('priority: the configured order, unlisted accounts after in their own order', () => {
  const policy: RoutingPolicy = { kind: 'priority', order: ['warehouse', 'store'] };
  assert.deepEqual(shape(route([src('store', 50), src('warehouse', 2), src('other', 90)], 2, policy)), [['warehouse', 2]]);
  assert.deepEqual(shape(route([src('store', 50), src('warehouse', 2), src('other', 90)], 3, policy)), [['store', 3]]);
  assert.deepEqual(shape(route([src('store', 1), src('warehouse', 2), src('other', 90)], 95, { kind: 'priority', order: [] })), null);
  assert.deepEqual(shape(route([src('store', 1), src('warehouse', 2), src('other', 4)], 6, policy)), [['warehouse', 2], ['store', 1], ['other', 3]]);
});

test('troubled sources are used only when the healthy ones cannot serve, whole or split', () => {
  const sources = [src('a', 10), src('down', 50, 0, false), src('b', 4)];
  assert.deepEqual(shape(route(sources, 8, MOST)), [['a', 8]]);
  assert.deepEqual(shape(route(sources, 12, MOST)), [['a', 10], ['b', 2]]);
  assert.deepEqual(shape(route(sources, 20, MOST)), [['down', 20]]);
  assert.deepEqual(shape(route(sources, 60, MOST)), [['down', 50], ['a', 10]]);
});

test('the amount is split in proportion and sums exactly', () => {
  assert.deepEqual(splitAmount(1001, [4, 2]), [667, 334]);
  assert.deepEqual(splitAmount(0, [1, 1]), [0, 0]);
  assert.deepEqual(splitAmount(999, [1]), [999]);
});
