import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WebhooksHelper } from 'square';
import { MAX_EVENT_AGE_MS, readSquareDelivery, SIGNATURE_HEADER, squareSignature } from './push.ts';

const KEY = 'sig-key-0123456789';
const URL_ = 'https://sync.shop.example/webhooks/square/L1';
const NOW = new Date('2026-11-29T12:00:00Z');

function event(overrides: Record<string, unknown> = {}, counts: unknown[] = []): string {
  return JSON.stringify({
    merchant_id: 'M1',
    type: 'inventory.count.updated',
    event_id: 'ev-1',
    created_at: NOW.toISOString(),
    data: { type: 'inventory_counts', id: 'x', object: { inventory_counts: counts } },
    ...overrides,
  });
}
const count = (id: string, location: string, state = 'IN_STOCK') => ({ catalog_object_id: id, state, location_id: location, quantity: '3', calculated_at: NOW.toISOString() });
const deliver = (body: string, signature: string | undefined) => ({
  body: Buffer.from(body, 'utf8'),
  contentType: 'application/json',
  headers: signature === undefined ? {} : { [SIGNATURE_HEADER]: signature },
});
const read = (body: string, signature: string | undefined, now = NOW) => readSquareDelivery(deliver(body, signature), { signatureKey: KEY, notificationUrl: URL_ }, ['L1', 'L2'], now);

test('the signature is the one the official SDK verifies (URL + raw body, HMAC-SHA256, base64)', async () => {
  const body = event({}, [count('V1', 'L1')]);
  const signature = squareSignature(KEY, URL_, Buffer.from(body));
  assert.equal(await WebhooksHelper.verifySignature({ requestBody: body, signatureHeader: signature, signatureKey: KEY, notificationUrl: URL_ }), true);
  assert.deepEqual(read(body, signature), { ok: true, event: { eventId: 'ev-1', createdAt: NOW, posItemIds: ['V1'] } });
});

test('unsigned → 401; wrong key, other URL or one changed byte → 403', () => {
  const body = event({}, [count('V1', 'L1')]);
  assert.equal((read(body, undefined) as { status: number }).status, 401);
  assert.equal((read(body, squareSignature('other', URL_, Buffer.from(body))) as { status: number }).status, 403);
  assert.equal((read(body, squareSignature(KEY, `${URL_}/`, Buffer.from(body))) as { status: number }).status, 403);
  const signature = squareSignature(KEY, URL_, Buffer.from(body));
  assert.equal((read(body.replace('"3"', '"4"'), signature) as { status: number }).status, 403);
  assert.equal((read(body, 'short') as { status: number }).status, 403, 'a malformed header is just a wrong one');
});

test('stale or far-future events are refused even when signed', () => {
  const old = event({ created_at: new Date(NOW.getTime() - MAX_EVENT_AGE_MS - 1000).toISOString() }, [count('V1', 'L1')]);
  assert.deepEqual(read(old, squareSignature(KEY, URL_, Buffer.from(old))).ok, false);
  const future = event({ created_at: new Date(NOW.getTime() + 10 * 60_000).toISOString() }, [count('V1', 'L1')]);
  assert.equal((read(future, squareSignature(KEY, URL_, Buffer.from(future))) as { status: number }).status, 403);
  const retried = event({ created_at: new Date(NOW.getTime() - 71 * 3600_000).toISOString() }, [count('V1', 'L1')]);
  assert.equal(read(retried, squareSignature(KEY, URL_, Buffer.from(retried))).ok, true, 'a retry within Square’s 72 h is accepted');
});

test('only IN_STOCK counts at the account’s locations name items; other events are acknowledged and ignored', () => {
  const moved = event({}, [count('V1', 'L1', 'SOLD'), count('V1', 'L1'), count('V2', 'OTHER'), count('V3', 'L2'), count('V1', 'L2')]);
  const verdict = read(moved, squareSignature(KEY, URL_, Buffer.from(moved)));
  assert.deepEqual(verdict.ok && verdict.event?.posItemIds, ['V1', 'V3']);
  const elsewhere = event({}, [count('V2', 'OTHER')]);
  assert.deepEqual(read(elsewhere, squareSignature(KEY, URL_, Buffer.from(elsewhere))), { ok: true, event: null });
  const other = event({ type: 'catalog.version.updated' });
  assert.deepEqual(read(other, squareSignature(KEY, URL_, Buffer.from(other))), { ok: true, event: null });
  const broken = '{"event_id":';
  assert.equal((read(broken, squareSignature(KEY, URL_, Buffer.from(broken))) as { status: number }).status, 400);
});
