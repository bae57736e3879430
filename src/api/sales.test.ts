import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApi } from './app.ts';
import { FakeService, makeApi, mapItem } from './test-support.ts';

const json = { 'content-type': 'application/json' };
const SALE = '/api/synchronizer/sale';

/** The original README's sale body, byte for byte. */
const README_SALE = '{"item_ecommerce_id": 12, "delta": 1, "balance": 1250}';

async function withItem(item: Parameters<typeof mapItem>[1] = { ecommerceId: '12' }) {
  const api = await makeApi();
  mapItem(api.service, item);
  return api;
}

const sell = (app: FastifyInstance, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: SALE, headers: { ...json, ...headers }, payload: payload as object });

test('README curl body, no key → 202 with Location; the sale reads back in full', async () => {
  const { app, service } = await withItem();
  const res = await app.inject({ method: 'POST', url: SALE, headers: json, payload: README_SALE });
  assert.equal(res.statusCode, 202, res.body);
  assert.deepEqual(res.json(), { sale_id: 'sale-1', status: 'accepted', location: '/api/sales/sale-1' });
  assert.equal(res.headers.location, '/api/sales/sale-1');
  assert.equal(res.headers['idempotent-replayed'], undefined);
  assert.equal(service.items.mappings.get('sq-main/12')?.available, 11, 'one unit reserved');

  const got = await app.inject({ method: 'GET', url: res.headers.location as string });
  assert.equal(got.statusCode, 200);
  assert.deepEqual(got.json(), {
    sale_id: 'sale-1', state: 'accepted', item_ecommerce_id: '12', account_id: 'sq-main', pos_item_id: 'VAR-1',
    quantity: 1, amount_cents: 1250, reference: null, idempotency_key: null, attempts: 0, last_error: null,
    pos_reference: null, created_at: '2026-11-27T07:00:00.000Z', updated_at: '2026-11-27T07:00:00.000Z',
    history: [{ from: null, to: 'accepted', at: '2026-11-27T07:00:00.000Z', reason: 'received' }],
  });
});

test('without a key, the same body twice is two sales', async () => {
  const { app } = await withItem();
  const ids = [];
  for (let i = 0; i < 2; i++) ids.push((await sell(app, README_SALE)).json().sale_id);
  assert.deepEqual(ids, ['sale-1', 'sale-2']);
});

test('Idempotency-Key: a replay answers the same sale and reserves nothing more', async () => {
  const { app, service } = await withItem();
  const body = { item_ecommerce_id: 12, delta: 2, balance: 2500, reference: 'order-7' };
  const first = await sell(app, body, { 'Idempotency-Key': 'k-1' });
  const again = await sell(app, body, { 'idempotency-key': 'k-1' });
  assert.equal(first.statusCode, 202);
  assert.equal(again.statusCode, 202);
  assert.deepEqual(again.json(), first.json());
  assert.equal(again.headers.location, first.headers.location);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(service.items.mappings.get('sq-main/12')?.available, 10);
  const sale = (await app.inject({ method: 'GET', url: '/api/sales/sale-1' })).json();
  assert.equal(sale.idempotency_key, 'k-1', 'the header is the key');
  assert.equal(sale.reference, 'order-7', 'the reference is kept as such');
  // A different key with the same body is a different sale.
  assert.equal((await sell(app, body, { 'Idempotency-Key': 'k-2' })).json().sale_id, 'sale-2');
});

test('reference is the key when no header is sent', async () => {
  const { app } = await withItem();
  const body = { item_ecommerce_id: '12', delta: 1, balance: 1250, reference: 'order-8' };
  const first = await sell(app, body);
  const again = await sell(app, body);
  assert.equal(again.json().sale_id, first.json().sale_id);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  const sale = (await app.inject({ method: 'GET', url: first.headers.location as string })).json();
  assert.equal(sale.idempotency_key, 'order-8');
  assert.equal(sale.reference, 'order-8');
});

