/**
 * Dashboard pages at scale: 100,000 items, 1,000,000 journal rows, 100,000 jobs, 50,000 sales and
 * 20,000 runs, seeded in SQL, then each page rendered through `inject` (median of 5, printed, not
 * asserted). Run: node --import tsx bench/dashboard.bench.ts [--postgres]
 * Embedded PGlite by default (a throw-away folder); --postgres uses a fresh database on
 * 127.0.0.1:5432 as the tests do.
 */
import { PgBoss } from 'pg-boss';
import { createJobsPort } from '../src/jobs/port.ts';
import { buildApi } from '../src/api/app.ts';
import { openCore, type Core } from '../src/core/open.ts';
import { createTestDatabase, tempDir } from '../test/support/core.ts';
import { startBoss } from '../src/jobs/boss.ts';
import { DISPATCH_QUEUE, POLL_QUEUE, REGISTER_QUEUE } from '../src/jobs/queues.ts';
import { AccountSet } from '../src/engine/accounts.ts';
import { Synchronizer } from '../src/engine/synchronizer.ts';
import { SalesService } from '../src/engine/sales/service.ts';
import { openSink } from '../src/sink/open.ts';
import { DEFAULT_SINK_TABLE } from '../src/config/types.ts';
import { bossJobActions } from '../src/dashboard/job-actions.ts';
import type { Service } from '../src/engine/ports.ts';
import { checkHealth, checkReadiness, type HealthDeps } from '../src/engine/health.ts';
import { accountFreshness } from '../src/engine/freshness.ts';
import { trackSink } from '../src/sink/tracked.ts';
import type { AccountConfig } from '../src/pos/accounts.ts';

const ITEMS = 100_000;
const JOURNAL = 1_000_000;
const JOBS = 100_000;
const SALES = 50_000;
const RUNS = 20_000;

const usePostgres = process.argv.includes('--postgres');
const folder = usePostgres ? null : tempDir('possync-dashboard-bench-');
const database = usePostgres ? await createTestDatabase() : null;
const core: Core = await openCore(database ? { kind: 'postgres', connectionString: database.connectionString } : { kind: 'pglite', dataDir: folder!.path });
const boss: PgBoss = await startBoss(core, (e) => console.error(`pg-boss: ${e.message}`));

const accounts: AccountConfig[] = ['sq', 'hb', 'ls'].map((id) => ({ id, name: `Account ${id}`, connection: { pos: 'square', baseUrl: 'http://127.0.0.1:1', accessToken: 'x', locationIds: ['L'] } }));
const time = async (label: string, fn: () => Promise<unknown>) => {
  const t0 = performance.now();
  await fn();
  console.log(`seed ${label.padEnd(34)} ${((performance.now() - t0) / 1000).toFixed(1).padStart(6)} s`);
};

await time('accounts, 100,000 items', async () => {
  await core.sql.query(`insert into accounts (id, name, pos) values ('sq', 'Account sq', 'square'), ('hb', 'Account hb', 'hiboutik'), ('ls', 'Account ls', 'lightspeed')`);
  await core.sql.query(
    `insert into mappings (ecommerce_id, account_id, pos_item_id, description, on_hand, available, sink_quantity, on_hand_read_at, last_confirmed_at)
     select i::text, (array['sq','hb','ls'])[1 + i % 3], 'P' || i, 'Item ' || i || ' ' || (array['Blue Mug','Red Scarf','Oak Socks','Linen Jam'])[1 + i % 4],
            i % 50, i % 50, i % 50, now() - interval '1 minute', now() - (i % 120) * interval '1 minute'
       from generate_series(1, $1) as i`,
    [ITEMS],
  );
});
await time('20,000 runs', () => core.sql.query(
  `insert into sync_runs (account_id, trigger, started_at, finished_at, status, items_read, items_changed, api_calls, error)
   select (array['sq','hb','ls'])[1 + i % 3], 'cron', now() - i * interval '1 minute', now() - i * interval '1 minute' + interval '2 seconds',
          case when i % 50 = 0 then 'failed' else 'ok' end, 33333, i % 40, 34, case when i % 50 = 0 then 'unavailable: 503' end
     from generate_series(1, $1) as i`, [RUNS]));
await time('1,000,000 journal rows', () => core.sql.query(
  `insert into stock_journal (ecommerce_id, account_id, before, after, on_hand_before, on_hand_after, cause, run_id, at)
   select (1 + i % $2)::text, (array['sq','hb','ls'])[1 + (1 + i % $2) % 3], i % 50, (i + 1) % 50, i % 50, (i + 1) % 50, 'poll', 1 + i % $3,
          now() - (i % 43200) * interval '1 minute'
     from generate_series(1, $1) as i`, [JOURNAL, ITEMS, RUNS]));
await time('50,000 sales', () => core.sql.query(
  `insert into sales (id, idempotency_key, request_hash, ecommerce_id, account_id, pos_item_id, quantity, amount_cents, state, attempts, last_error, created_at, posted_at, pos_reference)
   select 'sale-' || i, 'key-' || i, 'h', (1 + i % $2)::text, (array['sq','hb','ls'])[1 + (1 + i % $2) % 3], 'P' || (1 + i % $2), 1, 1250,
          case when i % 100 = 0 then 'failed' else 'posted' end, 1, case when i % 100 = 0 then 'rejected: 400' end,
          now() - i * interval '30 seconds', case when i % 100 = 0 then null else now() - i * interval '30 seconds' end,
          case when i % 100 = 0 then null else 'R' || i end
     from generate_series(1, $1) as i`, [SALES, ITEMS]));
