import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync, type RunningPossync } from '../../src/main.ts';
import { ACCOUNTS, pollNow, readmeConfig, startSimulators, type Simulators } from './readme-setup.ts';
import { waitUntil } from './wait.ts';

/**
 * Issue 12 end to end against the Square simulator: a glitching POS answer (empty, partial, a
 * mass zero at the till) is held with its plan and writes nothing; apply writes exactly the plan;
 * discard writes nothing; sales go on while a run is held; revert puts back what a run replaced
 * and pauses the account's polls until resumed. Run once per backend.
 */

const SQUARE = ACCOUNTS.square;
const COUNTS = 'POST /v2/inventory/counts/batch-retrieve';
const variation = (n: number) => `VARIATION${String(n).padStart(15, '0')}`;
/** E-commerce ids 1001..1012 for the simulator's 12 items (the 12th was never counted). */
const ids = Array.from({ length: 12 }, (_, i) => String(1001 + i));

interface ItemJson { item_ecommerce_id: string | number; on_hand: number | null; available: number | null; missing_on_pos: boolean }
interface RunDetailJson {
  run: { id: number; status: string };
  account_id: string;
  held_reason: string | null;
  decision: string | null;
  superseded_by: number | null;
  items_source: string;
  items: Array<{ item_ecommerce_id: string; item_pos_id: string; kind: string; before: number | null; after: number | null; on_hand_before: number | null; on_hand_after: number | null }>;
  next_cursor: string | null;
}
interface DecisionJson { run: RunDetailJson; written: number; skipped: Array<{ item_ecommerce_id: string; reason: string }>; paused: { reason: string; run_id: number } | null }

