import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { DEFAULT_SINK_TABLE } from '../config/types.ts';
import { openCore, type Core } from '../core/open.ts';
import { createTestDatabase, type TestDatabase } from '../../test/support/core.ts';
import { openSink } from './open.ts';

/**
 * Hole 9 of issue 14: instances starting together on an empty PostgreSQL all create the embedded
 * shop table. Before: one of them could die on pg_type's unique index, and every start left two
 * identical unnamed indexes on `stock`.
 */
let db: TestDatabase;
const cores: Core[] = [];
before(async () => {
  db = await createTestDatabase();
});
after(async () => {
  for (const core of cores) await core.close();
  await db.drop();
});

async function indexesOnStock(core: Core): Promise<string[]> {
  const { rows } = await core.sql.query<{ name: string }>(
    `SELECT indexname AS name FROM pg_indexes WHERE tablename = 'stock' AND indexdef NOT LIKE '%UNIQUE%' ORDER BY indexname`,
  );
  return rows.map((r) => r.name);
}

test('six instances opening the embedded shop table together on a fresh PostgreSQL: all start, one table, one index', { timeout: 300_000 }, async () => {
  const opened = await Promise.all(Array.from({ length: 6 }, () => openCore({ kind: 'postgres', connectionString: db.connectionString })));
  cores.push(...opened);
  const results = await Promise.allSettled(opened.map((core) => openSink({ kind: 'embedded' }, DEFAULT_SINK_TABLE, { core: core.sql })));
  const failures = results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason));
  assert.deepEqual(failures, [], 'every instance opened the table');
  assert.deepEqual(await indexesOnStock(opened[0]!), ['stock_idProductEcommerce_idx']);
  for (const r of results) if (r.status === 'fulfilled') await r.value.close();
});

test('duplicate indexes an older version left on the embedded table are dropped at open', async () => {
  const core = cores[0]!;
  await core.sql.exec('DROP TABLE IF EXISTS stock');
  // What two racing older versions did: one table, then an unnamed index each.
  await core.sql.exec(`CREATE TABLE stock ("id" serial PRIMARY KEY, "idProductPOS" varchar(255) NOT NULL, "idProductEcommerce" varchar(255) NOT NULL,
    "quantity" integer NOT NULL DEFAULT 0, "accountID" varchar(255), "description" varchar(255), "limitQuantity" integer NOT NULL DEFAULT 0)`);
  await core.sql.exec('CREATE INDEX ON stock ("idProductEcommerce"); CREATE INDEX ON stock ("idProductEcommerce"); CREATE INDEX ON stock ("idProductEcommerce")');
  // An index the shop made itself, under its own name, is left alone.
  await core.sql.exec('CREATE INDEX shop_own_index ON stock ("idProductEcommerce")');
  assert.equal((await indexesOnStock(core)).length, 4);
  const sink = await openSink({ kind: 'embedded' }, DEFAULT_SINK_TABLE, { core: core.sql });
  await sink.close();
  assert.deepEqual(await indexesOnStock(core), ['shop_own_index', 'stock_idProductEcommerce_idx']);
});
