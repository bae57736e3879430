/**
 * The three simulators for bench:scale, in a process of their own, with catalogs that add up to
 * 100,000 items (Square 60,000, Lightspeed 10,000, Hiboutik 30,000), 20 ms of latency on every
 * call and each POS's real rate limits. Prints one JSON line (the environment overrides that point
 * the README's config at them), then serves until killed.
 */
import { startSimulators, type CatalogMaker } from '../test/support/readme-setup.ts';
import { SIZES } from './scale-sizes.ts';
const LATENCY_MS = 20;

const maker = (count: number): CatalogMaker => (locations, itemId) =>
  Array.from({ length: count }, (_, i) => ({
    id: itemId(i),
    name: `Scale Item ${i + 1}`,
    sku: `SKU-${i + 1}`,
    priceCents: 500,
    // The first item takes the intake benchmark's sales: plenty of stock, so every sale is accepted.
    stock: { [locations[0]!]: i === 0 ? 10_000_000 : i % 40 },
  }));

const sims = await startSimulators({}, { square: maker(SIZES.square), lightspeed: maker(SIZES.lightspeed), hiboutik: maker(SIZES.hiboutik) });
for (const sim of [sims.square, sims.lightspeed, sims.hiboutik]) sim.kit.faults.add({ endpoint: '*', kind: 'latency', latencyMs: LATENCY_MS });
console.log(JSON.stringify(sims.env));
process.on('SIGTERM', () => void sims.close().then(() => process.exit(0)));