export function heldRunsScenario(name: string, backend: () => Promise<{ env: Record<string, string>; cleanup(): Promise<void> }>): void {
  test(`held runs and undo on ${name}`, { timeout: 300_000 }, async (t) => {
    const sims: Simulators = await startSimulators();
    t.after(() => sims.close());
    const setup = await backend();
    t.after(() => setup.cleanup());
    const config = await readmeConfig(sims, setup.env);
    const possync: RunningPossync = await startPossync(config, { log: () => {} });
    t.after(() => possync.close());
    const api = (path: string, init?: RequestInit) => fetch(`${possync.url}${path}`, init);
    const post = (path: string, body?: unknown) =>
      api(path, { method: 'POST', headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    const setStock = (n: number, quantity: number) =>
      fetch(`${sims.square.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: variation(n), quantity }) });
    const core = async () => {
      const items = (await (await api(`/api/items/${SQUARE}`)).json()) as ItemJson[];
      return new Map(items.map((i) => [String(i.item_ecommerce_id), { onHand: i.on_hand, available: i.available, missing: i.missing_on_pos }]));
    };
    const shop = async () => Object.fromEntries(await possync.sink.readQuantities(ids));
    const snapshot = async () => ({ core: await core(), shop: await shop() });
    const run = async (id: number, query = '') => (await (await api(`/api/runs/${id}${query}`)).json()) as RunDetailJson;
    const account = async () => {
      const status = (await (await api('/api/synchronizer')).json()) as { accounts: Array<{ account_id: string; held_run_id: number | null; paused: { reason: string } | null }> };
      const health = (await (await api('/healthz')).json()) as { accounts: Array<{ account_id: string; status: string; reasons: string[]; held_run_id: number | null; paused: boolean }> };
      return { status: status.accounts.find((a) => a.account_id === SQUARE)!, health: health.accounts.find((a) => a.account_id === SQUARE)! };
    };
    const heldPoll = async () => {
      const polled = await pollNow(possync.service, SQUARE);
      assert.equal(polled.status, 'held', `expected a held run, got ${polled.status} (${polled.error})`);
      return polled.id;
    };

    await t.test('set-up: the 12 Square items mapped, a first poll applied at once', async () => {
      for (let n = 1; n <= 12; n++) {
        const response = await post('/api/items?wait=true', { item_pos_id: variation(n), item_ecommerce_id: 1000 + n, account_id: SQUARE });
        assert.equal(response.status, 201, await response.clone().text());
      }
      const first = await pollNow(possync.service, SQUARE);
      assert.equal(first.status, 'ok');
      const shopRows = await shop();
      assert.equal(shopRows['1001'], 10);
      assert.equal(shopRows['1011'], 20);
    });

    await t.test('an empty answer is held, writes nothing, and shows its plan; discarding writes nothing', async () => {
      const before = await snapshot();
      sims.square.kit.faults.add({ endpoint: COUNTS, kind: 'drop_items', keepShare: 0 });
      const held = await heldPoll();
      sims.square.kit.faults.clear();
      assert.deepEqual(await snapshot(), before, 'no count and no shop row moved');
      const detail = await run(held);
      assert.match(detail.held_reason ?? '', /no count for any item/);
      assert.equal(detail.items_source, 'plan');
      assert.equal(detail.items.length, 11, 'the 11 counted items would lose their count');
      assert.ok(detail.items.every((i) => i.kind === 'uncounted'));
      const { status, health } = await account();
      assert.equal(status.held_run_id, held);
      assert.equal(health.status, 'degraded');
      assert.ok(health.reasons.includes('run_held'));
      const discarded = await post(`/api/runs/${held}/discard`);
      assert.equal(discarded.status, 200, await discarded.clone().text());
      assert.equal(((await discarded.json()) as DecisionJson).run.run.status, 'discarded');
      assert.deepEqual(await snapshot(), before, 'discarding writes nothing');
      assert.equal((await account()).status.held_run_id, null);
      const again = await post(`/api/runs/${held}/discard`);
      assert.equal(again.status, 409);
      assert.match(((await again.json()) as { message: string }).message, /is discarded/);
      assert.equal((await post('/api/runs/999999/apply')).status, 404);
    });

    await t.test('a partial answer is held and writes nothing; the plan pages', async () => {
      const before = await snapshot();
      sims.square.kit.faults.add({ endpoint: COUNTS, kind: 'drop_items', keepShare: 0.5 });
      const held = await heldPoll();
      sims.square.kit.faults.clear();
      assert.deepEqual(await snapshot(), before);
      const detail = await run(held);
      assert.match(detail.held_reason ?? '', /would be lost/);
      const lost = detail.items.filter((i) => i.kind === 'uncounted').length;
      assert.ok(lost >= 5 && lost <= 6, `lost ${lost}`);
      // Paged by item id: two pages of 3 hold the first six items, in order, without overlap.
      const page1 = await run(held, '?limit=3');
      const page2 = await run(held, `?limit=3&cursor=${page1.next_cursor}`);
      assert.deepEqual([...page1.items, ...page2.items].map((i) => i.item_ecommerce_id), detail.items.slice(0, 6).map((i) => i.item_ecommerce_id));
      assert.equal((await post(`/api/runs/${held}/discard`)).status, 200);
    });

    let applied = 0;
    await t.test('a 90 % mass zero at the till is held; sales go on; only the newest plan applies, exactly', async () => {
      for (let n = 1; n <= 10; n++) await setStock(n, 0);
      const before = await snapshot();
      const first = await heldPoll();
      assert.deepEqual(await snapshot(), before, 'held: nothing written');
      assert.match((await run(first)).held_reason ?? '', /would go to 0/);

      // Sales are still taken and posted against the last applied counts.
      const sale = await post('/api/synchronizer/sale', { item_ecommerce_id: 1011, delta: 2, balance: 1000 });
      assert.equal(sale.status, 202, await sale.clone().text());
      const saleId = ((await sale.json()) as { sale_id: string }).sale_id;
      await waitUntil('the sale posted to Square', async () => ((await (await api(`/api/sales/${saleId}`)).json()) as { state: string }).state === 'posted');
      const sale2 = await post('/api/synchronizer/sale', { item_ecommerce_id: 1003, delta: 1, balance: 1000 });
      assert.equal(sale2.status, 202, 'the item the held plan would zero still sells from its last applied count');
      const sale2Id = ((await sale2.json()) as { sale_id: string }).sale_id;
      await waitUntil('the second sale posted', async () => ((await (await api(`/api/sales/${sale2Id}`)).json()) as { state: string }).state === 'posted');

      // The next poll is held too, with its own plan; the first is superseded.
      const second = await heldPoll();
      assert.match((await run(second)).held_reason ?? '', /would go to 0|is held/);
      assert.equal((await run(first)).run.status, 'superseded');
      const older = await post(`/api/runs/${first}/apply`);
      assert.equal(older.status, 409);
      assert.match(((await older.json()) as { message: string }).message, new RegExp(`superseded by run ${second}.*newest held run .* is ${second}`));

      const plan = (await run(second, '?limit=1000')).items;
      const beforeApply = await core();
      const response = await post(`/api/runs/${second}/apply`);
      assert.equal(response.status, 200, await response.clone().text());
      const decision = (await response.json()) as DecisionJson;
      assert.equal(decision.run.run.status, 'ok');
      assert.equal(decision.run.decision, 'applied');
      const after = await core();
      const shopRows = await shop();
      const planned = new Map(plan.map((i) => [i.item_ecommerce_id, i]));
      for (const id of ids) {
        const item = planned.get(id);
        if (item) {
          assert.equal(after.get(id)?.onHand, item.on_hand_after, `${id} takes the plan's count`);
        } else {
          assert.deepEqual(after.get(id), beforeApply.get(id), `${id} is not in the plan: untouched`);
        }
        assert.equal(shopRows[id], after.get(id)?.available ?? 0, `${id}: shop row follows the core`);
      }
      // The ten zeroed items, and 1011 whose count the posted sale lowered on the POS; nothing else.
      assert.deepEqual(plan.map((i) => i.item_ecommerce_id), ids.slice(0, 11));
      assert.ok(plan.slice(0, 10).every((i) => i.after === 0 && (i.on_hand_after ?? 0) <= 0));
      assert.equal(planned.get('1011')?.on_hand_after, 18);
      assert.equal(after.get('1011')?.available, 18, 'the posted sale is in the count now');
      assert.equal(after.get('1012')?.onHand, null, 'never counted: not in the plan, still unknown');
      assert.equal(after.get('1003')?.available, 0);
      const { status, health } = await account();
      assert.equal(status.held_run_id, null);
      assert.ok(!health.reasons.includes('run_held'));
      applied = second;
    });

    await t.test('revert restores the shop table and the core, skips items read again since, and pauses polls until resumed', async () => {
      // A newer read of item 1: a poll that brings one count back (not a glitch: applied at once).
      await setStock(1, 7);
      const newer = await pollNow(possync.service, SQUARE);
      assert.equal(newer.status, 'ok');
      const response = await post(`/api/runs/${applied}/revert`);
      assert.equal(response.status, 200, await response.clone().text());
      const decision = (await response.json()) as DecisionJson;
      assert.deepEqual(decision.skipped.map((s) => s.item_ecommerce_id), ['1001']);
      assert.match(decision.skipped[0]!.reason, /changed since/);
      assert.equal(decision.written, 10);
      assert.ok(decision.paused);
      const after = await core();
      const shopRows = await shop();
      assert.equal(after.get('1001')?.onHand, 7, 'read again since: left alone');
      for (let n = 2; n <= 11; n++) {
        const id = String(1000 + n);
        // The count before the run, less the units sold since (their sales are posted after it).
        const expected = 10 + (n - 1) - (n === 3 ? 1 : 0) - (n === 11 ? 2 : 0);
        assert.equal(after.get(id)?.available, expected, `${id} put back (less its sale)`);
        assert.equal(shopRows[id], expected, `${id} shop row put back`);
      }
      assert.equal((await post(`/api/runs/${applied}/revert`)).status, 409, 'a run is reverted once');
      const journal = await possync.core.sql.query<{ n: number }>(`select count(*)::int as n from stock_journal where cause = 'revert' and run_id = $1`, [applied]);
      assert.equal(journal.rows[0]?.n, 10);

      // Paused: a forced poll records no run and changes nothing (the till still says 0).
      const { status, health } = await account();
      assert.ok(status.paused);
      assert.ok(health.reasons.includes('polls_paused'));
      const lastRun = (await possync.service.synchronizer.status()).accounts.find((a) => a.accountId === SQUARE)!.lastRun!.id;
      const [queued] = await possync.service.synchronizer.forceUpdate(SQUARE);
      await waitUntil('the paused poll job to finish', async () => {
        const task = (await (await api(`/api/itemstask/${queued!.jobId}`)).json()) as { state: string };
        return task.state === 'done' || task.state === 'failed';
      });
      assert.equal((await possync.service.synchronizer.status()).accounts.find((a) => a.accountId === SQUARE)!.lastRun!.id, lastRun);
      assert.deepEqual(await shop(), shopRows);

      const resumed = await post(`/api/accounts/${SQUARE}/resume`);
      assert.equal(resumed.status, 200, await resumed.clone().text());
      const again = await post(`/api/accounts/${SQUARE}/resume`);
      assert.equal(again.status, 409);
      // The path parameter's name, as the 404 for an unknown account gives it.
      assert.equal(((await again.json()) as { field: string }).field, 'accountID');
      assert.equal((await account()).status.paused, null);
      // Resumed, the next poll reads the till's zeroes again: the breaker holds them once more.
      await heldPoll();
      assert.deepEqual(await shop(), shopRows);
    });
  });
}
