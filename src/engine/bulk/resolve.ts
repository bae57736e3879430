import type { CatalogItem } from '../../pos/contract.ts';
import type { CatalogIndex } from './catalog-index.ts';
import { candidateJson, type RowReport } from './report.ts';
import type { BulkRow } from './rows.ts';

/**
 * Rows to POS items, before anything is compared with existing mappings. A SKU, barcode or name
 * must be unique on both sides: several catalog items with it, or several rows of the same
 * account giving it, leave every such row `ambiguous`.
 */
export interface Resolved {
  row: BulkRow;
  item: CatalogItem;
}

export function resolveRows(rows: readonly BulkRow[], indexes: ReadonlyMap<string, CatalogIndex>, report: (entry: RowReport) => void): Resolved[] {
  const repeated = repeatedKeys(rows);
  const resolved: Resolved[] = [];
  for (const row of rows) {
    const base = { row: row.row, item_ecommerce_id: row.ecommerceId, account_id: row.accountId, key: row.key };
    const index = indexes.get(row.accountId);
    if (row.problem || !row.key || !index) {
      report({ ...base, status: 'invalid', reason: row.problem?.message ?? `no configured account has the id "${row.accountId}"` });
      continue;
    }
    const times = repeated.get(sideKey(row));
    if (times !== undefined && times > 1) {
      report({ ...base, status: 'ambiguous', reason: `${times} rows of this file give the ${row.key.by} "${row.key.value}" for this account` });
      continue;
    }
    const found = index.resolve(row.key);
    if (found.kind === 'found') resolved.push({ row, item: found.item });
    else if (found.kind === 'ambiguous') {
      report({
        ...base,
        status: 'ambiguous',
        reason: `${found.candidates.length} POS items have the ${row.key.by} "${row.key.value}"; map this row by item_pos_id`,
        candidates: found.candidates.map(candidateJson),
      });
    } else {
      report({
        ...base,
        status: 'not_found',
        reason: `no POS item has the ${row.key.by} "${row.key.value}"${found.close.length ? '; see candidates for close matches' : ''}`,
        candidates: found.close.map(candidateJson),
      });
    }
  }
  return resolved;
}

/** POS ids are exact references, so only the other keys must be unique on the file's side. */
function sideKey(row: BulkRow): string {
  if (!row.key || row.key.by === 'item_pos_id') return '';
  const value = row.key.by === 'barcode' ? row.key.value.trim() : row.key.value.trim().replace(/\s+/g, ' ').toLowerCase();
  return JSON.stringify([row.accountId, row.key.by, value]);
}

function repeatedKeys(rows: readonly BulkRow[]): Map<string, number> {
  const seen = new Map<string, number>();
  for (const row of rows) {
    if (row.problem) continue;
    const key = sideKey(row);
    if (key !== '') seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return seen;
}