test('same key, another body → 422 idempotency_key_reused naming where the key came from', async () => {
  const { app, service } = await withItem();
  await sell(app, { item_ecommerce_id: 12, delta: 1, balance: 1250 }, { 'Idempotency-Key': 'k-1' });
  const header = await sell(app, { item_ecommerce_id: 12, delta: 2, balance: 1250 }, { 'Idempotency-Key': 'k-1' });
  assert.equal(header.statusCode, 422);
  assert.deepEqual(header.json(), {
    error: 'idempotency_key_reused',
    message: 'Idempotency-Key "k-1" was already used for a sale with another item_ecommerce_id, delta, balance or reference; use a new key for a new sale',
    field: 'Idempotency-Key',
    details: { sale_id: 'sale-1' },
  });

  await sell(app, { item_ecommerce_id: 12, delta: 1, balance: 1250, reference: 'order-9' });
  const ref = await sell(app, { item_ecommerce_id: 12, delta: 1, balance: 999, reference: 'order-9' });
  assert.equal(ref.statusCode, 422);
  assert.equal(ref.json().error, 'idempotency_key_reused');
  assert.equal(ref.json().field, 'reference');
  assert.match(ref.json().message, /^reference "order-9" \(the idempotency key when no Idempotency-Key is sent\) was already used/);
  assert.equal(service.sales.sales.size, 2, 'nothing written for the 422s');
});

test('floor is ≥: with limit_quantity 0 the last unit sells; past the floor → 409 with available', async () => {
  const { app, service } = await withItem({ ecommerceId: '12', available: 1, limitQuantity: 0 });
  assert.equal((await sell(app, { item_ecommerce_id: 12, delta: 1, balance: 100 })).statusCode, 202);
  mapItem(service, { ecommerceId: '13', posItemId: 'VAR-2', available: 3, limitQuantity: 1 });
  assert.equal((await sell(app, { item_ecommerce_id: 13, delta: 2, balance: 100 })).statusCode, 202, '3 − 2 ≥ 1');
  const over = await sell(app, { item_ecommerce_id: 13, delta: 1, balance: 100 }, { 'Idempotency-Key': 'late' });
  assert.equal(over.statusCode, 409);
  assert.deepEqual(over.json(), {
    error: 'conflict',
    message: 'Only 0 units of item 13 can be sold (1 available, 1 kept back by limit_quantity); asked for 1. Nothing was sold.',
    field: 'delta',
    details: { available: 1, limit_quantity: 1 },
  });
  assert.equal(service.items.mappings.get('sq-main/13')?.available, 1, 'nothing reserved');
  assert.equal(service.sales.sales.size, 2, 'nothing recorded');

  mapItem(service, { ecommerceId: '14', available: 5, limitQuantity: 2 });
  const some = await sell(app, { item_ecommerce_id: 14, delta: 4, balance: 100 });
  assert.match(some.json().message, /^Only 3 units of item 14 can be sold \(5 available, 2 kept back/);
});

test('an item never polled → 409 with available null', async () => {
  const { app } = await withItem({ ecommerceId: '12', available: null, onHand: null });
  const res = await sell(app, README_SALE);
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().field, 'delta');
  assert.deepEqual(res.json().details, { available: null, limit_quantity: 0 });
  assert.match(res.json().message, /no stock count yet/);
});

test('an unmapped item → 404 naming item_ecommerce_id', async () => {
  const { app } = await withItem();
  const res = await sell(app, { item_ecommerce_id: 'nope', delta: 1, balance: 1 });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { error: 'not_found', message: 'No mapped item "nope"', field: 'item_ecommerce_id' });
});

