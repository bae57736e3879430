import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PosAdapter, StockCount } from '../contract.ts';
import { PosBadResponseError } from '../errors.ts';
import { findItem } from '../matching.ts';
import { ENDPOINTS, startRig, type Rig } from '../../../test/support/hiboutik-adapter.ts';

async function readAll(adapter: PosAdapter, ids?: readonly string[]) {
  const pages: StockCount[][] = [];
  for await (const page of adapter.readCounts(ids)) pages.push(page);
  return { pages: pages.length, counts: new Map(pages.flat().map((c) => [c.posItemId, c.onHand])) };
}

const productIds = (rig: Rig) => [...rig.sim.store.products.keys()].map(String);
const expectedCounts = (rig: Rig) => new Map(productIds(rig).flatMap((id) => (rig.onHand(id) === null ? [] : [[id, rig.onHand(id)] as const])));

/** Rewrites every JSON answer, as an older Hiboutik would send it (numbers as strings). */
function stringly(transform: (body: unknown) => unknown): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.text();
    let body = text;
    try {
      body = JSON.stringify(transform(JSON.parse(text)));
    } catch {
      /* not JSON: pass through */
    }
    return new Response(body, { status: response.status, headers: response.headers });
  };
}

describe('stock counts', () => {
  test('a full read of 1,000 items is one warehouse call (no per-product calls)', async (t) => {
    const rig = await startRig({ items: 1000 });
    t.after(() => rig.close());
    const { counts, pages } = await readAll(rig.adapter);
    assert.equal(rig.adapter.apiCalls(), 1);
    assert.equal(pages, 1, 'one unpaged answer is one page');
    assert.deepEqual(counts, expectedCounts(rig));
    assert.equal(rig.requests('GET /api/stock_available/product_id/:product_id'), 0);
  });

  test('reading the 1,000 mapped ids takes ≤ 3 calls; never-counted items are null, unknown ids left out', async (t) => {
    const rig = await startRig({ items: 1000 });
    t.after(() => rig.close());
    const ids = productIds(rig);
    const uncounted = ids.filter((id) => rig.onHand(id) === null);
    assert.ok(uncounted.length > PER_READ_LOOKUPS, `the seed has ${uncounted.length} items never counted in warehouse 1`);
    const { counts } = await readAll(rig.adapter, ids);
    assert.ok(rig.adapter.apiCalls() <= 3, `${rig.adapter.apiCalls()} calls`);
    for (const id of ids) assert.equal(counts.get(id), rig.onHand(id), id);
    assert.equal(counts.size, ids.length, 'every mapped item is in the catalog, counted or not');
    // What was learnt is remembered: the next poll is one call.
    const before = rig.adapter.apiCalls();
    await readAll(rig.adapter, ids);
    assert.equal(rig.adapter.apiCalls() - before, 1);
    // Unknown ids: unparseable ones cost nothing, numeric ones one lookup each (404 → left out).
    const third = rig.adapter.apiCalls();
    const { counts: some } = await readAll(rig.adapter, ['5', 'not-an-id', '5:0', '999999']);
    assert.deepEqual([...some.keys()], ['5']);
    assert.equal(rig.adapter.apiCalls() - third, 2);
  });

  test('ids with no count in any warehouse are null until looked up, a few per read; unknown ones then drop out', async (t) => {
    const seed = {
      locations: [{ id: '1', name: 'Shop' }],
      items: Array.from({ length: 20 }, (_, i) => ({ id: String(i + 1), name: `Item ${i + 1}`, priceCents: 100, stock: ((i + 1) % 3 === 0 && i < 15 ? {} : { '1': 4 }) as Record<string, number> })),
    };
    const rig = await startRig({ seed });
    t.after(() => rig.close());
    const ids = [...productIds(rig), '9999'];
    const never = ['3', '6', '9', '12', '15'];
    const perRead: number[] = [];
    let counts = new Map<string, number | null>();
    for (let read = 0; read < 5; read++) {
      const before = rig.adapter.apiCalls();
      ({ counts } = await readAll(rig.adapter, ids));
      perRead.push(rig.adapter.apiCalls() - before);
      for (const id of never) assert.equal(counts.get(id), null, `${id} is never counted`);
    }
    assert.deepEqual(perRead, [3, 3, 3, 2, 1], '6 unproven products: stock + all warehouses + 1 lookup, then stock + up to 2 lookups, until all is known');
    assert.equal(counts.has('9999'), false, 'an unknown id drops out once Hiboutik said so');
    assert.equal(counts.size, 20);
  });

  test('with stockPaging=250 the adapter pages by Content-Range (no rel="next" is sent): one page per answer', async (t) => {
    const rig = await startRig({ items: 1000, switches: { stockPaging: '250' } });
    t.after(() => rig.close());
    const rows = rig.sim.store.stockRows({ warehouseId: 1 }).length;
    const { counts, pages } = await readAll(rig.adapter);
    assert.equal(pages, Math.ceil(rows / 250));
    assert.equal(rig.requests(ENDPOINTS.stock), pages);
    assert.equal(rig.adapter.apiCalls(), pages);
    assert.deepEqual(counts, expectedCounts(rig));
  });

  test('without Content-Range the adapter pages up to the Link rel="last" page; a rel="next" is followed when present', async (t) => {
    const rewrite = (edit: (headers: Headers) => void): typeof fetch => async (input, init) => {
      const response = await fetch(input, init);
      const headers = new Headers(response.headers);
      edit(headers);
      return new Response(await response.arrayBuffer(), { status: response.status, headers });
    };
    const lastOnly = await startRig({ items: 1000, switches: { stockPaging: '250' }, deps: { fetch: rewrite((h) => h.delete('content-range')) } });
    t.after(() => lastOnly.close());
    const pages = Math.ceil(lastOnly.sim.store.stockRows({ warehouseId: 1 }).length / 250);
    const read = await readAll(lastOnly.adapter);
    assert.equal(read.pages, pages);
    assert.equal(lastOnly.requests(ENDPOINTS.stock), pages, 'no probe past the last page');
    assert.deepEqual(read.counts, expectedCounts(lastOnly));

    // A server that does send rel="next" (pointing at p=2 whatever the page) is believed over the total.
    const withNext = await startRig({
      items: 1000,
      switches: { stockPaging: '250' },
      deps: { fetch: rewrite((h) => h.set('link', `${h.get('link')}, <${new URL('/api/stock_available/warehouse_id/1?p=2', 'http://x').pathname}?p=2>; rel="next"`)) },
    });
    t.after(() => withNext.close());
    const twice = await readAll(withNext.adapter);
    assert.equal(twice.pages, 2, 'p=1, then the rel="next" page, whose rel="next" repeats and is cut as a loop');
  });

  test('numbers sent as numeric strings are normalised; fractions round down', async (t) => {
    const rig = await startRig({
      items: 5,
      deps: {
        fetch: stringly((body) =>
          Array.isArray(body) ? body.map((row: Record<string, unknown>) => ('stock_available' in row ? { ...row, product_id: String(row.product_id), stock_available: `${row.stock_available}.750` } : row)) : body,
        ),
      },
    });
    t.after(() => rig.close());
    const { counts } = await readAll(rig.adapter);
    assert.deepEqual(counts, expectedCounts(rig));
  });

  test('an unreadable quantity fails the page: nothing is yielded', async (t) => {
    const rig = await startRig({ items: 5, deps: { fetch: stringly((body) => (Array.isArray(body) ? body.map((row, i) => (i === 3 ? { ...row, stock_available: 'n/a' } : row)) : body)) } });
    t.after(() => rig.close());
    let yielded = 0;
    await assert.rejects(
      (async () => {
        for await (const _page of rig.adapter.readCounts()) yielded += 1;
      })(),
      PosBadResponseError,
    );
    assert.equal(yielded, 0);
  });

  test('sizes: "{product}:{size}" ids for counts, lookups, barcode search and sales', async (t) => {
    const rig = await startRig({ items: 5 });
    t.after(() => rig.close());
    const product = rig.sim.store.products.get(1)!;
    product.sizes.push({ sizeId: 1, name: 'S', barcode: 'BC-S' }, { sizeId: 2, name: 'M', barcode: 'BC-M' });
    rig.sim.store.countInStore(1, 1, 1, 7);
    const { counts } = await readAll(rig.adapter, ['1:1', '1:2', '1:9']);
    assert.deepEqual(counts, new Map([['1:1', 7], ['1:2', null]]));
    const [item] = await rig.adapter.getItems(['1:2']);
    assert.deepEqual(item, { posItemId: '1:2', name: `${product.model} (M)`, sku: 'BC-M', barcode: 'BC-M', priceCents: product.priceCents });
    assert.equal((await findItem(rig.adapter, { sku: 'BC-M' })).posItemId, '1:2');
    await rig.adapter.recordSale({ saleId: 'sized-1', posItemId: '1:1', quantity: 2, amountCents: 1000, mayExist: false });
    assert.equal(rig.sim.kit.ledger.list({ reference: 'sized-1' })[0]?.item, '1:1');
    assert.equal(rig.onHand('1:1'), 5);
  });
});

const PER_READ_LOOKUPS = 2;
