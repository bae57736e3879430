import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import type { Simulator } from '../../src/simulators/kit/options.ts';
import { ACCOUNTS, startSimulators } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { freshPostgresDatabase } from '../support/databases.ts';
import { json, kill, post, QUICK_RECOVERY, serve, type ServerProcess } from '../support/server-process.ts';

/**
 * What the README promises for PostgreSQL ("several possync instances may share it"): three
 * `possync serve` processes started together on one empty database, a stream of sales and forced
 * polls spread over them, one of them killed with SIGKILL mid-run and restarted. Checked from the
 * outside: the simulators' ledgers and counters, and the runs table.
 */
test('three possync instances on one PostgreSQL, one killed mid-run: every sale posted once, polls never overlap, budgets shared', { timeout: 300_000 }, async (t) => {
  const sims = await startSimulators();
  t.after(() => sims.close());
  const db = await freshPostgresDatabase();
  t.after(() => db.drop());
  // The killed instance's jobs and dispatch leases pass to the others after seconds (Jobs.* lower bounds).
  // Three instances with the default pools held up to 79 of the server's 100 connections, so a
  // PostgreSQL test running beside this one could be refused ("too many clients"): 3 each, as
  // instances sharing one server would be set up.
  const env = { ...sims.env, POSSYNC__hangfireDatabaseConnectionString: db.url, POSSYNC__Core__PoolSize: '3', ...QUICK_RECOVERY };

  // Started together on an empty database: they race to migrate and create the shop table.
  const servers: ServerProcess[] = await Promise.all([0, 1, 2].map(() => serve(env)));
  t.after(() => Promise.all(servers.map((s) => kill(s))));
  const client = new pg.Client({ connectionString: db.url });
  client.on('error', () => {}); // the drop at the end ends it
  await client.connect();
  t.after(() => client.end());

  const all: Array<{ sim: Simulator; account: string; posIds: string[]; base: number }> = [
    { sim: sims.square, account: ACCOUNTS.square, posIds: [1, 2, 3].map((n) => `VARIATION00000000000000${n}`), base: 100 },
    { sim: sims.lightspeed, account: ACCOUNTS.lightspeed, posIds: ['1', '2', '3'], base: 200 },
    { sim: sims.hiboutik, account: ACCOUNTS.hiboutik, posIds: ['1', '2', '3'], base: 300 },
  ];
  const items: Array<{ ecommerceId: number; account: string }> = [];
  let turn = 0;
  for (const { sim, account, posIds, base } of all) {
    for (const [i, posId] of posIds.entries()) {
      await post(`${sim.url}/__sim/stock`, { item: posId, quantity: 100 });
      // Registrations through every instance in turn.
      await json(await post(`${servers[turn++ % 3]!.url}/api/items?wait=true`, { item_pos_id: posId, item_ecommerce_id: base + i + 1, account_id: account }));
      items.push({ ecommerceId: base + i + 1, account });
    }
  }
  await json(await post(`${servers[0]!.url}/api/synchronizer/start`, { cron: '* * * * *' }));

  const TOTAL = 60;
  const KILL_AT = 30;
  const accepted = new Set<string>();
  const live = () => servers.filter((s) => s.child.exitCode === null && s.child.signalCode === null);
  // A shop retries with the same key on another instance when one does not answer.
  const sendOne = async (n: number): Promise<void> => {
    const item = items[n % items.length]!;
    for (let attempt = 0; ; attempt++) {
      const up = live();
      const server = up[(n + attempt) % up.length]!;
      try {
        const answer = await post(`${server.url}/api/synchronizer/sale`, { item_ecommerce_id: item.ecommerceId, delta: 1, balance: 990 }, { 'Idempotency-Key': `order-${n}` });
        if (answer.status !== 202) throw new Error(`unexpected ${answer.status}: ${await answer.text()}`);
        accepted.add(((await answer.json()) as { sale_id: string }).sale_id);
        return;
      } catch (error) {
        if (!(error instanceof TypeError) || attempt > 20) throw error; // fetch failed: that instance is down
      }
    }
  };
  // Forced polls from every instance while sales flow, so polls of one account contend. Each
  // next one is sent once the last has left the queue (started or done), not after a fixed pause.
  let polling = true;
  const poller = (async () => {
    for (let n = 0; polling; n++) {
      const up = live();
      const server = up[n % up.length]!;
      const { account } = all[n % all.length]!;
      const answer = await post(`${server.url}/api/synchronizer/forceUpdate`, { account_id: account }).catch(() => undefined);
      const jobId = answer?.ok ? ((await answer.json()) as { queued: Array<{ job_id: string | null }> }).queued[0]?.job_id : undefined;
      if (!jobId) continue; // that instance was being killed: the next turn asks another
      await waitUntil(`forced poll ${jobId} to start`, async () => {
        const task = await fetch(`${server.url}/api/itemstask/${jobId}`).catch(() => undefined);
        // A killed instance cannot answer: its poll is the others' business now.
        return !task || (task.ok && ((await task.json()) as { state: string }).state !== 'queued');
      }).catch(() => undefined);
    }
  })();

  for (let n = 0; n < TOTAL; n += 10) {
    await Promise.all(Array.from({ length: 10 }, (_, i) => sendOne(n + i)));
    if (n + 10 === KILL_AT) {
      // Mid-run: dispatch busy with what was just accepted, polls under way.
      await waitUntil('a poll under way', async () => (await client.query(`select 1 from sync_runs where status = 'running'`)).rows.length > 0);
      await kill(servers[1]!);
      servers[1] = await serve(env);
    }
  }
  polling = false;
  await poller;
  assert.equal(accepted.size, TOTAL);

  await waitUntil(
    'every accepted sale posted',
    async () => {
      const { rows } = await client.query<{ state: string; n: number }>('select state, count(*)::int as n from sales group by state');
      if (rows.length === 1 && rows[0]!.state === 'posted' && rows[0]!.n === TOTAL) return true;
      // Shown if the wait times out: the sales still waiting and the dispatch jobs, to say why.
      const waiting = await client.query(`select id, account_id, state, attempts, last_error from sales where state <> 'posted'`);
      const jobs = await client.query(`select singleton_key, state, retry_count, start_after, output from pgboss.job where name = 'possync-dispatch' and state <> 'completed' order by created_on`);
      throw new Error(JSON.stringify({ states: rows, waiting: waiting.rows, dispatchJobs: jobs.rows }));
    },
    180_000,
  );

  // Every sale on its POS exactly once.
  const byReference = new Map<string, number>();
  for (const { sim } of all) {
    for (const entry of sim.kit.ledger.list({ source: 'api', kind: 'sale' })) {
      const key = entry.reference ?? `posId:${entry.posId}`;
      byReference.set(key, (byReference.get(key) ?? 0) + 1);
    }
  }
  assert.deepEqual([...byReference].filter(([, n]) => n > 1), [], 'no sale posted twice');
  const unposted = [...accepted].filter((id) => !byReference.has(id));
  const detail = unposted.length
    ? JSON.stringify((await client.query('select id, account_id, pos_reference, attempts, last_error, posted_at from sales where id = any($1)', [unposted])).rows) +
      JSON.stringify(all.map(({ sim }) => sim.kit.ledger.list({ source: 'api', kind: 'sale' }).filter((e) => !accepted.has(e.reference ?? '')).slice(0, 3)))
    : '';
  assert.deepEqual(unposted, [], `every accepted sale reached its POS ${detail}`);
  assert.deepEqual([...byReference.keys()].filter((ref) => !accepted.has(ref)), [], 'nothing posted that was not accepted');

  // No two polls of one account overlapped (runs of a killed instance end when the next poll fails them).
  const { rows: runs } = await client.query<{ account_id: string; id: string; started_at: Date; finished_at: Date | null; owner: string }>(
    'select account_id, id, started_at, finished_at, owner from sync_runs order by account_id, started_at, id',
  );
  const overlaps: string[] = [];
  for (let i = 1; i < runs.length; i++) {
    const [a, b] = [runs[i - 1]!, runs[i]!];
    if (a.account_id === b.account_id && (a.finished_at === null || a.finished_at > b.started_at)) overlaps.push(`${a.account_id}: run ${a.id} and ${b.id}`);
  }
  assert.deepEqual(overlaps, [], 'polls of one account never overlap');
  assert.ok(new Set(runs.map((r) => r.owner)).size >= 2, 'polls ran on several instances');
  for (const { account } of all) assert.ok(runs.some((r) => r.account_id === account), `${account} was polled`);

  // The Hiboutik monthly quota is the account's: the database counts the calls all instances made.
  // A call counted just before the SIGKILL may never have been sent: at most one per instance killed.
  const quota = ((await (await fetch(`${sims.hiboutik.url}/__sim/quota`)).json()) as { used: number }).used;
  const { rows: budget } = await client.query<{ used: number }>('select used from call_budgets where account_id = $1', [ACCOUNTS.hiboutik]);
  const stored = budget[0]?.used ?? 0;
  assert.ok(stored >= quota && stored <= quota + 1, `stored ${stored} calls, Hiboutik saw ${quota}`);

  // The Lightspeed bucket is the account's too: mirrored from the answers, no instance overflowed it.
  const lightspeedStatuses = Object.values(sims.lightspeed.kit.stats.snapshot().endpoints).flatMap((e) => Object.keys(e.statuses));
  assert.ok(!lightspeedStatuses.includes('429'), `Lightspeed answered ${lightspeedStatuses.join(', ')}`);
  const oauth = (await (await fetch(`${sims.lightspeed.url}/__sim/oauth`)).json()) as { activeRefreshTokens: number };
  assert.equal(oauth.activeRefreshTokens, 1, 'one Lightspeed token chain');
});
