import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PosRejectedError, PosSaleUnfinishedError } from '../errors.ts';
import { saleTotals } from '../../simulators/lightspeed/entities.ts';
import { money, saleLines } from './sale.ts';
import { ENDPOINTS, startRig } from '../../../test/support/lightspeed-adapter.ts';

test('sale lines always add up to the amount, to the cent', () => {
  for (const [quantity, amount] of [[3, 1000], [1, 1250], [4, 1000], [7, 1], [5, 0], [3, 99_999]] as const) {
    const lines = saleLines('9', quantity, amount);
    const total = lines.reduce((sum, l) => sum + Math.round(Number(l.unitPrice) * 100) * l.unitQuantity, 0);
    assert.equal(total, amount, `${quantity} × ? = ${amount}`);
    assert.equal(lines.reduce((sum, l) => sum + l.unitQuantity, 0), quantity);
    assert.ok(lines.length <= 2);
  }
  assert.deepEqual(saleLines('9', 3, 1000).map((l) => [l.unitQuantity, l.unitPrice]), [[2, '3.33'], [1, '3.34']]);
  assert.equal(money(5), '0.05');
  assert.equal(money(123456), '1234.56');
});

test('an amount not divisible by the quantity is posted balanced (1000 cents for 3 units)', async (t) => {
  const rig = await startRig({ items: 20 });
  t.after(() => rig.close());
  const item = rig.seed.items.find((i) => (i.stock[rig.connection.shopId] ?? 0) >= 5)!;
  const before = rig.sim.store.qoh(item.id, rig.connection.shopId)!;
  const receipt = await rig.adapter.recordSale({ saleId: 'ls-odd-1', posItemId: item.id, quantity: 3, amountCents: 1000, mayExist: false });
  assert.equal(receipt.alreadyRecorded, false);
  const sale = rig.sim.store.sales.get(receipt.posReference)!;
  assert.ok(sale.completed);
  assert.deepEqual(saleTotals(sale), { subtotalCents: 1000, taxCents: 0, totalCents: 1000, paymentsCents: 1000 });
  assert.equal(sale.referenceNumber, 'ls-odd-1');
  assert.equal(sale.referenceNumberSource, 'possync');
  assert.equal(rig.sim.store.qoh(item.id, rig.connection.shopId), before - 3);
  assert.equal(rig.salesRecorded('ls-odd-1'), 1, 'one POS sale, even with two lines');
});

test('a shop that adds tax still gets a balanced sale (the online amount already includes it)', async (t) => {
  const rig = await startRig({ items: 20, switches: { taxRatePercent: '20' } });
  t.after(() => rig.close());
  const item = rig.seed.items.find((i) => (i.stock[rig.connection.shopId] ?? 0) >= 2)!;
  const receipt = await rig.adapter.recordSale({ saleId: 'ls-tax-1', posItemId: item.id, quantity: 2, amountCents: 1999, mayExist: false });
  assert.equal(saleTotals(rig.sim.store.sales.get(receipt.posReference)!).totalCents, 1999);
});

test('mayExist and saved progress prevent a second POST', async (t) => {
  const rig = await startRig({ items: 20 });
  t.after(() => rig.close());
  const item = rig.seed.items.find((i) => (i.stock[rig.connection.shopId] ?? 0) >= 3)!;
  let progress: Record<string, string> | undefined;
  const saveProgress = async (p: Record<string, string>) => {
    progress = p;
  };
  const first = await rig.adapter.recordSale({ saleId: 'ls-once', posItemId: item.id, quantity: 1, amountCents: 500, mayExist: true, saveProgress });
  assert.equal(first.alreadyRecorded, false, 'looked up, found nothing, posted');
  assert.deepEqual(progress, { saleID: first.posReference });
  const posts = () => rig.sim.kit.stats.requestsTo(ENDPOINTS.postSale);
  assert.equal(posts(), 1);

  const again = await rig.adapter.recordSale({ saleId: 'ls-once', posItemId: item.id, quantity: 1, amountCents: 500, mayExist: true });
  assert.deepEqual(again, { posReference: first.posReference, alreadyRecorded: true });
  const calls = rig.adapter.apiCalls();
  const resumed = await rig.adapter.recordSale({ saleId: 'ls-once', posItemId: item.id, quantity: 1, amountCents: 500, mayExist: true, progress });
  assert.deepEqual(resumed, { posReference: first.posReference, alreadyRecorded: true });
  assert.equal(rig.adapter.apiCalls(), calls, 'saved progress needs no call');
  assert.equal(posts(), 1);
  assert.equal(rig.salesRecorded('ls-once'), 1);
});

