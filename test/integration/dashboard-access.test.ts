/**
 * Who may use the dashboard (inject tests against the real service on PostgreSQL): loopback only
 * without keys, a login and an HttpOnly SameSite=Strict session with keys, every action refused
 * from another site or without the form's token, none at all in read-only mode, and each action
 * journaled "from the dashboard".
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.ts';
import type { RunningPossync } from '../../src/main.ts';
import { ACCOUNTS } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { possyncOnPostgres, type PossyncOnPostgres } from '../support/postgres-service.ts';

const KEY = 'dashboard-test-key-0123456789';
const HOST = '127.0.0.1:5000';
const SAME_ORIGIN = { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin', host: HOST };

let running: PossyncOnPostgres | undefined;
let possync: RunningPossync;
let open: FastifyInstance;

before(async () => {
  running = await possyncOnPostgres();
  possync = running.possync;
  open = possync.api!;
  await possync.service.items.registerNow({ accountId: ACCOUNTS.square, ecommerceId: '1001', itemPosId: 'VARIATION000000000000001' });
});

after(async () => {
  await running?.close();
});

async function withKeys(readOnly = false): Promise<FastifyInstance> {
  const app = await buildApi(possync.service, { apiKeys: [KEY], version: 'test', dashboard: { ...possync.dashboard, readOnly } });
  await app.ready();
  return app;
}

function csrfOf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  assert.ok(match, 'the page carries a CSRF token');
  return match[1]!;
}

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

async function actionsJournaled(): Promise<Array<{ action: string; reason: string; actor: string }>> {
  const { rows } = await possync.core.sql.query<{ action: string; reason: string; actor: string }>('select action, reason, actor from dashboard_actions order by id');
  return rows;
}

test('without keys: loopback addresses see every page, any other address is refused', async () => {
  for (const remoteAddress of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) {
    const res = await open.inject({ method: 'GET', url: '/hangfire', remoteAddress });
    assert.equal(res.statusCode, 200, remoteAddress);
    assert.match(res.body, /<h1>Overview<\/h1>/);
  }
  for (const remoteAddress of ['10.1.2.3', '192.168.1.20', '::ffff:10.0.0.1', '2001:db8::1']) {
    for (const url of ['/hangfire', '/hangfire/items/1001', '/hangfire/jobs', '/hangfire/assets/dashboard.css', '/hangfire/login']) {
      const res = await open.inject({ method: 'GET', url, remoteAddress });
      assert.equal(res.statusCode, 403, `${remoteAddress} ${url}`);
      assert.match(res.body, /only requests from this machine/);
    }
    const post = await open.inject({ method: 'POST', url: `/hangfire/recurring/${encodeURIComponent(ACCOUNTS.square)}/trigger`, remoteAddress, headers: { ...FORM, ...SAME_ORIGIN }, payload: form({}) });
    assert.equal(post.statusCode, 403);
  }
});

test('the /dashboard alias leads to /hangfire', async () => {
  const res = await open.inject({ method: 'GET', url: '/dashboard/items?q=1001', remoteAddress: '127.0.0.1' });
  assert.equal(res.statusCode, 308);
  assert.equal(res.headers.location, '/hangfire/items?q=1001');
  assert.equal((await open.inject({ method: 'GET', url: '/dashboard', remoteAddress: '127.0.0.1' })).headers.location, '/hangfire');
});

test('a cross-site POST, or one without the page\'s token, is refused and changes nothing', async () => {
  const page = await open.inject({ method: 'GET', url: '/hangfire/recurring', remoteAddress: '127.0.0.1' });
  const token = csrfOf(page.body);
  const url = `/hangfire/recurring/${encodeURIComponent(ACCOUNTS.square)}/trigger`;
  const before = (await actionsJournaled()).length;
  const refused = [
    { ...SAME_ORIGIN, origin: 'http://evil.example' },
    { ...SAME_ORIGIN, 'sec-fetch-site': 'cross-site' },
    { ...SAME_ORIGIN, 'sec-fetch-site': 'same-site', origin: `http://${HOST}` },
    { host: HOST, referer: 'http://evil.example/page' },
    { host: HOST, origin: 'null' },
    { host: HOST, origin: 'http://127.0.0.1:5001' },
  ];
  for (const headers of refused) {
    const res = await open.inject({ method: 'POST', url, remoteAddress: '127.0.0.1', headers: { ...FORM, ...headers }, payload: form({ _csrf: token }) });
    assert.equal(res.statusCode, 403, JSON.stringify(headers));
    assert.match(res.body, /another site/);
  }
  for (const payload of [form({}), form({ _csrf: 'x'.repeat(token.length) })]) {
    const res = await open.inject({ method: 'POST', url, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload });
    assert.equal(res.statusCode, 403);
    assert.match(res.body, /security token/);
  }
  assert.equal((await actionsJournaled()).length, before, 'nothing was done');

  const ok = await open.inject({ method: 'POST', url, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ _csrf: token }) });
  assert.equal(ok.statusCode, 303, ok.body);
  const journal = await actionsJournaled();
  assert.deepEqual(journal.at(-1), { action: 'trigger', reason: 'from the dashboard', actor: 'loopback' });
});

test('with keys: sign in once, then an HttpOnly SameSite=Strict session; actions still need the token', async (t) => {
  const app = await withKeys();
  t.after(() => app.close());
  // From anywhere, without a session: to the login page, and no action.
  const anonymous = await app.inject({ method: 'GET', url: '/hangfire/sales', remoteAddress: '10.1.2.3' });
  assert.equal(anonymous.statusCode, 303);
  assert.equal(anonymous.headers.location, '/hangfire/login?next=%2Fhangfire%2Fsales');
  const anonymousPost = await app.inject({ method: 'POST', url: '/hangfire/recurring/pause', remoteAddress: '10.1.2.3', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({}) });
  assert.equal(anonymousPost.statusCode, 401);
  assert.equal((await app.inject({ method: 'GET', url: '/hangfire/login', remoteAddress: '10.1.2.3' })).statusCode, 200);

  const wrong = await app.inject({ method: 'POST', url: '/hangfire/login', remoteAddress: '10.1.2.3', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ key: 'not-the-key', next: '/hangfire/sales' }) });
  assert.equal(wrong.statusCode, 401);
  assert.equal(wrong.headers['set-cookie'], undefined);
  const crossSiteLogin = await app.inject({ method: 'POST', url: '/hangfire/login', remoteAddress: '10.1.2.3', headers: { ...FORM, ...SAME_ORIGIN, origin: 'http://evil.example' }, payload: form({ key: KEY }) });
  assert.equal(crossSiteLogin.statusCode, 403);

  const login = await app.inject({ method: 'POST', url: '/hangfire/login', remoteAddress: '10.1.2.3', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ key: KEY, next: '/hangfire/sales' }) });
  assert.equal(login.statusCode, 303);
  assert.equal(login.headers.location, '/hangfire/sales');
  const setCookie = String(login.headers['set-cookie']);
  assert.match(setCookie, /^possync_dashboard=[\w-]{40,};/);
  assert.match(setCookie, /HttpOnly/);
  assert.match(setCookie, /SameSite=Strict/);
  assert.doesNotMatch(setCookie, new RegExp(KEY), 'the cookie is not the key');
  const cookie = setCookie.split(';')[0]!;

  const page = await app.inject({ method: 'GET', url: '/hangfire/recurring', remoteAddress: '10.1.2.3', headers: { cookie } });
  assert.equal(page.statusCode, 200);
  const token = csrfOf(page.body);
  const url = `/hangfire/recurring/${encodeURIComponent(ACCOUNTS.hiboutik)}/trigger`;
  const noToken = await app.inject({ method: 'POST', url, remoteAddress: '10.1.2.3', headers: { ...FORM, ...SAME_ORIGIN, cookie }, payload: form({}) });
  assert.equal(noToken.statusCode, 403);
  const crossSite = await app.inject({ method: 'POST', url, remoteAddress: '10.1.2.3', headers: { ...FORM, ...SAME_ORIGIN, origin: 'http://evil.example', cookie }, payload: form({ _csrf: token }) });
  assert.equal(crossSite.statusCode, 403);
  const ok = await app.inject({ method: 'POST', url, remoteAddress: '10.1.2.3', headers: { ...FORM, ...SAME_ORIGIN, cookie }, payload: form({ _csrf: token }) });
  assert.equal(ok.statusCode, 303, ok.body);
  const last = (await actionsJournaled()).at(-1)!;
  assert.equal(last.reason, 'from the dashboard');
  assert.match(last.actor, /^session /);

  // A stolen token is no use without the session, and signing out ends the session.
  const out = await app.inject({ method: 'POST', url: '/hangfire/logout', remoteAddress: '10.1.2.3', headers: { ...FORM, ...SAME_ORIGIN, cookie }, payload: form({ _csrf: token }) });
  assert.equal(out.statusCode, 303);
  assert.equal((await app.inject({ method: 'GET', url: '/hangfire/recurring', remoteAddress: '10.1.2.3', headers: { cookie } })).statusCode, 303);
});

test('read-only: pages show no action and every action is refused', async (t) => {
  const app = await withKeys(true);
  t.after(() => app.close());
  const running = (await possync.service.synchronizer.status()).running;
  const login = await app.inject({ method: 'POST', url: '/hangfire/login', remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ key: KEY }) });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const page = await app.inject({ method: 'GET', url: '/hangfire/recurring', remoteAddress: '127.0.0.1', headers: { cookie } });
  assert.equal(page.statusCode, 200);
  assert.doesNotMatch(page.body, /Trigger now|Save schedule|Pause all polls/);
  assert.match(page.body, /read-only/);
  const token = csrfOf(page.body);
  const before = (await actionsJournaled()).length;
  const res = await app.inject({ method: 'POST', url: '/hangfire/recurring/pause', remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN, cookie }, payload: form({ _csrf: token }) });
  assert.equal(res.statusCode, 403);
  assert.match(res.body, /read-only/);
  assert.equal((await actionsJournaled()).length, before);
  assert.equal((await possync.service.synchronizer.status()).running, running, 'the synchronizer was not paused');
});

test('a cron change is validated as the API does, and journaled', async () => {
  const page = await open.inject({ method: 'GET', url: '/hangfire/recurring', remoteAddress: '127.0.0.1' });
  const token = csrfOf(page.body);
  const post = (cron: string) => open.inject({ method: 'POST', url: '/hangfire/recurring/cron', remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ _csrf: token, cron, time_zone: 'UTC' }) });
  const bad = await post('61 * * * *');
  const api = await open.inject({ method: 'POST', url: '/api/synchronizer/start', payload: { cron: '61 * * * *' } });
  assert.equal(bad.statusCode, 400);
  assert.equal(api.statusCode, 400);
  assert.ok(bad.body.includes(api.json().message.replace(/"/g, '&quot;')), `the dashboard says what the API says: ${api.json().message}`);
  const good = await post('*/10 * * * *');
  assert.equal(good.statusCode, 303);
  const status = await possync.service.synchronizer.status();
  assert.equal(status.cron, '*/10 * * * *');
  assert.equal(status.running, true);
  assert.deepEqual((await actionsJournaled()).at(-1), { action: 'cron', reason: 'from the dashboard', actor: 'loopback' });
  await waitUntil('the schedule stored for every account', async () => {
    const { rows } = await possync.core.sql.query<{ cron: string }>('select cron from pgboss.schedule');
    return rows.length === 3 && rows.every((r) => r.cron === '*/10 * * * *');
  });
});

