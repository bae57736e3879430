import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { startPossync } from '../../src/main.ts';
import { listJournal } from '../../src/core/journal.ts';
import { signPayload } from '../../src/simulators/square/webhooks.ts';
import type { HiboutikSimulator } from '../../src/simulators/hiboutik/index.ts';
import { ACCOUNTS, readmeConfig, startSimulators } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

/**
 * Issue 11 end to end on the embedded default: till changes reach the shop table through Square
 * and Hiboutik webhooks and Lightspeed change polls, with the synchronizer running on a cron that
 * does not fire during the test (no full poll runs: checked at the end). Forged, duplicated and
 * out-of-order deliveries change nothing; a webhook never hands back units a sale has reserved.
 */
test('real time: webhooks and change polls, refused forgeries, duplicates, reservations', { timeout: 300_000 }, async (t) => {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const dir = await migratedPgliteDir('possync-rt-');
  t.after(() => dir.remove());
  const config = await readmeConfig(sims, {
    POSSYNC__Core__DataFolder: dir.path,
    POSSYNC__PosAccess__PosConfigurations__2__ChangePollSeconds: '5',
  });
  const possync = await startPossync(config, { log: (m) => process.env.RT_DEBUG && process.stderr.write(`${m}\n`) });
  t.after(() => possync.close());
  const { service, core, sink } = possync;
  const hiboutik = sims.hiboutik as HiboutikSimulator;

  const register = (accountId: string, ecommerceId: string, itemPosId: string) => service.items.registerNow({ accountId, ecommerceId, itemPosId });
  await register(ACCOUNTS.square, '101', 'VARIATION000000000000001');
  await register(ACCOUNTS.square, '102', 'VARIATION000000000000002');
  await register(ACCOUNTS.hiboutik, '301', '1');
  await register(ACCOUNTS.lightspeed, '201', '1');
  // Running, on a schedule that will not come round during the test: only pushes and change polls move counts.
  await service.synchronizer.start({ cron: '0 0 1 1 *', timeZone: 'UTC' });

  const setStock = (url: string, body: Record<string, unknown>) =>
    fetch(`${url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const shop = async (id: string) => (await sink.readQuantities([id])).get(id);
  const item = async (accountId: string, id: string) => (await service.items.list(accountId)).find((i) => i.ecommerceId === id)!;
  const journal = (id: string) => listJournal(core.sql, { ecommerceId: id });
  const eventCount = async () => Number((await core.sql.query<{ n: string }>('select count(*) as n from webhook_events')).rows[0]!.n);

  const squareSetup = await service.webhooks.setup(ACCOUNTS.square);
  assert.equal(squareSetup.mode, 'registered', squareSetup.lines.join('\n'));
  const subscription = sims.square.webhooks.list().find((s) => s.notification_url === squareSetup.notificationUrl);
  assert.ok(subscription, 'the subscription exists on Square with possync’s URL');
  const hiboutikSetup = await service.webhooks.setup(ACCOUNTS.hiboutik);
  assert.equal(hiboutikSetup.mode, 'registered', hiboutikSetup.lines.join('\n'));
  assert.deepEqual([...hiboutik.store.webhooks.values()].map((h) => h.action).sort(), ['product', 'sale', 'stock_order']);
  assert.match(hiboutikSetup.notificationUrl!, /\/<token>$/, 'the answer does not carry the token');
  const hookUrl = [...hiboutik.store.webhooks.values()][0]!.url;
  const token = hookUrl.split('/').pop()!;
  assert.ok(Buffer.from(token, 'base64url').length >= 16, 'the URL token carries at least 128 bits');

  await t.test('a Square till change reaches the shop table through the webhook, journaled with its event id', async () => {
    await setStock(sims.square.url, { item: 'VARIATION000000000000001', quantity: 3 });
    await waitUntil('101 at 3 in the shop table', async () => (await shop('101')) === 3);
    const [entry] = await journal('101');
    assert.equal(entry!.cause, 'webhook');
    const delivered = sims.square.kit.webhooks.log().map((d) => d.eventId);
    assert.ok(entry!.eventId && delivered.includes(entry!.eventId.split(',')[0]!), `${entry!.eventId} in ${delivered}`);
  });

  await t.test('a Hiboutik stock order and an in-store sale reach the shop table through webhooks', async () => {
    await setStock(hiboutik.url, { item: '1', quantity: 5 });
    await waitUntil('301 at 5', async () => (await shop('301')) === 5);
    await setStock(hiboutik.url, { item: '1', delta: -2 });
    await waitUntil('301 at 3', async () => (await shop('301')) === 3);
    const causes = (await journal('301')).slice(0, 2).map((e) => [e.cause, e.eventId?.split('-')[0]]);
    assert.deepEqual(causes, [['webhook', 'sale'], ['webhook', 'stock_order']]);
  });

  // From here Square's own deliveries are paused, so the POS can move without possync being told:
  // a delivery possync wrongly accepted would show as that move reaching the shop table.
  subscription!.enabled = false;
  const squareUrl = `${possync.url}/webhooks/square/${ACCOUNTS.square}`;
  const squareEvent = (eventId: string, variation: string, quantity: number, createdAt = new Date()) =>
    JSON.stringify({
      merchant_id: 'M1',
      type: 'inventory.count.updated',
      event_id: eventId,
      created_at: createdAt.toISOString(),
      data: {
        type: 'inventory_counts',
        id: randomUUID(),
        object: { inventory_counts: [{ catalog_object_id: variation, catalog_object_type: 'ITEM_VARIATION', state: 'IN_STOCK', location_id: ACCOUNTS.square, quantity: String(quantity), calculated_at: createdAt.toISOString() }] },
      },
    });
  const deliver = (body: string, signature: string | null) =>
    fetch(squareUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...(signature === null ? {} : { 'x-square-hmacsha256-signature': signature }) }, body });
  const sign = (body: string) => signPayload(subscription!.signature_key, squareSetup.notificationUrl!, body);

  await t.test('forged, unsigned and stale Square deliveries and a wrong Hiboutik token are refused and change nothing', async () => {
    await setStock(sims.square.url, { item: 'VARIATION000000000000001', quantity: 40 });
    const before = { events: await eventCount(), journal: (await journal('101')).length };
    const body = squareEvent(randomUUID(), 'VARIATION000000000000001', 40);
    assert.equal((await deliver(body, signPayload('not-the-key', squareSetup.notificationUrl!, body))).status, 403);
    assert.equal((await deliver(body, signPayload(subscription!.signature_key, 'https://elsewhere.example/hook', body))).status, 403);
    assert.equal((await deliver(body, null)).status, 401);
    const stale = squareEvent(randomUUID(), 'VARIATION000000000000001', 40, new Date(Date.now() - 4 * 24 * 3600_000));
    assert.equal((await deliver(stale, sign(stale))).status, 403);

    const hooks = new Map(hiboutik.store.webhooks);
    hiboutik.store.webhooks.clear();
    await setStock(hiboutik.url, { item: '1', quantity: 30 });
    hiboutik.store.webhooks = hooks;
    const form = 'sale_id=999&store_id=1&line_items%5B0%5D%5Bproduct_id%5D=1&line_items%5B0%5D%5Bproduct_size%5D=0&line_items%5B0%5D%5Bquantity%5D=1';
    const hiboutikBase = `${possync.url}/webhooks/hiboutik/${ACCOUNTS.hiboutik}`;
    const post = (url: string) => fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    assert.equal((await post(`${hiboutikBase}/${token.slice(0, -2)}xx`)).status, 403);
    assert.equal((await post(hiboutikBase)).status, 401);

    assert.equal(await eventCount(), before.events, 'no event recorded');
    assert.equal((await journal('101')).length, before.journal, 'nothing journaled');
    assert.equal((await item(ACCOUNTS.square, '101')).available, 3);
    assert.equal(await shop('101'), 3);
    assert.equal(await shop('301'), 3);
    // The genuine URL does bring the count possync had not been told about.
    assert.equal((await post(hookUrl)).status, 200);
    await waitUntil('301 at 30', async () => (await shop('301')) === 30);
  });

  await t.test('a duplicated Square event changes nothing; an out-of-order one does not roll the count back', async () => {
    const eventId = randomUUID();
    const body = squareEvent(eventId, 'VARIATION000000000000001', 40);
    const first = await deliver(body, sign(body));
    assert.deepEqual(await first.json(), { received: true, outcome: 'queued' });
    await waitUntil('101 at 40', async () => (await shop('101')) === 40);
    await waitUntil('the event applied', async () => (await core.sql.query<{ applied_at: Date | null }>('select applied_at from webhook_events where event_id = $1', [eventId])).rows[0]?.applied_at);

    await setStock(sims.square.url, { item: 'VARIATION000000000000001', quantity: 41 });
    const again = await deliver(body, sign(body));
    assert.equal(again.status, 200);
    assert.deepEqual(await again.json(), { received: true, outcome: 'duplicate' });

    // An event from an hour ago saying 7, delivered late, after the count moved to 41 on Square.
    const late = squareEvent(randomUUID(), 'VARIATION000000000000001', 7, new Date(Date.now() - 3600_000));
    assert.deepEqual(await (await deliver(late, sign(late))).json(), { received: true, outcome: 'queued' });
    await waitUntil('the late event applied', async () => {
      const { rows } = await core.sql.query<{ n: string }>('select count(*) as n from webhook_events where applied_at is null');
      return Number(rows[0]!.n) === 0;
    });
    const value = await shop('101');
    assert.notEqual(value, 7, 'the late event’s quantity was not applied');
    assert.equal(value, 41, 'the late event made possync read the current count, not replay its own');
    const entries = await journal('101');
    assert.equal(entries.filter((e) => e.eventId?.includes(eventId)).length, 1, 'the duplicate journaled nothing');
  });

  await t.test('a webhook for an item with a sale in flight does not raise its available quantity', async () => {
    // Square refuses the sale's post for now, so it stays in flight with its units reserved.
    sims.square.kit.faults.add({ endpoint: 'POST /v2/inventory/changes/batch-create', kind: 'error', status: 503 });
    t.after(() => sims.square.kit.faults.clear());
    const accepted = await service.sales.accept({ ecommerceId: '102', quantity: 2, amountCents: 2000, idempotencyKey: 'rt-sale-1' });
    assert.equal(accepted.outcome, 'accepted');
    assert.equal((await item(ACCOUNTS.square, '102')).available, 9, '11 on hand, 2 reserved');
    const body = squareEvent(randomUUID(), 'VARIATION000000000000002', 11);
    assert.equal((await deliver(body, sign(body))).status, 200);
    await waitUntil('the event applied', async () => {
      const { rows } = await core.sql.query<{ n: string }>('select count(*) as n from webhook_events where applied_at is null');
      return Number(rows[0]!.n) === 0;
    });
    const after = await item(ACCOUNTS.square, '102');
    assert.equal(after.onHand, 11);
    assert.equal(after.available, 9, 'the webhook re-read 11 on hand and still subtracted the 2 reserved');
    assert.equal(await shop('102'), 9);
    const sale = await service.sales.get(accepted.outcome === 'accepted' ? accepted.sale.id : '');
    assert.ok(sale && (sale.state === 'accepted' || sale.state === 'dispatching'), `still in flight: ${sale?.state}`);
  });

  await t.test('a Lightspeed till change arrives through a change poll', async () => {
    await setStock(sims.lightspeed.url, { item: '1', quantity: 4 });
    await waitUntil('201 at 4', async () => (await shop('201')) === 4);
    const [entry] = await journal('201');
    assert.equal(entry!.cause, 'poll');
    assert.equal(entry!.runId, null, 'a change poll, not a full run');
  });

  const status = await service.synchronizer.status();
  assert.deepEqual(status.accounts.map((a) => a.lastRun), [null, null, null], 'no full poll ran during the test');
});
