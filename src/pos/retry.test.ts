import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_RETRY_POLICY, decideRetry, parseRetryAfter } from './retry.ts';
import { toWholeUnits } from './quantities.ts';
import { PosBadResponseError } from './errors.ts';
import { editDistance } from './matching.ts';
import { MonthlyCallBudget } from './call-budget.ts';
import { PosQuotaExhaustedError } from './errors.ts';
import { LeakyBucketGate } from './leaky-bucket.ts';
import { MemoryRateLimitStore } from './rate-limit-store.ts';

test('retry decisions say why and how long', () => {
  assert.deepEqual(decideRetry({ type: 'status', status: 429, retryAfterMs: 3000 }, 1, true), {
    retry: true,
    reason: 'rate limited (429), Retry-After honoured',
    waitMs: 3000,
  });
  assert.equal(decideRetry({ type: 'status', status: 429, retryAfterMs: 3_600_000 }, 1, true).waitMs, DEFAULT_RETRY_POLICY.maxRetryAfterMs, 'Retry-After is capped');
  assert.equal(decideRetry({ type: 'status', status: 503 }, 1, true).retry, true);
  assert.equal(decideRetry({ type: 'status', status: 503 }, DEFAULT_RETRY_POLICY.maxAttempts, true).retry, false, 'attempts run out');
  assert.equal(decideRetry({ type: 'status', status: 503 }, 1, false).retry, false, 'an unkeyed write is never blindly re-sent');
  assert.equal(decideRetry({ type: 'network', afterSend: false }, 1, false).retry, true, 'a refused connection sent nothing');
  assert.equal(decideRetry({ type: 'timeout' }, 1, false).retry, false);
  assert.equal(decideRetry({ type: 'status', status: 400 }, 1, true).retry, false);
  const wait = decideRetry({ type: 'status', status: 502 }, 3, true, DEFAULT_RETRY_POLICY).waitMs;
  assert.ok(wait >= 400 && wait <= 800, `third back-off is within [400, 800] ms, got ${wait}`);
});

test('Retry-After in seconds or as a date', () => {
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter('Fri, 27 Nov 2026 10:00:05 GMT', Date.parse('2026-11-27T10:00:00Z')), 5000);
  assert.equal(parseRetryAfter(null), undefined);
  assert.equal(parseRetryAfter('soon'), undefined);
});

test('quantities round down to whole units and refuse non-numbers', () => {
  assert.equal(toWholeUnits('3.00000', 'x'), 3);
  assert.equal(toWholeUnits('2.5', 'x'), 2);
  assert.equal(toWholeUnits('2.99999', 'x'), 2);
  assert.equal(toWholeUnits(7, 'x'), 7);
  assert.equal(toWholeUnits('-1.5', 'x'), -2);
  assert.throws(() => toWholeUnits('', 'x'), PosBadResponseError);
  assert.throws(() => toWholeUnits(null, 'x'), PosBadResponseError);
});

test('edit distance', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
});

test('the monthly budget keeps a reserve for writes and rolls over with the month', async () => {
  let now = Date.parse('2026-11-30T23:59:00Z');
  const budget = new MonthlyCallBudget({ callsPerMonth: 5, reserveForWrites: 2, now: () => now });
  await budget.take('read');
  await budget.take('read');
  await budget.take('read');
  await assert.rejects(budget.take('read'), (e: unknown) => e instanceof PosQuotaExhaustedError && /kept for sales/.test(e.message));
  await budget.take('write');
  await budget.take('write');
  await assert.rejects(budget.take('write'), PosQuotaExhaustedError);
  now = Date.parse('2026-12-01T00:00:01Z');
  await budget.take('read');
  assert.deepEqual(budget.usage(), { month: '2026-12', used: 1, limit: 5, reserveForWrites: 2 });
});

test('the leaky bucket gate waits for room instead of overflowing', async () => {
  let now = 0;
  const slept: number[] = [];
  const gate = new LeakyBucketGate({ size: 10, dripPerSecond: 1, margin: 0, now: () => now, sleep: async (ms) => { slept.push(ms); now += ms; } });
  for (let i = 0; i < 10; i++) await gate.acquire(1);
  assert.deepEqual(slept, []);
  await gate.acquire(1);
  assert.deepEqual(slept, [1000], 'the 11th unit waits one drip');
  gate.observe('9.5/10', '2');
  await gate.acquire(1);
  assert.deepEqual(slept, [1000, 500], 'the drip rate is taken; a lower (possibly stale) level does not lower the estimate of 10');
  gate.observe('10/10', '2');
  now += 1000;
  gate.observe('11/10', null);
  await gate.acquire(1);
  assert.deepEqual(slept, [1000, 500, 1000], 'a higher reading (another client on the bucket) raises it');
});

test('the gate keeps under a burst limit in every sliding second, learning the limit from X-LS-API-Burst-Level', async () => {
  let now = 500;
  const sent: number[] = [];
  const gate = new LeakyBucketGate({ size: 1000, dripPerSecond: 100, now: () => now, sleep: async (ms) => { now += ms; }, burstPerSecond: 5 });
  gate.observeBurst('1/3');
  for (let i = 0; i < 7; i++) {
    await gate.acquire(1);
    sent.push(now);
  }
  assert.deepEqual(sent, [500, 500, 500, 1500, 1500, 1500, 2500]);
});

test('gates sharing a rate-limit store book one bucket: a gate that has had no answer waits on the level and size another one read', async () => {
  let now = 0;
  const clock = { now: () => now, sleep: async (ms: number) => { now += ms; } };
  const store = new MemoryRateLimitStore(() => now);
  const shared = { store, key: 'lightspeed:1:client' };
  // Defaults of a 90-drip bucket; the server's is 10 and draining at 2 a second.
  const busy = new LeakyBucketGate({ size: 90, dripPerSecond: 1, margin: 0, ...clock, shared });
  const quiet = new LeakyBucketGate({ size: 90, dripPerSecond: 1, margin: 0, ...clock, shared });
  for (let i = 0; i < 8; i++) await busy.acquire(1);
  busy.observe('8/10', '2');
  await busy.acquire(1);
  assert.equal(now, 0, 'the ninth drip fits');
  await quiet.acquire(2);
  assert.equal(now, 500, 'the quiet gate waited for the level (9 of 10) to drain enough for its 2 drips, at the server\'s drip rate');
  await busy.acquire(1);
  assert.equal(now, 1000, 'and the busy gate sees the quiet one\'s drips');
});

test('a bucket header that is not a number, or gives no room, is ignored rather than stopping every request', async () => {
  let now = 0;
  const slept: number[] = [];
  const gate = new LeakyBucketGate({ size: 10, dripPerSecond: 1, margin: 0, now: () => now, sleep: async (ms) => { slept.push(ms); now += ms; } });
  for (const header of ['1/0', '1/.', './10', '1.2.3/10']) gate.observe(header, null);
  assert.deepEqual(gate.reading(), { level: 0, size: 10 });
  for (let i = 0; i < 10; i++) await gate.acquire(1);
  assert.deepEqual(slept, [], 'the ten drips of the real bucket fit');
});
