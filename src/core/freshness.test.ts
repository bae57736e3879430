import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncAccounts } from './accounts.ts';
import { registerMapping } from './mappings.ts';
import { applyCountsPage, flagMissing } from './stock.ts';
import { finishRun, startRun } from './runs.ts';
import { countItemsOlderThan, itemLastConfirmedAt } from './freshness.ts';
import { addSource } from './item-sources.ts';
import { applySourceCounts } from './source-stock.ts';
import { staleItemCounts } from './mappings.ts';
import { listMappingsPage } from './mapping-list.ts';
import { forEachBackend, squareAccount } from '../../test/support/core.ts';
import type { SqlQueryable } from './sql.ts';

/** Row versions: any write to a row, even of the same values, gives it a new xmin. */
async function versions(sql: SqlQueryable): Promise<Map<string, string>> {
  const { rows } = await sql.query<{ ecommerce_id: string; v: string }>('select ecommerce_id, xmin::text as v from mappings order by ecommerce_id');
  return new Map(rows.map((r) => [r.ecommerce_id, r.v]));
}

async function poll(sql: SqlQueryable, counts: Array<{ posItemId: string; onHand: number | null }>, missing: string[] = []): Promise<Date> {
  const run = await startRun(sql, { accountId: 'F', trigger: 'cron' });
  const { rows } = await sql.query<{ now: Date }>('select clock_timestamp() as now');
  const readStartedAt = rows[0]!.now;
  await applyCountsPage(sql, { accountId: 'F', runId: run.id, readStartedAt, counts });
  await flagMissing(sql, 'F', run.id, missing);
  await finishRun(sql, run.id, { status: 'ok', confirmedAt: readStartedAt });
  return readStartedAt;
}

