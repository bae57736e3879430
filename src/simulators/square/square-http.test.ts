/** Raw HTTP: bodies the SDK would never send, legacy fields, switches, headers and error shapes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertNoViolations, call, start, FIXED_SEED, MAIN, HARBOUR, BLUE, RED, CANDLE } from '../../../test/support/square-simulator.ts';
import { startSquareSimulator } from './index.ts';
import { itemIdFor } from './ids.ts';

const CHANGES = '/v2/inventory/changes/batch-create';
const COUNTS = '/v2/inventory/counts/batch-retrieve';
const now = () => new Date().toISOString();
const sale = (adjustment: Record<string, unknown>) => ({ type: 'ADJUSTMENT', adjustment: { catalog_object_id: BLUE, from_state: 'IN_STOCK', to_state: 'SOLD', quantity: '1', occurred_at: now(), ...adjustment } });

/** First error of a 400, as [code, field]. */
const firstError = (answer: { status: number; body: any }) => {
  assert.equal(answer.status, 400, JSON.stringify(answer.body));
  return [answer.body.errors[0].code, answer.body.errors[0].field];
};

for (const validate of ['on', 'off'] as const) {
  test(`bad bodies get Square's 400s (validate=${validate})`, async (t) => {
    const { sim } = await start(t, { seed: FIXED_SEED, switches: { validate } });
    assert.deepEqual(firstError(await call(sim, 'POST', CHANGES, { changes: [] })), ['MISSING_REQUIRED_PARAMETER', 'idempotency_key']);
    assert.deepEqual(firstError(await call(sim, 'POST', CHANGES, { idempotency_key: 'x'.repeat(129), changes: [] })), ['VALUE_TOO_LONG', 'idempotency_key']);
    assert.deepEqual(firstError(await call(sim, 'POST', CHANGES, { idempotency_key: '', changes: [] })), ['VALUE_TOO_SHORT', 'idempotency_key']);
    assert.deepEqual(firstError(await call(sim, 'POST', CHANGES, { idempotency_key: 'k', changes: [sale({ from_location_id: MAIN, to_location_id: MAIN, to_state: 'BROKEN' })] })), ['INVALID_ENUM_VALUE', 'changes[0].adjustment.to_state']);
    assert.deepEqual(firstError(await call(sim, 'POST', COUNTS, { limit: 0 })), ['VALUE_TOO_LOW', 'limit']);
    assert.deepEqual(firstError(await call(sim, 'POST', COUNTS, { limit: 1001 })), ['VALUE_TOO_HIGH', 'limit']);
    assert.deepEqual(firstError(await call(sim, 'POST', COUNTS, { limit: '10' })), ['EXPECTED_INTEGER', 'limit']);
    assert.deepEqual(firstError(await call(sim, 'POST', COUNTS, { location_ids: MAIN })), ['EXPECTED_ARRAY', 'location_ids']);
    assert.deepEqual(firstError(await call(sim, 'POST', '/v2/catalog/search-catalog-items', { limit: 101 })), ['VALUE_TOO_HIGH', 'limit']);
    assert.deepEqual(firstError(await call(sim, 'POST', '/v2/catalog/batch-retrieve', {})), ['MISSING_REQUIRED_PARAMETER', 'object_ids']);
    assert.equal(firstError(await call(sim, 'POST', CHANGES, '{"idempotency_key": '))[0], 'EXPECTED_JSON_BODY');
    assertNoViolations(sim);
  });
}

