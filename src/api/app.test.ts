import { test } from 'node:test';
import assert from 'node:assert/strict';
import Fastify, { type FastifySchema } from 'fastify';
import { Type } from '@sinclair/typebox';
import { buildApi } from './app.ts';
import { collectingLogger } from '../log.ts';
import { installErrorHandling } from './errors.ts';
import { enforceResponseSchemas } from './strict.ts';
import { FakeService, makeApi } from '../../test/support/api.ts';

const KEYS = ['first-key-0123456789', 'second-key-abcdefghij'];

test('auth off: /api is open', async () => {
  const { app } = await makeApi();
  assert.equal((await app.inject({ method: 'GET', url: '/api/synchronizer' })).statusCode, 200);
});

test('auth on: every /api route wants a configured X-Api-Key', async () => {
  const { app } = await makeApi({ apiKeys: KEYS });
  const routes = [
    ['GET', '/api/synchronizer'], ['POST', '/api/synchronizer/start'], ['POST', '/api/synchronizer/stop'],
    ['POST', '/api/synchronizer/forceUpdate'], ['GET', '/api/items/sq-main'], ['GET', '/api/itemstask/x'],
    ['POST', '/api/items'], ['POST', '/api/synchronizer/sale'], ['GET', '/api/sales'], ['GET', '/api/sales/x'],
    ['POST', '/api/sales/x/retry'], ['POST', '/api/sales/x/cancel'],
  ] as const;
  for (const [method, url] of routes) {
    for (const headers of [{}, { 'x-api-key': 'wrong' }, { 'x-api-key': '' }, { 'x-api-key': `${KEYS[0]}x` }]) {
      const res = await app.inject({ method, url, headers });
      assert.equal(res.statusCode, 401, `${method} ${url} ${JSON.stringify(headers)}`);
      assert.deepEqual(res.json(), { error: 'unauthorized', message: 'Missing or wrong X-Api-Key header', field: 'X-Api-Key' });
    }
  }
  for (const key of KEYS) {
    const res = await app.inject({ method: 'GET', url: '/api/synchronizer', headers: { 'X-Api-Key': key } });
    assert.equal(res.statusCode, 200);
  }
  // Auth runs before the body is read: a wrong key gets 401, not a validation error.
  const bad = await app.inject({ method: 'POST', url: '/api/items', headers: { 'x-api-key': 'no' }, payload: { junk: 1 } });
  assert.equal(bad.statusCode, 401);
});

test('auth on: /healthz, /readyz and /docs stay open; /metrics needs a key like /api', async () => {
  const service = new FakeService();
  const { app } = await makeApi({ apiKeys: KEYS, service });
  assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/docs' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/docs/json' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': 'wrong' } })).statusCode, 401);
  const metrics = await app.inject({ method: 'GET', url: '/metrics', headers: { 'x-api-key': KEYS[1] } });
  assert.equal(metrics.statusCode, 200);
  assert.match(metrics.headers['content-type'] as string, /^text\/plain/);
  assert.match(metrics.body, /^possync_test 1$/m);
});

test('/healthz: 200 when ok or degraded, 503 when down; reason codes only; /readyz follows the workers', async () => {
  const service = new FakeService();
  const { app } = await makeApi({ service });
  const up = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(up.statusCode, 200);
  assert.equal(up.json().status, 'ok');
  assert.equal(up.json().version, '0.1.0-test');
  service.healthView = {
    ...service.healthView,
    status: 'degraded',
    sink: { status: 'degraded', target: 'mysql://shop:hunter2@db:3306/shop (table stock)', reason: 'last_write_failed', lastWrite: { ok: false, at: '2026-11-27T07:00:00.000Z', code: 'ER_NO_SUCH_TABLE' } },
  };
  const degraded = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(degraded.statusCode, 200);
  assert.equal(degraded.json().sink.reason, 'last_write_failed');
  assert.equal(degraded.json().sink.last_write.code, 'ER_NO_SUCH_TABLE');
  assert.doesNotMatch(degraded.body, /hunter2/);
  service.healthView = { ...service.healthView, status: 'down', core: { status: 'down', kind: 'postgres', reason: 'core_unreachable' } };
  const down = await app.inject({ method: 'GET', url: '/healthz' });
  assert.equal(down.statusCode, 503);
  assert.equal(down.json().core.reason, 'core_unreachable');
  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 503);
  service.healthView = { ...service.healthView, status: 'ok', core: { status: 'ok', kind: 'postgres' } };
  assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
  service.workersRunning = false;
  const notReady = await app.inject({ method: 'GET', url: '/readyz' });
  assert.equal(notReady.statusCode, 503);
  assert.equal(notReady.json().workers.status, 'down');
});

