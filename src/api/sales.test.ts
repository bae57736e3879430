import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import type { PgBoss } from 'pg-boss';
import { buildApi } from './app.ts';
import { FakeService, makeApi } from '../../test/support/api.ts';
import { openTestCore, squareAccount, type TestCore } from '../../test/support/core.ts';
import { registerMapping, getMapping } from '../core/mappings.ts';
import { applyCountsPage } from '../core/stock.ts';
import { claimNext, moveSale } from '../core/sales/ledger.ts';
import { freeLease, takeLease } from '../core/sales/lease.ts';
import type { SaleLedger } from '../engine/ports.ts';
import { SaleIntake } from '../engine/sales/intake.ts';
import { SalesService } from '../engine/sales/service.ts';
import { startBoss } from '../jobs/boss.ts';
import { createJobsPort } from '../jobs/port.ts';

/**
 * The sale routes over the real sale ledger (intake with group commit, SalesService, the SQL
 * state machine) on one PGlite per file. Dispatch states are reached through the ledger's own
 * operations (claimNext, moveSale), standing in for the dispatcher, which has its own tests.
 */
const ACCOUNT = 'sq-main';
const json = { 'content-type': 'application/json' };
const SALE = '/api/synchronizer/sale';

let opened: TestCore;
let boss: PgBoss;
let sales: SalesService;

before(async () => {
  opened = await openTestCore('pglite', { accounts: [squareAccount(ACCOUNT)] });
  boss = await startBoss(opened.core, () => undefined);
  const jobs = createJobsPort(opened.core, boss);
  sales = new SalesService(opened.core, jobs, new SaleIntake(opened.core, jobs, () => undefined), () => undefined);
});
after(async () => {
  await boss?.stop({ graceful: false });
  await opened?.dispose();
});

let nextItem = 1;
/** A mapped item with a count (onHand null: mapped, never polled), under a fresh e-commerce id. */
async function mapItem(options: { onHand?: number | null; limitQuantity?: number } = {}): Promise<string> {
  const n = nextItem++;
  const ecommerceId = String(1000 + n);
  const posItemId = `VAR-${n}`;
  await registerMapping(opened.core.sql, { ecommerceId, accountId: ACCOUNT, posItemId, limitQuantity: options.limitQuantity ?? 0 });
  const onHand = options.onHand === undefined ? 12 : options.onHand;
  if (onHand !== null) {
    await applyCountsPage(opened.core.sql, { accountId: ACCOUNT, runId: null, counts: [{ posItemId, onHand }], readStartedAt: new Date(), cause: 'manual' });
  }
  return ecommerceId;
}

const available = async (ecommerceId: string) => (await getMapping(opened.core.sql, ecommerceId))?.available;
const saleCount = async () => (await sales.list({ limit: 500 })).length;

async function api(ledger: SaleLedger = sales, apiKeys?: string[]) {
  return (await makeApi({ service: new FakeService(undefined, ledger), apiKeys })).app;
}

const sell = (app: FastifyInstance, payload: unknown, headers: Record<string, string> = {}) =>
  app.inject({ method: 'POST', url: SALE, headers: { ...json, ...headers }, payload: payload as object });

/** The original README's sale body, for an item id. */
const readmeSale = (item: string) => `{"item_ecommerce_id": ${item}, "delta": 1, "balance": 1250}`;

/** Claims the account's oldest pending sale as the dispatcher does: under the account's lease. */
async function claim() {
  const lease = await takeLease(opened.core.sql, ACCOUNT, 'api-sales-test', 60_000);
  assert.ok(lease, 'no dispatcher holds the lease in this test');
  try {
    return await claimNext(opened.core.sql, lease, 60_000);
  } finally {
    await freeLease(opened.core.sql, lease);
  }
}

/** Moves a sale as the dispatcher would: claimed (dispatching), then failed with this error. */
async function failSale(id: string, error: string): Promise<void> {
  const claimed = await claim();
  assert.equal(claimed?.id, id, 'the oldest pending sale of the account');
  await moveSale(opened.core.sql, id, { from: ['dispatching'], to: 'failed', lastError: error, reason: error });
}

/** Cancels every pending sale of the account, so the next test's claimNext finds its own first. */
async function settleAll(): Promise<void> {
  for (const sale of await sales.list({ state: 'accepted', limit: 500 })) await sales.cancel(sale.id, 'test cleanup');
}

