/**
 * Simulator speeds, printed, not asserted (they used to be timed assertions in the test suite,
 * which failed on loaded machines). Run: node --import tsx bench/simulators.bench.ts
 * - loading Square's OpenAPI file and compiling a first operation's validator, then a cached one;
 * - reading 10,000 items × 3 locations of Square counts through the official SDK, pages of 1,000,
 *   with request validation on.
 */
import { SquareClient } from 'square';
import { loadSquareSpecValidator } from '../src/simulators/square/spec-validator.ts';
import { startSquareSimulator } from '../src/simulators/square/index.ts';

const ms = (from: number) => (performance.now() - from).toFixed(1);

let at = performance.now();
const validator = loadSquareSpecValidator();
const loadMs = ms(at);
at = performance.now();
validator.validateRequestBody('POST', '/v2/inventory/changes/batch-create', { idempotency_key: 'k' });
const firstMs = ms(at);
at = performance.now();
validator.validateRequestBody('POST', '/v2/inventory/changes/batch-create', { idempotency_key: 'k' });
console.log(`square spec: load ${loadMs} ms, first compile ${firstMs} ms, cached ${ms(at)} ms`);

const sim = await startSquareSimulator({ items: 10_000, locations: 3 });
try {
  const token = String((sim.credentials() as { accessToken: string }).accessToken);
  const client = new SquareClient({ token, baseUrl: sim.url });
  at = performance.now();
  let rows = 0;
  let pages = 0;
  for (let page = await client.inventory.batchGetCounts({ limit: 1000 }); ; page = await page.getNextPage()) {
    rows += page.data.length;
    pages += 1;
    if (!page.hasNextPage()) break;
  }
  console.log(`square counts: ${rows} rows in ${pages} pages of ≤ 1,000 in ${ms(at)} ms (validation on)`);
} finally {
  await sim.close();
}