test('5xx are masked: the client gets a request id, never the cause', async () => {
  const service = new FakeService();
  const { app } = await makeApi({ service });
  const secret = 'sq0atp-SECRET-TOKEN-abcdef123456';
  const error = Object.assign(new Error(`Square said 401 for Authorization: Bearer ${secret}`), { statusCode: 401, code: 'UNAUTHORIZED' });
  service.failWith = error;
  const calls = [
    ['GET', '/api/synchronizer', undefined], ['POST', '/api/synchronizer/start', undefined],
    ['POST', '/api/synchronizer/stop', undefined], ['POST', '/api/synchronizer/forceUpdate', undefined],
    ['GET', '/api/items/sq-main', undefined], ['GET', '/api/itemstask/t', undefined],
    ['POST', '/api/items', { item_name: 'Blue mug', item_ecommerce_id: 1, account_id: 'sq-main' }],
    ['POST', '/api/items?wait=true', { item_name: 'Blue mug', item_ecommerce_id: 1, account_id: 'sq-main' }],
    ['GET', '/healthz', undefined],
  ] as const;
  for (const [method, url, payload] of calls) {
    const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
    assert.equal(res.statusCode, 500, `${method} ${url}`);
    const body = res.json();
    assert.equal(body.error, 'internal');
    assert.equal(body.message, 'Internal error');
    assert.match(body.request_id, /^[0-9a-f-]{36}$/);
    assert.doesNotMatch(res.body, /SECRET|Bearer|Square/);
  }
  service.failWith = 'a thrown string with password=hunter2';
  const odd = await app.inject({ method: 'GET', url: '/api/synchronizer' });
  assert.equal(odd.statusCode, 500);
  assert.doesNotMatch(odd.body, /hunter2/);
});

test('unknown routes → 404 JSON (inside and outside /api)', async () => {
  const { app } = await makeApi();
  for (const [method, url] of [['GET', '/nope'], ['GET', '/api/nope?x=1'], ['DELETE', '/api/items']] as const) {
    const res = await app.inject({ method, url });
    assert.equal(res.statusCode, 404);
    assert.match(String(res.headers['content-type']), /application\/json/);
    assert.equal(res.json().error, 'not_found');
    assert.equal(res.json().message, `No route ${method} ${url.split('?')[0]}`);
  }
});

test('/docs serves the reference page and its assets locally', async () => {
  const { app } = await makeApi();
  const page = await app.inject({ method: 'GET', url: '/docs' });
  assert.equal(page.statusCode, 200);
  assert.match(String(page.headers['content-type']), /text\/html/);
  assert.doesNotMatch(page.body, /https?:\/\/(cdn|unpkg|cdnjs)/);
  const asset = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui.css' });
  assert.equal(asset.statusCode, 200);
});