test('README curl body, no key → 202 with Location; the sale reads back in full', async () => {
  const item = await mapItem();
  const app = await api();
  const res = await app.inject({ method: 'POST', url: SALE, headers: json, payload: readmeSale(item) });
  assert.equal(res.statusCode, 202, res.body);
  const { sale_id: id } = res.json();
  assert.deepEqual(res.json(), { sale_id: id, status: 'accepted', location: `/api/sales/${id}` });
  assert.equal(res.headers.location, `/api/sales/${id}`);
  assert.equal(res.headers['idempotent-replayed'], undefined);
  assert.equal(await available(item), 11, 'one unit reserved');

  const got = await app.inject({ method: 'GET', url: res.headers.location as string });
  assert.equal(got.statusCode, 200);
  const body = got.json();
  assert.deepEqual({ ...body, created_at: 'T', updated_at: 'T', history: body.history.map((h: { at: string }) => ({ ...h, at: 'T' })) }, {
    sale_id: id, state: 'accepted', item_ecommerce_id: item, account_id: ACCOUNT, pos_item_id: `VAR-${Number(item) - 1000}`,
    quantity: 1, amount_cents: 1250, reference: null, idempotency_key: null, attempts: 0, last_error: null,
    pos_reference: null, created_at: 'T', updated_at: 'T',
    history: [{ from: null, to: 'accepted', at: 'T', reason: 'accepted: 1 unit(s) reserved' }],
  });
  assert.ok(!Number.isNaN(Date.parse(body.created_at)));
  await settleAll();
});

test('without a key, the same body twice is two sales', async () => {
  const item = await mapItem();
  const app = await api();
  const ids = new Set<string>();
  for (let i = 0; i < 2; i++) ids.add((await sell(app, readmeSale(item))).json().sale_id);
  assert.equal(ids.size, 2);
  assert.equal(await available(item), 10);
  await settleAll();
});

test('Idempotency-Key: a replay answers the same sale and reserves nothing more', async () => {
  const item = await mapItem();
  const app = await api();
  const body = { item_ecommerce_id: Number(item), delta: 2, balance: 2500, reference: 'order-7' };
  const first = await sell(app, body, { 'Idempotency-Key': 'k-1' });
  const again = await sell(app, body, { 'idempotency-key': 'k-1' });
  assert.equal(first.statusCode, 202);
  assert.equal(again.statusCode, 202);
  assert.deepEqual(again.json(), first.json());
  assert.equal(again.headers.location, first.headers.location);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  assert.equal(await available(item), 10);
  const sale = (await app.inject({ method: 'GET', url: first.headers.location as string })).json();
  assert.equal(sale.idempotency_key, 'k-1', 'the header is the key');
  assert.equal(sale.reference, 'order-7', 'the reference is kept as such');
  const other = await sell(app, body, { 'Idempotency-Key': 'k-2' });
  assert.notEqual(other.json().sale_id, first.json().sale_id, 'a different key with the same body is a different sale');
  await settleAll();
});

test('reference is the key when no header is sent', async () => {
  const item = await mapItem();
  const app = await api();
  const body = { item_ecommerce_id: item, delta: 1, balance: 1250, reference: 'order-8' };
  const first = await sell(app, body);
  const again = await sell(app, body);
  assert.equal(again.json().sale_id, first.json().sale_id);
  assert.equal(again.headers['idempotent-replayed'], 'true');
  const sale = (await app.inject({ method: 'GET', url: first.headers.location as string })).json();
  assert.equal(sale.idempotency_key, 'order-8');
  assert.equal(sale.reference, 'order-8');
  await settleAll();
});

test('same key, another body → 422 idempotency_key_reused naming where the key came from', async () => {
  const item = await mapItem();
  const app = await api();
  const first = await sell(app, { item_ecommerce_id: item, delta: 1, balance: 1250 }, { 'Idempotency-Key': 'k-3' });
  const count = await saleCount();
  const header = await sell(app, { item_ecommerce_id: item, delta: 2, balance: 1250 }, { 'Idempotency-Key': 'k-3' });
  assert.equal(header.statusCode, 422);
  assert.deepEqual(header.json(), {
    error: 'idempotency_key_reused',
    message: 'Idempotency-Key "k-3" was already used for a sale with another item_ecommerce_id, delta, balance or reference; use a new key for a new sale',
    field: 'Idempotency-Key',
    details: { sale_id: first.json().sale_id },
  });

  await sell(app, { item_ecommerce_id: item, delta: 1, balance: 1250, reference: 'order-9' });
  const ref = await sell(app, { item_ecommerce_id: item, delta: 1, balance: 999, reference: 'order-9' });
  assert.equal(ref.statusCode, 422);
  assert.equal(ref.json().error, 'idempotency_key_reused');
  assert.equal(ref.json().field, 'reference');
  assert.match(ref.json().message, /^reference "order-9" \(the idempotency key when no Idempotency-Key is sent\) was already used/);
  assert.equal(await saleCount(), count + 1, 'nothing written for the 422s');
  await settleAll();
});

