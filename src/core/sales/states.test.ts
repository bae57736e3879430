import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { PENDING_STATES, RESERVING_STATES, SALE_STATES, sqlStates } from './states.ts';

/**
 * The sale states are written once, in states.ts; the ledger's SQL is built from them. A migration
 * that has run cannot change, so the migrations spell the lists out: this keeps the newest
 * definition of each (003_sales.sql, then the one that added `incomplete`) equal to them.
 */
const MIGRATIONS = new URL('../migrations/', import.meta.url);
const scripts = readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort().map((f) => readFileSync(new URL(f, MIGRATIONS), 'utf8'));
/** The last statement across all migrations that matches `pattern`. */
const newest = (pattern: RegExp) => scripts.flatMap((sql) => [...sql.matchAll(new RegExp(pattern, 'g'))].map((m) => m[0])).at(-1) ?? '';

test('the migrations\' newest state check and partial indexes use exactly the states of states.ts', () => {
  assert.equal(newest(/check \(state in \([^)]*\)\)/), `check (state in ${sqlStates(SALE_STATES)})`, 'the state column check lists every state');
  assert.equal(newest(/create index sales_pending on sales \(account_id, seq\) where state in \([^)]*\);/), `create index sales_pending on sales (account_id, seq) where state in ${sqlStates(PENDING_STATES)};`);
  assert.equal(newest(/create index sales_reserving on sales \(account_id, ecommerce_id\) where state in \([^)]*\);/), `create index sales_reserving on sales (account_id, ecommerce_id) where state in ${sqlStates(RESERVING_STATES)};`);
  const listed = scripts.join('\n').match(/state in \(([^)]*)\)/g)!.flatMap((m) => m.slice('state in ('.length, -1).split(',').map((s) => s.trim().replace(/'/g, '')));
  assert.deepEqual(listed.filter((s) => !(SALE_STATES as readonly string[]).includes(s) && !['queued', 'running', 'done'].includes(s)), [], 'no sale state the code does not know');
});