/** Every status each route can give; the OpenAPI document must describe each one with a schema. */
const EXPECTED: Record<string, number[]> = {
  'get /healthz': [200, 500, 503],
  'get /readyz': [200, 500, 503],
  'get /metrics': [200, 401, 500],
  'post /api/items': [201, 202, 400, 401, 404, 409, 413, 415, 422, 500],
  'get /api/items/{accountID}': [200, 400, 401, 404, 500],
  'post /api/items/bulk': [200, 202, 400, 401, 413, 415, 500],
  'post /api/items/auto-match': [200, 202, 400, 401, 404, 413, 415, 500],
  'patch /api/items/{item_ecommerce_id}': [200, 400, 401, 404, 413, 415, 500],
  'delete /api/items/{item_ecommerce_id}': [200, 400, 401, 404, 409, 500],
  'get /api/items/{item_ecommerce_id}/sources': [200, 400, 401, 404, 500],
  'post /api/items/{item_ecommerce_id}/sources': [200, 201, 400, 401, 404, 409, 413, 415, 422, 500],
  'delete /api/items/{item_ecommerce_id}/sources/{account_id}': [200, 400, 401, 404, 409, 500],
  'get /api/itemstask/{jobID}': [200, 400, 401, 404, 500],
  'get /api/synchronizer': [200, 400, 401, 500],
  'post /api/synchronizer/start': [200, 400, 401, 413, 415, 500],
  'post /api/synchronizer/stop': [200, 400, 401, 413, 415, 500],
  'post /api/synchronizer/forceUpdate': [202, 400, 401, 404, 413, 415, 500],
  'post /api/synchronizer/sale': [202, 400, 401, 404, 409, 413, 415, 422, 500],
  'get /api/sales': [200, 400, 401, 500],
  'get /api/sales/{id}': [200, 400, 401, 404, 500],
  'post /api/sales/{id}/retry': [202, 400, 401, 404, 409, 413, 415, 500],
  'post /api/sales/{id}/cancel': [200, 400, 401, 404, 409, 413, 415, 500],
  'post /api/webhooks/{accountID}/setup': [200, 400, 401, 404, 413, 415, 500],
  'get /api/runs': [200, 400, 401, 404, 500],
  'get /api/runs/{id}': [200, 400, 401, 404, 500],
  'post /api/runs/{id}/apply': [200, 400, 401, 404, 409, 413, 415, 500],
  'post /api/runs/{id}/discard': [200, 400, 401, 404, 409, 413, 415, 500],
  'post /api/runs/{id}/revert': [200, 400, 401, 404, 409, 413, 415, 500],
  'post /api/accounts/{accountID}/resume': [200, 400, 401, 404, 409, 413, 415, 500],
  'post /webhooks/{pos}/{accountId}': [200, 400, 401, 403, 404, 413, 500],
  'post /webhooks/{pos}/{accountId}/{token}': [200, 400, 401, 403, 404, 413, 500],
};

test('/docs/json: every route, every status with a JSON schema, API key scheme, optional bodies', async () => {
  const { app } = await makeApi();
  const doc = (await app.inject({ method: 'GET', url: '/docs/json' })).json();
  assert.equal(doc.openapi, '3.1.0');
  assert.equal(doc.info.version, '0.1.0-test');
  assert.deepEqual(doc.components.securitySchemes.apiKey, {
    type: 'apiKey', in: 'header', name: 'X-Api-Key', description: 'One of Server.ApiKeys; required only when keys are configured',
  });
  const found: string[] = [];
  for (const [path, operations] of Object.entries<Record<string, any>>(doc.paths)) {
    for (const [method, op] of Object.entries<any>(operations)) {
      const key = `${method} ${path}`;
      found.push(key);
      const expected = EXPECTED[key];
      assert.ok(expected, `undocumented expectation for ${key}`);
      assert.deepEqual(Object.keys(op.responses).map(Number).sort((a, b) => a - b), expected, key);
      for (const [status, response] of Object.entries<any>(op.responses)) {
        // /metrics answers Prometheus text, not JSON.
        const type = key === 'get /metrics' && status === '200' ? 'text/plain' : 'application/json';
        const schema = response.content?.[type]?.schema;
        assert.ok(schema && typeof schema === 'object' && Object.keys(schema).length > 0, `${key} ${status} has no schema`);
        assert.ok(response.description, `${key} ${status} has no description`);
      }
      if (path.startsWith('/api/')) assert.deepEqual(op.security, [{ apiKey: [] }], key);
      assert.equal(op['x-body-optional'], undefined, `${key} leaks the internal flag`);
    }
  }
  assert.deepEqual(found.sort(), Object.keys(EXPECTED).sort());
  assert.equal(doc.paths['/api/items'].post.requestBody.required, true);
  for (const p of ['start', 'stop', 'forceUpdate']) {
    assert.equal(doc.paths[`/api/synchronizer/${p}`].post.requestBody.required, false, p);
  }
  assert.equal(doc.paths['/api/items'].post.responses['202'].headers.Location.schema.type, 'string');
  const sale = doc.paths['/api/synchronizer/sale'].post;
  assert.equal(sale.requestBody.required, true);
  assert.equal(sale.responses['202'].headers.Location.schema.type, 'string');
  assert.deepEqual(sale.parameters.map((p: { in: string; name: string; required: boolean }) => [p.in, p.name, p.required]), [
    ['header', 'idempotency-key', false],
  ]);
  for (const p of ['retry', 'cancel']) {
    assert.equal(doc.paths[`/api/sales/{id}/${p}`].post.requestBody.required, false, p);
  }
});

