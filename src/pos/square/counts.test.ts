import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StockCount } from '../contract.ts';
import { PosAuthError, PosBadResponseError, PosRateLimitedError } from '../errors.ts';
import type { SeedFile } from '../../simulators/kit/seed.ts';
import type { PosAdapter } from '../contract.ts';
import { ENDPOINTS, startRig, type Rig, type RigOptions } from '../../../test/support/square-adapter.ts';

/** Counts against the simulator: sums over locations, decimals, never-counted ids, errors, call counts. */
const [MAIN, HARBOUR] = ['LMAINSTREET01', 'LHARBOUR00002'] as const;
const V = (n: number) => `VAR${String(n).padStart(22, '0')}`;
const SEED: SeedFile = {
  locations: [
    { id: MAIN, name: 'Main Street' },
    { id: HARBOUR, name: 'Harbour' },
  ],
  items: [
    { id: V(1), name: 'Blue Mug', sku: 'MUG-BLUE', priceCents: 1200, stock: { [MAIN]: 10, [HARBOUR]: 4 } },
    { id: V(2), name: 'Red Mug', sku: 'MUG-RED', priceCents: 1500, stock: { [MAIN]: 3 } },
    { id: V(3), name: 'Wool Scarf', sku: 'SCARF-01', priceCents: 2500, stock: { [MAIN]: 0, [HARBOUR]: 7 } },
    { id: V(4), name: 'Oak Candle', priceCents: 800, stock: {} },
    { id: V(5), name: 'Flour', priceCents: 300, stock: { [MAIN]: 1, [HARBOUR]: 1 } },
  ],
};

async function withRig(t: { after: (fn: () => Promise<void>) => void }, options: RigOptions = {}): Promise<Rig> {
  const rig = await startRig({ seed: SEED, ...options });
  t.after(async () => {
    assert.deepEqual(rig.sim.specViolations(), [], 'every answer matched the OpenAPI file');
    await rig.close();
  });
  return rig;
}

async function readAll(adapter: PosAdapter, ids?: readonly string[]): Promise<{ byId: Map<string, StockCount>; pages: number }> {
  const byId = new Map<string, StockCount>();
  let pages = 0;
  for await (const page of adapter.readCounts(ids)) {
    pages += 1;
    for (const count of page) {
      assert.ok(!byId.has(count.posItemId), `${count.posItemId} reported once`);
      byId.set(count.posItemId, count);
    }
  }
  return { byId, pages };
}

