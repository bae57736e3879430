/**
 * The dashboard in a real browser (Debian's chromium), over the real service on its embedded
 * database, seeded through the simulators: every page opened and checked against the API, a
 * failed sale retried from its page and posted exactly once, a poll triggered and its run seen,
 * the live counters moving without a reload, and a screenshot of each page in test-output/.
 */
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Page } from 'playwright-core';
import { startPossync, type RunningPossync } from '../../src/main.ts';
import { ACCOUNTS, pollNow, readmeConfig, startSimulators, type Simulators } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { launchBrowser, screenshotDir } from '../support/browser.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';

let sims: Simulators;
let possync: RunningPossync;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;
let base: string;
let failedSaleId: string;
const shots = screenshotDir('dashboard');
const dir = await migratedPgliteDir('possync-dashboard-');

const api = async (path: string, init?: RequestInit) => {
  const res = await fetch(`${possync.url}${path}`, init);
  return res.json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
};
const sell = (ecommerceId: string, key: string) =>
  api('/api/synchronizer/sale', { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': key }, body: JSON.stringify({ item_ecommerce_id: ecommerceId, delta: 1, balance: 1250 }) });
const shot = (name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
const text = (selector: string) => page.locator(selector).first().innerText();

before(async () => {
  sims = await startSimulators();
  possync = await startPossync(await readmeConfig(sims, { POSSYNC__Core__DataFolder: dir.path }), { log: () => {} });
  const { service } = possync;
  const mapped: Array<[string, string, string]> = [
    [ACCOUNTS.square, '1001', 'VARIATION000000000000001'], [ACCOUNTS.square, '1002', 'VARIATION000000000000002'],
    [ACCOUNTS.hiboutik, '2001', '1'], [ACCOUNTS.hiboutik, '2002', '2'],
    [ACCOUNTS.lightspeed, '3001', '1'], [ACCOUNTS.lightspeed, '3002', '2'],
  ];
  for (const [accountId, ecommerceId, itemPosId] of mapped) await service.items.registerNow({ accountId, ecommerceId, itemPosId });
  await service.synchronizer.start({ cron: '* * * * *', timeZone: 'UTC' });
  // A till sale changes item 1001 on the POS; the next poll journals it.
  await fetch(`${sims.square.url}/__sim/stock`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ item: 'VARIATION000000000000001', quantity: 7 }) });
  for (const account of Object.values(ACCOUNTS)) await pollNow(service, account);

  // One sale that posts, one the POS refuses once (a 400 is final: the sale fails at once).
  const posted = await sell('2001', 'order-ok');
  await waitUntil('the Hiboutik sale posted', async () => (await service.sales.get(posted.sale_id))?.state === 'posted');
  sims.square.kit.faults.add({ endpoint: 'POST /v2/inventory/changes/batch-create', kind: 'error', status: 400, count: 1 });
  failedSaleId = (await sell('1001', 'order-refused')).sale_id;
  await waitUntil('the Square sale failed', async () => (await service.sales.get(failedSaleId))?.state === 'failed');

  browser = await launchBrowser();
  page = await browser.context.newPage();
  page.on('dialog', (dialog) => void dialog.accept());
  base = `${possync.url}/hangfire`;
});

after(async () => {
  await browser?.close();
  await possync?.close();
  await sims?.close();
  dir.remove();
});

test('overview: running, next run, each account\'s last poll, failed sales and why', { timeout: 300_000 }, async () => {
  // The schedule runs every minute: a minute can turn between the page and an API call, so the
  // page's next run is the one the API gave just before it loaded or the one it gives just after.
  const nextBefore = (await api('/api/synchronizer')).next_run_at;
  await page.goto(base);
  const status = await api('/api/synchronizer');
  const banner = await text('#live .status');
  assert.match(banner, /^Running/);
  assert.ok(banner.includes(status.cron_text?.toLowerCase?.() ?? status.cronText?.toLowerCase()), banner);
  const next = await page.locator('#live .status time').getAttribute('datetime');
  const nextAfter = (await api('/api/synchronizer')).next_run_at;
  assert.ok(next === nextBefore || next === nextAfter, `the next run is the one the API gives (page ${next}, API ${nextBefore} then ${nextAfter})`);
  for (const account of status.accounts) {
    const row = page.locator('#live tr', { hasText: account.account_name });
    assert.equal(await row.locator('.tag').first().innerText(), account.last_run.status);
    assert.match(await row.innerText(), new RegExp(`${account.last_run.items_read} read, ${account.last_run.items_changed} changed`));
    assert.match(await row.innerText(), new RegExp(`\\b${account.freshness.stale_items} of ${account.freshness.items}\\b`), 'stale items as the API counts them');
  }
  const failed = await api(`/api/sales/${failedSaleId}`);
  const failedRow = page.locator('#live tr', { hasText: failedSaleId });
  assert.ok((await failedRow.innerText()).includes(failed.last_error), 'the failed sale says why');
  await shot('overview');
});

