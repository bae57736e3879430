/**
 * The dashboard's Held runs (issue 12), inject tests against the real service on PostgreSQL and
 * the Square simulator: a held run's plan with Apply / Discard, Revert on an applied run, Resume
 * of a paused account; none of it in read-only mode, and each action journaled.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApi } from '../../src/api/app.ts';
import type { RunningPossync } from '../../src/main.ts';
import { ACCOUNTS } from '../support/readme-setup.ts';
import { withHeldSquareRun, type PossyncOnPostgres } from '../support/postgres-service.ts';

const KEY = 'dashboard-test-key-0123456789';
const HOST = '127.0.0.1:5000';
const SAME_ORIGIN = { origin: `http://${HOST}`, 'sec-fetch-site': 'same-origin', host: HOST };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

let running: PossyncOnPostgres | undefined;
let possync: RunningPossync;
let open: FastifyInstance;
let held = 0;

before(async () => {
  const setup = await withHeldSquareRun();
  running = setup;
  ({ possync, held } = setup);
  open = possync.api!;
});

after(async () => {
  await running?.close();
});

function csrfOf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  assert.ok(match, 'the page carries a CSRF token');
  return match[1]!;
}
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const lastAction = async () => (await possync.core.sql.query<{ action: string; target: string; reason: string }>('select action, target, reason from dashboard_actions order by id desc limit 1')).rows[0];
const shopRows = async () => Object.fromEntries(await possync.sink.readQuantities(['1001', '1005', '1011']));

test('read-only: the plan shows, without Apply or Discard, and an apply is refused', async (t) => {
  const app = await buildApi(possync.service, { apiKeys: [KEY], version: 'test', dashboard: { ...possync.dashboard, readOnly: true } });
  await app.ready();
  t.after(() => app.close());
  const login = await app.inject({ method: 'POST', url: '/hangfire/login', remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ key: KEY }) });
  const cookie = String(login.headers['set-cookie']).split(';')[0]!;
  const list = await app.inject({ method: 'GET', url: '/hangfire/held', remoteAddress: '127.0.0.1', headers: { cookie } });
  assert.equal(list.statusCode, 200);
  assert.match(list.body, new RegExp(`/hangfire/runs/${held}`));
  const plan = await app.inject({ method: 'GET', url: `/hangfire/runs/${held}/plan`, remoteAddress: '127.0.0.1', headers: { cookie } });
  assert.equal(plan.statusCode, 200);
  assert.match(plan.body, /would go to 0/);
  assert.doesNotMatch(plan.body, /Apply this plan|Discard/);
  const before = await shopRows();
  const res = await app.inject({ method: 'POST', url: `/hangfire/runs/${held}/apply`, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN, cookie }, payload: form({ _csrf: csrfOf(plan.body) }) });
  assert.equal(res.statusCode, 403);
  assert.match(res.body, /read-only/);
  assert.deepEqual(await shopRows(), before);
  assert.equal((await possync.service.runs.get(held, { limit: 1 })).run.status, 'held');
});

test('apply from the plan page, then revert, then resume: each through the engine and journaled', async () => {
  const plan = await open.inject({ method: 'GET', url: `/hangfire/runs/${held}/plan`, remoteAddress: '127.0.0.1' });
  assert.match(plan.body, /Apply this plan/);
  assert.match(plan.body, /VARIATION000000000000001/);
  const token = csrfOf(plan.body);
  const before = await shopRows();
  const noToken = await open.inject({ method: 'POST', url: `/hangfire/runs/${held}/apply`, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({}) });
  assert.equal(noToken.statusCode, 403);
  assert.deepEqual(await shopRows(), before, 'refused: nothing written');

  const applied = await open.inject({ method: 'POST', url: `/hangfire/runs/${held}/apply`, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ _csrf: token }) });
  assert.equal(applied.statusCode, 303, applied.body);
  assert.deepEqual(await lastAction(), { action: 'apply-run', target: `run ${held}`, reason: 'from the dashboard' });
  assert.deepEqual(await shopRows(), { '1001': 0, '1005': 0, '1011': 20 });

  const again = await open.inject({ method: 'POST', url: `/hangfire/runs/${held}/apply`, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ _csrf: token }) });
  assert.equal(again.statusCode, 409, 'an applied run is not applied twice');
  assert.match(again.body, /only a held run can be applied/);

  const appliedPage = await open.inject({ method: 'GET', url: `/hangfire/runs/${held}/plan`, remoteAddress: '127.0.0.1' });
  assert.match(appliedPage.body, /Revert this run/);
  const reverted = await open.inject({ method: 'POST', url: `/hangfire/runs/${held}/revert`, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ _csrf: token }) });
  assert.equal(reverted.statusCode, 303, reverted.body);
  assert.deepEqual(await shopRows(), before, 'the shop table is back where it was');

  const heldPage = await open.inject({ method: 'GET', url: '/hangfire/held', remoteAddress: '127.0.0.1' });
  assert.match(heldPage.body, /Resume polls/);
  assert.match(heldPage.body, new RegExp(`run ${held} was reverted`));
  const accounts = await open.inject({ method: 'GET', url: '/hangfire/accounts', remoteAddress: '127.0.0.1' });
  assert.match(accounts.body, /paused/);
  const resumed = await open.inject({ method: 'POST', url: `/hangfire/accounts/${encodeURIComponent(ACCOUNTS.square)}/resume`, remoteAddress: '127.0.0.1', headers: { ...FORM, ...SAME_ORIGIN }, payload: form({ _csrf: token }) });
  assert.equal(resumed.statusCode, 303, resumed.body);
  assert.deepEqual(await lastAction(), { action: 'resume-polls', target: `account ${ACCOUNTS.square}`, reason: 'from the dashboard' });
  assert.equal((await possync.service.synchronizer.status()).accounts.find((a) => a.accountId === ACCOUNTS.square)?.pause, null);
});