test('floor is ≥: with limit_quantity 0 the last unit sells; past the floor → 409 with available', async () => {
  const app = await api();
  const last = await mapItem({ onHand: 1 });
  assert.equal((await sell(app, { item_ecommerce_id: last, delta: 1, balance: 100 })).statusCode, 202);
  const floored = await mapItem({ onHand: 3, limitQuantity: 1 });
  assert.equal((await sell(app, { item_ecommerce_id: floored, delta: 2, balance: 100 })).statusCode, 202, '3 − 2 ≥ 1');
  const count = await saleCount();
  const over = await sell(app, { item_ecommerce_id: floored, delta: 1, balance: 100 }, { 'Idempotency-Key': 'late' });
  assert.equal(over.statusCode, 409);
  assert.deepEqual(over.json(), {
    error: 'conflict',
    message: `Only 0 units of item ${floored} can be sold (1 available, 1 kept back by limit_quantity); asked for 1. Nothing was sold.`,
    field: 'delta',
    details: { available: 1, limit_quantity: 1 },
  });
  assert.equal(await available(floored), 1, 'nothing reserved');
  assert.equal(await saleCount(), count, 'nothing recorded');

  const some = await mapItem({ onHand: 5, limitQuantity: 2 });
  assert.match((await sell(app, { item_ecommerce_id: some, delta: 4, balance: 100 })).json().message, new RegExp(`^Only 3 units of item ${some} can be sold \\(5 available, 2 kept back`));
  await settleAll();
});

test('an item never polled → 409 with available null', async () => {
  const item = await mapItem({ onHand: null });
  const res = await sell(await api(), readmeSale(item));
  assert.equal(res.statusCode, 409);
  assert.equal(res.json().field, 'delta');
  assert.deepEqual(res.json().details, { available: null, limit_quantity: 0 });
  assert.match(res.json().message, /no stock count yet/);
});

test('an unmapped item → 404 naming item_ecommerce_id', async () => {
  const res = await sell(await api(), { item_ecommerce_id: 'nope', delta: 1, balance: 1 });
  assert.equal(res.statusCode, 404);
  assert.equal(res.json().error, 'not_found');
  assert.equal(res.json().field, 'item_ecommerce_id');
});

test('bad values → 400 naming the field; nothing is written', async () => {
  const item = await mapItem();
  const app = await api();
  const count = await saleCount();
  const base = { item_ecommerce_id: Number(item), delta: 1, balance: 1250 };
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
  assert.equal(await saleCount(), count);
  // The bounds themselves pass.
  const big = await mapItem({ onHand: 20_000 });
  assert.equal((await sell(app, { item_ecommerce_id: big, delta: 10_000, balance: 100_000_000 })).statusCode, 202);
  assert.equal((await sell(app, { ...base, balance: 0 })).statusCode, 202);
  await settleAll();
});

test('a bad Idempotency-Key → 400 naming the header', async () => {
  const item = await mapItem();
  const app = await api();
  const count = await saleCount();
  for (const key of ['', 'k'.repeat(256), 'clé', 'tab\there', ' lead']) {
    const res = await sell(app, readmeSale(item), { 'Idempotency-Key': key });
    assert.equal(res.statusCode, 400, JSON.stringify(key));
    assert.deepEqual(res.json(), {
      error: 'bad_request',
      message: 'Idempotency-Key must be 1–255 printable ASCII characters (no leading or trailing space)',
      field: 'Idempotency-Key',
    });
  }
  assert.equal(await saleCount(), count);
  assert.equal((await sell(app, readmeSale(item), { 'Idempotency-Key': `a b~${'k'.repeat(251)}` })).statusCode, 202);
  // A body error is reported before a header error (Fastify checks the body first).
  assert.equal((await sell(app, { delta: 1 }, { 'Idempotency-Key': '' })).json().field, 'item_ecommerce_id');
  await settleAll();
});

