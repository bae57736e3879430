import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, postJson } from '../../../test/support/lightspeed-simulator.ts';

type J = any;

const rel = encodeURIComponent('["ItemShops"]');

/** Every leaf of a response must be a string (numbers, booleans and ids included). */
function leaves(value: unknown, path = '$', out: Array<[string, unknown]> = []): Array<[string, unknown]> {
  if (Array.isArray(value)) value.forEach((v, i) => leaves(v, `${path}[${i}]`, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, `${path}.${k}`, out);
  else out.push([path, value]);
  return out;
}

test('every scalar is a string; one record is an object; none leaves the key out', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const all: J = await h.json(`Item.json?load_relations=${rel}`);
  const nonStrings = leaves(all).filter(([, v]) => typeof v !== 'string');
  assert.deepEqual(nonStrings, []);
  assert.ok(Array.isArray(all.Item));
  assert.equal(all.Item.length, 3);

  const one: J = await h.json(`Item.json?itemID=3&load_relations=${rel}`);
  assert.ok(!Array.isArray(one.Item), 'a one-record collection is an object');
  assert.equal(one.Item.itemID, '3');
  // Item 3 was never counted anywhere: only the shop 0 total row, hence an object too.
  assert.deepEqual({ shopID: one.Item.ItemShops.ItemShop.shopID, qoh: one.Item.ItemShops.ItemShop.qoh }, { shopID: '0', qoh: '0' });

  const item1: J = await h.json(`Item/1.json?load_relations=${rel}`);
  assert.deepEqual(item1['@attributes'], { count: '1' });
  const rows = item1.Item.ItemShops.ItemShop as J[];
  assert.deepEqual(rows.map((r) => [r.shopID, r.qoh]), [['0', '14'], ['1', '10'], ['2', '4']], 'shop 0 holds the all-shops total');
  assert.equal((await h.json<J>('Item/1.json')).Item.ItemShops, undefined, 'relations only when loaded');

  const none: J = await h.json('Item.json?itemID=999');
  assert.deepEqual(none, { '@attributes': { next: '', previous: '' } });

  const missing = await h.api('Item/999.json');
  assert.equal(missing.status, 404);
  const body: J = await missing.json();
  assert.equal(body.httpCode, '404');
  assert.equal(body.httpMessage, 'Not Found');
  assert.equal(typeof body.message, 'string');
  assert.equal(typeof body.errorClass, 'string');
  assert.equal((await h.api('Nothing.json')).status, 404);
});

test('paging follows @attributes.next full URLs to the end; previous goes back; ends are empty', async (t) => {
  const h = await harness({ seed: undefined, items: 250 });
  t.after(() => h.sim.close());
  const seen: string[] = [];
  let url = `${h.sim.url}/API/V3/Account/${h.accountID}/Item.json?load_relations=${rel}`;
  const pages: J[] = [];
  while (url) {
    const page: J = await h.json(url);
    pages.push(page);
    seen.push(...(page.Item as J[]).map((i) => i.itemID));
    url = page['@attributes'].next;
  }
  assert.deepEqual(pages.map((p) => p.Item.length), [100, 100, 50]);
  assert.deepEqual(seen, Array.from({ length: 250 }, (_, i) => String(i + 1)));
  assert.equal(pages[0]['@attributes'].previous, '');
  assert.equal(pages[2]['@attributes'].next, '');
  const next = new URL(pages[0]['@attributes'].next);
  assert.equal(`${next.origin}${next.pathname}`, `${h.sim.url}/API/V3/Account/${h.accountID}/Item.json`);
  assert.equal(next.searchParams.get('load_relations'), '["ItemShops"]', 'the original query is kept');
  assert.equal(next.searchParams.get('limit'), '100');
  assert.equal(next.searchParams.get('sort'), 'itemID');
  assert.ok(next.searchParams.get('after'));

  const back: J = await h.json(pages[1]['@attributes'].previous);
  assert.ok(new URL(pages[1]['@attributes'].previous).searchParams.get('before'));
  assert.deepEqual(back.Item.map((i: J) => i.itemID), pages[0].Item.map((i: J) => i.itemID));
  assert.equal(back['@attributes'].previous, '');

  // Small pages with a sort and a filter keep both across pages.
  let small = `Item.json?limit=7&sort=-itemID&itemID=${encodeURIComponent('<=,20')}`;
  const ids: string[] = [];
  while (small) {
    const page: J = await h.json(small);
    ids.push(...[page.Item].flat().map((i: J) => i.itemID));
    small = page['@attributes'].next;
  }
  assert.deepEqual(ids, Array.from({ length: 20 }, (_, i) => String(20 - i)));

  const tooMany = await h.api('Item.json?limit=101');
  assert.equal(tooMany.status, 400);
  assert.equal(((await tooMany.json()) as J).httpCode, '400');
  assert.equal((await h.api('Item.json?offset=100')).status, 400, 'V3 has no offset');
});

