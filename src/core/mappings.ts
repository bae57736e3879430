import type { SqlQueryable } from './sql.ts';
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
}

export const MAPPING_COLUMNS = `ecommerce_id, account_id, pos_item_id, description, limit_quantity, created_at,
  on_hand, on_hand_read_at, available, missing_on_pos, missing_since, last_confirmed_at`;

/** The columns read back for callers, with the item's derived last confirmed time (freshness.ts). */
export const MAPPING_SELECT = `m.ecommerce_id, m.account_id, m.pos_item_id, m.description, m.limit_quantity, m.created_at,
  m.on_hand, m.on_hand_read_at, m.available, m.missing_on_pos, m.missing_since, ${lastConfirmedSql('m')} as last_confirmed_at`;

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

export async function registerMapping(sql: SqlQueryable, mapping: NewMapping): Promise<{ mapping: Mapping; created: boolean }> {
  const description = mapping.description ?? '';
  const limitQuantity = mapping.limitQuantity ?? 0;
  if (!Number.isInteger(limitQuantity) || limitQuantity < 0) throw new RangeError(`limitQuantity must be a whole number ≥ 0, got ${limitQuantity}`);
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
  if (!clash) return registerMapping(sql, mapping);
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

export async function listMappings(sql: SqlQueryable, accountId: string): Promise<Mapping[]> {
  const { rows } = await sql.query<MappingRow>(`select ${MAPPING_SELECT} from mappings m where m.account_id = $1 order by m.ecommerce_id`, [accountId]);
  return rows.map(toMapping);
}

/** The POS item ids a poll of this account must read. */
export async function mappedPosIds(sql: SqlQueryable, accountId: string): Promise<string[]> {
  const { rows } = await sql.query<{ pos_item_id: string }>('select pos_item_id from mappings where account_id = $1 order by pos_item_id', [accountId]);
  return rows.map((row) => row.pos_item_id);
}
