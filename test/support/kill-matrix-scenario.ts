import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCOUNTS } from './readme-setup.ts';
import { waitUntil } from './wait.ts';
import type { CORE_BACKENDS } from './databases.ts';
import { json, killableService, post } from './server-process.ts';

/**
 * Issue 14: the fault matrix's SIGKILL column. For each step of each POS's sale, `possync serve`
 * is killed with SIGKILL while that POS call is in flight (the POS holds it, then applies it),
 * and restarted: the sale ends posted exactly once, in the ledger and on the POS.
 */
const STEPS = [
  { pos: 'square', account: ACCOUNTS.square, posItemId: 'VARIATION000000000000004', step: 'POST /v2/inventory/changes/batch-create' },
  { pos: 'lightspeed', account: ACCOUNTS.lightspeed, posItemId: '4', step: 'POST /API/V3/Account/:accountID/Sale.json' },
  { pos: 'hiboutik', account: ACCOUNTS.hiboutik, posItemId: '4', step: 'POST /api/sales/' },
  { pos: 'hiboutik', account: ACCOUNTS.hiboutik, posItemId: '4', step: 'PUT /api/sale/:sale_id' },
  { pos: 'hiboutik', account: ACCOUNTS.hiboutik, posItemId: '4', step: 'POST /api/sales/add_product/' },
  { pos: 'hiboutik', account: ACCOUNTS.hiboutik, posItemId: '4', step: 'POST /api/sales/close/' },
] as const;

/** One file per backend (kill-matrix-{embedded,postgres}.test.ts), so the two run side by side. */
export function killMatrix(name: string, backend: (typeof CORE_BACKENDS)[string]): void {
  test(`SIGKILL at each step of each POS's sale: posted exactly once after the restart (${name})`, { timeout: 900_000 }, async (t) => {
    const service = await killableService(t, backend, { lightspeed: { bucketSize: '100000', dripRate: '10000' } });
    const { sims } = service;

    const registered = new Set<string>();
    const table: string[] = [];
    for (const [i, { pos, account, posItemId, step }] of STEPS.entries()) {
      const sim = sims[pos];
      const ecommerceId = `${pos}-kill`;
      if (!registered.has(pos)) {
        await post(`${sim.url}/__sim/stock`, { item: posItemId, quantity: 1000 });
        await json(await post(`${service.server.url}/api/items?wait=true`, { item_pos_id: posItemId, item_ecommerce_id: ecommerceId, account_id: account }));
        registered.add(pos);
      }
      // The POS holds this step's call long enough for the kill to land while it is in flight.
      sim.kit.faults.add({ endpoint: step, kind: 'latency', latencyMs: 1_500, count: 1 });
      const calls = sim.kit.stats.requestsTo(step);
      const sale = await json(await post(`${service.server.url}/api/synchronizer/sale`, { item_ecommerce_id: ecommerceId, delta: 1, balance: 300 }, { 'Idempotency-Key': `kill-${i}` }));
      await waitUntil(`${pos} ${step} in flight`, async () => sim.kit.stats.requestsTo(step) > calls);
      await service.restart();
      const settled = await waitUntil(
        `sale ${sale.sale_id} settled after the restart`,
        async () => {
          const view = await json(await fetch(`${service.server.url}/api/sales/${sale.sale_id}`));
          return view.state === 'posted' || view.state === 'failed' ? view : undefined;
        },
        180_000,
      );
      const posts = sim.kit.ledger.list({ source: 'api', kind: 'sale', reference: sale.sale_id }).length;
      table.push(`${pos} | ${step} | SIGKILL | ${settled.state}, on the POS ${posts} time(s), ${settled.attempts} dispatch attempt(s)`);
      assert.equal(settled.state, 'posted', `${pos} ${step}: ${settled.last_error}`);
      assert.equal(posts, 1, `${pos} ${step}: on the POS ${posts} times`);
    }
    console.log(`SIGKILL matrix (${name}):\npos | step | fault | outcome\n${table.join('\n')}`);
  });
}
