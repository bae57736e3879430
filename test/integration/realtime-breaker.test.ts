/**
 * Webhook updates go through the poll's breaker, measured over a sliding window (issue 12): a
 * glitch that zeroes the catalog a few items per webhook trips it as one poll would. Driven through
 * the engine (events recorded as the webhook route records them) on PostgreSQL and the Square
 * simulator; the route's signature checks are realtime.test.ts's business.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCOUNTS, readmeConfig, startSimulators } from '../support/readme-setup.ts';
import { freshPostgresDatabase } from '../support/databases.ts';
import { openEngineRig } from '../support/engine.ts';
import { registerItem } from '../../src/engine/register.ts';
import { pollAccount } from '../../src/engine/sync.ts';
import { applyWebhookEvents } from '../../src/engine/webhooks.ts';
import { recordWebhookEvent } from '../../src/core/webhooks.ts';
import { RunDecisions } from '../../src/engine/run-control.ts';

const variation = (n: number) => `VARIATION${String(n).padStart(15, '0')}`;

test('webhook zeroes add up over the window: the batch that crosses the line is held, later events wait for the decision', { timeout: 300_000 }, async (t) => {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const db = await freshPostgresDatabase();
  t.after(() => db.drop());
  const rig = await openEngineRig(await readmeConfig(sims, { POSSYNC__hangfireDatabaseConnectionString: db.url }));
  t.after(() => rig.close());
  const account = rig.accounts.get(ACCOUNTS.square)!;
  for (let n = 1; n <= 12; n++) await registerItem(rig.context, rig.accounts, { accountId: ACCOUNTS.square, ecommerceId: String(1000 + n), itemPosId: variation(n) });
  assert.equal((await pollAccount(rig.context, account, 'manual'))?.status, 'ok');
  const zero = (n: number) => fetch(`${sims.square.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: variation(n), quantity: 0 }) });
  const event = (id: string, items: number[]) => recordWebhookEvent(rig.core.sql, { accountId: ACCOUNTS.square, eventId: id, posItemIds: items.map(variation) });
  const shop = async () => Object.fromEntries(await rig.context.sink.readQuantities(['1001', '1002', '1003', '1004']));

  // Two of 11 counted items zeroed (18 %): under MaxZeroedShare, applied.
  await zero(1);
  await zero(2);
  await event('e1', [1, 2]);
  const first = await applyWebhookEvents(rig.context, account);
  assert.equal(first.itemsChanged, 2);
  assert.equal(first.heldRunId, undefined);
  assert.deepEqual(await shop(), { '1001': 0, '1002': 0, '1003': 12, '1004': 13 });

  // One more: alone it is 9 %, with the window's two it is 27 %: held, nothing written.
  await zero(3);
  await event('e2', [3]);
  const second = await applyWebhookEvents(rig.context, account);
  assert.ok(second.heldRunId, 'the batch became a held run');
  assert.deepEqual(await shop(), { '1001': 0, '1002': 0, '1003': 12, '1004': 13 });
  const runs = new RunDecisions(rig.context, () => rig.accounts.ids());
  const detail = await runs.get(second.heldRunId!, { limit: 10 });
  assert.equal(detail.run.trigger, 'webhook');
  assert.match(detail.heldReason ?? '', /3 item\(s\) would go to 0 .*\(webhook updates of the last 10 min counted together\)/);
  assert.deepEqual(detail.items.map((i) => [i.ecommerceId, i.after]), [['1003', 0]]);

  // While it is held, later events stay pending: nothing bypasses the decision.
  await zero(4);
  await event('e3', [4]);
  const waiting = await applyWebhookEvents(rig.context, account);
  assert.deepEqual([waiting.events, waiting.itemsChanged], [0, 0]);
  const { rows } = await rig.core.sql.query<{ n: number }>(`select count(*)::int as n from webhook_events where account_id = $1 and applied_at is null`, [ACCOUNTS.square]);
  assert.equal(rows[0]?.n, 1);
  assert.deepEqual(await shop(), { '1001': 0, '1002': 0, '1003': 12, '1004': 13 });

  // Applied by the operator, its item is written with cause webhook; the next batch is measured again.
  const applied = await runs.apply(second.heldRunId!);
  assert.equal(applied.written, 1);
  assert.equal((await shop())['1003'], 0);
  const journal = await rig.core.sql.query<{ cause: string; run_id: string }>(`select cause, run_id from stock_journal where ecommerce_id = '1003' order by id desc limit 1`);
  assert.deepEqual([journal.rows[0]?.cause, Number(journal.rows[0]?.run_id)], ['webhook', second.heldRunId]);
});
