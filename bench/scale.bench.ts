/**
 * possync at catalog scale, in one run against the simulators (own process, 20 ms latency per call,
 * real rate limits: Lightspeed's bucket of 90 draining 1/s, Hiboutik's quota):
 *  1. POS calls and wall time to map 10,000 items per POS in bulk, beside each target;
 *  2. with 100,000 mapped items across the three accounts, on PostgreSQL and on PGlite: the service's
 *     peak RSS, the time of a full poll of all accounts, the rows a poll in which nothing changed
 *     writes, and sale intake (accepted/s, p99) beside the same with 1,000 items mapped.
 * The imports and the no-change poll run the service in this process (it reads row versions from
 * the database); the full poll, the intake and the RSS figures come from `possync serve` started
 * afresh on the same database in a child process, as in production (its VmHWM from /proc, also
 * read once it listens and after the full poll, to show which phase set the peak).
 * Run: npm run bench:scale  (BENCH_BACKENDS=postgres,pglite  BENCH_SECONDS=5  BENCH_CONNECTIONS=32  BENCH_SCALE=1)
 */
import { readFileSync } from 'node:fs';
import { startPossync, type RunningPossync } from '../src/main.ts';
import { loadConfig } from '../src/config/index.ts';
import type { SqlQueryable } from '../src/core/sql.ts';
import type { BulkRow } from '../src/engine/bulk/rows.ts';
import { ACCOUNTS, README_CONFIG, tempDir } from '../test/support/readme-setup.ts';
import { freshPostgresDatabase } from '../test/support/databases.ts';
import { kill, serve } from '../test/support/server-process.ts';
import { PER_POS, SIZES } from './scale-sizes.ts';
import * as bench from './bench-support.ts';
import type { LoadResult } from './bench-support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'postgres,pglite').split(',');

const squareId = (i: number) => `VARIATION${String(i + 1).padStart(15, '0')}`;
const rowsFor = (account: string, from: number, to: number, base: number): BulkRow[] =>
  Array.from({ length: to - from }, (_, k) => ({
    row: k + 1,
    ecommerceId: String(base + from + k + 1),
    accountId: account,
    key: { by: 'sku' as const, value: `SKU-${from + k + 1}` },
  }));
const BASES = { [ACCOUNTS.square]: 0, [ACCOUNTS.lightspeed]: 100_000, [ACCOUNTS.hiboutik]: 200_000 } as const;

const load = (url: string, keyPrefix: string) => bench.load(url, { item_ecommerce_id: 1, delta: 1, balance: 500 }, keyPrefix, SECONDS, CONNECTIONS);

/** Every row version of the core's mappings and the shop table, and the journal's size. */
async function versions(sql: SqlQueryable): Promise<{ rows: Map<string, string>; journal: number }> {
  const rows = new Map<string, string>();
  const core = await sql.query<{ k: string; v: string }>('select ecommerce_id as k, xmin::text as v from mappings');
  for (const r of core.rows) rows.set(`core ${r.k}`, r.v);
  const shop = await sql.query<{ k: string; v: string }>('select "idProductEcommerce"::text as k, xmin::text as v from stock');
  for (const r of shop.rows) rows.set(`shop ${r.k}`, r.v);
  const journal = await sql.query<{ n: number }>('select count(*)::int as n from stock_journal');
  return { rows, journal: journal.rows[0]!.n };
}

interface StatusJson {
  accounts: Array<{ account_id: string; pos: string; last_run: { id: number; status: string; items_read: number; api_calls: number; error: string | null } | null }>;
}

