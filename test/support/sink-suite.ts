/**
 * The behaviour every sink dialect must show, run by mysql.test.ts, postgres.test.ts and
 * embedded.test.ts against a real database each (not a test file itself).
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SINK_TABLE, type SinkTableConfig } from '../../src/config/types.ts';
import type { Sink } from '../../src/sink/sink.ts';
import type { SinkOptions } from '../../src/sink/common.ts';
import { uniqueName } from './sink.ts';

export interface SinkHarness {
  label: string;
  /** Raw SQL on the same database, outside the sink. */
  exec(sql: string): Promise<Array<Record<string, unknown>>>;
  quote(name: string): string;
  createOriginal(name: string): Promise<void>;
  /** Installs an AFTER UPDATE row trigger; returns how many row updates it has seen. */
  countWrites(name: string): Promise<() => Promise<number>>;
  open(table: SinkTableConfig, options?: SinkOptions): Promise<Sink>;
  drop(name: string): Promise<void>;
}

const original = (name: string): SinkTableConfig => ({ ...DEFAULT_SINK_TABLE, name });

/** Items 1..n with quantity 0, inserted straight into the original table. */
async function seed(h: SinkHarness, name: string, n: number): Promise<void> {
  const values = Array.from({ length: n }, (_, i) => `('p${i + 1}', ${i + 1}, 0, 'acc-1', 'item ${i + 1}', 0)`);
  await h.exec(`INSERT INTO ${name} (idProductPOS, idProductEcommerce, quantity, accountID, description, limitQuantity) VALUES ${values.join(', ')}`);
}

