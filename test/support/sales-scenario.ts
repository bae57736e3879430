import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync } from '../../src/main.ts';
import type { Simulator } from '../../src/simulators/kit/options.ts';
import { ACCOUNTS, readmeConfig, startSimulators } from './readme-setup.ts';
import { waitUntil } from './wait.ts';
import { json, killableService, post, type ServeBackend } from './server-process.ts';

export type Backend = ServeBackend;

/**
 * The soak's size: 300 sales by default, each sixth of them followed by a SIGKILL (five kills, one
 * every 50 sales). `POSSYNC_TEST_SOAK=1` runs the full 1,000 (a kill every 167), as the external
 * proof did; it adds about five minutes per backend, and the default keeps the same kills and faults
 * per sale or more.
 */
export const SOAK_SALES = process.env.POSSYNC_TEST_SOAK === '1' ? 1000 : 300;

/**
 * DESIGN §4 rules 1-4 under load: concurrent buyers of the last units, and hundreds of sales posted
 * through faulty POS APIs while the service is killed with SIGKILL five times.
 */
export function salesScenario(name: string, backend: () => Promise<Backend>): void {
  test(`200 concurrent buyers of 10 units get exactly 10 acceptances (${name})`, { timeout: 180_000 }, async (t) => {
    const sims = await startSimulators();
    t.after(() => sims.close());
    const setup = await backend();
    t.after(() => setup.cleanup());
    const possync = await startPossync(await readmeConfig(sims, setup.env), { log: () => {} });
    t.after(() => possync.close());

    await json(await post(`${possync.url}/api/items?wait=true`, { item_pos_id: 'VARIATION000000000000001', item_ecommerce_id: 101, account_id: ACCOUNTS.square }));
    const answers = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(`${possync.url}/api/synchronizer/sale`, { item_ecommerce_id: 101, delta: 1, balance: 1250 }, { 'Idempotency-Key': `buyer-${i}` })),
    );
    const statuses = answers.map((a) => a.status);
    assert.equal(statuses.filter((s) => s === 202).length, 10, `202s: ${JSON.stringify(count(statuses))}`);
    assert.equal(statuses.filter((s) => s === 409).length, 190);
    const refused = (await answers.find((a) => a.status === 409)!.json()) as { details: { available: number } };
    assert.equal(refused.details.available, 0);
    const items = await json(await fetch(`${possync.url}/api/items/${ACCOUNTS.square}`));
    assert.equal(items[0].available, 0);
    await waitUntil('the shop table at 0', async () => (await possync.sink.readQuantities(['101'])).get('101') === 0);
    await waitUntil('the 10 sales posted once each', async () => sims.square.kit.ledger.list({ source: 'api', kind: 'sale' }).length === 10);
  });

  test(`${SOAK_SALES.toLocaleString('en')} sales through failing POS calls and five SIGKILLs are each posted exactly once (${name})`, { timeout: 900_000 }, async (t) => {
    // Lightspeed's real bucket would take many minutes for a hundred sales; the test needs its faults, not its pace.
    const service = await killableService(t, backend, { lightspeed: { bucketSize: '100000', dripRate: '10000', refreshLimitPerMinute: '0' } });
    const { sims } = service;

    const all: Array<{ sim: Simulator; account: string; posIds: string[]; base: number }> = [
      { sim: sims.square, account: ACCOUNTS.square, posIds: [1, 2, 3, 4, 5].map((n) => `VARIATION00000000000000${n}`), base: 100 },
      { sim: sims.lightspeed, account: ACCOUNTS.lightspeed, posIds: ['1', '2', '3', '4', '5'], base: 200 },
      { sim: sims.hiboutik, account: ACCOUNTS.hiboutik, posIds: ['1', '2', '3', '4', '5'], base: 300 },
    ];
    const items: Array<{ ecommerceId: number; sim: Simulator; posId: string }> = [];
    for (const { sim, account, posIds, base } of all) {
      for (const [i, posId] of posIds.entries()) {
        await post(`${sim.url}/__sim/stock`, { item: posId, quantity: 100 });
        await json(await post(`${service.server.url}/api/items?wait=true`, { item_pos_id: posId, item_ecommerce_id: base + i + 1, account_id: account }));
        items.push({ ecommerceId: base + i + 1, sim, posId });
      }
    }
    // One POS call in five fails: a 5xx, a 429, or a timeout after the POS committed the write.
    for (const { sim } of all) {
      sim.kit.faults.add({ endpoint: '*', kind: 'error', status: 503, probability: 0.07 });
      sim.kit.faults.add({ endpoint: '*', kind: 'rate_limit', retryAfterSeconds: 0, probability: 0.07 });
      sim.kit.faults.add({ endpoint: '*', kind: 'timeout_after_commit', holdMs: 20, probability: 0.07 });
    }

    const accepted = new Map<string, { sim: Simulator }>();
    const TOTAL = SOAK_SALES;
    const KILL_EVERY = Math.ceil(TOTAL / 6);
    let next = 0;
    const sendOne = async (n: number): Promise<void> => {
      const item = items[n % items.length]!;
      // A shop retries with the same key until it gets an answer, as after any outage.
      for (;;) {
        try {
          const answer = await post(`${service.server.url}/api/synchronizer/sale`, { item_ecommerce_id: item.ecommerceId, delta: 1, balance: 990 }, { 'Idempotency-Key': `order-${n}` });
          if (answer.status === 202) {
            const body = (await answer.json()) as { sale_id: string };
            accepted.set(body.sale_id, { sim: item.sim });
            return;
          }
          if (answer.status === 409) return;
          throw new Error(`unexpected ${answer.status}: ${await answer.text()}`);
        } catch (error) {
          if (!(error instanceof TypeError)) throw error; // fetch failed: the server is down; retry when it is back
          await waitUntil('possync to come back', async () => service.server.child.exitCode === null && service.server.child.signalCode === null);
        }
      }
    };
    for (let round = 0; round < 6; round++) {
      const until = round < 5 ? Math.min(TOTAL, next + KILL_EVERY) : TOTAL;
      const batch: Promise<void>[] = [];
      while (next < until) {
        batch.push(sendOne(next++));
        if (batch.length >= 20) await Promise.all(batch.splice(0));
      }
      await Promise.all(batch);
      if (round < 5) {
        // Kill while dispatch is busy with what was just accepted.
        await service.restart();
      }
    }
    assert.equal(next, TOTAL);

    // Let the queue drain with the faults still on; then clear them and let the POS settle.
    await waitUntil(
      'every accepted sale posted',
      async () => {
        // One row is enough to know one is left.
        const pending = [
          ...(await json(await fetch(`${service.server.url}/api/sales?state=accepted&limit=1`))).sales,
          ...(await json(await fetch(`${service.server.url}/api/sales?state=dispatching&limit=1`))).sales,
        ];
        return pending.length === 0;
      },
      600_000,
    );
    const failed = (await json(await fetch(`${service.server.url}/api/sales?state=failed&limit=500`))).sales;
    assert.deepEqual(failed.map((s: { last_error: string }) => s.last_error), [], 'no sale gave up');

    for (const { sim } of all) sim.kit.faults.clear();
    const byReference = new Map<string, number>();
    for (const { sim } of all) {
      for (const entry of sim.kit.ledger.list({ source: 'api', kind: 'sale' })) {
        byReference.set(entry.reference ?? `posId:${entry.posId}`, (byReference.get(entry.reference ?? `posId:${entry.posId}`) ?? 0) + 1);
      }
    }
    const doubled = [...byReference].filter(([, n]) => n > 1);
    assert.deepEqual(doubled, [], 'no sale was posted twice');
    const phantom = [...byReference.keys()].filter((ref) => !accepted.has(ref));
    assert.deepEqual(phantom, [], 'nothing was posted that was not accepted');
    const missing = [...accepted.keys()].filter((id) => !byReference.has(id));
    assert.deepEqual(missing, [], 'every accepted sale reached its POS');
    assert.ok(accepted.size > TOTAL * 0.9, `most of the ${TOTAL} sales fit the stock (${accepted.size} accepted)`);

    // A poll converges: available = POS on hand − what is still pending (nothing now).
    for (const { account } of all) {
      await json(await post(`${service.server.url}/api/synchronizer/forceUpdate`, { account_id: account }));
    }
    for (const { sim, account } of all) {
      await waitUntil(`${account} to match its POS`, async () => {
        const listed = (await json(await fetch(`${service.server.url}/api/items/${account}`))) as Array<{ item_pos_id: string; available: number }>;
        const stock = (await json(await fetch(`${sim.url}/__sim/stock`))) as { stock: Array<{ item: string; locations: Record<string, number | null> }> };
        const wrong = listed.filter((item) => {
          const row = stock.stock.find((s) => s.item === item.item_pos_id);
          const onHand = Object.values(row?.locations ?? {})[0];
          return onHand === undefined || item.available !== Math.max(0, onHand ?? 0);
        });
        if (wrong.length > 0) {
          const run = (await json(await fetch(`${service.server.url}/api/synchronizer`))).accounts.find((a: { account_id: string }) => a.account_id === account)?.last_run;
          throw new Error(`${JSON.stringify(wrong)} vs POS ${JSON.stringify(stock.stock.filter((r) => wrong.some((w) => w.item_pos_id === r.item)))}; last run ${JSON.stringify(run)}`);
        }
        return true;
      });
    }
  });
}

function count(values: number[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of values) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}

