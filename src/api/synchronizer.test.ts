import { test } from 'node:test';
import assert from 'node:assert/strict';
import { makeApi, README_ACCOUNT } from '../../test/support/api.ts';

test('GET /api/synchronizer → the status in snake_case', async () => {
  const { app } = await makeApi();
  const res = await app.inject({ method: 'GET', url: '/api/synchronizer' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), {
    running: false,
    cron: '* * * * *',
    time_zone: 'UTC',
    cron_text: 'Every minute',
    next_run_at: null,
    last_run_at: '2026-11-27T07:00:00.000Z',
    accounts: [
      {
        account_id: 'sq-main',
        account_name: 'Square shop',
        pos: 'square',
        last_run: {
          id: 7, trigger: 'schedule', status: 'ok',
          started_at: '2026-11-27T07:00:00.000Z', finished_at: '2026-11-27T07:00:00.000Z',
          items_read: 3, items_changed: 1, api_calls: 2, error: null,
        },
        freshness: {
          items: 2, stale_items: 1, never_confirmed: 0, max_item_age_seconds: 120, max_age_source: 'schedule',
          oldest_confirmed_at: '2026-11-27T07:00:00.000Z',
        },
        quota: null,
      },
      {
        account_id: README_ACCOUNT, account_name: 'README account', pos: 'hiboutik', last_run: null, freshness: null,
        quota: { state: 'refused', used: 10_000, limit: 10_000, resumes_at: '2026-12-01T00:00:00.000Z' },
      },
    ],
  });
});

// The original README: `curl -X POST http://localhost:port/api/synchronizer/start` (no body, no
// content type); scripts built on it often add `-H 'Content-Type: application/json'` with no body.
for (const [label, headers] of [
  ['no content type', {}],
  ['JSON content type', { 'content-type': 'application/json' }],
  ['JSON content type with charset', { 'content-type': 'application/json; charset=utf-8' }],
] as const) {
  test(`start/stop/forceUpdate with an empty body and ${label}`, async () => {
    const { app } = await makeApi();
    const start = await app.inject({ method: 'POST', url: '/api/synchronizer/start', headers, payload: '' });
    assert.equal(start.statusCode, 200, start.body);
    assert.equal(start.json().running, true);
    const force = await app.inject({ method: 'POST', url: '/api/synchronizer/forceUpdate', headers, payload: '' });
    assert.equal(force.statusCode, 202, force.body);
    assert.deepEqual(force.json(), {
      queued: [{ account_id: 'sq-main', job_id: 'poll-1' }, { account_id: README_ACCOUNT, job_id: 'poll-2' }],
    });
    const stop = await app.inject({ method: 'POST', url: '/api/synchronizer/stop', headers, payload: '' });
    assert.equal(stop.statusCode, 200, stop.body);
    assert.equal(stop.json().running, false);
  });
}

test('POSTs with no payload at all (inject sends no content-length)', async () => {
  const { app } = await makeApi();
  for (const url of ['/api/synchronizer/start', '/api/synchronizer/stop', '/api/synchronizer/forceUpdate']) {
    const res = await app.inject({ method: 'POST', url });
    assert.ok([200, 202].includes(res.statusCode), `${url}: ${res.body}`);
  }
});

test('start with a cron and a time zone stores them', async () => {
  const { app } = await makeApi();
  const res = await app.inject({
    method: 'POST', url: '/api/synchronizer/start',
    payload: { cron: '* 11,12,13 * * 1,2,3,4,5', time_zone: 'Europe/Brussels' },
  });
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().cron, '* 11,12,13 * * 1,2,3,4,5');
  assert.equal(res.json().time_zone, 'Europe/Brussels');
  assert.equal((await app.inject({ method: 'GET', url: '/api/synchronizer' })).json().running, true);
});

test('start with a bad cron or zone → 400 naming the field; nothing changes', async () => {
  const { app } = await makeApi();
  const cron = await app.inject({ method: 'POST', url: '/api/synchronizer/start', payload: { cron: 'every minute' } });
  assert.equal(cron.statusCode, 400);
  assert.equal(cron.json().field, 'cron');
  assert.equal(cron.json().error, 'bad_request');
  const zone = await app.inject({ method: 'POST', url: '/api/synchronizer/start', payload: { time_zone: 'Mars/Olympus' } });
  assert.equal(zone.statusCode, 400);
  assert.equal(zone.json().field, 'time_zone');
  const typed = await app.inject({ method: 'POST', url: '/api/synchronizer/start', payload: { cron: 5 } });
  assert.equal(typed.statusCode, 400);
  assert.equal(typed.json().field, 'cron');
  assert.equal((await app.inject({ method: 'GET', url: '/api/synchronizer' })).json().running, false);
});

test('stop ignores a stray JSON body', async () => {
  const { app } = await makeApi();
  const res = await app.inject({ method: 'POST', url: '/api/synchronizer/stop', payload: { please: true } });
  assert.equal(res.statusCode, 200);
});

test('forceUpdate for one account, from the body or the query string; repeats collapse', async () => {
  const { app } = await makeApi();
  const body = await app.inject({ method: 'POST', url: '/api/synchronizer/forceUpdate', payload: { account_id: 'sq-main' } });
  assert.equal(body.statusCode, 202);
  assert.deepEqual(body.json(), { queued: [{ account_id: 'sq-main', job_id: 'poll-1' }] });
  const query = await app.inject({ method: 'POST', url: '/api/synchronizer/forceUpdate?account_id=sq-main' });
  assert.equal(query.statusCode, 202);
  assert.deepEqual(query.json(), { queued: [{ account_id: 'sq-main', job_id: 'poll-1' }] }, 'a repeat joins the queued poll and gets its id');
});

test('forceUpdate for an unknown account → 404 naming account_id (body or query)', async () => {
  const { app } = await makeApi();
  for (const req of [
    { url: '/api/synchronizer/forceUpdate', payload: { account_id: 'nope' } },
    { url: '/api/synchronizer/forceUpdate?account_id=nope' },
  ]) {
    const res = await app.inject({ method: 'POST', ...req });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().field, 'account_id');
    assert.deepEqual(res.json().details.known_account_ids, ['sq-main', README_ACCOUNT]);
  }
  const bad = await app.inject({ method: 'POST', url: '/api/synchronizer/forceUpdate', payload: { account_id: 3 } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().field, 'account_id');
});
