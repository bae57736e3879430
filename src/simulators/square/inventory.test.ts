/** The count model against a naive reference, and paging through the official SDK (speed: bench/simulators.bench.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InventoryStore } from './inventory.ts';
import { createRandom, randomInt } from '../kit/random.ts';
import { formatQuantity, parseQuantity } from './quantity.ts';
import { assertNoViolations, start } from '../../../test/support/square-simulator.ts';
import { SquareClient } from 'square';

test('quantities are exact decimal strings', () => {
  assert.equal(parseQuantity('1.5'), 150_000);
  assert.equal(parseQuantity('0.00001'), 1);
  assert.equal(parseQuantity('1.000001'), null);
  assert.equal(parseQuantity('1e3'), null);
  assert.equal(formatQuantity(150_000), '1.5');
  assert.equal(formatQuantity(-250_000), '-2.5');
  assert.equal(formatQuantity(0), '0');
  assert.equal(formatQuantity(parseQuantity('0.1')! + parseQuantity('0.2')!), '0.3');
});

test('counts match a naive replay of the history in occurred_at order, whatever the arrival order', () => {
  const random = createRandom(3);
  const store = new InventoryStore();
  const history: Array<{ occurredAt: number; seq: number; kind: 'count' | 'delta'; units: number }> = [];
  for (let i = 0; i < 2000; i++) {
    const kind = random() < 0.15 ? 'count' : 'delta';
    const units = kind === 'count' ? randomInt(random, 0, 50) : randomInt(random, -5, 5) || 1;
    const occurredAt = randomInt(random, 0, 500);
    store.apply('V', 'L', 'IN_STOCK', { kind, units, occurredAt, createdAt: 1000 + i });
    history.push({ occurredAt, seq: i, kind, units });
    const ordered = [...history].sort((a, b) => a.occurredAt - b.occurredAt || a.seq - b.seq);
    let expected = 0;
    for (const entry of ordered) expected = entry.kind === 'count' ? entry.units : expected + entry.units;
    assert.equal(store.get('V', 'L', 'IN_STOCK')?.units, expected, `after event ${i}`);
  }
});

test('paging while rows move never repeats a row and keeps the order', () => {
  const store = new InventoryStore();
  for (let i = 0; i < 500; i++) store.apply(`V${i}`, 'L', 'IN_STOCK', { kind: 'count', units: i, occurredAt: i, createdAt: 1000 + (i % 50) });
  const seen = new Set<string>();
  let after = null as { t: number; s: number } | null;
  let clock = 5000;
  for (;;) {
    const page = store.page({ variationIds: null, locationIds: null, states: null, updatedAfter: null, after, limit: 37 });
    for (const row of page.rows) {
      assert.ok(!seen.has(row.variationId), `${row.variationId} seen twice`);
      seen.add(row.variationId);
    }
    // Rows touched between pages jump to the front: already-passed territory.
    store.apply(`V${clock % 500}`, 'L', 'IN_STOCK', { kind: 'delta', units: 1, occurredAt: clock, createdAt: clock++ });
    if (!page.next) break;
    after = page.next;
  }
  assert.ok(seen.size >= 490);
});

test('1,200 items × 3 locations read through the SDK in pages of 1,000, every counted pair once', async (t) => {
  const { sim, token } = await start(t, { items: 1_200, locations: 3 });
  const client = new SquareClient({ token, baseUrl: sim.url });
  const seen = new Set<string>();
  let pages = 0;
  for (let page = await client.inventory.batchGetCounts({ limit: 1000 }); ; page = await page.getNextPage()) {
    for (const count of page.data) seen.add(`${count.catalogObjectId}|${count.locationId}|${count.state}`);
    pages += 1;
    if (!page.hasNextPage()) break;
  }
  assert.ok(seen.size > 3_400 && seen.size <= 3_600, `${seen.size} rows (2% of pairs are never counted)`);
  assert.equal(pages, Math.ceil(seen.size / 1000));
  const one = await client.inventory.batchGetCounts({ locationIds: [(sim.credentials() as { locationIds: string[] }).locationIds[2]!], limit: 1000 });
  assert.equal(one.data.length, 1000);
  assertNoViolations(sim);
});
