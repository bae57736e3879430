import type { SqlQueryable } from '../sql.ts';
import { PENDING_STATES, RESERVING_STATES, assertTransition, sqlStates, type SaleState } from './states.ts';
import { LeaseLostError, leaseHeld, type Lease } from './lease.ts';
import { refreshSourcesAvailable } from '../item-sources.ts';

/** The sale ledger's SQL: reads, state moves, reservations (intake is in intake-sql.ts). Every function takes the caller's transaction. */

export interface SaleRow {
  id: string;
  seq: string;
  idempotency_key: string | null;
  request_hash: string;
  ecommerce_id: string;
  account_id: string;
  pos_item_id: string;
  quantity: number;
  amount_cents: string;
  reference: string | null;
  state: SaleState;
  attempts: number;
  last_error: string | null;
  pos_reference: string | null;
  progress: Record<string, string> | null;
  created_at: Date;
  updated_at: Date;
  posted_at: Date | null;
  /** Set on the second and later parts of a split sale: the sale (its first part). */
  parent_id: string | null;
}

export interface TransitionRow {
  sale_id: string;
  from_state: SaleState | null;
  to_state: SaleState;
  reason: string;
  at: Date;
}

const COLUMNS = `id, seq, idempotency_key, request_hash, ecommerce_id, account_id, pos_item_id, quantity, amount_cents,
  reference, state, attempts, last_error, pos_reference, progress, created_at, updated_at, posted_at, parent_id`;

/** A sale with its history and, when it was split over several sources, its other parts. */
export async function getSale(sql: SqlQueryable, id: string): Promise<{ sale: SaleRow; history: TransitionRow[]; parts: SaleRow[] } | null> {
  const { rows } = await sql.query<SaleRow>(`select ${COLUMNS} from sales where id = $1`, [id]);
  const sale = rows[0];
  if (!sale) return null;
  const parts = sale.parent_id === null ? await partsOf(sql, [id]) : [];
  const { rows: history } = await sql.query<TransitionRow>(
    'select sale_id, from_state, to_state, reason, at from sale_transitions where sale_id = any($1::text[]) order by id',
    [[id, ...parts.map((p) => p.id)]],
  );
  return { sale, history, parts };
}

/** The second and later parts of these sales, in order. */
export async function partsOf(sql: SqlQueryable, ids: readonly string[]): Promise<SaleRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql.query<SaleRow>(`select ${COLUMNS} from sales where parent_id = any($1::text[]) order by seq`, [[...ids]]);
  return rows;
}

/**
 * Newest first; `before` is a sale id to page from. A split sale is listed once (its first part),
 * under a state when it or one of its parts is in it.
 */
export async function listSales(sql: SqlQueryable, query: { state?: SaleState; limit: number; before?: string }): Promise<SaleRow[]> {
  const { rows } = await sql.query<SaleRow>(
    `select ${COLUMNS} from sales s
      where s.parent_id is null
        and ($1::text is null or s.state = $1 or exists (select 1 from sales p where p.parent_id = s.id and p.state = $1))
        and ($2::text is null or s.seq < (select seq from sales where id = $2))
      order by s.seq desc limit $3`,
    [query.state ?? null, query.before ?? null, query.limit],
  );
  return rows;
}

export async function historyOf(sql: SqlQueryable, ids: readonly string[]): Promise<TransitionRow[]> {
  if (ids.length === 0) return [];
  const { rows } = await sql.query<TransitionRow>(
    'select sale_id, from_state, to_state, reason, at from sale_transitions where sale_id = any($1::text[]) order by id',
    [ids],
  );
  return rows;
}

/**
 * Claims the oldest sale of an account still to be posted (rule 7), counting the attempt, in one
 * statement: a dispatch costs the single database connection of the embedded default as little
 * as possible while intake is busy. Only the holder of the account's dispatch lease can claim,
 * and the claim renews the lease, so it covers the POS call that follows.
 */