test('semantic checks of BatchChangeInventory', async (t) => {
  const { sim } = await start(t, { seed: FIXED_SEED });
  const one = (change: unknown) => call(sim, 'POST', CHANGES, { idempotency_key: `k-${Math.random()}`, changes: [change] });
  assert.deepEqual(firstError(await call(sim, 'POST', CHANGES, { idempotency_key: 'many', changes: Array.from({ length: 101 }, () => sale({ from_location_id: MAIN, to_location_id: MAIN })) })), ['ARRAY_LENGTH_TOO_LONG', 'changes']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, to_state: 'NONE' }))), ['INVALID_VALUE', 'changes[0].adjustment.to_state']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, to_state: 'RESERVED_FOR_SALE' }))), ['INVALID_VALUE', 'changes[0].adjustment.to_state']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, from_state: 'SOLD_ONLINE' }))), ['INVALID_VALUE', 'changes[0].adjustment.from_state']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, catalog_object_id: 'NOSUCHVARIATION' }))), ['INVALID_VALUE', 'changes[0].adjustment.catalog_object_id']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, catalog_object_id: itemIdFor(BLUE) }))), ['INVALID_VALUE', 'changes[0].adjustment.catalog_object_id']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: 'LNOWHERE', to_location_id: 'LNOWHERE' }))), ['INVALID_VALUE', 'changes[0].adjustment.from_location_id']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, quantity: '1.123456' }))), ['INVALID_VALUE', 'changes[0].adjustment.quantity']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, quantity: '-1' }))), ['INVALID_VALUE', 'changes[0].adjustment.quantity']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, occurred_at: 'yesterday' }))), ['INVALID_TIME', 'changes[0].adjustment.occurred_at']);
  assert.deepEqual(firstError(await one(sale({ from_location_id: MAIN, to_location_id: MAIN, occurred_at: undefined }))), ['MISSING_REQUIRED_PARAMETER', 'changes[0].adjustment.occurred_at']);
  assert.deepEqual(firstError(await one({ type: 'TRANSFER' })), ['INVALID_VALUE', 'changes[0].type']);
  assert.deepEqual(firstError(await one({ type: 'PHYSICAL_COUNT', physical_count: { catalog_object_id: BLUE, from_location_id: MAIN, to_location_id: MAIN, state: 'SOLD', quantity: '1', occurred_at: now() } })), ['INVALID_VALUE', 'changes[0].physical_count.state']);
  // One bad change rejects the whole batch: nothing written.
  const mixed = await call(sim, 'POST', CHANGES, { idempotency_key: 'mixed', changes: [sale({ from_location_id: MAIN, to_location_id: MAIN }), sale({ from_location_id: 'LNOWHERE', to_location_id: 'LNOWHERE' })] });
  assert.equal(mixed.status, 400);
  assert.equal(sim.kit.ledger.list().length, 0);
  // A rejected request does not burn its key.
  const retried = await call(sim, 'POST', CHANGES, { idempotency_key: 'mixed', changes: [sale({ from_location_id: MAIN, to_location_id: MAIN })] });
  assert.equal(retried.status, 200);
  assert.equal(sim.kit.ledger.list().length, 1);
  assertNoViolations(sim);
});

test('cursors are opaque and bound to their query; deprecated aliases answer the same', async (t) => {
  const { sim } = await start(t, { seed: FIXED_SEED });
  const first = await call(sim, 'POST', COUNTS, { limit: 2 });
  assert.equal(first.body.counts.length, 2);
  assert.equal(typeof first.body.cursor, 'string');
  const second = await call(sim, 'POST', '/v2/inventory/batch-retrieve-counts', { limit: 2, cursor: first.body.cursor });
  assert.equal(second.status, 200);
  assert.notDeepEqual(second.body.counts, first.body.counts);
  assert.deepEqual(firstError(await call(sim, 'POST', COUNTS, { cursor: 'not-a-cursor' })), ['INVALID_CURSOR', 'cursor']);
  assert.deepEqual(firstError(await call(sim, 'POST', COUNTS, { cursor: first.body.cursor, location_ids: [MAIN] })), ['INVALID_CURSOR', 'cursor']);
  const all = [];
  let cursor: string | undefined;
  do {
    const page = await call(sim, 'POST', COUNTS, { limit: 3, ...(cursor ? { cursor } : {}) });
    all.push(...page.body.counts);
    cursor = page.body.cursor;
  } while (cursor);
  assert.equal(all.length, 7, 'seven counted pairs in the fixed seed');
  const legacy = await call(sim, 'POST', '/v2/inventory/batch-change', { idempotency_key: 'alias', changes: [sale({ location_id: MAIN })] }, { 'square-version': '2025-08-20' });
  assert.equal(legacy.status, 200);
  assert.equal(legacy.body.changes[0].adjustment.location_id, MAIN, 'the legacy spelling is echoed back (at a version that still has it)');
  assert.equal(sim.kit.stats.requestsTo('POST /v2/inventory/changes/batch-create'), 1, 'aliases share their successor\'s counter');
  const empty = await call(sim, 'POST', COUNTS, { catalog_object_ids: ['NOPE'] });
  assert.deepEqual(empty.body, {});
  assertNoViolations(sim);
});

