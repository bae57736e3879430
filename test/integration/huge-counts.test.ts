import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync } from '../../src/main.ts';
import { ACCOUNTS, embeddedSetup, pollNow, readmeConfig } from '../support/readme-setup.ts';
import { json, post } from '../support/server-process.ts';

/**
 * Issue 14, hole 5: a POS count above 2^31−1 failed the whole account's poll (integer columns).
 * It is now kept at 2^31−1 (what the shop's int column can hold too) with a journaled note, and
 * the account's other items are applied as usual.
 */
const INT_MAX = 2 ** 31 - 1;

for (const [pos, account, hugeId, normalId] of [
  ['square', ACCOUNTS.square, 'VARIATION000000000000001', 'VARIATION000000000000002'],
  ['lightspeed', ACCOUNTS.lightspeed, '1', '2'],
  ['hiboutik', ACCOUNTS.hiboutik, '1', '2'],
] as const) {
  test(`a ${pos} count above 2^31−1 is clamped and journaled; the other items still update`, { timeout: 300_000 }, async (t) => {
    const { sims, env } = await embeddedSetup(t);
    const possync = await startPossync(await readmeConfig(sims, env), { log: () => {} });
    t.after(() => possync.close());
    const sim = sims[pos];
    await json(await post(`${possync.url}/api/items?wait=true`, { item_pos_id: hugeId, item_ecommerce_id: 901, account_id: account }));
    await json(await post(`${possync.url}/api/items?wait=true`, { item_pos_id: normalId, item_ecommerce_id: 902, account_id: account }));

    await json(await post(`${sim.url}/__sim/stock`, { item: hugeId, quantity: 3_000_000_000 }));
    await json(await post(`${sim.url}/__sim/stock`, { item: normalId, quantity: 7 }));
    const run = await pollNow(possync.service, account);
    assert.equal(run.status, 'ok', run.error ?? '');

    const items = (await json(await fetch(`${possync.url}/api/items/${account}`))) as Array<{ item_ecommerce_id: string; on_hand: number; available: number }>;
    const byId = new Map(items.map((i) => [String(i.item_ecommerce_id), i]));
    assert.equal(byId.get('902')?.available, 7, 'the other item was updated');
    assert.equal(byId.get('901')?.on_hand, INT_MAX);
    assert.equal(byId.get('901')?.available, INT_MAX);
    const { rows } = await possync.core.sql.query<{ note: string | null }>(`select note from stock_journal where ecommerce_id = '901' order by id desc limit 1`);
    assert.match(rows[0]?.note ?? '', /reported 3000000000/);
    assert.equal((await possync.sink.readQuantities(['901'])).get('901'), INT_MAX, 'the shop table holds the clamped count');
  });
}
