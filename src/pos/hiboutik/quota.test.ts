import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PosQuotaExhaustedError } from '../errors.ts';
import { ENDPOINTS, startRig } from './test-rig.ts';

const drain = async (iterable: AsyncIterable<unknown>) => {
  for await (const _ of iterable);
};

describe('monthly quota', () => {
  test('polling stops before the quota, with a clear message; sales still go through on the reserve', async (t) => {
    const rig = await startRig({ items: 10, switches: { monthlyQuota: '30' }, connection: { maximumRequests: 30, reserveForSales: 10 } });
    t.after(() => rig.close());
    let polls = 0;
    let stopped: unknown;
    while (polls < 100) {
      try {
        await drain(rig.adapter.readCounts());
        polls += 1;
      } catch (error) {
        stopped = error;
        break;
      }
    }
    assert.equal(polls, 20, 'reads use the quota less the reserve');
    assert.ok(stopped instanceof PosQuotaExhaustedError);
    assert.match(stopped.message, /polling paused: 20 of 30 calls used this month; the last 10 are kept for sales \(resets 2026-12-01T00:00:00.000Z\)/);
    assert.equal(stopped.resetsAt.toISOString(), '2026-12-01T00:00:00.000Z');
    assert.ok(stopped.retry.retry && stopped.retry.waitMs > 0, 'the job queue is told when to come back');
    assert.equal(rig.sim.quota().used, 20, 'the refused poll made no call');

    await rig.adapter.recordSale({ saleId: 'reserve-1', posItemId: '1', quantity: 1, amountCents: 500, mayExist: false });
    await rig.adapter.recordSale({ saleId: 'reserve-2', posItemId: '2', quantity: 1, amountCents: 500, mayExist: false });
    assert.equal(rig.salesRecorded('reserve-1') + rig.salesRecorded('reserve-2'), 2);
    assert.deepEqual(rig.adapter.budget(), { month: '2026-11', used: 28, limit: 30, reserveForWrites: 10 });
    assert.equal(rig.sim.quota().refused, 0, 'Hiboutik never had to refuse us');

    // Usage survives a restart through the budget store.
    const restarted = rig.restart();
    assert.equal(restarted.budget().used, 28);
    await assert.rejects(drain(restarted.readCounts()), PosQuotaExhaustedError);
    assert.equal(restarted.apiCalls(), 0);
  });

  test('Hiboutik’s own quota 429 (the quota is shared with other apps) stops every call until the month turns', async (t) => {
    const rig = await startRig({ items: 10, switches: { monthlyQuota: '3' } });
    t.after(() => rig.close());
    for (let i = 0; i < 3; i++) await drain(rig.adapter.readCounts());
    await assert.rejects(drain(rig.adapter.readCounts()), (error: unknown) => {
      assert.ok(error instanceof PosQuotaExhaustedError);
      assert.match(error.message, /Hiboutik refused the call: the shop's monthly API quota is spent/);
      assert.equal(error.resetsAt.toISOString(), '2026-12-01T00:00:00.000Z');
      return true;
    });
    assert.equal(rig.adapter.apiCalls(), 4, 'the refused call is not retried');
    assert.equal(rig.sim.quota().refused, 1);
    assert.equal(rig.adapter.budget().used, 10_000, 'the local budget is marked spent');
    // Sales too wait for the new month, without calling.
    await assert.rejects(rig.adapter.recordSale({ saleId: 'late', posItemId: '1', quantity: 1, amountCents: 100, mayExist: false }), PosQuotaExhaustedError);
    assert.equal(rig.adapter.apiCalls(), 4);

    rig.sim.kit.clock.advance(30 * 24 * 3600 * 1000);
    await drain(rig.adapter.readCounts());
    assert.equal(rig.adapter.budget().month, '2026-12');
  });

  test('a concurrency 429 is an ordinary retry', async (t) => {
    let releaseFirst!: () => void;
    const firstDone = new Promise<void>((resolve) => (releaseFirst = resolve));
    const rig = await startRig({
      items: 10,
      switches: { maxConcurrent: '1' },
      // The retry waits until the call holding the only slot has finished, instead of sleeping.
      deps: { sleep: () => firstDone },
    });
    t.after(() => rig.close());
    rig.sim.kit.faults.add({ endpoint: ENDPOINTS.stock, kind: 'latency', latencyMs: 100, count: 1 });
    const slow = drain(rig.adapter.readCounts()).then(releaseFirst);
    await new Promise((resolve) => setImmediate(resolve));
    while (rig.sim.inFlight() === 0) await new Promise((resolve) => setImmediate(resolve));
    await drain(rig.adapter.readCounts());
    await slow;
    assert.equal(rig.sim.quota().refusedConcurrent, 1);
    assert.equal(rig.adapter.apiCalls(), 3);
    assert.equal(rig.adapter.budget().used, 3);
  });
});
