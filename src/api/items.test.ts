import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeApi, README_ACCOUNT, README_ITEM_NAME, README_ITEM_POS_ID } from '../../test/support/api.ts';

const json = { 'content-type': 'application/json' };

/** The original README's curl bodies, byte for byte, with its `{…}` placeholder as a bare number. */
const README_BY_NAME = `{
\t"item_name":"The name of the item you want to keep synchronized",
\t"item_ecommerce_id":42,
\t"account_id":"The account ID of the POS that holds the item"
}`;
const README_BY_POS_ID = `{
\t"item_pos_id":"The ID (on the POS) of the item you want to keep synchronized",
\t"item_ecommerce_id":43,
\t"account_id":"The account ID of the POS that holds the item"
}`;

test('README curl (by name) → 202 with Location, and the task completes with the mapping', async () => {
  const { app, service } = await makeApi();
  const res = await app.inject({
    method: 'POST',
    url: '/api/items',
    headers: { 'cache-control': 'no-cache', 'content-type': 'application/json' },
    payload: README_BY_NAME,
  });
  assert.equal(res.statusCode, 202);
  const task = res.json();
  assert.equal(res.headers.location, `/api/itemstask/${task.id}`);
  assert.equal(task.state, 'queued');
  assert.deepEqual(task.request, { item_ecommerce_id: '42', account_id: README_ACCOUNT, item_name: README_ITEM_NAME });

  service.items.runQueued();
  const polled = await app.inject({ method: 'GET', url: res.headers.location as string });
  assert.equal(polled.statusCode, 200);
  assert.equal(polled.json().state, 'done');
  assert.equal(polled.json().result.item_pos_id, '42');
  assert.equal(polled.json().result.available, 5);
});

test('README curl (by POS id) → 202, and the mapping is listed', async () => {
  const { app, service } = await makeApi();
  const res = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload: README_BY_POS_ID });
  assert.equal(res.statusCode, 202);
  service.items.runQueued();
  const list = await app.inject({ method: 'GET', url: `/api/items/${encodeURIComponent(README_ACCOUNT)}` });
  assert.equal(list.statusCode, 200);
  assert.deepEqual(list.json(), [{
    item_ecommerce_id: '43',
    account_id: README_ACCOUNT,
    item_pos_id: README_ITEM_POS_ID,
    description: 'Item by POS id',
    limit_quantity: 0,
    on_hand: 8,
    available: 8,
    last_confirmed_at: '2026-11-27T07:00:00.000Z',
    missing_on_pos: false,
    orphaned: false,
  }]);
});

test('?wait=true registers in-line → 201 with the mapping (limit_quantity kept)', async () => {
  const { app } = await makeApi();
  const res = await app.inject({
    method: 'POST',
    url: '/api/items?wait=true',
    headers: json,
    payload: { item_name: 'Red scarf', item_ecommerce_id: 'SKU-9', account_id: 'sq-main', limit_quantity: 2 },
  });
  assert.equal(res.statusCode, 201);
  assert.equal(res.json().item_pos_id, 'VAR-3');
  assert.equal(res.json().limit_quantity, 2);
  assert.equal(res.json().on_hand, 0);
});

test('no such POS item → 422 naming the field, with close matches (in-line and in the task)', async () => {
  const { app, service } = await makeApi();
  const body = { item_name: 'Blue mugs', item_ecommerce_id: 1, account_id: 'sq-main' };
  const now = await app.inject({ method: 'POST', url: '/api/items?wait=true', headers: json, payload: body });
  assert.equal(now.statusCode, 422);
  assert.equal(now.json().error, 'unprocessable');
  assert.equal(now.json().field, 'item_name');
  assert.deepEqual(now.json().details.close_matches, [
    { pos_item_id: 'VAR-1', name: 'Blue mug' },
    { pos_item_id: 'VAR-2', name: 'Blue mug large' },
  ]);

  const queued = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload: body });
  assert.equal(queued.statusCode, 202);
  service.items.runQueued();
  const task = (await app.inject({ method: 'GET', url: queued.headers.location as string })).json();
  assert.equal(task.state, 'failed');
  assert.equal(task.error.close_matches.length, 2);
  assert.equal(task.error.close_matches[0].pos_item_id, 'VAR-1');
});

test('already mapped → 409 from the engine, mapped as is', async () => {
  const { app } = await makeApi();
  const body = { item_pos_id: 'VAR-1', item_ecommerce_id: 5, account_id: 'sq-main' };
  assert.equal((await app.inject({ method: 'POST', url: '/api/items?wait=true', headers: json, payload: body })).statusCode, 201);
  const again = await app.inject({ method: 'POST', url: '/api/items?wait=true', headers: json, payload: body });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().field, 'item_ecommerce_id');
});

