import type { SqlClient, SqlQueryable } from './sql.ts';
import { inTransaction, lockPosItems } from './pos-item-lock.ts';
import { lastConfirmedSql } from './freshness.ts';

/**
 * Item mappings: one e-commerce id bound to one POS item in one account, with its stock state.
 * Registering is idempotent for the same (ecommerce id, account, POS item); anything else that
 * would re-point an existing binding is a MappingConflictError the API turns into a 409.
 */

export interface NewMapping {
  ecommerceId: string;
  accountId: string;
  posItemId: string;
  description?: string;
  limitQuantity?: number;
}

export interface Mapping {
  ecommerceId: string;
  accountId: string;
  posItemId: string;
  description: string;
  limitQuantity: number;
  createdAt: Date;
  /** null = never counted (unknown). */
  onHand: number | null;
  onHandReadAt: Date | null;
  /** What the shop DB gets; null while on hand is unknown. */
  available: number | null;
  missingOnPos: boolean;
  missingSince: Date | null;
  lastConfirmedAt: Date | null;
  /** Sum of the extra sources' available quantities (item-sources.ts); null when it has none counted. */
  sourcesAvailable: number | null;
}

export type MappingConflict =
  /** The e-commerce id is already bound to another POS item or account. */
  | 'ecommerce-id-mapped'
  /** The POS item is already bound to another e-commerce id in this account. */
  | 'pos-item-mapped';

export class MappingConflictError extends Error {
  override readonly name = 'MappingConflictError';
  constructor(
    readonly conflict: MappingConflict,
    readonly existing: Mapping,
  ) {
    super(
      conflict === 'ecommerce-id-mapped'
        ? `e-commerce item ${existing.ecommerceId} is already mapped to POS item ${existing.posItemId} in account ${existing.accountId}`
        : `POS item ${existing.posItemId} in account ${existing.accountId} is already mapped to e-commerce item ${existing.ecommerceId}`,
    );
  }
}

export class UnknownAccountError extends Error {
  override readonly name = 'UnknownAccountError';
  constructor(readonly accountId: string) {
    super(`no configured account has the id ${accountId}`);
  }
}

export interface MappingRow {
  ecommerce_id: string;
  account_id: string;
  pos_item_id: string;
  description: string;
  limit_quantity: number;
  created_at: Date;
  on_hand: number | null;
  on_hand_read_at: Date | null;
  available: number | null;
  missing_on_pos: boolean;
  missing_since: Date | null;
  last_confirmed_at: Date | null;
  sources_available: number | null;
}

/** For statements on the unaliased table (and RETURNING): last_confirmed_at is derived (freshness.ts). */
export const MAPPING_COLUMNS = `ecommerce_id, account_id, pos_item_id, description, limit_quantity, created_at,
  on_hand, on_hand_read_at, available, missing_on_pos, missing_since, ${lastConfirmedSql('mappings')} as last_confirmed_at, sources_available`;

/** The columns read back for callers, with the item's derived last confirmed time (freshness.ts). */
export const MAPPING_SELECT = `m.ecommerce_id, m.account_id, m.pos_item_id, m.description, m.limit_quantity, m.created_at,
  m.on_hand, m.on_hand_read_at, m.available, m.missing_on_pos, m.missing_since, ${lastConfirmedSql('m')} as last_confirmed_at, m.sources_available`;

export function toMapping(row: MappingRow): Mapping {
  return {
    ecommerceId: row.ecommerce_id,
    accountId: row.account_id,
    posItemId: row.pos_item_id,
    description: row.description,
    limitQuantity: row.limit_quantity,
    createdAt: row.created_at,
    onHand: row.on_hand,
    onHandReadAt: row.on_hand_read_at,
    available: row.available,
    missingOnPos: row.missing_on_pos,
    missingSince: row.missing_since,
    lastConfirmedAt: row.last_confirmed_at,
    sourcesAvailable: row.sources_available ?? null,
  };
}

// No conflict target: either unique key (ecommerce id, or account + POS item) makes it a no-op.
const INSERT = `
  insert into mappings (ecommerce_id, account_id, pos_item_id, description, limit_quantity)
  values ($1, $2, $3, $4, $5)
  on conflict do nothing
  returning ${MAPPING_COLUMNS}`;