test('bad values → 400 naming the field; nothing is written', async () => {
  const { app, service } = await withItem();
  const base = { item_ecommerce_id: 12, delta: 1, balance: 1250 };
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ delta: 0 }, 'delta', 'body/delta must be >= 1'],
    [{ delta: -1 }, 'delta', 'body/delta must be >= 1'],
    [{ delta: 1.5 }, 'delta', 'body/delta must be integer'],
    [{ delta: '2' }, 'delta', 'body/delta must be integer'],
    [{ delta: 10_001 }, 'delta', 'body/delta must be <= 10000'],
    [{ delta: undefined }, 'delta', 'body/delta is required'],
    [{ balance: -1 }, 'balance', 'body/balance must be >= 0'],
    [{ balance: 100_000_001 }, 'balance', 'body/balance must be <= 100000000'],
    [{ balance: 12.5 }, 'balance', 'body/balance must be integer'],
    [{ balance: '1250' }, 'balance', 'body/balance must be integer'],
    [{ item_ecommerce_id: 1.5 }, 'item_ecommerce_id', 'body/item_ecommerce_id must be string or integer'],
    [{ reference: '' }, 'reference', 'body/reference must NOT have fewer than 1 characters'],
    [{ reference: 'r'.repeat(256) }, 'reference', 'body/reference must NOT have more than 255 characters'],
  ];
  for (const [change, field, message] of cases) {
    const res = await sell(app, { ...base, ...change });
    assert.equal(res.statusCode, 400, JSON.stringify(change));
    assert.deepEqual(res.json(), { error: 'bad_request', message, field }, JSON.stringify(change));
  }
  for (const payload of ['', '[]', '{"delta":']) {
    const res = await sell(app, payload);
    assert.equal(res.statusCode, 400, payload);
    assert.equal(res.json().field, 'body', payload);
  }
  assert.equal(service.sales.sales.size, 0);
  // The bounds themselves pass.
  mapItem(service, { ecommerceId: 'big', available: 20_000 });
  assert.equal((await sell(app, { item_ecommerce_id: 'big', delta: 10_000, balance: 100_000_000 })).statusCode, 202);
  assert.equal((await sell(app, { ...base, balance: 0 })).statusCode, 202);
});

test('a bad Idempotency-Key → 400 naming the header', async () => {
  const { app, service } = await withItem();
  for (const key of ['', 'k'.repeat(256), 'clé', 'tab\there', ' lead']) {
    const res = await sell(app, README_SALE, { 'Idempotency-Key': key });
    assert.equal(res.statusCode, 400, JSON.stringify(key));
    assert.deepEqual(res.json(), {
      error: 'bad_request',
      message: 'Idempotency-Key must be 1–255 printable ASCII characters (no leading or trailing space)',
      field: 'Idempotency-Key',
    });
  }
  assert.equal(service.sales.sales.size, 0);
  assert.equal((await sell(app, README_SALE, { 'Idempotency-Key': `a b~${'k'.repeat(251)}` })).statusCode, 202);
  // A body error is reported before a header error (Fastify checks the body first).
  assert.equal((await sell(app, { delta: 1 }, { 'Idempotency-Key': '' })).json().field, 'item_ecommerce_id');
});

test('GET /api/sales/{id}: unknown → 404', async () => {
  const { app } = await makeApi();
  const res = await app.inject({ method: 'GET', url: '/api/sales/sale-404' });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { error: 'not_found', message: 'No sale "sale-404"', field: 'id' });
});

test('GET /api/sales: newest first, by state, limit and before; bad query → 400', async () => {
  const { app, service } = await withItem();
  for (let i = 0; i < 4; i++) await sell(app, README_SALE);
  service.sales.dispatch('sale-2');
  const ids = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/sales${query}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().sales.map((s: { sale_id: string }) => s.sale_id);
  };
  assert.deepEqual(await ids(''), ['sale-4', 'sale-3', 'sale-2', 'sale-1']);
  assert.deepEqual(await ids('?state=accepted'), ['sale-4', 'sale-3', 'sale-1']);
  assert.deepEqual(await ids('?state=dispatching'), ['sale-2']);
  assert.deepEqual(await ids('?limit=2'), ['sale-4', 'sale-3']);
  assert.deepEqual(await ids('?limit=2&before=sale-3'), ['sale-2', 'sale-1']);
  assert.deepEqual(await ids('?before=sale-99'), []);
  const state = await app.inject({ method: 'GET', url: '/api/sales?state=done' });
  assert.equal(state.statusCode, 400);
  assert.deepEqual(state.json(), {
    error: 'bad_request',
    message: 'querystring/state must be one of "accepted", "dispatching", "posted", "failed", "cancelled"',
    field: 'state',
  });
  for (const limit of ['0', '501', 'ten']) {
    const res = await app.inject({ method: 'GET', url: `/api/sales?limit=${limit}` });
    assert.equal(res.statusCode, 400, limit);
    assert.equal(res.json().field, 'limit');
  }
});

