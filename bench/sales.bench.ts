/**
 * Sale intake on the embedded default (PGlite), measured from a separate load process over
 * loopback: accepted sales per second, p50 and p99 — first with dispatch posting the sales to the
 * simulators at the same time (as in production), then alone — beside a bare Fastify route that
 * does one insert into the same database, in the same run.
 * Run: npm run bench:sales  (BENCH_SECONDS, BENCH_CONNECTIONS to change)
 */
import Fastify from 'fastify';
import { startPossync } from '../src/main.ts';
import { loadConfig } from '../src/config/index.ts';
import { ACCOUNTS, README_CONFIG, tempDir } from '../test/support/readme-setup.ts';
import * as bench from './bench-support.ts';
import type { LoadResult } from './bench-support.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);

const load = (url: string, body: unknown, keyPrefix: string) => bench.load(url, body, keyPrefix, SECONDS, CONNECTIONS);

// The POS simulators run in their own process (seeded with plenty of stock, so every sale is an
// acceptance rather than a 409); dispatch posts to them while intake is measured.
const { child: simulators, env: simEnv } = await bench.simulatorsProcess(new URL('./simulators-process.ts', import.meta.url));
const dir = tempDir('possync-bench-');
const config = await loadConfig({ file: README_CONFIG, env: { ...simEnv, POSSYNC__Core__DataFolder: dir.path } });
config.server.port = 0;
const possync = await startPossync(config, { log: () => {} });
try {
  await possync.service.items.registerNow({ accountId: ACCOUNTS.square, ecommerceId: '101', itemPosId: 'VARIATION000000000000001' });

  const sale = { item_ecommerce_id: 101, delta: 1, balance: 1250 };
  const withDispatch = await load(`${possync.url}/api/synchronizer/sale`, sale, `bench-a-${Date.now()}`);
  // Then intake alone: the POS holds sale posts for a minute, so dispatch waits instead of working.
  const square = simEnv.POSSYNC__PosAccess__PosConfigurations__0__BaseUrl!;
  await fetch(`${square}/__sim/faults`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ endpoint: 'POST /v2/inventory/changes/batch-create', kind: 'latency', latencyMs: 60_000 }),
  });
  const alone = await load(`${possync.url}/api/synchronizer/sale`, sale, `bench-b-${Date.now()}`);

  await possync.core.sql.query('create table if not exists bench_bare (id bigserial primary key, payload jsonb not null, at timestamptz not null default now())');
  const bare = Fastify({ logger: false });
  bare.post('/bare', async (request) => {
    await possync.core.sql.query('insert into bench_bare (payload) values ($1)', [JSON.stringify(request.body)]);
    return { ok: true };
  });
  await bare.listen({ host: '127.0.0.1', port: 0 });
  const address = bare.server.address() as { port: number };
  const baseline = await load(`http://127.0.0.1:${address.port}/bare`, { item_ecommerce_id: 101, delta: 1, balance: 1250 }, '');
  await bare.close();

  const row = (name: string, r: LoadResult) =>
    `${name.padEnd(32)} ${r.perSecond.toFixed(0).padStart(7)}/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  ${JSON.stringify(r.statuses)}`;
  console.log(`${SECONDS} s each, ${CONNECTIONS} connections from a separate process, embedded PGlite, ${process.arch} × ${(await import('node:os')).cpus().length} cores`);
  console.log(row('sale intake, dispatch draining', withDispatch));
  console.log(row('sale intake alone', alone));
  console.log(row('bare Fastify route, one insert', baseline));
  console.log(`intake / bare: ${(withDispatch.perSecond / baseline.perSecond).toFixed(2)}× with dispatch, ${(alone.perSecond / baseline.perSecond).toFixed(2)}× alone`);
} finally {
  await possync.close();
  simulators.kill('SIGTERM');
  dir.remove();
}