test('unknown account_id → 404 naming the field and listing configured accounts', async () => {
  const { app } = await makeApi();
  const res = await app.inject({
    method: 'POST', url: '/api/items', headers: json,
    payload: { item_name: 'Blue mug', item_ecommerce_id: 1, account_id: 'sq-typo' },
  });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().field, 'account_id');
  assert.deepEqual(res.json().details.known_account_ids, ['sq-main', README_ACCOUNT]);
  assert.match(res.json().message, /sq-main/);
});

test('both or neither of item_name / item_pos_id → 400 naming them', async () => {
  const { app } = await makeApi();
  for (const extra of [{ item_name: 'Blue mug', item_pos_id: 'VAR-1' }, {}]) {
    const res = await app.inject({
      method: 'POST', url: '/api/items', headers: json,
      payload: { item_ecommerce_id: 1, account_id: 'sq-main', ...extra },
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().field, 'item_name');
    assert.match(res.json().message, /item_name.*item_pos_id/);
    assert.deepEqual(res.json().details.fields, ['item_name', 'item_pos_id']);
  }
});

test('schema errors → 400 naming the field', async () => {
  const { app } = await makeApi();
  const base = { item_name: 'Blue mug', item_ecommerce_id: 1, account_id: 'sq-main' };
  const cases: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ ...base, item_ecommerce_id: true }, 'item_ecommerce_id', /body\/item_ecommerce_id must be string or integer/],
    [{ ...base, item_ecommerce_id: 1.5 }, 'item_ecommerce_id', /must be string or integer/],
    [{ ...base, item_ecommerce_id: '' }, 'item_ecommerce_id', /fewer than 1/],
    [{ item_name: 'Blue mug', item_ecommerce_id: 1 }, 'account_id', /body\/account_id is required/],
    [{ item_name: 'Blue mug', account_id: 'sq-main' }, 'item_ecommerce_id', /is required/],
    [{ ...base, limit_quantity: -1 }, 'limit_quantity', /must be >= 0/],
    // No coercion in bodies: a quoted number is a client bug worth reporting.
    [{ ...base, limit_quantity: '3' }, 'limit_quantity', /must be integer/],
    [{ ...base, account_id: 7 }, 'account_id', /must be string/],
    [{ ...base, is_mobile_client: true }, 'is_mobile_client', /must be false/],
  ];
  for (const [payload, field, message] of cases) {
    const res = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload });
    assert.equal(res.statusCode, 400, JSON.stringify(payload));
    assert.equal(res.json().error, 'bad_request');
    assert.equal(res.json().field, field, JSON.stringify(payload));
    assert.match(res.json().message, message);
  }
});

test('unknown body keys are ignored, like the original', async () => {
  const { app } = await makeApi();
  const res = await app.inject({
    method: 'POST', url: '/api/items', headers: json,
    payload: { item_name: 'Blue mug', item_ecommerce_id: 1, account_id: 'sq-main', quantity: 3, is_mobile_client: false },
  });
  assert.equal(res.statusCode, 202);
});

test('empty, malformed and non-JSON bodies → 400/415 naming the body', async () => {
  const { app } = await makeApi();
  const empty = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload: '' });
  assert.equal(empty.statusCode, 400);
  assert.equal(empty.json().field, 'body');
  const none = await app.inject({ method: 'POST', url: '/api/items' });
  assert.equal(none.statusCode, 400);
  assert.equal(none.json().field, 'body');
  const broken = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload: '{"item_name":' });
  assert.equal(broken.statusCode, 400);
  assert.equal(broken.json().field, 'body');
  const text = await app.inject({ method: 'POST', url: '/api/items', headers: { 'content-type': 'text/xml' }, payload: '<a/>' });
  assert.equal(text.statusCode, 415);
  assert.equal(text.json().error, 'unsupported_media_type');
  const poisoned = await app.inject({ method: 'POST', url: '/api/items', headers: json, payload: '{"__proto__":{"x":1}}' });
  assert.equal(poisoned.statusCode, 400);
});

test('GET /api/items/{accountID}: empty list, and 404 for an unknown account', async () => {
  const { app } = await makeApi();
  const empty = await app.inject({ method: 'GET', url: '/api/items/sq-main' });
  assert.equal(empty.statusCode, 200);
  assert.deepEqual(empty.json(), []);
  const unknown = await app.inject({ method: 'GET', url: '/api/items/nope' });
  assert.equal(unknown.statusCode, 404);
  assert.equal(unknown.json().field, 'accountID');
});

test('GET /api/itemstask/{jobID}: unknown → 404', async () => {
  const { app } = await makeApi();
  const res = await app.inject({ method: 'GET', url: '/api/itemstask/12345' });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { error: 'not_found', message: 'No task "12345"', field: 'jobID' });
});