forEachBackend('item freshness without per-row writes', (current) => {
  test('a poll that changes nothing writes no row, yet every counted item is confirmed by it', async () => {
    const { sql } = current().core;
    await syncAccounts(sql, [squareAccount('F')]);
    for (const n of [1, 2, 3, 4]) await registerMapping(sql, { ecommerceId: `f${n}`, accountId: 'F', posItemId: `p${n}` });
    const all = [1, 2, 3, 4].map((n) => ({ posItemId: `p${n}`, onHand: n }));
    const first = await poll(sql, all);
    assert.equal((await itemLastConfirmedAt(sql, 'f1'))! >= first, true);

    const before = await versions(sql);
    const second = await poll(sql, all);
    assert.deepEqual(await versions(sql), before, 'no mapping row was written');
    for (const id of ['f1', 'f2', 'f3', 'f4']) assert.equal((await itemLastConfirmedAt(sql, id))?.getTime(), second.getTime(), id);
    assert.equal(await countItemsOlderThan(sql, 'F', 60_000), 0);
    assert.equal(await countItemsOlderThan(sql, 'F', 0), 4, 'at age 0 everything is older');
  });

  test('items flagged missing or whose count went unknown keep the time they were last confirmed', async () => {
    const { sql } = current().core;
    const confirmed = await poll(sql, [1, 2, 3, 4].map((n) => ({ posItemId: `p${n}`, onHand: n })));
    // p3 comes back without a count, p4 not at all.
    const later = await poll(sql, [{ posItemId: 'p1', onHand: 1 }, { posItemId: 'p2', onHand: 2 }, { posItemId: 'p3', onHand: null }], ['p4']);
    assert.equal((await itemLastConfirmedAt(sql, 'f1'))?.getTime(), later.getTime());
    assert.equal((await itemLastConfirmedAt(sql, 'f3'))?.getTime(), confirmed.getTime(), 'unknown count: not confirmed');
    assert.equal((await itemLastConfirmedAt(sql, 'f4'))?.getTime(), confirmed.getTime(), 'missing: not confirmed');
    await poll(sql, [{ posItemId: 'p1', onHand: 1 }, { posItemId: 'p2', onHand: 2 }, { posItemId: 'p3', onHand: null }], ['p4']);
    assert.equal((await itemLastConfirmedAt(sql, 'f3'))?.getTime(), confirmed.getTime(), 'still not confirmed by a further run');
    // Counted again: confirmed again, by the row write that clears the state.
    const back = await poll(sql, [1, 2, 3, 4].map((n) => ({ posItemId: `p${n}`, onHand: n })));
    assert.equal((await itemLastConfirmedAt(sql, 'f3'))! >= back, true);
    assert.equal((await itemLastConfirmedAt(sql, 'f4'))! >= back, true);
  });

  test('an item mapped after a run began is not confirmed by that run', async () => {
    const { sql } = current().core;
    const readStartedAt = new Date(Date.now() - 60_000);
    const run = await startRun(sql, { accountId: 'F', trigger: 'cron' });
    await registerMapping(sql, { ecommerceId: 'f9', accountId: 'F', posItemId: 'p9' });
    await applyCountsPage(sql, { accountId: 'F', runId: run.id, readStartedAt, counts: [{ posItemId: 'p9', onHand: 3 }] });
    await finishRun(sql, run.id, { status: 'ok', confirmedAt: readStartedAt });
    const at = await itemLastConfirmedAt(sql, 'f9');
    assert.ok(at && at.getTime() > readStartedAt.getTime(), 'its own count stamped it; the older run adds nothing');
    assert.equal(await itemLastConfirmedAt(sql, 'nope'), null);
  });

  test("an extra source's account counts it: a stale extra source is reported though its item's first source is fresh", async () => {
    const { sql } = current().core;
    await syncAccounts(sql, [squareAccount('F'), squareAccount('XS'), squareAccount('XT')]);
    await registerMapping(sql, { ecommerceId: 'x1', accountId: 'XS', posItemId: 'xp1' });
    await addSource(sql, { ecommerceId: 'x1', accountId: 'XT', posItemId: 'xq1' });
    await registerMapping(sql, { ecommerceId: 'x2', accountId: 'XS', posItemId: 'xp2' });
    await addSource(sql, { ecommerceId: 'x2', accountId: 'XT', posItemId: 'xq2' });
    const first = await startRun(sql, { accountId: 'XS', trigger: 'cron' });
    const readStartedAt = new Date();
    await applyCountsPage(sql, { accountId: 'XS', runId: first.id, readStartedAt, counts: [{ posItemId: 'xp1', onHand: 1 }, { posItemId: 'xp2', onHand: 2 }] });
    await finishRun(sql, first.id, { status: 'ok', confirmedAt: readStartedAt });
    // Only x1's extra source is counted; x2's never is.
    await sql.transaction((tx) => applySourceCounts(tx, { accountId: 'XT', runId: null, readStartedAt: new Date() }, new Map([['xq1', { posItemId: 'xq1', onHand: 5 }]])));
    const counts = async () => new Map((await staleItemCounts(sql, new Map([['XS', 3600], ['XT', 3600]]))).map((c) => [c.accountId, c]));
    let now = await counts();
    assert.deepEqual([now.get('XT')!.items, now.get('XT')!.stale, now.get('XT')!.neverConfirmed], [2, 0, 1]);
    assert.equal(now.get('XS')!.stale, 0);

    // x1's extra source was last counted two hours ago: stale in XT, and only there.
    await sql.query("update item_sources set last_confirmed_at = now() - interval '2 hours', created_at = now() - interval '3 hours' where ecommerce_id = 'x1'");
    now = await counts();
    assert.deepEqual([now.get('XT')!.stale, now.get('XS')!.stale], [1, 0]);
    assert.ok(now.get('XT')!.oldestConfirmedAt!.getTime() < Date.now() - 3_600_000);
    const staleIn = async (account: string) => (await listMappingsPage(sql, account, { limit: 10, filter: 'stale', staleAfterMs: 3_600_000 })).items.map((m) => m.ecommerceId);
    assert.deepEqual(await staleIn('XT'), ['x1']);
    assert.deepEqual(await staleIn('XS'), []);
  });
});