test('retry: failed → 202 dispatching; texts redacted; 409 when not failed; 404 unknown', async () => {
  const { app, service } = await withItem();
  await sell(app, README_SALE);
  const early = await app.inject({ method: 'POST', url: '/api/sales/sale-1/retry' });
  assert.equal(early.statusCode, 409);
  assert.equal(early.json().error, 'conflict');
  assert.equal(early.json().message, 'Sale sale-1 is accepted; only a failed sale can be retried');

  service.sales.dispatch('sale-1');
  service.sales.settle('sale-1', { error: 'Square 401 for Authorization: Bearer EAAAsecret' });
  const failed = (await app.inject({ method: 'GET', url: '/api/sales/sale-1' })).json();
  assert.equal(failed.state, 'failed');
  assert.equal(failed.last_error, 'Square 401 for Authorization: Bearer ***');
  assert.equal(failed.history.at(-1).reason, 'Square 401 for Authorization: Bearer ***');

  const res = await app.inject({ method: 'POST', url: '/api/sales/sale-1/retry', headers: json, payload: '' });
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().state, 'dispatching');
  assert.equal(res.json().attempts, 2);
  assert.deepEqual(res.json().history.map((h: { from: string | null; to: string }) => [h.from, h.to]), [
    [null, 'accepted'], ['accepted', 'dispatching'], ['dispatching', 'failed'], ['failed', 'dispatching'],
  ]);
  assert.doesNotMatch(res.body, /EAAAsecret/);
  assert.equal((await app.inject({ method: 'POST', url: '/api/sales/nope/retry' })).statusCode, 404);
});

test('cancel: accepted|failed → 200 cancelled, units released; reason optional; 409 otherwise', async () => {
  const { app, service } = await withItem();
  for (let i = 0; i < 3; i++) await sell(app, README_SALE);
  assert.equal(service.items.mappings.get('sq-main/12')?.available, 9);

  const withReason = await app.inject({ method: 'POST', url: '/api/sales/sale-1/cancel', payload: { reason: 'customer changed mind' } });
  assert.equal(withReason.statusCode, 200, withReason.body);
  assert.equal(withReason.json().state, 'cancelled');
  assert.deepEqual(withReason.json().history.at(-1), {
    from: 'accepted', to: 'cancelled', at: withReason.json().updated_at, reason: 'customer changed mind',
  });
  assert.equal(service.items.mappings.get('sq-main/12')?.available, 10);

  // No body at all, and an empty body with a JSON content type (as curl scripts send).
  service.sales.dispatch('sale-2');
  service.sales.settle('sale-2', { error: 'timeout' });
  assert.equal((await app.inject({ method: 'POST', url: '/api/sales/sale-2/cancel' })).statusCode, 200);
  const empty = await app.inject({ method: 'POST', url: '/api/sales/sale-3/cancel', headers: json, payload: '' });
  assert.equal(empty.statusCode, 200);
  assert.equal(empty.json().history.at(-1).reason, 'cancelled');

  const again = await app.inject({ method: 'POST', url: '/api/sales/sale-1/cancel' });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().message, 'Sale sale-1 is cancelled; only an accepted or failed sale can be cancelled');
  await sell(app, README_SALE);
  service.sales.dispatch('sale-4');
  assert.equal((await app.inject({ method: 'POST', url: '/api/sales/sale-4/cancel' })).statusCode, 409, 'dispatching');
  service.sales.settle('sale-4', { posReference: 'sq-payment-1' });
  assert.equal((await app.inject({ method: 'POST', url: '/api/sales/sale-4/cancel' })).statusCode, 409, 'posted');
  assert.equal((await app.inject({ method: 'GET', url: '/api/sales/sale-4' })).json().pos_reference, 'sq-payment-1');

  assert.equal((await app.inject({ method: 'POST', url: '/api/sales/nope/cancel' })).statusCode, 404);
  const long = await app.inject({ method: 'POST', url: '/api/sales/sale-4/cancel', payload: { reason: 'x'.repeat(501) } });
  assert.equal(long.statusCode, 400);
  assert.equal(long.json().field, 'reason');
  const typed = await app.inject({ method: 'POST', url: '/api/sales/sale-4/cancel', payload: { reason: 5 } });
  assert.equal(typed.json().field, 'reason');
});