test('a refused sale is a PosRejectedError with the POS message and no secrets', async (t) => {
  const rig = await startRig({ items: 20 });
  t.after(() => rig.close());
  const wrongRegister = rig.newAdapter({ registerId: '99' });
  await assert.rejects(wrongRegister.recordSale({ saleId: 'ls-bad', posItemId: '1', quantity: 1, amountCents: 100, mayExist: false }), (error: unknown) => {
    assert.ok(error instanceof PosRejectedError);
    assert.equal(error.retry.retry, false);
    assert.match(error.message, /registerID 99 is not a valid Register/);
    assert.ok(!error.message.includes(rig.connection.clientSecret));
    return true;
  });
  await assert.rejects(rig.adapter.recordSale({ saleId: 'ls-bad-2', posItemId: '1', quantity: 0, amountCents: 100, mayExist: false }), PosRejectedError);
  assert.equal(rig.salesRecorded('ls-bad'), 0);
});

test('an open sale already carrying our reference is left to a person: unfinished, naming the open sale, not retried', async (t) => {
  const rig = await startRig({ items: 20 });
  t.after(() => rig.close());
  await rig.adapter.getItems(['1']); // get a token
  const creds = rig.sim.credentials() as { accessToken: string; accountID: string };
  const response = await fetch(`${rig.sim.url}/API/V3/Account/${creds.accountID}/Sale.json`, {
    method: 'POST',
    headers: { authorization: `Bearer ${creds.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({ employeeID: rig.connection.employeeId, registerID: rig.connection.registerId, shopID: rig.connection.shopId, completed: false, referenceNumber: 'ls-open' }),
  });
  assert.equal(response.status, 200);
  const openId = ((await response.json()) as { Sale: { saleID: string } }).Sale.saleID;
  await assert.rejects(rig.adapter.recordSale({ saleId: 'ls-open', posItemId: '1', quantity: 1, amountCents: 100, mayExist: true }), (error: unknown) => {
    assert.ok(error instanceof PosSaleUnfinishedError);
    assert.equal(error.posReference, openId);
    assert.equal(error.retry.retry, false);
    assert.match(error.message, /open sale \d+, not completed/);
    return true;
  });
});

test('an ambiguous POST is resolved inside the call: lookup first, re-post only if absent', async (t) => {
  const rig = await startRig({ items: 20 });
  t.after(() => rig.close());
  const item = rig.seed.items.find((i) => (i.stock[rig.connection.shopId] ?? 0) >= 3)!;
  const posts = () => rig.sim.kit.stats.requestsTo(ENDPOINTS.postSale);
  const lookups = () => rig.sim.kit.stats.requestsTo(ENDPOINTS.sales);

  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.postSale, kind: 'timeout_after_commit', holdMs: 20, count: 1 });
  const committed = await rig.adapter.recordSale({ saleId: 'ls-amb-1', posItemId: item.id, quantity: 1, amountCents: 100, mayExist: false });
  assert.equal(committed.alreadyRecorded, false);
  assert.deepEqual([posts(), lookups(), rig.salesRecorded('ls-amb-1')], [1, 1, 1], 'committed: found by the lookup, not re-posted');

  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.postSale, kind: 'reset', count: 1 });
  await rig.adapter.recordSale({ saleId: 'ls-amb-2', posItemId: item.id, quantity: 1, amountCents: 100, mayExist: false });
  assert.deepEqual([posts(), lookups(), rig.salesRecorded('ls-amb-2')], [3, 2, 1], 'never arrived: looked up, then posted once more');
});
