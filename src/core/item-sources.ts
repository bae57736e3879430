import type { SqlClient, SqlQueryable } from './sql.ts';
import { recordJournal } from './journal.ts';
import { MappingNotFoundError } from './mapping-admin.ts';
import { lockPosItems } from './pos-item-lock.ts';

/**
 * An item's extra sources (issue 12, part 3): the same e-commerce item sold from further POS
 * accounts. The `mappings` row is the item and its first source, untouched; each extra source is
 * an `item_sources` row with its own count, reservations and floor (limit_quantity). The shop gets
 * the sum of the sources' known available quantities (SHOP_QUANTITY).
 *
 * Locking: an extra source's row is only read for update or written while its item's `mappings`
 * row is locked by the same transaction (polls and intake lock those in e-commerce id order), so
 * source rows never take part in a lock cycle.
 */

export interface ItemSource {
  ecommerceId: string;
  accountId: string;
  posItemId: string;
  description: string;
  limitQuantity: number;
  onHand: number | null;
  onHandReadAt: Date | null;
  available: number | null;
  missingOnPos: boolean;
  lastConfirmedAt: Date | null;
  createdAt: Date;
}

export interface NewSource {
  ecommerceId: string;
  accountId: string;
  posItemId: string;
  description?: string;
  limitQuantity?: number;
}

interface SourceRow {
  ecommerce_id: string;
  account_id: string;
  pos_item_id: string;
  description: string;
  limit_quantity: number;
  on_hand: number | null;
  on_hand_read_at: Date | null;
  available: number | null;
  missing_on_pos: boolean;
  last_confirmed_at: Date | null;
  created_at: Date;
}

const SOURCE_COLUMNS = `ecommerce_id, account_id, pos_item_id, description, limit_quantity, on_hand, on_hand_read_at, available,
  missing_on_pos, last_confirmed_at, created_at`;

function toSource(row: SourceRow): ItemSource {
  return {
    ecommerceId: row.ecommerce_id,
    accountId: row.account_id,
    posItemId: row.pos_item_id,
    description: row.description,
    limitQuantity: row.limit_quantity,
    onHand: row.on_hand,
    onHandReadAt: row.on_hand_read_at,
    available: row.available,
    missingOnPos: row.missing_on_pos,
    lastConfirmedAt: row.last_confirmed_at,
    createdAt: row.created_at,
  };
}

/**
 * What the shop's table gets for the item whose `mappings` row is `m`: the first source's available
 * plus the extra sources' (null only while no source has a count). Equal to `available` for an
 * item with one source.
 */
export const shopQuantitySql = (m = 'm') => `coalesce(${m}.available + coalesce(${m}.sources_available, 0), ${m}.sources_available)`;

export function shopQuantity(item: { available: number | null; sourcesAvailable: number | null }): number | null {
  if (item.available === null) return item.sourcesAvailable;
  return item.available + (item.sourcesAvailable ?? 0);
}

export class SourceConflictError extends Error {
  override readonly name = 'SourceConflictError';
}

/** Extra sources per item, oldest first (items without any are absent). */
export async function listSources(sql: SqlQueryable, ecommerceIds: readonly string[]): Promise<Map<string, ItemSource[]>> {
  const bySource = new Map<string, ItemSource[]>();
  if (ecommerceIds.length === 0) return bySource;
  const { rows } = await sql.query<SourceRow>(
    `select ${SOURCE_COLUMNS} from item_sources where ecommerce_id = any($1::text[]) order by ecommerce_id, created_at, account_id`,
    [[...ecommerceIds]],
  );
  for (const row of rows) {
    const list = bySource.get(row.ecommerce_id) ?? [];
    list.push(toSource(row));
    bySource.set(row.ecommerce_id, list);
  }
  return bySource;
}

/** The POS ids a poll of this account must read for the extra sources it holds. */
export async function sourcePosIds(sql: SqlQueryable, accountId: string): Promise<string[]> {
  const { rows } = await sql.query<{ pos_item_id: string }>('select pos_item_id from item_sources where account_id = $1', [accountId]);
  return rows.map((r) => r.pos_item_id);
}

/** Re-sums the extra sources of these items into `mappings.sources_available` (caller holds the items' locks). */
export async function refreshSourcesAvailable(tx: SqlQueryable, ecommerceIds: readonly string[]): Promise<void> {
  if (ecommerceIds.length === 0) return;
  await tx.query(
    `update mappings m set sources_available = s.total, updated_at = now()
       from (select i.ecommerce_id, (select sum(x.available)::int from item_sources x where x.ecommerce_id = i.ecommerce_id) as total
               from unnest($1::text[]) as i(ecommerce_id)) s
      where m.ecommerce_id = s.ecommerce_id and m.sources_available is distinct from s.total`,
    [[...new Set(ecommerceIds)]],
  );
}

interface LockedItem {
  ecommerce_id: string;
  account_id: string;
  pos_item_id: string;
}

async function lockItem(tx: SqlQueryable, ecommerceId: string): Promise<LockedItem> {
  const { rows } = await tx.query<LockedItem>('select ecommerce_id, account_id, pos_item_id from mappings where ecommerce_id = $1 for update', [ecommerceId]);
  if (!rows[0]) throw new MappingNotFoundError(ecommerceId);
  return rows[0];
}

