import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SaleProgress, SaleToRecord } from '../contract.ts';
import { PosAmbiguousWriteError, PosError, PosRejectedError } from '../errors.ts';
import { ENDPOINTS, startRig, type Rig } from '../../../test/support/square-adapter.ts';

/** Sales through BatchChangeInventory against the simulator: wire shape, restarts, ambiguous answers. */
async function withRig(t: { after: (fn: () => Promise<void>) => void }, options: Parameters<typeof startRig>[0] = {}): Promise<Rig> {
  const rig = await startRig(options);
  t.after(async () => {
    assert.deepEqual(rig.sim.specViolations(), [], 'every answer matched the OpenAPI file');
    await rig.close();
  });
  return rig;
}

function stockedItem(rig: Rig): string {
  const record = rig.sim.state.catalog.records.find((r) => (rig.onHand(r.variationId) ?? 0) > 3);
  assert.ok(record);
  return record.variationId;
}

function saleOf(saleId: string, posItemId: string, store: { progress?: SaleProgress }, mayExist = false): SaleToRecord {
  return {
    saleId,
    posItemId,
    quantity: 2,
    amountCents: 2500,
    mayExist,
    ...(store.progress ? { progress: store.progress } : {}),
    saveProgress: async (p) => {
      store.progress = { ...p };
    },
  };
}

test('under the simulator default (documented: location_id alone refused from 2026-07-15) the adapter\'s sale is taken', async (t) => {
  const versions: string[] = [];
  const rig = await withRig(t, {
    deps: {
      fetch: async (input, init) => {
        if (String(input).endsWith('/v2/inventory/changes/batch-create')) versions.push(new Headers(init?.headers).get('square-version') ?? '');
        return fetch(input, init);
      },
    },
  });
  const item = stockedItem(rig);
  const before = rig.onHand(item)!;
  await rig.adapter.recordSale(saleOf('ledger-documented-1', item, {}));
  assert.ok(versions[0]! >= '2026-07-15', `the SDK's Square-Version (${versions[0]}) is one where location_id is retired`);
  assert.equal(rig.onHand(item), before - 2);
});

test('the wire body names the location as from_location_id and to_location_id (both-required passes)', async (t) => {
  const bodies: string[] = [];
  const rig = await withRig(t, {
    switches: { adjustmentLocation: 'both-required' },
    deps: {
      fetch: async (input, init) => {
        if (String(input).endsWith('/v2/inventory/changes/batch-create')) bodies.push(String(init?.body));
        return fetch(input, init);
      },
    },
  });
  const item = stockedItem(rig);
  const before = rig.onHand(item)!;
  const location = rig.connection.locationIds[0]!;
  const receipt = await rig.adapter.recordSale(saleOf('ledger-wire-1', item, {}));
  const wire = JSON.parse(bodies[0]!) as { idempotency_key: string; changes: Array<{ adjustment: Record<string, unknown> }> };
  const adjustment = wire.changes[0]!.adjustment;
  assert.equal(adjustment.from_location_id, location);
  assert.equal(adjustment.to_location_id, location);
  assert.equal(adjustment.location_id, undefined);
  assert.equal(adjustment.reference_id, 'ledger-wire-1');
  assert.equal(adjustment.quantity, '2');
  assert.equal(wire.idempotency_key, 'ledger-wire-1');
  const [entry] = rig.sim.kit.ledger.list({ source: 'api', kind: 'sale', reference: 'ledger-wire-1' });
  assert.equal(entry?.location, location);
  assert.equal(entry?.idempotencyKey, 'ledger-wire-1');
  assert.deepEqual(receipt, { posReference: entry?.posId, alreadyRecorded: false });
  assert.equal(rig.onHand(item), before - 2);
});

test('a sale lost after the commit is re-sent by a restarted adapter with the saved body: one sale, no IDEMPOTENCY_KEY_REUSED', async (t) => {
  let clock = Date.parse('2026-11-27T08:00:00Z');
  const rig = await withRig(t, { deps: { now: () => clock, policy: { maxAttempts: 1 } } });
  const item = stockedItem(rig);
  const store: { progress?: SaleProgress } = {};
  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.changes, kind: 'timeout_after_commit', holdMs: 5, count: 1 });
  // One attempt only: the worker "crashes" with the outcome unknown.
  await assert.rejects(rig.adapter.recordSale(saleOf('ledger-restart-1', item, store)), PosAmbiguousWriteError);
  assert.equal(rig.salesRecorded('ledger-restart-1'), 1, 'Square committed it');
  assert.equal(store.progress?.occurredAt, '2026-11-27T08:00:00.000Z', 'occurred_at saved before the first send');

  clock += 90_000; // the new process has another clock reading; the saved body must win
  const restarted = rig.restart();
  const receipt = await restarted.recordSale(saleOf('ledger-restart-1', item, store, true));
  assert.equal(rig.salesRecorded('ledger-restart-1'), 1);
  const [entry] = rig.sim.kit.ledger.list({ source: 'api', kind: 'sale', reference: 'ledger-restart-1' });
  assert.equal(receipt.posReference, entry?.posId, "Square's stored answer names the first change");
  assert.equal(store.progress?.changeId, entry?.posId);
  assert.deepEqual(rig.sim.kit.stats.snapshot().endpoints[ENDPOINTS.changes]?.statuses, { '200': 2 }, 'no 400 IDEMPOTENCY_KEY_REUSED');

  // With the change id saved, a third run posts nothing at all.
  const calls = restarted.apiCalls();
  assert.deepEqual(await restarted.recordSale(saleOf('ledger-restart-1', item, store, true)), { posReference: entry?.posId, alreadyRecorded: true });
  assert.equal(restarted.apiCalls(), calls);
});