/** Forces a poll of every account over HTTP and waits until each has a newer finished run. */
async function pollAll(url: string): Promise<{ seconds: number; runs: string[] }> {
  const status = async () => (await (await fetch(`${url}/api/synchronizer`)).json()) as StatusJson;
  const before = new Map((await status()).accounts.map((a) => [a.account_id, a.last_run?.id ?? 0]));
  const started = performance.now();
  await fetch(`${url}/api/synchronizer/forceUpdate`, { method: 'POST' });
  for (;;) {
    const accounts = (await status()).accounts;
    const done = accounts.filter((a) => a.last_run && a.last_run.id > (before.get(a.account_id) ?? 0) && a.last_run.status !== 'running');
    if (done.length === accounts.length) {
      return {
        seconds: (performance.now() - started) / 1000,
        runs: done.map((a) => `${a.pos} ${a.last_run!.status} ${a.last_run!.items_read} read, ${a.last_run!.api_calls} calls${a.last_run!.error ? ` (${a.last_run!.error})` : ''}`),
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `possync serve` on the same database in a child process, as in production; its peak RSS from /proc. */
async function served(simEnv: Record<string, string>, backendEnv: Record<string, string>) {
  const server = await serve({ ...simEnv, ...prefixed(backendEnv) });
  return {
    url: server.url,
    /** Whether the service still runs, and the end of what it printed (for a failure). */
    state: () => `possync serve ${(server.child.exitCode ?? server.child.signalCode) === null ? 'still runs' : `exited (${server.child.exitCode ?? server.child.signalCode})`}; it printed:\n${server.output.join('').slice(-4000)}`,
    peakMb: () => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${server.child.pid}/status`, 'utf8'))?.[1] ?? 0) / 1024,
    stop: () => kill(server),
  };
}

const prefixed = (env: Record<string, string>) => Object.fromEntries(Object.entries(env).map(([k, v]) => [k.startsWith('POSSYNC__') ? k : `POSSYNC__${k}`, v]));

async function bulk(possync: RunningPossync, rows: BulkRow[]) {
  const started = performance.now();
  const task = await possync.service.items.bulk(rows, { dryRun: false, wait: true });
  const seconds = (performance.now() - started) / 1000;
  const counts = Object.entries(task.summary?.counts ?? {}).filter(([, n]) => n > 0).map(([s, n]) => `${n} ${s}`).join(', ');
  const accounts = task.summary?.accounts ?? [];
  return { seconds, calls: accounts.reduce((n, a) => n + a.pos_calls, 0), catalogSeconds: accounts.reduce((n, a) => n + a.catalog_seconds, 0), counts };
}

async function backend(name: string): Promise<{ env: Record<string, string>; cleanup(): Promise<void> }> {
  if (name === 'postgres') {
    const db = await freshPostgresDatabase();
    return { env: { hangfireDatabaseConnectionString: db.url }, cleanup: () => db.drop() };
  }
  const dir = tempDir('possync-scale-');
  return { env: { POSSYNC__Core__DataFolder: dir.path }, cleanup: async () => dir.remove() };
}

async function start(simEnv: Record<string, string>, backendEnv: Record<string, string>): Promise<RunningPossync> {
  const config = await loadConfig({ file: README_CONFIG, env: { ...simEnv, ...prefixed(backendEnv) } });
  config.server.port = 0;
  return startPossync(config, { log: () => {} });
}

const { child: simulators, env: simEnv } = await bench.simulatorsProcess(new URL('./scale-simulators.ts', import.meta.url));

const TARGETS: Record<string, { catalog: number; target: (calls: number) => string }> = {
  [ACCOUNTS.square]: { catalog: SIZES.square, target: () => `≤ ${Math.ceil(SIZES.square / 1000) + Math.ceil(PER_POS / 1000) + 5} calls` },
  // Each catalog page (with the shop's counts) costs 1.4 drips; 90 fit the bucket, the rest drip at 1/s.
  [ACCOUNTS.lightspeed]: { catalog: SIZES.lightspeed, target: (calls) => `wall ≤ 1.2 × bucket floor ${Math.max(0, calls * 1.4 - 90).toFixed(0)} s` },
  [ACCOUNTS.hiboutik]: { catalog: SIZES.hiboutik, target: () => `≤ ${Math.ceil(SIZES.hiboutik / 250) + 3} calls` },
};

try {
  console.log(`bench:scale — simulators with 20 ms latency and real rate limits; catalogs: Square ${SIZES.square}, Lightspeed ${SIZES.lightspeed}, Hiboutik ${SIZES.hiboutik}`);
  for (const name of BACKENDS) {
    console.log(`\n=== core on ${name} ===`);
    // Intake with 1,000 items mapped, on a database of its own, against \`possync serve\`.
    const smallSetup = await backend(name);
    let possync = await start(simEnv, smallSetup.env);
    await bulk(possync, rowsFor(ACCOUNTS.square, 0, 1000, 0));
    await possync.close();
    let service = await served(simEnv, smallSetup.env);
    const small = await load(`${service.url}/api/synchronizer/sale`, `scale-small-${name}-${Date.now()}`);
    const smallPeak = service.peakMb();
    await service.stop();
    await smallSetup.cleanup();

    const setup = await backend(name);
    possync = await start(simEnv, setup.env);
    let closed = false;
    try {
      console.log(`1. bulk mapping of ${PER_POS} items per POS (by SKU, from each whole catalog):`);
      for (const account of [ACCOUNTS.square, ACCOUNTS.lightspeed, ACCOUNTS.hiboutik]) {
        const result = await bulk(possync, rowsFor(account, 0, PER_POS, BASES[account]));
        const t = TARGETS[account]!;
        console.log(
          `   ${account.padEnd(28)} catalog ${String(t.catalog).padStart(6)}: ${String(result.calls).padStart(4)} POS calls (${t.target(result.calls)}), ` +
            `${result.seconds.toFixed(1)} s in all, of which reading the catalog ${result.catalogSeconds.toFixed(1)} s — ${result.counts}`,
        );
      }
      const rest = await bulk(
        possync,
        [...rowsFor(ACCOUNTS.square, PER_POS, SIZES.square, BASES[ACCOUNTS.square]), ...rowsFor(ACCOUNTS.hiboutik, PER_POS, SIZES.hiboutik, BASES[ACCOUNTS.hiboutik])].map(
          (row, i) => ({ ...row, row: i + 1 }),
        ),
      );
      const { rows: mapped } = await possync.core.sql.query<{ n: number }>('select count(*)::int as n from mappings');
      console.log(`   the rest, to ${mapped[0]!.n} mapped items: ${rest.calls} POS calls, ${rest.seconds.toFixed(1)} s — ${rest.counts}`);

      console.log(`2. with ${mapped[0]!.n} mapped items:`);
      // Counts settle (the imports read them), then a poll in which nothing changes.
      await pollAll(possync.url);
      const before = await versions(possync.core.sql);
      const still = await pollAll(possync.url);
      const after = await versions(possync.core.sql);
      let written = after.journal - before.journal;
      for (const [key, version] of after.rows) if (before.rows.get(key) !== version) written += 1;
      console.log(`   a poll in which nothing changed: ${still.seconds.toFixed(1)} s, ${written} rows written (core mappings + shop table + journal; target 0)`);
      await possync.close();
      closed = true;

      service = await served(simEnv, setup.env);
      const state = service.state;
      try {
        const startedPeak = service.peakMb();
        const full = await pollAll(service.url).catch((error: unknown) => {
          throw new Error(`the full poll failed: ${state()}`, { cause: error });
        });
        console.log(`   full poll of all accounts by \`possync serve\`: ${full.seconds.toFixed(1)} s (${full.runs.join('; ')})`);
        const polledPeak = service.peakMb();
        const big = await load(`${service.url}/api/synchronizer/sale`, `scale-big-${name}-${Date.now()}`);
        const row = (label: string, r: LoadResult) => `   sale intake, ${label}: ${r.perSecond.toFixed(0)} accepted/s, p99 ${r.p99.toFixed(1)} ms ${JSON.stringify(r.statuses)}`;
        console.log(row('1,000 items mapped  ', small));
        console.log(row(`${mapped[0]!.n} items mapped`, big));
        console.log(`   peak RSS of \`possync serve\`: ${service.peakMb().toFixed(0)} MB with ${mapped[0]!.n} items (poll + intake)${name === 'postgres' ? ', target ≤ 250 MB' : ''}; ${smallPeak.toFixed(0)} MB with 1,000 (intake)`);
        console.log(`     by phase, with ${mapped[0]!.n} items: ${startedPeak.toFixed(0)} MB once listening, ${polledPeak.toFixed(0)} MB after the full poll, ${service.peakMb().toFixed(0)} MB after intake`);
      } finally {
        await service.stop();
      }
    } finally {
      if (!closed) await possync.close();
      await setup.cleanup();
    }
  }
} finally {
  simulators.kill('SIGTERM');
}
