import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StockCount } from '../contract.ts';
import { PosAuthError } from '../errors.ts';
import { MemoryTokenStore } from '../token-store.ts';
import { startRig } from '../../../test/support/lightspeed-adapter.ts';

const TTL_MS = 1800 * 1000;

async function collect(pages: AsyncGenerator<StockCount[]>, between?: (page: number) => void): Promise<StockCount[]> {
  const all: StockCount[] = [];
  let n = 0;
  for await (const page of pages) {
    all.push(...page);
    between?.(++n);
  }
  return all;
}

test('a token expiring between pages is refreshed once (before expiry) and the read completes', async (t) => {
  const rig = await startRig({ items: 350 });
  t.after(() => rig.close());
  const counts = await collect(rig.adapter.readCounts(), (page) => {
    if (page === 1) rig.clock.advance(TTL_MS);
  });
  assert.equal(counts.length, rig.seed.items.filter((i) => i.stock[rig.connection.shopId] !== undefined).length, 'every counted item');
  assert.equal(rig.sim.refreshCount(), 2, 'one refresh at start (no access token in the config), one mid-run');
  assert.deepEqual(rig.sim.kit.stats.snapshot().endpoints['GET /API/V3/Account/:accountID/ItemShop.json']?.statuses, { '200': 4 }, 'no request was sent with a dead token');
  const stored = await rig.tokenStore.load(rig.connection.accountId);
  assert.equal(stored?.refreshToken, (rig.sim.credentials() as { refreshToken: string }).refreshToken, 'the newest refresh token is stored');
});

test('a token refused with 401 mid-run is refreshed once and the request re-sent', async (t) => {
  const rig = await startRig({ items: 350 });
  t.after(() => rig.close());
  // A config access token has no known expiry, so only the 401 tells the adapter it died.
  const creds = rig.sim.credentials() as { accessToken: string };
  const adapter = rig.newAdapter({ accessToken: creds.accessToken });
  const counts = await collect(adapter.readCounts(), (page) => {
    if (page === 2) rig.clock.advance(TTL_MS);
  });
  assert.ok(counts.length > 300);
  assert.equal(rig.sim.refreshCount(), 1);
  assert.equal(adapter.refreshCount(), 1);
  const statuses = rig.sim.kit.stats.snapshot().endpoints['GET /API/V3/Account/:accountID/ItemShop.json']?.statuses;
  assert.deepEqual(statuses, { '200': 4, '401': 1 });
  assert.equal((await rig.tokenStore.load(rig.connection.accountId))?.refreshToken, (rig.sim.credentials() as { refreshToken: string }).refreshToken);
});

test('20 concurrent calls with an expired token share one refresh', async (t) => {
  const rig = await startRig({ items: 20 });
  t.after(() => rig.close());
  await rig.adapter.getItems(['1']);
  assert.equal(rig.sim.refreshCount(), 1);
  rig.clock.advance(TTL_MS);
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => rig.adapter.getItems([String(i + 1)])));
  assert.equal(results.flat().length, 20);
  assert.equal(rig.sim.refreshCount(), 2, 'exactly one more refresh');

  // Same through the 401 path: 20 requests refused at once still make one refresh.
  const creds = rig.sim.credentials() as { accessToken: string; refreshToken: string };
  const other = rig.newAdapter({ accessToken: creds.accessToken, refreshToken: creds.refreshToken }, new MemoryTokenStore());
  rig.clock.advance(TTL_MS);
  const again = await Promise.all(Array.from({ length: 20 }, (_, i) => other.getItems([String(i + 1)])));
  assert.equal(again.flat().length, 20);
  assert.equal(rig.sim.refreshCount(), 3);
  assert.equal(other.refreshCount(), 1);
});

test('a stored token state wins over the config; the config token alone is used only when nothing is stored', async (t) => {
  const rig = await startRig({ items: 5 });
  t.after(() => rig.close());
  const configToken = rig.connection.refreshToken;
  await rig.adapter.getItems(['1']); // rotates: the config's refresh token is revoked once the new access token is used
  assert.equal(rig.tokenStore.saves, 1);
  assert.notEqual((await rig.tokenStore.load(rig.connection.accountId))?.refreshToken, configToken);

  // A restart with the same (now stale) config and the same store: no refresh needed, it just works.
  const restarted = rig.newAdapter();
  assert.equal((await restarted.getItems(['2'])).length, 1);
  assert.equal(rig.sim.refreshCount(), 1);

  // Once the stored access token is near expiry, the *stored* refresh token is used.
  rig.clock.advance(TTL_MS - 30_000);
  assert.equal((await restarted.getItems(['3'])).length, 1);
  assert.equal(rig.sim.refreshCount(), 2);
  assert.equal(rig.tokenStore.saves, 2);
});

test('invalid_grant is a PosAuthError asking to re-authorise, without secrets', async (t) => {
  const rig = await startRig({ items: 5 });
  t.after(() => rig.close());
  await rig.adapter.getItems(['1']); // revokes the config's refresh token
  const lost = rig.newAdapter({}, new MemoryTokenStore()); // the stored state is gone: only the revoked one is left
  await assert.rejects(lost.getItems(['1']), (error: unknown) => {
    assert.ok(error instanceof PosAuthError, String(error));
    assert.match(error.message, /invalid_grant/);
    assert.match(error.message, /re-authorise/);
    for (const secret of [rig.connection.refreshToken, rig.connection.clientSecret, (rig.sim.credentials() as { accessToken: string }).accessToken]) {
      assert.ok(!error.message.includes(secret), 'no secret in the message');
    }
    assert.doesNotMatch(error.message, /Bearer/i);
    return true;
  });

  const badClient = rig.newAdapter({ clientSecret: 'not-the-secret-123' }, new MemoryTokenStore());
  await assert.rejects(badClient.getItems(['1']), (error: unknown) => error instanceof PosAuthError && /invalid_client/.test(error.message) && !error.message.includes('not-the-secret-123'));
});

test('a token saved by another process is adopted when ours was rotated away', async (t) => {
  const rig = await startRig({ items: 5 });
  t.after(() => rig.close());
  const shared = new MemoryTokenStore();
  const first = rig.newAdapter({}, shared);
  const second = rig.newAdapter({}, shared);
  await first.getItems(['1']);
  await second.getItems(['1']); // loads the state the first one stored
  rig.clock.advance(TTL_MS);
  await first.getItems(['1']); // rotates again; second still holds the older, now revoked, refresh token
  await first.getItems(['2']);
  assert.equal((await second.getItems(['3'])).length, 1, 'second recovers through the store');
});
