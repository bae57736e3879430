import type { SqlQueryable } from './sql.ts';

/**
 * The stock journal (rule 6): one row per change of an item's quantity, with its cause and the
 * run or sale behind it. Written in the same transaction as the change itself.
 */

export type JournalCause = 'poll' | 'sale' | 'webhook' | 'manual' | 'register' | 'revert';

export interface JournalEntryInput {
  ecommerceId: string;
  accountId: string;
  /** Available (what the shop sees) before and after; null = unknown. */
  before: number | null;
  after: number | null;
  onHandBefore: number | null;
  onHandAfter: number | null;
  cause: JournalCause;
  runId?: number | null;
  saleId?: string | null;
  /** What an operator did (a changed floor, an unmapping), or why a count is not what the POS said (clamped). */
  note?: string | null;
  /** The POS event(s) behind a change a webhook brought (comma-separated when coalesced). */
  eventId?: string | null;
}

/** A change of one item's quantities, as polls, webhooks and reverts produce them. */
export interface QuantityChange {
  ecommerceId: string;
  posItemId?: string;
  before: number | null;
  after: number | null;
  onHandBefore: number | null;
  onHandAfter: number | null;
  note?: string | null;
}

/** Journals changes that share an account, a cause and a run; event ids are looked up by POS item. */
export async function recordChanges(
  sql: SqlQueryable,
  changes: readonly QuantityChange[],
  context: { accountId: string; cause: JournalCause; runId: number | null; eventIds?: ReadonlyMap<string, string> | undefined; note?: string },
): Promise<void> {
  await recordJournal(
    sql,
    changes.map((change) => ({
      ecommerceId: change.ecommerceId,
      accountId: context.accountId,
      before: change.before,
      after: change.after,
      onHandBefore: change.onHandBefore,
      onHandAfter: change.onHandAfter,
      cause: context.cause,
      runId: context.runId,
      eventId: change.posItemId === undefined ? null : context.eventIds?.get(change.posItemId) ?? null,
      note: change.note ?? context.note ?? null,
    })),
  );
}

export interface JournalEntry extends Required<JournalEntryInput> {
  id: number;
  at: Date;
}

const INSERT = `
  insert into stock_journal (ecommerce_id, account_id, before, after, on_hand_before, on_hand_after, cause, run_id, sale_id, note, event_id)
  select * from unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[], $6::int[], $7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[])`;

export async function recordJournal(sql: SqlQueryable, entries: readonly JournalEntryInput[]): Promise<void> {
  if (entries.length === 0) return;
  const column = <K extends keyof JournalEntryInput>(key: K) => entries.map((entry) => entry[key] ?? null);
  await sql.query(INSERT, [
    column('ecommerceId'),
    column('accountId'),
    column('before'),
    column('after'),
    column('onHandBefore'),
    column('onHandAfter'),
    column('cause'),
    column('runId'),
    column('saleId'),
    column('note'),
    column('eventId'),
  ]);
}

export interface JournalQuery {
  ecommerceId?: string;
  accountId?: string;
  runId?: number;
  /** Entries with an id below this one (paging backwards through history). */
  beforeId?: number;
  /** Default 100, at most 1000. */
  limit?: number;
}

interface JournalRow {
  id: string | number;
  ecommerce_id: string;
  account_id: string;
  before: number | null;
  after: number | null;
  on_hand_before: number | null;
  on_hand_after: number | null;
  cause: JournalCause;
  run_id: string | number | null;
  sale_id: string | null;
  note: string | null;
  event_id: string | null;
  at: Date;
}

// Each filter is optional: a null parameter switches it off, so one statement serves every query.
const LIST = `
  select id, ecommerce_id, account_id, before, after, on_hand_before, on_hand_after, cause, run_id, sale_id, note, event_id, at
  from stock_journal
  where ($1::text is null or ecommerce_id = $1)
    and ($2::text is null or account_id = $2)
    and ($3::bigint is null or run_id = $3)
    and ($4::bigint is null or id < $4)
  order by id desc
  limit $5`;

/** Latest first. */
export async function listJournal(sql: SqlQueryable, query: JournalQuery = {}): Promise<JournalEntry[]> {
  const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? 100)), 1000);
  const { rows } = await sql.query<JournalRow>(LIST, [query.ecommerceId ?? null, query.accountId ?? null, query.runId ?? null, query.beforeId ?? null, limit]);
  return rows.map((row) => ({
    id: Number(row.id),
    ecommerceId: row.ecommerce_id,
    accountId: row.account_id,
    before: row.before,
    after: row.after,
    onHandBefore: row.on_hand_before,
    onHandAfter: row.on_hand_after,
    cause: row.cause,
    runId: row.run_id === null ? null : Number(row.run_id),
    saleId: row.sale_id,
    note: row.note,
    eventId: row.event_id,
    at: row.at,
  }));
}
