import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type pg from 'pg';
import { DEFAULT_SINK_TABLE } from '../config/types.ts';
import { openSink } from './open.ts';
import { SinkError } from './common.ts';
import { describePostgres } from './postgres.ts';
import { defineSinkSuite } from '../../test/support/sink-suite.ts';
import { CuttableProxy, PG_URL, originalPostgresDdl, requirePostgres, uniqueName } from '../../test/support/sink.ts';

let admin: pg.Client;
before(async () => {
  admin = await requirePostgres();
});

const exec = async (sql: string) => (await admin.query(sql)).rows as Array<Record<string, unknown>>;

defineSinkSuite({
  label: 'postgres',
  exec,
  quote: (n) => `"${n}"`,
  createOriginal: async (name) => void (await exec(originalPostgresDdl(name))),
  countWrites: async (name) => {
    await exec(`CREATE TABLE ${name}_w (n int NOT NULL); INSERT INTO ${name}_w VALUES (0)`);
    await exec(`CREATE FUNCTION ${name}_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE ${name}_w SET n = n + 1; RETURN NULL; END $$`);
    await exec(`CREATE TRIGGER ${name}_t AFTER UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION ${name}_f()`);
    return async () => Number((await exec(`SELECT n FROM ${name}_w`))[0]!.n);
  },
  open: (table, options) => openSink({ kind: 'postgres', connectionString: PG_URL }, table, {}, options),
  drop: async (name) => {
    await exec(`DROP TABLE IF EXISTS "${name}", "${name}_w"; DROP FUNCTION IF EXISTS "${name}_f"()`);
  },
});

test('postgres: describe() never shows the password, whatever the connection string form', () => {
  assert.deepEqual(describePostgres('postgres://shop:p%40ss@db.example:6543/ecommerce?sslmode=require'), {
    target: 'postgres://shop@db.example:6543/ecommerce',
    secret: 'p@ss',
  });
  assert.deepEqual(describePostgres("host=db.example port=5433 dbname=shop user=sync password='hunter2'"), {
    target: 'postgres://sync@db.example:5433/shop',
    secret: 'hunter2',
  });
});

test('postgres: bad credentials fail clearly, without the password', async () => {
  const password = 'Wr0ng-S3cret-Pw';
  // The local server trusts 127.0.0.1, so an unknown role stands in for a refused login.
  await assert.rejects(openSink({ kind: 'postgres', connectionString: `postgres://nobody_${process.pid}:${password}@127.0.0.1:5432/test` }, DEFAULT_SINK_TABLE, {}), (err: Error) => {
    assert.ok(err instanceof SinkError);
    assert.match(err.message, new RegExp(`^sink open failed on postgres://nobody_${process.pid}@127\\.0\\.0\\.1:5432/test: role "nobody_\\d+" does not exist`));
    assert.ok(!err.message.includes(password) && !JSON.stringify(err).includes(password));
    return true;
  });
});

test('postgres: an outage throws a clear error and loses nothing once the server is back', async () => {
  const proxy = new CuttableProxy(5432);
  await proxy.start();
  const name = uniqueName('stock');
  await exec(originalPostgresDdl(name));
  const sink = await openSink({ kind: 'postgres', connectionString: `postgres://postgres:pw@127.0.0.1:${proxy.port}/test` }, { ...DEFAULT_SINK_TABLE, name }, {});
  try {
    await sink.upsertItem({ ecommerceId: '1', posItemId: 'p', accountId: 'a', description: 'd', limitQuantity: 0, quantity: 1 });
    await proxy.stop();
    await assert.rejects(sink.writeQuantities([{ ecommerceId: '1', quantity: 5 }]), (err: Error) => {
      assert.ok(err instanceof SinkError);
      assert.match(err.message, new RegExp(`^sink write failed on postgres://postgres@127\\.0\\.0\\.1:${proxy.port}/test: `));
      assert.ok(!err.message.includes(':pw@'));
      return true;
    });
    await proxy.start();
    assert.deepEqual(await sink.writeQuantities([{ ecommerceId: '1', quantity: 5 }]), { changed: 1 });
    assert.deepEqual(await sink.readQuantities(['1']), new Map([['1', 5]]));
  } finally {
    await sink.close();
    await proxy.stop();
    await exec(`DROP TABLE IF EXISTS ${name}`);
  }
});

after(async () => {
  await admin?.end();
});
