import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync } from '../../src/main.ts';
import { ACCOUNTS, embeddedSetup, readmeConfig } from '../support/readme-setup.ts';
import { json, post } from '../support/server-process.ts';

/**
 * Issue 14, hole 4: an item whose account left the configuration can no longer be posted to any
 * POS, so its sales are refused (409 naming the account, nothing reserved, a log line) and its
 * mapping is listed as orphaned.
 */
test('a sale of an item whose account left the config is refused, and the item is listed as orphaned', { timeout: 300_000 }, async (t) => {
  const { sims, env } = await embeddedSetup(t);

  const before = await startPossync(await readmeConfig(sims, env), { log: () => {} });
  const registered = await json(await post(`${before.url}/api/items?wait=true`, { item_pos_id: '1', item_ecommerce_id: 301, account_id: ACCOUNTS.hiboutik }));
  await json(await post(`${before.url}/api/items?wait=true`, { item_pos_id: 'VARIATION000000000000001', item_ecommerce_id: 101, account_id: ACCOUNTS.square }));
  await before.close();

  // The Hiboutik account is taken out of the configuration.
  const config = await readmeConfig(sims, env);
  config.accounts = config.accounts.filter((account) => account.id !== ACCOUNTS.hiboutik);
  const logged: string[] = [];
  const after = await startPossync(config, { log: (line) => logged.push(line) });
  t.after(() => after.close());

  const refused = await post(`${after.url}/api/synchronizer/sale`, { item_ecommerce_id: 301, delta: 1, balance: 100 }, { 'Idempotency-Key': 'orphan-1' });
  const body = (await refused.json()) as { error: string; field: string; message: string; details: { account_id: string } };
  assert.equal(refused.status, 409, JSON.stringify(body));
  assert.equal(body.field, 'item_ecommerce_id');
  assert.equal(body.details.account_id, ACCOUNTS.hiboutik);
  assert.match(body.message, new RegExp(`account "${ACCOUNTS.hiboutik}", which is no longer configured`));
  assert.ok(logged.some((line) => line.includes('sale refused') && line.includes(ACCOUNTS.hiboutik)), `logged: ${logged.join('\n')}`);

  const { rows } = await after.core.sql.query<{ n: number }>('select count(*)::int as n from sales');
  assert.equal(rows[0]!.n, 0, 'no sale in the ledger');
  const orphans = await json(await fetch(`${after.url}/api/items/${ACCOUNTS.hiboutik}`));
  assert.equal(orphans.length, 1);
  assert.equal(orphans[0].orphaned, true);
  assert.equal(orphans[0].available, registered.available, 'nothing was reserved');
  const kept = await json(await fetch(`${after.url}/api/items/${ACCOUNTS.square}`));
  assert.equal(kept[0].orphaned, false);
  // A configured account's item still sells, and an id that never had items is still unknown.
  assert.equal((await post(`${after.url}/api/synchronizer/sale`, { item_ecommerce_id: 101, delta: 1, balance: 100 })).status, 202);
  assert.equal((await fetch(`${after.url}/api/items/nobody`)).status, 404);
});
