import type { ShopKey } from '../../config/types.ts';
import type { ShopKeyRow } from '../../sink/sink.ts';
import { EngineInputError } from '../ports.ts';
import { MAX_ROWS, type BulkRow } from './rows.ts';

/**
 * Auto-match: the shop table's own SKU or barcode column turned into bulk rows for one account,
 * so the bulk mapping's rules hold (a key must be non-blank and unique on both sides; blank,
 * ambiguous and not-found keys are reported, never guessed). Rows the shop table already files
 * under another account (its account column) are left out: they belong to that account.
 */
export interface AutoMatchRows {
  rows: BulkRow[];
  /** Shop rows left out because their account column names another account. */
  otherAccounts: number;
}

export function autoMatchRows(shopRows: readonly ShopKeyRow[], accountId: string, by: ShopKey): AutoMatchRows {
  let otherAccounts = 0;
  // One e-commerce id may appear on several rows of a table without a unique key.
  const keysById = new Map<string, Set<string | null>>();
  for (const row of shopRows) {
    if (row.accountId !== null && row.accountId.trim() !== '' && row.accountId !== accountId) {
      otherAccounts += 1;
      continue;
    }
    const keys = keysById.get(row.ecommerceId) ?? new Set();
    keys.add(row.key);
    keysById.set(row.ecommerceId, keys);
  }
  if (keysById.size > MAX_ROWS) {
    throw new EngineInputError('account_id', `the shop table has ${keysById.size} rows for this account; auto-match takes at most ${MAX_ROWS} (export them and import in parts)`, 400);
  }
  const rows: BulkRow[] = [];
  for (const [ecommerceId, keys] of keysById) {
    const row = rows.length + 1;
    const [only] = keys;
    if (keys.size > 1) {
      const given = [...keys].map((k) => (k === null ? 'blank' : `"${k}"`)).join(', ');
      rows.push({ row, ecommerceId, accountId, key: null, problem: { field: by, message: `the shop table gives this e-commerce id several ${by}s (${given}): never guessed` } });
    } else if (only === null || only === undefined) {
      rows.push({ row, ecommerceId, accountId, key: null, problem: { field: by, message: `the shop row's ${by} is blank (a blank key is never matched)` } });
    } else {
      rows.push({ row, ecommerceId, accountId, key: { by, value: only } });
    }
  }
  return { rows, otherAccounts };
}
