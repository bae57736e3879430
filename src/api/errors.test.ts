import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EngineInputError } from '../engine/ports.ts';
import { redact } from './convert.ts';
import { CodedInputError, describeValidation, mapError } from './errors.ts';
import { makeApi } from '../../test/support/api.ts';

test('validation issues name nested fields the way people write them', () => {
  assert.deepEqual(
    describeValidation([{ keyword: 'type', instancePath: '/lines/0/qty', params: { type: 'integer' }, message: 'must be integer' }], 'body'),
    { field: 'lines[0].qty', message: 'body/lines[0].qty must be integer' },
  );
  assert.deepEqual(
    describeValidation([{ keyword: 'required', instancePath: '/lines/1', params: { missingProperty: 'sku' } }], 'body'),
    { field: 'lines[1].sku', message: 'body/lines[1].sku is required' },
  );
  assert.deepEqual(
    describeValidation([{ keyword: 'type', instancePath: '', params: { type: 'object' }, message: 'must be object' }], 'body'),
    { field: 'body', message: 'body must be object' },
  );
  assert.deepEqual(
    describeValidation([{ keyword: 'type', instancePath: '/wait', params: { type: 'boolean' }, message: 'must be boolean' }], 'querystring'),
    { field: 'wait', message: 'querystring/wait must be boolean' },
  );  // A union of literals (an enum) lists the allowed values once.
  assert.deepEqual(
    describeValidation(['a', 'b'].map((v) => ({ keyword: 'const', instancePath: '/state', params: { allowedValue: v } })), 'querystring'),
    { field: 'state', message: 'querystring/state must be one of "a", "b"' },
  );
});

test('CodedInputError: a route-chosen error code, otherwise like EngineInputError', () => {
  const { status, body } = mapError(new CodedInputError('idempotency_key_reused', 'Idempotency-Key', 'used', 422, { saleId: 's' }), 'r');
  assert.equal(status, 422);
  assert.deepEqual(body, { error: 'idempotency_key_reused', message: 'used', field: 'Idempotency-Key', details: { sale_id: 's' } });
});

test('EngineInputError keeps its status and field; details become snake_case', () => {
  const { status, body, internal } = mapError(
    new EngineInputError('item_name', 'No such item', 422, { closeMatches: [{ posItemId: 'A', name: 'Mug' }] }),
    'req-1',
  );
  assert.equal(status, 422);
  assert.equal(internal, false);
  assert.deepEqual(body, {
    error: 'unprocessable', message: 'No such item', field: 'item_name',
    details: { close_matches: [{ pos_item_id: 'A', name: 'Mug' }] },
  });
  assert.equal(mapError(new EngineInputError('x', 'busy', 409), 'r').body.error, 'conflict');
  assert.equal(mapError(new EngineInputError('x', 'bad'), 'r').status, 400);
});

test('an error claiming a 4xx status is not trusted unless it is Fastify\'s own', () => {
  const foreign = Object.assign(new Error('token abc rejected'), { statusCode: 400 });
  assert.deepEqual(mapError(foreign, 'r-9'), {
    status: 500, internal: true, body: { error: 'internal', message: 'Internal error', request_id: 'r-9' },
  });
});

test('redact hides credentials in URLs, key=value pairs and auth headers', () => {
  assert.equal(redact('postgres://u:p%40ss@h:5432/db'), 'postgres://u:***@h:5432/db');
  assert.equal(redact('Server=db;Uid=web;Pwd=s3cret;'), 'Server=db;Uid=web;Pwd=***;');
  assert.equal(redact('client_secret="abc def" ok'), 'client_secret=*** ok');
  assert.equal(redact('Authorization: Bearer EAAA.xyz'), 'Authorization: Bearer ***');
  assert.equal(redact('nothing to hide'), 'nothing to hide');
});

test('a body over the limit → 413 JSON naming the body', async () => {
  const { app } = await makeApi();
  const res = await app.inject({
    method: 'POST', url: '/api/items', headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ item_name: 'x'.repeat(1_100_000), item_ecommerce_id: 1, account_id: 'sq-main' }),
  });
  assert.equal(res.statusCode, 413);
  assert.equal(res.json().error, 'payload_too_large');
  assert.equal(res.json().field, 'body');
});

test('a bad query string value → 400 naming it', async () => {
  const { app } = await makeApi();
  const res = await app.inject({
    method: 'POST', url: '/api/items?wait=perhaps',
    payload: { item_name: 'Blue mug', item_ecommerce_id: 1, account_id: 'sq-main' },
  });
  assert.equal(res.statusCode, 400);
  assert.deepEqual(res.json(), { error: 'bad_request', message: 'querystring/wait must be boolean', field: 'wait' });
});
