import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admin, call, flatSeed, startSim } from '../../../test/support/hiboutik-simulator.ts';
import { waitUntil } from '../../../test/support/wait.ts';

test('monthly quota: the call after the quota gets 429 until the UTC month changes', async (t) => {
  const sim = await startSim({ seed: flatSeed(1), switches: { monthlyQuota: '5' } });
  t.after(() => sim.close());
  for (let i = 0; i < 5; i++) assert.equal((await call(sim, 'GET', '/api/warehouses')).status, 200, `call ${i + 1}`);

  const refused = await call(sim, 'GET', '/api/warehouses');
  assert.equal(refused.status, 429);
  assert.equal(refused.body.error, 'too_many_requests');
  assert.equal(refused.body.code, 429);
  assert.match(refused.body.error_description, /Monthly API quota of 5 calls reached; calls are accepted again from 2026-12-01T00:00:00.000Z/);
  assert.equal(refused.headers.get('retry-after'), null, 'no Retry-After is documented for Hiboutik');
  assert.equal((await call(sim, 'POST', '/api/sales/', { json: { store_id: 1 } })).status, 429, 'writes too');
  assert.equal(sim.store.sales.size, 0, 'a refused write writes nothing');

  // Admin routes never count; the quota is visible there.
  const quota = (await admin(sim, 'GET', '/quota')).body;
  assert.deepEqual(quota, {
    month: '2026-11',
    used: 5,
    limit: 5,
    remaining: 0,
    refused: 2,
    resetsAt: '2026-12-01T00:00:00.000Z',
    maxConcurrent: 30,
    inFlight: 0,
    refusedConcurrent: 0,
  });
  assert.deepEqual(sim.kit.stats.snapshot().endpoints['GET /api/warehouses'], { requests: 6, statuses: { '200': 5, '429': 1 } });

  // Still November one millisecond before midnight UTC on the 30th.
  sim.kit.clock.advance(Date.parse('2026-11-30T23:59:59.999Z') - sim.kit.clock.now());
  assert.equal((await call(sim, 'GET', '/api/warehouses')).status, 429);
  sim.kit.clock.advance(1);
  assert.equal((await call(sim, 'GET', '/api/warehouses')).status, 200);
  assert.deepEqual({ month: sim.quota().month, used: sim.quota().used, refused: sim.quota().refused }, { month: '2026-12', used: 1, refused: 0 });

  await assert.rejects(startSim({ switches: { monthlyQuota: 'lots' } }), /monthlyQuota must be a number/);
  await assert.rejects(startSim({ switches: { maxConcurrent: '0' } }), /maxConcurrent must be a positive integer/);
});

test('concurrency cap: with 30 calls in flight, every extra call gets 429 and is not charged', async (t) => {
  const sim = await startSim({ seed: flatSeed(1) });
  t.after(() => sim.close());
  // Hold each call long enough for the test to see all 30 in flight before sending the extras.
  sim.kit.faults.add({ endpoint: 'GET /api/warehouses', kind: 'latency', latencyMs: 1500 });

  const held = Array.from({ length: 30 }, () => call(sim, 'GET', '/api/warehouses'));
  await waitUntil('30 calls in flight', () => sim.inFlight() === 30);
  const extras = Array.from({ length: 4 }, () => call(sim, 'GET', '/api/warehouses'));
  const extraAnswers = await Promise.all(extras);
  const heldAnswers = await Promise.all(held);

  assert.deepEqual(extraAnswers.map((a) => a.status), [429, 429, 429, 429]);
  assert.match(extraAnswers[0]!.body.error_description, /at most 30 calls may be in flight/);
  assert.deepEqual(heldAnswers.map((a) => a.status), Array(30).fill(200));
  await waitUntil('in-flight count back to 0', () => sim.inFlight() === 0);
  const quota = sim.quota();
  assert.equal(quota.used, 30);
  assert.equal(quota.refusedConcurrent, 4);
  assert.deepEqual(sim.kit.stats.snapshot().endpoints['GET /api/warehouses'], { requests: 34, statuses: { '200': 30, '429': 4 } });

  // Admin calls are outside the cap and the quota.
  assert.equal((await admin(sim, 'GET', '/stats')).status, 200);
  assert.equal(sim.quota().used, 30);
});

test('maxConcurrent switch lowers the cap', async (t) => {
  const sim = await startSim({ seed: flatSeed(1), switches: { maxConcurrent: '2' } });
  t.after(() => sim.close());
  sim.kit.faults.add({ endpoint: 'GET /api/stores', kind: 'latency', latencyMs: 1000 });
  const held = [call(sim, 'GET', '/api/stores'), call(sim, 'GET', '/api/stores')];
  await waitUntil('2 calls in flight', () => sim.inFlight() === 2);
  assert.equal((await call(sim, 'GET', '/api/warehouses')).status, 429, 'the cap is per shop, across endpoints');
  assert.deepEqual((await Promise.all(held)).map((a) => a.status), [200, 200]);
  await waitUntil('drained', () => sim.inFlight() === 0);
  assert.equal((await call(sim, 'GET', '/api/warehouses')).status, 200);
});
