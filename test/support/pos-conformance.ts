import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { PosAdapter, StockCount } from '../../src/pos/contract.ts';
import type { Simulator } from '../../src/simulators/kit/options.ts';
import { findItem } from '../../src/pos/matching.ts';
import { PosBadResponseError, PosError, PosNotFoundError } from '../../src/pos/errors.ts';

/**
 * One suite every adapter passes against its simulator. A POS folder supplies a rig that starts
 * its simulator and an adapter pointed at it; the suite only speaks the contract and /__sim.
 */
export interface SeededItem {
  posItemId: string;
  name: string;
  sku?: string;
}

export interface ConformanceRig {
  adapter: PosAdapter;
  sim: Simulator;
  /** Seeded items in seed order (more than one counts page of them). */
  items: SeededItem[];
  /** The POS's own on-hand for an item at the adapter's location (null = never counted). */
  onHand(posItemId: string): number | null;
  /** Stats keys ("METHOD /route") of the count-reading calls and of the sale-posting call. */
  countsEndpoint: string;
  saleEndpoint: string;
  /** Applied API sales in the simulator ledger that carry this sale id as their reference. */
  salesRecorded(saleId: string): number;
  close(): Promise<void>;
}

export interface ConformanceHarness {
  name: string;
  /** How many items make "several pages" for this POS's counts read. */
  pagedItemCount: number;
  start(itemCount: number): Promise<ConformanceRig>;
}

/** Every page of a count read, and how many pages it took. */
export async function readAll(adapter: PosAdapter, ids?: readonly string[]): Promise<{ counts: StockCount[]; pages: number }> {
  const counts: StockCount[] = [];
  let pages = 0;
  for await (const page of adapter.readCounts(ids)) {
    pages += 1;
    counts.push(...page);
  }
  return { counts, pages };
}

let saleNumber = 0;
const newSaleId = (label: string) => `sale-${label}-${process.pid}-${++saleNumber}`;

/** Posts a sale the way the dispatcher will: retryable errors are retried with mayExist set. */
async function dispatch(adapter: PosAdapter, sale: { saleId: string; posItemId: string }): Promise<void> {
  let progress: Record<string, string> | undefined;
  for (let attempt = 1; attempt <= 5; attempt++) {
    try {
      await adapter.recordSale({
        ...sale,
        quantity: 1,
        amountCents: 1250,
        mayExist: attempt > 1,
        progress,
        saveProgress: async (p) => {
          progress = p;
        },
      });
      return;
    } catch (error) {
      if (!(error instanceof PosError) || !error.retry.retry || attempt === 5) throw error;
    }
  }
}

