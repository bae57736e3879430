import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, postJson } from '../../../test/support/lightspeed-simulator.ts';
import { startLightspeedSimulator } from './index.ts';

type J = any;

const rel = encodeURIComponent('["ItemShops"]');

function limits(response: Response) {
  return {
    status: response.status,
    level: response.headers.get('x-ls-api-bucket-level'),
    cost: response.headers.get('x-ls-api-request-cost'),
    drip: response.headers.get('x-ls-api-drip-rate'),
    type: response.headers.get('x-ls-api-ratelimit-type'),
    retryAfter: response.headers.get('retry-after'),
  };
}

// The burst limiter is on by default (20 a second); the bucket-only tests turn it off, since the
// manual clock puts all their requests in one second.
const bucketOnly = { burstLimit: '0' };

test('the bucket takes 90 one-drip requests, refuses the 91st unit, and recovers at the drip rate', async (t) => {
  const h = await harness({ switches: bucketOnly });
  t.after(() => h.sim.close());
  for (let i = 1; i <= 90; i++) {
    const response = await h.api('Shop.json');
    assert.equal(response.status, 200, `request ${i}`);
    assert.equal(response.headers.get('x-ls-api-bucket-level'), `${i}/90`);
    await response.arrayBuffer();
  }
  const refused = await h.api('Shop.json');
  assert.deepEqual(limits(refused), { status: 429, level: '90/90', cost: '0', drip: '1', type: 'api-leaky-bucket', retryAfter: '1' });
  assert.equal(refused.headers.get('x-ls-acct-id'), h.accountID);
  const body: J = await refused.json();
  assert.equal(body.httpCode, '429');
  assert.equal(body.httpMessage, 'Too Many Requests');
  assert.equal((await h.api('Shop.json')).status, 429, 'a refused request costs nothing and stays refused');
  assert.equal(h.sim.bucketLevel(), 90);

  h.clock.advance(1_000);
  const one = await h.api('Shop.json');
  assert.deepEqual(limits(one), { status: 200, level: '90/90', cost: '1', drip: '1', type: null, retryAfter: null });
  assert.equal((await h.api('Shop.json')).status, 429, 'exactly one unit came back after one second');

  h.clock.advance(5_000);
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await h.api('Shop.json')).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
});

test('the request that first pushes the level over the size is let in; later ones wait until below the size', async (t) => {
  const h = await harness({ switches: bucketOnly });
  t.after(() => h.sim.close());
  // Item.json with ItemShops costs 1 + 2 × 0.2 = 1.4: 64 of them fill 89.6 drips.
  for (let i = 0; i < 64; i++) await (await h.api(`Item.json?load_relations=${rel}`)).arrayBuffer();
  assert.equal(h.sim.bucketLevel(), 89.6);
  const over = await h.api(`Item.json?load_relations=${rel}`);
  assert.deepEqual(limits(over), { status: 200, level: '91/90', cost: '1.4', drip: '1', type: null, retryAfter: null });
  const refused = await h.api('Shop.json');
  assert.deepEqual(limits(refused), { status: 429, level: '91/90', cost: '0', drip: '1', type: 'api-leaky-bucket', retryAfter: '2' });
  h.clock.advance(1_000);
  assert.equal((await h.api('Shop.json')).status, 429, 'at 90/90 the level is not below the size yet');
  h.clock.advance(1_000);
  const back = await h.api('Shop.json');
  assert.deepEqual(limits(back), { status: 200, level: '90/90', cost: '1', drip: '1', type: null, retryAfter: null });
});

test('an or= across different fields costs one extra drip per operand; on one field, nothing (switch orCosts)', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const enc = encodeURIComponent;
  const cost = async (h2: typeof h, query: string) => {
    const response = await h2.api(`Item.json?${query}`);
    await response.arrayBuffer();
    assert.equal(response.status, 200, query);
    return response.headers.get('x-ls-api-request-cost');
  };
  assert.equal(await cost(h, `or=${enc('itemID=1')}|${enc('itemID=2')}|${enc('itemID=3')}`), '1', 'same field: no extra');
  assert.equal(await cost(h, `or=${enc('description=~,%Mug%')}|${enc('customSku=SKU-1')}|${enc('upc=1')}`), '4', '1 + 3 operands');
  assert.equal(await cost(h, `or=${enc('itemID=>,1')}|${enc('customSku=<,S')}`), '12', 'two range operators: 1 + 10 for the entity + 1 for the further operand');
  const off = await harness({ switches: { orCosts: 'off' } });
  t.after(() => off.sim.close());
  assert.equal(await cost(off, `or=${enc('description=~,%Mug%')}|${enc('customSku=SKU-1')}`), '1');
});

