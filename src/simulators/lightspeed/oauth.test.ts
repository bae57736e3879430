import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, postForm, postJson, postMultipart } from '../../../test/support/lightspeed-simulator.ts';

type J = any;

const EXPIRED = {
  error: 'access_denied',
  error_description: 'The resource owner or authorization server denied the request.',
  hint: 'Access token could not be verified',
};

async function creds(h: Awaited<ReturnType<typeof harness>>) {
  return h.sim.credentials() as { clientId: string; clientSecret: string; refreshToken: string; accessToken: string; tokenUrl: string };
}

test('refresh rotates; the old refresh token works until the new access token is used, then invalid_grant', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const c = await creds(h);
  const body = (refresh: string) => ({ grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: refresh });

  const first = await postJson(c.tokenUrl, body(c.refreshToken));
  assert.equal(first.status, 200);
  const a: J = await first.json();
  assert.deepEqual(Object.keys(a).sort(), ['access_token', 'expires_in', 'refresh_token', 'token_type']);
  assert.equal(a.token_type, 'Bearer');
  assert.equal(a.expires_in, 1800);
  assert.notEqual(a.refresh_token, c.refreshToken, 'refresh rotates the refresh token');
  assert.equal(JSON.parse(Buffer.from(a.access_token.split('.')[1], 'base64url').toString()).acct, h.accountID, 'the JWT carries acct');

  // The answer may have been lost: the old refresh token still works as long as no new access token was used.
  const retry = await postJson(c.tokenUrl, body(c.refreshToken));
  assert.equal(retry.status, 200);
  const b: J = await retry.json();
  assert.notEqual(b.access_token, a.access_token);

  assert.equal((await h.api('Shop.json', { token: b.access_token })).status, 200, 'first use of the new access token');
  const reused = await postJson(c.tokenUrl, body(c.refreshToken));
  assert.equal(reused.status, 400);
  const error: J = await reused.json();
  assert.equal(error.error, 'invalid_grant');
  assert.equal(error.hint, 'Token has been revoked');

  const next = await postJson(c.tokenUrl, body(b.refresh_token));
  assert.equal(next.status, 200, 'the rotated refresh token works');
  assert.equal(h.sim.refreshCount(), 3);
  const admin: J = await (await fetch(`${h.sim.url}/__sim/oauth`)).json();
  assert.equal(admin.refreshCount, 3);
  assert.equal(admin.refreshAttempts, 4);
  assert.equal((h.sim.credentials() as J).refreshCount, 3);
});

test('token bodies: JSON, url-encoded and multipart are all accepted', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const c = await creds(h);
  const fields = (refresh: string) => ({ grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: refresh });
  const form: J = await (await postForm(c.tokenUrl, fields(c.refreshToken))).json();
  assert.equal(form.token_type, 'Bearer');
  const multi = await postMultipart(c.tokenUrl, fields(form.refresh_token));
  assert.equal(multi.status, 200);
  const m: J = await multi.json();
  assert.ok(m.access_token && m.refresh_token);
  assert.equal((await h.api('Shop.json', { token: m.access_token })).status, 200);
  // Client credentials in HTTP Basic also work (some OAuth libraries send them that way).
  const basic = await fetch(c.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${c.clientId}:${c.clientSecret}`).toString('base64')}` },
    body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: m.refresh_token }).toString(),
  });
  assert.equal(basic.status, 200);
});

test('token errors: missing → invalid_request, unknown → invalid_grant, wrong secret → 401 invalid_client', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const c = await creds(h);
  const missing = await postJson(c.tokenUrl, { grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret });
  assert.equal(missing.status, 400);
  assert.equal(((await missing.json()) as J).error, 'invalid_request');
  const unknown = await postJson(c.tokenUrl, { grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: 'nope' });
  assert.equal(unknown.status, 400);
  assert.equal(((await unknown.json()) as J).error, 'invalid_grant');
  const secret = await postJson(c.tokenUrl, { grant_type: 'refresh_token', client_id: c.clientId, client_secret: 'wrong', refresh_token: c.refreshToken });
  assert.equal(secret.status, 401);
  assert.equal(((await secret.json()) as J).error, 'invalid_client');
  const grant = await postJson(c.tokenUrl, { grant_type: 'password', client_id: c.clientId, client_secret: c.clientSecret });
  assert.equal(((await grant.json()) as J).error, 'unsupported_grant_type');
  assert.equal(h.sim.refreshCount(), 0, 'failed attempts are not refreshes');
});