export function conformanceSuite(harness: ConformanceHarness): void {
  describe(`${harness.name} adapter conformance`, () => {
    let rig: ConformanceRig;
    before(async () => {
      rig = await harness.start(harness.pagedItemCount);
    });
    after(async () => {
      await rig?.close();
    });
    beforeEach(() => {
      rig.sim.kit.faults.clear();
    });

    test('reads every item across several pages, with unknown counts as null', async () => {
      const { counts, pages } = await readAll(rig.adapter);
      assert.ok(pages > 1, `expected several pages, got ${pages}`);
      const byId = new Map(counts.map((c) => [c.posItemId, c]));
      assert.equal(byId.size, counts.length, 'no item is reported twice');
      for (const item of rig.items) {
        const expected = rig.onHand(item.posItemId);
        const got = byId.get(item.posItemId);
        if (expected === null) assert.ok(got === undefined || got.onHand === null, `${item.posItemId} was never counted`);
        else assert.equal(got?.onHand, expected, `on hand of ${item.posItemId}`);
      }
    });

    test('reads only the ids asked for; unknown ids are left out', async () => {
      const wanted = rig.items.slice(0, 3).map((i) => i.posItemId);
      const { counts } = await readAll(rig.adapter, [...wanted, 'no-such-item-999999']);
      const ids = new Set(counts.map((c) => c.posItemId));
      for (const id of ids) assert.ok(wanted.includes(id), `unexpected ${id}`);
      for (const id of wanted) if (rig.onHand(id) !== null) assert.ok(ids.has(id), `missing ${id}`);
    });

    test('reads the whole catalog once, a page per call, with names and SKUs', async () => {
      const callsBefore = rig.adapter.apiCalls();
      const seen = new Map<string, { name: string; sku?: string }>();
      const carried = new Map<string, number | null>();
      let pages = 0;
      for await (const page of rig.adapter.readCatalog()) {
        pages += 1;
        for (const item of page.items) seen.set(item.posItemId, item);
        for (const count of page.counts ?? []) carried.set(count.posItemId, count.onHand);
      }
      assert.ok(pages > 1, `expected several pages, got ${pages}`);
      for (const item of rig.items) {
        assert.equal(seen.get(item.posItemId)?.name, item.name, `name of ${item.posItemId}`);
        if (item.sku) assert.equal(seen.get(item.posItemId)?.sku, item.sku, `sku of ${item.posItemId}`);
        // Counts that come with the catalog must be the POS's own.
        if (carried.size > 0) assert.equal(carried.get(item.posItemId), rig.onHand(item.posItemId), `count of ${item.posItemId}`);
      }
      const calls = rig.adapter.apiCalls() - callsBefore;
      const floor = Math.ceil(rig.items.length / rig.adapter.capabilities.catalogPageSize);
      assert.ok(calls <= floor + 2, `${calls} calls for ${rig.items.length} items (page ${rig.adapter.capabilities.catalogPageSize})`);
    });

    test('looks items up by id, exact name and SKU', async () => {
      const item = rig.items[7]!;
      assert.equal((await findItem(rig.adapter, { posItemId: item.posItemId })).name, item.name);
      assert.equal((await findItem(rig.adapter, { name: item.name })).posItemId, item.posItemId);
      if (item.sku) assert.equal((await findItem(rig.adapter, { sku: item.sku })).posItemId, item.posItemId);
      const found = await rig.adapter.getItems(rig.items.slice(0, 5).map((i) => i.posItemId));
      assert.deepEqual(found.map((f) => f.posItemId).sort(), rig.items.slice(0, 5).map((i) => i.posItemId).sort());
    });

    test('a missing item is a clear not-found error listing close matches', async () => {
      const item = rig.items[3]!;
      const typo = `${item.name.slice(0, -1)}X`;
      await assert.rejects(findItem(rig.adapter, { name: typo }), (error: unknown) => {
        assert.ok(error instanceof PosNotFoundError);
        assert.match(error.message, /no item with the name/);
        assert.ok(error.closeMatches.some((m) => m.posItemId === item.posItemId), 'the real item is among the close matches');
        return true;
      });
      await assert.rejects(findItem(rig.adapter, { posItemId: 'no-such-item-999999' }), PosNotFoundError);
    });

    for (const fault of [
      { kind: 'error' as const, status: 503 },
      { kind: 'rate_limit' as const, retryAfterSeconds: 0 },
      { kind: 'timeout_after_commit' as const, holdMs: 50 },
      { kind: 'malformed' as const },
      { kind: 'reset' as const },
    ]) {
      test(`records a sale exactly once despite ${fault.kind}`, async () => {
        const item = rig.items.find((i) => (rig.onHand(i.posItemId) ?? 0) > 2)!;
        const saleId = newSaleId(fault.kind);
        rig.sim.kit.faults.add({ endpoint: rig.saleEndpoint, count: 1, ...fault });
        const before = rig.onHand(item.posItemId)!;
        await dispatch(rig.adapter, { saleId, posItemId: item.posItemId });
        assert.equal(rig.salesRecorded(saleId), 1, 'one sale in the POS ledger');
        assert.equal(rig.onHand(item.posItemId), before - 1);
        // The dispatcher may run the job again after a crash: still one sale.
        await rig.adapter.recordSale({ saleId, posItemId: item.posItemId, quantity: 1, amountCents: 1250, mayExist: true });
        assert.equal(rig.salesRecorded(saleId), 1, 'a re-run after success posts nothing');
      });
    }

    test('a malformed counts answer is a typed error and yields no partial page', async () => {
      rig.sim.kit.faults.add({ endpoint: rig.countsEndpoint, kind: 'malformed' });
      const pages: StockCount[][] = [];
      await assert.rejects(
        (async () => {
          for await (const page of rig.adapter.readCounts()) pages.push(page);
        })(),
        (error: unknown) => error instanceof PosBadResponseError && !/token|secret|key=/i.test(error.message),
      );
      assert.equal(pages.length, 0);
    });
  });
}
