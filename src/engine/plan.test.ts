import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncAccounts } from '../core/accounts.ts';
import { applyCountsPage } from '../core/stock.ts';
import type { StockCount } from '../pos/contract.ts';
import { forEachBackend, squareAccount } from '../../test/support/core.ts';
import { PLAN_SLICE, planPageToApply } from './plan.ts';
import type { SyncContext } from './sync.ts';

const ITEMS = PLAN_SLICE * 2 + 500;
const byPosId = (a: { posItemId: string }, b: { posItemId: string }) => (a.posItemId < b.posItemId ? -1 : a.posItemId > b.posItemId ? 1 : 0);

forEachBackend('a page bigger than a plan slice', (current) => {
  test('is planned in slices exactly as applying it whole changes and writes it', async () => {
    const { core } = current();
    await syncAccounts(core.sql, [squareAccount('A')]);
    await core.sql.query(`insert into mappings (ecommerce_id, account_id, pos_item_id) select 'e' || i, 'A', 'p' || i from generate_series(1, ${ITEMS}) as i`);
    const t0 = new Date(Date.now() - 60_000);
    const first: StockCount[] = Array.from({ length: ITEMS }, (_, i) => ({ posItemId: `p${i + 1}`, onHand: 5 }));
    await core.sql.transaction((tx) => applyCountsPage(tx, { accountId: 'A', runId: null, counts: first, readStartedAt: t0 }));

    // Every third count changes, every seventh goes unknown, one id is given twice in two slices
    // (first changed, then as it was: the last count is the one applied), one is mapped nowhere.
    const page: StockCount[] = Array.from({ length: ITEMS }, (_, i) => ({ posItemId: `p${i + 1}`, onHand: i % 7 === 0 ? null : i % 3 === 0 ? i % 11 : 5 }));
    page[1] = { posItemId: 'p2', onHand: 0 };
    page.push({ posItemId: 'p2', onHand: 5 }, { posItemId: 'nowhere', onHand: 3 });
    const readStartedAt = new Date();
    const context = { core, reserved: async () => new Map([['e4', 2]]) } as unknown as SyncContext;
    const plan = await planPageToApply(context, 'A', page, readStartedAt);

    const whole = await core.sql.transaction(async (tx) =>
      applyCountsPage(tx, { accountId: 'A', runId: null, counts: page, readStartedAt, reservedByItem: new Map([['e4', 2]]) }),
    );
    const slicesChanged = new Set(whole.changes.map((c) => Math.floor((Number(c.posItemId.slice(1)) - 1) / PLAN_SLICE)));
    assert.equal(slicesChanged.size, Math.ceil(ITEMS / PLAN_SLICE), 'items change in every slice');
    const counted = plan.items.filter((item) => item.kind === 'count');
    assert.deepEqual(
      counted.map(({ note, kind, ...item }) => item).sort(byPosId),
      whole.changes.map((change) => ({ ...change })).sort(byPosId),
    );
    assert.equal(plan.items.filter((item) => item.kind === 'uncounted').length, whole.uncounted.length);
    assert.deepEqual(plan.toApply.map((c) => c.posItemId).sort(), [...whole.written].sort());
    assert.equal(plan.toApply.find((c) => c.posItemId === 'p2'), undefined, 'p2 ends where it was');
  });
});
