/**
 * Full read of 10,000 mapped items per POS against its simulator, with 20 ms of added latency on
 * every call and each POS's real rate limits (Lightspeed's bucket of 90 draining 1/s; Hiboutik's
 * quota and 30-call cap; Square publishes none). Prints API calls and wall time beside the floor
 * the rate limits and latency impose. Run: npm run bench:adapters
 */
import { startSquareSimulator } from '../src/simulators/square/index.ts';
import { startLightspeedSimulator } from '../src/simulators/lightspeed/index.ts';
import { startHiboutikSimulator } from '../src/simulators/hiboutik/index.ts';
import type { Simulator } from '../src/simulators/kit/options.ts';
import { createAdapter } from '../src/pos/registry.ts';
import type { PosConnection } from '../src/pos/accounts.ts';
import { MemoryTokenStore } from '../src/pos/token-store.ts';

const ITEMS = Number(process.env.BENCH_ITEMS ?? 10_000);
const LATENCY_MS = 20;

interface Case {
  name: string;
  target: number;
  start(): Promise<Simulator>;
  connection(sim: Simulator): PosConnection;
  /** Seconds the rate limit forces, given the calls and their cost. */
  rateFloorSeconds(calls: number): number;
}

const s = (v: unknown) => String(v);

const CASES: Case[] = [
  {
    name: 'square',
    target: 12,
    start: () => startSquareSimulator({ items: ITEMS, locations: 2, switches: { validate: 'off' } }),
    connection: (sim) => {
      const c = sim.credentials();
      return { pos: 'square', baseUrl: sim.url, accessToken: s(c.accessToken), locationIds: [s((c.locationIds as string[])[0])] };
    },
    rateFloorSeconds: () => 0,
  },
  {
    name: 'lightspeed',
    target: 102,
    start: () => startLightspeedSimulator({ items: ITEMS, locations: 2 }),
    connection: (sim) => {
      const c = sim.credentials();
      return {
        pos: 'lightspeed',
        apiBaseUrl: s(c.apiBaseUrl),
        tokenUrl: s(c.tokenUrl),
        accountId: s(c.accountID),
        clientId: s(c.clientId),
        clientSecret: s(c.clientSecret),
        refreshToken: s(c.refreshToken),
        shopId: s((c.shopIds as string[])[0]),
        employeeId: s(c.employeeID),
        registerId: s(c.registerID),
        paymentTypeId: s(c.paymentTypeID),
      };
    },
    // Each list call costs 1 drip; the first 90 fit the bucket, the rest wait for the drip (1/s).
    rateFloorSeconds: (calls) => Math.max(0, calls - 90),
  },
  {
    name: 'hiboutik',
    target: 3,
    start: () => startHiboutikSimulator({ items: ITEMS, locations: 2 }),
    connection: (sim) => {
      const c = sim.credentials();
      return {
        pos: 'hiboutik',
        baseUrl: `${sim.url}/api`,
        accountName: s(c.account),
        email: s(c.email),
        apiKey: s(c.apiKey),
        storeId: s((c.storeIds as string[])[0]),
        warehouseId: s((c.warehouseIds as string[])[0]),
        maximumRequests: 10_000,
        reserveForSales: 1_000,
      };
    },
    rateFloorSeconds: () => 0,
  },
];

console.log(`Full read of ${ITEMS} mapped items, ${LATENCY_MS} ms latency per call, real rate limits`);
console.log('pos         calls  target  wall s  floor s  wall/floor');
for (const c of CASES) {
  const sim = await c.start();
  try {
    const ids = ((await (await fetch(`${sim.url}/__sim/stock`)).json()) as { stock: Array<{ item: string }> }).stock.map((r) => r.item);
    sim.kit.faults.add({ endpoint: '*', kind: 'latency', latencyMs: LATENCY_MS });
    const adapter = createAdapter(c.connection(sim), { tokenStore: new MemoryTokenStore() });
    const started = performance.now();
    let read = 0;
    for await (const page of adapter.readCounts(ids)) read += page.length;
    const wall = (performance.now() - started) / 1000;
    const calls = adapter.apiCalls();
    // Pages follow cursors, so calls are sequential: latency alone is calls × 20 ms.
    const floor = Math.max(c.rateFloorSeconds(calls), (calls * LATENCY_MS) / 1000);
    console.log(
      `${c.name.padEnd(10)} ${String(calls).padStart(6)}  ${('≤' + c.target).padStart(6)}  ${wall.toFixed(2).padStart(6)}  ${floor.toFixed(2).padStart(7)}  ${(wall / floor).toFixed(2).padStart(10)}   (${read} counts)`,
    );
  } finally {
    await sim.close();
  }
}