test('by default (documented) location_id alone is refused from Square-Version 2026-07-15; from/to name the place', async (t) => {
  const { sim } = await start(t, { seed: FIXED_SEED });
  const post = (adjustment: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(sim, 'POST', CHANGES, { idempotency_key: `doc-${Math.random()}`, changes: [sale(adjustment)] }, headers);
  assert.deepEqual(firstError(await post({ location_id: MAIN })), ['INVALID_VALUE', 'changes[0].adjustment.location_id'], 'no header: the pinned 2026-09-16');
  assert.deepEqual(firstError(await post({ location_id: MAIN }, { 'square-version': '2026-07-15' })), ['INVALID_VALUE', 'changes[0].adjustment.location_id']);
  assert.equal((await post({ location_id: MAIN }, { 'square-version': '2026-07-14' })).status, 200, 'before that version it is the only form');
  assert.equal((await post({ from_location_id: MAIN, to_location_id: MAIN })).status, 200, "as Square's own SDK test sends a same-location sale");
  assert.equal((await post({ to_location_id: MAIN, from_state: 'NONE', to_state: 'IN_STOCK' })).status, 200);
  assert.equal((await post({ location_id: MAIN, from_location_id: MAIN, to_location_id: MAIN })).status, 200, 'beside from/to it must only agree');
  assertNoViolations(sim);
});

test('adjustmentLocation=either takes location_id, from/to, or one of them', async (t) => {
  const { sim } = await start(t, { seed: FIXED_SEED, switches: { adjustmentLocation: 'either' } });
  const post = (adjustment: Record<string, unknown>) => call(sim, 'POST', CHANGES, { idempotency_key: `either-${Math.random()}`, changes: [sale(adjustment)] });
  assert.equal((await post({ location_id: MAIN })).status, 200);
  assert.equal((await post({ from_location_id: MAIN, to_location_id: MAIN })).status, 200);
  assert.equal((await post({ from_location_id: MAIN })).status, 200);
  assert.equal((await post({ to_location_id: MAIN })).status, 200);
  assert.equal(sim.state.inventory.get(BLUE, MAIN, 'IN_STOCK')?.units, 600_000);
  assert.deepEqual(firstError(await post({})), ['MISSING_REQUIRED_PARAMETER', 'changes[0].adjustment.from_location_id']);
  assert.deepEqual(firstError(await post({ location_id: MAIN, from_location_id: HARBOUR })), ['CONFLICTING_PARAMETERS', 'changes[0].adjustment.location_id']);
  // A move between locations: IN_STOCK at Main → IN_STOCK at Harbour.
  const moved = await post({ from_state: 'IN_STOCK', to_state: 'IN_STOCK', from_location_id: MAIN, to_location_id: HARBOUR, quantity: '2' });
  assert.equal(moved.status, 200);
  assert.equal(sim.state.inventory.get(BLUE, HARBOUR, 'IN_STOCK')?.units, 600_000);
  assert.deepEqual(sim.kit.ledger.list({ kind: 'adjustment' }).map((e) => [e.location, e.quantity]), [[MAIN, -2], [HARBOUR, 2]]);
  assertNoViolations(sim);
});

test('adjustmentLocation=both-required, legacy-only and by-version', async (t) => {
  const both = await start(t, { seed: FIXED_SEED, switches: { adjustmentLocation: 'both-required' } });
  const post = (s: typeof both.sim, adjustment: Record<string, unknown>, headers: Record<string, string> = {}) =>
    call(s, 'POST', CHANGES, { idempotency_key: `k${Math.random()}`, changes: [sale(adjustment)] }, headers);
  assert.equal((await post(both.sim, { from_location_id: MAIN, to_location_id: MAIN })).status, 200);
  assert.deepEqual(firstError(await post(both.sim, { from_location_id: MAIN })), ['MISSING_REQUIRED_PARAMETER', 'changes[0].adjustment.to_location_id']);
  assert.deepEqual(firstError(await post(both.sim, { location_id: MAIN })), ['INVALID_VALUE', 'changes[0].adjustment.location_id']);

  const legacy = await start(t, { seed: FIXED_SEED, switches: { adjustmentLocation: 'legacy-only' } });
  assert.equal((await post(legacy.sim, { location_id: MAIN })).status, 200);
  assert.deepEqual(firstError(await post(legacy.sim, { from_location_id: MAIN, to_location_id: MAIN })), ['INVALID_VALUE', 'changes[0].adjustment.from_location_id']);

  const versioned = await start(t, { seed: FIXED_SEED, switches: { adjustmentLocation: 'by-version' } });
  const old = { 'square-version': '2025-08-20' };
  assert.equal((await post(versioned.sim, { location_id: MAIN }, old)).status, 200);
  assert.equal((await post(versioned.sim, { from_location_id: MAIN, to_location_id: MAIN }, old)).status, 400);
  assert.equal((await post(versioned.sim, { from_location_id: MAIN, to_location_id: MAIN })).status, 200, 'no header: the pinned 2026-09-16');
  assert.equal((await post(versioned.sim, { location_id: MAIN }, { 'square-version': '2026-07-15' })).status, 400);
  for (const s of [both.sim, legacy.sim, versioned.sim]) assertNoViolations(s);
});

test('Square-Version is echoed (default when absent); a malformed one is refused; unknown paths are Square 404s', async (t) => {
  const { sim } = await start(t, { seed: FIXED_SEED });
  assert.equal((await call(sim, 'GET', '/v2/locations')).headers.get('square-version'), '2026-09-16');
  assert.equal((await call(sim, 'GET', '/v2/locations', undefined, { 'square-version': '2024-01-18' })).headers.get('square-version'), '2024-01-18');
  const bad = await call(sim, 'GET', '/v2/locations', undefined, { 'square-version': 'latest' });
  assert.deepEqual(firstError(bad), ['INVALID_SQUARE_VERSION_FORMAT', undefined]);
  const missing = await call(sim, 'GET', '/v2/nothing-here');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.errors[0].code, 'NOT_FOUND');
  const object = await call(sim, 'GET', `/v2/catalog/object/${itemIdFor(RED)}`);
  assert.equal(object.body.object.item_data.variations[0].item_variation_data.name, 'Large');
  const list = await call(sim, 'GET', '/v2/catalog/list?types=item_variation');
  assert.equal(list.body.objects.length, 4);
  assert.equal(list.body.cursor, undefined);
  assert.deepEqual(firstError(await call(sim, 'GET', '/v2/catalog/list?types=ITEM,GADGET')), ['INVALID_ENUM_VALUE', 'types[1]']);
  const prefix = await call(sim, 'POST', '/v2/catalog/search', { object_types: ['ITEM'], query: { prefix_query: { attribute_name: 'name', attribute_prefix: 'oak' } } });
  assert.deepEqual(prefix.body.objects.map((o: { id: string }) => o.id), [itemIdFor(CANDLE)]);
  assertNoViolations(sim);
});