test('strict responses: a body its schema refuses, or an undeclared status, fails loudly', async () => {
  const app = Fastify();
  installErrorHandling(app);
  await app.register(async (scope) => {
    enforceResponseSchemas(scope);
    const schema: FastifySchema = { response: { 200: Type.Object({ n: Type.Integer() }, { additionalProperties: false }) } };
    scope.get('/extra', { schema }, async () => ({ n: 1, dropped: 'silently by fast-json-stringify' }));
    scope.get('/type', { schema }, async () => ({ n: 'one' }));
    scope.get('/status', { schema }, async (_req, reply) => reply.code(201).send({ n: 1 }));
    scope.get('/fine', { schema }, async () => ({ n: 1 }));
  });
  for (const url of ['/extra', '/type', '/status']) {
    const res = await app.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 500, url);
  }
  assert.deepEqual((await app.inject({ method: 'GET', url: '/fine' })).json(), { n: 1 });
});

test('over a real socket: curl-style POSTs with no body, with and without a JSON content type', async () => {
  const { app } = await makeApi();
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  try {
    for (const headers of [{}, { 'Content-Type': 'application/json' }] as Array<Record<string, string>>) {
      const res = await fetch(`${address}/api/synchronizer/forceUpdate`, { method: 'POST', headers });
      assert.equal(res.status, 202);
      assert.ok(Array.isArray(((await res.json()) as { queued: unknown[] }).queued));
    }
  } finally {
    await app.close();
  }
});

test('a 5xx is logged with its request id and a redacted cause; every request gets one line with route, status and duration', async () => {
  const lines: string[] = [];
  const logger = collectingLogger((_entry, line) => lines.push(line));
  const service = new FakeService();
  const app = await buildApi(service, { apiKeys: [], version: 't', logger });
  service.failWith = new Error('login failed: postgres://possync:hunter2@pg/db password=hunter2');
  const res = await app.inject({ method: 'GET', url: '/api/synchronizer' });
  assert.equal(res.statusCode, 500);
  const entries = lines.map((l) => JSON.parse(l));
  const logged = entries.find((l) => l.event === 'http.error');
  assert.ok(logged, 'the cause is logged');
  assert.equal(logged.reqId, res.json().request_id);
  assert.match(logged.err.message, /login failed: postgres:\/\/possync:\*\*\*@pg\/db password=\*\*\*/);
  const request = entries.find((l) => l.event === 'http.request');
  assert.equal(request.reqId, res.json().request_id);
  assert.equal(request.route, '/api/synchronizer');
  assert.equal(request.status, 500);
  assert.equal(typeof request.durationMs, 'number');
  assert.equal(request.level, 50);
  assert.doesNotMatch(lines.join('\n'), /hunter2/);

  // A 4xx: its cause (what the client was told, with the field) under its request id.
  service.failWith = null;
  const bad = await app.inject({ method: 'POST', url: '/api/items', payload: { account_id: 'sq-main' } });
  assert.equal(bad.statusCode, 400);
  const badLine = lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'http.request').at(-1);
  assert.equal(badLine.status, 400);
  assert.equal(badLine.route, '/api/items');
  assert.equal(badLine.cause.field, bad.json().field);
  assert.equal(badLine.cause.message, bad.json().message);
  await app.close();
});

test('the production serialiser sends the same bodies as the strict one (nothing dropped)', async () => {
  const run = async (strictResponses: boolean) => {
    const service = new FakeService();
    const app = await buildApi(service, { apiKeys: [], version: 'v', strictResponses });
    const bodies: string[] = [];
    const send = async (method: 'GET' | 'POST', url: string, payload?: object) => {
      const res = await app.inject({ method, url, ...(payload ? { payload } : {}) });
      bodies.push(`${res.statusCode} ${res.body}`);
      return res;
    };
    const queued = await send('POST', '/api/items', { item_name: 'Blue mug', item_ecommerce_id: 3, account_id: 'sq-main', limit_quantity: 1 });
    service.items.runQueued();
    await send('GET', queued.headers.location as string);
    await send('POST', '/api/items?wait=true', { item_name: 'Blue mugz', item_ecommerce_id: 4, account_id: 'sq-main' });
    await send('GET', '/api/items/sq-main');
    await send('POST', '/api/synchronizer/start', { cron: '*/5 * * * *' });
    await send('POST', '/api/synchronizer/forceUpdate');
    await send('GET', '/healthz');
    await app.close();
    return bodies;
  };
  const strict = await run(true);
  assert.deepEqual(await run(false), strict);
  assert.ok(strict.every((b) => !b.startsWith('500')), strict.join('\n'));
});
