import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync, type RunningPossync } from '../../src/main.ts';
import type { Simulator } from '../../src/simulators/kit/options.ts';
import { ACCOUNTS, pollNow, readmeConfig, startSimulators, type Simulators } from './readme-setup.ts';
import { waitUntil } from './wait.ts';
import { json, post } from './server-process.ts';

/**
 * Issue 12, part 3: one online item sold from several POS accounts, against the simulators over
 * HTTP and the real core (PGlite or PostgreSQL). The Square account is each item's first source,
 * the Hiboutik account its extra one.
 */
export interface CoreBackend {
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

const SQ = ACCOUNTS.square;
const HB = ACCOUNTS.hiboutik;
const sqItem = (n: number) => `VARIATION${String(n).padStart(15, '0')}`;

async function start(t: { after(fn: () => unknown): void }, backend: () => Promise<CoreBackend>, env: Record<string, string> = {}): Promise<{ sims: Simulators; possync: RunningPossync }> {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const setup = await backend();
  t.after(() => setup.cleanup());
  const possync = await startPossync(await readmeConfig(sims, { ...setup.env, ...env }), { log: () => {}, sinkRetryMs: 200 });
  t.after(() => possync.close());
  return { sims, possync };
}

const setStock = (sim: Simulator, item: string, quantity: number) => post(`${sim.url}/__sim/stock`, { item, quantity }).then(json);
const getJson = async (url: string): Promise<any> => json(await fetch(url));
const del = (url: string) => fetch(url, { method: 'DELETE' });

/** Maps `ecommerceId` to Square item `sq` (floor `sqFloor`) and adds Hiboutik item `hb` (floor `hbFloor`) as a second source. */
async function twoSources(possync: RunningPossync, ecommerceId: number, sq: string, hb: string, floors: { sq?: number; hb?: number } = {}): Promise<any> {
  await json(await post(`${possync.url}/api/items?wait=true`, { item_pos_id: sq, item_ecommerce_id: ecommerceId, account_id: SQ, limit_quantity: floors.sq ?? 0 }));
  const added = await post(`${possync.url}/api/items/${ecommerceId}/sources`, { account_id: HB, item_pos_id: hb, limit_quantity: floors.hb ?? 0 });
  assert.equal(added.status, 201, await added.clone().text());
  return added.json();
}

interface PartRow {
  id: string;
  parent_id: string | null;
  account_id: string;
  quantity: number;
  state: string;
  attempts: number;
}

const partsOfItem = async (possync: RunningPossync, ecommerceId: string) =>
  (await possync.core.sql.query<PartRow>('select id, parent_id, account_id, quantity, state, attempts from sales where ecommerce_id = $1 order by seq', [ecommerceId])).rows;

/** Each part on the simulator of its account exactly once, with its quantity, and never on the other. */
function assertPostedOnce(sims: Simulators, parts: readonly PartRow[]): void {
  for (const part of parts) {
    const [own, other] = part.account_id === SQ ? [sims.square, sims.hiboutik] : [sims.hiboutik, sims.square];
    const posted = own.kit.ledger.list({ source: 'api', kind: 'sale', reference: part.id });
    assert.equal(posted.length, 1, `part ${part.id} (${part.account_id}) posted ${posted.length} times`);
    assert.equal(Math.abs(posted[0]!.quantity), part.quantity, `part ${part.id} quantity`);
    assert.equal(other.kit.ledger.list({ source: 'api', kind: 'sale', reference: part.id }).length, 0);
  }
}

export function multiSourceScenario(name: string, backend: () => Promise<CoreBackend>): void {
  test(`a multi-source item sums its sources in the shop table; sources are added, listed and removed; one-source items unchanged (${name})`, { timeout: 180_000 }, async (t) => {
    const { sims, possync } = await start(t, backend);
    await setStock(sims.square, sqItem(1), 7);
    await setStock(sims.hiboutik, '1', 5);
    await setStock(sims.square, sqItem(2), 9);
    const single = await json(await post(`${possync.url}/api/items?wait=true`, { item_pos_id: sqItem(2), item_ecommerce_id: 502, account_id: SQ }));
    assert.equal(single.available, 9);
    assert.equal('sources' in single, false, 'a one-source item answers as before');

    const item = await twoSources(possync, 501, sqItem(1), '1', { hb: 1 });
    assert.equal(item.available, 12);
    assert.deepEqual(item.sources.map((s: { account_id: string; available: number; limit_quantity: number; first: boolean }) => [s.account_id, s.available, s.limit_quantity, s.first]), [
      [SQ, 7, 0, true],
      [HB, 5, 1, false],
    ]);
    await waitUntil('the shop row at 7 + 5', async () => (await possync.sink.readQuantities(['501', '502'])).get('501') === 12);
    assert.equal((await possync.sink.readQuantities(['502'])).get('502'), 9);

    // The same source again: no change, 200. The original's POST /api/items keeps its 409.
    assert.equal((await post(`${possync.url}/api/items/501/sources`, { account_id: HB, item_pos_id: '1', limit_quantity: 1 })).status, 200);
    assert.equal((await post(`${possync.url}/api/items?wait=true`, { item_pos_id: '1', item_ecommerce_id: 501, account_id: HB })).status, 409);
    // A POS item feeds one online item only; one source per account per item.
    assert.equal((await post(`${possync.url}/api/items?wait=true`, { item_pos_id: '1', item_ecommerce_id: 503, account_id: HB })).status, 409);
    assert.equal((await post(`${possync.url}/api/items/502/sources`, { account_id: HB, item_pos_id: '1' })).status, 409);
    assert.equal((await post(`${possync.url}/api/items/501/sources`, { account_id: HB, item_pos_id: '2' })).status, 409);
    assert.equal((await post(`${possync.url}/api/items/501/sources`, { account_id: SQ, item_pos_id: sqItem(3) })).status, 409);
    assert.equal((await post(`${possync.url}/api/items/999/sources`, { account_id: HB, item_pos_id: '3' })).status, 404);

    // A count change at the extra source's till reaches the shop through its own account's poll.
    await setStock(sims.hiboutik, '1', 3);
    await pollNow(possync.service, HB);
    await waitUntil('the shop row at 7 + 3', async () => (await possync.sink.readQuantities(['501'])).get('501') === 10);
    const listed = (await getJson(`${possync.url}/api/items/${SQ}`)) as Array<{ item_ecommerce_id: string; available: number; sources?: unknown[] }>;
    assert.equal(listed.find((i) => i.item_ecommerce_id === '501')?.available, 10);
    assert.equal(listed.find((i) => i.item_ecommerce_id === '501')?.sources?.length, 2);
    assert.equal(listed.find((i) => i.item_ecommerce_id === '502')?.sources, undefined);
    assert.equal((await getJson(`${possync.url}/api/items/501/sources`)).available, 10);
    // The extra source's account lists the item too (with its first source's account and the sum).
    const hbList = (await getJson(`${possync.url}/api/items/${HB}`)) as Array<{ item_ecommerce_id: string; account_id: string; available: number }>;
    assert.deepEqual(hbList.map((i) => [i.item_ecommerce_id, i.account_id, i.available]), [['501', SQ, 10]]);

    // The first source is removed by unmapping; an extra one here.
    assert.equal((await del(`${possync.url}/api/items/501/sources/${SQ}`)).status, 409);
    const removed = await del(`${possync.url}/api/items/501/sources/${HB}`);
    assert.equal(removed.status, 200);
    const after: any = await removed.json();
    assert.equal(after.available, 7);
    assert.equal('sources' in after, false);
    await waitUntil('the shop row back at 7', async () => (await possync.sink.readQuantities(['501'])).get('501') === 7);
    assert.equal((await del(`${possync.url}/api/items/501/sources/${HB}`)).status, 404);
  });

  test(`100 concurrent sales of a two-source item oversell neither source, and each is posted once (${name})`, { timeout: 240_000 }, async (t) => {
    const { sims, possync } = await start(t, backend);
    await setStock(sims.square, sqItem(4), 30);
    await setStock(sims.hiboutik, '4', 40);
    await twoSources(possync, 601, sqItem(4), '4', { sq: 2 });
    // What each source may sell: 30 − 2 (its floor) and 40.
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => post(`${possync.url}/api/synchronizer/sale`, { item_ecommerce_id: 601, delta: 1, balance: 500 }, { 'Idempotency-Key': `ms-${i}` })),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 202).length, 68, JSON.stringify(statuses));
    assert.equal(statuses.filter((s) => s === 409).length, 32);
    const parts = await partsOfItem(possync, '601');
    assert.equal(parts.length, 68);
    const units = (account: string) => parts.filter((p) => p.account_id === account).reduce((sum, p) => sum + p.quantity, 0);
    assert.equal(units(SQ), 28);
    assert.equal(units(HB), 40);
    const item = await getJson(`${possync.url}/api/items/601/sources`);
    assert.deepEqual(item.sources.map((s: { available: number }) => s.available), [2, 0]);
    await waitUntil('every sale posted', async () => (await partsOfItem(possync, '601')).every((p) => p.state === 'posted'), 120_000);
    assertPostedOnce(sims, parts);
    // Both POS counts now include the sales: a poll of each leaves the shop at the floors.
    await pollNow(possync.service, SQ);
    await pollNow(possync.service, HB);
    await waitUntil('the shop row at 2 + 0', async () => (await possync.sink.readQuantities(['601'])).get('601') === 2);
  });

  test(`a sale no single source can serve is split, and every part is posted exactly once through injected faults (${name})`, { timeout: 300_000 }, async (t) => {
    const { sims, possync } = await start(t, backend);
    const ids = [701, 702, 703, 704, 705];
    for (const [i, id] of ids.entries()) {
      await setStock(sims.square, sqItem(5 + i), 3);
      await setStock(sims.hiboutik, String(5 + i), 4);
      await twoSources(possync, id, sqItem(5 + i), String(5 + i));
    }
    // Both POS fail often: 5xx, 429, and answers lost after the POS committed the sale.
    for (const sim of [sims.square, sims.hiboutik]) {
      sim.kit.faults.add({ endpoint: '*', kind: 'error', status: 503, probability: 0.25 });
      sim.kit.faults.add({ endpoint: '*', kind: 'rate_limit', retryAfterSeconds: 0, probability: 0.15 });
      sim.kit.faults.add({ endpoint: '*', kind: 'timeout_after_commit', holdMs: 20, probability: 0.25 });
    }
    const saleIds: string[] = [];
    for (const id of ids) {
      const answer = await json(await post(`${possync.url}/api/synchronizer/sale`, { item_ecommerce_id: id, delta: 6, balance: 1001 }, { 'Idempotency-Key': `split-${id}` }));
      saleIds.push(answer.sale_id);
    }
    // Nothing is left to split: 1 unit remains (on Square), and a sale of 2 is refused.
    const refused = await post(`${possync.url}/api/synchronizer/sale`, { item_ecommerce_id: 701, delta: 2, balance: 10 });
    assert.equal(refused.status, 409);
    assert.equal(((await refused.json()) as { details: { available: number } }).details.available, 1);

    const sales = await waitUntil(
      'every split sale posted',
      async () => {
        const views = await Promise.all(saleIds.map((id) => getJson(`${possync.url}/api/sales/${id}`)));
        return views.every((v) => v.state === 'posted') ? views : undefined;
      },
      240_000,
    );
    for (const sale of sales) {
      // Most available first: Hiboutik's 4, then Square's 3 gives the other 2.
      assert.equal(sale.quantity, 6);
      assert.equal(sale.amount_cents, 1001);
      assert.deepEqual(sale.parts.map((p: { account_id: string; quantity: number; state: string }) => [p.account_id, p.quantity, p.state]), [
        [HB, 4, 'posted'],
        [SQ, 2, 'posted'],
      ]);
      assert.equal(sale.parts[0].sale_id, sale.sale_id);
      assert.equal(sale.parts.reduce((sum: number, p: { amount_cents: number }) => sum + p.amount_cents, 0), 1001);
    }
    const parts = (await Promise.all(ids.map((id) => partsOfItem(possync, String(id))))).flat();
    assert.equal(parts.length, 10);
    assert.ok(parts.some((p) => p.attempts > 1), 'the faults made some part retry');
    assertPostedOnce(sims, parts);
    // Listed once per sale, not once per part.
    const listed = (await getJson(`${possync.url}/api/sales?limit=500`)).sales as Array<{ sale_id: string }>;
    assert.deepEqual(listed.map((s) => s.sale_id).sort(), [...saleIds].sort());
    // The replayed key answers with the same sale.
    const again = await json(await post(`${possync.url}/api/synchronizer/sale`, { item_ecommerce_id: 701, delta: 6, balance: 1001 }, { 'Idempotency-Key': 'split-701' }));
    assert.equal(again.sale_id, saleIds[0]);
  });

  test(`a failing source does not block sales the other source can serve (${name})`, { timeout: 180_000 }, async (t) => {
    const { sims, possync } = await start(t, backend);
    await setStock(sims.square, sqItem(10), 10);
    await setStock(sims.hiboutik, '10', 20);
    await twoSources(possync, 801, sqItem(10), '10');
    // Hiboutik goes down: its poll fails. By the default policy it would take every sale (20 > 10).
    sims.hiboutik.kit.faults.add({ endpoint: '*', kind: 'error', status: 503 });
    const run = await pollNow(possync.service, HB);
    assert.equal(run.status, 'failed');
    for (let i = 0; i < 3; i++) {
      assert.equal((await post(`${possync.url}/api/synchronizer/sale`, { item_ecommerce_id: 801, delta: 3, balance: 300 })).status, 202);
    }
    let parts = await partsOfItem(possync, '801');
    assert.deepEqual(parts.map((p) => p.account_id), [SQ, SQ, SQ]);
    await waitUntil('the Square sales posted', async () => (await partsOfItem(possync, '801')).every((p) => p.state === 'posted'));
    // Square can give 1 more: a sale of 5 falls back to the troubled source rather than being refused.
    sims.hiboutik.kit.faults.clear();
    assert.equal((await post(`${possync.url}/api/synchronizer/sale`, { item_ecommerce_id: 801, delta: 5, balance: 500 })).status, 202);
    parts = await partsOfItem(possync, '801');
    assert.equal(parts.at(-1)!.account_id, HB);
    await waitUntil('every sale posted', async () => (await partsOfItem(possync, '801')).every((p) => p.state === 'posted'));
    assertPostedOnce(sims, parts);
  });
}
