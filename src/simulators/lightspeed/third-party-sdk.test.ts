import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLightspeedSimulator } from './index.ts';

/**
 * The simulator checked against someone else's reading of the API: `lightspeed-retail-sdk`
 * (npm, written independently of possync) refreshes a token, pages items by @attributes.next,
 * posts a completed sale and finds it again by referenceNumber.
 *
 * The SDK has no base-URL option: its hosts are static fields of its core class
 * (LightspeedSDKCore.BASE_URL / TOKEN_URL), read in the constructor, so the test points them at
 * the simulator before constructing and puts them back after. Its cross-process refresh lock is a
 * file in os.tmpdir(), fixed at import, so the SDK is imported with TMPDIR set to a private folder.
 * It runs on the real clock: the SDK sleeps for real between requests when the bucket is low.
 */
test('lightspeed-retail-sdk: token refresh, item pages, a completed sale, the reference lookup', async (t) => {
  const tmp = mkdtempSync(join(tmpdir(), 'possync-ls-sdk-'));
  const tmpBefore = process.env.TMPDIR;
  process.env.TMPDIR = tmp;
  // @ts-expect-error the package ships no type declarations
  const { default: LightspeedRetailSDK, InMemoryTokenStorage } = (await import('lightspeed-retail-sdk')) as { default: new (options: Record<string, unknown>) => any; InMemoryTokenStorage: new () => any };
  if (tmpBefore === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = tmpBefore;
  t.after(() => rmSync(tmp, { recursive: true, force: true }));

  const sim = await startLightspeedSimulator({ items: 250, locations: 2, randomSeed: 7 });
  t.after(() => sim.close());
  const c = sim.credentials() as Record<string, string> & { shopIds: string[] };
  const core = Object.getPrototypeOf(LightspeedRetailSDK) as { BASE_URL: string; TOKEN_URL: string };
  const hosts = { base: core.BASE_URL, token: core.TOKEN_URL };
  core.BASE_URL = `${sim.url}/API/V3/Account`;
  core.TOKEN_URL = c.tokenUrl!;
  t.after(() => {
    core.BASE_URL = hosts.base;
    core.TOKEN_URL = hosts.token;
  });
  const storage = new InMemoryTokenStorage();
  const sdk = new LightspeedRetailSDK({ accountID: c.accountID, clientID: c.clientId, clientSecret: c.clientSecret, refreshToken: c.refreshToken, tokenStorage: storage });

  // Token refresh (JSON body, rotated refresh token stored by the SDK).
  const refreshesBefore = sim.refreshCount();
  const items = (await sdk.getItems({ relations: ['ItemShops'] })) as Array<Record<string, any>>;
  assert.equal(sim.refreshCount() - refreshesBefore, 1, 'one refresh for every call that followed');
  const stored = (await storage.getTokens()) as { refresh_token?: string; access_token?: string };
  assert.equal(stored.refresh_token, sim.tokens.latest().refreshToken, 'the rotated refresh token is the one the SDK kept');

  // Item pages: 250 items = 3 pages of ≤ 100, followed through @attributes.next.
  assert.equal(items.length, 250);
  assert.deepEqual(items.map((i) => i.itemID), [...sim.store.items.keys()].sort((a, b) => Number(a) - Number(b)));
  assert.equal(sim.kit.stats.requestsTo('GET /API/V3/Account/:accountID/Item.json'), 3);
  const shop = c.shopIds[0]!;
  const first = items.find((i) => sim.store.qoh(i.itemID, shop) !== null && sim.store.qoh(i.itemID, shop)! >= 2)!;
  const rows = [first.ItemShops.ItemShop].flat() as Array<{ shopID: string; qoh: string }>;
  assert.equal(rows.find((r) => r.shopID === shop)?.qoh, String(sim.store.qoh(first.itemID, shop)), 'every scalar a string, shop rows picked by shopID');

  // A completed sale that balances, then the lookup by referenceNumber a re-post would make.
  const before = sim.store.qoh(first.itemID, shop)!;
  const price = '12.50';
  const posted = (await sdk.postSale({
    employeeID: c.employeeID,
    registerID: c.registerID,
    shopID: shop,
    completed: true,
    referenceNumber: 'sdk-order-1',
    referenceNumberSource: 'possync-test',
    SaleLines: { SaleLine: [{ itemID: first.itemID, unitQuantity: 2, unitPrice: price, tax: false }] },
    SalePayments: { SalePayment: { amount: '25.00', paymentTypeID: c.paymentTypeID } },
  })) as { Sale: Record<string, any> };
  assert.equal(posted.Sale.completed, 'true');
  assert.equal(sim.store.qoh(first.itemID, shop), before - 2);
  const found = (await sdk.getSales({ referenceNumber: 'sdk-order-1' })) as Array<Record<string, any>>;
  assert.deepEqual(found.map((s) => s.saleID), [posted.Sale.saleID]);
  assert.deepEqual(await sdk.getSales({ referenceNumber: 'no-such-order' }), []);
});
