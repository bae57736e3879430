import assert from 'node:assert/strict';
import { test } from 'node:test';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { startPossync } from '../../src/main.ts';
import { ACCOUNTS, readmeConfig, startSimulators, type CatalogMaker } from '../support/readme-setup.ts';
import { freshMariadbStockTable, freshPostgresDatabase, MARIADB_TEST_CONNECTION } from '../support/databases.ts';
import { waitUntil } from '../support/wait.ts';
import { possyncCli } from '../support/server-process.ts';

/**
 * Auto-match (issue 10): the shop table's own SKU column, on a real PostgreSQL and a real MariaDB
 * shop database, matched to a Square catalog: a preview that writes nothing, then the same run
 * applied through the CLI, a re-run that changes nothing, and every shop row not matched reported
 * with its reason (blank, ambiguous on either side, not found), never guessed.
 */
const pad = (n: number) => String(n).padStart(4, '0');
const onHandOf = (i: number) => (i % 9) + 1;

/** 40 items; items 33 and 34 share a SKU. */
const catalog: CatalogMaker = (locations, itemId) =>
  Array.from({ length: 40 }, (_, i) => ({
    id: itemId(i),
    name: `Auto Item ${pad(i + 1)}`,
    sku: i === 32 || i === 33 ? 'DUP-SKU' : `SKU-${pad(i + 1)}`,
    priceCents: 300,
    stock: { [locations[0]!]: onHandOf(i) },
  }));

/** The shop's rows: [e-commerce id, its SKU cell, its account cell]. */
const SHOP_ROWS: Array<[number, string | null, string]> = [
  ...Array.from({ length: 20 }, (_, i): [number, string | null, string] => [i + 1, ` SKU-${pad(i + 1)} `, '']),
  [21, 'DUP-SKU', ''], // two POS items have it
  [22, 'SKU-0030', ''], // two shop rows give it…
  [23, 'sku-0030', ''], // …(SKUs compare case-insensitively)
  [24, '', ''], // blank
  [25, null, ''], // NULL
  [26, 'SKU-9999', ''], // no POS item has it
  [27, 'SKU-0031', 'another-account'], // filed under another account: left out
  [28, 'SKU-0035', ''], // one e-commerce id, two different SKUs
  [28, 'SKU-0036', ''],
];
const EXPECTED: Record<string, string> = {
  ...Object.fromEntries(Array.from({ length: 20 }, (_, i) => [String(i + 1), 'mapped'])),
  21: 'ambiguous',
  22: 'ambiguous',
  23: 'ambiguous',
  24: 'invalid',
  25: 'invalid',
  26: 'not_found',
  28: 'invalid',
};

interface ShopDb {
  env: Record<string, string>;
  exec(sql: string): Promise<Array<Record<string, unknown>>>;
  table: string;
  cleanup(): Promise<void>;
}

const SHOP_DBS: Record<string, () => Promise<ShopDb>> = {
  PostgreSQL: async () => {
    const db = await freshPostgresDatabase();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    // The original table as ported to PostgreSQL unquoted (lower-case names), plus the shop's SKU column.
    await client.query(`create table stock (id serial primary key, idProductPOS varchar(255) not null, idProductEcommerce integer not null,
      quantity integer not null default 0, accountID varchar(255) not null, description varchar(255), limitQuantity integer not null default 0, ShopSku varchar(64))`);
    return {
      env: { POSSYNC__ecommerceDatabaseConnectionString: db.url },
      exec: async (sql) => (await client.query(sql)).rows,
      table: 'stock',
      cleanup: async () => {
        await client.end();
        await db.drop();
      },
    };
  },
  MariaDB: async () => {
    const shop = await freshMariadbStockTable();
    const connection = await mysql.createConnection({ host: '127.0.0.1', port: 3306, user: 'root', password: '', database: 'test' });
    await connection.query(`alter table ${shop.table} add column ShopSku varchar(64) null`);
    return {
      env: { POSSYNC__ecommerceDatabaseConnectionString: MARIADB_TEST_CONNECTION, POSSYNC__EcommerceTable__Name: shop.table },
      exec: async (sql) => {
        const [rows] = await connection.query(sql);
        return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
      },
      table: shop.table,
      cleanup: async () => {
        await connection.end();
        await shop.drop();
      },
    };
  },
};

interface TaskJson {
  state: string;
  progress: { done: number; total: number; stage: string };
  report: Array<{ item_ecommerce_id: string; status: string; reason?: string; item_pos_id?: string }> | null;
  error: string | null;
}

