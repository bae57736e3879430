import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeApi } from '../../test/support/api.ts';
import { WEBHOOK_BODY_LIMIT } from './routes/webhooks.ts';

const KEY = 'a-long-enough-api-key-0123456789';

test('webhook routes take no API key and hand the raw bytes, headers and token to the engine', async () => {
  const { app, service } = await makeApi({ apiKeys: [KEY] });
  const json = '{"event_id":"e1",  "type":"inventory.count.updated"}';
  const signed = await app.inject({ method: 'POST', url: '/webhooks/square/sq-main', headers: { 'content-type': 'application/json', 'x-square-hmacsha256-signature': 'abc=' }, payload: json });
  assert.equal(signed.statusCode, 200, signed.body);
  assert.deepEqual(signed.json(), { received: true, outcome: 'queued' });
  const form = 'sale_id=7&line_items%5B0%5D%5Bproduct_id%5D=2';
  const unsigned = await app.inject({ method: 'POST', url: '/webhooks/hiboutik/sq-main/tok123', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: form });
  assert.equal(unsigned.statusCode, 200, unsigned.body);
  const [first, second] = service.webhooks.deliveries;
  assert.equal(first!.delivery.body.toString('utf8'), json, 'bytes exactly as sent (whitespace kept: a signature covers them)');
  assert.equal(first!.delivery.headers['x-square-hmacsha256-signature'], 'abc=');
  assert.equal(first!.token, null);
  assert.equal(second!.delivery.body.toString('utf8'), form);
  assert.equal(second!.delivery.contentType, 'application/x-www-form-urlencoded');
  assert.equal(second!.token, 'tok123');
});

test('a webhook body over the limit is refused with 413 before the engine sees it', async () => {
  const { app, service } = await makeApi();
  const res = await app.inject({ method: 'POST', url: '/webhooks/square/sq-main', headers: { 'content-type': 'application/json' }, payload: `"${'x'.repeat(WEBHOOK_BODY_LIMIT)}"` });
  assert.equal(res.statusCode, 413);
  assert.equal(service.webhooks.deliveries.length, 0);
});

test('an unknown account is 404 from the engine; the set-up route needs the API key', async () => {
  const { app } = await makeApi({ apiKeys: [KEY] });
  const unknown = await app.inject({ method: 'POST', url: '/webhooks/square/nobody', headers: { 'content-type': 'application/json' }, payload: '{}' });
  assert.equal(unknown.statusCode, 404);
  assert.equal((await app.inject({ method: 'POST', url: '/api/webhooks/sq-main/setup' })).statusCode, 401);
  const setup = await app.inject({ method: 'POST', url: '/api/webhooks/sq-main/setup', headers: { 'x-api-key': KEY } });
  assert.equal(setup.statusCode, 200, setup.body);
  assert.equal(setup.json().mode, 'manual');
  const missing = await app.inject({ method: 'POST', url: '/api/webhooks/nobody/setup', headers: { 'x-api-key': KEY } });
  assert.equal(missing.statusCode, 404);
});
