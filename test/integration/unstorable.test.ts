import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startPossync } from '../../src/main.ts';
import { registerItem } from '../../src/engine/register.ts';
import { ACCOUNTS, embeddedSetup, readmeConfig } from '../support/readme-setup.ts';
import { json, post } from '../support/server-process.ts';
import { openEngineRig } from '../support/engine.ts';

/**
 * Issue 14, hole 3: strings PostgreSQL cannot store (U+0000, a lone surrogate) are refused at the
 * edge with a 400 naming the field, and a group-commit batch survives one member the database
 * refuses anyway.
 */
test('NUL characters and lone surrogates get a 400 naming the field, and nothing is written', { timeout: 300_000 }, async (t) => {
  const { sims, env } = await embeddedSetup(t);
  const possync = await startPossync(await readmeConfig(sims, env), { log: () => {} });
  t.after(() => possync.close());
  await json(await post(`${possync.url}/api/items?wait=true`, { item_pos_id: 'VARIATION000000000000001', item_ecommerce_id: 101, account_id: ACCOUNTS.square }));
  const raw = (method: string, path: string, body?: string) =>
    fetch(`${possync.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body });

  const cases: Array<[string, Promise<Response>, string]> = [
    ['a sale id with NUL', raw('GET', '/api/sales/%00'), 'id'],
    ['a page cursor with NUL', raw('GET', '/api/sales?before=%00'), 'before'],
    ['a cancel of an id with NUL', raw('POST', '/api/sales/a%00b/cancel'), 'id'],
    ['a cancel reason with NUL', raw('POST', '/api/sales/x/cancel', '{"reason":"a\\u0000b"}'), 'reason'],
    ['a sale reference with NUL', raw('POST', '/api/synchronizer/sale', '{"item_ecommerce_id":101,"delta":1,"balance":1,"reference":"o\\u0000"}'), 'reference'],
    ['a sale reference with a lone surrogate', raw('POST', '/api/synchronizer/sale', '{"item_ecommerce_id":101,"delta":1,"balance":1,"reference":"o\\ud800"}'), 'reference'],
    ['an e-commerce id with NUL', raw('POST', '/api/synchronizer/sale', '{"item_ecommerce_id":"1\\u00000","delta":1,"balance":1}'), 'item_ecommerce_id'],
    ['an item name with NUL', raw('POST', '/api/items', '{"item_name":"Demo\\u0000","item_ecommerce_id":5,"account_id":"your_squarePOS_account_id"}'), 'item_name'],
    ['an account id with a lone low surrogate', raw('GET', `/api/items/${encodeURIComponent('a')}%ED%B0%80`), ''],
  ];
  for (const [what, answer, field] of cases) {
    const response = await answer;
    const body = (await response.json()) as { error: string; field?: string; message: string };
    if (field === '') {
      // Invalid UTF-8 in a path decodes to U+FFFD, which is storable: an unknown account, not a crash.
      assert.ok(response.status < 500, `${what}: ${response.status} ${JSON.stringify(body)}`);
      continue;
    }
    assert.equal(response.status, 400, `${what}: ${JSON.stringify(body)}`);
    assert.equal(body.field, field, what);
    assert.equal(body.error, 'bad_request', what);
  }
  const { rows } = await possync.core.sql.query<{ n: number }>('select count(*)::int as n from sales');
  assert.equal(rows[0]!.n, 0, 'no sale was written');
  const items = await json(await fetch(`${possync.url}/api/items/${ACCOUNTS.square}`));
  assert.equal(items.length, 1, 'no item was registered');
});

test('one sale the database refuses fails alone; the 19 others of its batch commit', { timeout: 300_000 }, async (t) => {
  const { sims, env } = await embeddedSetup(t);
  const rig = await openEngineRig(await readmeConfig(sims, env));
  t.after(() => rig.close());
  await post(`${sims.square.url}/__sim/stock`, { item: 'VARIATION000000000000009', quantity: 100 });
  await registerItem(rig.context, rig.accounts, { accountId: ACCOUNTS.square, ecommerceId: '101', itemPosId: 'VARIATION000000000000009' });

  // The engine is called directly, past the HTTP edge, so the bad member reaches the database.
  const outcomes = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      rig.intake.accept({ ecommerceId: '101', quantity: 1, amountCents: 100, idempotencyKey: `buyer-${i}`, reference: i === 7 ? 'bad\u0000ref' : `order-${i}` }),
    ),
  );
  const rejected = outcomes.flatMap((o, i) => (o.status === 'rejected' ? [i] : []));
  assert.deepEqual(rejected, [7], 'only the bad member failed');
  const accepted = outcomes.filter((o) => o.status === 'fulfilled' && o.value.outcome === 'accepted');
  assert.equal(accepted.length, 19);
  const { rows } = await rig.core.sql.query<{ n: number }>('select count(*)::int as n from sales');
  assert.equal(rows[0]!.n, 19);
});