test('GET /api/sales/{id}: unknown → 404', async () => {
  const res = await (await api()).inject({ method: 'GET', url: '/api/sales/sale-404' });
  assert.equal(res.statusCode, 404);
  assert.deepEqual(res.json(), { error: 'not_found', message: 'No sale "sale-404"', field: 'id' });
});

test('GET /api/sales: newest first, by state, limit and before; bad query → 400', async () => {
  const item = await mapItem();
  const app = await api();
  const made: string[] = [];
  for (let i = 0; i < 4; i++) made.push((await sell(app, readmeSale(item))).json().sale_id);
  const claimed = await claim();
  assert.equal(claimed?.id, made[0], 'the oldest is claimed first');
  const ids = async (query: string) => {
    const res = await app.inject({ method: 'GET', url: `/api/sales${query}` });
    assert.equal(res.statusCode, 200, res.body);
    return res.json().sales.map((s: { sale_id: string }) => s.sale_id).filter((id: string) => made.includes(id));
  };
  const [s1, s2, s3, s4] = made as [string, string, string, string];
  assert.deepEqual(await ids(''), [s4, s3, s2, s1]);
  assert.deepEqual(await ids('?state=accepted'), [s4, s3, s2]);
  assert.deepEqual(await ids('?state=dispatching'), [s1]);
  assert.deepEqual(await ids('?limit=2'), [s4, s3]);
  assert.deepEqual(await ids(`?limit=2&before=${s3}`), [s2, s1]);
  assert.deepEqual(await ids('?before=sale-99'), []);
  const state = await app.inject({ method: 'GET', url: '/api/sales?state=done' });
  assert.equal(state.statusCode, 400);
  assert.deepEqual(state.json(), {
    error: 'bad_request',
    message: 'querystring/state must be one of "accepted", "dispatching", "posted", "failed", "incomplete", "cancelled"',
    field: 'state',
  });
  for (const limit of ['0', '501', 'ten']) {
    const res = await app.inject({ method: 'GET', url: `/api/sales?limit=${limit}` });
    assert.equal(res.statusCode, 400, limit);
    assert.equal(res.json().field, 'limit');
  }
  await moveSale(opened.core.sql, s1, { from: ['dispatching'], to: 'failed', reason: 'test' });
  await sales.cancel(s1);
  await settleAll();
});

test('retry: failed → 202 dispatching; texts redacted; 409 when not failed; 404 unknown', async () => {
  const item = await mapItem();
  const app = await api();
  const id = (await sell(app, readmeSale(item))).json().sale_id;
  const early = await app.inject({ method: 'POST', url: `/api/sales/${id}/retry` });
  assert.equal(early.statusCode, 409);
  assert.equal(early.json().error, 'conflict');
  assert.equal(early.json().message, `sale ${id} is accepted; only a failed or incomplete sale can be retried`);

  await failSale(id, 'Square 401 for Authorization: Bearer EAAAsecret');
  const failed = (await app.inject({ method: 'GET', url: `/api/sales/${id}` })).json();
  assert.equal(failed.state, 'failed');
  assert.equal(failed.last_error, 'Square 401 for Authorization: Bearer ***');
  assert.equal(failed.history.at(-1).reason, 'Square 401 for Authorization: Bearer ***');
  assert.equal(await available(item), 11, 'a failed sale keeps its unit');

  const res = await app.inject({ method: 'POST', url: `/api/sales/${id}/retry`, headers: json, payload: '' });
  assert.equal(res.statusCode, 202, res.body);
  assert.equal(res.json().state, 'dispatching');
  assert.equal(res.json().attempts, 1, 'the retry queues an attempt; the dispatcher counts it when it claims the sale');
  assert.deepEqual(res.json().history.map((h: { from: string | null; to: string }) => [h.from, h.to]), [
    [null, 'accepted'], ['accepted', 'dispatching'], ['dispatching', 'failed'], ['failed', 'dispatching'],
  ]);
  assert.doesNotMatch(res.body, /EAAAsecret/);
  assert.equal((await app.inject({ method: 'POST', url: '/api/sales/nope/retry' })).statusCode, 404);
  await moveSale(opened.core.sql, id, { from: ['dispatching'], to: 'posted', posReference: 'sq-1', reason: 'test' });
});

