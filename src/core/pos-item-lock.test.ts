import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncAccounts } from './accounts.ts';
import { MappingConflictError, registerMapping } from './mappings.ts';
import { SourceConflictError, addSource } from './item-sources.ts';
import { insertMappings } from './bulk-mappings.ts';
import { openTestCore, squareAccount } from '../../test/support/core.ts';

/**
 * A POS item bound concurrently as one item's first source and as another's extra source: the two
 * live in different tables, so only the advisory lock (pos-item-lock.ts) keeps both from getting
 * through. On PostgreSQL, whose pool runs the transactions side by side (PGlite has one
 * connection and cannot race).
 */
const ROUNDS = 40;

async function countBindings(sql: { query: (q: string, p?: unknown[]) => Promise<{ rows: Array<{ pos_item_id: string; n: number }> }> }) {
  const { rows } = await sql.query(
    `select pos_item_id, count(*)::int as n from (
       select pos_item_id from mappings where account_id = 'B' union all select pos_item_id from item_sources where account_id = 'B') b
     group by pos_item_id`,
  );
  return new Map(rows.map((r) => [r.pos_item_id, r.n]));
}

test('a POS item registered at once as a first source and as an extra source is bound only once (PostgreSQL)', { timeout: 120_000 }, async (t) => {
  const opened = await openTestCore('postgres');
  t.after(() => opened.dispose());
  const { sql } = opened.core;
  await syncAccounts(sql, [squareAccount('A'), squareAccount('B')]);
  for (let i = 0; i < ROUNDS; i++) await registerMapping(sql, { ecommerceId: `host${i}`, accountId: 'A', posItemId: `a${i}` });

  const refused = (kind: new (...args: never[]) => Error) => (error: unknown) => {
    if (error instanceof kind) return 'refused';
    throw error;
  };
  const outcomes = await Promise.all(
    Array.from({ length: ROUNDS }, (_, i) =>
      Promise.all([
        registerMapping(sql, { ecommerceId: `new${i}`, accountId: 'B', posItemId: `b${i}` }).then(() => 'mapped', refused(MappingConflictError)),
        addSource(sql, { ecommerceId: `host${i}`, accountId: 'B', posItemId: `b${i}` }).then(() => 'source', refused(SourceConflictError)),
        // The bulk import's insert as a third contender (it reports a row it could not insert as a conflict).
        insertMappings(sql, [{ ecommerceId: `bulk${i}`, accountId: 'B', posItemId: `b${i}`, description: '', limitQuantity: 0 }]).then((ids) => (ids.size === 1 ? 'bulk' : 'refused')),
      ]),
    ),
  );
  const bindings = await countBindings(sql);
  for (const [i, round] of outcomes.entries()) {
    assert.equal(round.filter((o) => o !== 'refused').length, 1, `round ${i}: ${round.join(', ')}`);
    assert.equal(bindings.get(`b${i}`), 1, `POS item b${i} is bound ${bindings.get(`b${i}`)} times`);
  }
});