export function defineSinkSuite(h: SinkHarness): void {
  const created: string[] = [];
  const sinks: Sink[] = [];
  const newTable = () => {
    const name = uniqueName('stock');
    created.push(name);
    return name;
  };
  const open = async (table: SinkTableConfig, options?: SinkOptions) => {
    const sink = await h.open(table, options);
    sinks.push(sink);
    return sink;
  };
  after(async () => {
    for (const s of sinks) await s.close().catch(() => {});
    for (const name of created) await h.drop(name);
  });

  test(`${h.label}: the original stock table works as is`, async () => {
    const name = newTable();
    await h.createOriginal(name);
    const sink = await open(original(name));
    assert.match(sink.describe(), new RegExp(`\\(table ${name}\\)$`));
    await sink.upsertItem({ ecommerceId: '42', posItemId: 'SQ-VAR-1', accountId: 'acc-1', description: 'Blue mug', limitQuantity: 2, quantity: 7 });
    await sink.upsertItem({ ecommerceId: '43', posItemId: 'SQ-VAR-2', accountId: 'acc-1', description: 'Red mug', limitQuantity: 0, quantity: 0 });
    assert.deepEqual(await sink.writeQuantities([{ ecommerceId: '42', quantity: 5 }, { ecommerceId: '43', quantity: 0 }]), { changed: 1 });
    assert.deepEqual(await sink.readQuantities(['42', '43', '44']), new Map([['42', 5], ['43', 0]]));
    const rows = await h.exec(`SELECT id, idProductPOS AS pos, idProductEcommerce AS ecom, quantity AS q, accountID AS acc, description AS d, limitQuantity AS l FROM ${name} ORDER BY id`);
    assert.deepEqual(rows.map((r) => [Number(r.ecom), r.pos, r.acc, r.d, Number(r.l), Number(r.q)]), [
      [42, 'SQ-VAR-1', 'acc-1', 'Blue mug', 2, 5],
      [43, 'SQ-VAR-2', 'acc-1', 'Red mug', 0, 0],
    ]);
  });

  test(`${h.label}: only changed rows are written, in batches, idempotently`, async () => {
    const name = newTable();
    await h.createOriginal(name);
    await seed(h, name, 1200);
    const writes = await h.countWrites(name);
    const sink = await open(original(name), { batchSize: 500 });
    const all = (f: (i: number) => number) => Array.from({ length: 1200 }, (_, i) => ({ ecommerceId: String(i + 1), quantity: f(i + 1) }));

    assert.deepEqual(await sink.writeQuantities(all((i) => i % 7)), { changed: 1200 - Math.floor(1200 / 7) }, 'rows already at 0 stay untouched');
    const afterFirst = await writes();
    assert.equal(afterFirst, 1200 - Math.floor(1200 / 7));
    assert.deepEqual(await sink.writeQuantities(all((i) => i % 7)), { changed: 0 }, 'same values again change nothing');
    assert.equal(await writes(), afterFirst, 'and no row was even updated (the trigger did not fire)');
    const three = all((i) => i % 7).map((r) => (['5', '600', '1199'].includes(r.ecommerceId) ? { ...r, quantity: 1000 } : r));
    assert.deepEqual(await sink.writeQuantities(three), { changed: 3 });
    assert.equal(await writes(), afterFirst + 3);

    const read = await sink.readQuantities(three.map((r) => r.ecommerceId));
    assert.equal(read.size, 1200);
    for (const r of three) assert.equal(read.get(r.ecommerceId), r.quantity, `quantity of ${r.ecommerceId}`);
  });

  test(`${h.label}: numeric id column takes string ids safely; duplicates in one call: last wins`, async () => {
    const name = newTable();
    await h.createOriginal(name);
    await seed(h, name, 10);
    const sink = await open(original(name));
    const res = await sink.writeQuantities([
      { ecommerceId: '007', quantity: 70 },
      { ecommerceId: '7abc', quantity: 99 }, // would be compared as 7 by MySQL: must not match
      { ecommerceId: 'abc', quantity: 99 },
      { ecommerceId: '3', quantity: 1 },
      { ecommerceId: '3', quantity: 30 },
    ]);
    assert.deepEqual(res, { changed: 2 });
    assert.deepEqual(await sink.readQuantities(['7', '007', '3', 'abc', '7abc']), new Map([['7', 70], ['007', 70], ['3', 30]]));
    await assert.rejects(
      sink.upsertItem({ ecommerceId: 'sku-1', posItemId: 'x', accountId: 'acc-1', description: 'd', limitQuantity: 0, quantity: 1 }),
      /e-commerce id "sku-1" is not a whole number, but column idProductEcommerce is numeric/i,
    );
    await assert.rejects(sink.writeQuantities([{ ecommerceId: '1', quantity: 1.5 }]), /whole number/);
  });

  test(`${h.label}: upsertItem inserts, then updates the same row`, async () => {
    const name = newTable();
    await h.createOriginal(name);
    await seed(h, name, 3);
    const sink = await open(original(name));
    await sink.upsertItem({ ecommerceId: '100', posItemId: 'LS-9', accountId: 'acc-2', description: 'Lamp', limitQuantity: 1, quantity: 4 });
    await sink.upsertItem({ ecommerceId: '100', posItemId: 'LS-10', accountId: 'acc-3', description: 'Lamp, large', limitQuantity: 2, quantity: 6 });
    const rows = await h.exec(`SELECT idProductPOS AS pos, accountID AS acc, description AS d, limitQuantity AS l, quantity AS q FROM ${name} WHERE idProductEcommerce = 100`);
    assert.deepEqual(rows.map((r) => [r.pos, r.acc, r.d, Number(r.l), Number(r.q)]), [['LS-10', 'acc-3', 'Lamp, large', 2, 6]]);
    const count = await h.exec(`SELECT COUNT(*) AS n FROM ${name}`);
    assert.equal(Number(count[0]!.n), 4);
  });

  test(`${h.label}: upsertItems inserts and updates a batch like upsertItem does row by row`, async (t) => {
    const name = newTable();
    await h.createOriginal(name);
    await seed(h, name, 3);
    const sink = await open(original(name));
    if (!sink.upsertItems) return t.skip('this dialect upserts row by row');
    const row = (id: number, q: number) => ({ ecommerceId: String(id), posItemId: `P-${id}`, accountId: 'acc-9', description: `Item ${id}`, limitQuantity: 1, quantity: q });
    // 2 is an existing row (seeded), 500 and 501 are new; 501 twice: the last one wins.
    await sink.upsertItems([row(2, 20), row(500, 5), row(501, 1), row(501, 6)]);
    const rows = await h.exec(`SELECT idProductEcommerce AS e, idProductPOS AS pos, accountID AS acc, limitQuantity AS l, quantity AS q FROM ${name} WHERE idProductEcommerce IN (2, 500, 501) ORDER BY idProductEcommerce`);
    assert.deepEqual(rows.map((r) => [Number(r.e), r.pos, r.acc, Number(r.l), Number(r.q)]), [
      [2, 'P-2', 'acc-9', 1, 20],
      [500, 'P-500', 'acc-9', 1, 5],
      [501, 'P-501', 'acc-9', 1, 6],
    ]);
    const count = await h.exec(`SELECT COUNT(*) AS n FROM ${name}`);
    assert.equal(Number(count[0]!.n), 5);
    await assert.rejects(sink.upsertItems([row(7, 1), { ...row(8, 1), ecommerceId: 'sku-1' }]), /not a whole number/);
  });

  test(`${h.label}: upsertItems over several batches, twice: the same rows, no duplicates`, async (t) => {
    const name = newTable();
    await h.createOriginal(name);
    await seed(h, name, 4);
    const sink = await open(original(name), { batchSize: 3 });
    if (!sink.upsertItems) return t.skip('this dialect upserts row by row');
    const rows = Array.from({ length: 8 }, (_, i) => ({ ecommerceId: String(i + 1), posItemId: `B-${i + 1}`, accountId: 'acc-b', description: `Item ${i + 1}`, limitQuantity: i, quantity: 10 + i }));
    await sink.upsertItems(rows);
    await sink.upsertItems(rows.map((r) => ({ ...r, quantity: r.quantity + 1 })));
    const read = await h.exec(`SELECT idProductEcommerce AS e, idProductPOS AS pos, limitQuantity AS l, quantity AS q FROM ${name} ORDER BY idProductEcommerce`);
    assert.deepEqual(read.map((r) => [Number(r.e), r.pos, Number(r.l), Number(r.q)]), rows.map((r, i) => [i + 1, `B-${i + 1}`, i, 11 + i]));
  });

  test(`${h.label}: readKeys gives each row's id with its SKU or barcode column, blank as null`, async () => {
    const name = newTable();
    await h.createOriginal(name);
    await h.exec(`ALTER TABLE ${name} ADD COLUMN ShopSku VARCHAR(64) NULL, ADD COLUMN ean BIGINT NULL`);
    await h.exec(
      `INSERT INTO ${name} (idProductPOS, idProductEcommerce, quantity, accountID, description, limitQuantity, ShopSku, ean) VALUES
         ('', 3, 0, '', 'c', 0, ' MUG-1 ', 4006381333931), ('', 1, 0, 'acc-1', 'a', 0, '', NULL), ('', 2, 0, '', 'b', 0, NULL, 12)`,
    );
    const sink = await open({ ...original(name), keyColumns: { sku: 'ShopSku', barcode: 'ean' } });
    assert.deepEqual(await sink.readKeys('sku'), [
      { ecommerceId: '1', key: null, accountId: 'acc-1' },
      { ecommerceId: '2', key: null, accountId: '' },
      { ecommerceId: '3', key: 'MUG-1', accountId: '' },
    ]);
    assert.deepEqual((await sink.readKeys('barcode')).map((r) => [r.ecommerceId, r.key]), [['1', null], ['2', '12'], ['3', '4006381333931']]);
    const plain = await open(original(name));
    await assert.rejects(plain.readKeys('barcode'), /no barcode column configured \(set EcommerceTable\.Columns\.Barcode\)/);
    await assert.rejects(h.open({ ...original(name), keyColumns: { sku: 'Sku2' } }), /has no sku column Sku2/);
    await assert.rejects(h.open({ ...original(name), keyColumns: { barcode: 'ean; --' } }), (err: Error) => err.name === 'SinkConfigError' && /sink barcode column/.test(err.message));
  });

  test(`${h.label}: custom table and column names that need quoting`, async () => {
    const name = `Shop Stock ${newTable()}`;
    created.push(name);
    const table: SinkTableConfig = {
      name,
      columns: { posItemId: 'Item Code', ecommerceId: 'EAN', quantity: 'On Hand', accountId: 'Account', description: 'Label', limitQuantity: 'Min Qty' },
    };
    const sink = await open(table, { createIfMissing: true });
    await sink.upsertItem({ ecommerceId: '0123456789012', posItemId: 'H-1', accountId: 'hib', description: "O'Brien's \"mug\"", limitQuantity: 0, quantity: 3 });
    await sink.upsertItem({ ecommerceId: 'sku-b', posItemId: 'H-2', accountId: 'hib', description: 'b', limitQuantity: 0, quantity: 3 });
    assert.deepEqual(await sink.writeQuantities([{ ecommerceId: '0123456789012', quantity: 9 }, { ecommerceId: 'sku-b', quantity: 3 }]), { changed: 1 });
    // A text id column keeps ids exactly (leading zeros included).
    assert.deepEqual(await sink.readQuantities(['0123456789012', '123456789012', 'sku-b']), new Map([['0123456789012', 9], ['sku-b', 3]]));
    const rows = await h.exec(`SELECT ${h.quote('Label')} AS d, ${h.quote('On Hand')} AS q FROM ${h.quote(name)} WHERE ${h.quote('EAN')} = '0123456789012'`);
    assert.deepEqual(rows.map((r) => [r.d, Number(r.q)]), [["O'Brien's \"mug\"", 9]]);
  });

  test(`${h.label}: names that can't be identifiers are refused before any SQL runs`, async () => {
    await assert.rejects(h.open(original('stock; drop table x')), /sink table name "stock; drop table x" is not a valid SQL identifier/);
    await assert.rejects(
      h.open({ ...DEFAULT_SINK_TABLE, columns: { ...DEFAULT_SINK_TABLE.columns, quantity: 'q"; DROP TABLE stock; --', description: 'a`b' } }),
      (err: Error) => err.name === 'SinkConfigError' && /column quantity/.test(err.message) && /column description/.test(err.message),
    );
  });

  test(`${h.label}: a missing table or column fails at open, naming what is missing`, async () => {
    const name = newTable();
    await assert.rejects(h.open(original(name), { createIfMissing: false }), new RegExp(`table ${name} does not exist`));
    await h.createOriginal(name);
    const table = { name, columns: { ...DEFAULT_SINK_TABLE.columns, quantity: 'qty', limitQuantity: 'minimum' } };
    await assert.rejects(h.open(table), (err: Error) => {
      assert.match(err.message, new RegExp(`table \\S*${name} has no columns qty, minimum`));
      return true;
    });
  });
}