for (const [label, makeShop] of Object.entries(SHOP_DBS)) {
  test(`auto-match by the shop table's SKU column, ${label} shop database`, { timeout: 300_000 }, async (t) => {
    const sims = await startSimulators({}, { square: catalog });
    t.after(() => sims.close());
    const core = await freshPostgresDatabase();
    t.after(() => core.drop());
    const shop = await makeShop();
    t.after(() => shop.cleanup());
    const values = SHOP_ROWS.map(([id, sku, account]) => `('', ${id}, 0, '${account}', 'shop item ${id}', 0, ${sku === null ? 'NULL' : `'${sku}'`})`);
    await shop.exec(`insert into ${shop.table} (idProductPOS, idProductEcommerce, quantity, accountID, description, limitQuantity, ShopSku) values ${values.join(', ')}`);
    const snapshot = async () => JSON.stringify(await shop.exec(`select * from ${shop.table} order by id`));

    const config = await readmeConfig(sims, { POSSYNC__hangfireDatabaseConnectionString: core.url, POSSYNC__EcommerceTable__Columns__Sku: 'ShopSku', ...shop.env });
    const possync = await startPossync(config, { log: () => {} });
    t.after(() => possync.close());
    const api = (path: string) => fetch(`${possync.url}${path}`, { method: 'POST' });
    const mappings = async () => (await possync.core.sql.query<{ n: number }>('select count(*)::int as n from mappings')).rows[0]!.n;

    // Preview: a job with progress, the report of every shop row, nothing written.
    const shopBefore = await snapshot();
    const started = await api(`/api/items/auto-match?account_id=${ACCOUNTS.square}&by=sku&dry_run=true`);
    assert.equal(started.status, 202, await started.clone().text());
    const location = started.headers.get('location')!;
    const preview = await waitUntil('the preview to finish', async () => {
      const body = (await (await fetch(`${possync.url}${location}`)).json()) as TaskJson;
      return body.state === 'done' || body.state === 'failed' ? body : undefined;
    });
    assert.equal(preview.state, 'done', preview.error ?? '');
    assert.equal(preview.progress.total, Object.keys(EXPECTED).length);
    assert.deepEqual(Object.fromEntries(preview.report!.map((r) => [r.item_ecommerce_id, r.status])), EXPECTED);
    for (const r of preview.report!) if (r.status !== 'mapped') assert.ok(r.reason, `${r.item_ecommerce_id} says why`);
    assert.match(preview.report!.find((r) => r.item_ecommerce_id === '28')!.reason!, /several skus/);
    assert.match(preview.report!.find((r) => r.item_ecommerce_id === '24')!.reason!, /blank/);
    assert.equal(await mappings(), 0, 'the preview mapped nothing');
    assert.equal(await snapshot(), shopBefore, 'and wrote nothing to the shop table');

    // Apply through the CLI: the same report, the mappings made, the shop rows filled in.
    const run = await possyncCli(['items', 'auto-match', '--account', ACCOUNTS.square, '--by', 'sku', '--url', possync.url]);
    assert.equal(run.code, 1, `some shop rows do not map: exit 1\n${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /^27 rows: 20 mapped, 1 not found, 3 ambiguous, 3 invalid$/m, run.stdout);
    assert.equal(await mappings(), 20);
    const filled = await shop.exec(`select idProductEcommerce as e, idProductPOS as p, accountID as a, quantity as q from ${shop.table} where idProductEcommerce <= 20 order by idProductEcommerce`);
    assert.deepEqual(
      filled.map((r) => [Number(r.e ?? r.idproductecommerce), r.a ?? r.accountid, Number(r.q ?? r.quantity)]),
      Array.from({ length: 20 }, (_, i) => [i + 1, ACCOUNTS.square, onHandOf(i)]),
    );
    assert.ok(filled.every((r) => String(r.p ?? r.idproductpos).startsWith('VARIATION')), 'each shop row names its POS item');
    const rows = await shop.exec(`select count(*) as n from ${shop.table}`);
    assert.equal(Number(rows[0]!.n), SHOP_ROWS.length, 'existing shop rows were updated, none added');

    // Again: every matched row is unchanged and nothing is written.
    const shopAfter = await snapshot();
    const again = (await (await api(`/api/items/auto-match?account_id=${ACCOUNTS.square}&by=sku&wait=true`)).json()) as TaskJson;
    assert.deepEqual(
      Object.fromEntries(again.report!.map((r) => [r.item_ecommerce_id, r.status])),
      Object.fromEntries(Object.entries(EXPECTED).map(([id, s]) => [id, s === 'mapped' ? 'unchanged' : s])),
    );
    assert.equal(await snapshot(), shopAfter);

    // What cannot run says why.
    const noBarcode = await api(`/api/items/auto-match?account_id=${ACCOUNTS.square}&by=barcode`);
    assert.equal(noBarcode.status, 400);
    assert.match(await noBarcode.text(), /no barcode column configured/);
    assert.equal((await api('/api/items/auto-match?account_id=nobody&by=sku')).status, 404);
  });
}
