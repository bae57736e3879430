import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_SINK_TABLE } from '../config/types.ts';
import type { SqlClient } from '../core/sql.ts';
import { openCore, type Core } from '../core/open.ts';
import { openSink } from './open.ts';
import { defineSinkSuite } from '../../test/support/sink-suite.ts';
import { originalPostgresDdl } from '../../test/support/sink.ts';
import { migratedPgliteDir } from '../../test/support/pglite-template.ts';

// The real core database (embedded PGlite, migrated) in a throw-away folder.
const folder = await migratedPgliteDir('possync-sink-');
let opened: Core;
let core: SqlClient;
before(async () => {
  opened = await openCore({ kind: 'pglite', dataDir: folder.path });
  core = opened.sql;
});

const exec = async (sql: string) => (await core.query(sql)).rows;

defineSinkSuite({
  label: 'embedded',
  exec,
  quote: (n) => `"${n}"`,
  createOriginal: async (name) => void (await exec(originalPostgresDdl(name))),
  countWrites: async (name) => {
    await exec(`CREATE TABLE ${name}_w (n int NOT NULL)`);
    await exec(`INSERT INTO ${name}_w VALUES (0)`);
    await exec(`CREATE FUNCTION ${name}_f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN UPDATE ${name}_w SET n = n + 1; RETURN NULL; END $$`);
    await exec(`CREATE TRIGGER ${name}_t AFTER UPDATE ON ${name} FOR EACH ROW EXECUTE FUNCTION ${name}_f()`);
    return async () => Number((await exec(`SELECT n FROM ${name}_w`))[0]!.n);
  },
  open: (table, options) => openSink({ kind: 'embedded' }, table, { core }, options),
  drop: async (name) => {
    await exec(`DROP TABLE IF EXISTS "${name}", "${name}_w"`);
    await exec(`DROP FUNCTION IF EXISTS "${name}_f"()`);
  },
});

test('embedded: creates the original stock table when missing, and close() leaves the core open', async () => {
  const sink = await openSink({ kind: 'embedded' }, DEFAULT_SINK_TABLE, { core });
  assert.equal(sink.describe(), 'embedded core database (table stock)');
  const cols = await exec(`SELECT column_name AS c, data_type AS t FROM information_schema.columns WHERE table_name = 'stock' ORDER BY ordinal_position`);
  assert.deepEqual(cols.map((r) => `${r.c} ${r.t}`), [
    'id integer',
    'idProductPOS character varying',
    'idProductEcommerce character varying',
    'quantity integer',
    'accountID character varying',
    'description character varying',
    'limitQuantity integer',
  ]);
  await sink.upsertItem({ ecommerceId: 'A-1', posItemId: 'p', accountId: 'acc', description: 'd', limitQuantity: 0, quantity: 2 });
  await sink.close();
  const again = await openSink({ kind: 'embedded' }, DEFAULT_SINK_TABLE, { core });
  assert.deepEqual(await again.readQuantities(['A-1']), new Map([['A-1', 2]]), 'reopening keeps the table');
  await exec('DROP TABLE stock');
});

test('embedded: needs the core client', async () => {
  await assert.rejects(openSink({ kind: 'embedded' }, DEFAULT_SINK_TABLE, {}), /needs the core database client/);
});

after(async () => {
  await opened?.close();
  folder.remove();
});
