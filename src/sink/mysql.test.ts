import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type mysql from 'mysql2/promise';
import { DEFAULT_SINK_TABLE } from '../config/types.ts';
import { openSink } from './open.ts';
import { SinkError } from './common.ts';
import { defineSinkSuite } from '../../test/support/sink-suite.ts';
import { CuttableProxy, MYSQL, originalMysqlDdl, requireMariadb, uniqueName } from '../../test/support/sink.ts';

let admin: mysql.Connection;
before(async () => {
  admin = await requireMariadb();
});

const exec = async (sql: string) => {
  const [rows] = await admin.query(sql);
  return Array.isArray(rows) ? (rows as Array<Record<string, unknown>>) : [];
};

defineSinkSuite({
  label: 'mariadb',
  exec,
  quote: (n) => `\`${n}\``,
  createOriginal: async (name) => void (await exec(originalMysqlDdl(name))),
  countWrites: async (name) => {
    await exec(`CREATE TABLE \`${name}_w\` (n INT NOT NULL)`);
    await exec(`INSERT INTO \`${name}_w\` VALUES (0)`);
    // MySQL fires row triggers for every matched row, changed or not: a strict witness.
    await exec(`CREATE TRIGGER \`${name}_t\` AFTER UPDATE ON \`${name}\` FOR EACH ROW UPDATE \`${name}_w\` SET n = n + 1`);
    return async () => Number((await exec(`SELECT n FROM \`${name}_w\``))[0]!.n);
  },
  open: (table, options) => openSink(MYSQL, table, {}, options),
  drop: async (name) => {
    await exec(`DROP TABLE IF EXISTS \`${name}\`, \`${name}_w\``);
  },
});

test('mariadb: a config parsed from an ADO.NET string opens, and describe() hides the password', async () => {
  // From "Server=127.0.0.1;Port=3306;Database=test;Uid=root;Pwd=;" (parsing is the config loader's job).
  const sink = await openSink({ kind: 'mysql', host: '127.0.0.1', port: 3306, database: 'test', user: 'root', password: '' }, DEFAULT_SINK_TABLE, {}, { createIfMissing: true });
  try {
    assert.equal(sink.describe(), 'mysql://root@127.0.0.1:3306/test (table stock)');
  } finally {
    await sink.close();
    await exec('DROP TABLE IF EXISTS stock');
  }
});

test('mariadb: a wrong password fails clearly, without the password', async () => {
  const password = 'Wr0ng-S3cret-Pw';
  await assert.rejects(openSink({ ...MYSQL, password }, DEFAULT_SINK_TABLE, {}), (err: Error) => {
    assert.ok(err instanceof SinkError);
    assert.match(err.message, /^sink open failed on mysql:\/\/root@127\.0\.0\.1:3306\/test: Access denied/);
    assert.ok(!err.message.includes(password) && !JSON.stringify(err).includes(password));
    return true;
  });
});

test('mariadb: an outage throws a clear error and loses nothing once the server is back', async () => {
  const proxy = new CuttableProxy(MYSQL.port);
  await proxy.start();
  const name = uniqueName('stock');
  await exec(originalMysqlDdl(name));
  const sink = await openSink({ ...MYSQL, port: proxy.port }, { ...DEFAULT_SINK_TABLE, name }, {});
  try {
    await sink.upsertItem({ ecommerceId: '1', posItemId: 'p', accountId: 'a', description: 'd', limitQuantity: 0, quantity: 1 });
    await proxy.stop();
    await assert.rejects(sink.writeQuantities([{ ecommerceId: '1', quantity: 5 }]), (err: Error) => {
      assert.ok(err instanceof SinkError);
      assert.match(err.message, new RegExp(`^sink write failed on mysql://root@127\\.0\\.0\\.1:${proxy.port}/test: `));
      return true;
    });
    await proxy.start();
    // The caller retries the same rows later; they land.
    assert.deepEqual(await sink.writeQuantities([{ ecommerceId: '1', quantity: 5 }]), { changed: 1 });
    assert.deepEqual(await sink.readQuantities(['1']), new Map([['1', 5]]));
  } finally {
    await sink.close();
    await proxy.stop();
    await exec(`DROP TABLE IF EXISTS \`${name}\``);
  }
});

test('mariadb: a latin1 table with a text id and differently cased column names', async () => {
  const name = uniqueName('stock_latin1');
  await exec(`CREATE TABLE \`${name}\` (id INT AUTO_INCREMENT PRIMARY KEY, idProductPOS VARCHAR(50), idProductEcommerce VARCHAR(50), quantity DECIMAL(10,2),
    accountID VARCHAR(20), description TEXT, limitQuantity SMALLINT, KEY (idProductEcommerce)) DEFAULT CHARSET=latin1`);
  const columns = { ...DEFAULT_SINK_TABLE.columns, posItemId: 'IDPRODUCTPOS', ecommerceId: 'idproductecommerce' };
  const sink = await openSink(MYSQL, { name, columns }, {});
  try {
    await sink.upsertItem({ ecommerceId: 'Café-1', posItemId: 'x', accountId: 'a', description: 'é', limitQuantity: 0, quantity: 2 });
    // A utf8mb4 parameter against a latin1 column would be an "Illegal mix of collations" in the join.
    assert.deepEqual(await sink.writeQuantities([{ ecommerceId: 'Café-1', quantity: 3 }, { ecommerceId: 'zz', quantity: 1 }]), { changed: 1 });
    assert.deepEqual(await sink.writeQuantities([{ ecommerceId: 'Café-1', quantity: 3 }]), { changed: 0 });
    assert.deepEqual(await sink.readQuantities(['Café-1']), new Map([['Café-1', 3]]));
  } finally {
    await sink.close();
    await exec(`DROP TABLE \`${name}\``);
  }
});

// Registered last so it runs after the suite's cleanup, which still needs the connection.
after(async () => {
  await admin?.end();
});
