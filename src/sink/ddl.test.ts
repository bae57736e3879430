import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_SINK_TABLE } from '../config/types.ts';
import { shopTableDdl } from './ddl.ts';

const OPERATIONS = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');

test('docs/operations.md gives the exact CREATE TABLE that migrate --sink runs, for both dialects', () => {
  const blocks = [...OPERATIONS.matchAll(/```sql\n([\s\S]*?)\n```/g)].map((m) => m[1]);
  const mysql = shopTableDdl({ kind: 'mysql', host: 'h', port: 3306, user: 'u', password: '', database: 'd' }, DEFAULT_SINK_TABLE);
  const postgres = shopTableDdl({ kind: 'postgres', connectionString: 'postgres://h/d' }, DEFAULT_SINK_TABLE);
  assert.ok(blocks.includes(mysql), `MySQL DDL in the docs differs from:\n${mysql}`);
  assert.ok(blocks.includes(postgres), `PostgreSQL DDL in the docs differs from:\n${postgres}`);
});

test('the DDL follows the configured table and column names', () => {
  const table = { name: 'shop.levels', columns: { ...DEFAULT_SINK_TABLE.columns, quantity: 'qty' } };
  const ddl = shopTableDdl({ kind: 'postgres', connectionString: 'postgres://h/d' }, table);
  assert.match(ddl, /CREATE TABLE IF NOT EXISTS "shop"\."levels"/);
  assert.match(ddl, /"qty" integer NOT NULL DEFAULT 0/);
});
