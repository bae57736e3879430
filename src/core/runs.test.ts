import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MonthlyCallBudget } from '../pos/call-budget.ts';
import { listAccounts, syncAccounts } from './accounts.ts';
import { failAbandonedRuns, finishRun, getRun, lastRuns, listRuns, startRun } from './runs.ts';
import { deleteSetting, getSetting, setSetting } from './settings.ts';
import { DbBudgetStore } from './budget-store.ts';
import { forEachBackend, squareAccount } from '../../test/support/core.ts';

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

  test('the call budget is counted in the database: several stores on one account spend one budget', async () => {
    const { sql } = current().core;
    let now = Date.parse('2026-11-20T12:00:00Z');
    // Three instances of one account, each with its own store and budget, calling at once.
    const budgets = await Promise.all(
      [1, 2, 3].map(async () => new MonthlyCallBudget({ callsPerMonth: 100, reserveForWrites: 10, now: () => now, store: await DbBudgetStore.open(sql, 'R1') })),
    );
    const results = await Promise.allSettled(Array.from({ length: 150 }, (_, i) => budgets[i % 3]!.take('read')));
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 90, 'reads stop at the limit less the reserve, across instances');
    assert.deepEqual((await sql.query('select month, used from call_budgets where account_id = $1', ['R1'])).rows, [{ month: '2026-11', used: 90 }]);
    // The reserve is there for sales, from any instance.
    await Promise.all(budgets.map((b) => b.take('write')));
    assert.equal((await DbBudgetStore.open(sql, 'R1')).seen('2026-11'), 93, 'a restart sees every call');
    assert.equal(budgets[0]!.usage().used >= 91, true, 'usage shows what this store last saw');

    // The POS saying the quota is spent raises the shared count; nothing lowers it.
    await budgets[1]!.exhaust();
    await assert.rejects(budgets[2]!.take('write'), /monthly call quota spent: 100 of 100/);

    // A new month gets its own row.
    now = Date.parse('2026-12-01T00:00:01Z');
    await budgets[0]!.take('write');
    assert.equal((await DbBudgetStore.open(sql, 'R1')).seen('2026-12'), 1);
  });
});