export async function claimNext(sql: SqlQueryable, lease: Lease, leaseMs: number): Promise<SaleRow | null> {
  assertTransition('(next)', 'accepted', 'dispatching');
  assertTransition('(next)', 'dispatching', 'dispatching');
  const { rows } = await sql.query<SaleRow>(
    `with lease as (
       update dispatch_leases set expires_at = now() + $3 * interval '1 millisecond'
        where account_id = $1 and token = $2::bigint
       returning 1
     ), next as (
       select id, state from sales
        where account_id = $1 and state in ${sqlStates(PENDING_STATES)} and exists (select 1 from lease)
        order by seq limit 1 for update
     ), moved as (
       update sales s set state = 'dispatching', attempts = s.attempts + 1, updated_at = now()
         from next where s.id = next.id
       returning s.*, next.state as previous
     ), t as (
       insert into sale_transitions (sale_id, from_state, to_state, reason)
       select id, previous, 'dispatching',
              case when previous = 'accepted' then 'dispatch started' else 'dispatch attempt ' || attempts end
         from moved
     )
     -- One row even when nothing was claimed, saying whether the lease still held.
     select l.leased, ${COLUMNS} from (select count(*)::int as leased from lease) l left join moved on true`,
    [lease.accountId, lease.token, leaseMs],
  );
  const row = rows[0] as (SaleRow & { leased: number; id: string | null }) | undefined;
  if (!row || row.leased === 0) throw new LeaseLostError(lease);
  return row.id === null ? null : row;
}

export async function accountsWithPendingSales(sql: SqlQueryable): Promise<string[]> {
  const { rows } = await sql.query<{ account_id: string }>(`select distinct account_id from sales where state in ${sqlStates(PENDING_STATES)}`);
  return rows.map((r) => r.account_id);
}

export interface Move {
  from: readonly SaleState[];
  to: SaleState;
  reason: string;
  /** Counts a dispatch attempt. */
  attempt?: boolean;
  lastError?: string | null;
  posReference?: string;
  /** A dispatcher's move: made only while its lease is current. */
  lease?: Lease;
}

/**
 * Moves a sale from one of `from` to `to`, checked against the state machine and, in SQL, against
 * the state it is in now: null when it was not in any of `from` (someone else moved it first).
 */
export async function moveSale(sql: SqlQueryable, id: string, move: Move): Promise<SaleRow | null> {
  for (const from of move.from) assertTransition(id, from, move.to);
  const { rows } = await sql.query<SaleRow & { previous: SaleState }>(
    `with prev as (select state from sales where id = $1 for update),
     moved as (
       update sales s set
         state = $3,
         attempts = s.attempts + case when $4 then 1 else 0 end,
         last_error = case when $5::boolean then $6 else s.last_error end,
         pos_reference = coalesce($7, s.pos_reference),
         posted_at = case when $3 = 'posted' then now() else s.posted_at end,
         updated_at = now()
       from prev
       where s.id = $1 and prev.state = any($2::text[])
         and ($9::text is null or ${leaseHeld('s.account_id', '$9')})
       returning s.*, prev.state as previous
     ), t as (
       insert into sale_transitions (sale_id, from_state, to_state, reason)
       select id, previous, $3, $8 from moved
     )
     select * from moved`,
    [id, move.from, move.to, move.attempt ?? false, move.lastError !== undefined, move.lastError ?? null, move.posReference ?? null, move.reason, move.lease?.token ?? null],
  );
  return rows[0] ?? null;
}

/** A dispatcher's writes: refused (LeaseLostError) once its lease was taken over. */
export async function saveProgress(sql: SqlQueryable, lease: Lease, id: string, progress: Record<string, string>): Promise<void> {
  const { rows } = await sql.query(
    `update sales s set progress = $2, updated_at = now() where id = $1 and ${leaseHeld('s.account_id', '$3')} returning 1`,
    [id, JSON.stringify(progress), lease.token],
  );
  if (rows.length === 0) throw new LeaseLostError(lease);
}

export async function recordError(sql: SqlQueryable, lease: Lease, id: string, error: string): Promise<void> {
  const { rows } = await sql.query(
    `update sales s set last_error = $2, updated_at = now() where id = $1 and ${leaseHeld('s.account_id', '$3')} returning 1`,
    [id, error, lease.token],
  );
  if (rows.length === 0) throw new LeaseLostError(lease);
}

