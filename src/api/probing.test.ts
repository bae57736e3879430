import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { makeApi } from '../../test/support/api.ts';

type Api = Awaited<ReturnType<typeof makeApi>>['app'];

/** Each request is a 400 whose `field` names what was refused. */
async function assertRefused(app: Api, cases: ReadonlyArray<readonly [method: 'GET' | 'POST', url: string, field: string]>): Promise<void> {
  for (const [method, url, field] of cases) {
    const res = await app.inject({ method, url });
    assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().field, field, url);
  }
}

/** Issue 14, hole 13: no route probing without a key, honest labels, no silently ignored query parameters. */

test('with keys configured, an unknown /api route answers 401 without a key and 404 with one', async () => {
  const { app } = await makeApi({ apiKeys: ['k1'] });
  for (const [method, url] of [['GET', '/api/nope'], ['POST', '/api/admin/users'], ['DELETE', '/api/synchronizer'], ['GET', '/api/items']] as const) {
    const without = await app.inject({ method, url });
    assert.equal(without.statusCode, 401, `${method} ${url} without a key: ${without.body}`);
    assert.equal(without.json().error, 'unauthorized');
    const withKey = await app.inject({ method, url, headers: { 'x-api-key': 'k1' } });
    assert.equal(withKey.statusCode, 404, `${method} ${url} with a key: ${withKey.body}`);
  }
  // Outside /api the 404 stays as it was.
  assert.equal((await app.inject({ method: 'GET', url: '/nope' })).statusCode, 404);
});

test('unknown and bracketed query parameters are refused with a 400 naming them', async () => {
  const { app } = await makeApi();
  await assertRefused(app, [
    ['GET', '/api/sales?state[]=posted', 'state[]'],
    ['GET', '/api/sales?stat=posted', 'stat'],
    ['GET', '/api/sales?state=posted&state=failed', 'state'],
    ['GET', '/api/sales?limit=1&limit=2', 'limit'],
    ['GET', '/api/synchronizer?verbose=1', 'verbose'],
    ['GET', '/api/items/sq-main?page=2', 'page'],
  ]);
  assert.equal((await app.inject({ method: 'GET', url: '/api/sales?state=posted&limit=5' })).statusCode, 200);
});

test('a path escaping /docs/static answers 403 labelled forbidden', async (t) => {
  const { app } = await makeApi();
  await app.listen({ port: 0, host: '127.0.0.1' });
  t.after(() => app.close());
  const port = (app.server.address() as { port: number }).port;
  // Raw HTTP: inject and fetch would normalise the dots away.
  const { status, body } = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/docs/static/../../package.json', method: 'GET' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 403, body);
  assert.equal(JSON.parse(body).error, 'forbidden');
});

test('a run id too large for the database is a 400 naming id, on every /api/runs route', async () => {
  const { app } = await makeApi();
  await assertRefused(app, [
    ['GET', '/api/runs/99999999999999999999', 'id'],
    ['POST', '/api/runs/99999999999999999999/apply', 'id'],
    ['POST', '/api/runs/99999999999999999999/discard', 'id'],
    ['POST', '/api/runs/99999999999999999999/revert', 'id'],
  ]);
});

test('integers in the path and the query are decimal digits: 1e3, 0x10, " 1" and 1.0 are a 400 naming the field, not run 1000, 16 or 1', async () => {
  const { app } = await makeApi();
  await assertRefused(app, [
    ['GET', '/api/runs/1e3', 'id'],
    ['GET', '/api/runs/0x10', 'id'],
    ['GET', '/api/runs/%201', 'id'],
    ['GET', '/api/runs/1.0', 'id'],
    ['GET', '/api/sales?limit=1e1', 'limit'],
    ['GET', '/api/sales?limit=0x10', 'limit'],
    ['GET', '/api/runs/1?limit=%2B5', 'limit'],
  ]);
  assert.equal((await app.inject({ method: 'GET', url: '/api/sales?limit=10' })).statusCode, 200);
  assert.notEqual((await app.inject({ method: 'GET', url: '/api/runs/1?limit=5' })).statusCode, 400, 'decimal ids and limits still pass validation');
});
