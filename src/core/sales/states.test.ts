import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { PENDING_STATES, RESERVING_STATES, SALE_STATES, sqlStates } from './states.ts';

/**
 * The sale states are written once, in states.ts; the ledger's SQL is built from them. A migration
 * that has run cannot change, so 003_sales.sql spells the lists out: this keeps it equal to them.
 */
test('the 003_sales.sql check constraint and partial indexes use exactly the states of states.ts', () => {
  const sql = readFileSync(new URL('../migrations/003_sales.sql', import.meta.url), 'utf8');
  assert.ok(sql.includes(`check (state in ${sqlStates(SALE_STATES)})`), 'the state column check lists every state');
  assert.match(sql, new RegExp(`create index sales_pending on sales \\(account_id, seq\\) where state in ${escape(sqlStates(PENDING_STATES))};`));
  assert.match(sql, new RegExp(`create index sales_reserving on sales \\(account_id, ecommerce_id\\) where state in ${escape(sqlStates(RESERVING_STATES))};`));
  const listed = [...sql.matchAll(/state in \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim().replace(/'/g, '')));
  assert.deepEqual(listed.filter((s) => !(SALE_STATES as readonly string[]).includes(s)), [], 'no state the code does not know');
});

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