test('cancel: accepted|failed → 200 cancelled, units released; reason optional; 409 otherwise', async () => {
  const item = await mapItem();
  const app = await api();
  const ids: string[] = [];
  for (let i = 0; i < 3; i++) ids.push((await sell(app, readmeSale(item))).json().sale_id);
  const [s1, s2, s3] = ids as [string, string, string];
  assert.equal(await available(item), 9);

  const withReason = await app.inject({ method: 'POST', url: `/api/sales/${s1}/cancel`, payload: { reason: 'customer changed mind' } });
  assert.equal(withReason.statusCode, 200, withReason.body);
  assert.equal(withReason.json().state, 'cancelled');
  assert.deepEqual(withReason.json().history.at(-1), {
    from: 'accepted', to: 'cancelled', at: withReason.json().updated_at, reason: 'cancelled: customer changed mind',
  });
  assert.equal(await available(item), 10);

  // A failed sale, then no body at all, and an empty body with a JSON content type (as curl scripts send).
  await failSale(s2, 'timeout');
  assert.equal((await app.inject({ method: 'POST', url: `/api/sales/${s2}/cancel` })).statusCode, 200);
  const empty = await app.inject({ method: 'POST', url: `/api/sales/${s3}/cancel`, headers: json, payload: '' });
  assert.equal(empty.statusCode, 200);
  assert.equal(empty.json().history.at(-1).reason, 'cancelled: no reason given');
  assert.equal(await available(item), 12, 'every unit back');

  const again = await app.inject({ method: 'POST', url: `/api/sales/${s1}/cancel` });
  assert.equal(again.statusCode, 409);
  assert.equal(again.json().message, `sale ${s1} is cancelled; only an accepted, failed or incomplete sale can be cancelled`);
  const s4 = (await sell(app, readmeSale(item))).json().sale_id;
  assert.equal((await claim())?.id, s4);
  assert.equal((await app.inject({ method: 'POST', url: `/api/sales/${s4}/cancel` })).statusCode, 409, 'dispatching');
  await moveSale(opened.core.sql, s4, { from: ['dispatching'], to: 'posted', posReference: 'sq-payment-1', reason: 'posted as sq-payment-1' });
  assert.equal((await app.inject({ method: 'POST', url: `/api/sales/${s4}/cancel` })).statusCode, 409, 'posted');
  assert.equal((await app.inject({ method: 'GET', url: `/api/sales/${s4}` })).json().pos_reference, 'sq-payment-1');

  assert.equal((await app.inject({ method: 'POST', url: '/api/sales/nope/cancel' })).statusCode, 404);
  const long = await app.inject({ method: 'POST', url: `/api/sales/${s4}/cancel`, payload: { reason: 'x'.repeat(501) } });
  assert.equal(long.statusCode, 400);
  assert.equal(long.json().field, 'reason');
  const typed = await app.inject({ method: 'POST', url: `/api/sales/${s4}/cancel`, payload: { reason: 5 } });
  assert.equal(typed.json().field, 'reason');
});

test('an incomplete sale (the POS holds it unfinished): retry → 202; cancel → 409 naming the POS sale, 200 with removed_from_pos, units released', async () => {
  const item = await mapItem();
  const app = await api();
  const ids: string[] = [];
  for (let i = 0; i < 2; i++) ids.push((await sell(app, readmeSale(item))).json().sale_id);
  const [held, retried] = ids as [string, string];
  const before = (await available(item))!;
  for (const id of [held, retried]) {
    assert.equal((await claim())?.id, id);
    await moveSale(opened.core.sql, id, { from: ['dispatching'], to: 'incomplete', posReference: `hb-${id.slice(0, 4)}`, lastError: 'close refused', reason: 'test' });
  }
  assert.equal(await available(item), before, 'an incomplete sale keeps its units');
  assert.deepEqual((await app.inject({ method: 'GET', url: '/api/sales?state=incomplete' })).json().sales.map((s: { sale_id: string }) => s.sale_id).sort(), [held, retried].sort());

  const refused = await app.inject({ method: 'POST', url: `/api/sales/${held}/cancel`, payload: { reason: 'order refunded' } });
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json().field, 'removed_from_pos');
  assert.match(refused.json().message, new RegExp(`the POS holds it as hb-${held.slice(0, 4)}`));
  const flagged = await app.inject({ method: 'POST', url: `/api/sales/${held}/cancel`, payload: { reason: 'order refunded', removed_from_pos: true } });
  assert.equal(flagged.statusCode, 200, flagged.body);
  assert.equal(flagged.json().state, 'cancelled');
  assert.match(flagged.json().history.at(-1).reason, /^cancelled: order refunded; the operator says sale hb-\S+ was removed from the POS$/);
  assert.equal(await available(item), before + 1, 'its unit released');
  assert.equal((await app.inject({ method: 'POST', url: `/api/sales/${held}/cancel`, payload: { removed_from_pos: 'yes' } })).json().field, 'removed_from_pos', 'a boolean');

  const again = await app.inject({ method: 'POST', url: `/api/sales/${retried}/retry` });
  assert.equal(again.statusCode, 202, again.body);
  assert.equal(again.json().state, 'dispatching');
  assert.equal((await claim())?.id, retried, 'queued for the dispatcher again');
  await moveSale(opened.core.sql, retried, { from: ['dispatching'], to: 'posted', posReference: `hb-${retried.slice(0, 4)}`, reason: 'test' });
});