test('overview counters refresh live, without a reload', { timeout: 300_000 }, async () => {
  await page.goto(base);
  const counter = page.locator('#live a[href$="state=succeeded"] .n');
  const before = Number(await counter.innerText());
  // Browser-side code as text: the project's TypeScript has no DOM types.
  const marker = await page.evaluate('window.marker = Math.random()');
  await pollNow(possync.service, ACCOUNTS.hiboutik);
  await page.waitForFunction(`Number(document.querySelector('#live a[href$="state=succeeded"] .n')?.textContent) > ${before}`, undefined, { timeout: 20_000 });
  assert.equal(await page.evaluate('window.marker'), marker, 'same document: no reload');
});

test('items: search, and item 1001\'s page shows its journal and what the shop table holds', { timeout: 300_000 }, async () => {
  await page.goto(base);
  await page.fill('#q', '1001');
  await page.press('#q', 'Enter');
  await page.waitForURL(`${base}/items/1001`);
  const [item] = (await api(`/api/items/${ACCOUNTS.square}`)).filter((i: { item_ecommerce_id: string }) => i.item_ecommerce_id === '1001');
  const shop = (await possync.sink.readQuantities(['1001'])).get('1001');
  const facts = await text('dl.facts');
  assert.match(facts, new RegExp(`Available\\s+${item.available} `));
  assert.match(facts, new RegExp(`Shop table now\\s+${shop} `));
  assert.match(facts, /On hand \(POS\)\s+7/);
  const journal = page.locator('table', { has: page.locator('caption', { hasText: 'Every change of this item' }) });
  assert.ok((await journal.locator('tbody tr').count()) >= 2, 'registration and the poll that saw the till sale');
  assert.match(await journal.innerText(), /poll\s+\d+ → \d+\s+\d+ → 7/, 'the poll that saw the till sale');
  assert.match(await journal.innerText(), /sale\s+7 → 6\s+7 → 7/, 'the online sale reserved one unit');
  assert.equal(await page.locator('.plot canvas').count() > 0, true, 'the quantity chart is drawn');
  await shot('item-1001');

  await page.goto(`${base}/items`);
  for (const listed of await api(`/api/items/${ACCOUNTS.hiboutik}`)) {
    const row = page.locator('tbody tr', { has: page.locator(`a[href$="/items/${listed.item_ecommerce_id}"]`) });
    const cells = await row.locator('td').allInnerTexts();
    assert.equal(cells[6], String(listed.available), `available of ${listed.item_ecommerce_id}`);
    assert.equal(cells[9], String((await possync.sink.readQuantities([listed.item_ecommerce_id])).get(listed.item_ecommerce_id)));
  }
  await shot('items');
});

test('sales: the failed sale says why; Retry posts it exactly once', { timeout: 300_000 }, async () => {
  await page.goto(`${base}/sales?state=failed`);
  await shot('sales-failed');
  await page.click(`a[href$="/sales/${failedSaleId}"]`);
  const sale = await api(`/api/sales/${failedSaleId}`);
  assert.equal(sale.state, 'failed');
  assert.ok((await text('dl.facts')).includes(sale.last_error));
  await shot('sale-failed');
  assert.equal(sims.square.kit.ledger.list({ source: 'api' }).filter((e) => e.idempotencyKey === failedSaleId).length, 0, 'not on the POS yet');

  await page.click('button:has-text("Retry")');
  await page.waitForSelector('.notice');
  assert.match(await text('.notice'), /queued to be posted again/);
  await waitUntil('the retried sale posted', async () => (await api(`/api/sales/${failedSaleId}`)).state === 'posted');
  const onPos = sims.square.kit.ledger.list({ source: 'api' }).filter((e) => e.idempotencyKey === failedSaleId);
  assert.equal(onPos.length, 1, 'posted exactly once');
  await page.reload();
  assert.match(await text('dl.facts'), /posted/);
  assert.match(await page.locator('table').innerText(), /retry asked by an operator \(from the dashboard\)/);
  await shot('sale-posted');
});

