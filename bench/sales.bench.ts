/**
 * Sale intake on the embedded default (PGlite), measured from a separate load process over
 * loopback: accepted sales per second, p50 and p99 — beside a bare Fastify route that does one
 * insert into the same database, in the same run. Dispatch to the simulators runs meanwhile, as
 * it would in production. Run: npm run bench:sales  (BENCH_SECONDS, BENCH_CONNECTIONS to change)
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { startPossync } from '../src/main.ts';
import { ACCOUNTS, readmeConfig, startSimulators, tempDir } from '../test/integration/harness.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const CLIENT = fileURLToPath(new URL('./load-client.ts', import.meta.url));

interface LoadResult {
  requests: number;
  statuses: Record<string, number>;
  perSecond: number;
  p50: number;
  p99: number;
}

function load(url: string, body: unknown, keyPrefix: string): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CLIENT, url, String(SECONDS), String(CONNECTIONS), JSON.stringify(body), keyPrefix], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadResult) : reject(new Error(`load client exited ${code}`))));
  });
}

const sims = await startSimulators({ lightspeed: { bucketSize: '100000', dripRate: '10000' } });
const dir = tempDir('possync-bench-');
const possync = await startPossync(await readmeConfig(sims, { POSSYNC__Core__DataFolder: dir.path }), { log: () => {} });
try {
  // Plenty of stock, so every request is an acceptance rather than a 409.
  await fetch(`${sims.square.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'VARIATION000000000000001', quantity: 10_000_000 }) });
  await possync.service.items.registerNow({ accountId: ACCOUNTS.square, ecommerceId: '101', itemPosId: 'VARIATION000000000000001' });

  const intake = await load(`${possync.url}/api/synchronizer/sale`, { item_ecommerce_id: 101, delta: 1, balance: 1250 }, `bench-${Date.now()}`);

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
    `${name.padEnd(34)} ${r.perSecond.toFixed(0).padStart(7)}/s  p50 ${r.p50.toFixed(1).padStart(6)} ms  p99 ${r.p99.toFixed(1).padStart(6)} ms  ${JSON.stringify(r.statuses)}`;
  console.log(`${SECONDS} s each, ${CONNECTIONS} connections from a separate process, embedded PGlite, ${process.arch} × ${(await import('node:os')).cpus().length} cores`);
  console.log(row('POST /api/synchronizer/sale', intake));
  console.log(row('bare Fastify route, one insert', baseline));
  console.log(`intake / bare: ${(intake.perSecond / baseline.perSecond).toFixed(2)}× the throughput`);
} finally {
  await possync.close();
  await sims.close();
  dir.remove();
}