test('count=1 answers only the count and refuses limit/sort', async (t) => {
  const h = await harness({ seed: undefined, items: 250 });
  t.after(() => h.sim.close());
  const counted = await h.api('Item.json?count=1');
  assert.deepEqual(await counted.json(), { '@attributes': { count: '250' } });
  assert.equal(counted.headers.get('x-ls-api-request-cost'), '10');
  assert.deepEqual(await h.json(`Item.json?count=1&itemID=${encodeURIComponent('>,240')}`), { '@attributes': { count: '10' } });
  assert.equal((await h.api('Item.json?count=1&limit=10')).status, 400);
  assert.equal((await h.api('Item.json?count=1&sort=itemID')).status, 400);
});

test('sort by allowed fields, asc and desc; an unsupported field is a 400 listing the allowed ones', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  assert.deepEqual((await h.json<J>('Item.json?sort=-itemID')).Item.map((i: J) => i.itemID), ['3', '2', '1']);
  assert.deepEqual((await h.json<J>('Item.json?sort=description')).Item.map((i: J) => i.description), ['Blue Scarf', 'Oak Teapot', 'Red Mug']);
  const bad = await h.api('Item.json?sort=price');
  assert.equal(bad.status, 400);
  const body: J = await bad.json();
  assert.match(body.message, /itemID/);
  assert.match(body.message, /timeStamp/);
  assert.equal((await h.api('ItemShop.json?sort=qoh')).status, 400, 'ItemShop sorts by itemShopID or timeStamp only');
});

test('operators: IN (≤100), >, >=, <, !=, ><, ~, !~, or, archived, relation fields', async (t) => {
  // Many requests in one frozen second: the burst limiter (tested in bucket.test.ts) is off here.
  const h = await harness({ seed: undefined, items: 250, switches: { burstLimit: '0' } });
  t.after(() => h.sim.close());
  const ids = async (q: string) => [(await h.json<J>(`Item.json?${q}`)).Item ?? []].flat().map((i: J) => i.itemID);
  const enc = encodeURIComponent;
  assert.deepEqual(await ids(`itemID=${enc('IN,[9,1,5]')}`), ['1', '5', '9']);
  const hundredOne = `itemID=${enc(`IN,[${Array.from({ length: 101 }, (_, i) => i + 1).join(',')}]`)}`;
  assert.equal((await h.api(`Item.json?${hundredOne}`)).status, 400);
  assert.equal((await ids(`itemID=${enc(`IN,[${Array.from({ length: 100 }, (_, i) => i + 1).join(',')}]`)}`)).length, 100);
  assert.deepEqual(await ids(`itemID=${enc('>,247')}`), ['248', '249', '250']);
  assert.deepEqual(await ids(`itemID=${enc('>=,249')}`), ['249', '250']);
  assert.deepEqual(await ids(`itemID=${enc('<,3')}`), ['1', '2']);
  assert.deepEqual(await ids(`itemID=${enc('><,10,12')}`), ['10', '11', '12']);
  assert.deepEqual(await h.json(`Item.json?count=1&itemID=${enc('!=,1')}`), { '@attributes': { count: '249' } });
  assert.deepEqual(await ids('itemID=7'), ['7']);
  assert.deepEqual(await ids(`customSku=${enc('~,SKU-0012%')}`), Array.from({ length: 10 }, (_, i) => String(120 + i)));
  assert.deepEqual(await h.json(`Item.json?count=1&customSku=${enc('!~,SKU-001%')}`), { '@attributes': { count: '150' } });
  // The separator is a raw |; a %7C is a literal pipe inside one operand.
  assert.deepEqual(await ids(`or=${enc('itemID=3')}|${enc('itemID=4')}`), ['3', '4']);
  assert.equal((await h.api(`or=${enc('itemID=3|itemID=4')}`.replace(/^/, 'Item.json?'))).status, 400, '%7C does not split: "3|itemID=4" is one value');
  await h.json('Item/6.json', { method: 'PUT', body: { description: 'Red|Blue Scarf' } });
  assert.deepEqual(await ids(`or=${enc('description=Red|Blue Scarf')}|${enc('itemID=4')}`), ['4', '6'], 'a literal pipe in a value');
  const paged: J = await h.json(`Item.json?limit=1&or=${enc('itemID=3')}|${enc('itemID=4')}`);
  assert.deepEqual([paged.Item.itemID, (await h.json<J>(paged['@attributes'].next)).Item.itemID], ['3', '4'], 'next URLs keep the raw pipes');
  const first: J = (await h.json<J>('Item/1.json')).Item;
  assert.deepEqual(await ids(`systemSku=${first.systemSku}`), ['1']);
  assert.deepEqual(await ids(`upc=${first.upc}`), ['1']);
  assert.equal((await h.api('Item.json?colour=blue')).status, 400, 'unknown search fields are refused');
  assert.equal((await h.api(`Item.json?itemID=${enc('>,abc')}`)).status, 400);

  await h.json('Item/2.json', { method: 'PUT', body: { archived: true } });
  assert.ok(!(await ids(`itemID=${enc('<,4')}`)).includes('2'), 'archived items are hidden by default');
  assert.deepEqual(await ids('archived=only'), ['2']);
  assert.ok((await ids(`archived=true&itemID=${enc('<,4')}`)).includes('2'));

  await postJson(`${h.sim.url}/__sim/stock`, { item: '5', location: '1', quantity: 500 });
  assert.deepEqual(await ids(`load_relations=${rel}&${enc('ItemShops.qoh')}=${enc('>=,500')}`), ['5']);
  assert.equal((await h.api(`Item.json?${enc('ItemShops.qoh')}=${enc('>=,500')}`)).status, 400, 'relation search needs the relation loaded');
});