test('recurring: Trigger now queues a poll and its run appears', { timeout: 300_000 }, async () => {
  await page.goto(`${base}/recurring`);
  const status = await api('/api/synchronizer');
  const account = status.accounts.find((a: { account_id: string }) => a.account_id === ACCOUNTS.lightspeed);
  const row = page.locator('tr', { has: page.locator(`#recurring-${ACCOUNTS.lightspeed}`) });
  assert.match(await row.innerText(), /Every minute/);
  await shot('recurring');
  await row.locator('button:has-text("Trigger now")').click();
  await page.waitForSelector('.notice');
  const previous = account.last_run.id;
  const run = await waitUntil('the triggered run', async () => {
    const last = (await api('/api/synchronizer')).accounts.find((a: { account_id: string }) => a.account_id === ACCOUNTS.lightspeed).last_run;
    return last.id > previous && last.status !== 'running' ? last : undefined;
  });
  await page.goto(`${base}/runs?account=${encodeURIComponent(ACCOUNTS.lightspeed)}`);
  const first = page.locator('tbody tr').first();
  assert.match(await first.innerText(), new RegExp(`^${run.id}\\s+Lightspeed.*\\s+${run.trigger}\\s+${run.status}`, 's'));
  await shot('runs');
  await page.click(`a[href$="/runs/${run.id}"]`);
  assert.match(await text('dl.facts'), new RegExp(`${run.items_read} items read, ${run.items_changed} changed, ${run.api_calls} POS calls`));
  await shot('run');
});

test('jobs: by state, a job\'s page, and the counts pg-boss holds', { timeout: 300_000 }, async () => {
  // Change polls and webhook jobs keep completing in the background: the page's count lies
  // between pg-boss's count just before and just after the page was rendered.
  const completed = async () => Number((await possync.core.sql.query<{ n: string }>(`select count(*) as n from pgboss.job where state = 'completed' and name like 'possync-%' and completed_on >= now() - interval '24 hours'`)).rows[0]!.n);
  const before = await completed();
  await page.goto(`${base}/jobs?state=succeeded`);
  const after = await completed();
  const shown = Number(await page.locator('.tabs a[aria-current="page"] .n').innerText());
  assert.ok(shown >= before && shown <= after, `the page shows ${shown} succeeded jobs; pg-boss held ${before} before and ${after} after`);
  await shot('jobs-succeeded');
  await page.locator('tbody tr a').first().click();
  assert.match(await text('h1'), /^Job: (Poll|Post sales)/);
  assert.match(await page.locator('h2:has-text("Payload") + pre').innerText(), /"accountId"/);
  await shot('job');
  await page.goto(`${base}/jobs?state=failed`);
  await shot('jobs-failed');
});

test('accounts and servers match the API and this process', { timeout: 300_000 }, async () => {
  await page.goto(`${base}/accounts`);
  const status = await api('/api/synchronizer');
  for (const account of status.accounts) {
    const section = page.locator(`section#account-${account.account_id}`);
    assert.equal(await section.locator('dd .tag').first().innerText(), account.last_run.status);
    assert.match(await section.innerText(), new RegExp(`${account.freshness.items} mapped`));
  }
  assert.match(await page.locator(`section#account-${ACCOUNTS.hiboutik}`).innerText(), /calls left this month/);
  await shot('accounts');
  await page.goto(`${base}/servers`);
  const server = page.locator('tbody tr').first();
  assert.match(await server.innerText(), new RegExp(`${hostname()}, pid ${process.pid}`));
  assert.match(await server.innerText(), /alive/);
  await shot('servers');
});

test('on a phone: nothing wider than the screen, and the skip link comes first', { timeout: 300_000 }, async () => {
  const phone = await browser.context.newPage();
  await phone.setViewportSize({ width: 390, height: 844 });
  for (const path of ['', '/items/1001', '/sales', `/sales/${failedSaleId}`, '/recurring', '/accounts']) {
    await phone.goto(`${base}${path}`);
    const overflow = (await phone.evaluate('document.documentElement.scrollWidth - window.innerWidth')) as number;
    assert.ok(overflow <= 0, `${path || '/'} is ${overflow}px wider than the phone`);
  }
  await phone.goto(base);
  await phone.keyboard.press('Tab');
  assert.equal(await phone.evaluate('document.activeElement?.textContent'), 'Skip to content');
  await phone.screenshot({ path: join(shots, 'overview-phone.png'), fullPage: true });
  await phone.close();
});
