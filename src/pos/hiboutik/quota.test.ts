import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { PosQuotaExhaustedError } from '../errors.ts';
import { ENDPOINTS, startRig } from '../../../test/support/hiboutik-adapter.ts';
import { waitUntil } from '../../../test/support/wait.ts';
import type { AccountConfig } from '../accounts.ts';
import { pollAccount, quotaPause } from '../../engine/sync.ts';

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

  /** Every 429 body replaced by a bare one: the classification must not depend on wording. */
  const plain429: typeof fetch = async (input, init) => {
    const response = await fetch(input, init);
    if (response.status !== 429) return response;
    await response.arrayBuffer();
    return new Response(JSON.stringify({ error: 'too_many_requests', code: 429, error_description: 'Too Many Requests' }), { status: 429, headers: { 'content-type': 'application/json' } });
  };

  test('429s that persist for a minute are the monthly quota (shared with other apps): every call stops until the month turns', async (t) => {
    let rig!: Awaited<ReturnType<typeof startRig>>;
    // Retries sleep on the simulator's clock, so a minute of refusals takes no real time.
    rig = await startRig({ items: 10, switches: { monthlyQuota: '3' }, deps: { fetch: plain429, sleep: async (ms) => rig.sim.kit.clock.advance(ms) } });
    t.after(() => rig.close());
    for (let i = 0; i < 3; i++) await drain(rig.adapter.readCounts());
    assert.equal(rig.adapter.quota!().state, 'ok');
    // Our count is 3 of 10,000: the first refusals look like a busy shop (30 calls in flight).
    await assert.rejects(drain(rig.adapter.readCounts()), (error: unknown) => !(error instanceof PosQuotaExhaustedError));
    assert.equal(rig.adapter.quota!().state, 'ok');
    rig.sim.kit.clock.advance(60_000);
    await assert.rejects(drain(rig.adapter.readCounts()), (error: unknown) => {
      assert.ok(error instanceof PosQuotaExhaustedError, String(error));
      assert.match(error.message, /Hiboutik refused the call: the shop's monthly API quota is spent/);
      assert.equal(error.resetsAt.toISOString(), '2026-12-01T00:00:00.000Z');
      return true;
    });
    const calls = rig.adapter.apiCalls();
    assert.deepEqual(rig.adapter.quota!(), { state: 'refused', used: 10_000, limit: 10_000, resumesAt: '2026-12-01T00:00:00.000Z' });
    // Polls and sales wait for the new month, without calling.
    await assert.rejects(drain(rig.adapter.readCounts()), PosQuotaExhaustedError);
    await assert.rejects(rig.adapter.recordSale({ saleId: 'late', posItemId: '1', quantity: 1, amountCents: 100, mayExist: false }), PosQuotaExhaustedError);
    assert.equal(rig.adapter.apiCalls(), calls);
    // The engine's poll pauses without touching the core (no run recorded, nothing called).
    const account = { config: { id: 'hbk' } as AccountConfig, adapter: rig.adapter };
    assert.equal(await pollAccount({ core: null as never, sink: null as never, reserved: null as never }, account, 'manual'), null);
    assert.equal(quotaPause(account)?.resumesAt, '2026-12-01T00:00:00.000Z');

    rig.sim.kit.clock.advance(30 * 24 * 3600 * 1000);
    await drain(rig.adapter.readCounts());
    assert.equal(rig.adapter.budget().month, '2026-12');
    assert.equal(rig.adapter.quota!().state, 'ok');
  });

  test('a 429 while our own count is near the quota is the quota at once', async (t) => {
    const rig = await startRig({ items: 10, switches: { monthlyQuota: '175' }, connection: { maximumRequests: 200, reserveForSales: 0 }, deps: { fetch: plain429 } });
    t.after(() => rig.close());
    for (let i = 0; i < 175; i++) await drain(rig.adapter.readCounts());
    await assert.rejects(drain(rig.adapter.readCounts()), PosQuotaExhaustedError);
    assert.equal(rig.sim.quota().refused, 1, 'other apps used the last 25 calls: one refusal is enough (176 ≥ 200 − 30)');
    assert.equal(rig.adapter.quota!().state, 'refused');
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
    // The first read is held on the POS until the second has been refused for concurrency.
    rig.sim.kit.faults.add({ endpoint: ENDPOINTS.stock, kind: 'hang', count: 1 });
    const slow = drain(rig.adapter.readCounts()).then(releaseFirst);
    await waitUntil('the first read held in its slot', () => rig.sim.kit.faults.holding() === 1);
    const second = drain(rig.adapter.readCounts());
    await waitUntil('the second read refused for concurrency', () => rig.sim.quota().refusedConcurrent === 1);
    rig.sim.kit.faults.release();
    await second;
    await slow;
    assert.equal(rig.sim.quota().refusedConcurrent, 1);
    assert.equal(rig.adapter.apiCalls(), 3);
    assert.equal(rig.adapter.budget().used, 3);
  });
});