/**
 * Adds a source to an item already mapped. The same source again refreshes its floor and
 * description (created false). One source per account per item; a POS item feeds one online
 * item only, wherever it is bound (else both would sell the same units).
 */
export async function addSource(sql: SqlClient, source: NewSource): Promise<{ source: ItemSource; created: boolean }> {
  const limitQuantity = source.limitQuantity ?? 0;
  if (!Number.isInteger(limitQuantity) || limitQuantity < 0) throw new RangeError(`limitQuantity must be a whole number ≥ 0, got ${limitQuantity}`);
  return sql.transaction(async (tx) => {
    // Before the item's row lock: registerMapping takes this lock first too (pos-item-lock.ts).
    await lockPosItems(tx, [source]);
    const item = await lockItem(tx, source.ecommerceId);
    if (item.account_id === source.accountId) {
      throw new SourceConflictError(
        item.pos_item_id === source.posItemId
          ? `POS item ${source.posItemId} in account ${source.accountId} is already item ${source.ecommerceId}'s first source`
          : `item ${source.ecommerceId} already has a source in account ${source.accountId} (POS item ${item.pos_item_id}); remove it first`,
      );
    }
    const { rows: elsewhere } = await tx.query<{ ecommerce_id: string }>(
      `select ecommerce_id from mappings where account_id = $1 and pos_item_id = $2
       union all
       select ecommerce_id from item_sources where account_id = $1 and pos_item_id = $2 and ecommerce_id <> $3`,
      [source.accountId, source.posItemId, source.ecommerceId],
    );
    if (elsewhere[0]) {
      throw new SourceConflictError(`POS item ${source.posItemId} in account ${source.accountId} already feeds e-commerce item ${elsewhere[0].ecommerce_id}`);
    }
    const { rows: existing } = await tx.query<SourceRow>(`select ${SOURCE_COLUMNS} from item_sources where ecommerce_id = $1 and account_id = $2`, [source.ecommerceId, source.accountId]);
    const found = existing[0];
    if (found && found.pos_item_id !== source.posItemId) {
      throw new SourceConflictError(`item ${source.ecommerceId} already has a source in account ${source.accountId} (POS item ${found.pos_item_id}); remove it first`);
    }
    const description = source.description ?? found?.description ?? '';
    if (found) {
      const { rows } = await tx.query<SourceRow>(
        `update item_sources set limit_quantity = $3, description = $4, updated_at = now()
          where ecommerce_id = $1 and account_id = $2 returning ${SOURCE_COLUMNS}`,
        [source.ecommerceId, source.accountId, limitQuantity, description],
      );
      return { source: toSource(rows[0]!), created: false };
    }
    let rows: SourceRow[];
    try {
      ({ rows } = await tx.query<SourceRow>(
        `insert into item_sources (ecommerce_id, account_id, pos_item_id, description, limit_quantity)
         values ($1, $2, $3, $4, $5) returning ${SOURCE_COLUMNS}`,
        [source.ecommerceId, source.accountId, source.posItemId, description, limitQuantity],
      ));
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new SourceConflictError(`POS item ${source.posItemId} in account ${source.accountId} already feeds another item`);
      throw error;
    }
    await recordJournal(tx, [{ ecommerceId: source.ecommerceId, accountId: source.accountId, before: null, after: null, onHandBefore: null, onHandAfter: null, cause: 'manual', note: `source added: POS item ${source.posItemId}` }]);
    return { source: toSource(rows[0]!), created: true };
  });
}

/**
 * Removes an extra source; its units leave the shop's quantity. The first source (the mapping
 * itself) is removed by unmapping the item. Parts of sales already accepted from it keep their
 * account and POS ids in the ledger and are still posted.
 */
export async function removeSource(sql: SqlClient, ecommerceId: string, accountId: string): Promise<ItemSource> {
  return sql.transaction(async (tx) => {
    const item = await lockItem(tx, ecommerceId);
    if (item.account_id === accountId) {
      throw new SourceConflictError(`account ${accountId} holds item ${ecommerceId}'s first source; unmap the item (DELETE /api/items/${ecommerceId}) to remove it`);
    }
    const { rows } = await tx.query<SourceRow>(`delete from item_sources where ecommerce_id = $1 and account_id = $2 returning ${SOURCE_COLUMNS}`, [ecommerceId, accountId]);
    const removed = rows[0];
    if (!removed) throw new SourceNotFoundError(ecommerceId, accountId);
    await refreshSourcesAvailable(tx, [ecommerceId]);
    await recordJournal(tx, [{
      ecommerceId, accountId, before: removed.available, after: null, onHandBefore: removed.on_hand, onHandAfter: null, cause: 'manual',
      note: `source removed: POS item ${removed.pos_item_id}`,
    }]);
    return toSource(removed);
  });
}

export class SourceNotFoundError extends Error {
  override readonly name = 'SourceNotFoundError';
  constructor(readonly ecommerceId: string, readonly accountId: string) {
    super(`item ${ecommerceId} has no extra source in account ${accountId}`);
  }
}