/**
 * Rule 4 in SQL, written once: a sale still holds its units if the POS does not have it yet, or if
 * it was posted at or after `since` (a POS read that began then may or may not include it).
 */
export function stillReserved(sale: string, since: string): string {
  return `(${sale}.state in ${sqlStates(RESERVING_STATES)} or (${sale}.state = 'posted' and ${sale}.posted_at >= ${since}))`;
}

/**
 * Units a poll must subtract per item (rule 4): every sale the POS does not have yet, plus every
 * sale posted since `since` (the POS read began then, so it may or may not include them).
 */
export async function reservedSince(sql: SqlQueryable, accountId: string, since: Date): Promise<Map<string, number>> {
  const { rows } = await sql.query<{ ecommerce_id: string; units: string }>(
    `select s.ecommerce_id, sum(s.quantity) as units from sales s
      where s.account_id = $1 and ${stillReserved('s', '$2')}
      group by s.ecommerce_id`,
    [accountId, since],
  );
  return new Map(rows.map((r) => [r.ecommerce_id, Number(r.units)]));
}

/**
 * Recomputes one source's available quantity after a reservation was released (cancel), from its
 * last count and what is still reserved on it since that count was read; journals the change.
 * The source is the item's first one when `accountId` is its account, else an extra source.
 */
export async function releaseReservation(sql: SqlQueryable, ecommerceId: string, saleId: string, accountId?: string): Promise<void> {
  const { rows } = await sql.query<{ account_id: string }>('select account_id from mappings where ecommerce_id = $1 for update', [ecommerceId]);
  const first = rows[0];
  if (first && accountId !== undefined && first.account_id !== accountId) {
    await releaseSourceReservation(sql, ecommerceId, accountId, saleId);
    return;
  }
  await sql.query(
    `with m as (
       select ecommerce_id, account_id, on_hand, available, on_hand_read_at from mappings where ecommerce_id = $1 for update
     ), r as (
       select coalesce(sum(s.quantity), 0) as units from sales s, m
        where s.ecommerce_id = m.ecommerce_id and s.account_id = m.account_id
          and ${stillReserved('s', "coalesce(m.on_hand_read_at, '-infinity')")}
     ), u as (
       update mappings set available = greatest(0, m.on_hand - r.units), updated_at = now()
         from m, r
        where mappings.ecommerce_id = m.ecommerce_id and m.on_hand is not null
          and mappings.available is distinct from greatest(0, m.on_hand - r.units)
       returning mappings.available as after, m.available as before, m.on_hand, m.account_id
     )
     insert into stock_journal (ecommerce_id, account_id, before, after, on_hand_before, on_hand_after, cause, sale_id)
     select $1, account_id, before, after, on_hand, on_hand, 'manual', $2 from u`,
    [ecommerceId, saleId],
  );
}

/** releaseReservation for an extra source (item_sources); the item's row is locked by the caller. */
async function releaseSourceReservation(sql: SqlQueryable, ecommerceId: string, accountId: string, saleId: string): Promise<void> {
  await sql.query(
    `with m as (
       select ecommerce_id, account_id, on_hand, available, on_hand_read_at from item_sources where ecommerce_id = $1 and account_id = $2 for update
     ), r as (
       select coalesce(sum(s.quantity), 0) as units from sales s, m
        where s.ecommerce_id = m.ecommerce_id and s.account_id = m.account_id
          and ${stillReserved('s', "coalesce(m.on_hand_read_at, '-infinity')")}
     ), u as (
       update item_sources x set available = greatest(0, m.on_hand - r.units), updated_at = now()
         from m, r
        where x.ecommerce_id = m.ecommerce_id and x.account_id = m.account_id and m.on_hand is not null
          and x.available is distinct from greatest(0, m.on_hand - r.units)
       returning x.available as after, m.available as before, m.on_hand, m.account_id
     )
     insert into stock_journal (ecommerce_id, account_id, before, after, on_hand_before, on_hand_after, cause, sale_id)
     select $1, account_id, before, after, on_hand, on_hand, 'manual', $3 from u`,
    [ecommerceId, accountId, saleId],
  );
  await refreshSourcesAvailable(sql, [ecommerceId]);
}
