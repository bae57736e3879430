/** The official square SDK v46 against the simulator: every call possync makes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SquareError } from 'square';
import { assertNoViolations, call, start, FIXED_SEED, MAIN, HARBOUR, BLUE, RED, SCARF, CANDLE } from '../../../test/support/square-simulator.ts';
import { createManualClock } from '../kit/clock.ts';
import { generateSeed } from '../kit/seed.ts';
import { squareIdStyle } from './ids.ts';

const iso = (ms: number) => new Date(ms).toISOString();

test('locations and catalog: list pages, search by name and SKU, get and batch get', async (t) => {
  const { sim, client } = await start(t, { items: 250, locations: 2 });
  const { locations } = await client.locations.list();
  assert.equal(locations?.length, 2);
  assert.ok(locations?.every((l) => /^L[A-Z2-7]{12}$/.test(l.id ?? '') && l.status === 'ACTIVE'));

  const page = await client.catalog.list({ types: 'ITEM' });
  assert.equal(page.data.length, 100, 'ListCatalog pages hold 100 objects');
  const all = [];
  for await (const object of page) all.push(object);
  assert.equal(all.length, 250);
  const item = all[7]!;
  assert.equal(item.type, 'ITEM');
  const variation = item.type === 'ITEM' ? item.itemData?.variations?.[0] : undefined;
  assert.ok(variation && variation.type === 'ITEM_VARIATION');
  assert.match(variation.id, /^[A-Z2-7]{24}$/);
  assert.equal(variation.itemVariationData?.itemId, item.id);
  assert.equal(variation.itemVariationData?.name, 'Regular');
  assert.equal(variation.itemVariationData?.trackInventory, true);
  assert.equal(typeof variation.itemVariationData?.priceMoney?.amount, 'bigint');

  const both = await client.catalog.list({ types: 'ITEM,ITEM_VARIATION' });
  let count = 0;
  for await (const _ of both) count += 1;
  assert.equal(count, 500);

  const name = item.type === 'ITEM' ? item.itemData!.name! : '';
  const byName = await client.catalog.searchItems({ textFilter: name });
  assert.deepEqual(byName.matchedVariationIds, [variation.id]);
  const sku = variation.itemVariationData!.sku!;
  const bySku = await client.catalog.searchItems({ textFilter: sku.toLowerCase() });
  assert.deepEqual(bySku.items?.map((i) => i.id), [item.id]);
  const nothing = await client.catalog.searchItems({ textFilter: 'no such thing' });
  assert.equal(nothing.items, undefined);

  const paged = await client.catalog.searchItems({ textFilter: 'SKU-00', limit: 40 });
  assert.equal(paged.items?.length, 40);
  assert.ok(paged.cursor);
  const next = await client.catalog.searchItems({ textFilter: 'SKU-00', limit: 40, cursor: paged.cursor });
  assert.notEqual(next.items?.[0]?.id, paged.items?.[0]?.id);

  const exact = await client.catalog.search({ objectTypes: ['ITEM_VARIATION'], query: { exactQuery: { attributeName: 'sku', attributeValue: sku } }, includeRelatedObjects: true });
  assert.deepEqual(exact.objects?.map((o) => o.id), [variation.id]);
  assert.deepEqual(exact.relatedObjects?.map((o) => o.id), [item.id]);

  const got = await client.catalog.object.get({ objectId: variation.id });
  assert.equal(got.object?.id, variation.id);
  const batch = await client.catalog.batchGet({ objectIds: [item.id!, variation.id, 'NOPE'] });
  assert.deepEqual(batch.objects?.map((o) => o.id), [item.id, variation.id]);
  await assert.rejects(client.catalog.object.get({ objectId: 'MISSING' }), (error: unknown) => {
    assert.ok(error instanceof SquareError);
    assert.equal(error.statusCode, 404);
    assert.equal(error.errors[0]?.code, 'NOT_FOUND');
    return true;
  });
  assertNoViolations(sim);
});

test('batchGetCounts: 2,500 counts in 3 pages, newest first, filters, updated_after', async (t) => {
  const clock = createManualClock(Date.parse('2026-11-02T09:00:00Z'));
  // Every pair counted so the total is exact: 1,250 variations × 2 locations.
  const seed = generateSeed({ items: 1250, locations: 2, ids: squareIdStyle, uncountedShare: 0 });
  const { sim, client, locationIds } = await start(t, { seed, clock });

  const first = await client.inventory.batchGetCounts({ limit: 1000 });
  assert.equal(first.data.length, 1000);
  assert.ok(first.hasNextPage());
  const seen = [];
  let pages = 1;
  for (let page = first; ; ) {
    seen.push(...page.data);
    if (!page.hasNextPage()) break;
    page = await page.getNextPage();
    pages += 1;
  }
  assert.equal(pages, 3);
  assert.equal(seen.length, 2500);
  assert.equal(new Set(seen.map((c) => `${c.catalogObjectId}|${c.locationId}`)).size, 2500, 'no row twice across pages');
  const times = seen.map((c) => Date.parse(c.calculatedAt!));
  assert.ok(times.every((v, i) => i === 0 || times[i - 1]! >= v), 'sorted by calculated_at, newest first');
  assert.ok(seen.every((c) => typeof c.quantity === 'string' && c.state === 'IN_STOCK' && c.catalogObjectType === 'ITEM_VARIATION'));

  const oneLocation = [];
  for await (const c of await client.inventory.batchGetCounts({ locationIds: [locationIds[1]!], limit: 1000 })) oneLocation.push(c);
  assert.equal(oneLocation.length, 1250);
  assert.ok(oneLocation.every((c) => c.locationId === locationIds[1]));
  const named = seed.items.slice(0, 3).map((i) => i.id);
  const some = await client.inventory.batchGetCounts({ catalogObjectIds: named, states: ['IN_STOCK'] });
  assert.equal(some.data.length, 6);
  assert.equal((await client.inventory.batchGetCounts({ states: ['WASTE'] })).data.length, 0);

  // updated_after (on calculated_at) sees only what moved since.
  const mark = iso(clock.now());
  clock.advance(1000);
  const target = seed.items[3]!.id;
  await client.inventory.batchCreateChanges({
    idempotencyKey: 'sale-after-mark',
    changes: [{ type: 'ADJUSTMENT', adjustment: { catalogObjectId: target, fromState: 'IN_STOCK', toState: 'SOLD', fromLocationId: locationIds[0], toLocationId: locationIds[0], quantity: '1', occurredAt: iso(clock.now()) } }],
  });
  const fresh = await client.inventory.batchGetCounts({ updatedAfter: mark });
  assert.deepEqual(fresh.data.map((c) => [c.catalogObjectId, c.locationId]), [[target, locationIds[0]]]);
  assert.equal(fresh.hasNextPage(), false);
  const newest = await client.inventory.batchGetCounts({ limit: 1 });
  assert.equal(newest.data[0]?.catalogObjectId, target, 'the moved row now sorts first');
  assertNoViolations(sim);
});

test('never-counted pairs have no row; counts follow occurred_at, not arrival order', async (t) => {
  const clock = createManualClock(Date.parse('2026-11-02T09:00:00Z'));
  const { sim, client } = await start(t, { seed: FIXED_SEED, clock });
  const red = await client.inventory.batchGetCounts({ catalogObjectIds: [RED] });
  assert.deepEqual(red.data.map((c) => [c.locationId, c.quantity]), [[MAIN, '3']], 'Red Mug was never counted at Harbour: no row, not a zero row');
  const zero = await client.inventory.batchGetCounts({ catalogObjectIds: [SCARF], locationIds: [MAIN] });
  assert.equal(zero.data[0]?.quantity, '0', 'a counted zero is a row');

  const at = (minutes: number) => iso(Date.parse('2026-11-02T08:00:00Z') + minutes * 60_000);
  clock.advance(1000);
  await client.inventory.batchCreateChanges({
    idempotencyKey: 'count-at-10',
    changes: [{ type: 'PHYSICAL_COUNT', physicalCount: { catalogObjectId: BLUE, locationId: MAIN, state: 'IN_STOCK', quantity: '50', occurredAt: at(10) } }],
  });
  clock.advance(1000);
  // Arrives later but happened before the count: it must not change the count.
  const late = await client.inventory.batchCreateChanges({
    idempotencyKey: 'sale-at-5',
    changes: [{ type: 'ADJUSTMENT', adjustment: { catalogObjectId: BLUE, fromState: 'IN_STOCK', toState: 'SOLD', fromLocationId: MAIN, toLocationId: MAIN, quantity: '4', occurredAt: at(5) } }],
  });
  assert.equal(late.counts?.find((c) => c.state === 'IN_STOCK')?.quantity, '50');
  clock.advance(1000);
  const after = await client.inventory.batchCreateChanges({
    idempotencyKey: 'sale-at-20',
    changes: [{ type: 'ADJUSTMENT', adjustment: { catalogObjectId: BLUE, fromState: 'IN_STOCK', toState: 'SOLD', fromLocationId: MAIN, toLocationId: MAIN, quantity: '1.5', occurredAt: at(20) } }],
  });
  assert.equal(after.counts?.find((c) => c.state === 'IN_STOCK')?.quantity, '48.5');
  // A receipt of stock from NONE, then a count dated before the sale at 20: count + sale apply.
  clock.advance(1000);
  await client.inventory.batchCreateChanges({
    idempotencyKey: 'count-at-15',
    changes: [{ type: 'PHYSICAL_COUNT', physicalCount: { catalogObjectId: BLUE, locationId: MAIN, state: 'IN_STOCK', quantity: '30', occurredAt: at(15) } }],
  });
  const now = await client.inventory.batchGetCounts({ catalogObjectIds: [BLUE], locationIds: [MAIN] });
  assert.equal(now.data[0]?.quantity, '28.5', 'count at 15 (30) minus the sale at 20 (1.5)');
  assert.equal(sim.state.inventory.get(BLUE, MAIN, 'SOLD')?.units, 550_000, 'SOLD keeps the sold total but is never listed');
  assertNoViolations(sim);
});

test('batchCreateChanges: sale with from/to locations, physical count, ledger entries', async (t) => {
  const { sim, client } = await start(t, { seed: FIXED_SEED });
  const occurredAt = new Date().toISOString();
  const response = await client.inventory.batchCreateChanges({
    idempotencyKey: 'sale-0001',
    changes: [
      { type: 'ADJUSTMENT', adjustment: { catalogObjectId: BLUE, fromState: 'IN_STOCK', toState: 'SOLD', fromLocationId: MAIN, toLocationId: MAIN, quantity: '2', occurredAt, referenceId: 'order-77' } },
      { type: 'PHYSICAL_COUNT', physicalCount: { catalogObjectId: CANDLE, locationId: HARBOUR, state: 'IN_STOCK', quantity: '12', occurredAt } },
      { type: 'ADJUSTMENT', adjustment: { catalogObjectId: SCARF, fromState: 'NONE', toState: 'IN_STOCK', fromLocationId: HARBOUR, toLocationId: HARBOUR, quantity: '5', occurredAt } },
      { type: 'ADJUSTMENT', adjustment: { catalogObjectId: CANDLE, fromState: 'IN_STOCK', toState: 'WASTE', fromLocationId: MAIN, toLocationId: MAIN, quantity: '1', occurredAt } },
    ],
  });
  const adjustment = response.changes?.[0]?.adjustment;
  assert.ok(adjustment?.id && adjustment.createdAt);
  assert.equal(adjustment.fromLocationId, MAIN);
  assert.equal(adjustment.referenceId, 'order-77');
  assert.equal(adjustment.totalPriceMoney?.amount, 2400n);
  assert.ok(response.changes?.[1]?.physicalCount?.id);
  const quantity = (id: string, l: string, state = 'IN_STOCK') => response.counts?.find((c) => c.catalogObjectId === id && c.locationId === l && c.state === state)?.quantity;
  assert.equal(quantity(BLUE, MAIN), '8');
  assert.equal(quantity(CANDLE, HARBOUR), '12');
  assert.equal(quantity(SCARF, HARBOUR), '12');
  assert.equal(quantity(CANDLE, MAIN), '19');
  assert.equal(quantity(CANDLE, MAIN, 'WASTE'), '1');

  const ledger = sim.kit.ledger.list({ source: 'api' });
  assert.deepEqual(
    ledger.map((e) => [e.kind, e.item, e.location, e.quantity]),
    [
      ['sale', BLUE, MAIN, -2],
      ['physical_count', CANDLE, HARBOUR, 12],
      ['adjustment', SCARF, HARBOUR, 5],
      ['adjustment', CANDLE, MAIN, -1],
    ],
  );
  assert.equal(ledger[0]?.reference, 'order-77');
  assert.equal(ledger[0]?.idempotencyKey, 'sale-0001');
  assert.equal(ledger[0]?.posId, adjustment.id);
  assert.equal(ledger[0]?.endpoint, 'POST /v2/inventory/changes/batch-create');
  assertNoViolations(sim);
});

test('idempotency: same key and body replays the answer once; another body is IDEMPOTENCY_KEY_REUSED', async (t) => {
  const { sim, client } = await start(t, { seed: FIXED_SEED });
  const request = {
    idempotencyKey: 'ledger-42',
    changes: [{ type: 'ADJUSTMENT' as const, adjustment: { catalogObjectId: RED, fromState: 'IN_STOCK' as const, toState: 'SOLD' as const, fromLocationId: MAIN, toLocationId: MAIN, quantity: '1', occurredAt: new Date().toISOString() } }],
  };
  const first = await client.inventory.batchCreateChanges(request).withRawResponse();
  const second = await client.inventory.batchCreateChanges(request).withRawResponse();
  assert.deepEqual(second.data, first.data, 'the stored answer, verbatim');
  assert.equal(sim.kit.ledger.list({ source: 'api' }).length, 1);
  assert.equal(sim.state.inventory.get(RED, MAIN, 'IN_STOCK')?.units, 200_000);

  await assert.rejects(
    client.inventory.batchCreateChanges({ ...request, changes: [{ ...request.changes[0]!, adjustment: { ...request.changes[0]!.adjustment, quantity: '2' } }] }),
    (error: unknown) => error instanceof SquareError && error.statusCode === 400 && error.errors[0]?.code === 'IDEMPOTENCY_KEY_REUSED',
  );
  assert.equal(sim.kit.ledger.list({ source: 'api' }).length, 1);
  assertNoViolations(sim);
});

test('429: the SDK waits out Retry-After and succeeds; more 429s than its retries give RATE_LIMITED', async (t) => {
  const { sim, client } = await start(t, { seed: FIXED_SEED });
  sim.kit.faults.add({ endpoint: 'POST /v2/inventory/counts/batch-retrieve', kind: 'rate_limit', count: 1, retryAfterSeconds: 1 });
  const page = await client.inventory.batchGetCounts({ catalogObjectIds: [BLUE] });
  assert.equal(page.data.length, 2);
  assert.deepEqual(sim.kit.stats.snapshot().endpoints['POST /v2/inventory/counts/batch-retrieve']?.statuses, { '200': 1, '429': 1 });

  sim.kit.faults.add({ endpoint: 'GET /v2/locations', kind: 'rate_limit', count: 3, retryAfterSeconds: 1 });
  await assert.rejects(client.locations.list(), (error: unknown) => {
    assert.ok(error instanceof SquareError);
    assert.equal(error.statusCode, 429);
    assert.equal(error.errors[0]?.category, 'RATE_LIMIT_ERROR');
    assert.equal(error.errors[0]?.code, 'RATE_LIMITED');
    return true;
  });
  assert.equal(sim.kit.stats.requestsTo('GET /v2/locations'), 3, 'one try and two retries');
  assertNoViolations(sim);
});

test('5xx before the write: the SDK retries with the same key and the sale is recorded once', async (t) => {
  const { sim, client } = await start(t, { seed: FIXED_SEED });
  sim.kit.faults.add({ endpoint: 'POST /v2/inventory/changes/batch-create', kind: 'error', status: 503, count: 1 });
  const answer = await client.inventory.batchCreateChanges({
    idempotencyKey: 'ledger-503',
    changes: [{ type: 'ADJUSTMENT', adjustment: { catalogObjectId: CANDLE, fromState: 'IN_STOCK', toState: 'SOLD', fromLocationId: HARBOUR, toLocationId: HARBOUR, quantity: '3', occurredAt: new Date().toISOString() } }],
  });
  assert.equal(answer.counts?.[0]?.quantity, '17');
  const sales = sim.kit.ledger.list({ kind: 'sale' });
  assert.equal(sales.length, 1);
  assert.equal(sales[0]?.idempotencyKey, 'ledger-503');
  assert.deepEqual(sim.kit.stats.snapshot().endpoints['POST /v2/inventory/changes/batch-create']?.statuses, { '200': 1, '503': 1 });
  assertNoViolations(sim);
});

test('an answer lost after the commit: the caller retries with the same key and gets the stored answer', async (t) => {
  const { sim, client } = await start(t, { seed: FIXED_SEED });
  sim.kit.faults.add({ endpoint: 'POST /v2/inventory/changes/batch-create', kind: 'timeout_after_commit', holdMs: 5, count: 1 });
  const request = {
    idempotencyKey: 'ledger-lost',
    changes: [{ type: 'ADJUSTMENT' as const, adjustment: { catalogObjectId: BLUE, fromState: 'IN_STOCK' as const, toState: 'SOLD' as const, fromLocationId: HARBOUR, toLocationId: HARBOUR, quantity: '1', occurredAt: new Date().toISOString() } }],
  };
  // The SDK leaves its request timer (60 s by default) running when the fetch itself fails, which
  // kept this test's process alive for a minute after its last test: a short one for this call.
  await assert.rejects(client.inventory.batchCreateChanges(request, { timeoutInSeconds: 2 }));
  const retried = await client.inventory.batchCreateChanges(request);
  assert.equal(retried.counts?.[0]?.quantity, '3');
  assert.equal(sim.kit.ledger.list({ kind: 'sale' }).length, 1);
  assertNoViolations(sim);
});

test('a wrong or missing token is 401 UNAUTHORIZED', async (t) => {
  const { sim } = await start(t, { seed: FIXED_SEED });
  const { SquareClient } = await import('square');
  const bad = new SquareClient({ token: 'EAAAwrong', baseUrl: sim.url });
  await assert.rejects(bad.locations.list(), (error: unknown) => {
    assert.ok(error instanceof SquareError);
    assert.equal(error.statusCode, 401);
    assert.equal(error.errors[0]?.category, 'AUTHENTICATION_ERROR');
    assert.equal(error.errors[0]?.code, 'UNAUTHORIZED');
    return true;
  });
  const anonymous = await fetch(`${sim.url}/v2/locations`);
  assert.equal(anonymous.status, 401);
  assert.equal(((await anonymous.json()) as { errors: Array<{ code: string }> }).errors[0]?.code, 'UNAUTHORIZED');
  assert.equal((await call(sim, 'GET', '/v2/locations')).status, 200);
  assertNoViolations(sim);
});