await time('100,000 jobs', () => core.sql.query(
  `insert into pgboss.job (name, data, state, singleton_key, created_on, start_after, started_on, completed_on, output)
   select case when i % 10 = 0 then $2 else $3 end, jsonb_build_object('accountId', (array['sq','hb','ls'])[1 + i % 3], 'trigger', 'cron'),
          (case when i % 200 = 0 then 'failed' else 'completed' end)::pgboss.job_state, (array['sq','hb','ls'])[1 + i % 3],
          now() - i * interval '20 seconds', now() - i * interval '20 seconds', now() - i * interval '20 seconds', now() - i * interval '20 seconds' + interval '1 second',
          case when i % 200 = 0 then jsonb_build_object('message', 'boom') else jsonb_build_object('runId', i) end
     from generate_series(1, $1) as i`, [JOBS, DISPATCH_QUEUE, POLL_QUEUE]));
await time('analyze', () => core.sql.query('analyze'));

const set = new AccountSet(accounts.map((config) => ({ config, adapter: null as never })));
const schedule = { cron: '*/5 * * * *', timeZone: 'UTC', startOnBoot: false, maxItemAgeSeconds: null };
const jobs = createJobsPort(core, boss);
const synchronizer = new Synchronizer(core, jobs, set, schedule);
const sink = trackSink(await openSink({ kind: 'embedded' }, DEFAULT_SINK_TABLE, { core: core.sql }), () => {});
const healthDeps: HealthDeps = { core, sink, jobs, accounts: set, defaults: schedule, schedule: async () => schedule, workersRunning: () => true };
const service: Service = {
  synchronizer,
  items: null as never,
  webhooks: null as never,
  // Intake is not exercised by the pages.
  sales: new SalesService(core, jobs, null as never, () => {}),
  health: () => checkHealth(healthDeps),
  readiness: () => checkReadiness(healthDeps),
  freshness: () => accountFreshness(core.sql, accounts, schedule, schedule),
  accountIds: () => set.ids(),
};
const app = await buildApi(service, {
  apiKeys: [],
  version: 'bench',
  dashboard: {
    service, sql: core.sql, sink, jobs: bossJobActions(boss), readOnly: false,
    accounts: accounts.map((a) => ({ id: a.id, name: a.name, pos: a.connection.pos, rateLimit: { kind: 'unpublished' } })),
    queues: { poll: POLL_QUEUE, all: [POLL_QUEUE, DISPATCH_QUEUE, REGISTER_QUEUE] },
  },
});
await app.ready();

const cursor = /href="[^"]*after=([^"&]+)"/;
const firstPage = await app.inject({ method: 'GET', url: '/hangfire/jobs?state=succeeded', remoteAddress: '127.0.0.1' });
const after = decodeURIComponent(cursor.exec(firstPage.body)?.[1] ?? '');
const pages = [
  '/hangfire', '/hangfire/fragments/live', '/hangfire/jobs?state=succeeded', `/hangfire/jobs?state=succeeded&after=${encodeURIComponent(after)}`,
  '/hangfire/jobs?state=failed', '/hangfire/jobs?state=queued', '/hangfire/recurring', '/hangfire/servers', '/hangfire/accounts',
  '/hangfire/items', '/hangfire/items?q=scarf', '/hangfire/items?q=99999', '/hangfire/items?q=P4242', '/hangfire/items/50000',
  '/hangfire/sales', '/hangfire/sales?state=failed', '/hangfire/runs', '/hangfire/runs?account=hb', '/hangfire/runs/100',
];
console.log(`\n${core.kind}: ${ITEMS.toLocaleString('en-US')} items, ${JOURNAL.toLocaleString('en-US')} journal rows, ${JOBS.toLocaleString('en-US')} jobs, ${SALES.toLocaleString('en-US')} sales, ${RUNS.toLocaleString('en-US')} runs; median of 5`);
for (const url of pages) {
  const times: number[] = [];
  let status = 0;
  let bytes = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const res = await app.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' });
    times.push(performance.now() - t0);
    status = res.statusCode;
    bytes = res.body.length;
  }
  times.sort((a, b) => a - b);
  console.log(`${url.padEnd(64)} ${status} ${String(bytes).padStart(7)} B ${times[2]!.toFixed(0).padStart(6)} ms`);
}

// The overview's parts one by one, to see which query a slow page waits on.
const { jobCounts, jobsPerHour } = await import('../src/dashboard/queries/jobs.ts');
const { saleCounts, runsPerHour, salesPerHour } = await import('../src/dashboard/queries/activity.ts');
const queues = [POLL_QUEUE, DISPATCH_QUEUE, REGISTER_QUEUE];
const parts: Array<[string, () => Promise<unknown>]> = [
  ['synchronizer.status()', () => synchronizer.status()], ['jobCounts', () => jobCounts(core.sql, queues)], ['saleCounts', () => saleCounts(core.sql)],
  ['sales.list(failed, 10)', () => service.sales.list({ state: 'failed', limit: 10 })], ['jobsPerHour', () => jobsPerHour(core.sql, queues)],
  ['runsPerHour', () => runsPerHour(core.sql)], ['salesPerHour', () => salesPerHour(core.sql)], ['service.freshness()', () => service.freshness()],
];
console.log('');
for (const [label, fn] of parts) {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  console.log(`query ${label.padEnd(58)} ${times[2]!.toFixed(0).padStart(6)} ms`);
}

await app.close();
await sink.close();
await boss.stop({ graceful: false });
await core.close();
folder?.remove();
await database?.drop();