test('progress lost: a re-run that may exist reads IDEMPOTENCY_KEY_REUSED as recorded; a first attempt stops for an operator', async (t) => {
  let clock = Date.parse('2026-11-27T08:00:00Z');
  const rig = await withRig(t, { deps: { now: () => clock } });
  const item = stockedItem(rig);
  await rig.adapter.recordSale(saleOf('ledger-lost-1', item, {}));
  clock += 1000;
  const again = await rig.restart().recordSale(saleOf('ledger-lost-1', item, {}, true));
  assert.deepEqual(again, { posReference: 'idempotency-key:ledger-lost-1', alreadyRecorded: true });
  await assert.rejects(rig.restart().recordSale(saleOf('ledger-lost-1', item, {}, false)), (error: unknown) => {
    assert.ok(error instanceof PosRejectedError);
    assert.equal(error.retry.retry, false);
    assert.match(error.message, /IDEMPOTENCY_KEY_REUSED/);
    return true;
  });
  assert.equal(rig.salesRecorded('ledger-lost-1'), 1);
});

test('an unreadable answer to a sale is never success: ambiguous, then settled by the same key', async (t) => {
  const rig = await withRig(t, { deps: { policy: { maxAttempts: 1 } } });
  const item = stockedItem(rig);
  const store: { progress?: SaleProgress } = {};
  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.changes, kind: 'malformed', count: 1 });
  await assert.rejects(rig.adapter.recordSale(saleOf('ledger-bad-1', item, store)), (error: unknown) => {
    assert.ok(error instanceof PosAmbiguousWriteError);
    assert.match(error.message, /unreadable answer/);
    return true;
  });
  assert.equal(store.progress?.changeId, undefined, 'nothing confirmed');
  const receipt = await rig.adapter.recordSale(saleOf('ledger-bad-1', item, store, true));
  assert.equal(receipt.posReference, rig.sim.kit.ledger.list({ reference: 'ledger-bad-1' })[0]?.posId);
  assert.equal(rig.salesRecorded('ledger-bad-1'), 1);
});

test('a JSON answer without the adjustment is re-sent in-line, then ambiguous; never reported as done', async (t) => {
  let spoil = 10;
  const rig = await withRig(t, {
    deps: {
      fetch: async (input, init) => {
        const response = await fetch(input, init);
        if (!String(input).endsWith('/v2/inventory/changes/batch-create') || spoil-- <= 0) return response;
        return new Response('{"counts":[]}', { status: 200, headers: { 'content-type': 'application/json' } });
      },
    },
  });
  const item = stockedItem(rig);
  await assert.rejects(rig.adapter.recordSale(saleOf('ledger-shape-1', item, {})), PosAmbiguousWriteError);
  assert.equal(rig.requests(ENDPOINTS.changes), 4, 'the policy allows four attempts, all with the same key');
  assert.equal(rig.salesRecorded('ledger-shape-1'), 1);
});

test('a sale of an unknown variation is refused with Square code and field', async (t) => {
  const rig = await withRig(t);
  await assert.rejects(rig.adapter.recordSale(saleOf('ledger-unknown-1', 'NOSUCHVARIATION0000000000', {})), (error: unknown) => {
    assert.ok(error instanceof PosRejectedError);
    assert.equal(error.status, 400);
    assert.match(error.message, /INVALID_VALUE on changes\[0\]\.adjustment\.catalog_object_id/);
    assert.equal((error as PosError).retry.retry, false);
    return true;
  });
});

test('a sale that times out is re-sent in-line with the same key: one sale', async (t) => {
  // A short timeout that only the hung request meets: the re-send is an ordinary local call.
  const rig = await withRig(t, { deps: { timeoutMs: 2_000 } });
  const item = stockedItem(rig);
  const before = rig.onHand(item)!;
  // The simulator does not answer the first request until we hang up, then drops its work.
  rig.sim.kit.faults.add({ endpoint: ENDPOINTS.changes, kind: 'hang', count: 1 });
  const receipt = await rig.adapter.recordSale(saleOf('ledger-slow-1', item, {}));
  assert.equal(rig.adapter.retryLog()[0]?.decision.reason, 'timed out');
  assert.equal(rig.requests(ENDPOINTS.changes), 2);
  assert.equal(rig.salesRecorded('ledger-slow-1'), 1);
  assert.equal(rig.onHand(item), before - 2);
  assert.equal(receipt.posReference, rig.sim.kit.ledger.list({ reference: 'ledger-slow-1' })[0]?.posId);
});