test('request costs follow the published table', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const cost = async (path: string, init?: { method?: string; body?: unknown }) => {
    const response = await h.api(path, init);
    await response.arrayBuffer();
    return response.headers.get('x-ls-api-request-cost');
  };
  assert.equal(await cost('Item.json'), '1');
  assert.equal(await cost(`Item.json?load_relations=${rel}`), '1.4', 'to-many relation doubled on a list');
  assert.equal(await cost(`Item/1.json?load_relations=${rel}`), '1.2', 'single record: not doubled');
  assert.equal(await cost('Item.json?count=1'), '10');
  const line = { itemID: 1, unitQuantity: 1 };
  assert.equal(await cost('Sale.json', { body: { employeeID: 1, registerID: 1, shopID: 1, SaleLines: { SaleLine: [line, line] } } }), '3', 'open sale: 2 + 0.5 × 2');
  assert.equal(
    await cost('Sale.json', { body: { employeeID: 1, registerID: 1, shopID: 1, completed: true, SaleLines: { SaleLine: line }, SalePayments: { SalePayment: { amount: 12.5, paymentTypeID: 3 } } } }),
    '6',
  );
  assert.equal(await cost('Item/1.json', { method: 'PUT', body: { ItemShops: { ItemShop: [{ shopID: 1, qoh: 1 }, { shopID: 2, qoh: 1 }] } } }), '2');
  assert.equal(h.sim.bucketLevel(), 24.6, "1 + 1.4 + 1.2 + 10 + 3 + 6 + 2");
});

test('switches: bucketSize and dripRate; the token endpoint is outside the bucket', async (t) => {
  const h = await harness({ switches: { bucketSize: '5', dripRate: '2' } });
  t.after(() => h.sim.close());
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await h.api('Shop.json')).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  const c = h.sim.credentials() as J;
  const token = await postJson(c.tokenUrl, { grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: c.refreshToken });
  assert.equal(token.status, 200, 'refresh works with a full bucket');
  h.clock.advance(500);
  const one = await h.api('Shop.json');
  assert.deepEqual(limits(one), { status: 200, level: '5/5', cost: '1', drip: '2', type: null, retryAfter: null });
  assert.equal((await h.api('Shop.json')).status, 429);
  const admin: J = await (await fetch(`${h.sim.url}/__sim/bucket`)).json();
  assert.deepEqual(admin, { level: 5, size: 5, dripRate: 2, burstLimit: 20 });
  await postJson(`${h.sim.url}/__sim/reset`, {});
  assert.equal(h.sim.bucketLevel(), 0, 'reset empties the bucket');
});

test('the burst limiter is on by default: 20 requests per one-second window, then api-burst-limiter', async (t) => {
  const d = await harness();
  t.after(() => d.sim.close());
  for (let i = 1; i <= 20; i++) assert.equal((await d.api('Shop.json')).headers.get('x-ls-api-burst-level'), `${i}/20`);
  const burst = await d.api('Shop.json');
  assert.deepEqual(limits(burst), { status: 429, level: '20/90', cost: '0', drip: '1', type: 'api-burst-limiter', retryAfter: '1' });
  d.clock.advance(1_000 - (d.clock.now() % 1_000));
  assert.equal((await d.api('Shop.json')).headers.get('x-ls-api-burst-level'), '1/20', 'a new window starts at the next second');
});

test('burstLimit sets the window size; 0 turns it off', async (t) => {
  const h = await harness({ switches: { burstLimit: '3' } });
  t.after(() => h.sim.close());
  for (let i = 1; i <= 3; i++) assert.equal((await h.api('Shop.json')).headers.get('x-ls-api-burst-level'), `${i}/3`);
  const refused = await h.api('Shop.json');
  assert.deepEqual(limits(refused), { status: 429, level: '3/90', cost: '0', drip: '1', type: 'api-burst-limiter', retryAfter: '1' });
  h.clock.advance(1_000);
  assert.equal((await h.api('Shop.json')).status, 200);
});

test('an injected rate_limit fault answers like the real 429; unknown switches stop start-up', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  await postJson(`${h.sim.url}/__sim/faults`, { endpoint: 'GET /API/V3/Account/:accountID/Item.json', kind: 'rate_limit', retryAfterSeconds: 4, count: 1 });
  const limited = await h.api('Item.json');
  assert.deepEqual(limits(limited), { status: 429, level: '0/90', cost: '0', drip: '1', type: 'api-leaky-bucket', retryAfter: '4' });
  assert.equal(((await limited.json()) as J).httpCode, '429');
  await assert.rejects(startLightspeedSimulator({ switches: { bukketSize: '5' } }), /unknown switch.*bukketSize/);
  await assert.rejects(startLightspeedSimulator({ switches: { bucketSize: '0' } }), /bucketSize/);
  await assert.rejects(startLightspeedSimulator({ seed: { locations: [{ id: 'L1', name: 'x' }], items: [] } }), /numeric ids/);
});
