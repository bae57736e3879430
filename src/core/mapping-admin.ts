import type { SqlClient, SqlQueryable } from './sql.ts';
import { RESERVING_STATES, sqlStates } from './sales/states.ts';
import { recordJournal } from './journal.ts';
import { MAPPING_SELECT, toMapping, type Mapping, type MappingRow } from './mappings.ts';

/**
 * An operator changing or removing a mapping. Each is one transaction that locks the item's row
 * (as a sale's reservation and a poll's page do) and journals what was done (cause 'manual').
 */

export class MappingNotFoundError extends Error {
  override readonly name = 'MappingNotFoundError';
  constructor(readonly ecommerceId: string) {
    super(`no item is mapped with the e-commerce id "${ecommerceId}"`);
  }
}

export class SalesInFlightError extends Error {
  override readonly name = 'SalesInFlightError';
  constructor(
    readonly ecommerceId: string,
    readonly saleIds: string[],
  ) {
    super(`item ${ecommerceId} has ${saleIds.length} sale(s) not yet posted to its POS (${saleIds.slice(0, 5).join(', ')}); wait for them, or retry or cancel the failed ones, then unmap`);
  }
}

export interface MappingChange {
  limitQuantity?: number;
  description?: string;
}

const LOCK = `select ${MAPPING_SELECT} from mappings m where m.ecommerce_id = $1 for update`;

async function locked(tx: SqlQueryable, ecommerceId: string): Promise<Mapping> {
  const { rows } = await tx.query<MappingRow>(LOCK, [ecommerceId]);
  if (!rows[0]) throw new MappingNotFoundError(ecommerceId);
  return toMapping(rows[0]);
}

/** Changes the floor and/or description; returns the mapping after, and whether anything changed. */
export async function updateMapping(sql: SqlClient, ecommerceId: string, change: MappingChange): Promise<{ mapping: Mapping; changed: boolean }> {
  if (change.limitQuantity !== undefined && (!Number.isInteger(change.limitQuantity) || change.limitQuantity < 0)) {
    throw new RangeError(`limitQuantity must be a whole number ≥ 0, got ${change.limitQuantity}`);
  }
  return sql.transaction(async (tx) => {
    const before = await locked(tx, ecommerceId);
    const limitQuantity = change.limitQuantity ?? before.limitQuantity;
    const description = change.description ?? before.description;
    const notes: string[] = [];
    if (limitQuantity !== before.limitQuantity) notes.push(`limit_quantity ${before.limitQuantity} → ${limitQuantity}`);
    if (description !== before.description) notes.push(`description ${JSON.stringify(before.description)} → ${JSON.stringify(description)}`);
    if (notes.length === 0) return { mapping: before, changed: false };
    await tx.query('update mappings set limit_quantity = $2, description = $3, updated_at = now() where ecommerce_id = $1', [ecommerceId, limitQuantity, description]);
    await recordJournal(tx, [journalEntry(before, before.available, notes.join('; '))]);
    return { mapping: { ...before, limitQuantity, description }, changed: true };
  });
}

/** Sales that still hold units or may yet reach the POS. */
const UNFINISHED_SALES = `
  select id from sales where ecommerce_id = $1 and state in ${sqlStates(RESERVING_STATES)} order by seq limit 20`;

/**
 * Removes the mapping, refused while any of its sales is unfinished (it would lose the way to
 * post or release it). `note` says what became of the shop's row, for the journal.
 */
export async function unmapItem(sql: SqlClient, ecommerceId: string, options: { shopRowAfter: number | null; note: string }): Promise<Mapping> {
  return sql.transaction(async (tx) => {
    const before = await locked(tx, ecommerceId);
    const { rows } = await tx.query<{ id: string }>(UNFINISHED_SALES, [ecommerceId]);
    if (rows.length > 0) throw new SalesInFlightError(ecommerceId, rows.map((r) => r.id));
    await tx.query('delete from mappings where ecommerce_id = $1', [ecommerceId]);
    await recordJournal(tx, [journalEntry(before, options.shopRowAfter, options.note)]);
    return before;
  });
}

function journalEntry(mapping: Mapping, after: number | null, note: string) {
  return {
    ecommerceId: mapping.ecommerceId,
    accountId: mapping.accountId,
    before: mapping.available,
    after,
    onHandBefore: mapping.onHand,
    onHandAfter: mapping.onHand,
    cause: 'manual' as const,
    note,
  };
}