test('access tokens expire after expires_in on the simulator clock, with the exact 401 body', async (t) => {
  const h = await harness({ switches: { tokenTtlSeconds: '60' } });
  t.after(() => h.sim.close());
  const c = await creds(h);
  const fresh: J = await (await postJson(c.tokenUrl, { grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: c.refreshToken })).json();
  assert.equal(fresh.expires_in, 60);
  h.clock.advance(59_999);
  assert.equal((await h.api('Item.json', { token: fresh.access_token })).status, 200);
  h.clock.advance(1);
  const expired = await h.api('Item.json', { token: fresh.access_token });
  assert.equal(expired.status, 401);
  assert.deepEqual(await expired.json(), EXPIRED);
  const unknown = await h.api('Item.json', { token: 'not-a-token' });
  assert.equal(unknown.status, 401);
  assert.deepEqual(await unknown.json(), EXPIRED);
  assert.equal(unknown.headers.get('x-ls-api-bucket-level'), null, 'auth failures are answered before the bucket');
  const none = await fetch(`${h.sim.url}/API/V3/Account.json`);
  assert.equal(none.status, 401);
  assert.equal(((await none.json()) as J).error, 'access_denied');
  const other = await h.api(`/API/V3/Account/999/Item.json`, { token: fresh.access_token });
  assert.equal(other.status, 401);
});

test('legacy access_token.php: no rotation, scope included', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const c = await creds(h);
  const url = `${h.sim.url}/oauth/access_token.php`;
  const body = { grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: c.refreshToken };
  const a: J = await (await postJson(url, body)).json();
  assert.equal(a.refresh_token, c.refreshToken);
  assert.equal(a.token_type, 'bearer');
  assert.match(a.scope, /^employee:all systemuserid:/);
  assert.equal((await h.api('Shop.json', { token: a.access_token })).status, 200);
  assert.equal((await postJson(url, body)).status, 200, 'the same refresh token keeps working');
});

test('refreshing more than refreshLimitPerMinute times a minute is refused until the minute passes; reset restores tokens', async (t) => {
  const h = await harness({ switches: { refreshLimitPerMinute: '2' } });
  t.after(() => h.sim.close());
  const c = await creds(h);
  const body = { grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: c.refreshToken };
  assert.equal((await postJson(c.tokenUrl, body)).status, 200);
  assert.equal((await postJson(c.tokenUrl, body)).status, 200);
  const limited = await postJson(c.tokenUrl, body);
  assert.equal(limited.status, 429);
  assert.equal(limited.headers.get('retry-after'), '60');
  h.clock.advance(60_000);
  assert.equal((await postJson(c.tokenUrl, body)).status, 200);

  const rotated = h.sim.credentials() as J;
  assert.notEqual(rotated.refreshToken, c.refreshToken, 'credentials() hands out the newest tokens');
  await postJson(`${h.sim.url}/__sim/reset`, {});
  const after = h.sim.credentials() as J;
  assert.equal(after.refreshToken, c.refreshToken, 'reset restores the seeded refresh token');
  assert.equal(h.sim.refreshCount(), 0);
  assert.equal((await h.api('Shop.json', { token: after.accessToken })).status, 200);
});

test('using the newest access token revokes the whole chain it was rotated from', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const c = await creds(h);
  const refresh = async (token: string) =>
    postJson(c.tokenUrl, { grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: token });
  const one: J = await (await refresh(c.refreshToken)).json();
  const two: J = await (await refresh(one.refresh_token)).json();
  assert.equal((await h.api('Shop.json', { token: two.access_token })).status, 200);
  assert.equal((await refresh(one.refresh_token)).status, 400);
  assert.equal((await refresh(c.refreshToken)).status, 400);
  assert.equal((await h.api('Shop.json', { token: one.access_token })).status, 200, 'earlier access tokens live until they expire');
  assert.equal((await refresh(two.refresh_token)).status, 200);
});

test('a forked refresh: once one branch uses its access token, the other branch is dead (one pair per connection)', async (t) => {
  const h = await harness();
  t.after(() => h.sim.close());
  const c = await creds(h);
  const body = (refresh: string) => ({ grant_type: 'refresh_token', client_id: c.clientId, client_secret: c.clientSecret, refresh_token: refresh });
  // Two processes each refresh the same token: both get a pair.
  const a: J = await (await postJson(c.tokenUrl, body(c.refreshToken))).json();
  const b: J = await (await postJson(c.tokenUrl, body(c.refreshToken))).json();
  assert.equal((await h.api('Shop.json', { token: a.access_token })).status, 200, 'branch a is used first and wins');

  const refused = await h.api('Shop.json', { token: b.access_token });
  assert.equal(refused.status, 401);
  assert.equal(((await refused.json()) as J).hint, 'Access token has been revoked');
  const lost = await postJson(c.tokenUrl, body(b.refresh_token));
  assert.equal(lost.status, 400);
  assert.equal(((await lost.json()) as J).error, 'invalid_grant');

  assert.equal((await postJson(c.tokenUrl, body(a.refresh_token))).status, 200, 'the winning branch goes on');
});