const ROUTES = [
  ['POST', SALE], ['GET', '/api/sales'], ['GET', '/api/sales/sale-1'],
  ['POST', '/api/sales/sale-1/retry'], ['POST', '/api/sales/sale-1/cancel'],
] as const;

test('auth on: every sale route wants X-Api-Key, checked before the body', async () => {
  const item = await mapItem();
  const app = await api(sales, ['sales-key-0123456789']);
  const count = await saleCount();
  for (const [method, url] of ROUTES) {
    for (const headers of [{}, { 'x-api-key': 'wrong' }]) {
      const res = await app.inject({ method, url, headers: { ...json, ...headers }, payload: readmeSale(item) });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
      assert.equal(res.json().field, 'X-Api-Key');
    }
  }
  assert.equal(await saleCount(), count);
  const ok = await app.inject({ method: 'POST', url: SALE, headers: { ...json, 'X-Api-Key': 'sales-key-0123456789' }, payload: readmeSale(item) });
  assert.equal(ok.statusCode, 202);
  await settleAll();
});

test('5xx on sale routes are masked', async () => {
  // The ledger's database fails (a password in the driver's message must not leak).
  const broken = new Proxy({} as SaleLedger, { get: () => () => Promise.reject(new Error('pg: password=hunter2')) });
  const app = await api(broken);
  for (const [method, url] of ROUTES) {
    const res = await app.inject({ method, url, headers: json, payload: readmeSale('12') });
    assert.equal(res.statusCode, 500, `${method} ${url}`);
    assert.equal(res.json().error, 'internal');
    assert.doesNotMatch(res.body, /hunter2/);
  }
});

test('the production serialiser sends the same sale bodies as the strict one', async () => {
  const item = await mapItem();
  const service = new FakeService(undefined, sales);
  const strictApp = await buildApi(service, { apiKeys: [], version: 'v', strictResponses: true });
  const plainApp = await buildApi(service, { apiKeys: [], version: 'v', strictResponses: false });
  const first = (await sell(strictApp, readmeSale(item), { 'Idempotency-Key': 'serialise-1' })).json().sale_id;
  const second = (await sell(strictApp, readmeSale(item), { 'Idempotency-Key': 'serialise-2' })).json().sale_id;
  await failSale(first, 'down');
  const requests: Array<[string, string, Record<string, string>?, string?]> = [
    ['POST', SALE, { 'Idempotency-Key': 'serialise-1' }, readmeSale(item)],
    ['POST', SALE, {}, `{"item_ecommerce_id": ${item}, "delta": 99, "balance": 1}`],
    ['GET', `/api/sales/${first}`],
    ['GET', `/api/sales/${second}`],
    ['GET', '/api/sales?limit=5'],
  ];
  for (const [method, url, headers, payload] of requests) {
    const [a, b] = await Promise.all([strictApp, plainApp].map((app) =>
      app.inject({ method: method as 'GET' | 'POST', url, headers: { ...json, ...headers }, ...(payload ? { payload } : {}) })));
    assert.equal(`${b!.statusCode} ${b!.body}`, `${a!.statusCode} ${a!.body}`, `${method} ${url}`);
    assert.ok(a!.statusCode < 500, a!.body);
  }
  const retried = await strictApp.inject({ method: 'POST', url: `/api/sales/${first}/retry` });
  assert.equal(retried.statusCode, 202, retried.body);
  const cancelled = await plainApp.inject({ method: 'POST', url: `/api/sales/${second}/cancel`, headers: json, payload: '{"reason":"test"}' });
  assert.equal(cancelled.statusCode, 200, cancelled.body);
  await strictApp.close();
  await plainApp.close();
});
