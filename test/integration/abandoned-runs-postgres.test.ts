import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import { ACCOUNTS, startSimulators } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { freshPostgresDatabase } from '../support/databases.ts';
import { json, kill, post, serve } from '../support/server-process.ts';

/**
 * Hole 10 of issue 14: a poll cut short by a killed instance used to stay `running` for good on
 * PostgreSQL. Runs now belong to an instance and are made under the account's poll lock: a start
 * fails the runs whose lock is free, and leaves a live instance's run alone.
 */
test('PostgreSQL: a run cut short by kill -9 is failed at the restart; a live instance keeps its run', { timeout: 300_000 }, async (t) => {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const db = await freshPostgresDatabase();
  t.after(() => db.drop());
  const env = { ...sims.env, POSSYNC__hangfireDatabaseConnectionString: db.url };
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => {}); // the drop at the end ends it
  await client.connect();
  t.after(() => client.end());
  const runOf = async (id: number) =>
    (await client.query<{ status: string; error: string | null; owner: string }>('select status, error, owner from sync_runs where id = $1', [id])).rows[0];

  const a = await serve(env);
  t.after(() => kill(a));
  await json(await post(`${a.url}/api/items?wait=true`, { item_pos_id: 'VARIATION000000000000001', item_ecommerce_id: 101, account_id: ACCOUNTS.square }));
  await json(await post(`${a.url}/api/synchronizer/start`, { cron: '0 3 * * *' }));

  // Hold the counts read on the POS, so the poll is mid-run.
  const countsEndpoint = 'POST /v2/inventory/counts/batch-retrieve';
  const before = sims.square.kit.stats.requestsTo(countsEndpoint);
  sims.square.kit.faults.add({ endpoint: countsEndpoint, kind: 'latency', latencyMs: 60_000, count: 20 }); // every retry hangs too
  await json(await post(`${a.url}/api/synchronizer/forceUpdate`, { account_id: ACCOUNTS.square }));
  await waitUntil('the poll to reach the POS', async () => sims.square.kit.stats.requestsTo(countsEndpoint) > before);
  const { rows } = await client.query<{ id: string }>(`select id from sync_runs where account_id = $1 and status = 'running'`, [ACCOUNTS.square]);
  assert.equal(rows.length, 1);
  const runId = Number(rows[0]!.id);
  assert.match((await runOf(runId))!.owner, /:\d+:/, 'the run names its instance');

  // A second instance starting now must not fail the live instance's run.
  const b = await serve(env);
  t.after(() => kill(b));
  assert.equal((await runOf(runId))!.status, 'running', `a live instance keeps its run: ${JSON.stringify(await runOf(runId))}\n${b.output.join('')}`);

  await kill(a);
  const restarted = await serve(env);
  t.after(() => kill(restarted));
  const after = await waitUntil('the abandoned run to be failed', async () => {
    const run = await runOf(runId);
    return run?.status === 'failed' ? run : undefined;
  }, 10_000);
  assert.match(after.error ?? '', /^abandoned: possync \S+:\d+:\S+ stopped during the run$/);
});
