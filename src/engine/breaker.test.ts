import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breakerReason, measurePlan } from './breaker.ts';
import { DEFAULT_BREAKER } from '../config/breaker.ts';
import type { PlanItem } from '../core/run-plans.ts';

const count = (id: number, before: number, after: number): PlanItem => ({ ecommerceId: String(id), posItemId: String(id), kind: 'count', before, after, onHandBefore: before, onHandAfter: after });
const lost = (id: number): PlanItem => ({ ecommerceId: String(id), posItemId: String(id), kind: 'missing', before: 5, after: 5, onHandBefore: 5, onHandAfter: 5 });

test('a plan is measured in zeroed items, lost items and the net fall of the total', () => {
  assert.deepEqual(measurePlan([count(1, 4, 0), count(2, 0, 3), count(3, 10, 7), lost(4)]), { zeroed: 1, lost: 1, drop: 4 - 3 + 3 });
});

test('the breaker holds past each threshold and not at it', () => {
  const totals = { counted: 100, available: 1000 };
  const none = { zeroed: 0, lost: 0, drop: 0 };
  assert.equal(breakerReason(DEFAULT_BREAKER, { totals, measure: { ...none, zeroed: 20 } }), null, '20 % is not more than 20 %');
  assert.match(breakerReason(DEFAULT_BREAKER, { totals, measure: { ...none, zeroed: 15, lost: 6 } }) ?? '', /21 % of the 100 counted items/);
  assert.match(breakerReason(DEFAULT_BREAKER, { totals: { counted: 1000, available: 100000 }, measure: { ...none, zeroed: 51 } }) ?? '', /more than MaxZeroed \(50\)/);
  assert.equal(breakerReason(DEFAULT_BREAKER, { totals, measure: { ...none, drop: 500 } }), null);
  assert.match(breakerReason(DEFAULT_BREAKER, { totals, measure: { ...none, drop: 501 } }) ?? '', /from 1000 to 499 .*MaxDropShare/);
  assert.match(breakerReason(DEFAULT_BREAKER, { totals, measure: none, answeredNone: true }) ?? '', /no count for any item/);
  assert.equal(breakerReason(DEFAULT_BREAKER, { totals: { counted: 0, available: 0 }, measure: none, answeredNone: true }), null, 'a first read of never-counted items is no glitch');
});

test('share rules wait for MinItems counted items; the count rule does not', () => {
  const small = { counted: 3, available: 30 };
  assert.equal(breakerReason(DEFAULT_BREAKER, { totals: small, measure: { zeroed: 1, lost: 0, drop: 10 } }), null, 'one of three selling out');
  assert.match(breakerReason({ ...DEFAULT_BREAKER, minItems: 0 }, { totals: small, measure: { zeroed: 1, lost: 0, drop: 10 } }) ?? '', /MaxZeroedShare/);
  assert.match(breakerReason({ ...DEFAULT_BREAKER, maxZeroed: 0 }, { totals: small, measure: { zeroed: 1, lost: 0, drop: 10 } }) ?? '', /MaxZeroed \(0\)/);
});