test('scopes switch gives 403 INSUFFICIENT_SCOPES; unknown switches and values stop start-up', async (t) => {
  const { sim } = await start(t, { seed: FIXED_SEED, switches: { scopes: 'INVENTORY_READ,ITEMS_READ' } });
  assert.equal((await call(sim, 'POST', COUNTS, {})).status, 200);
  const denied = await call(sim, 'POST', CHANGES, { idempotency_key: 'k', changes: [sale({ location_id: MAIN })] });
  assert.equal(denied.status, 403);
  assert.equal(denied.body.errors[0].code, 'INSUFFICIENT_SCOPES');
  assert.equal((await call(sim, 'GET', '/v2/locations')).status, 403);
  await assert.rejects(startSquareSimulator({ switches: { adjustmentLocaton: 'either' } }), /unknown switch.*adjustmentLocaton/);
  await assert.rejects(startSquareSimulator({ switches: { adjustmentLocation: 'sometimes' } }), /must be one of documented, either, both-required, legacy-only, by-version/);
  await assert.rejects(startSquareSimulator({ switches: { validate: 'maybe' } }), /switch validate/);
  assertNoViolations(sim);
});

test('spec violations are recorded and exposed at /__sim/spec-violations', async (t) => {
  const { sim } = await start(t, { seed: FIXED_SEED });
  const answer = await fetch(`${sim.url}/__sim/spec-violations`);
  assert.deepEqual(await answer.json(), { validating: true, violations: [] });
  // Break a catalog object on purpose: the next response carrying it is a violation.
  const record = sim.state.catalog.variation(BLUE)!;
  (record.variation as Record<string, unknown>).version = 'not-a-number';
  await call(sim, 'GET', `/v2/catalog/object/${BLUE}`);
  const violations = sim.specViolations();
  assert.equal(violations.length, 1);
  assert.equal(violations[0]?.path, `/v2/catalog/object/${BLUE}`);
  assert.match(violations[0]!.problems[0]!.pointer, /version/);
  await fetch(`${sim.url}/__sim/spec-violations`, { method: 'DELETE' });
  assert.deepEqual(sim.specViolations(), []);
});
