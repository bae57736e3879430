/**
 * Freshness: how long a till change (`/__sim/stock`) takes to reach the shop table, per POS, with
 * no full poll running (the demo's set-up: Square and Hiboutik webhooks, Lightspeed change polls
 * every 15 s), and how many POS calls possync spends per hour when nothing changes.
 * Run: npm run bench:freshness   (BENCH_CHANGES=50, BENCH_IDLE_SECONDS=120)
 */
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { startDemo, type RunningDemo } from '../src/demo/run.ts';
import type { Simulator } from '../src/simulators/kit/options.ts';

const CHANGES = Number(process.env.BENCH_CHANGES ?? 50);
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 120);
const ITEMS = 10;
/** Lightspeed changes are made in rounds of ITEMS at random moments across one change-poll interval. */
const LIGHTSPEED_SPREAD_MS = 15_000;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

async function setStock(sim: Simulator, item: string, quantity: number): Promise<void> {
  const answer = await fetch(`${sim.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item, quantity }) });
  if (!answer.ok) throw new Error(`set stock: ${answer.status} ${await answer.text()}`);
}

/** Milliseconds from the till change to the shop table showing it (the sink read every 25 ms: it shares PGlite's one connection). */
async function timeOne(demo: RunningDemo, sim: Simulator, posItemId: string, ecommerceId: string, quantity: number): Promise<number> {
  const started = performance.now();
  await setStock(sim, posItemId, quantity);
  for (;;) {
    if ((await demo.possync.sink.readQuantities([ecommerceId])).get(ecommerceId) === quantity) return performance.now() - started;
    if (performance.now() - started > 120_000) throw new Error(`${ecommerceId} never reached ${quantity}`);
    await delay(25);
  }
}

async function main(): Promise<void> {
  const dir = join(tmpdir(), `possync-bench-fresh-${process.pid}`);
  const [port, square, lightspeed, hiboutik] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  console.log(`starting the demo set-up (${ITEMS} items per account, no scheduled full poll)…`);
  const demo = await startDemo(
    { dir, port, ports: { square, lightspeed, hiboutik }, activity: false, itemsPerAccount: ITEMS, cron: '0 0 1 1 *' },
    () => {},
  );
  try {
    const accounts = [...demo.registered.keys()];
    const cases = [
      { name: 'square (webhook)', sim: demo.simulators.square, accountId: accounts[0]!, target: 'p95 ≤ 2 s', concurrent: false },
      { name: 'hiboutik (webhook)', sim: demo.simulators.hiboutik, accountId: accounts[1]!, target: 'p95 ≤ 2 s', concurrent: false },
      { name: 'lightspeed (change poll 15 s)', sim: demo.simulators.lightspeed, accountId: accounts[2]!, target: 'p95 ≤ 20 s', concurrent: true },
    ];
    const rows: string[][] = [];
    for (const c of cases) {
      const items = await demo.possync.service.items.list(c.accountId);
      const times: number[] = [];
      let quantity = 100;
      if (!c.concurrent) {
        for (let n = 0; n < CHANGES; n++) {
          const item = items[n % items.length]!;
          times.push(await timeOne(demo, c.sim, item.posItemId, item.ecommerceId, quantity++));
        }
      } else {
        // Change polls make each change wait for the next tick: measure them in parallel rounds,
        // each change at a random moment of the interval, so the run takes minutes, not an hour.
        while (times.length < CHANGES) {
          const round = items.slice(0, Math.min(items.length, CHANGES - times.length));
          const results = await Promise.all(
            round.map(async (item) => {
              await delay(Math.random() * LIGHTSPEED_SPREAD_MS);
              return timeOne(demo, c.sim, item.posItemId, item.ecommerceId, quantity++);
            }),
          );
          times.push(...results);
        }
      }
      times.sort((a, b) => a - b);
      rows.push([c.name, String(times.length), (percentile(times, 50) / 1000).toFixed(2), (percentile(times, 95) / 1000).toFixed(2), (times.at(-1)! / 1000).toFixed(2), c.target]);
      console.log(`  ${c.name}: done`);
    }

    console.log(`idle: counting POS calls for ${IDLE_SECONDS} s with nothing changing…`);
    const sims = [demo.simulators.square, demo.simulators.hiboutik, demo.simulators.lightspeed];
    // Let the last change polls and webhook jobs finish before counting.
    await delay(2_000);
    const before = sims.map((sim) => sim.kit.stats.snapshot().totalRequests);
    await delay(IDLE_SECONDS * 1000);
    const idle = sims.map((sim, i) => ((sim.kit.stats.snapshot().totalRequests - before[i]!) * 3600) / IDLE_SECONDS);

    console.log('');
    console.log('till change → shop table (seconds)');
    console.log(['POS', 'changes', 'p50', 'p95', 'max', 'target'].join('\t'));
    for (const row of rows) console.log(row.join('\t'));
    console.log('');
    console.log('POS calls per hour at idle (no scheduled full poll)');
    console.log(['POS', 'calls/h', 'target'].join('\t'));
    console.log(['square', idle[0]!.toFixed(0), '0'].join('\t'));
    console.log(['hiboutik', idle[1]!.toFixed(0), '0'].join('\t'));
    console.log(['lightspeed', idle[2]!.toFixed(0), '≤ 240'].join('\t'));
  } finally {
    await demo.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
