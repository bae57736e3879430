import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCOUNTS, startSimulators } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { json, kill, post, serve } from '../support/server-process.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

/**
 * `possync serve` as a user runs it, killed with SIGKILL in the middle of a poll: nothing that was
 * committed is lost, the abandoned run is marked as such, the schedule is still there after the
 * restart, and the next poll converges on the POS's counts.
 */
test('kill -9 during a poll loses nothing; the restart keeps the schedule and converges', { timeout: 300_000 }, async (t) => {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const dir = await migratedPgliteDir('possync-crash-');
  t.after(() => dir.remove());

  let server = await serve(sims.env, ['--data-dir', dir.path]);
  t.after(() => kill(server));
  for (const n of [1, 2, 3]) {
    await json(await post(`${server.url}/api/items?wait=true`, { item_pos_id: `VARIATION00000000000000${n}`, item_ecommerce_id: 100 + n, account_id: ACCOUNTS.square }));
  }
  await json(await post(`${server.url}/api/synchronizer/start`, { cron: '0 3 * * *', time_zone: 'Europe/Brussels' }));

  // Hold the next counts read on the POS side, so the kill lands in the middle of the poll.
  const countsEndpoint = 'POST /v2/inventory/counts/batch-retrieve';
  const before = sims.square.kit.stats.requestsTo(countsEndpoint);
  sims.square.kit.faults.add({ endpoint: countsEndpoint, kind: 'latency', latencyMs: 5_000, count: 1 });
  await fetch(`${sims.square.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'VARIATION000000000000002', quantity: 2 }) });
  await json(await post(`${server.url}/api/synchronizer/forceUpdate`, { account_id: ACCOUNTS.square }));
  await waitUntil('the poll to reach the POS', async () => sims.square.kit.stats.requestsTo(countsEndpoint) > before);
  await kill(server);

  server = await serve(sims.env, ['--data-dir', dir.path]);
  const status = await json(await fetch(`${server.url}/api/synchronizer`));
  assert.deepEqual([status.running, status.cron, status.time_zone], [true, '0 3 * * *', 'Europe/Brussels'], 'the schedule survived the kill');
  const abandoned = status.accounts.find((a: { account_id: string }) => a.account_id === ACCOUNTS.square).last_run;
  assert.equal(abandoned.status, 'failed');
  assert.match(abandoned.error, /abandoned/);

  const items = await json(await fetch(`${server.url}/api/items/${ACCOUNTS.square}`));
  assert.deepEqual(items.map((i: { item_ecommerce_id: string }) => String(i.item_ecommerce_id)).sort(), ['101', '102', '103'], 'every registration survived');

  await json(await post(`${server.url}/api/synchronizer/forceUpdate`, { account_id: ACCOUNTS.square }));
  const run = await waitUntil('a finished poll after the restart', async () => {
    const last = (await json(await fetch(`${server.url}/api/synchronizer`))).accounts.find((a: { account_id: string }) => a.account_id === ACCOUNTS.square).last_run;
    return last && last.id > abandoned.id && last.status !== 'running' ? last : undefined;
  });
  assert.equal(run.status, 'ok', run.error);
  const after = await json(await fetch(`${server.url}/api/items/${ACCOUNTS.square}`));
  assert.equal(after.find((i: { item_ecommerce_id: string }) => String(i.item_ecommerce_id) === '102').available, 2, 'the next poll converged on the POS count');
});
