import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonthlyCallBudget } from '../pos/call-budget.ts';
import { listAccounts, syncAccounts } from './accounts.ts';
import { failAbandonedRuns, finishRun, getRun, lastRuns, listRuns, startRun } from './runs.ts';
import { deleteSetting, getSetting, setSetting } from './settings.ts';
import { DbBudgetStore } from './budget-store.ts';
import type { SqlQueryable } from './sql.ts';
import { forEachBackend, squareAccount } from './test-support.ts';

forEachBackend('runs, settings, accounts, budgets', (current) => {
  test('accounts follow the config and are never deleted by it', async () => {
    const { sql } = current().core;
    await syncAccounts(sql, [squareAccount('R1', 'Shop one'), squareAccount('R2')]);
    await syncAccounts(sql, [
      { id: 'R1', name: 'Shop 1', connection: { pos: 'hiboutik', baseUrl: 'x', accountName: 'a', email: 'e', apiKey: 'k', storeId: '1', warehouseId: '1', maximumRequests: 10, reserveForSales: 1 } },
    ]);
    assert.deepEqual(
      (await listAccounts(sql)).map((a) => [a.id, a.name, a.pos]),
      [['R1', 'Shop 1', 'hiboutik'], ['R2', 'R2', 'square']],
    );
  });

  test('runs start, finish once, and the latest per account is reported', async () => {
    const { sql } = current().core;
    const a1 = await startRun(sql, { accountId: 'R1', trigger: 'cron' });
    assert.equal(a1.status, 'running');
    assert.equal(a1.finishedAt, null);
    const done = await finishRun(sql, a1.id, { status: 'ok', itemsRead: 40, itemsChanged: 3, apiCalls: 2 });
    assert.equal(done.status, 'ok');
    assert.ok(done.finishedAt instanceof Date);
    assert.deepEqual([done.itemsRead, done.itemsChanged, done.apiCalls, done.error], [40, 3, 2, null]);
    // A second finish (a retried job) does not rewrite history.
    const again = await finishRun(sql, a1.id, { status: 'failed', error: 'late' });
    assert.equal(again.status, 'ok');

    const a2 = await startRun(sql, { accountId: 'R1', trigger: 'forced' });
    await finishRun(sql, a2.id, { status: 'failed', apiCalls: 1, error: 'POS answered 503' });
    const b1 = await startRun(sql, { accountId: 'R2', trigger: 'register' });

    const latest = await lastRuns(sql);
    assert.deepEqual(latest.map((r) => [r.accountId, r.id, r.status]), [['R1', a2.id, 'failed'], ['R2', b1.id, 'running']]);
    assert.equal((await getRun(sql, a2.id))?.error, 'POS answered 503');
    assert.equal(await getRun(sql, 999_999), null);
    assert.deepEqual((await listRuns(sql, 'R1')).map((r) => r.id), [a2.id, a1.id]);
    await assert.rejects(finishRun(sql, 999_999, { status: 'ok' }), /sync run 999999 does not exist/);

    assert.equal(await failAbandonedRuns(sql), 1);
    assert.equal((await getRun(sql, b1.id))?.status, 'failed');
  });

  test('settings are typed, stored as JSON and replaceable', async () => {
    const { sql } = current().core;
    assert.equal(await getSetting(sql, 'synchronizer.running'), null);
    await setSetting(sql, 'synchronizer.running', false);
    assert.equal(await getSetting(sql, 'synchronizer.running'), false);
    await setSetting(sql, 'synchronizer.running', true);
    assert.equal(await getSetting(sql, 'synchronizer.running'), true);
    await setSetting(sql, 'synchronizer.schedule', { cron: '* 11,12,13 * * 1-5', timeZone: 'Europe/Brussels' });
    assert.deepEqual(await getSetting(sql, 'synchronizer.schedule'), { cron: '* 11,12,13 * * 1-5', timeZone: 'Europe/Brussels' });
    await deleteSetting(sql, 'synchronizer.schedule');
    assert.equal(await getSetting(sql, 'synchronizer.schedule'), null);
  });

  test('the call budget is preloaded, written behind, and never lowered by a late write', async () => {
    const { sql } = current().core;
    const now = Date.parse('2026-11-20T12:00:00Z');
    const store = await DbBudgetStore.open(sql, 'R1');
    assert.equal(store.load(), null);
    const budget = new MonthlyCallBudget({ callsPerMonth: 100, reserveForWrites: 10, now: () => now, store });
    for (let i = 0; i < 5; i += 1) budget.take('read');
    assert.equal(store.pending, true);
    await store.flush();
    assert.equal(store.pending, false);

    const reopened = await DbBudgetStore.open(sql, 'R1');
    assert.deepEqual(reopened.load(), { month: '2026-11', used: 5 });
    assert.equal(new MonthlyCallBudget({ callsPerMonth: 100, reserveForWrites: 10, now: () => now, store: reopened }).usage().used, 5);

    // An older state arriving late cannot take calls back.
    reopened.save({ month: '2026-11', used: 2 });
    await reopened.flush();
    assert.deepEqual((await DbBudgetStore.open(sql, 'R1')).load(), { month: '2026-11', used: 5 });

    // A new month gets its own row; the newest is what a restart loads.
    const december = new MonthlyCallBudget({ callsPerMonth: 100, reserveForWrites: 10, now: () => Date.parse('2026-12-01T00:00:01Z'), store: reopened });
    december.take('write');
    await reopened.flush();
    assert.deepEqual((await DbBudgetStore.open(sql, 'R1')).load(), { month: '2026-12', used: 1 });
  });

  test('a failed budget write stays pending and is retried by flush', async () => {
    const { sql } = current().core;
    let failNext = true;
    const errors: Error[] = [];
    const flaky: SqlQueryable = {
      query: (text, params) => {
        if (failNext && text.includes('insert into call_budgets')) {
          failNext = false;
          return Promise.reject(new Error('connection lost'));
        }
        return sql.query(text, params);
      },
    };
    const store = await DbBudgetStore.open(flaky, 'R2', { onError: (error) => errors.push(error) });
    store.save({ month: '2026-11', used: 7 });
    await assert.rejects(store.flush(), /connection lost/);
    assert.equal(store.pending, true);
    assert.equal(errors.length, 1);
    await store.flush();
    assert.equal(store.pending, false);
    assert.deepEqual((await DbBudgetStore.open(sql, 'R2')).load(), { month: '2026-11', used: 7 });
  });
});