const FIND_CLASH = `
  select ${MAPPING_COLUMNS} from mappings
  where ecommerce_id = $1 or (account_id = $2 and pos_item_id = $3)
  order by (ecommerce_id = $1) desc
  limit 1`;

// Same binding again: the caller may be changing its description or safety stock.
const REFRESH = `
  update mappings set description = $2, limit_quantity = $3, updated_at = now()
  where ecommerce_id = $1 and (description, limit_quantity) is distinct from ($2, $3)
  returning ${MAPPING_COLUMNS}`;

/** Binds an e-commerce item to a POS item as its first source; in the caller's transaction, or its own. */
export async function registerMapping(sql: SqlQueryable | SqlClient, mapping: NewMapping): Promise<{ mapping: Mapping; created: boolean }> {
  const limitQuantity = mapping.limitQuantity ?? 0;
  if (!Number.isInteger(limitQuantity) || limitQuantity < 0) throw new RangeError(`limitQuantity must be a whole number ≥ 0, got ${limitQuantity}`);
  return inTransaction(sql, async (tx) => {
    await lockPosItems(tx, [mapping]);
    return registerLocked(tx, mapping);
  });
}

async function registerLocked(sql: SqlQueryable, mapping: NewMapping): Promise<{ mapping: Mapping; created: boolean }> {
  const description = mapping.description ?? '';
  const limitQuantity = mapping.limitQuantity ?? 0;
  // A POS item that already feeds another item as an extra source (item-sources.ts) would sell its units twice.
  const { rows: feeding } = await sql.query<MappingRow>(
    `select ${MAPPING_SELECT} from mappings m join item_sources s on s.ecommerce_id = m.ecommerce_id
      where s.account_id = $1 and s.pos_item_id = $2`,
    [mapping.accountId, mapping.posItemId],
  );
  if (feeding[0]) {
    const existing = toMapping(feeding[0]);
    throw new MappingConflictError(existing.ecommerceId === mapping.ecommerceId ? 'ecommerce-id-mapped' : 'pos-item-mapped', { ...existing, accountId: mapping.accountId, posItemId: mapping.posItemId });
  }
  let inserted: MappingRow[];
  try {
    ({ rows: inserted } = await sql.query<MappingRow>(INSERT, [mapping.ecommerceId, mapping.accountId, mapping.posItemId, description, limitQuantity]));
  } catch (error) {
    if ((error as { code?: string }).code === '23503') throw new UnknownAccountError(mapping.accountId);
    throw error;
  }
  if (inserted[0]) return { mapping: toMapping(inserted[0]), created: true };

  const { rows } = await sql.query<MappingRow>(FIND_CLASH, [mapping.ecommerceId, mapping.accountId, mapping.posItemId]);
  const clash = rows[0];
  // Deleted between the two statements: rare enough that asking again is the honest answer.
  if (!clash) return registerLocked(sql, mapping);
  const existing = toMapping(clash);
  if (existing.ecommerceId !== mapping.ecommerceId) throw new MappingConflictError('pos-item-mapped', existing);
  if (existing.accountId !== mapping.accountId || existing.posItemId !== mapping.posItemId) {
    throw new MappingConflictError('ecommerce-id-mapped', existing);
  }
  const { rows: refreshed } = await sql.query<MappingRow>(REFRESH, [mapping.ecommerceId, description, limitQuantity]);
  return { mapping: refreshed[0] ? toMapping(refreshed[0]) : existing, created: false };
}

export async function getMapping(sql: SqlQueryable, ecommerceId: string): Promise<Mapping | null> {
  const { rows } = await sql.query<MappingRow>(`select ${MAPPING_SELECT} from mappings m where m.ecommerce_id = $1`, [ecommerceId]);
  return rows[0] ? toMapping(rows[0]) : null;
}

export async function getMappings(sql: SqlQueryable, ecommerceIds: readonly string[]): Promise<Mapping[]> {
  const { rows } = await sql.query<MappingRow>(`select ${MAPPING_SELECT} from mappings m where m.ecommerce_id = any($1::text[]) order by m.ecommerce_id`, [[...ecommerceIds]]);
  return rows.map(toMapping);
}

