/**
 * Held runs in a real browser (Debian's chromium): a mass zero at the Square simulator's till is
 * held; from the Held runs page the operator opens its plan, applies it, reverts it and resumes
 * the account, each confirmed in the browser's dialog, each checked against the API and the shop
 * table. Screenshots in test-output/dashboard-held/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import type { RunningPossync } from '../../src/main.ts';
import { ACCOUNTS } from '../support/readme-setup.ts';
import { withHeldSquareRun, type PossyncOnPostgres } from '../support/postgres-service.ts';
import { launchBrowser, screenshotDir } from '../support/browser.ts';

let running: PossyncOnPostgres | undefined;
let possync: RunningPossync;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let held = 0;
const shots = screenshotDir('dashboard-held');

before(async () => {
  const setup = await withHeldSquareRun();
  running = setup;
  ({ possync, held } = setup);
  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
});

after(async () => {
  await browser?.close();
  await running?.close();
});

const shop = async (id: string) => (await possync.sink.readQuantities([id])).get(id);
const runStatus = async () => ((await (await fetch(`${possync.url}/api/runs/${held}?limit=1`)).json()) as { run: { status: string } }).run.status;

test('from Held runs: open the plan, apply it, revert it, resume the account', { timeout: 300_000 }, async () => {
  await page.goto(`${possync.url}/hangfire/held`);
  assert.match(await page.locator('main').innerText(), /would go to 0/);
  await page.screenshot({ path: join(shots, 'held.png'), fullPage: true });
  await page.locator(`a[href$="/runs/${held}/plan"]`).first().click();
  await page.waitForURL(new RegExp(`/runs/${held}/plan$`));
  const rows = await page.locator('main table tbody tr').count();
  assert.equal(rows, 10, 'the ten zeroed items');
  await page.screenshot({ path: join(shots, 'plan.png'), fullPage: true });
  assert.equal(await shop('1001'), 10, 'held: the shop table still has the last applied count');

  await page.getByRole('button', { name: 'Apply this plan' }).click();
  await page.waitForURL(/done=run-applied/);
  assert.match(await page.locator('[role=status], .notice').first().innerText(), /written to possync and the shop table/);
  assert.equal(await runStatus(), 'ok');
  assert.equal(await shop('1001'), 0);

  await page.getByRole('button', { name: 'Revert this run' }).click();
  await page.waitForURL(/done=run-reverted/);
  assert.equal(await shop('1001'), 10, 'put back');
  await page.goto(`${possync.url}/hangfire/held`);
  await page.screenshot({ path: join(shots, 'paused.png'), fullPage: true });
  await page.getByRole('button', { name: 'Resume polls' }).click();
  await page.waitForURL(/done=polls-resumed/);
  assert.equal((await possync.service.synchronizer.status()).accounts.find((a) => a.accountId === ACCOUNTS.square)?.pause, null);
});
