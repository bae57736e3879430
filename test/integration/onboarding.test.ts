import assert from 'node:assert/strict';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startPossync, type RunningPossync } from '../../src/main.ts';
import { listJournal } from '../../src/core/journal.ts';
import type { SqlQueryable } from '../../src/core/sql.ts';
import { ACCOUNTS, pollNow, readmeConfig, startSimulators, type CatalogMaker } from '../support/readme-setup.ts';
import { waitUntil } from '../support/wait.ts';
import { migratedPgliteDir } from '../support/pglite-template.ts';
import { possyncCli } from '../support/server-process.ts';

/**
 * Onboarding a catalog end to end (issue 10) on the embedded default: a 2,000-row CSV over the
 * three simulators through the CLI and the API, its report, re-runs, dry runs, and managing the
 * mapped items afterwards, including while a sale is in flight.
 */
const CATALOG = 700;
const ROWS_PER_POS = 666;
const pad = (n: number) => String(n).padStart(4, '0');
const onHandOf = (i: number) => i % 30;

/** Items 6 and 7 share a SKU (and a Hiboutik barcode); item 8 has none. */
const catalog: CatalogMaker = (locations, itemId) =>
  Array.from({ length: CATALOG }, (_, i) => ({
    id: itemId(i),
    name: `Onboard Item ${pad(i + 1)}`,
    ...(i === 7 ? {} : { sku: i === 5 || i === 6 ? 'DUP-SKU' : `SKU-${pad(i + 1)}` }),
    priceCents: 500,
    stock: { [locations[0]!]: onHandOf(i) },
  }));

const POS = [
  { account: ACCOUNTS.square, base: 0, id: (i: number) => `VARIATION${String(i + 1).padStart(15, '0')}`, barcode: null },
  { account: ACCOUNTS.lightspeed, base: 10_000, id: (i: number) => String(i + 1), barcode: (i: number) => `40${String(i + 1).padStart(10, '0')}` },
  { account: ACCOUNTS.hiboutik, base: 20_000, id: (i: number) => String(i + 1), barcode: (i: number) => `SKU-${pad(i + 1)}` },
] as const;

interface Row {
  item_ecommerce_id: string;
  account_id: string;
  item_pos_id?: string;
  sku?: string;
  barcode?: string;
  item_name?: string;
  limit_quantity?: string;
}

/** The file, with the status each row must end in and the on-hand of those that map. */
function buildRows(): { rows: Row[]; expected: string[]; onHand: Map<string, number> } {
  const rows: Row[] = [];
  const expected: string[] = [];
  const onHand = new Map<string, number>();
  for (const pos of POS) {
    for (let i = 0; i < ROWS_PER_POS; i++) {
      const row: Row = { item_ecommerce_id: String(pos.base + i + 1), account_id: pos.account };
      const kind = i === 7 ? 1 : i % 4;
      if (kind === 0) row.sku = `SKU-${pad(i + 1)}`;
      else if (kind === 1) row.item_pos_id = pos.id(i);
      else if (kind === 2 || !pos.barcode) row.item_name = `Onboard Item ${pad(i + 1)}`;
      else row.barcode = pos.barcode(i);
      if (i % 50 === 0) row.limit_quantity = '2';
      rows.push(row);
      expected.push('mapped');
      onHand.set(row.item_ecommerce_id, onHandOf(i));
    }
  }
  const at = (account: string, i: number) => POS.findIndex((p) => p.account === account) * ROWS_PER_POS + i;
  const override = (index: number, row: Partial<Row>, status: string) => {
    const base = { item_ecommerce_id: rows[index]!.item_ecommerce_id, account_id: rows[index]!.account_id };
    rows[index] = { ...base, ...row };
    expected[index] = status;
    onHand.delete(base.item_ecommerce_id);
  };
  override(at(ACCOUNTS.square, 5), { sku: 'DUP-SKU' }, 'ambiguous'); // two POS items share it
  override(at(ACCOUNTS.square, 9), { sku: '  ' }, 'invalid'); // a blank key is never matched
  override(at(ACCOUNTS.square, 10), { sku: 'SKU-0300' }, 'ambiguous'); // two rows give the same SKU…
  override(at(ACCOUNTS.square, 299), { sku: 'SKU-0300' }, 'ambiguous'); // …so neither is guessed
  override(at(ACCOUNTS.lightspeed, 13), { sku: 'SKU-O014' }, 'not_found'); // a typo: O for 0
  override(at(ACCOUNTS.hiboutik, 20), { item_pos_id: '600' }, 'conflict'); // e-commerce id mapped elsewhere beforehand
  override(at(ACCOUNTS.hiboutik, 21), { item_pos_id: '999999' }, 'not_found');
  override(at(ACCOUNTS.hiboutik, 22), { barcode: 'DUP-SKU' }, 'ambiguous');
  rows.push({ item_ecommerce_id: '1', account_id: ACCOUNTS.square, item_pos_id: POS[0].id(690) });
  expected.push('conflict'); // row 1 maps e-commerce id 1 already
  rows.push({ item_ecommerce_id: '99999', account_id: 'no-such-account', sku: 'SKU-0001' });
  expected.push('invalid');
  return { rows, expected, onHand };
}