test('incremental read: stock moves change ItemShop.timeStamp, never Item.timeStamp', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const before: J = (await h.json<J>('Item/1.json')).Item;
  h.clock.advance(60_000);
  const since = new Date(h.clock.now()).toISOString().replace('.000Z', '+00:00');
  const enc = encodeURIComponent;
  assert.deepEqual(await h.json(`ItemShop.json?timeStamp=${enc(`>=,${since}`)}`), { '@attributes': { next: '', previous: '' } });

  await postJson(`${h.sim.url}/__sim/stock`, { item: '1', location: '2', delta: -1 });
  const changed: J = await h.json(`ItemShop.json?sort=timeStamp&timeStamp=${enc(`>=,${since}`)}`);
  const rows = [changed.ItemShop].flat();
  assert.deepEqual(rows.map((r: J) => [r.itemID, r.shopID, r.qoh]).sort(), [['1', '0', '13'], ['1', '2', '3']]);
  assert.equal(rows[0].timeStamp, since);
  // The same filter with a raw "+" (decoded as a space by query parsers) still reads as an offset.
  const raw: J = await h.json(`ItemShop.json?timeStamp=>=,${since}`);
  assert.equal([raw.ItemShop].flat().length, 2);

  const item: J = (await h.json<J>('Item/1.json')).Item;
  assert.equal(item.timeStamp, before.timeStamp, 'Item.timeStamp does not move with stock');
  assert.deepEqual(await h.json(`Item.json?timeStamp=${enc(`>=,${since}`)}`), { '@attributes': { next: '', previous: '' } });

  const filtered: J = await h.json('ItemShop.json?shopID=2&itemID=1');
  assert.equal(filtered.ItemShop.qoh, '3');
  assert.equal((await h.json<J>(`ItemShop/${filtered.ItemShop.itemShopID}.json`)).ItemShop.qoh, '3');
});

test('reference lists: Account, Shop, Register, Employee, PaymentType', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const account: J = await h.json('/API/V3/Account.json');
  assert.deepEqual(account['@attributes'], { count: '1' });
  assert.equal(account.Account.accountID, h.accountID);
  const shops: J = await h.json('Shop.json');
  assert.deepEqual(shops.Shop.map((s: J) => s.shopID), ['1', '2']);
  const registers: J = await h.json('Register.json?shopID=2');
  assert.equal(registers.Register.shopID, '2');
  assert.ok([(await h.json<J>('Employee.json')).Employee].flat().length >= 1);
  const types: J = await h.json('PaymentType.json');
  assert.ok(types.PaymentType.some((p: J) => p.paymentTypeID === '3' && p.name === 'Credit Card'));
  const c = h.sim.credentials() as J;
  assert.deepEqual(Object.keys(c).filter((k) => ['accountID', 'clientId', 'clientSecret', 'refreshToken', 'accessToken', 'accessTokenExpiresAt', 'shopIds', 'employeeID', 'registerID', 'paymentTypeID'].includes(k)).length, 10);
  assert.deepEqual(c.shopIds, ['1', '2']);
});