/** An account's items: those it is the first source of, and those it feeds as an extra source. */
export const OF_ACCOUNT = `(m.account_id = $1 or m.ecommerce_id in (select s.ecommerce_id from item_sources s where s.account_id = $1))`;

export async function listMappings(sql: SqlQueryable, accountId: string): Promise<Mapping[]> {
  const { rows } = await sql.query<MappingRow>(`select ${MAPPING_SELECT} from mappings m where ${OF_ACCOUNT} order by m.ecommerce_id`, [accountId]);
  return rows.map(toMapping);
}

/** The POS item ids a poll of this account must read: first sources, and extra sources (item_sources). */
export async function mappedPosIds(sql: SqlQueryable, accountId: string): Promise<string[]> {
  const { rows } = await sql.query<{ pos_item_id: string }>(
    'select pos_item_id from mappings where account_id = $1 union select pos_item_id from item_sources where account_id = $1 order by pos_item_id',
    [accountId],
  );
  return rows.map((row) => row.pos_item_id);
}

export interface FreshnessCounts {
  accountId: string;
  items: number;
  /** Items whose last POS confirmation (or, never confirmed, their registration) is older than the account's maximum age. */
  stale: number;
  /** Items no POS count has confirmed yet. */
  neverConfirmed: number;
  /** The oldest confirmation among the account's items (null when none was ever confirmed). */
  oldestConfirmedAt: Date | null;
}

// An item never confirmed ages from its registration: it is stale once it has waited as long
// as a confirmed one may. An account's items are the first sources it holds and the extra sources
// (item_sources, issue 12) it feeds, each judged on its own confirmation time.
const STALE_COUNTS = `
  with src as (
    select m.account_id, ${lastConfirmedSql('m')} as confirmed, m.created_at from mappings m where m.account_id = any($1::text[])
    union all
    select s.account_id, s.last_confirmed_at, s.created_at from item_sources s where s.account_id = any($1::text[])
  )
  select a.account_id,
         count(src.created_at)::int as items,
         count(src.created_at) filter (
           where coalesce(src.confirmed, src.created_at) < now() - make_interval(secs => a.max_age))::int as stale,
         count(src.created_at) filter (where src.confirmed is null)::int as never_confirmed,
         min(src.confirmed) as oldest_confirmed_at
    from unnest($1::text[], $2::int[]) as a(account_id, max_age)
    left join src on src.account_id = a.account_id
   group by a.account_id`;

/** Per account, how many items are stale under that account's maximum age (seconds). */
export async function staleItemCounts(sql: SqlQueryable, maxAgeSeconds: ReadonlyMap<string, number>): Promise<FreshnessCounts[]> {
  if (maxAgeSeconds.size === 0) return [];
  const ids = [...maxAgeSeconds.keys()];
  const { rows } = await sql.query<{ account_id: string; items: number; stale: number; never_confirmed: number; oldest_confirmed_at: Date | null }>(
    STALE_COUNTS,
    [ids, ids.map((id) => maxAgeSeconds.get(id)!)],
  );
  const byId = new Map(rows.map((r) => [r.account_id, r]));
  return ids.map((accountId) => {
    const row = byId.get(accountId);
    return {
      accountId,
      items: row?.items ?? 0,
      stale: row?.stale ?? 0,
      neverConfirmed: row?.never_confirmed ?? 0,
      oldestConfirmedAt: row?.oldest_confirmed_at ?? null,
    };
  });
}

/** One account's stale items, oldest confirmation first (for a dashboard's list). */
export async function staleItems(sql: SqlQueryable, accountId: string, maxAgeSeconds: number, limit = 100): Promise<Mapping[]> {
  const { rows } = await sql.query<MappingRow>(
    `select ${MAPPING_COLUMNS} from mappings
      where account_id = $1 and coalesce(${lastConfirmedSql('mappings')}, created_at) < now() - make_interval(secs => $2::int)
      order by coalesce(${lastConfirmedSql('mappings')}, created_at), ecommerce_id
      limit $3`,
    [accountId, maxAgeSeconds, limit],
  );
  return rows.map(toMapping);
}