test('an incomplete sale: its page names what the POS holds; Cancel is offered only as "removed from the POS", and refused without it', async () => {
  // A sale Square refuses ends failed; it is then made incomplete (as a Hiboutik close refusal
  // leaves one) to see the page and the actions, not the dispatcher (sale-refusals.test.ts).
  running!.sims.square.kit.faults.add({ endpoint: 'POST /v2/inventory/changes/batch-create', kind: 'error', status: 400, count: 1 });
  const accepted = await possync.service.sales.accept({ ecommerceId: '1001', quantity: 1, amountCents: 100 });
  assert.equal(accepted.outcome, 'accepted');
  const id = accepted.outcome === 'accepted' ? accepted.sale.id : '';
  await waitUntil('the sale failed', async () => (await possync.service.sales.get(id))?.state === 'failed');
  await possync.core.sql.query(`update sales set state = 'incomplete', pos_reference = 'HB-77' where id = $1`, [id]);

  const url = `/hangfire/sales/${encodeURIComponent(id)}`;
  const page = await open.inject({ method: 'GET', url, remoteAddress: '127.0.0.1' });
  assert.equal(page.statusCode, 200);
  assert.match(page.body, /The POS holds this sale as <code>HB-77<\/code>/);
  assert.match(page.body, />Retry</);
  assert.match(page.body, /name="removed_from_pos" value="true"[^]*Cancel \(removed from the POS\)/);
  assert.doesNotMatch(page.body, />Cancel sale</);
  const token = csrfOf(page.body);
  const post = (fields: Record<string, string>) =>
    open.inject({ method: 'POST', url: `${url}/cancel`, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ _csrf: token, ...fields }) });
  assert.equal((await post({})).statusCode, 409, 'a plain cancel is refused');
  assert.equal((await possync.service.sales.get(id))?.state, 'incomplete');
  const done = await post({ removed_from_pos: 'true' });
  assert.equal(done.statusCode, 303, done.body);
  assert.equal((await possync.service.sales.get(id))?.state, 'cancelled');
});
