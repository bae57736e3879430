import type { AccountConfig } from '../pos/accounts.ts';
import type { SqlQueryable } from './sql.ts';

/**
 * Accounts mirror the config: upserted at start so mappings and runs can reference them. An account
 * dropped from the config is kept (its mappings and history stay readable), never deleted here.
 */

export interface AccountRow {
  id: string;
  name: string;
  pos: AccountConfig['connection']['pos'];
  createdAt: Date;
}

const UPSERT = `
  insert into accounts (id, name, pos)
  select * from unnest($1::text[], $2::text[], $3::text[])
  on conflict (id) do update
    set name = excluded.name, pos = excluded.pos, updated_at = now()
    where (accounts.name, accounts.pos) is distinct from (excluded.name, excluded.pos)`;

export async function syncAccounts(sql: SqlQueryable, accounts: readonly AccountConfig[]): Promise<void> {
  if (accounts.length === 0) return;
  await sql.query(UPSERT, [accounts.map((a) => a.id), accounts.map((a) => a.name), accounts.map((a) => a.connection.pos)]);
}

export async function listAccounts(sql: SqlQueryable): Promise<AccountRow[]> {
  const { rows } = await sql.query<{ id: string; name: string; pos: AccountRow['pos']; created_at: Date }>(
    'select id, name, pos, created_at from accounts order by id',
  );
  return rows.map((row) => ({ id: row.id, name: row.name, pos: row.pos, createdAt: row.created_at }));
}