/** Physical counts with decimal quantities, written through the simulator's own API. */
async function setCounts(rig: Rig, counts: Array<[string, string, string]>): Promise<void> {
  const at = new Date().toISOString();
  const response = await fetch(`${rig.sim.url}/v2/inventory/changes/batch-create`, {
    method: 'POST',
    headers: { authorization: `Bearer ${rig.connection.accessToken}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      idempotency_key: `set-${Math.random()}`,
      changes: counts.map(([id, location, quantity]) => ({ type: 'PHYSICAL_COUNT', physical_count: { catalog_object_id: id, location_id: location, state: 'IN_STOCK', quantity, occurred_at: at } })),
    }),
  });
  assert.equal(response.status, 200);
}

const quantities = (byId: Map<string, StockCount>) => Object.fromEntries([...byId].map(([id, c]) => [id, c.onHand]));

test('counts are summed over the account locations; decimals round down on the total', async (t) => {
  const rig = await withRig(t);
  await setCounts(rig, [[V(5), MAIN, '2.5'], [V(5), HARBOUR, '1.75']]);
  const all = await readAll(rig.adapter);
  assert.deepEqual(quantities(all.byId), { [V(1)]: 14, [V(2)]: 3, [V(3)]: 7, [V(5)]: 4 }, 'Oak Candle has no row: absent from a full read');
  assert.ok(all.byId.get(V(1))?.countedAt);

  const main = rig.restart({ locationIds: [MAIN] });
  const one = await readAll(main);
  assert.deepEqual(quantities(one.byId), { [V(1)]: 10, [V(2)]: 3, [V(3)]: 0, [V(5)]: 2 }, '"2.5" → 2');
});

test('ids asked for: never counted → null (one catalog check), unknown → left out, known ones not re-checked', async (t) => {
  const rig = await withRig(t);
  const ids = [V(1), V(2), V(4), 'NOSUCHVARIATION0000000000', V(1)];
  const first = await readAll(rig.adapter, ids);
  assert.deepEqual(quantities(first.byId), { [V(1)]: 14, [V(2)]: 3, [V(4)]: null });
  assert.equal(rig.requests(ENDPOINTS.counts), 1);
  assert.equal(rig.requests(ENDPOINTS.batchGet), 1, 'only the two ids without a row were looked up');
  await readAll(rig.adapter, ids);
  assert.equal(rig.requests(ENDPOINTS.batchGet), 2, 'the unknown id is asked again; the known one is not');
});

test('a malformed or misshapen counts answer is PosBadResponseError and yields nothing', async (t) => {
  let spoil = false;
  const rig = await withRig(t, {
    deps: {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!spoil) return response;
        return new Response('{"counts":[{"catalog_object_id":"X","location_id":"L","state":"IN_STOCK","quantity":"lots"}]}', { status: 200 });
      },
    },
  });
  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.counts, kind: 'malformed', count: 1 });
  const pages: StockCount[][] = [];
  const drain = async () => {
    for await (const page of rig.adapter.readCounts()) pages.push(page);
  };
  await assert.rejects(drain(), (error: unknown) => error instanceof PosBadResponseError && /not valid JSON/.test(error.message));
  spoil = true;
  await assert.rejects(drain(), (error: unknown) => error instanceof PosBadResponseError && /quantity "lots"/.test(error.message));
  assert.equal(pages.length, 0);
});

test('429 with a long Retry-After is handed to the job queue, not slept; a short one is waited in-line', async (t) => {
  const rig = await withRig(t);
  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.counts, kind: 'rate_limit', retryAfterSeconds: 600, count: 1 });
  await assert.rejects(readAll(rig.adapter), (error: unknown) => {
    assert.ok(error instanceof PosRateLimitedError);
    assert.equal(error.retry.retry, true);
    assert.equal(error.retry.waitMs, 120_000, 'Retry-After is capped by the policy');
    return true;
  });
  assert.deepEqual(rig.waits, []);
  assert.equal(rig.requests(ENDPOINTS.counts), 1);

  // (The kit fires every matching rule on one request, so the faults go in one at a time.)
  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.counts, kind: 'rate_limit', retryAfterSeconds: 2, count: 1 });
  assert.equal((await readAll(rig.adapter)).byId.size, 4);
  assert.deepEqual(rig.waits, [2000]);
  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.counts, kind: 'error', status: 503, count: 1 });
  assert.equal((await readAll(rig.adapter)).byId.size, 4);
  assert.equal(rig.waits.length, 2, 'a 503 on a read is retried after a back-off');
  assert.equal(rig.adapter.apiCalls(), 5, 'every attempt is counted');
});

test('401 is PosAuthError without the token; a missing scope is named', async (t) => {
  const rig = await withRig(t, { switches: { scopes: 'ITEMS_READ' } });
  const token = 'EAAAlSECRET-token-value-123';
  await assert.rejects(readAll(rig.restart({ accessToken: token })), (error: unknown) => {
    assert.ok(error instanceof PosAuthError);
    assert.equal(error.status, 401);
    assert.ok(!error.message.includes(token) && !/bearer/i.test(error.message), error.message);
    return true;
  });
  await assert.rejects(readAll(rig.adapter), (error: unknown) => error instanceof PosAuthError && error.status === 403 && /INVENTORY_READ/.test(error.message));
});

test('call count: a full read of 10,000 mapped items at one location takes at most 12 calls', async (t) => {
  const rig = await startRig({ items: 10_000, locations: 1, switches: { validate: 'off' } });
  t.after(() => rig.close());
  const ids = rig.sim.state.catalog.records.map((r) => r.variationId);
  const first = await readAll(rig.adapter, ids);
  const calls = rig.adapter.apiCalls();
  const uncounted = ids.filter((id) => rig.onHand(id) === null).length;
  assert.ok(uncounted > 0, 'the generated seed leaves some variations uncounted');
  assert.equal(first.byId.size, 10_000);
  for (const id of ids) assert.equal(first.byId.get(id)?.onHand, rig.onHand(id));
  assert.equal(rig.requests(ENDPOINTS.counts), 10, '10 chunks of 1000 ids, one page each');
  assert.equal(rig.requests(ENDPOINTS.batchGet), 1, `one existence check for ${uncounted} uncounted ids`);
  assert.ok(calls <= 12, `${calls} calls`);
  await readAll(rig.adapter, ids);
  assert.equal(rig.adapter.apiCalls() - calls, 10, 'a second poll needs no catalog check');
  t.diagnostic(`first read ${calls} calls (${first.pages} pages), second ${rig.adapter.apiCalls() - calls}; ${uncounted} never counted`);
});