const ROUTES = [
  ['POST', SALE], ['GET', '/api/sales'], ['GET', '/api/sales/sale-1'],
  ['POST', '/api/sales/sale-1/retry'], ['POST', '/api/sales/sale-1/cancel'],
] as const;

test('auth on: every sale route wants X-Api-Key, checked before the body', async () => {
  const service = new FakeService();
  mapItem(service, { ecommerceId: '12' });
  const { app } = await makeApi({ apiKeys: ['sales-key-0123456789'], service });
  for (const [method, url] of ROUTES) {
    for (const headers of [{}, { 'x-api-key': 'wrong' }]) {
      const res = await app.inject({ method, url, headers: { ...json, ...headers }, payload: README_SALE });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
      assert.equal(res.json().field, 'X-Api-Key');
    }
  }
  assert.equal(service.sales.sales.size, 0);
  const ok = await app.inject({ method: 'POST', url: SALE, headers: { ...json, 'X-Api-Key': 'sales-key-0123456789' }, payload: README_SALE });
  assert.equal(ok.statusCode, 202);
});

test('5xx on sale routes are masked', async () => {
  const { app, service } = await withItem();
  service.failWith = new Error('pg: password=hunter2');
  for (const [method, url] of ROUTES) {
    const res = await app.inject({ method, url, headers: json, payload: README_SALE });
    assert.equal(res.statusCode, 500, `${method} ${url}`);
    assert.equal(res.json().error, 'internal');
    assert.doesNotMatch(res.body, /hunter2/);
  }
});

test('the production serialiser sends the same sale bodies as the strict one', async () => {
  const run = async (strictResponses: boolean) => {
    const service = new FakeService();
    mapItem(service, { ecommerceId: '12' });
    const app = await buildApi(service, { apiKeys: [], version: 'v', strictResponses });
    const bodies: string[] = [];
    const send = async (method: 'GET' | 'POST', url: string, payload?: string) => {
      const res = await app.inject({ method, url, headers: json, ...(payload ? { payload } : {}) });
      bodies.push(`${res.statusCode} ${res.body}`);
    };
    await send('POST', SALE, README_SALE);
    await send('POST', SALE, '{"item_ecommerce_id": 12, "delta": 99, "balance": 1}');
    service.sales.dispatch('sale-1');
    service.sales.settle('sale-1', { error: 'down' });
    await send('GET', '/api/sales/sale-1');
    await send('POST', '/api/sales/sale-1/retry');
    await send('POST', SALE, README_SALE);
    await send('POST', '/api/sales/sale-2/cancel', '{"reason":"test"}');
    await send('GET', '/api/sales?limit=5');
    await app.close();
    return bodies;
  };
  const strict = await run(true);
  assert.deepEqual(await run(false), strict);
  assert.ok(strict.every((b) => !b.startsWith('500')), strict.join('\n'));
});
