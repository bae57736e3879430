/** inventory.count.updated: subscriptions, signatures the SDK accepts, batching and retries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhooksHelper } from 'square';
import { assertNoViolations, call, receiver, start, FIXED_SEED, MAIN, HARBOUR, BLUE, CANDLE } from '../../../test/support/square-simulator.ts';

interface Notification {
  merchant_id: string;
  type: string;
  event_id: string;
  created_at: string;
  data: { type: string; id: string; object: { inventory_counts: Array<{ catalog_object_id: string; location_id: string; state: string; quantity: string }> } };
}

test('a subscription made with the SDK gets signed notifications for in-store and API changes', async (t) => {
  const { sim, client } = await start(t, { seed: FIXED_SEED });
  const hook = await receiver(t);
  const created = await client.webhooks.subscriptions.create({
    idempotencyKey: 'sub-1',
    subscription: { name: 'possync', eventTypes: ['inventory.count.updated'], notificationUrl: hook.url },
  });
  const signatureKey = created.subscription?.signatureKey;
  assert.ok(signatureKey);
  const listed = await client.webhooks.subscriptions.list();
  assert.deepEqual(listed.data.map((s) => s.id), [created.subscription?.id]);

  // An in-store sale through the kit's admin API: IN_STOCK→SOLD, so two counts.
  const sold = await fetch(`${sim.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: BLUE, location: MAIN, delta: -2 }) });
  assert.equal(sold.status, 200);
  const [first] = await hook.deliveries(1);
  const valid = await WebhooksHelper.verifySignature({
    requestBody: first!.body,
    signatureHeader: String(first!.headers['x-square-hmacsha256-signature']),
    signatureKey,
    notificationUrl: hook.url,
  });
  assert.equal(valid, true, 'the SDK accepts the signature');
  assert.equal(await WebhooksHelper.verifySignature({ requestBody: `${first!.body} `, signatureHeader: String(first!.headers['x-square-hmacsha256-signature']), signatureKey, notificationUrl: hook.url }), false);
  const event = JSON.parse(first!.body) as Notification;
  assert.equal(event.type, 'inventory.count.updated');
  assert.equal(event.data.type, 'inventory_counts');
  assert.equal(event.merchant_id, (sim.credentials() as { merchantId: string }).merchantId);
  assert.deepEqual(
    event.data.object.inventory_counts.map((c) => [c.state, c.quantity]).sort(),
    [['IN_STOCK', '8'], ['SOLD', '2']],
  );
  assert.deepEqual(sim.kit.ledger.list().map((e) => [e.source, e.kind, e.quantity]), [['in_store', 'sale', -2]]);

  // An API change notifies too; a physical count is one count.
  const count = {
    idempotencyKey: 'count-1',
    changes: [{ type: 'PHYSICAL_COUNT' as const, physicalCount: { catalogObjectId: CANDLE, locationId: HARBOUR, state: 'IN_STOCK' as const, quantity: '3', occurredAt: new Date().toISOString() } }],
  };
  await client.inventory.batchCreateChanges(count);
  const second = (await hook.deliveries(2))[1]!;
  const counts = (JSON.parse(second.body) as Notification).data.object.inventory_counts;
  assert.deepEqual(counts.map((c) => [c.catalog_object_id, c.location_id, c.state, c.quantity]), [[CANDLE, HARBOUR, 'IN_STOCK', '3']]);

  // A replayed request writes nothing, so it notifies nothing.
  await client.inventory.batchCreateChanges(count);
  await sim.kit.webhooks.idle();
  assert.equal(hook.received.length, 2);

  await client.webhooks.subscriptions.delete({ subscriptionId: created.subscription!.id! });
  await fetch(`${sim.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: BLUE, location: MAIN, quantity: 1 }) });
  await sim.kit.webhooks.idle();
  assert.equal(hook.received.length, 2, 'no subscription, no notification');
  assertNoViolations(sim);
});

test('a non-2xx answer is retried with the same event_id; more than 100 counts span several notifications', async (t) => {
  const { sim, client, locationIds } = await start(t, { items: 120, locations: 1 });
  const hook = await receiver(t, [500, 503]);
  const subscribed = await fetch(`${sim.url}/__sim/webhooks/subscriptions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ notification_url: hook.url, signature_key: 'test-signature-key' }),
  });
  assert.equal(subscribed.status, 201);
  const ids = sim.state.catalog.records.map((r) => r.variationId);
  await fetch(`${sim.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: ids[0], delta: 5 }) });
  const attempts = await hook.deliveries(3);
  await sim.kit.webhooks.idle();
  const eventIds = attempts.map((a) => (JSON.parse(a.body) as Notification).event_id);
  assert.equal(new Set(eventIds).size, 1, 'one event id across the retries');
  assert.deepEqual(sim.kit.webhooks.log().map((a) => a.status), [500, 503, 200]);
  for (const attempt of attempts) {
    assert.ok(await WebhooksHelper.verifySignature({ requestBody: attempt.body, signatureHeader: String(attempt.headers['x-square-hmacsha256-signature']), signatureKey: 'test-signature-key', notificationUrl: hook.url }));
  }

  // 120 sales in two requests of 60 = 240 moved counts, notified per request in chunks of ≤100.
  for (const part of [ids.slice(0, 60), ids.slice(60)]) {
    await client.inventory.batchCreateChanges({
      idempotencyKey: `bulk-${part[0]}`,
      changes: part.map((id) => ({ type: 'ADJUSTMENT' as const, adjustment: { catalogObjectId: id, fromState: 'NONE' as const, toState: 'IN_STOCK' as const, toLocationId: locationIds[0], quantity: '1', occurredAt: new Date().toISOString() } })),
    });
  }
  await sim.kit.webhooks.idle();
  const bulk = hook.received.slice(3).map((r) => (JSON.parse(r.body) as Notification).data.object.inventory_counts.length);
  assert.deepEqual(bulk, [60, 60]);
  const big = await client.inventory.batchCreateChanges({
    idempotencyKey: 'sales-120',
    changes: ids.slice(0, 100).map((id) => ({ type: 'ADJUSTMENT' as const, adjustment: { catalogObjectId: id, fromState: 'IN_STOCK' as const, toState: 'SOLD' as const, fromLocationId: locationIds[0], toLocationId: locationIds[0], quantity: '1', occurredAt: new Date().toISOString() } })),
  });
  assert.equal(big.changes?.length, 100);
  await sim.kit.webhooks.idle();
  const split = hook.received.slice(5).map((r) => (JSON.parse(r.body) as Notification).data.object.inventory_counts.length);
  assert.deepEqual(split, [100, 100], '200 moved counts (IN_STOCK and SOLD per sale) in two notifications');
  assertNoViolations(sim);
});

test('seeded subscription, credentials and reset', async (t) => {
  const hook = await receiver(t);
  const { sim } = await start(t, { seed: { ...FIXED_SEED, credentials: { accessToken: 'EAAAseeded-token', webhookUrl: hook.url, webhookSignatureKey: 'seeded-key' } } });
  const credentials = sim.credentials() as Record<string, unknown>;
  assert.equal(credentials.accessToken, 'EAAAseeded-token');
  assert.equal(credentials.webhookSignatureKey, 'seeded-key');
  assert.deepEqual(credentials.locationIds, [MAIN, HARBOUR]);
  assert.equal((await call(sim, 'GET', '/v2/locations')).status, 200);

  await call(sim, 'POST', '/v2/inventory/changes/batch-create', {
    idempotency_key: 'before-reset',
    changes: [{ type: 'ADJUSTMENT', adjustment: { catalog_object_id: BLUE, from_state: 'IN_STOCK', to_state: 'SOLD', from_location_id: MAIN, to_location_id: MAIN, quantity: '1', occurred_at: new Date().toISOString() } }],
  });
  await hook.deliveries(1);
  await fetch(`${sim.url}/__sim/reset`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  assert.equal(sim.state.inventory.get(BLUE, MAIN, 'IN_STOCK')?.units, 1_000_000, 'counts back to the seed');
  assert.equal(sim.state.idempotency.size, 0);
  assert.equal(sim.webhooks.list().length, 1, 'the seeded subscription is back');
  assert.equal(sim.webhooks.list()[0]?.signature_key, 'seeded-key');
  assertNoViolations(sim);
});