function toCsv(rows: Row[]): string {
  const columns = ['item_ecommerce_id', 'account_id', 'item_pos_id', 'sku', 'barcode', 'item_name', 'limit_quantity'] as const;
  const quote = (v: string) => (/[",\n]/.test(v) || v !== v.trim() ? `"${v.replace(/"/g, '""')}"` : v);
  return [columns.join(','), ...rows.map((r) => columns.map((c) => quote(r[c] ?? '')).join(','))].join('\r\n') + '\r\n';
}

/** Every row's version in the core's mappings and the shop table: a write of any kind changes one. */
async function versions(sql: SqlQueryable): Promise<string> {
  const core = await sql.query<{ v: string }>(`select string_agg(ecommerce_id || ':' || xmin::text, ',' order by ecommerce_id) as v from mappings`);
  const shop = await sql.query<{ v: string }>(`select string_agg("idProductEcommerce"::text || ':' || xmin::text, ',' order by "idProductEcommerce"::text) as v from stock`);
  const journal = await sql.query<{ n: number }>('select count(*)::int as n from stock_journal');
  return `${core.rows[0]!.v}|${shop.rows[0]!.v}|${journal.rows[0]!.n}`;
}

test('onboarding a 2,000-row catalog over the three POS, and managing what it mapped', { timeout: 600_000 }, async (t) => {
  const sims = await startSimulators({}, catalog);
  t.after(() => sims.close());
  const dir = await migratedPgliteDir('possync-onboard-');
  t.after(() => dir.remove());
  const config = await readmeConfig(sims, { POSSYNC__Core__DataFolder: join(dir.path, 'data') });
  const possync: RunningPossync = await startPossync(config, { log: () => {} });
  t.after(() => possync.close());
  const sql = possync.core.sql;
  const api = (path: string, init?: RequestInit) => fetch(`${possync.url}${path}`, init);
  const sendJson = (method: string, path: string, body: unknown) => api(path, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const { rows, expected, onHand } = buildRows();
  assert.equal(rows.length, 2000);
  const csvFile = join(dir.path, 'catalog.csv');
  writeFileSync(csvFile, toCsv(rows));

  // Mapped beforehand, to another POS item: the file's row for 20021 is a conflict.
  const early = await sendJson('POST', '/api/items?wait=true', { item_ecommerce_id: '20021', account_id: ACCOUNTS.hiboutik, item_pos_id: '690' });
  assert.equal(early.status, 201, await early.clone().text());

  let dryReport: Array<{ row: number; status: string; candidates?: Array<{ item_pos_id: string; sku?: string }> }> = [];
  await t.test('a dry run through the CLI reports every row and writes nothing', async () => {
    const before = await versions(sql);
    const run = await possyncCli(['items', 'import', csvFile, '--dry-run', '--url', possync.url, '--report', join(dir.path, 'dry.json')]);
    assert.equal(run.code, 1, `some rows do not map: exit 1\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^dry run \(nothing written\): 2000 rows: 1990 mapped, 4 ambiguous, 2 not found, 2 conflict, 2 invalid|^dry run \(nothing written\): 2000 rows: 1990 mapped/m, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`);
    assert.match(run.stderr, /rows/, 'a progress line');
    assert.equal(await versions(sql), before, 'no mapping, shop row or journal entry was written');
    const answer = await api('/api/items/bulk?dry_run=true&wait=true', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: toCsv(rows) });
    assert.equal(answer.status, 200);
    dryReport = ((await answer.json()) as { report: typeof dryReport }).report;
    assert.deepEqual(dryReport.map((r) => r.status), expected);
    assert.equal(await versions(sql), before);
  });

  await t.test('the import runs as one job with progress, maps every row or says why, and reads each catalog once', async () => {
    const started = await api('/api/items/bulk', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: toCsv(rows) });
    assert.equal(started.status, 202, await started.clone().text());
    const location = started.headers.get('location')!;
    const seen: Array<{ done: number; total: number }> = [];
    const task = await waitUntil('the import to finish', async () => {
      const body = (await (await api(location)).json()) as {
        state: string;
        progress: { done: number; total: number };
        report: Array<{ row: number; status: string; item_ecommerce_id: string; reason?: string; candidates?: Array<{ item_pos_id: string; sku?: string }> }>;
        accounts: Array<{ account_id: string; catalog_items: number; pos_calls: number }>;
        error: string | null;
      };
      seen.push(body.progress);
      return body.state === 'done' || body.state === 'failed' ? body : undefined;
    }, 300_000);
    assert.equal(task.state, 'done', task.error ?? '');
    assert.ok(seen.every((p) => p.total === 2000 && p.done <= p.total));
    assert.deepEqual(task.report.map((r) => r.status), expected);
    assert.deepEqual(task.report.map((r) => r.status), dryReport.map((r) => r.status), 'the dry run reported the same');
    for (const r of task.report) if (r.status !== 'mapped') assert.ok(r.reason, `row ${r.row} says why`);
    const typo = task.report.find((r) => r.item_ecommerce_id === String(10_014))!;
    assert.ok(typo.candidates?.some((c) => c.sku === 'SKU-0014'), JSON.stringify(typo));
    const ambiguous = task.report.find((r) => r.item_ecommerce_id === '6')!;
    assert.equal(ambiguous.candidates?.length, 2, 'both POS items sharing the SKU are listed');
    for (const account of task.accounts) {
      assert.equal(account.catalog_items, CATALOG, account.account_id);
      // Catalog pages (≤ 7 of 100 on Lightspeed), a counts batch or two, the odd existence check.
      assert.ok(account.pos_calls <= Math.ceil(CATALOG / 100) + 5, `${account.account_id}: ${account.pos_calls} POS calls`);
    }
    const mappedIds = task.report.filter((r) => r.status === 'mapped').map((r) => r.item_ecommerce_id);
    const shop = await possync.sink.readQuantities(mappedIds);
    for (const id of mappedIds) assert.equal(shop.get(id), onHand.get(id), `shop quantity of ${id}`);
    const limits = await sql.query<{ ecommerce_id: string; limit_quantity: number }>(`select ecommerce_id, limit_quantity from mappings where ecommerce_id in ('1', '51', '2')`);
    assert.deepEqual(Object.fromEntries(limits.rows.map((r) => [r.ecommerce_id, r.limit_quantity])), { '1': 2, '51': 2, '2': 0 });
  });

  await t.test('running the same file again changes nothing', async () => {
    const before = await versions(sql);
    const answer = await api('/api/items/bulk?wait=true', { method: 'POST', headers: { 'content-type': 'text/csv' }, body: toCsv(rows) });
    const body = (await answer.json()) as { report: Array<{ status: string }> };
    assert.deepEqual(body.report.map((r) => r.status), expected.map((s) => (s === 'mapped' ? 'unchanged' : s)));
    assert.equal(await versions(sql), before);
  });

  await t.test('JSON rows go through the same checks; NUL is refused whole', async () => {
    const answer = await sendJson('POST', '/api/items/bulk?wait=true&dry_run=true', [
      { item_ecommerce_id: 1, account_id: ACCOUNTS.square, sku: 'SKU-0001', limit_quantity: 5 },
      { item_ecommerce_id: 'x1', account_id: ACCOUNTS.square },
    ]);
    const body = (await answer.json()) as { report: Array<{ status: string; reason?: string }> };
    assert.deepEqual(body.report.map((r) => r.status), ['updated', 'invalid']);
    const nul = await sendJson('POST', '/api/items/bulk?wait=true', [{ item_ecommerce_id: 'a\u0000b', account_id: ACCOUNTS.square, sku: 'SKU-0001' }]);
    assert.equal(nul.status, 400);
    // The field is named by its place in the array of rows.
    assert.equal(((await nul.json()) as { field: string }).field, '[0].item_ecommerce_id');
  });

  await t.test('a poll in which nothing changed writes nothing, and still confirms every item', async () => {
    for (const account of Object.values(ACCOUNTS)) await pollNow(possync.service, account);
    const before = await versions(sql);
    const { rows: clock } = await sql.query<{ now: Date }>('select now() as now');
    for (const account of Object.values(ACCOUNTS)) assert.equal((await pollNow(possync.service, account)).status, 'ok');
    assert.equal(await versions(sql), before, 'no row of the core, the shop table or the journal was written');
    const items = (await (await api(`/api/items/${ACCOUNTS.lightspeed}?limit=1000`)).json()) as Array<{ last_confirmed_at: string | null; on_hand: number | null }>;
    for (const item of items) assert.ok(item.last_confirmed_at && Date.parse(item.last_confirmed_at) >= clock[0]!.now.getTime() - 1000, JSON.stringify(item));
    const stale = (await (await api(`/api/items/${ACCOUNTS.lightspeed}?filter=stale&stale_after=3600`)).json()) as unknown[];
    assert.equal(stale.length, 0);
  });

  await t.test('lists page with a cursor and filter', async () => {
    const ids: string[] = [];
    let path: string | null = `/api/items/${ACCOUNTS.square}?limit=250`;
    while (path) {
      const answer = await api(path);
      ids.push(...((await answer.json()) as Array<{ item_ecommerce_id: string }>).map((i) => i.item_ecommerce_id));
      const link = answer.headers.get('link');
      path = link ? /<([^>]+)>/.exec(link)![1]! : null;
    }
    assert.equal(new Set(ids).size, ids.length, 'no item twice');
    assert.equal(ids.length, expected.slice(0, ROWS_PER_POS).filter((s) => s === 'mapped').length);
    const bad = await api(`/api/items/${ACCOUNTS.square}?limit=10&cursor=nonsense!`);
    assert.equal(bad.status, 400);
    const flagged = (await (await api(`/api/items/${ACCOUNTS.square}?filter=flagged`)).json()) as unknown[];
    assert.equal(flagged.length, 0);
  });

  await t.test('PATCH changes the floor and description, the shop row follows, journaled', async () => {
    const answer = await sendJson('PATCH', '/api/items/3', { limit_quantity: 4, description: 'Renamed online' });
    assert.equal(answer.status, 200, await answer.clone().text());
    assert.equal(((await answer.json()) as { limit_quantity: number }).limit_quantity, 4);
    const shop = await sql.query<{ limitQuantity: number; description: string }>(`select "limitQuantity", description from stock where "idProductEcommerce"::text = '3'`);
    assert.deepEqual(shop.rows[0], { limitQuantity: 4, description: 'Renamed online' });
    const journal = await listJournal(sql, { ecommerceId: '3', limit: 1 });
    assert.equal(journal[0]?.cause, 'manual');
    assert.match(journal[0]?.note ?? '', /limit_quantity 0 → 4/);
    assert.equal((await sendJson('PATCH', '/api/items/no-such', { limit_quantity: 1 })).status, 404);
    assert.equal((await sendJson('PATCH', '/api/items/3', { limit_quantity: -1 })).status, 400);
  });

  await t.test('DELETE is refused while a sale is in flight, then unmaps, leaving or zeroing the shop row', async () => {
    sims.square.kit.faults.add({ endpoint: 'POST /v2/inventory/changes/batch-create', kind: 'error', status: 503 });
    const sale = await sendJson('POST', '/api/synchronizer/sale', { item_ecommerce_id: 4, delta: 1, balance: 500 });
    assert.equal(sale.status, 202, await sale.clone().text());
    const saleId = ((await sale.json()) as { sale_id: string }).sale_id;
    const refused = await api('/api/items/4?shop_row=zero', { method: 'DELETE' });
    assert.equal(refused.status, 409);
    assert.ok(((await refused.json()) as { details: { sale_ids: string[] } }).details.sale_ids.includes(saleId));
    await waitUntil('the reservation in the shop row', async () => (await possync.sink.readQuantities(['4'])).get('4') === onHand.get('4')! - 1);
    assert.equal((await api('/api/items/4?shop_row=zero', { method: 'DELETE' })).status, 409, 'still refused');
    assert.equal((await possync.sink.readQuantities(['4'])).get('4'), onHand.get('4')! - 1, 'the refused DELETE left the shop row alone');
    // PATCH is fine meanwhile.
    assert.equal((await sendJson('PATCH', '/api/items/4', { limit_quantity: 1 })).status, 200);
    sims.square.kit.faults.clear();
    await waitUntil('the sale to be posted', async () => ((await (await api(`/api/sales/${saleId}`)).json()) as { state: string }).state === 'posted', 120_000);
    const zeroed = await api('/api/items/4?shop_row=zero', { method: 'DELETE' });
    assert.equal(zeroed.status, 200, await zeroed.clone().text());
    assert.equal((await possync.sink.readQuantities(['4'])).get('4'), 0);
    assert.equal((await api('/api/items/4', { method: 'DELETE' })).status, 404);
    const kept = await api('/api/items/5', { method: 'DELETE' });
    assert.equal(kept.status, 200);
    assert.equal((await possync.sink.readQuantities(['5'])).get('5'), onHand.get('5'), 'shop_row=keep leaves it');
    const notes = (await listJournal(sql, { accountId: ACCOUNTS.square, limit: 5 })).map((e) => e.note);
    assert.ok(notes.includes('unmapped; shop row set to 0') && notes.includes('unmapped; shop row left as it was'), JSON.stringify(notes));
    const items = (await (await api(`/api/items/${ACCOUNTS.square}`)).json()) as Array<{ item_ecommerce_id: string }>;
    assert.ok(!items.some((i) => i.item_ecommerce_id === '4' || i.item_ecommerce_id === '5'));
  });
});
